/*
 * The reference server of benchmarks/xrtc.sh: libwebsockets answering every
 * request with `200 {"servertimestamp":1}` once its body is read, in C on one
 * thread (Debian's libwebsockets is built with LWS_MAX_SMP 1). It shows what
 * the HTTP engine and the kernel cost per request before any of Junction's
 * work: no routing, no request copy, no JSON, no XRTC state.
 *
 *   lwsstatic PORT
 */
#include "../lws_reference.h"

static const char body[] = "{\"servertimestamp\":1}";

static int on_event(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
	uint8_t buffer[LWS_PRE + 256], *start = &buffer[LWS_PRE], *p = start, *end = &buffer[sizeof buffer - 1];
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		/* A POST is answered once its body is in (BODY_COMPLETION). */
		if (!lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_HTTP_BODY:
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "application/json", sizeof body - 1, &p, end) ||
		    lws_finalize_http_header(wsi, &p, end))
			return 1;
		memcpy(p, body, sizeof body - 1);
		p += sizeof body - 1;
		if (lws_write(wsi, start, lws_ptr_diff(p, start), LWS_WRITE_HTTP_FINAL) < 0)
			return -1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: lwsstatic PORT\n");
		return 2;
	}
	static struct lws_protocols protocols[] = {
		{ "http", on_event, 0, 0, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 },
	};
	return serve_reference(argv[1], protocols);
}
