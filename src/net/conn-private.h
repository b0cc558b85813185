/* conn-private.h — the connection struct and what conn.c, conn-tls.c and
 * conn-set.c share.
 *
 * States (one enter point each, all in conn.c or conn-tls.c):
 *   OPEN            reading and writing; input goes to the session. With
 *                   `tls` set and `tls_done` not yet, the handshake runs
 *                   (output queues, nothing is delivered).
 *   STARTTLS_FLUSH  conn_start_tls() was called: reading is off, the input
 *                   already buffered was discarded, the plaintext output
 *                   drains; then the socket bufferevent is replaced by an
 *                   OpenSSL one and the state returns to OPEN (handshaking).
 *                   Writes meanwhile go to `tls_pending`, sent encrypted.
 *   CLOSING         conn_close_after_flush(): output drains, input is read
 *                   and discarded, until `deadline`.
 *   LINGER          output delivered, write side shut down: read and discard
 *                   until the peer closes or CONN_LINGER_MSECS pass.
 *   CLOSED          socket and bufferevents released; `closed` was called
 *                   (or the session freed the conn first).
 * Invariants: in OPEN without TLS handshake the timer enforces the idle
 * timeout from `last_activity`; in every other live state it enforces
 * `deadline`. The session's callbacks are entered only with `busy` raised,
 * and the struct is freed only when `busy` is 0.
 */
#ifndef HAFEN_NET_CONN_PRIVATE_H
#define HAFEN_NET_CONN_PRIVATE_H

#include "conn.h"

#include <arpa/inet.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <openssl/ssl.h>

enum conn_state {
	CONN_STATE_OPEN,
	CONN_STATE_STARTTLS_FLUSH,
	CONN_STATE_CLOSING,
	CONN_STATE_LINGER,
	CONN_STATE_CLOSED,
};

struct conn {
	struct event_base *base;
	struct bufferevent *bev;  /* input, and output unless stdio */
	struct bufferevent *obev; /* output: the same as bev except for stdio */
	int fd;                   /* ours to close; -1 once an OpenSSL bev owns it */
	int out_fd;               /* stdio output; -1 otherwise */
	struct event *timer;      /* deadlines, and deferred work from API calls */
	const struct conn_callbacks *cb;
	void *ctx;

	struct conn_set *set;
	struct conn *set_prev, *set_next;

	/* COMPRESS: NULL until conn_start_compress() (conn-compress.c). */
	struct conn_compress *z;

	/* STARTTLS in progress: the SSL to use and output queued meanwhile. */
	SSL *pending_ssl;
	struct evbuffer *tls_pending;

	uint64_t last_activity; /* msecs, monotonic: input or output progress */
	uint64_t deadline;      /* msecs, monotonic: see the state list */
	unsigned idle_msecs, flush_msecs;
	size_t out_low, out_high, input_limit;

	enum conn_state state;
	/* A close decided inside an API call, carried out from the timer. */
	enum conn_close_reason pending_reason;
	const char *pending_detail;
	unsigned busy;

	bool freed : 1;          /* conn_free() was called while busy */
	bool finish_pending : 1; /* pending_reason is to be delivered */
	bool drain_armed : 1;    /* conn_output_full() said yes */
	bool input_paused : 1;
	bool input_eof : 1;
	bool pending_server : 1; /* pending_ssl accepts (else connects) */
	bool tls : 1;            /* bev is an OpenSSL bufferevent */
	bool tls_done : 1;       /* its handshake completed */
	bool is_unix : 1;
	bool is_loopback : 1;
	bool is_stdio : 1;
	bool drain_notified : 1; /* conn_set_drain() reached this conn */

	char peer_ip[INET6_ADDRSTRLEN];
	char peer_text[INET6_ADDRSTRLEN + 8];
};

uint64_t conn_now_msecs(void);
/* Enter and leave a section that may call the session; leaving may free. */
void conn_hold(struct conn *conn);
void conn_release(struct conn *conn);
/* Release the socket side, enter CLOSED and call `closed` (if not freed).
 * Only from event-loop context, with the conn held. */
void conn_finish(struct conn *conn, enum conn_close_reason reason, const char *detail);
/* Ask the timer to conn_finish() from the event loop (for API calls). */
void conn_finish_later(struct conn *conn, enum conn_close_reason reason, const char *detail);
/* (Re)arm the timer for the state's deadline. */
void conn_timer_arm(struct conn *conn);
/* Install callbacks, watermarks and the output-progress hook on a new bev
 * and enable it. Returns -1 when the loop cannot watch a descriptor. */
int conn_bev_setup(struct conn *conn, struct bufferevent *bev, struct bufferevent *obev);

/* conn-tls.c */
/* Create the OpenSSL bufferevent over conn->fd with `ssl` (consumed) and
 * make it the conn's; the handshake starts. Returns 0 or -1 with *error_r
 * (the fd is then still conn->fd). */
int conn_tls_attach(struct conn *conn, SSL *ssl, bool server, const char **error_r);
/* STARTTLS_FLUSH is over (the plaintext output is out): switch to TLS. */
void conn_tls_switch(struct conn *conn);
/* The handshake completed. */
void conn_tls_connected(struct conn *conn);
/* Describe a TLS failure on the conn's bev for a log line (static storage). */
const char *conn_tls_error_text(struct conn *conn);

/* conn-compress.c */
/* The compressed read path: inflate the wire input and deliver it. */
void conn_compress_read(struct conn *conn, struct evbuffer *wire);
/* The buffer the session writes plain output to; NULL without COMPRESS. */
struct evbuffer *conn_compress_output(struct conn *conn);
/* Plain bytes written and not yet compressed; inflated bytes waiting. */
size_t conn_compress_out_pending(const struct conn *conn);
size_t conn_compress_in_pending(const struct conn *conn);
/* Release everything compression holds (conn_release_io). */
void conn_compress_free(struct conn *conn);

/* conn-set.c */
void conn_set_add(struct conn_set *set, struct conn *conn);
void conn_set_remove(struct conn *conn);

#endif
