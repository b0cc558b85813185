/* lmtp-private.h — the LMTP session's insides, shared by its files:
 * lmtp-session.c (life cycle, input, replies), lmtp-commands.c (the
 * commands), lmtp-transfer.c (DATA, BDAT and the delivery).
 *
 * States:
 *   GREETED   220 sent; only LHLO (and NOOP, RSET, QUIT...) make sense
 *   READY     LHLO done, no transaction
 *   MAIL      MAIL FROM accepted: RCPT TO, then DATA or BDAT
 *   DATA      after 354: message text until the "." line
 *   BDAT      reading the bytes of a BDAT chunk
 *   CLOSING   221 or 421 sent; the conn closes after flushing
 * Invariants: a transaction (sender, recipients, message) exists only in
 * MAIL, DATA and BDAT; every accepted recipient holds a reference to its
 * user's store until the transaction ends; replies go out in command
 * order (RFC 2920), and after the message one per accepted recipient in
 * RCPT order (RFC 2033 4.2). */
#ifndef HAFEN_SERVER_LMTP_PRIVATE_H
#define HAFEN_SERVER_LMTP_PRIVATE_H

#include "lmtp-command.h"
#include "lmtp-data.h"
#include "lmtp-session.h"
#include "lib/buf.h"

#include <stdbool.h>
#include <stdint.h>

struct conn;
struct evbuffer;
struct user_store;

/* Longest command line, CRLF included. RFC 5321 4.5.3.1.4 asks for 512;
 * parameters make real lines longer. Longer lines get 500 5.5.2. */
#define LMTP_LINE_MAX 4096
/* Consecutive bad commands before the session gives up (421). */
#define LMTP_MAX_BAD_COMMANDS 20

enum lmtp_state {
	LMTP_STATE_GREETED,
	LMTP_STATE_READY,
	LMTP_STATE_MAIL,
	LMTP_STATE_DATA,
	LMTP_STATE_BDAT,
	LMTP_STATE_CLOSING,
};

struct lmtp_rcpt {
	char *address; /* as given in RCPT TO */
	char *mailbox; /* subaddress mailbox, "" for INBOX */
	struct user_store *ustore;
};

struct lmtp_session {
	struct worker *w;
	struct conn *conn;
	enum lmtp_state state;
	char peer[64];    /* for logs */
	char peer_ip[48]; /* for Received:; "unix" on a unix socket */
	char helo[LMTP_HELO_MAX + 1];
	unsigned bad_commands;
	bool skipping_line; /* throwing away the rest of an overlong line */
	uint64_t transactions;
	/* the transaction */
	char sender[LMTP_ADDR_MAX + 1];
	uint64_t announced_size; /* MAIL FROM SIZE=, 0 when none */
	struct lmtp_rcpt *rcpts;
	size_t rcpt_count, rcpt_cap;
	struct buf msg;        /* the message as received */
	struct lmtp_data data; /* DATA decoder, writes into msg */
	/* BDAT (RFC 3030) */
	bool bdat_started;      /* a chunk was taken: DATA is now out of sequence */
	bool bdat_discard;      /* read this chunk but refuse it */
	const char *bdat_error; /* ... with this reply */
	bool bdat_last;
	enum lmtp_state bdat_return; /* the state to go back to when refused */
	uint64_t bdat_left;          /* bytes of the current chunk still to come */
	bool bdat_too_big;
};

/* ---- lmtp-session.c ---- */
/* "code enhanced text" CRLF. */
void lmtp_reply(struct lmtp_session *s, const char *fmt, ...) HF_PRINTF(2, 3);
/* Send a goodbye (421 or 221 line already written) and close after flushing. */
void lmtp_close(struct lmtp_session *s);
/* Forget the transaction (RSET, LHLO, after the message); releases stores. */
void lmtp_transaction_reset(struct lmtp_session *s);

/* ---- lmtp-commands.c ---- */
/* Run one complete command line (without its line end). */
void lmtp_command_run(struct lmtp_session *s, const char *line, size_t len);

/* ---- lmtp-transfer.c ---- */
/* DATA accepted: 354, then lmtp_transfer_input reads the text. */
void lmtp_data_begin(struct lmtp_session *s);
/* A BDAT command (parsed): start reading its chunk. */
void lmtp_bdat_begin(struct lmtp_session *s, const struct lmtp_command *cmd);
/* In DATA or BDAT: consume message bytes from input. */
void lmtp_transfer_input(struct lmtp_session *s, struct evbuffer *input);

#endif
