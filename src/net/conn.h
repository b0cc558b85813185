/* conn.h — one network connection on a libevent loop: the byte pipe under
 * every protocol session (IMAP, LMTP, POP3, ManageSieve, the hafen client).
 *
 * A conn wraps an accepted or connected socket (plaintext or implicit TLS),
 * or stdin/stdout for `hafend imap --stdio`. It delivers input bytes,
 * buffers output with watermarks so a long response can be written in
 * steps, enforces an idle timeout, closes cleanly after flushing, and
 * upgrades to TLS in place for STARTTLS/STLS.
 *
 * Ownership and callbacks: the session owns the conn and frees it with
 * conn_free(), from inside any of its callbacks or outside. Callbacks run
 * only from the event loop, never from inside a conn_* call (the one
 * exception is starttls_reset, see below), so a session never sees its own
 * callback re-entered. `closed` is called exactly once
 * unless the session freed the conn first; after it the conn only awaits
 * conn_free() (writes are dropped).
 *
 * STARTTLS (RFC 3501 section 6.2.1, RFC 2595 section 3.1, RFC 3207 section
 * 4.2): the server queues its tagged OK, then calls conn_start_tls(). The
 * conn then (1) discards every plaintext byte received but not consumed —
 * a client, or an attacker in the path, cannot pipeline plaintext commands
 * that would be executed as if they came over TLS (CVE-2011-0411, "NO
 * STARTTLS", USENIX Security 2021); (2) calls the session's starttls_reset
 * so it drops whatever it had buffered or half-parsed itself; (3) stops
 * reading plaintext; (4) flushes the queued OK in plaintext; (5) starts the
 * handshake. Input is delivered again only once it is decrypted. Anything
 * written after conn_start_tls() is sent encrypted.
 *
 * The process must ignore SIGPIPE (a peer that vanishes makes writes fail
 * with EPIPE, handled as a connection error).
 */
#ifndef HAFEN_NET_CONN_H
#define HAFEN_NET_CONN_H

#include "lib/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct conn;
struct conn_set;
struct event_base;
struct evbuffer;
struct tls_ctx;

/* Output watermarks by default: a session yields when more than HIGH bytes
 * wait, and resumes when they drained to LOW. */
#define CONN_DEFAULT_OUTPUT_LOW  (16 * 1024)
#define CONN_DEFAULT_OUTPUT_HIGH (64 * 1024)
/* Reading stops while this many unconsumed input bytes wait (see input). */
#define CONN_DEFAULT_INPUT_LIMIT (64 * 1024)
/* Idle timeout before the session sets its own (pre-authentication). */
#define CONN_DEFAULT_IDLE_MSECS (60 * 1000)
/* How long conn_close_after_flush() waits for the peer to take the output. */
#define CONN_DEFAULT_FLUSH_MSECS (10 * 1000)
/* After flushing and shutting down the write side, how long to drain what
 * the peer still sends so the close does not reset the connection and
 * destroy the last response in flight (a "lingering close"). */
#define CONN_LINGER_MSECS 2000

enum conn_close_reason {
	CONN_CLOSE_EOF,       /* the peer closed its side (no input_eof handler) */
	CONN_CLOSE_ERROR,     /* a socket error: reset, broken pipe, ... */
	CONN_CLOSE_TLS_ERROR, /* TLS handshake or protocol failure, certificate rejected */
	CONN_CLOSE_TIMEOUT,   /* idle (no handler), handshake or flush took too long */
	CONN_CLOSE_DONE,      /* conn_close_after_flush() delivered everything */
	CONN_CLOSE_SHUTDOWN,  /* conn_set_drain() ran out of time */
};

/* The text of a reason for logs: "eof", "error", "tls error", ... */
const char *conn_close_reason_text(enum conn_close_reason reason);

struct conn_callbacks {
	/* Required. Bytes arrived: `input` holds every unconsumed byte. Remove
	 * what you consume (evbuffer_remove, evbuffer_drain, evbuffer_readln);
	 * the rest stays for the next call. When CONN_DEFAULT_INPUT_LIMIT (or
	 * conn_set_input_limit) bytes wait unconsumed, reading stops: a
	 * session that cannot consume any of them (an overlong line) must
	 * say so and close; if it consumes nothing, the conn closes with
	 * CONN_CLOSE_ERROR ("input limit reached with nothing consumed"). Not
	 * called while input is paused, after conn_close_after_flush(), or
	 * during a STARTTLS upgrade. */
	void (*input)(struct conn *conn, struct evbuffer *input, void *ctx);
	/* Required. The connection is over. `detail` says why in words for a
	 * log line (valid during the call only). Call conn_free() now or later. */
	void (*closed)(struct conn *conn, enum conn_close_reason reason, const char *detail,
		       void *ctx);
	/* Optional. The output fell to the low-water mark after
	 * conn_output_full() returned true: continue the long response. */
	void (*output_drained)(struct conn *conn, void *ctx);
	/* Optional. The peer finished sending but may still be reading (a
	 * half-closed socket, the end of a stdin pipeline): finish what is
	 * owed, then conn_close_after_flush(). Without it, EOF means closed. */
	void (*input_eof)(struct conn *conn, void *ctx);
	/* Optional. No input and no output progress for the idle timeout:
	 * say goodbye ("* BYE Autologout") and conn_close_after_flush().
	 * A session that keeps the conn open is called again after another
	 * idle period (an IDLE keepalive can use this). Without it, the
	 * conn closes with CONN_CLOSE_TIMEOUT. */
	void (*idle_timeout)(struct conn *conn, void *ctx);
	/* Required by conn_start_tls(), which calls it synchronously: forget
	 * every byte and every partial parse from before the upgrade. */
	void (*starttls_reset)(struct conn *conn, void *ctx);
	/* Optional. The TLS handshake completed (implicit TLS or STARTTLS). */
	void (*tls_ready)(struct conn *conn, void *ctx);
	/* Optional. conn_set_drain() started: write the goodbye ("* BYE
	 * Server shutting down"). The conn then closes after flushing. */
	void (*shutdown)(struct conn *conn, void *ctx);
};

struct conn_settings {
	/* Join this set so conn_set_drain() reaches the conn. Optional. */
	struct conn_set *set;
	/* Implicit TLS: a server context accepts, a client context connects. */
	struct tls_ctx *tls;
	/* Client TLS only: the name to verify the certificate against and to
	 * send as SNI; NULL skips the name check (not the chain check). */
	const char *tls_peer_name;
	/* The peer address if known (accept() returned it); else getpeername(). */
	const struct sockaddr *peer;
	socklen_t peer_len;
};

/* Take over connected socket `fd` (made non-blocking here). The conn owns
 * the fd and closes it. set may be NULL for no set, no TLS, unknown peer.
 * Returns NULL with *error_r set (the fd is then closed). */
struct conn *conn_new(struct event_base *base, int fd, const struct conn_settings *set,
		      const struct conn_callbacks *cb, void *ctx, const char **error_r);
/* The same over two descriptors, input and output (stdin and stdout for
 * --stdio): pipes, sockets or terminals, made non-blocking. A regular file
 * is refused with an error (the event loop cannot watch it; pipe it in
 * with cat). Counts as a secure local channel; no TLS. The conn closes
 * both, also on failure. */
struct conn *conn_new_stdio(struct event_base *base, int in_fd, int out_fd, struct conn_set *set,
			    const struct conn_callbacks *cb, void *ctx, const char **error_r);
/* Close at once (pending output is lost) and free; *connp becomes NULL.
 * Accepts NULL. Safe inside the conn's own callbacks. */
void conn_free(struct conn **connp);

/* Output. Each returns 0, or -1 once the conn no longer sends (closed, or
 * conn_close_after_flush() already delivered everything). */
int conn_write(struct conn *conn, const void *data, size_t len);
int conn_printf(struct conn *conn, const char *fmt, ...) HF_PRINTF(2, 3);
/* The buffer conn_write() appends to, for evbuffer_add_reference() and
 * friends; NULL once the conn is closed. */
struct evbuffer *conn_output(struct conn *conn);
/* Bytes queued and not yet handed to the kernel (plaintext for TLS). */
size_t conn_output_pending(const struct conn *conn);
void conn_set_output_watermarks(struct conn *conn, size_t low, size_t high);
/* True when more than the high-water mark is queued: stop producing and
 * wait for the output_drained callback, which this arms. */
bool conn_output_full(struct conn *conn);

/* Input flow control: while paused nothing is read or delivered. Resume
 * delivers, from the event loop, whatever was already buffered. */
void conn_input_pause(struct conn *conn);
void conn_input_resume(struct conn *conn);
/* 0 removes the limit (only for trusted peers). */
void conn_set_input_limit(struct conn *conn, size_t max_bytes);

/* Idle timeout: input or output progress restarts it. 0 disables it.
 * Changing it takes effect at once (60 s pre-auth, 30 min after, IDLE).
 * A TLS handshake must complete within it (0: within the default). */
void conn_set_idle_timeout(struct conn *conn, unsigned msecs);
/* Deadline for conn_close_after_flush() to deliver the output. */
void conn_set_flush_timeout(struct conn *conn, unsigned msecs);
/* Stop delivering input (later bytes are read and discarded), deliver
 * everything queued, shut down the write side (TLS: after close_notify),
 * linger briefly for the peer's close, then close: `closed` comes with
 * CONN_CLOSE_DONE, or CONN_CLOSE_TIMEOUT if the peer did not read in time. */
void conn_close_after_flush(struct conn *conn);

/* Upgrade to TLS in place (see the top of this file). Call it after
 * queueing the tagged OK, and return from the input callback without
 * looking at any more input. peer_name: client contexts only (see
 * conn_settings). *discarded_r (may be NULL) receives how many unconsumed
 * plaintext bytes were thrown away, for the log. Returns 0, or -1 with
 * *error_r set when TLS cannot start (the conn is unchanged: answer NO/BAD). */
int conn_start_tls(struct conn *conn, struct tls_ctx *ctx, const char *peer_name,
		   size_t *discarded_r, const char **error_r);

/* ---- compression (COMPRESS=DEFLATE, RFC 4978; conn-compress.c) ----
 *
 * A stage between the session and the socket (or TLS: compressed data is
 * then encrypted, RFC 4978 section 3): the session keeps reading and
 * writing plain bytes. Output written during one event-loop callback is
 * compressed as one batch, ending with a sync flush, so every response
 * reaches the peer whole. Input is inflated only as far as the input
 * limit leaves room, so the limit counts inflated bytes and a small
 * packet that inflates to gigabytes costs no memory; input expanding
 * beyond the ratio guard (compress.h) closes the conn with
 * CONN_CLOSE_ERROR. After CONN_COMPRESS_PARK_MSECS without traffic the
 * zlib state is given back (an idle conn keeps at most the 32 KiB of
 * history the peer may refer to, usually far less). */
#define CONN_COMPRESS_PARK_MSECS 2000

struct compress_settings;

/* Compress both directions from now on. Output queued before the call
 * goes out as it is (the tagged OK of COMPRESS); everything written after
 * it is compressed. Input received and not yet consumed is taken as
 * compressed: call it when the peer cannot have sent anything else yet
 * (RFC 4978: the client waits for the OK). set NULL: the defaults.
 * Returns 0, or -1 with *error_r (already compressing, closing, settings
 * out of range): the conn is unchanged. */
int conn_start_compress(struct conn *conn, const struct compress_settings *set,
			const char **error_r);
bool conn_is_compressed(const struct conn *conn);
/* How long traffic must pause before the zlib state is given back. */
void conn_set_compress_park(struct conn *conn, unsigned msecs);

struct conn_compress_stats {
	uint64_t in_wire, in_plain;   /* received: compressed, inflated */
	uint64_t out_plain, out_wire; /* sent: before and after compressing */
	size_t memory;                /* zlib state and saved history now */
};
/* Zeros when the conn does not compress. */
void conn_compress_stats(const struct conn *conn, struct conn_compress_stats *stats_r);
/* Bytes received and not yet consumed by the session (when compressing:
 * inflated bytes waiting plus compressed bytes not yet inflated). */
size_t conn_input_pending(const struct conn *conn);

/* A TLS handshake has completed on this conn. */
bool conn_is_tls(const struct conn *conn);
/* "TLSv1.3", "TLS_AES_256_GCM_SHA384"; NULL without TLS. */
const char *conn_tls_version(const struct conn *conn);
const char *conn_tls_cipher(const struct conn *conn);

/* "192.0.2.1:54321", "[2001:db8::1]:54321", "unix", "stdio". */
const char *conn_peer_text(const struct conn *conn);
/* The peer's address alone ("192.0.2.1", "2001:db8::1"); "" for unix and stdio. */
const char *conn_peer_ip(const struct conn *conn);
/* 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address. */
bool conn_is_loopback(const struct conn *conn);
bool conn_is_unix(const struct conn *conn);
/* Safe for plaintext passwords: TLS is up, or the peer is on this host
 * (loopback, unix socket, stdio), as Dovecot treats loopback. */
bool conn_is_secure(const struct conn *conn);

/* A set of conns for "drain and close all" on SIGTERM. */
struct conn_set *conn_set_new(struct event_base *base);
/* Free the set; conns still in it leave it (they stay open). Accepts NULL. */
void conn_set_free(struct conn_set **setp);
size_t conn_set_count(const struct conn_set *set);
/* Ask every conn to finish: its shutdown callback (called from inside this
 * function, and later for conns that join meanwhile) writes the goodbye,
 * then it closes after flushing. Conns still open after deadline_msecs are
 * closed with CONN_CLOSE_SHUTDOWN. done(ctx) runs from the event loop once
 * every conn of the set has closed. Stop accepting first. */
void conn_set_drain(struct conn_set *set, unsigned deadline_msecs, void (*done)(void *ctx),
		    void *ctx);

#endif
