#ifndef JUNCTION_CCURL_SHIM_H
#define JUNCTION_CCURL_SHIM_H
#include <curl/curl.h>

/*
 * curl_easy_setopt and curl_multi_setopt are variadic: Swift cannot call
 * them. One typed wrapper per argument kind.
 */
static inline CURLcode junction_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode junction_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode junction_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode junction_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode junction_curl_set_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode junction_curl_set_write_callback(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode junction_curl_set_header_callback(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
}
static inline CURLMcode junction_curlm_set_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLcode junction_curl_get_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode junction_curl_get_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
/* curl_easy_pause's argument values are macros. */
static inline CURLcode junction_curl_pause_recv(CURL *h) { return curl_easy_pause(h, CURLPAUSE_RECV); }
static inline CURLcode junction_curl_unpause(CURL *h) { return curl_easy_pause(h, CURLPAUSE_CONT); }
static inline size_t junction_curl_write_pause(void) { return CURL_WRITEFUNC_PAUSE; }
/* curl_share_setopt is variadic too; CURLSHOPT_SHARE/UNSHARE read an int-sized curl_lock_data. */
static inline CURLSHcode junction_curlsh_set_lock_data(CURLSH *s, CURLSHoption o, curl_lock_data d) { return curl_share_setopt(s, o, d); }
#endif
