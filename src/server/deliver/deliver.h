/* deliver.h — local delivery, shared by LMTP and `hafend deliver`: build
 * the trace headers, parse the message once, then write one copy per
 * recipient, each durable before it is reported delivered.
 *
 * Every stored copy is
 *   Delivered-To: <the recipient's address>     (this copy's own)
 *   Return-Path: <sender>
 *   Received: from HELO (PEER) by HOST (hafen) with LMTP id ID [for <rcpt>]; DATE
 *   the message, line ends CRLF (a bare LF becomes CRLF)
 * "for" appears only with a single recipient, so a Bcc recipient's address
 * does not show in the others' copies (RFC 5321 section 7.2).
 */
#ifndef HAFEN_SERVER_DELIVER_H
#define HAFEN_SERVER_DELIVER_H

#include "lib/buf.h"

#include <stddef.h>
#include <stdint.h>

struct store;

/* What the trace headers say. Strings are copied where needed; bytes
 * outside printable ASCII are written as '?' (they come from the network
 * or the command line). */
struct deliver_envelope {
	const char *sender;   /* reverse-path without <>; "" for the null sender */
	const char *helo;     /* LHLO argument; NULL for a local delivery */
	const char *peer;     /* "127.0.0.1", "unix"; NULL for a local delivery */
	const char *protocol; /* "LMTP" (RFC 3848) or "local" */
	const char *hostname; /* ours */
	const char *id;       /* an id for the logs and the Received: line */
	const char *for_rcpt; /* the only recipient, else NULL */
	int64_t now;          /* unix time of the Received: date */
};

/* Append "Return-Path: ...\r\nReceived: ...\r\n" to out. */
void deliver_headers_common(const struct deliver_envelope *env, struct buf *out);
/* Append "Delivered-To: rcpt\r\n" to out. */
void deliver_header_delivered_to(const char *rcpt, struct buf *out);

struct deliver_message;

/* Parse the message once with the common headers in front. data is
 * copied; the caller may reuse it at once. Never fails (a message of
 * garbage is stored as it is). */
struct deliver_message *deliver_message_new(const struct deliver_envelope *env, const void *data,
					    size_t len);
void deliver_message_free(struct deliver_message **mp);
/* Bytes of the stored copy without its Delivered-To: line. */
size_t deliver_message_size(const struct deliver_message *m);

enum deliver_result {
	DELIVER_OK = 0,
	DELIVER_OVERQUOTA = -1, /* 552 5.2.2 or 452 4.2.2 */
	DELIVER_TOOBIG = -2,    /* 552 5.3.4 */
	DELIVER_TEMPFAIL = -3,  /* 451 4.3.0: disk, database, lock */
};

/* Write the copy for rcpt into mailbox of store s (NULL or "" is INBOX; a
 * mailbox that does not exist or holds no messages means INBOX). DELIVER_OK
 * only once the copy is durable (store_append). *error_r (valid until the
 * next call on s) says why otherwise. *mailbox_r (may be NULL) is the
 * mailbox used, static or mailbox itself. */
enum deliver_result deliver_to_store(struct store *s, const struct deliver_message *m,
				     const char *rcpt, const char *mailbox, const char **mailbox_r,
				     const char **error_r);

/* Before accepting a recipient: is there room for size bytes (0 when the
 * sender did not announce a size: room for anything at all) and one more
 * message? DELIVER_OK, DELIVER_OVERQUOTA or DELIVER_TEMPFAIL. */
enum deliver_result deliver_quota_check(struct store *s, uint64_t size, const char **error_r);

#endif
