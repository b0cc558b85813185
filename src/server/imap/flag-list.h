/* flag-list.h — a client's flag list (APPEND, STORE) turned into the
 * store's system flag bits and keywords. */
#ifndef HAFEN_SERVER_FLAG_LIST_H
#define HAFEN_SERVER_FLAG_LIST_H

#include "imap/imap-value.h"

#include <stddef.h>

struct arena;

struct flag_list {
	unsigned flags;        /* enum store_flag */
	const char **keywords; /* point into the strlist's strings */
	size_t keyword_count;
};

/* Sort list into system flags (case-insensitive) and keywords; the keyword
 * array is allocated in arena. Returns 0, or -1 with *error_r (answer
 * BAD) for \Recent, which only the server sets (RFC 9051 2.3.2, and the
 * flag-list grammar excludes it), or a system flag we do not know. */
int flag_list_parse(const struct imap_strlist *list, struct arena *arena, struct flag_list *out_r,
		    const char **error_r);

#endif
