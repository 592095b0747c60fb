/*
 * The reference relay of benchmarks/websocket.sh: the least a relay on
 * libwebsockets can do, in C on one thread. Every message received on /in is
 * copied into a ring and written to the one client on /out (a second /out
 * client is refused). When the ring is half full, reading /in stops
 * (lws_rx_flow_control) until the consumer has caught up, so nothing is
 * dropped. No pipeline, no metadata, no thread hops: what Junction's relay
 * costs above this is Junction's own.
 *
 *   lwsrelay PORT
 */
#include "../lws_reference.h"

#define RING 65536
#define MAX_MESSAGE 4096

struct slot {
	size_t len;
	int binary;
	unsigned char data[LWS_PRE + MAX_MESSAGE];
};

static struct slot *ring;
static unsigned long head, tail;      /* written at head, sent from tail */
static struct lws *consumer;          /* the /out client */
static unsigned char partial[MAX_MESSAGE];
static size_t partial_len;

static int on_event(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED: {
		char uri[32] = "";
		lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
		if (!strcmp(uri, "/out")) {
			if (consumer)
				return -1;
			consumer = wsi;
		}
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		if (wsi == consumer)
			consumer = NULL;
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (partial_len + len > MAX_MESSAGE)
			return -1;
		memcpy(partial + partial_len, in, len);
		partial_len += len;
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			return 0;
		if (consumer) {
			struct slot *s = &ring[head % RING];
			s->len = partial_len;
			s->binary = lws_frame_is_binary(wsi);
			memcpy(s->data + LWS_PRE, partial, partial_len);
			head++;
			if (head - tail >= RING / 2)
				lws_rx_flow_control(wsi, 0);
			lws_callback_on_writable(consumer);
		}
		partial_len = 0;
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (wsi != consumer)
			return 0;
		while (tail != head) {
			struct slot *s = &ring[tail % RING];
			if (lws_write(wsi, s->data + LWS_PRE, s->len, s->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < 0)
				return -1;
			tail++;
			/* lws_partial_buffered, not lws_send_pipe_choked: the latter
			 * is a poll(2) per call. */
			if (lws_partial_buffered(wsi)) {
				lws_callback_on_writable(wsi);
				break;
			}
		}
		if (head - tail < RING / 4)
			lws_rx_flow_allow_all_protocol(lws_get_context(wsi), lws_get_protocol(wsi));
		return 0;
	default:
		return 0;
	}
}

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: lwsrelay PORT\n");
		return 2;
	}
	ring = calloc(RING, sizeof *ring);
	if (!ring)
		return 1;
	/* wsload asks for the "wsload" subprotocol. */
	static struct lws_protocols protocols[] = {
		{ "wsload", on_event, 0, MAX_MESSAGE, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 },
	};
	return serve_reference(argv[1], protocols);
}
