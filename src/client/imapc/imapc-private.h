/* imapc-private.h — the connection's internals, shared by imapc-*.c. */
#ifndef HAFEN_CLIENT_IMAPC_PRIVATE_H
#define HAFEN_CLIENT_IMAPC_PRIVATE_H

#include "imapc.h"

#include "imap/imap-parser.h"
#include "imap/imap-write.h"
#include "lib/buf.h"

struct conn;
struct event_base;
struct tls_ctx;
struct sasl_client;

/* What a "+" continuation means for a command. */
typedef void imapc_continue_cb(struct imapc *c, const char *text);

struct imapc_cmd {
	struct imapc_cmd *next;
	char tag[16];
	struct imap_command_output out;
	size_t sent;       /* bytes of out.buf written */
	size_t mark;       /* next mark in out.marks */
	bool waiting_cont; /* stopped at a mark until "+" */
	bool barrier;      /* sent alone, nothing after it until it ends */
	bool secret;       /* hide its bytes from the trace */
	bool fully_sent;
	imapc_continue_cb *cont; /* AUTHENTICATE, IDLE: handles "+" itself */
	imapc_untagged_cb *untagged;
	imapc_done_cb *done;
	void *ctx;
};

/* Connection states (one enter point: imapc_enter_state). */
enum imapc_state {
	IMAPC_STATE_CONNECTING, /* socket up, TLS handshake maybe running */
	IMAPC_STATE_GREETING,   /* waiting for "* OK" */
	IMAPC_STATE_NOTAUTH,    /* greeted, not logged in (STARTTLS, AUTHENTICATE) */
	IMAPC_STATE_AUTH,       /* logged in */
	IMAPC_STATE_CLOSED,     /* lost or logged out: every command fails */
};

struct imapc {
	struct event_base *base;
	struct conn *conn;
	struct tls_ctx *tls;
	struct imap_parser *parser;
	enum imapc_state state;
	char *host;
	char *ignore_caps; /* settings' ignore_caps, or NULL */
	unsigned timeout_ms;
	bool trace;
	bool insecure; /* no certificate checks (--insecure) */
	bool greeted;
	bool preauth;
	bool starttls_pending; /* STARTTLS OK seen: stop reading plaintext */
	bool secure;           /* TLS up, or loopback */

	/* capabilities, upper-cased, NUL-separated in caps */
	struct buf caps;
	size_t cap_count;
	bool qresync, condstore, utf8;

	/* commands in order of sending; tail for appending */
	struct imapc_cmd *cmds, *cmds_tail;
	unsigned next_tag;
	imapc_untagged_cb *handler;
	void *handler_ctx;

	struct imapc_mailbox_state mbox;

	/* IDLE */
	struct imapc_cmd *idle_cmd;
	bool idling;

	/* AUTHENTICATE */
	struct sasl_client *sasl;

	/* the last imapc_run() */
	struct imap_response *last_tagged;
	struct buf error;
	char close_detail[512];
	int close_reason; /* enum conn_close_reason once closed by the conn, else -1 */
};

/* imapc-conn.c */
void imapc_enter_state(struct imapc *c, enum imapc_state state);
/* Write bytes to the server (traced unless secret). */
void imapc_write(struct imapc *c, const void *data, size_t len, bool secret);
/* Fail the connection: every pending command gets DISCONNECTED. */
void imapc_fail(struct imapc *c, const char *fmt, ...) HF_PRINTF(2, 3);
/* Set c->error and return its text. */
const char *imapc_set_error(struct imapc *c, const char *fmt, ...) HF_PRINTF(2, 3);

/* imapc-cmd.c */
/* Queue a command with its wire bytes already in out (takes them over). */
struct imapc_cmd *imapc_queue(struct imapc *c, struct imap_command_output *out,
			      imapc_untagged_cb *untagged, imapc_done_cb *done, void *ctx);
/* Write whatever queued bytes may go now. */
void imapc_flush(struct imapc *c);
bool imapc_pending(const struct imapc *c);
/* A tagged response: complete its command. */
void imapc_complete(struct imapc *c, struct imap_response *resp);
/* "+": feed the command that waits for it. */
void imapc_continuation(struct imapc *c, const char *text);
/* Fail every pending command with DISCONNECTED. */
void imapc_fail_all(struct imapc *c, const char *why);
/* The oldest command in flight with an untagged callback, or with tag. */
struct imapc_cmd *imapc_untagged_owner(struct imapc *c, const char *tag);

/* imapc-dispatch.c */
void imapc_dispatch(struct imapc *c, struct imap_response *resp);
void imapc_caps_set(struct imapc *c, const struct imap_strlist *caps);

/* imapc-login.c */
int imapc_login(struct imapc *c, const struct imapc_settings *set, bool *offline_r,
		const char **error_r);

#endif
