/* store-changes.c — what changed in a mailbox since a MODSEQ: the source of
 * every session's untagged updates and of CONDSTORE/QRESYNC resyncs. */
#include "store-private.h"
#include "lib/mem.h"

static int changed_rows(struct store *s, int64_t mailbox_id, uint64_t since, store_changed_cb *cb,
			void *ctx)
{
	sqlite3_stmt *st;
	int rc = SQLITE_OK;

	/* "+uid": sorting by uid through the primary key made SQLite walk
	 * the whole mailbox for what is, before nearly every tagged reply, a
	 * handful of rows found by the (mailbox_id, modseq) index. */
	st = store_stmt_sql(s, "SELECT uid, flags, keywords, modseq FROM messages"
			       " WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY +uid");
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, (int64_t)since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb(ctx, (uint32_t)sqlite3_column_int64(st, 0), (unsigned)sqlite3_column_int(st, 1),
		   (const char *)sqlite3_column_text(st, 2), (uint64_t)sqlite3_column_int64(st, 3));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "read changes");
}

static int expunged_rows(struct store *s, int64_t mailbox_id, uint64_t since, struct rangeset *out)
{
	sqlite3_stmt *st;
	int rc = SQLITE_OK;

	/* "+uid" as above: the expunge log only grows, and walking all of it
	 * (35,000 rows in a benchmark user's: 3.4 ms) for each command cost
	 * more than the command. */
	st = store_stmt_sql(s, "SELECT uid FROM expunged WHERE mailbox_id = ?1 AND modseq > ?2"
			       " ORDER BY +uid");
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, (int64_t)since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rangeset_add(out, (uint32_t)sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "read expunges");
}

int store_changes(struct store *s, int64_t mailbox_id, uint64_t since, store_changed_cb *cb,
		  void *ctx, struct rangeset *expunged_r)
{
	int ret;

	/* One read transaction, so both halves see the same snapshot. */
	ret = store_exec(s, "BEGIN");
	if (ret != STORE_OK)
		return ret;
	ret = cb != NULL ? changed_rows(s, mailbox_id, since, cb, ctx) : STORE_OK;
	if (ret == STORE_OK && expunged_r != NULL)
		ret = expunged_rows(s, mailbox_id, since, expunged_r);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return ret;
}

int store_changes_page(struct store *s, int64_t mailbox_id, uint64_t since,
		       struct store_changes_pos *pos, unsigned limit, store_changed_cb *cb,
		       void *ctx)
{
	sqlite3_stmt *st;
	int count = 0;
	/* The (mailbox_id, modseq) index holds the primary key's uid too, so
	 * the row-value bound is a range scan of that index. */
	int rc = SQLITE_OK;

	st = store_stmt_sql(s, "SELECT uid, flags, keywords, modseq FROM messages"
			       " WHERE mailbox_id = ?1 AND (modseq, uid) > (?2, ?3)"
			       " ORDER BY modseq, uid LIMIT ?4");
	if (st == NULL)
		return STORE_ERR_IO;
	if (pos->modseq < since || (pos->modseq == since && pos->uid == 0)) {
		pos->modseq = since;
		pos->uid = UINT32_MAX;
	}
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, (int64_t)pos->modseq);
	sqlite3_bind_int64(st, 3, pos->uid);
	sqlite3_bind_int64(st, 4, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pos->uid = (uint32_t)sqlite3_column_int64(st, 0);
		pos->modseq = (uint64_t)sqlite3_column_int64(st, 3);
		cb(ctx, pos->uid, (unsigned)sqlite3_column_int(st, 1),
		   (const char *)sqlite3_column_text(st, 2), pos->modseq);
		count++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? count : store_sql_error(s, rc, "read changes");
}

int store_mailbox_uids(struct store *s, int64_t mailbox_id, uint32_t **uids_r, size_t *count_r)
{
	sqlite3_stmt *st;
	uint32_t *uids = NULL;
	size_t count = 0, cap = 0;
	int rc = SQLITE_OK;

	st = store_stmt_sql(s, "SELECT uid FROM messages WHERE mailbox_id = ?1 ORDER BY uid");
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			uids = xreallocarray(uids, cap, sizeof(*uids));
		}
		uids[count++] = (uint32_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(uids);
		return store_sql_error(s, rc, "read UIDs");
	}
	*uids_r = uids;
	*count_r = count;
	return STORE_OK;
}

int store_mailbox_first_unseen(struct store *s, int64_t mailbox_id, uint32_t *uid_r)
{
	sqlite3_stmt *st;
	int rc = SQLITE_OK;

	st = store_stmt_sql(s, "SELECT min(uid) FROM messages WHERE mailbox_id = ?1"
			       " AND (flags & 1) = 0");
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = sqlite3_step(st);
	*uid_r = rc == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : store_sql_error(s, rc, "first unseen");
}
