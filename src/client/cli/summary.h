/* summary.h — what hafen shows of a message in a list (id, date, sender,
 * subject, state), read from the cache's list-view header fields, and
 * the one-line and JSON forms of it shared by list and search. */
#ifndef HAFEN_CLIENT_SUMMARY_H
#define HAFEN_CLIENT_SUMMARY_H

#include "lib/buf.h"
#include "store/store-client.h"

#include <stdbool.h>
#include <stdint.h>

struct summary {
	int64_t cid;
	int64_t mailbox_id;
	uint32_t uid;
	unsigned flags;
	bool pending; /* local only, not on the server yet */
	bool has_body;
	int64_t date; /* Date: header, else the internal date */
	uint64_t size;
	char *folder;
	char *from;                     /* display name, else address; decoded UTF-8 */
	char *from_addr;                /* local@domain, "" when none */
	char *to, *cc, *reply_to;       /* decoded field values, "" when absent */
	char *subject;                  /* decoded */
	char *message_id;               /* "<...>" or "" */
	char *in_reply_to, *references; /* raw values, "" when absent */
	char *threadid;
	int depth; /* thread indentation (--threads) */
};

/* Fill *sum_r from a store message fetched with STORE_WANT_HEADERS. */
void summary_read(struct store *s, int64_t mailbox_id, const char *folder,
		  const struct store_msg *m, struct summary *sum_r);
void summary_clear(struct summary *sum);

/* Every message of a folder (all of them; the caller sorts and limits).
 * uids NULL: all. Returns STORE_OK or a store error. */
int summary_list(struct store *s, const char *folder, const struct rangeset *uids,
		 struct summary **v_r, size_t *n_r);
/* The summary of one cached message by cid. */
int summary_by_cid(struct store *s, int64_t cid, struct summary *sum_r);
void summary_free_all(struct summary *v, size_t n);

/* Sort by date (then id); with threads, group each thread together,
 * ordered by its newest message, and set depth. */
void summary_sort(struct summary *v, size_t n, bool threads);

/* "ID  DATE  FROM  SUBJECT  [marks]" (with folder when show_folder). */
void summary_line(struct buf *out, const struct summary *sum, bool show_folder);
/* A JSON object. */
void summary_json(struct buf *out, const struct summary *sum);
/* The state markers: N unread, r answered, ! flagged, D deleted, d draft,
 * + not on the server yet. */
void summary_marks(const struct summary *sum, char marks[8]);

#endif
