/* store-search.h — the store's own query type for SEARCH and SORT.
 *
 * The server translates parsed IMAP search keys into this tree (and the
 * client does the same for its offline search); sequence numbers are the
 * caller's: it turns them into UID sets with its own map before asking.
 * Text keys keep IMAP's case-insensitive substring semantics (RFC 9051
 * 6.4.4) through the FTS5 trigram index; needles shorter than three
 * characters fall back to scanning the stored search text.
 */
#ifndef HAFEN_STORE_SEARCH_H
#define HAFEN_STORE_SEARCH_H

#include "store.h"

enum store_search_op {
	STORE_SEARCH_ALL,
	STORE_SEARCH_NONE,        /* matches nothing */
	STORE_SEARCH_AND,         /* all children */
	STORE_SEARCH_OR,          /* any child */
	STORE_SEARCH_NOT,         /* the one child does not match */
	STORE_SEARCH_UIDS,        /* uid in uids */
	STORE_SEARCH_FLAGS_SET,   /* every flag in flags is set */
	STORE_SEARCH_FLAGS_UNSET, /* no flag in flags is set */
	STORE_SEARCH_KEYWORD,     /* str */
	STORE_SEARCH_UNKEYWORD,
	STORE_SEARCH_LARGER,  /* size > num */
	STORE_SEARCH_SMALLER, /* size < num */
	STORE_SEARCH_BEFORE,  /* internal date's day < num (days since 1970-01-01) */
	STORE_SEARCH_ON,
	STORE_SEARCH_SINCE,      /* day >= num */
	STORE_SEARCH_SENTBEFORE, /* Date: header's day, as above */
	STORE_SEARCH_SENTON,
	STORE_SEARCH_SENTSINCE,
	STORE_SEARCH_SAVEDBEFORE, /* save date's day (UTC), RFC 8514 */
	STORE_SEARCH_SAVEDON,
	STORE_SEARCH_SAVEDSINCE,
	STORE_SEARCH_OLDER,   /* internal date at least num seconds ago (RFC 5032) */
	STORE_SEARCH_YOUNGER, /* internal date less than num seconds ago */
	STORE_SEARCH_MODSEQ,  /* modseq >= num (RFC 7162 3.1.5) */
	STORE_SEARCH_HEADER,  /* field contains str */
	STORE_SEARCH_FROM,    /* str in the From field (decoded) */
	STORE_SEARCH_TO,
	STORE_SEARCH_CC,
	STORE_SEARCH_BCC,
	STORE_SEARCH_SUBJECT,
	STORE_SEARCH_BODY,    /* str in the text of the body */
	STORE_SEARCH_TEXT,    /* str in the header or body */
	STORE_SEARCH_EMAILID, /* RFC 8474 */
	STORE_SEARCH_THREADID,
};

struct store_search_key {
	enum store_search_op op;
	struct store_search_key *child; /* AND/OR/NOT: first child */
	struct store_search_key *next;  /* next sibling */
	const struct rangeset *uids;
	unsigned flags;
	const char *str;
	const char *field;
	int64_t num;
};

/* UIDs of the matching messages go to uids_r (added); the largest MODSEQ
 * among them to highest_modseq_r (0 when none), for SEARCH MODSEQ. */
int store_search(struct store *s, int64_t mailbox_id, const struct store_search_key *key,
		 struct rangeset *uids_r, uint64_t *highest_modseq_r);

/* SORT criteria (RFC 5256, RFC 5957 DISPLAY). */
enum store_sort_key {
	STORE_SORT_ARRIVAL,
	STORE_SORT_CC,
	STORE_SORT_DATE,
	STORE_SORT_FROM,
	STORE_SORT_SIZE,
	STORE_SORT_SUBJECT,
	STORE_SORT_TO,
	STORE_SORT_DISPLAYFROM,
	STORE_SORT_DISPLAYTO,
};

struct store_sort_criterion {
	enum store_sort_key key;
	bool reverse;
};

/* The UIDs matching key in the order the criteria give (ties broken by
 * UID, which is sequence order). *uids_r is malloc'ed. */
int store_sort(struct store *s, int64_t mailbox_id, const struct store_search_key *key,
	       const struct store_sort_criterion *crit, size_t ncrit, uint32_t **uids_r,
	       size_t *count_r);

/* Case-fold text the way the search index stores it (UTF-8 in and out). */
char *store_search_fold(const char *text, size_t len, size_t *len_r);

/* How a text key's files are found (store-search.c): a needle whose
 * phrase is in at most verify_max files in any column has its columns
 * checked on the stored text, and a required key with at most
 * small_set_max files drives the query through an index. The defaults
 * (2000, 1000) suit any store; tests set other values (0 and SIZE_MAX
 * included) so that every path runs on a small mailbox. Process-wide. */
void store_search_set_thresholds(size_t small_set_max, size_t verify_max);

#endif
