/* imapc.h — hafen's IMAP client connection: connect (implicit TLS,
 * STARTTLS, or plaintext to loopback only), verify the certificate, read
 * capabilities, authenticate, ENABLE what helps sync, then run pipelined
 * commands and hand every response to whoever asked for it.
 *
 * The core is asynchronous on a libevent loop of its own (src/net/conn.h
 * does the socket and TLS); callers use it through a synchronous facade:
 * imapc_send() queues a command and returns at once, imapc_wait() and
 * imapc_run() drive the loop until commands complete. So a sync can keep
 * many FETCHes in flight while the code that issues them reads top-down
 * (docs/client.md explains the choice).
 *
 * Response routing, in this order:
 *   - a tagged response completes its command (done callback, then the
 *     command is freed);
 *   - "+" goes to the command waiting for a continuation (a literal,
 *     AUTHENTICATE, IDLE);
 *   - untagged responses first update the connection's own state
 *     (CAPABILITY, ENABLED, the selected mailbox's UIDVALIDITY, UIDNEXT,
 *     HIGHESTMODSEQ and EXISTS, BYE, ALERT), then go to the untagged
 *     callback of the oldest command in flight that has one (an ESEARCH
 *     with a tag correlator goes to that command), else to the
 *     connection's default handler (imapc_set_handler).
 *
 * Errors: functions returning int give 0 or -1 with *error_r pointing at
 * text owned by the connection, valid until the next call on it. A lost
 * connection fails every pending command; imapc_is_connected() turns false.
 *
 * Limits (per response, from IMAP_LIMITS_CLIENT): 16 MiB of non-literal
 * text, 4 GiB literals with at most 256 MiB held in memory, nesting depth
 * 128; a response over them fails its command. The connect, greeting and
 * every command must make progress within timeout_ms (default 60 s).
 */
#ifndef HAFEN_CLIENT_IMAPC_H
#define HAFEN_CLIENT_IMAPC_H

#include "imap/imap-command.h"
#include "imap/imap-response.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imapc_tls {
	IMAPC_TLS_IMPLICIT, /* TLS from the first byte (port 993) */
	IMAPC_TLS_STARTTLS, /* plaintext, then STARTTLS before anything else (port 143) */
	IMAPC_TLS_NONE,     /* plaintext: refused unless the host is loopback */
};

/* Ask for the password only once the server is reached and wants one.
 * Return 0 with *password_r (malloc'ed; the connection wipes and frees
 * it), or -1 with *error_r. */
typedef int imapc_password_cb(void *ctx, char **password_r, const char **error_r);

struct imapc_settings {
	const char *host;
	uint16_t port;
	enum imapc_tls tls;
	const char *user;
	imapc_password_cb *password;
	void *password_ctx;
	const char *ca_file; /* extra trusted certificates (PEM), or NULL */
	bool insecure;       /* accept any certificate (tests, self-signed servers) */
	unsigned timeout_ms; /* 0: 60 s */
	bool trace;          /* protocol lines to stderr, passwords hidden */
	/* Capabilities to treat as absent, separated by spaces or commas
	 * (for a server whose QRESYNC or CONDSTORE is broken; tests use it
	 * to reach the plain paths), or NULL. */
	const char *ignore_caps;
};

struct imapc;

/* Connect and log in; on success the connection is authenticated and
 * has ENABLEd QRESYNC (or CONDSTORE) when offered. Returns 0, or -1 with
 * *error_r (static or thread-local text). *offline_r (may be NULL) tells
 * an unreachable server (no route, refused, timeout, DNS) from a refusal
 * (bad certificate, bad password, no usable mechanism). */
int imapc_connect(const struct imapc_settings *set, struct imapc **c_r, bool *offline_r,
		  const char **error_r);
/* LOGOUT (briefly waiting for its answer when connected), close, free;
 * *cp becomes NULL; accepts NULL. */
void imapc_free(struct imapc **cp);

bool imapc_is_connected(const struct imapc *c);
/* Does the server list this capability (case-insensitive, "AUTH=PLAIN"),
 * and is it not one the settings said to ignore? */
bool imapc_has_cap(const struct imapc *c, const char *cap);
/* Extensions this connection uses. */
bool imapc_qresync(const struct imapc *c);   /* QRESYNC enabled */
bool imapc_condstore(const struct imapc *c); /* CONDSTORE enabled (also with QRESYNC) */
bool imapc_utf8(const struct imapc *c);      /* UTF8=ACCEPT enabled: names go as UTF-8 */
/* Flags for imap_command_write() that fit this server. */
unsigned imapc_write_flags(const struct imapc *c);

/* ---- commands ---- */

enum imapc_status {
	IMAPC_OK,
	IMAPC_NO,
	IMAPC_BAD,
	IMAPC_DISCONNECTED, /* no tagged reply will come */
};

/* What a command ended with; valid during the done callback only. */
struct imapc_result {
	enum imapc_status status;
	const struct imap_response *tagged; /* NULL when disconnected */
	const char *text;                   /* the reply text, or why it was lost */
};

typedef void imapc_untagged_cb(void *ctx, const struct imap_response *resp);
typedef void imapc_done_cb(void *ctx, const struct imapc_result *result);

/* The handler for untagged responses no command claims (new mail while
 * idling, another client's flag change seen in a NOOP), and for every
 * untagged STATUS (a NOTIFY event can come during any command; the
 * command hears it as well). NULL to drop them. */
void imapc_set_handler(struct imapc *c, imapc_untagged_cb *cb, void *ctx);

/* Queue cmd (its tag is set here; the struct and what it points to are
 * copied into wire form at once). untagged and done may be NULL. Commands
 * are pipelined; AUTHENTICATE, STARTTLS, IDLE and LOGOUT wait until
 * nothing else is in flight and nothing follows them until they end. */
void imapc_send(struct imapc *c, const struct imap_command *cmd, imapc_untagged_cb *untagged,
		imapc_done_cb *done, void *ctx);
/* Run the loop until no command is pending (or the connection is lost).
 * Returns 0, or -1 with *error_r when the connection was lost. */
int imapc_wait(struct imapc *c, const char **error_r);
/* Send cmd and wait for it: 0 on OK, -1 on NO/BAD (*error_r: the server's
 * text) or a lost connection. *code_r (may be NULL) receives the tagged
 * response's code kind (IMAP_CODE_TRYCREATE, ...). */
int imapc_run(struct imapc *c, const struct imap_command *cmd, imapc_untagged_cb *untagged,
	      void *ctx, enum imap_code_kind *code_r, const char **error_r);
/* The tagged response of the last imapc_run(), for its codes (COPYUID,
 * APPENDUID); NULL when there was none. Valid until the next command. */
const struct imap_response *imapc_last_tagged(const struct imapc *c);
/* Run the loop once for at most timeout_ms (0: until something happens). */
void imapc_poll(struct imapc *c, unsigned timeout_ms);

/* ---- the selected mailbox, as the server reported it ---- */

struct imapc_mailbox_state {
	bool selected;
	bool read_only;
	uint32_t exists;
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq; /* 0: NOMODSEQ or no CONDSTORE */
	char mailboxid[64];     /* MAILBOXID code (RFC 8474), "" when none */
};

const struct imapc_mailbox_state *imapc_mailbox(const struct imapc *c);

/* ---- IDLE (RFC 2177) ---- */

/* Start IDLE; returns 0 once the server said "+", -1 if it refused or the
 * connection was lost. Untagged responses go to the default handler. */
int imapc_idle_start(struct imapc *c, const char **error_r);
/* Send DONE and wait for IDLE's tagged reply. */
int imapc_idle_stop(struct imapc *c, const char **error_r);
bool imapc_idling(const struct imapc *c);

#endif
