#ifndef JUNCTION_COPENSSL_SHIM_H
#define JUNCTION_COPENSSL_SHIM_H
/*
 * OpenSSL 3 for JunctionRTC: digests, HMAC and random bytes now; DTLS
 * (ssl.h, x509.h) in the layers that follow. Macros that do not import
 * into Swift get a static inline wrapper here.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* EVP_MAX_MD_SIZE is a macro: the largest digest any EVP_MD produces. */
static inline int junction_evp_max_md_size(void) { return EVP_MAX_MD_SIZE; }
#endif
