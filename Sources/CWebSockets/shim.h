#ifndef JUNCTION_CWEBSOCKETS_SHIM_H
#define JUNCTION_CWEBSOCKETS_SHIM_H
#include <libwebsockets.h>

/* Macros Swift cannot import, as functions. */
static inline size_t junction_lws_pre(void) { return LWS_PRE; }
#endif
