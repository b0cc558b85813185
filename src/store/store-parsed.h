/* store-parsed.h — a message parsed once at save time: everything the store
 * caches for it (the files row and its search text). Private to src/store. */
#ifndef HAFEN_STORE_PARSED_H
#define HAFEN_STORE_PARSED_H

#include "lib/arena.h"
#include "lib/buf.h"

#include <stdbool.h>
#include <stdint.h>

struct store_parsed {
	struct arena *arena;
	char *data; /* the message, CRLF line ends */
	size_t size;
	bool borrowed; /* data is the caller's (store_parsed_new_mapped) */
	/* IMAP-rendered structure (from src/mime) */
	struct buf envelope, bodystructure, body, parts, headers;
	bool has_sent_date;
	int64_t sent_date;       /* Date: header, unix time */
	int sent_tz;             /* minutes east of UTC */
	const char *message_id;  /* without <>; NULL when absent */
	const char **references; /* In-Reply-To then References ids, for THREADID */
	size_t reference_count;
	const char *sort_subject, *sort_from, *sort_to, *sort_cc;
	const char *display_from, *display_to;
	const char *preview;
	/* case-folded search text */
	struct buf fts_from, fts_to, fts_cc, fts_bcc, fts_subject, fts_headers, fts_body;
};

/* Are all these header field names among those cached for list views? */
bool store_parsed_caches_fields(const char *const *names, size_t count);

#endif
