#ifndef JUNCTION_CWEBSOCKETS_SHIM_H
#define JUNCTION_CWEBSOCKETS_SHIM_H
#include <libwebsockets.h>
#include <sys/socket.h>
#include <errno.h>
#include <sys/prctl.h>

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
#endif
