/* fetch-private.h — FETCH internals shared by cmd-fetch.c (the command and
 * its resumable loop) and the fetch-*.c files: the plan made from the
 * parsed items (fetch-plan.c), the plain data items (fetch-attr.c), body
 * sections located and sized (fetch-body.c) and sent in chunks
 * (fetch-send.c). RFC 9051 6.4.5, RFC 3516 (BINARY).
 */
#ifndef HAFEN_SERVER_IMAP_FETCH_PRIVATE_H
#define HAFEN_SERVER_IMAP_FETCH_PRIVATE_H

#include "imap-session.h"
#include "lib/buf.h"
#include "mime/mime.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct mime_decode_stream;

/* Bytes read from a message file at a time while sending a body. */
#define FETCH_CHUNK (64 * 1024)
/* Body items (sections, BINARY, BINARY.SIZE, RFC822 forms) one FETCH may
 * ask for: each is located, and maybe read, before a message's response
 * starts. More is answered NO [LIMIT]. */
#define FETCH_MAX_SECTIONS 64
/* HEADER.FIELDS results held for one message, in all, between preparing
 * and sending; larger ones are built again when sent. */
#define FETCH_KEEP_MAX (1024 * 1024)
/* BINARY reads at most this many decoded bytes to look for NUL before
 * answering; a window reaching further is sent as literal8 unread. */
#define FETCH_NUL_SCAN_MAX (1024 * 1024)

/* ---- the plan (fetch-plan.c) ---- */

/* One requested item, ready to answer for any message. */
struct fetch_item {
	const struct imap_fetch_item *req; /* as parsed; names the response item */
	/* Body data (BODY[...], BINARY[...], RFC822, RFC822.HEADER,
	 * RFC822.TEXT): sec says which part; partial the requested window. */
	bool body;
	struct store_section sec;
	bool partial;
	uint64_t origin, length;
};

struct fetch_plan {
	struct fetch_item *items;
	size_t count;
	unsigned want;   /* enum store_fetch_want: the columns the items need */
	bool sets_seen;  /* an item without .PEEK implies \Seen (RFC 9051 6.4.5) */
	bool has_uid;    /* UID was asked for */
	bool has_flags;  /* FLAGS was asked for */
	bool has_modseq; /* MODSEQ was asked for */
	size_t sections; /* body items and BINARY.SIZE, for FETCH_MAX_SECTIONS */
};

/* Make the plan for the items of f. The plan points into f (the command's
 * arena), so it lives no longer than the command. */
void fetch_plan_build(const struct imap_cmd_fetch *f, struct fetch_plan *plan_r);
void fetch_plan_free(struct fetch_plan *plan);

/* ---- plain data items (fetch-attr.c) ---- */

/* Append "NAME value" for an item that is not body data. */
void fetch_attr_write(struct imap_session *s, struct buf *out, const struct fetch_item *it,
		      const struct store_msg *m);
/* The pieces, also used for items a response carries without being asked
 * (UID in UID FETCH, FLAGS after an implicit \Seen). */
void fetch_attr_flags(struct imap_session *s, struct buf *out, const struct store_msg *m);
void fetch_attr_modseq(struct buf *out, const struct store_msg *m);

/* ---- body data: locating and sizing (fetch-body.c) ---- */

enum fetch_source {
	FETCH_SRC_MEM,    /* mem holds the bytes to send */
	FETCH_SRC_FILE,   /* bytes offset.. of the message file, as they are */
	FETCH_SRC_DECODE, /* the file range offset..+raw_size, decoded (cte) */
};

/* What one body item sends for one message, and how far sending got. */
struct fetch_body {
	enum fetch_source src;
	uint64_t size;     /* bytes of the literal (after the partial window) */
	bool literal8;     /* BINARY data holding NUL (RFC 3516 4.3) */
	struct buf mem;    /* FETCH_SRC_MEM */
	uint64_t offset;   /* FILE: first byte to send; DECODE: encoded range */
	uint64_t raw_size; /* DECODE: encoded range length */
	uint64_t skip;     /* DECODE: decoded bytes before the window */
	enum mime_cte cte; /* DECODE */
	/* MEM whose bytes were dropped after preparing: built again from this
	 * item when sent (fetch_body_rebuild) */
	const struct fetch_item *rebuild;
	/* progress of fetch_send_body() */
	uint64_t sent;
	uint64_t raw_pos;
	uint64_t skipped;
	struct mime_decode_stream *ds;
	struct buf dec;
};

/* The message file, opened only while a message's bodies are being sent. */
struct fetch_file {
	struct store *st;
	const struct store_msg *m;
	int fd;             /* -1 until needed */
	uint64_t kept;      /* HEADER.FIELDS bytes held for this message */
	struct buf scratch; /* room for FETCH_CHUNK bytes of encoded input */
};

enum fetch_body_result {
	FETCH_BODY_OK,
	FETCH_BODY_UNKNOWN_CTE, /* BINARY of an encoding we cannot decode */
	FETCH_BODY_STORE_ERROR, /* *err_r holds the store_err */
};

/* Work out what item it sends for message f->m into *b (zeroed first),
 * opening the message file through f when the answer needs it (BINARY's
 * literal8 decision reads the data). */
enum fetch_body_result fetch_body_prepare(struct fetch_file *f, const struct fetch_item *it,
					  struct fetch_body *b, int *err_r);
/* Build again the bytes of a body prepared with rebuild set, before it
 * is sent. 0, or -1 (logged) when they cannot be had as announced. */
int fetch_body_rebuild(struct fetch_file *f, struct fetch_body *b);
/* BINARY.SIZE (RFC 3516 4.2) of item it for message f->m. */
enum fetch_body_result fetch_body_binary_size(struct fetch_file *f, const struct fetch_item *it,
					      uint64_t *size_r, int *err_r);
void fetch_body_clear(struct fetch_body *b);
/* Open the message file if not yet open: STORE_OK or a store error. A
 * file shorter than the message's size is STORE_ERR_CORRUPT (logged), so
 * damage is answered with NO before any literal is announced. */
int fetch_file_open(struct fetch_file *f);
void fetch_file_close(struct fetch_file *f);
/* Read n bytes at off of the open message file into dst. Returns 0, or
 * -1 (logged) on a read error or a file shorter than its index says. */
int fetch_file_pread(struct fetch_file *f, void *dst, size_t n, uint64_t off);

/* ---- one message's items (fetch-message.c) ---- */

/* The items of one message's FETCH response and how far writing them got:
 * items before `next` were written; `sending` means bodies[next - 1] is
 * part way through its literal. The message file is open only while its
 * bodies are prepared or sent. */
struct fetch_message {
	const struct fetch_plan *plan;
	struct fetch_file file;    /* file.m: the message */
	struct fetch_body *bodies; /* per plan item */
	uint64_t *binary_sizes;    /* per plan item */
	size_t next;
	bool sending;
};

/* Empty, with no plan yet (fetch_message_free accepts it). */
void fetch_message_init(struct fetch_message *fm);
/* Make room for the items of plan, which must outlive fm's use. */
void fetch_message_start(struct fetch_message *fm, const struct fetch_plan *plan);
/* Locate every body item (and BINARY.SIZE) of m before its response
 * starts, so a failure can still be answered. */
enum fetch_body_result fetch_message_prepare(struct fetch_message *fm, const struct store_msg *m,
					     int *err_r);
/* Write the items from fm->next on after the caller's "* n FETCH (": 1
 * when all are written (the caller writes the rest and ")"), 0 when the
 * output is full inside a literal (call again once it drained), -1 when a
 * literal cannot be completed (the caller closes the connection). */
int fetch_message_write(struct imap_session *s, struct fetch_message *fm);
/* Done with the message (before the next one). */
void fetch_message_clear(struct fetch_message *fm);
/* Also frees the room; fm is left as fetch_message_init made it. */
void fetch_message_free(struct fetch_message *fm);

/* ---- body data: sending (fetch-send.c) ---- */

/* Send what is left of b's bytes (its literal header was written) until
 * the output is full. 1: all sent; 0: output full, call again once it
 * drained; -1: the file could not be read, the literal cannot be
 * completed (the caller closes the connection). */
int fetch_send_body(struct imap_session *s, struct fetch_file *f, struct fetch_body *b);

#endif
