/* imap-search.h — the SEARCH key tree (RFC 9051 section 6.4.4 and the
 * extensions: CONDSTORE's MODSEQ, WITHIN's OLDER/YOUNGER, SAVEDATE's
 * SAVED*, OBJECTID's EMAILID/THREADID, SEARCHRES's "$"), used by SEARCH,
 * SORT and THREAD.
 *
 * A search program is a list of keys that must all match. OR and NOT
 * have their operands as children; a parenthesised group is an AND node.
 * String operands are kept as sent (the charset named by CHARSET, which
 * the server validates); they may have come from literals.
 */
#ifndef HAFEN_IMAP_SEARCH_H
#define HAFEN_IMAP_SEARCH_H

#include "imap-date.h"
#include "imap-seqset.h"

#include <stdint.h>

enum imap_search_kind {
	/* structure */
	IMAP_SEARCH_AND, /* "(" key *(SP key) ")" */
	IMAP_SEARCH_OR,
	IMAP_SEARCH_NOT,
	/* no operand */
	IMAP_SEARCH_ALL,
	IMAP_SEARCH_ANSWERED,
	IMAP_SEARCH_DELETED,
	IMAP_SEARCH_DRAFT,
	IMAP_SEARCH_FLAGGED,
	IMAP_SEARCH_NEW,
	IMAP_SEARCH_OLD,
	IMAP_SEARCH_RECENT,
	IMAP_SEARCH_SEEN,
	IMAP_SEARCH_UNANSWERED,
	IMAP_SEARCH_UNDELETED,
	IMAP_SEARCH_UNDRAFT,
	IMAP_SEARCH_UNFLAGGED,
	IMAP_SEARCH_UNSEEN,
	IMAP_SEARCH_SAVEDATESUPPORTED,
	/* u.seqset */
	IMAP_SEARCH_SEQSET, /* sequence numbers (or "$") */
	IMAP_SEARCH_UID,
	/* u.string */
	IMAP_SEARCH_BCC,
	IMAP_SEARCH_BODY,
	IMAP_SEARCH_CC,
	IMAP_SEARCH_FROM,
	IMAP_SEARCH_SUBJECT,
	IMAP_SEARCH_TEXT,
	IMAP_SEARCH_TO,
	IMAP_SEARCH_KEYWORD,   /* flag-keyword atom */
	IMAP_SEARCH_UNKEYWORD, /* flag-keyword atom */
	IMAP_SEARCH_EMAILID,   /* objectid */
	IMAP_SEARCH_THREADID,  /* objectid */
	/* u.header */
	IMAP_SEARCH_HEADER,
	/* u.date */
	IMAP_SEARCH_BEFORE,
	IMAP_SEARCH_ON,
	IMAP_SEARCH_SINCE,
	IMAP_SEARCH_SENTBEFORE,
	IMAP_SEARCH_SENTON,
	IMAP_SEARCH_SENTSINCE,
	IMAP_SEARCH_SAVEDBEFORE,
	IMAP_SEARCH_SAVEDON,
	IMAP_SEARCH_SAVEDSINCE,
	/* u.number */
	IMAP_SEARCH_LARGER,  /* number64 */
	IMAP_SEARCH_SMALLER, /* number64 */
	IMAP_SEARCH_OLDER,   /* seconds, nz-number */
	IMAP_SEARCH_YOUNGER, /* seconds, nz-number */
	/* u.modseq */
	IMAP_SEARCH_MODSEQ,
};

/* RFC 7162 entry-type-req, for MODSEQ "/flags/..." searches. */
enum imap_search_entry_type {
	IMAP_SEARCH_ENTRY_NONE, /* no entry name given */
	IMAP_SEARCH_ENTRY_PRIV,
	IMAP_SEARCH_ENTRY_SHARED,
	IMAP_SEARCH_ENTRY_ALL,
};

struct imap_search_key {
	enum imap_search_kind kind;
	union {
		struct {
			struct imap_search_key *keys;
			size_t count; /* >= 1 */
		} all_of;             /* AND: every key matches */
		struct {
			struct imap_search_key *a, *b;
		} either;                        /* OR */
		struct imap_search_key *negated; /* NOT */
		struct imap_seqset seqset;
		const char *string;
		struct {
			const char *name, *value;
		} header;
		struct imap_date date;
		uint64_t number;
		struct {
			uint64_t modseq;        /* mod-sequence-valzer */
			const char *entry_name; /* "/flags/\\seen", NULL when absent */
			enum imap_search_entry_type entry_type;
		} modseq;
	} u;
};

/* The upper-case wire name of a key kind ("UNSEEN"); "" for SEQSET and AND. */
const char *imap_search_kind_name(enum imap_search_kind kind);

#endif
