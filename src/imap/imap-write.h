/* imap-write.h — the formatter: IMAP wire form of commands (for the
 * client) and of responses and their parts (for the server).
 *
 * Strings are written the cheapest correct way (lib/istring.h): atom when
 * an astring allows it, quoted string, or literal for CR, LF, NUL, long
 * data and 8-bit data (8-bit UTF-8 goes quoted once UTF8=ACCEPT is enabled,
 * IMAP_WRITE_UTF8). Free text (status response text) is sanitised: CR, LF
 * and NUL become spaces, so no text can inject a line. Whatever this
 * writes, imap-parser.h reads back to the same structure.
 *
 * Mailbox names are written as given: convert them to the wire form first
 * (imap-utf7.h) when the client has not enabled UTF8=ACCEPT.
 */
#ifndef HAFEN_IMAP_WRITE_H
#define HAFEN_IMAP_WRITE_H

#include "imap-body.h"
#include "imap-command.h"
#include "imap-response.h"

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imap_write_flags {
	/* UTF8=ACCEPT is on: valid UTF-8 may be sent in quoted strings. */
	IMAP_WRITE_UTF8 = 1 << 0,
	/* Client, server has LITERAL+: literals are sent as {n+}. */
	IMAP_WRITE_LITERAL_PLUS = 1 << 1,
	/* Client, server has LITERAL-: {n+} for literals up to 4096 bytes. */
	IMAP_WRITE_LITERAL_MINUS = 1 << 2,
};

enum imap_write_mark_kind {
	/* A synchronizing literal was announced: send everything before
	 * offset, then wait for the server's "+" before going on. */
	IMAP_MARK_CONTINUATION,
	/* Send everything before offset, then the size bytes of the streamed
	 * literal with this handle (struct imap_literal.stream), then go on. */
	IMAP_MARK_STREAM,
};

struct imap_write_mark {
	size_t offset;
	enum imap_write_mark_kind kind;
	uint64_t size;
	void *stream;
};

/* A command in wire form: the bytes, and the points where the client must
 * wait for a continuation or insert streamed literal data, in order. */
struct imap_command_output {
	struct buf buf;
	struct imap_write_mark *marks;
	size_t mark_count, mark_cap;
};

/* Release the output's memory; it can be reused afterwards. */
void imap_command_output_free(struct imap_command_output *out);
/* Append cmd in wire form, ending with CRLF, to out. An UNKNOWN command is
 * written as its name alone. */
void imap_command_write(struct imap_command_output *out, const struct imap_command *cmd,
			unsigned flags);

/* Append a whole response, ending with CRLF. FETCH string data must be in
 * memory (data NULL is written as NIL). An empty status text is replaced by
 * a short default, since clients expect text after a response code. */
void imap_response_write(struct buf *out, const struct imap_response *resp, unsigned flags);

/* The pieces, for responses a server writes bit by bit (a FETCH whose
 * BODY[] it streams from a file). None of these writes a line end. */
void imap_write_astring(struct buf *out, const char *str, unsigned flags);
void imap_write_string(struct buf *out, const char *data, size_t len, unsigned flags);
/* NULL writes NIL. */
void imap_write_nstring(struct buf *out, const char *str, unsigned flags);
/* "{n}\r\n" or, for literal8, "~{n}\r\n": the caller appends the n bytes. */
void imap_write_literal_header(struct buf *out, uint64_t size, bool literal8);
/* Free text: CR, LF and NUL become spaces. */
void imap_write_text(struct buf *out, const char *text);
void imap_write_flag_list(struct buf *out, const struct imap_strlist *flags);
void imap_write_section(struct buf *out, const struct imap_section *section, unsigned flags);
/* A fetch item name as a response carries it: "BODY[1.MIME]<0>". */
void imap_write_fetch_item_name(struct buf *out, const struct imap_fetch_item *item,
				unsigned flags);
void imap_write_envelope(struct buf *out, const struct imap_envelope *env, unsigned flags);
/* BODYSTRUCTURE with extension data (extensible) or BODY without it. */
void imap_write_body(struct buf *out, const struct imap_body *body, bool extensible,
		     unsigned flags);
void imap_write_resp_code(struct buf *out, const struct imap_resp_code *code);
/* "tag SP cond SP [code] text" or "* cond ...", without the line end;
 * tag NULL writes "*". code may be NULL. */
void imap_write_status(struct buf *out, const char *tag, enum imap_status_cond cond,
		       const struct imap_resp_code *code, const char *text);

#endif
