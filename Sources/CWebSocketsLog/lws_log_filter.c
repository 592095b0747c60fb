/*
 * A cheap front for libwebsockets' logging.
 *
 * Debian's libwebsockets is built with its debug log calls compiled in: the
 * HTTP parser calls _lws_log() for nearly every byte of a request header
 * (about 445 calls for one small POST), and each call sets up a va_list and
 * calls _lws_logv() just to learn that the level is off.
 *
 * Junction defines _lws_log itself. libwebsockets reaches its own _lws_log
 * through the PLT, so the dynamic linker binds those calls to this
 * definition in the executable. A call whose level is off returns after one
 * test; one whose level is on goes to lws' _lws_logv unchanged. If a build
 * of libwebsockets binds its calls internally, this definition is simply
 * not used and lws logs as before.
 */
#include <stdarg.h>

extern void _lws_logv(int filter, const char *format, va_list vl);

/* LLL_ERR | LLL_WARN until junction_lws_log_filter says otherwise. */
__attribute__((visibility("hidden"))) volatile int junction_lws_log_mask = 1 | 2;

void junction_lws_log_filter(int mask) { junction_lws_log_mask = mask; }

__attribute__((visibility("hidden"), used))
void junction_lws_log_enabled(int filter, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    _lws_logv(filter, format, ap);
    va_end(ap);
}

#if defined(__x86_64__)
/* The level test, then a tail jump that leaves every argument register
 * (and %al, the vector-register count of a variadic call) as the caller set
 * it. */
__attribute__((naked)) void _lws_log(int filter, const char *format, ...) {
    __asm__ volatile(
        "testl %edi, junction_lws_log_mask(%rip)\n\t"
        "jnz junction_lws_log_enabled\n\t"
        "ret\n\t");
}
#else
void _lws_log(int filter, const char *format, ...) {
    if (!(filter & junction_lws_log_mask)) return;
    va_list ap;
    va_start(ap, format);
    _lws_logv(filter, format, ap);
    va_end(ap);
}
#endif
