/* load-conn.h — one IMAP client connection of the load generator: a TCP
 * socket (plain or implicit TLS) on a libevent loop, the project's response
 * parser, and the tag of the one command in flight.
 *
 * The owner gets every parsed response through its handler, in order, and
 * is told once when the connection ends (server closed it, I/O or TLS
 * error, or a response the parser refused). Every callback may call
 * load_conn_free(): the connection then stops delivering and is freed when
 * the callback returns.
 */
#ifndef HAFEN_BENCH_LOAD_CONN_H
#define HAFEN_BENCH_LOAD_CONN_H

#include "imap/imap-response.h"

#include <stddef.h>
#include <sys/socket.h>

struct event_base;
struct ssl_ctx_st;
struct load_conn;

struct load_conn_handler {
	/* One parsed response; it is freed after the call returns. */
	void (*response)(void *ctx, const struct imap_response *r);
	/* The connection is over; why says what happened. The owner frees it. */
	void (*closed)(void *ctx, const char *why);
};

/* Where to connect. tls NULL means plain TCP; otherwise TLS from the first
 * byte (IMAPS) with this context. */
struct load_target {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct ssl_ctx_st *tls;
};

/* Start connecting. Returns NULL (with *error_r) only when no socket could
 * be made; a refused connection is reported through closed(). */
struct load_conn *load_conn_new(struct event_base *base, const struct load_target *target,
				const struct load_conn_handler *handler, void *ctx,
				const char **error_r);
/* Close and free; *cp becomes NULL. Accepts NULL. */
void load_conn_free(struct load_conn **cp);

/* Send "<tag> <command>\r\n" with a new tag ("a1", "a2", ...); the command
 * text comes from fmt. Returns the tag, owned by the connection and valid
 * until the next command. */
const char *load_conn_command(struct load_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same without the line end: the caller writes the rest of the
 * command (literals, with LITERAL+) and its final CRLF. */
const char *load_conn_command_start(struct load_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send raw bytes (literal data, IDLE's DONE). */
void load_conn_write(struct load_conn *c, const void *data, size_t len);
/* The tag of the last command sent, "" before the first. */
const char *load_conn_tag(const struct load_conn *c);
/* Is r the tagged completion of the command in flight? */
int load_conn_is_done(const struct load_conn *c, const struct imap_response *r);

/* An SSL_CTX for the client side: TLS 1.2 or later, no certificate check
 * (the benchmark's servers use a self-signed certificate). NULL on failure. */
struct ssl_ctx_st *load_tls_client_ctx(void);

#endif
