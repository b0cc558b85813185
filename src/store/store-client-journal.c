/* store-client-journal.c — the offline journal: entries in replay order,
 * their attempts, and their removal once the server confirmed them.
 *
 * Crash invariants: an entry is inserted in the same transaction as the
 * local change it records (store-client-local.c), or — for folder
 * operations, which the store runs in transactions of their own — before
 * it; it is deleted only by store_client_journal_done(). `attempted` is
 * committed before a replay sends anything, so after a crash the replayer
 * knows to check whether the server already has the change (an APPEND
 * that may have landed) before repeating it. */
#include "store-client-private.h"
#include "store-keywords.h"
#include "lib/mem.h"

#include <string.h>
#include <time.h>

const char *store_journal_kind_name(enum store_journal_kind kind)
{
	switch (kind) {
	case STORE_JOURNAL_FLAGS:
		return "flags";
	case STORE_JOURNAL_MOVE:
		return "move";
	case STORE_JOURNAL_EXPUNGE:
		return "expunge";
	case STORE_JOURNAL_CREATE:
		return "mkdir";
	case STORE_JOURNAL_DELETE:
		return "rmdir";
	case STORE_JOURNAL_RENAME:
		return "rename";
	case STORE_JOURNAL_APPEND:
		return "append";
	case STORE_JOURNAL_SEND:
		return "send";
	}
	return "unknown";
}

int store_client_journal_insert(struct store *s, const struct store_journal_entry *e)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		s->db,
		"INSERT INTO client_journal(kind, mailbox, uidvalidity, uid, cid, target, "
		"target_uid,"
		" flags_add, flags_remove, kw_add, kw_remove, data, created)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
		-1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "prepare journal entry");
	sqlite3_bind_int(st, 1, (int)e->kind);
	sqlite3_bind_text(st, 2, e->mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->uidvalidity);
	sqlite3_bind_int64(st, 4, e->uid);
	sqlite3_bind_int64(st, 5, e->cid);
	if (e->target != NULL)
		sqlite3_bind_text(st, 6, e->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, e->target_uid);
	sqlite3_bind_int(st, 8, (int)e->flags_add);
	sqlite3_bind_int(st, 9, (int)e->flags_remove);
	sqlite3_bind_text(st, 10, e->kw_add ? e->kw_add : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, e->kw_remove ? e->kw_remove : "", -1, SQLITE_STATIC);
	if (e->data != NULL)
		sqlite3_bind_blob(st, 12, e->data, (int)e->data_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, (int64_t)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "add journal entry");
}

static const char *column_arena(struct arena *a, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col))
			 : NULL;
}

static void row_to_entry(sqlite3_stmt *st, struct arena *a, struct store_journal_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	e->kind = (enum store_journal_kind)sqlite3_column_int(st, 1);
	e->mailbox = column_arena(a, st, 2);
	e->uidvalidity = (uint32_t)sqlite3_column_int64(st, 3);
	e->uid = (uint32_t)sqlite3_column_int64(st, 4);
	e->cid = sqlite3_column_int64(st, 5);
	e->target = column_arena(a, st, 6);
	e->target_uid = (uint32_t)sqlite3_column_int64(st, 7);
	e->flags_add = (unsigned)sqlite3_column_int(st, 8);
	e->flags_remove = (unsigned)sqlite3_column_int(st, 9);
	e->kw_add = column_arena(a, st, 10);
	e->kw_remove = column_arena(a, st, 11);
	e->data_len = (size_t)sqlite3_column_bytes(st, 12);
	e->data =
		e->data_len > 0 ? arena_memdup(a, sqlite3_column_blob(st, 12), e->data_len) : NULL;
	e->created = sqlite3_column_int64(st, 13);
	e->attempts = (unsigned)sqlite3_column_int(st, 14);
	e->attempted = sqlite3_column_int(st, 15) != 0;
	e->last_error = column_arena(a, st, 16);
}

int store_client_journal_next(struct store *s, int64_t after_id, struct arena *arena,
			      struct store_journal_entry *e_r)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		s->db,
		"SELECT id, kind, mailbox, uidvalidity, uid, cid, target, target_uid, flags_add,"
		" flags_remove, kw_add, kw_remove, data, created, attempts, attempted, last_error"
		" FROM client_journal WHERE id > ?1 ORDER BY id LIMIT 1",
		-1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "read journal");
	sqlite3_bind_int64(st, 1, after_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_entry(st, arena, e_r);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, rc, "read journal");
}

int store_client_journal_count(struct store *s, uint64_t *count_r)
{
	int64_t v;
	int ret = store_client_query_int(s, &v, NULL, "SELECT count(*) FROM client_journal", "");

	*count_r = (uint64_t)v;
	return ret;
}

/* One statement in a transaction of its own (durable when it returns). */
static int exec_tx(struct store *s, const char *sql, int64_t id, const char *text)
{
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = store_client_exec(s, sql, "it", id, text);
	if (ret == STORE_OK)
		return store_tx_commit(s);
	store_tx_rollback(s);
	return ret;
}

int store_client_journal_attempt(struct store *s, int64_t id)
{
	return exec_tx(s, "UPDATE client_journal SET attempted = 1 WHERE id = ?1 AND ?2 IS NULL",
		       id, NULL);
}

int store_client_journal_failed(struct store *s, int64_t id, const char *error)
{
	return exec_tx(s,
		       "UPDATE client_journal SET attempts = attempts + 1, last_error = ?2"
		       " WHERE id = ?1",
		       id, error);
}

/* A confirmed flag change is what the server now has: it enters the base
 * of its message (found by cid, which follows it through moves). */
static int flags_into_base(struct store *s, const struct store_journal_entry *e)
{
	struct store_client_msg m = {0};
	struct store_keyword_list add, rem;
	char *kw1, *kw2;
	unsigned base;
	int ret = store_client_msg_by_cid(s, e->cid, &m);

	if (ret == STORE_ERR_NONEXISTENT)
		return STORE_OK;
	if (ret != STORE_OK)
		return ret;
	base = (m.base_flags | e->flags_add) & ~e->flags_remove;
	store_keywords_split(e->kw_add ? e->kw_add : "", &add);
	store_keywords_split(e->kw_remove ? e->kw_remove : "", &rem);
	kw1 = store_keywords_apply(m.base_keywords, STORE_FLAGS_ADD, (const char *const *)add.items,
				   add.count);
	kw2 = store_keywords_apply(kw1, STORE_FLAGS_REMOVE, (const char *const *)rem.items,
				   rem.count);
	ret = store_client_exec(s,
				"UPDATE client_messages SET base_flags = ?2, base_keywords = ?3"
				" WHERE cid = ?1",
				"iit", e->cid, (int64_t)base, kw2);
	free(kw1);
	free(kw2);
	store_keyword_list_free(&add);
	store_keyword_list_free(&rem);
	store_client_msg_clear(&m);
	return ret;
}

int store_client_journal_done(struct store *s, int64_t id)
{
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	int found, ret = store_tx_begin(s);

	if (ret != STORE_OK) {
		arena_free(&a);
		return ret;
	}
	found = store_client_journal_next(s, id - 1, a, &e);
	if (found < 0)
		ret = found;
	else if (found == 1 && e.id == id && e.kind == STORE_JOURNAL_FLAGS && e.cid != 0)
		ret = flags_into_base(s, &e);
	if (ret == STORE_OK)
		ret = store_client_exec(s, "DELETE FROM client_journal WHERE id = ?1", "i", id);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	arena_free(&a);
	return ret;
}

int store_client_journal_drop_uid(struct store *s, uint32_t uid, size_t *count_r)
{
	int ret;

	if (uid < STORE_CLIENT_PLACEHOLDER_MIN)
		return store_fail(s, STORE_ERR_INVALID, "UID %u is no placeholder", uid);
	ret = store_tx_begin(s);
	if (ret != STORE_OK)
		return ret;
	ret = store_client_exec(s, "DELETE FROM client_journal WHERE uid = ?1", "i", (int64_t)uid);
	if (ret == STORE_OK && count_r != NULL)
		*count_r = (size_t)sqlite3_changes(s->db);
	if (ret == STORE_OK)
		return store_tx_commit(s);
	store_tx_rollback(s);
	return ret;
}
