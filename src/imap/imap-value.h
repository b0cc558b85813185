/* imap-value.h — small shared value types of the IMAP structures: string
 * lists, strings with a length, and the generic value tree that holds
 * extension data we parse without knowing its meaning.
 *
 * All of them point into memory owned by someone else: the arena of a
 * parsed command or response, or the caller's own data when the caller
 * builds a structure to be written.
 */
#ifndef HAFEN_IMAP_VALUE_H
#define HAFEN_IMAP_VALUE_H

#include <stdbool.h>
#include <stddef.h>

/* A list of NUL-terminated strings (flags, capabilities, header names...). */
struct imap_strlist {
	const char *const *items;
	size_t count;
};

/* A string that may hold any byte (literal8 data can hold NUL); data is
 * followed by a NUL that is not counted in len. */
struct imap_bytes {
	const char *data;
	size_t len;
};

enum imap_value_kind {
	IMAP_VALUE_NIL,
	IMAP_VALUE_ATOM,   /* includes numbers, sequence sets, flags */
	IMAP_VALUE_STRING, /* quoted or literal */
	IMAP_VALUE_BINARY, /* literal8: may hold NUL */
	IMAP_VALUE_LIST,
};

/* A generic parsed value: the shape of extension data
 * (tagged-ext-val, body-extension, unknown responses). */
struct imap_value {
	enum imap_value_kind kind;
	const char *str; /* ATOM, STRING, BINARY: NUL-terminated, len bytes */
	size_t len;
	const struct imap_value *items; /* LIST */
	size_t count;
};

/* ID parameters (RFC 2971), in the command and in the response: NIL is
 * count 0 with !list. */
struct imap_id_param {
	const char *key;
	const char *value; /* NULL for NIL */
};

struct imap_id_params {
	bool list;
	const struct imap_id_param *params;
	size_t count;
};

#endif
