#ifndef JUNCTION_CWEBSOCKETS_SHIM_H
#define JUNCTION_CWEBSOCKETS_SHIM_H
#include <libwebsockets.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <sys/prctl.h>
#include <string.h>

/* Macros Swift cannot import, as functions. */
static inline size_t junction_lws_pre(void) { return LWS_PRE; }

/* LWS_SERVER_OPTION_* are 64-bit shift expressions; spell out the ones we use. */
static inline uint64_t junction_lws_option_ssl_global_init(void) { return LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT; }
static inline uint64_t junction_lws_option_disable_ipv6(void) { return LWS_SERVER_OPTION_DISABLE_IPV6; }
static inline uint64_t junction_lws_option_fail_upon_unable_to_bind(void) { return LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND; }
static inline uint64_t junction_lws_option_allow_listen_share(void) { return LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE; }

/*
 * A scheduler entry that remembers who scheduled it. lws hands the callback
 * only the lws_sorted_usec_list_t pointer; `sul` is the first member, so the
 * callback can get back to `user` without a global.
 */
struct junction_sul {
    lws_sorted_usec_list_t sul;
    void *user;
};

static inline lws_sorted_usec_list_t *junction_sul_base(struct junction_sul *s) { return &s->sul; }
static inline void *junction_sul_user(lws_sorted_usec_list_t *sul) { return ((struct junction_sul *)sul)->user; }

/*
 * Has the peer closed its side of this socket? Looks at the kernel's receive
 * queue without consuming anything (MSG_PEEK | MSG_DONTWAIT).
 * Returns 1 when the peer sent FIN or the socket is in error, 0 otherwise.
 */
static inline int junction_peer_gone(int fd) {
    char b;
    ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return 1;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return 1;
    return 0;
}

/* The calling thread's kernel name (15 characters at most); prctl is variadic. */
static inline void junction_set_thread_name(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }
static inline void junction_get_thread_name(char buffer[16]) { prctl(PR_GET_NAME, buffer, 0, 0, 0); }
/* The peer of a connected socket as "ip:port" ("[ip]:port" for IPv6); "" when unknown. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
static inline void junction_peer_address(int fd, char *out, size_t len) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[INET6_ADDRSTRLEN];
    out[0] = 0;
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        if (inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host)))
            snprintf(out, len, "%s:%u", host, (unsigned)ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        if (inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host)))
            snprintf(out, len, "[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
    }
}

/* The retry/idle policy lws reads for keepalive pings (validity checks) and
 * client reconnects; no backoff table: Junction schedules reconnects itself. */
static inline void junction_retry_policy(lws_retry_bo_t *p, uint16_t ping_secs, uint16_t hangup_secs) {
    memset(p, 0, sizeof(*p));
    p->secs_since_valid_ping = ping_secs;
    p->secs_since_valid_hangup = hangup_secs;
}

/* lws_write protocol flags for WebSocket frames (the enum mixes flags). */
static inline int junction_ws_write_flags(int binary, int first, int final) {
    int f = first ? (binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) : LWS_WRITE_CONTINUATION;
    if (!final)
        f |= LWS_WRITE_NO_FIN;
    return f;
}

/* TCP_CORK on or off: frames written while on leave in full segments (a
 * no-op on sockets that are not TCP). */
static inline void junction_tcp_cork(int fd, int on) {
    if (fd >= 0) (void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

/* Client connection flags. */
static inline int junction_lccscf_use_ssl(void) { return LCCSCF_USE_SSL; }
static inline uint64_t junction_lws_option_validate_utf8(void) { return LWS_SERVER_OPTION_VALIDATE_UTF8; }
#endif
