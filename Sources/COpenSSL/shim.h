#ifndef JUNCTION_COPENSSL_SHIM_H
#define JUNCTION_COPENSSL_SHIM_H
/*
 * OpenSSL 3 for JunctionRTC: digests, HMAC, random bytes, certificates and
 * DTLS. Macros that do not import into Swift (function-like macros over
 * SSL_ctrl/BIO_ctrl, SSL_OP_BIT constants) get a static inline wrapper here.
 */
#include <stdint.h>
#include <sys/time.h>
#include <openssl/bn.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* EVP_MAX_MD_SIZE is a macro: the largest digest any EVP_MD produces. */
static inline int junction_evp_max_md_size(void) { return EVP_MAX_MD_SIZE; }

/* ---- SSL_CTX settings (SSL_CTX_ctrl macros) ---- */

static inline int junction_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int junction_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline int junction_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}

/* SSL_OP_* are built with the function-like SSL_OP_BIT. */
static inline uint64_t junction_SSL_OP_NO_QUERY_MTU(void) { return SSL_OP_NO_QUERY_MTU; }
static inline uint64_t junction_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t junction_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }

/* ---- per-connection DTLS controls (SSL_ctrl macros) ---- */

/* Sets the path MTU (needs SSL_OP_NO_QUERY_MTU); 0 when below OpenSSL's minimum. */
static inline long junction_SSL_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }

/* 1 and the time left in *left while a retransmission timer runs, else 0. */
static inline long junction_DTLSv1_get_timeout(SSL *ssl, struct timeval *left) {
    return DTLSv1_get_timeout(ssl, left);
}
/* 1 after retransmitting, 0 when no timer had expired, negative on a fatal error. */
static inline long junction_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }

/* ---- BIOs ---- */

/* What a read of an empty memory BIO returns: -1 makes it "retry", not EOF. */
static inline long junction_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}
#endif
