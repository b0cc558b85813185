/* tls-private.h — what the TLS context files and the connection layer share. */
#ifndef HAFEN_NET_TLS_PRIVATE_H
#define HAFEN_NET_TLS_PRIVATE_H

#include "tls.h"

#include "lib/err.h"

#include <openssl/ssl.h>

struct tls_ctx {
	SSL_CTX *ssl_ctx;
	bool server;
	bool insecure; /* client: verification off */
};

/* Format the module's error line; returns the module buffer (see tls.h). */
const char *tls_error_set(const char *fmt, ...) HF_PRINTF(1, 2);
/* The reason of the oldest queued OpenSSL error, or `fallback` when the
 * queue is empty; empties the queue. Static storage, valid until the next call. */
const char *tls_openssl_reason(const char *fallback);

/* A new SSL for one connection. peer_name: for a client context, the name
 * to verify and send as SNI (NULL: no name check); ignored by servers.
 * Returns NULL with *error_r set. */
SSL *tls_ssl_new(struct tls_ctx *ctx, const char *peer_name, const char **error_r);

#endif
