/* mime.h — one-pass RFC 5322 + MIME parsing for IMAP: the store-facing API.
 *
 * The store parses a message once when it is saved (mime_parse()), renders
 * and caches what IMAP needs (ENVELOPE, BODYSTRUCTURE, BODY, the part index,
 * the list-view header fields, the search text, the preview), and answers
 * later FETCH and SEARCH commands from that cache.
 *
 * Ownership: everything mime_parse() returns lives in the arena the caller
 * passed and points into the message bytes, which must stay alive and
 * unchanged while the result is used. Functions that write text append to a
 * caller-owned struct buf. Nothing here keeps global state except a small
 * per-thread cache of iconv handles (mime-charset.c).
 *
 * Robustness: no function here fails on hostile input. mime_parse() turns
 * anything (garbage, NUL bytes, bare LF, missing boundaries, 10 000 header
 * fields, 1000-deep nesting) into a valid tree in time linear in the input
 * (times the small constant max_depth for lines that start with "--").
 *
 * Rendering decisions (see docs in mime-imap.c for the RFC references):
 *  - IMAP strings are written for IMAP4rev1 clients without UTF8=ACCEPT:
 *    8-bit, CR or LF bytes go in literals (src/lib/istring.h).
 *  - A NUL byte can never be sent; it is written as U+FFFD (EF BF BD).
 *  - Media type, subtype, parameter names, disposition type and the
 *    transfer encoding are uppercased; parameter values are kept as sent.
 *  - RFC 2231: continuations are joined. A parameter whose first section
 *    is charset-encoded is sent as "NAME*" with the joined value still in
 *    charset'language'%XX form (pure ASCII, as Dovecot does); plain
 *    continuations become the plain "NAME". Values are never broken.
 *  - A missing or unparsable Content-Type is text/plain with
 *    ("CHARSET" "US-ASCII") (RFC 2045 5.2); inside multipart/digest the
 *    default is message/rfc822 with no parameters (RFC 2046 5.1.5).
 *  - A multipart without a boundary parameter is an invalid Content-Type,
 *    so text/plain (as Python's email reads it too). A multipart whose
 *    boundary never appears gets one empty text/plain part at the start of
 *    its body, because body-type-mpart needs at least one body; the part
 *    is real, so BODY[1] names what BODYSTRUCTURE shows.
 *  - Parts nested deeper than max_depth, and message/rfc822 or multipart
 *    parts past max_parts, are opaque leaves written as
 *    "APPLICATION" "OCTET-STREAM".
 *  - Line counts count LF bytes, plus one when the body ends in a partial
 *    line. The CRLF (or LF) before a boundary line belongs to the boundary
 *    (RFC 2046 5.1.1), so it counts neither in the size nor the lines.
 */
#ifndef HAFEN_MIME_H
#define HAFEN_MIME_H

#include "lib/arena.h"
#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ------------------------------------------------------------ */

struct mime_limits {
	/* Parts nested deeper than this (multipart and message/rfc822 levels
	 * both count) are opaque leaves. Default 100. */
	uint32_t max_depth;
	/* Parts in the whole tree, including encapsulated messages. Boundary
	 * lines past this many parts start no new part; a multipart or message
	 * part found when the limit is reached becomes an opaque leaf.
	 * Default 10 000. */
	uint32_t max_parts;
	/* Header fields remembered for iteration, over the whole message.
	 * Fields past it are still scanned (Content-* fields of every part and
	 * the ENVELOPE fields keep working), but mime_part_field() does not
	 * return them. Default 50 000. */
	uint32_t max_header_fields;
	/* RFC 2231 / plain parameters kept per Content-Type or
	 * Content-Disposition field; the rest are ignored. Default 200. */
	uint32_t max_params;
	/* Bytes of decoded header text and of decoded body text that
	 * mime_search_text() produces. Defaults 256 KiB and 1 MiB. */
	size_t max_search_header_bytes;
	size_t max_search_body_bytes;
};

/* Fill *limits_r with the defaults above. */
void mime_limits_default(struct mime_limits *limits_r);

/* ---- parsing ----------------------------------------------------------- */

struct mime_message;
struct mime_part;

/* Parse len bytes of an RFC 5322 message. Never fails: a message of
 * garbage is a text/plain leaf with no header fields. Everything returned
 * lives in arena `a`; the message bytes must outlive the result.
 * limits_or_NULL: NULL for mime_limits_default(). */
struct mime_message *mime_parse(struct arena *a, const void *data, size_t len,
				const struct mime_limits *limits_or_NULL);

/* The top-level part: the message itself (its header is the message
 * header, its body the message body). */
const struct mime_part *mime_message_root(const struct mime_message *msg);
/* Number of parts in the tree, including the root and encapsulated messages. */
uint32_t mime_message_part_count(const struct mime_message *msg);

/* ---- the part tree ----------------------------------------------------- */

enum mime_cte {
	MIME_CTE_7BIT = 0, /* also when the field is absent or empty */
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_BASE64,
	MIME_CTE_QP, /* quoted-printable */
	MIME_CTE_UNKNOWN,
};

/* Where a part is, in the terms of RFC 9051 section 6.4.5. All offsets are
 * byte offsets into the message; sizes are byte counts. */
struct mime_part_info {
	/* The part's own header block including the blank line that ends it
	 * (n.MIME; for the whole message or an encapsulated message's root,
	 * the message header). */
	uint64_t header_offset, header_size;
	/* The body (BODY[n]; for the whole message, BODY[TEXT]). */
	uint64_t body_offset, body_size;
	/* Lines of the body (body-fld-lines). */
	uint64_t body_lines;
	enum mime_cte cte;
	bool multipart; /* has child parts n.1, n.2, ... */
	/* message/rfc822 or message/global parsed inside: the encapsulated
	 * message's header (n.HEADER, n.HEADER.FIELDS) and body (n.TEXT). */
	bool message;
	uint64_t msg_header_offset, msg_header_size;
	uint64_t msg_body_offset, msg_body_size;
	/* Size after content-transfer decoding (BINARY.SIZE). When false the
	 * caller must decode to know (and decoding may report UNKNOWN-CTE). */
	bool decoded_size_known;
	uint64_t decoded_size;
};

/* Fill *info_r. The decoded size of a base64 or quoted-printable part is
 * counted here, one pass over its body without allocating. */
void mime_part_get_info(const struct mime_part *part, struct mime_part_info *info_r);
/* Children of a multipart, in order; NULL when none / at the end. */
const struct mime_part *mime_part_first_child(const struct mime_part *part);
const struct mime_part *mime_part_next(const struct mime_part *part);
/* The root part of the message inside a message/rfc822 (or message/global)
 * part; NULL for other parts. */
const struct mime_part *mime_part_message(const struct mime_part *part);
/* Media type and subtype, lowercase, as used for the structure (the
 * defaults applied). Opaque leaves report their declared type. */
const char *mime_part_type(const struct mime_part *part);
const char *mime_part_subtype(const struct mime_part *part);
/* A Content-Type parameter value after RFC 2231 joining (name compared
 * case-insensitively; "charset", "boundary", "name"...); NULL if absent. */
const char *mime_part_param(const struct mime_part *part, const char *name);

/* The part's file name decoded to UTF-8 (in arena `a`): Content-
 * Disposition's filename, else Content-Type's name; RFC 2231 charset'lang'
 * encoding and RFC 2047 encoded words both decoded. NULL when neither. */
const char *mime_part_filename(const struct mime_part *part, struct arena *a);

/* Resolve an IMAP section part path (RFC 9051 6.4.5): section[0..depth),
 * e.g. {1,2} for "1.2"; depth 0 is the whole message. A non-multipart
 * message (top-level or encapsulated) has part 1 = its body. Returns NULL
 * when the path names no part. */
const struct mime_part *mime_message_find_part(const struct mime_message *msg,
					       const uint32_t *section, size_t depth);

/* ---- the part index (a BLOB the store keeps) --------------------------- */

/* Append a compact binary description of every part's offsets, sizes,
 * line counts, encodings and decoded sizes. Decoded sizes of base64 and
 * quoted-printable parts are computed here (one pass over each such body,
 * no allocation), so the message bytes must still be alive. */
void mime_part_index_write(const struct mime_message *msg, struct buf *out);
/* Resolve a section path in an index blob as mime_message_find_part()
 * does and fill *info_r. Returns 0 when found, -1 when the path names no
 * part or the blob is malformed (never reads outside blob[0..len)). */
int mime_part_index_find(const void *blob, size_t len, const uint32_t *section, size_t depth,
			 struct mime_part_info *info_r);

/* ---- IMAP rendering ---------------------------------------------------- */

/* Append the ENVELOPE of the message, exactly as it follows "ENVELOPE " in
 * a FETCH response (RFC 9051 7.5.2): strings are the raw unfolded header
 * values, encoded words left for the client. An address list is read up
 * to its first 100 000 tokens (some 20 000 addresses), which bounds the
 * memory a hostile header costs. */
void mime_write_envelope(const struct mime_message *msg, struct buf *out);
/* Append BODYSTRUCTURE (extended = true) or BODY (extended = false). */
void mime_write_bodystructure(const struct mime_message *msg, struct buf *out, bool extended);
/* The same for any part: the part's own body structure (for a
 * message/rfc822 part that is body-type-msg, with envelope and the inner
 * body). */
void mime_part_write_bodystructure(const struct mime_part *part, struct buf *out, bool extended);
/* ENVELOPE of the message inside a message/rfc822 part, or of the message
 * whose root `part` is. Returns -1 (writing nothing) for any other part. */
int mime_part_write_envelope(const struct mime_part *part, struct buf *out);

/* ---- header fields ----------------------------------------------------- */

/* One header field as it is in the message. */
struct mime_field {
	const char *name; /* not NUL-terminated; whitespace before ':' removed */
	size_t name_len;
	/* The whole field: name, colon, value, folded continuation lines and
	 * the line end (CRLF or LF; none when the message ends there). */
	const unsigned char *raw;
	size_t raw_len;
	size_t value_offset; /* raw + value_offset is the byte after the colon */
};

/* The raw header block of a part is given by mime_part_get_info(). */
size_t mime_part_field_count(const struct mime_part *part);
/* Field i in message order (i < mime_part_field_count()). */
const struct mime_field *mime_part_field(const struct mime_part *part, size_t i);
/* The first field with this name (ASCII case-insensitive), or NULL. Works
 * for the well-known fields below even past max_header_fields. */
const struct mime_field *mime_part_find_field(const struct mime_part *part, const char *name);

/* Append the value unfolded (RFC 5322 2.2.3: CRLF before WSP removed) and
 * with leading and trailing whitespace trimmed; encoded words untouched. */
void mime_value_unfold(const void *value, size_t len, struct buf *out);
/* Append the value unfolded, trimmed and decoded to UTF-8: RFC 2047
 * encoded words in any charset iconv knows are decoded (whitespace between
 * adjacent encoded words dropped, words in one charset joined before
 * conversion), raw 8-bit text kept when valid UTF-8; invalid bytes,
 * unknown charsets and NUL become U+FFFD; tabs become spaces. Encoded
 * words need not be whitespace-separated from text, but their encoded
 * text must hold no whitespace (RFC 2047 2). Never fails. */
void mime_header_decode(const void *value, size_t len, struct buf *out);

/* Append the fields of a raw header block (as mime_part_info gives it)
 * whose names are among names[0..count) (exclude = false: HEADER.FIELDS)
 * or not among them (exclude = true: HEADER.FIELDS.NOT), each with its raw
 * bytes including continuation lines and line end, in message order, then
 * the blank line "\r\n" that ends a header (RFC 9051 6.4.5). Names compare
 * ASCII case-insensitively. */
void mime_header_write_fields(const void *header, size_t len, const char *const *names,
			      size_t count, bool exclude, struct buf *out);

/* ---- the list-view fields the store caches ----------------------------- */

enum mime_list_field {
	MIME_LIST_FROM,
	MIME_LIST_TO,
	MIME_LIST_CC,
	MIME_LIST_BCC,
	MIME_LIST_REPLY_TO,
	MIME_LIST_SENDER,
	MIME_LIST_SUBJECT,
	MIME_LIST_DATE,
	MIME_LIST_MESSAGE_ID,
	MIME_LIST_IN_REPLY_TO,
	MIME_LIST_REFERENCES,
	MIME_LIST_CONTENT_TYPE,
	MIME_LIST_LIST_ID,
	MIME_LIST_PRIORITY,
	MIME_LIST_X_PRIORITY,
	MIME_LIST_IMPORTANCE,
	MIME_LIST_FIELD_COUNT
};

/* The header field name, e.g. "Reply-To". */
const char *mime_list_field_name(enum mime_list_field f);

struct mime_list_value {
	bool present;
	/* Unfolded, trimmed raw value (NUL-terminated, may contain 8-bit
	 * bytes and NUL replaced by U+FFFD) and the mime_header_decode()
	 * form (valid UTF-8, NUL-terminated). Both "" when absent. */
	const char *raw;
	size_t raw_len;
	const char *decoded;
	size_t decoded_len;
};

/* Fill values_r[MIME_LIST_FIELD_COUNT] from the first occurrence of each
 * field in the top-level header; strings are allocated in arena `a`. */
void mime_list_fields(const struct mime_message *msg, struct arena *a,
		      struct mime_list_value values_r[MIME_LIST_FIELD_COUNT]);

/* ---- SORT, THREAD, SEARCH helpers -------------------------------------- */

/* Parse an RFC 5322 date-time (obsolete forms accepted: two- and
 * three-digit years, named and military zones, missing day of week,
 * missing seconds, comments). Returns 0 and the UTC time and the zone
 * offset in minutes east of UTC, or -1 when the text is no date. */
int mime_parse_date(const char *s, size_t len, int64_t *unix_time_r, int *tz_offset_minutes_r);

/* The RFC 5256 section 2.1 base subject of a subject already decoded to
 * UTF-8 (mime_header_decode()). Tabs and line breaks become spaces, runs
 * of spaces one space; no case folding is done here: SORT compares with
 * i;unicode-casemap, which is the caller's business. *is_reply_fwd_r
 * (may be NULL) is set when a re/fw/fwd leader or [fwd: ...] wrapper was
 * removed (RFC 5256 section 2.1 steps 3 and 6). Appends to out. */
void mime_base_subject(const char *subject, size_t len, struct buf *out, bool *is_reply_fwd_r);

/* The first address of an address-list header value, for SORT FROM/TO/CC
 * (RFC 5256: addr-mailbox) and SORT DISPLAY (RFC 5957). */
struct mime_sort_address {
	const char *mailbox; /* local part, unquoted; "" when none */
	const char *host;    /* "" when none */
	/* Display name decoded to UTF-8 (mime_header_decode), "" when none */
	const char *display_name;
};
/* Returns 0 and fills *addr_r (strings in arena `a`), or -1 when the value
 * holds no address (group markers are skipped). */
int mime_first_address(struct arena *a, const void *value, size_t len,
		       struct mime_sort_address *addr_r);

/* Extract the msg-ids of a Message-ID, In-Reply-To or References value
 * in order (RFC 5256 section 3 "References" algorithm input): each
 * "<...>" with a non-empty content and no whitespace inside, comments and
 * quoted strings skipped. Strings are returned with their angle brackets,
 * NUL-terminated, in arena `a`. Returns the count (0 when none). */
size_t mime_msgids_parse(struct arena *a, const void *value, size_t len, const char ***ids_r);

/* What THREAD=REFERENCES (RFC 5256 section 3, step 1) reads from the
 * top-level header: the message's own msg-id (the first in Message-ID,
 * NULL when none) and its ancestors oldest first: the msg-ids of
 * References, or when it holds none, the first msg-id of In-Reply-To.
 * Strings as mime_msgids_parse() gives them, in arena `a`. */
struct mime_thread_ids {
	const char *message_id;
	const char **references;
	size_t reference_count;
};
void mime_thread_ids(const struct mime_message *msg, struct arena *a,
		     struct mime_thread_ids *ids_r);

/* Everything SEARCH needs as UTF-8 text, bounded by the limits given to
 * mime_parse():
 *  headers_out: "Name: decoded value\n" for every top-level header field;
 *  body_out:    the decoded text of every text leaf part (transfer
 *               decoded, converted to UTF-8, HTML tags stripped and
 *               entities decoded), and the header fields of encapsulated
 *               messages, separated by "\n".
 * Control bytes other than tab and LF become spaces. Either may be NULL. */
void mime_search_text(const struct mime_message *msg, struct buf *headers_out,
		      struct buf *body_out);

/* Append the PREVIEW (RFC 8970): at most 200 Unicode characters of the
 * first text/plain (else text/html) part that is not an attachment,
 * whitespace collapsed to single spaces, trimmed. Appends nothing when
 * there is no such text. */
void mime_preview(const struct mime_message *msg, struct buf *out);

/* ---- decoding ---------------------------------------------------------- */

/* The MIME_CTE_* of a Content-Transfer-Encoding value (NULL/empty: 7bit). */
enum mime_cte mime_cte_parse(const void *value, size_t len);

/* Append the content-transfer decoding of in[0..len) to out. base64
 * ignores characters outside its alphabet (RFC 2045 6.8) and tolerates
 * missing padding; quoted-printable removes soft line breaks and trailing
 * whitespace and keeps malformed "=" sequences as they are (RFC 2045
 * 6.7). 7bit, 8bit and binary copy. Returns 0, or -1 for
 * MIME_CTE_UNKNOWN (RFC 3516 4.2: the server answers [UNKNOWN-CTE]) with
 * *error_r set and nothing appended. */
int mime_decode_transfer(enum mime_cte cte, const void *in, size_t len, struct buf *out,
			 const char **error_r);
/* The decoded size without decoding into memory; -1 for MIME_CTE_UNKNOWN. */
int mime_decoded_size(enum mime_cte cte, const void *in, size_t len, uint64_t *size_r);

/* Append in[0..len) converted from `charset` (NUL-terminated, any case;
 * NULL or "" means us-ascii) to UTF-8. Real mail's aliases are honoured
 * (latin1, iso-8859-1 and us-ascii read as windows-1252, gb2312 as
 * gb18030, ks_c_5601-1987 as cp949...). UTF-8 input is validated. An
 * unknown charset keeps bytes that are valid UTF-8; every invalid byte
 * becomes U+FFFD. Never fails; output is always valid UTF-8. */
void mime_charset_to_utf8(const char *charset, const void *in, size_t len, struct buf *out);

#endif
