/* query.h — hafen's search language, the same online and offline: each
 * argument is one term, all must match, a leading '-' negates one.
 *
 *   from:TEXT to:TEXT cc:TEXT subject:TEXT body:TEXT text:TEXT  (substring,
 *                                        case-insensitive; a bare word is text:)
 *   is:unread is:read is:flagged is:unflagged is:answered is:unanswered
 *   is:deleted is:draft               keyword:NAME
 *   since:YYYY-MM-DD before:YYYY-MM-DD on:YYYY-MM-DD  (the arrival date)
 *   larger:N smaller:N                (bytes; k and m suffixes)
 *   folder:NAME                       (search only this folder)
 *
 * Online the terms become IMAP SEARCH keys (RFC 9051 6.4.4) for the
 * server; offline they become the store's query (store-search.h). */
#ifndef HAFEN_CLIENT_QUERY_H
#define HAFEN_CLIENT_QUERY_H

#include "imap/imap-search.h"
#include "lib/arena.h"
#include "store/store-search.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum query_kind {
	QUERY_FROM,
	QUERY_TO,
	QUERY_CC,
	QUERY_SUBJECT,
	QUERY_BODY,
	QUERY_TEXT,
	QUERY_FLAG_SET,   /* flag */
	QUERY_FLAG_UNSET, /* flag */
	QUERY_KEYWORD,
	QUERY_SINCE,
	QUERY_BEFORE,
	QUERY_ON,
	QUERY_LARGER,
	QUERY_SMALLER,
};

struct query_term {
	enum query_kind kind;
	bool negate;
	const char *text;
	unsigned flag;
	struct imap_date date;
	uint64_t number;
};

struct query {
	struct query_term *terms;
	size_t count;
	const char *folder; /* folder:NAME, or NULL */
};

/* Parse args (pointers kept, not copied). -1 with *error_r naming the
 * bad term. */
int query_parse(int argc, char **argv, struct query *q, const char **error_r);
void query_free(struct query *q);
/* The IMAP search program (in arena): an AND of keys. */
void query_to_imap(const struct query *q, struct arena *a, struct imap_search_key **keys_r,
		   size_t *count_r);
/* The store's query tree (in arena). */
struct store_search_key *query_to_store(const struct query *q, struct arena *a);

#endif
