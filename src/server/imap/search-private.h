/* search-private.h — what the SEARCH, SORT and THREAD files share: the
 * translation of IMAP search keys into the store's query, the mapping of
 * results to the numbers a client sees, and the resumable writer of long
 * result lines. Private to cmd-search.c, search-*.c.
 */
#ifndef HAFEN_SERVER_IMAP_SEARCH_PRIVATE_H
#define HAFEN_SERVER_IMAP_SEARCH_PRIVATE_H

#include "imap-commands.h"
#include "uidmap.h"
#include "lib/arena.h"
#include "lib/rangeset.h"
#include "store/store-search.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- search-query.c: IMAP keys -> store query ---- */

/* A UID set a key of the query points to, owned by the query. */
struct search_set {
	struct rangeset uids;
	struct search_set *next;
};

/* A store query built from a parsed search program. Everything it points
 * to lives in the arena or in the sets it owns. */
struct search_query {
	struct arena *arena;
	struct store_search_key *root;
	struct search_set *sets;
	bool has_modseq; /* a MODSEQ key: RFC 7162 3.1.5 reporting */
};

/* Why a program cannot run: the tagged reply to send. */
struct search_error {
	enum imap_status_cond cond; /* IMAP_COND_NO or IMAP_COND_BAD */
	const char *code;           /* response code or NULL */
	const char *text;           /* static text */
};

/* Translate opts (CHARSET and keys) for the selected mailbox: sequence
 * numbers and "$" become UID sets through the session's view, \Recent,
 * NEW and OLD use its recent set. Returns 0 with *q_r filled (free with
 * search_query_free), or -1 with *err_r: NO [BADCHARSET] for a charset
 * other than US-ASCII and UTF-8, BAD for a sequence number above EXISTS,
 * a string that is not in the named charset, or a bad MODSEQ entry. */
int search_query_build(struct imap_session *s, const struct imap_search_options *opts,
		       struct search_query *q_r, struct search_error *err_r);
void search_query_free(struct search_query *q);

/* Make the query fit what SQLite can parse: subtrees nested too deep are
 * run first and replaced by their UIDs. Returns STORE_OK or a store
 * error. Call before giving q->root to the store (search_query_run does). */
int search_query_reduce(struct imap_session *s, struct search_query *q);
/* Run the query: the UIDs of matching messages that this session's view
 * holds (a message that arrived after the last EXISTS is not reported).
 * Returns STORE_OK or a store error. */
int search_query_run(struct imap_session *s, struct search_query *q, struct rangeset *uids_r);
/* The largest MODSEQ among uids (0 when empty), for MODSEQ reporting. */
int search_highest_modseq(struct imap_session *s, const struct rangeset *uids, uint64_t *modseq_r);

/* Turn a set of UIDs of the view into their sequence numbers. */
void search_uids_to_seqs(const struct uidmap *map, const struct rangeset *uids,
			 struct rangeset *seqs_r);

/* RETURN options other than MIN, MAX, ALL, COUNT and SAVE (PARTIAL, RFC
 * 9394) are not supported: BAD (RFC 9051 6.4.4). Returns -1 then. */
int search_check_return(const struct imap_search_options *opts, struct search_error *err_r);

/* Set the SEARCHRES variable (RFC 5182): a copy of uids, or empty. */
void search_save(struct imap_session *s, const struct rangeset *uids);

/* The tagged reply for a program that cannot run (cmd-search.c); with
 * SAVE, a NO empties "$" (RFC 5182 2.1). */
void search_fail(struct imap_session *s, bool save, const struct search_error *err);
/* The same for a store error. */
void search_store_fail(struct imap_session *s, bool save, int err);

/* Sync the view before searching, so changes by other sessions are
 * reported (and searched) first; expunges wait for the tagged reply
 * (where session_tagged sends them if the command allows). Returns -1
 * when the mailbox is gone: the caller just sends its tagged reply, which
 * ends the session. */
int search_sync(struct imap_session *s);

/* ---- search-result.c: RETURN options ---- */

/* The ESEARCH items to report (IMAP_SEARCH_RETURN_MIN, MAX, ALL, COUNT):
 * those asked, ALL without RETURN or with "RETURN ()", 0 for SAVE alone
 * (no ESEARCH response then, RFC 9051 6.4.4). */
unsigned search_ret_items(const struct imap_search_options *opts);
/* Add to out the UIDs that SAVE keeps and MODSEQ covers: every found one,
 * or only the MIN/MAX messages (their UIDs given) when MIN and/or MAX are
 * asked without ALL or COUNT (RFC 9051 6.4.4.1, RFC 4731 3.2). */
void search_ret_subject(unsigned items, const struct rangeset *found, uint32_t min_uid,
			uint32_t max_uid, struct rangeset *out);
/* Append "* ESEARCH (TAG "tag") [UID] [MIN n] [MAX n] [COUNT n]" and, when
 * ALL is asked and count > 0, " ALL " for the set that follows. */
void search_esearch_head(struct buf *head, const char *tag, bool uid, unsigned items,
			 uint64_t count, uint32_t min, uint32_t max);
/* With a MODSEQ key and a non-empty subject, append the highest MODSEQ
 * of subject: " MODSEQ m" (esearch) or " (MODSEQ m)". Returns STORE_OK or
 * a store error. */
int search_modseq_tail(struct imap_session *s, const struct search_query *q,
		       const struct rangeset *subject, bool esearch, struct buf *tail);

/* ---- search-stream.c: one long response line, written resumably ---- */

/* The body of the line: numbers from a set (ascending) or from an array
 * (in its order), written compactly ("1:3,9") or one by one (" 1 2 3 9"),
 * or ready text. */
enum search_body_form {
	SEARCH_BODY_NONE,
	SEARCH_BODY_SET_COMPACT,  /* sequence-set of set, nothing when empty */
	SEARCH_BODY_SET_LIST,     /* " n" for each member of set */
	SEARCH_BODY_LIST,         /* " n" for each entry of list */
	SEARCH_BODY_LIST_COMPACT, /* list in its order as a sequence-set, ranges ascending */
	SEARCH_BODY_TEXT,         /* text as is */
};

struct search_stream {
	struct buf head; /* "* SEARCH", "* ESEARCH (TAG "a") ALL " ... */
	enum search_body_form form;
	struct rangeset set;
	uint32_t *list; /* malloc'ed */
	size_t count;
	struct buf text;
	struct buf tail;  /* " (MODSEQ 7)", "" */
	const char *done; /* text of the tagged OK, static */
	/* progress */
	bool head_sent;
	size_t pos;    /* range index, list index or text offset */
	uint64_t next; /* next number inside set.r[pos] (SET_LIST) */
};

struct search_stream *search_stream_new(const char *done);
/* Free a stream that was not run. */
void search_stream_free(struct search_stream *st);
/* Write the line, suspending while the output is full, then the tagged
 * OK with done as its text. Takes ownership of st. */
enum cmd_result search_stream_run(struct imap_session *s, struct search_stream *st);

#endif
