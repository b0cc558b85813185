/* store-remove.h — the removal of message rows shared by EXPUNGE, MOVE and
 * mailbox deletion. Private to src/store. */
#ifndef HAFEN_STORE_REMOVE_H
#define HAFEN_STORE_REMOVE_H

#include "store-private.h"

struct store_removed {
	uint32_t uid;
	int64_t file_id;
	unsigned flags;
	uint64_t size;
};

struct store_removal {
	struct store_removed *v;
	size_t count, cap;
};

void store_removal_add(struct store_removal *r, uint32_t uid, int64_t file_id, unsigned flags,
		       uint64_t size);
void store_removal_free(struct store_removal *r);
/* Inside a transaction: the messages in uids (NULL = all), only those with
 * \Deleted when only_deleted, in UID order. */
int store_removal_collect(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
			  bool only_deleted, struct store_removal *r);
/* Inside a transaction: delete the rows, write tombstones under one new
 * MODSEQ when asked, release files into unlink, fix counters and quota. */
int store_removal_apply(struct store *s, int64_t mailbox_id, const struct store_removal *r,
			bool tombstones, struct store_unlink_list *unlink);

#endif
