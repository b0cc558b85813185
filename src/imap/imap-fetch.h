/* imap-fetch.h — FETCH data item names and body sections, shared by the
 * FETCH command (what the client asks for) and the FETCH response (what
 * the server returns): RFC 9051 section 6.4.5, RFC 3516 (BINARY),
 * RFC 7162 (MODSEQ), RFC 8474 (EMAILID, THREADID), RFC 8514 (SAVEDATE),
 * RFC 8970 (PREVIEW).
 */
#ifndef HAFEN_IMAP_FETCH_H
#define HAFEN_IMAP_FETCH_H

#include "imap-value.h"

#include <stdbool.h>
#include <stdint.h>

enum imap_section_text {
	IMAP_SECTION_NONE,              /* BODY[] or BODY[1.2]: the part itself */
	IMAP_SECTION_HEADER,            /* HEADER */
	IMAP_SECTION_HEADER_FIELDS,     /* HEADER.FIELDS (names) */
	IMAP_SECTION_HEADER_FIELDS_NOT, /* HEADER.FIELDS.NOT (names) */
	IMAP_SECTION_TEXT,              /* TEXT */
	IMAP_SECTION_MIME,              /* MIME: only after a part number */
};

/* section-spec: "1.2.HEADER.FIELDS (From To)" is parts {1,2}, text
 * HEADER_FIELDS, fields {"From","To"}. BINARY sections have parts only. */
struct imap_section {
	const uint32_t *parts; /* nz-numbers */
	size_t part_count;
	enum imap_section_text text;
	struct imap_strlist fields; /* header names (astrings), HEADER.FIELDS[.NOT] only */
};

enum imap_fetch_kind {
	IMAP_FETCH_FLAGS,
	IMAP_FETCH_INTERNALDATE,
	IMAP_FETCH_RFC822_SIZE,
	IMAP_FETCH_RFC822,        /* = BODY[] (RFC 3501 only) */
	IMAP_FETCH_RFC822_HEADER, /* = BODY.PEEK[HEADER] */
	IMAP_FETCH_RFC822_TEXT,   /* = BODY[TEXT] */
	IMAP_FETCH_ENVELOPE,
	IMAP_FETCH_BODY, /* BODY without section: non-extensible structure */
	IMAP_FETCH_BODYSTRUCTURE,
	IMAP_FETCH_UID,
	IMAP_FETCH_BODY_SECTION, /* BODY[section]<partial> and BODY.PEEK[...] */
	IMAP_FETCH_BINARY,       /* BINARY[part]<partial> and BINARY.PEEK[...] */
	IMAP_FETCH_BINARY_SIZE,  /* BINARY.SIZE[part] */
	IMAP_FETCH_MODSEQ,
	IMAP_FETCH_EMAILID,
	IMAP_FETCH_THREADID,
	IMAP_FETCH_SAVEDATE,
	IMAP_FETCH_PREVIEW,
};

/* One fetch-att. In a command, partial is "<offset.length>" (length > 0);
 * in a response only the origin "<offset>" exists, and length is 0. */
struct imap_fetch_item {
	enum imap_fetch_kind kind;
	bool peek;                   /* BODY.PEEK / BINARY.PEEK */
	struct imap_section section; /* BODY_SECTION, BINARY, BINARY_SIZE */
	bool has_partial;
	uint64_t partial_offset;
	uint64_t partial_length;
	bool preview_lazy; /* PREVIEW (LAZY) */
};

/* The macros of RFC 9051 section 6.4.5. */
enum imap_fetch_macro {
	IMAP_FETCH_MACRO_NONE,
	IMAP_FETCH_MACRO_ALL,  /* FLAGS INTERNALDATE RFC822.SIZE ENVELOPE */
	IMAP_FETCH_MACRO_FAST, /* FLAGS INTERNALDATE RFC822.SIZE */
	IMAP_FETCH_MACRO_FULL, /* FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY */
};

/* The upper-case wire name of a kind without section ("RFC822.SIZE"),
 * the base name for section kinds ("BODY", "BINARY", "BINARY.SIZE"). */
const char *imap_fetch_kind_name(enum imap_fetch_kind kind);

#endif
