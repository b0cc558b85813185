/* imap-body.h — ENVELOPE and BODY/BODYSTRUCTURE values as IMAP sends them
 * (RFC 9051 section 7.5.2 and formal syntax: envelope, body).
 *
 * Every string is an nstring: NULL stands for NIL. The server fills these
 * from its parsed message (src/mime) and writes them with imap-write.h;
 * the client gets them from a FETCH response.
 */
#ifndef HAFEN_IMAP_BODY_H
#define HAFEN_IMAP_BODY_H

#include "imap-value.h"

#include <stdbool.h>
#include <stdint.h>

/* One address. Group syntax (RFC 5322) is flattened as RFC 9051 does: a
 * group starts with an address whose host is NIL and whose mailbox is the
 * group name, and ends with one whose host and mailbox are both NIL. */
struct imap_address {
	const char *name;    /* phrase, unquoted */
	const char *adl;     /* obsolete source route */
	const char *mailbox; /* local part, or group name / NIL at a group's end */
	const char *host;    /* domain; NIL marks group syntax */
};

/* An address list; NIL on the wire is count 0 ("()" is not valid syntax). */
struct imap_address_list {
	const struct imap_address *addrs;
	size_t count;
};

struct imap_envelope {
	const char *date;
	const char *subject;
	struct imap_address_list from, sender, reply_to, to, cc, bcc;
	const char *in_reply_to;
	const char *message_id;
};

static inline bool imap_address_is_group_start(const struct imap_address *a)
{
	return a->host == NULL && a->mailbox != NULL;
}

static inline bool imap_address_is_group_end(const struct imap_address *a)
{
	return a->host == NULL && a->mailbox == NULL;
}

struct imap_body_param {
	const char *name, *value;
};

/* body-fld-param: NIL on the wire is count 0. */
struct imap_body_params {
	const struct imap_body_param *items;
	size_t count;
};

/* body-fld-dsp: NIL when type is NULL. */
struct imap_body_disposition {
	const char *type;
	struct imap_body_params params;
};

/* body-fld-lang: NIL (count 0, !list), one string (count 1, !list), or a
 * parenthesised list of strings (list). */
struct imap_body_language {
	struct imap_strlist langs;
	bool list;
};

enum imap_body_kind {
	IMAP_BODY_BASIC,     /* any single part that is not TEXT or MESSAGE/RFC822|GLOBAL */
	IMAP_BODY_TEXT,      /* TEXT/<subtype>: adds lines */
	IMAP_BODY_MESSAGE,   /* MESSAGE/RFC822 or MESSAGE/GLOBAL: adds envelope, body, lines */
	IMAP_BODY_MULTIPART, /* children and a subtype */
};

struct imap_body {
	enum imap_body_kind kind;
	const char *type; /* NULL for MULTIPART */
	const char *subtype;

	/* MULTIPART */
	const struct imap_body *parts;
	size_t part_count; /* >= 1 */

	/* single part: body-fields */
	struct imap_body_params params; /* for MULTIPART: the first extension field */
	const char *id;
	const char *description;
	const char *encoding; /* never NULL in a valid single part */
	uint32_t octets;
	uint64_t lines;                       /* TEXT, MESSAGE */
	const struct imap_envelope *envelope; /* MESSAGE */
	const struct imap_body *body;         /* MESSAGE: the encapsulated message */

	/* Extension data (BODYSTRUCTURE only). ext_count says how many of the
	 * fields are present, in wire order: single part md5, disposition,
	 * language, location; multipart params, disposition, language,
	 * location. Fields after location are kept generically. */
	unsigned ext_count; /* 0..4 */
	const char *md5;
	struct imap_body_disposition disposition;
	struct imap_body_language language;
	const char *location;
	const struct imap_value *extensions; /* body-extension after location */
	size_t extension_count;
};

#endif
