/* store-expunge.c — removing messages: EXPUNGE, UID EXPUNGE, the source side
 * of MOVE, and mailbox deletion. Every removal leaves a tombstone (UID and
 * MODSEQ) for QRESYNC's VANISHED (EARLIER), and releases the file when no
 * other row uses it. */
#include "store-remove.h"
#include "lib/mem.h"

void store_removal_free(struct store_removal *r)
{
	free(r->v);
	r->v = NULL;
	r->count = r->cap = 0;
}

void store_removal_add(struct store_removal *r, uint32_t uid, int64_t file_id, unsigned flags,
		       uint64_t size)
{
	struct store_removed *m;

	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	m = &r->v[r->count++];
	m->uid = uid;
	m->file_id = file_id;
	m->flags = flags;
	m->size = size;
}

int store_removal_collect(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
			  bool only_deleted, struct store_removal *r)
{
	sqlite3_stmt *st;
	struct range all = {1, UINT32_MAX};
	const struct range *ranges = uids ? uids->r : &all;
	size_t nranges = uids ? uids->count : 1;
	int rc;

	st = store_stmt_sql(s,
			    "SELECT uid, file_id, flags, size FROM messages WHERE mailbox_id = ?1"
			    " AND uid BETWEEN ?2 AND ?3 AND (flags & ?4) = ?4 ORDER BY uid");
	if (st == NULL)
		return STORE_ERR_IO;
	for (size_t i = 0; i < nranges; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, mailbox_id);
		sqlite3_bind_int64(st, 2, ranges[i].lo);
		sqlite3_bind_int64(st, 3, ranges[i].hi);
		sqlite3_bind_int(st, 4, only_deleted ? STORE_FLAG_DELETED : 0);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			store_removal_add(r, (uint32_t)sqlite3_column_int64(st, 0),
					  sqlite3_column_int64(st, 1),
					  (unsigned)sqlite3_column_int(st, 2),
					  (uint64_t)sqlite3_column_int64(st, 3));
		if (rc != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_sql_error(s, rc, "find messages to remove");
		}
	}
	sqlite3_reset(st);
	return STORE_OK;
}

static int remove_one(struct store *s, sqlite3_stmt *del, sqlite3_stmt *log, int64_t mailbox_id,
		      const struct store_removed *m, uint64_t modseq)
{
	int rc;

	sqlite3_reset(del);
	sqlite3_bind_int64(del, 1, mailbox_id);
	sqlite3_bind_int64(del, 2, m->uid);
	rc = sqlite3_step(del);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "remove message");
	if (log == NULL)
		return STORE_OK;
	sqlite3_reset(log);
	sqlite3_bind_int64(log, 1, mailbox_id);
	sqlite3_bind_int64(log, 2, m->uid);
	sqlite3_bind_int64(log, 3, (int64_t)modseq);
	rc = sqlite3_step(log);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "log expunge");
}

int store_removal_apply(struct store *s, int64_t mailbox_id, const struct store_removal *r,
			bool tombstones, struct store_unlink_list *unlink)
{
	sqlite3_stmt *del = NULL, *log = NULL;
	uint64_t modseq = 0, bytes = 0;
	int64_t unseen = 0, deleted = 0;
	int ret = STORE_OK;

	if (r->count == 0)
		return STORE_OK;
	if (tombstones)
		ret = store_mailbox_next_modseq(s, mailbox_id, &modseq);
	del = store_stmt_sql(s, "DELETE FROM messages WHERE mailbox_id = ?1 AND uid = ?2");
	if (del != NULL && tombstones)
		log = store_stmt_sql(s, "INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq)"
					" VALUES (?1, ?2, ?3)");
	if ((del == NULL || (tombstones && log == NULL)) && ret == STORE_OK)
		ret = STORE_ERR_IO;
	for (size_t i = 0; i < r->count && ret == STORE_OK; i++) {
		const struct store_removed *m = &r->v[i];

		ret = remove_one(s, del, log, mailbox_id, m, modseq);
		bytes += m->size;
		unseen += (m->flags & STORE_FLAG_SEEN) == 0;
		deleted += (m->flags & STORE_FLAG_DELETED) != 0;
	}
	if (del != NULL)
		sqlite3_reset(del);
	if (log != NULL)
		sqlite3_reset(log);
	/* Files only after every row is gone: a file shared by two removed
	 * rows is released once, by whichever comes last. */
	for (size_t i = 0; i < r->count && ret == STORE_OK; i++)
		ret = store_file_release(s, r->v[i].file_id, unlink);
	if (ret == STORE_OK)
		ret = store_mailbox_adjust(s, mailbox_id, -(int64_t)r->count, -unseen, -deleted,
					   -(int64_t)bytes);
	if (ret == STORE_OK)
		ret = store_quota_charge(s, -(int64_t)bytes, -(int64_t)r->count);
	return ret;
}

int store_expunge(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		  store_expunged_cb *cb, void *ctx)
{
	struct store_removal r = {NULL, 0, 0};
	struct store_unlink_list unlink = {NULL, 0, 0};
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = store_removal_collect(s, mailbox_id, uids, true, &r);
	if (ret == STORE_OK)
		ret = store_removal_apply(s, mailbox_id, &r, true, &unlink);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (ret == STORE_OK) {
		store_unlink_list_run(s, &unlink);
		for (size_t i = 0; cb != NULL && i < r.count; i++)
			cb(ctx, r.v[i].uid);
	} else {
		store_unlink_list_free(&unlink);
	}
	store_removal_free(&r);
	return ret;
}
