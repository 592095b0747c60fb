/*
 * Shared by the reference servers of the benchmarks (benchmarks/xrtc/lwsstatic.c,
 * benchmarks/websocket/lwsrelay.c): one libwebsockets context on 127.0.0.1:PORT,
 * IPv4, errors-only logging, served on this thread until it fails.
 */
#ifndef JUNCTION_LWS_REFERENCE_H
#define JUNCTION_LWS_REFERENCE_H
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

static int serve_reference(const char *port, const struct lws_protocols *protocols) {
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = atoi(port);
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	info.keepalive_timeout = 60;
	info.timeout_secs = 60;
	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context *context = lws_create_context(&info);
	if (!context)
		return 1;
	while (lws_service(context, 0) >= 0)
		;
	lws_context_destroy(context);
	return 0;
}
#endif
