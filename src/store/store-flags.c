/* store-flags.c — STORE: changing flags and keywords, conditionally on
 * UNCHANGEDSINCE (RFC 7162 3.1.3), with STATUS counters kept exact. */
#include "store-keywords.h"
#include "store-private.h"
#include "lib/mem.h"

#include <string.h>

struct flag_row {
	uint32_t uid;
	unsigned flags;
	char *keywords;
	uint64_t modseq;
	bool changed;
	bool failed; /* MODSEQ above UNCHANGEDSINCE: left alone */
};

struct flag_rows {
	struct flag_row *v;
	size_t count, cap;
};

static void rows_free(struct flag_rows *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->v[i].keywords);
	free(r->v);
}

/* Read the current state of every message in uids, in UID order. */
static int read_rows(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		     struct flag_rows *rows)
{
	sqlite3_stmt *st;
	int rc = SQLITE_OK;

	st = store_stmt_sql(s, "SELECT uid, flags, keywords, modseq FROM messages"
			       " WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3 ORDER BY uid");
	if (st == NULL)
		return STORE_ERR_IO;
	for (size_t i = 0; i < uids->count && rc != SQLITE_ERROR; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, mailbox_id);
		sqlite3_bind_int64(st, 2, uids->r[i].lo);
		sqlite3_bind_int64(st, 3, uids->r[i].hi);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct flag_row *row;

			if (rows->count == rows->cap) {
				rows->cap = rows->cap ? rows->cap * 2 : 64;
				rows->v = xreallocarray(rows->v, rows->cap, sizeof(*rows->v));
			}
			row = &rows->v[rows->count++];
			row->uid = (uint32_t)sqlite3_column_int64(st, 0);
			row->flags = (unsigned)sqlite3_column_int(st, 1);
			row->keywords = xstrdup((const char *)sqlite3_column_text(st, 2));
			row->modseq = (uint64_t)sqlite3_column_int64(st, 3);
			row->changed = row->failed = false;
		}
		if (rc != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_sql_error(s, rc, "read flags");
		}
	}
	sqlite3_reset(st);
	return STORE_OK;
}

static unsigned apply_flags(unsigned cur, const struct store_flag_change *chg)
{
	switch (chg->mode) {
	case STORE_FLAGS_ADD:
		return cur | chg->flags;
	case STORE_FLAGS_REMOVE:
		return cur & ~chg->flags;
	default:
		return chg->flags & STORE_FLAGS_ALL;
	}
}

static int write_row(struct store *s, int64_t mailbox_id, const struct flag_row *row,
		     unsigned flags, const char *kw, uint64_t modseq)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MSG_SET_FLAGS);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, row->uid);
	sqlite3_bind_int(st, 3, (int)flags);
	sqlite3_bind_text(st, 4, kw, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)modseq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "store flags");
}

static int set_flags_locked(struct store *s, int64_t mailbox_id, struct flag_rows *rows,
			    const struct store_flag_change *chg)
{
	uint64_t modseq = 0;
	int64_t d_unseen = 0, d_deleted = 0;
	int ret = STORE_OK;

	for (size_t i = 0; i < rows->count && ret == STORE_OK; i++) {
		struct flag_row *row = &rows->v[i];
		unsigned flags = apply_flags(row->flags, chg);
		char *kw = store_keywords_apply(row->keywords, chg->mode, chg->keywords,
						chg->keyword_count);
		bool changed = flags != row->flags || strcmp(kw, row->keywords) != 0;

		if (chg->unchangedsince != 0 && row->modseq > chg->unchangedsince) {
			row->failed = true;
			free(kw);
			continue;
		}
		if (changed && modseq == 0)
			ret = store_mailbox_next_modseq(s, mailbox_id, &modseq);
		if (changed && ret == STORE_OK)
			ret = write_row(s, mailbox_id, row, flags, kw, modseq);
		if (changed && ret == STORE_OK)
			ret = store_keywords_register(s, mailbox_id, kw);
		if (changed) {
			d_unseen += ((row->flags & STORE_FLAG_SEEN) != 0) -
				    ((flags & STORE_FLAG_SEEN) != 0);
			d_deleted += ((flags & STORE_FLAG_DELETED) != 0) -
				     ((row->flags & STORE_FLAG_DELETED) != 0);
			free(row->keywords);
			row->keywords = kw;
			row->flags = flags;
			row->modseq = modseq;
		} else {
			free(kw);
		}
		row->changed = changed;
	}
	if (ret == STORE_OK && (d_unseen != 0 || d_deleted != 0))
		ret = store_mailbox_adjust(s, mailbox_id, 0, d_unseen, d_deleted, 0);
	return ret;
}

int store_set_flags(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		    const struct store_flag_change *chg, store_flags_cb *cb, void *ctx,
		    struct rangeset *failed_r)
{
	struct flag_rows rows = {NULL, 0, 0};
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = read_rows(s, mailbox_id, uids, &rows);
	if (ret == STORE_OK)
		ret = set_flags_locked(s, mailbox_id, &rows, chg);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	/* Report only once the change is durable. */
	for (size_t i = 0; ret == STORE_OK && i < rows.count; i++) {
		const struct flag_row *row = &rows.v[i];

		if (row->failed && failed_r != NULL)
			rangeset_add(failed_r, row->uid);
		else if (!row->failed && cb != NULL)
			cb(ctx, row->uid, row->flags, row->keywords, row->modseq, row->changed);
	}
	rows_free(&rows);
	return ret;
}
