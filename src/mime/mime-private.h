/* mime-private.h — the parsed tree and the helpers shared inside src/mime. */
#ifndef HAFEN_MIME_PRIVATE_H
#define HAFEN_MIME_PRIVATE_H

#include "mime.h"

/* Header fields every part remembers by name (first occurrence), so the
 * structure, ENVELOPE and list view never search the field list and keep
 * working past max_header_fields. Names in mime-header.c. */
enum mime_hdr {
	MIME_H_DATE,
	MIME_H_SUBJECT,
	MIME_H_FROM,
	MIME_H_SENDER,
	MIME_H_REPLY_TO,
	MIME_H_TO,
	MIME_H_CC,
	MIME_H_BCC,
	MIME_H_IN_REPLY_TO,
	MIME_H_MESSAGE_ID,
	MIME_H_REFERENCES,
	MIME_H_CONTENT_TYPE,
	MIME_H_CONTENT_TRANSFER_ENCODING,
	MIME_H_CONTENT_ID,
	MIME_H_CONTENT_DESCRIPTION,
	MIME_H_CONTENT_DISPOSITION,
	MIME_H_CONTENT_LANGUAGE,
	MIME_H_CONTENT_LOCATION,
	MIME_H_CONTENT_MD5,
	MIME_H_LIST_ID,
	MIME_H_PRIORITY,
	MIME_H_X_PRIORITY,
	MIME_H_IMPORTANCE,
	MIME_H_COUNT
};

/* A Content-Type or Content-Disposition parameter after RFC 2231 joining. */
struct mime_param {
	const char *name;  /* lowercase, NUL-terminated; ends in '*' when encoded */
	const char *value; /* NUL-terminated; may hold NUL bytes inside */
	size_t value_len;
};

/* A parsed Content-Type ("type/subtype; params") or Content-Disposition
 * ("type; params", subtype NULL). */
struct mime_ctype {
	bool valid;
	const char *type;    /* lowercase */
	const char *subtype; /* lowercase; NULL for a disposition */
	struct mime_param *params;
	uint32_t param_count;
};

struct mime_part {
	struct mime_part *parent;
	struct mime_part *children, *last_child, *next;
	uint32_t child_count;
	/* message/rfc822 or message/global: the encapsulated message's root */
	struct mime_part *message;
	const unsigned char *data; /* the whole message's bytes */

	size_t hdr_off, hdr_len, body_off, body_len;
	uint64_t body_lines;

	/* Fields in message order (up to the message-wide limit) and the
	 * first occurrence of each well-known one (NULL table: none seen). */
	struct mime_field *fields;
	size_t field_count, field_cap;
	struct mime_field *known; /* [MIME_H_COUNT], name == NULL when absent */

	const char *type, *subtype; /* lowercase, defaults applied */
	struct mime_param *params;
	uint32_t param_count;
	enum mime_cte cte;
	bool is_multipart; /* parsed as multipart (children may be 0) */
	bool is_message;   /* parsed as message/rfc822 or message/global */
	bool opaque;       /* a multipart or message left unparsed (limits) */
	bool default_type; /* no valid Content-Type: text/plain us-ascii */
	bool is_msg_root;  /* the top part of a message (top or encapsulated) */
};

struct mime_message {
	const unsigned char *data;
	size_t len;
	struct arena *arena;
	struct mime_limits limits;
	struct mime_part *root;
	uint32_t part_count;
	uint32_t field_count;
};

/* mime-header.c */
enum mime_hdr mime_hdr_lookup(const char *name, size_t len);
/* The value bytes of a known field of a part (after the colon, folded, with
 * the line end); false when the field is absent. */
bool mime_part_known_value(const struct mime_part *part, enum mime_hdr h,
			   const unsigned char **value_r, size_t *len_r);
/* Length of the field name of the line at h[pos] (the name, optional WSP,
 * then ':'; RFC 5322 2.2 and obs-optional), or 0 when the line is no field. */
size_t mime_field_name_len(const unsigned char *h, size_t pos, size_t line_end);
/* Unfold and trim into a NUL-terminated arena string; NUL bytes become
 * U+FFFD when nul_to_fffd. */
char *mime_unfold_dup(struct arena *a, const void *value, size_t len, bool nul_to_fffd,
		      size_t *len_r);

/* mime-param.c */
/* Parse a Content-Type (want_subtype) or Content-Disposition value. Never
 * fails; r->valid says whether the type (and subtype) were found. */
void mime_ctype_parse(struct arena *a, const unsigned char *value, size_t len, bool want_subtype,
		      uint32_t max_params, struct mime_ctype *r);
/* Skip an RFC 5322 comment starting at s[*pos] == '(' (nested, with
 * quoted pairs); *pos ends after it or at len. */
void mime_skip_comment(const unsigned char *s, size_t len, size_t *pos);

/* mime-charset.c */
/* Append bytes keeping valid UTF-8 sequences and writing U+FFFD for each
 * invalid byte (and for NUL when nul_to_fffd). */
void mime_utf8_sanitize(const void *in, size_t len, bool nul_to_fffd, struct buf *out);
#define MIME_UTF8_REPLACEMENT "\xef\xbf\xbd"

/* mime-address.c: the address list of an ENVELOPE field. */
struct mime_address {
	const char *name;    /* display name (raw, encoded words kept) or NULL */
	const char *route;   /* "@a,@b" or NULL */
	const char *mailbox; /* local part unquoted, group name, or NULL at group end */
	const char *host;    /* NULL for group start and end */
	bool group_start, group_end;
};
/* Parse an address-list value; returns the count, addresses in arena.
 * Only the first 100 000 tokens (some 20 000 addresses) are read. */
size_t mime_address_list_parse(struct arena *a, const unsigned char *value, size_t len,
			       struct mime_address **addrs_r);

/* mime-html.c: append the text of an HTML document, tags stripped and
 * entities decoded (input and output UTF-8). */
void mime_html_to_text(const void *html, size_t len, struct buf *out);

#endif
