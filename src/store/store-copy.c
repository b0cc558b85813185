/* store-copy.c — COPY and MOVE: new rows pointing at the same files, never
 * a byte copied. UIDs in the destination follow the source UID order, so
 * the COPYUID sets correspond element by element (RFC 4315 section 3). */
#include "store-keywords.h"
#include "store-remove.h"
#include "lib/mem.h"

#include <string.h>
#include <time.h>

struct copy_row {
	uint32_t uid;
	int64_t file_id;
	unsigned flags;
	char *keywords;
	int64_t internaldate;
	int tz;
	uint64_t size;
};

struct copy_rows {
	struct copy_row *v;
	size_t count, cap;
};

static void copy_rows_free(struct copy_rows *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->v[i].keywords);
	free(r->v);
}

static int read_sources(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
			struct copy_rows *rows)
{
	sqlite3_stmt *st;
	int rc = SQLITE_OK;

	st = store_stmt_sql(s, "SELECT uid, file_id, flags, keywords, internaldate, tz, size"
			       " FROM messages WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3"
			       " ORDER BY uid");
	if (st == NULL)
		return STORE_ERR_IO;
	for (size_t i = 0; i < uids->count; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, mailbox_id);
		sqlite3_bind_int64(st, 2, uids->r[i].lo);
		sqlite3_bind_int64(st, 3, uids->r[i].hi);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct copy_row *c;

			if (rows->count == rows->cap) {
				rows->cap = rows->cap ? rows->cap * 2 : 64;
				rows->v = xreallocarray(rows->v, rows->cap, sizeof(*rows->v));
			}
			c = &rows->v[rows->count++];
			c->uid = (uint32_t)sqlite3_column_int64(st, 0);
			c->file_id = sqlite3_column_int64(st, 1);
			c->flags = (unsigned)sqlite3_column_int(st, 2);
			c->keywords = xstrdup((const char *)sqlite3_column_text(st, 3));
			c->internaldate = sqlite3_column_int64(st, 4);
			c->tz = sqlite3_column_int(st, 5);
			c->size = (uint64_t)sqlite3_column_int64(st, 6);
		}
		if (rc != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_sql_error(s, rc, "read messages to copy");
		}
	}
	sqlite3_reset(st);
	return STORE_OK;
}

static int insert_copy(struct store *s, int64_t dest, const struct copy_row *c, uint32_t uid,
		       uint64_t modseq, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MSG_INSERT);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, dest);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_int64(st, 3, c->file_id);
	sqlite3_bind_int(st, 4, (int)c->flags);
	sqlite3_bind_text(st, 5, c->keywords, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)modseq);
	sqlite3_bind_int64(st, 7, c->internaldate);
	sqlite3_bind_int(st, 8, c->tz);
	sqlite3_bind_int64(st, 9, now);
	sqlite3_bind_int64(st, 10, (int64_t)c->size);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "copy message");
	return store_keywords_register(s, dest, c->keywords);
}

static int copy_into(struct store *s, const struct store_mailbox *dest,
		     const struct copy_rows *rows, bool move, struct rangeset *src_uids_r,
		     struct rangeset *dst_uids_r)
{
	uint64_t modseq, bytes = 0;
	int64_t unseen = 0, deleted = 0, now = (int64_t)time(NULL);
	uint32_t first;
	int ret;

	for (size_t i = 0; i < rows->count; i++) {
		bytes += rows->v[i].size;
		unseen += (rows->v[i].flags & STORE_FLAG_SEEN) == 0;
		deleted += (rows->v[i].flags & STORE_FLAG_DELETED) != 0;
	}
	/* A move within one user does not change its usage. */
	ret = move ? STORE_OK : store_quota_charge(s, (int64_t)bytes, (int64_t)rows->count);
	if (ret == STORE_OK)
		ret = store_mailbox_take_uids(s, dest->id, (uint32_t)rows->count, &first, &modseq);
	for (size_t i = 0; i < rows->count && ret == STORE_OK; i++) {
		ret = insert_copy(s, dest->id, &rows->v[i], first + (uint32_t)i, modseq, now);
		if (src_uids_r != NULL)
			rangeset_add(src_uids_r, rows->v[i].uid);
		if (dst_uids_r != NULL)
			rangeset_add(dst_uids_r, first + (uint32_t)i);
	}
	if (ret == STORE_OK)
		ret = store_mailbox_adjust(s, dest->id, (int64_t)rows->count, unseen, deleted,
					   (int64_t)bytes);
	return ret;
}

static int remove_sources(struct store *s, int64_t mailbox_id, const struct copy_rows *rows,
			  struct store_unlink_list *unlink)
{
	struct store_removal r = {NULL, 0, 0};
	int ret;

	for (size_t i = 0; i < rows->count; i++)
		store_removal_add(&r, rows->v[i].uid, rows->v[i].file_id, rows->v[i].flags,
				  rows->v[i].size);
	/* The files are still used by the new rows, so nothing is unlinked;
	 * but quota was not charged for a move, so give the removal's back. */
	ret = store_removal_apply(s, mailbox_id, &r, true, unlink);
	if (ret == STORE_OK) {
		uint64_t bytes = 0;

		for (size_t i = 0; i < rows->count; i++)
			bytes += rows->v[i].size;
		ret = store_quota_charge(s, (int64_t)bytes, (int64_t)rows->count);
	}
	store_removal_free(&r);
	return ret;
}

static int copy_locked(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		       const char *dest_name, bool move, uint32_t *dst_uidvalidity_r,
		       struct rangeset *src_uids_r, struct rangeset *dst_uids_r,
		       struct store_unlink_list *unlink)
{
	struct store_mailbox dest;
	struct copy_rows rows = {NULL, 0, 0};
	int ret = store_mailbox_get(s, dest_name, &dest);

	if (ret != STORE_OK)
		return ret;
	if (dest.noselect) {
		store_mailbox_clear(&dest);
		return store_fail(s, STORE_ERR_NOSELECT, "mailbox %s cannot hold messages",
				  dest_name);
	}
	*dst_uidvalidity_r = dest.uidvalidity;
	ret = read_sources(s, mailbox_id, uids, &rows);
	if (ret == STORE_OK && rows.count > 0)
		ret = copy_into(s, &dest, &rows, move, src_uids_r, dst_uids_r);
	if (ret == STORE_OK && move && rows.count > 0)
		ret = remove_sources(s, mailbox_id, &rows, unlink);
	copy_rows_free(&rows);
	store_mailbox_clear(&dest);
	return ret;
}

int store_copy(struct store *s, int64_t mailbox_id, const struct rangeset *uids, const char *dest,
	       bool move, uint32_t *dst_uidvalidity_r, struct rangeset *src_uids_r,
	       struct rangeset *dst_uids_r)
{
	struct store_unlink_list unlink = {NULL, 0, 0};
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = copy_locked(s, mailbox_id, uids, dest, move, dst_uidvalidity_r, src_uids_r,
			  dst_uids_r, &unlink);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (ret == STORE_OK)
		store_unlink_list_run(s, &unlink);
	else
		store_unlink_list_free(&unlink);
	return ret;
}
