/* store-client.c — the client cache's own tables (store-client.h), their
 * triggers, small SQL helpers, and the per-folder sync state. */
#include "store-client-private.h"
#include "lib/mem.h"

#include <stdarg.h>
#include <string.h>
#include <sys/random.h>

/* The side tables. CREATE ... IF NOT EXISTS makes init idempotent; they sit
 * beside the store's schema (store-schema.c) and do not change its version,
 * so a server never sees them and a client store stays readable by every
 * store function. */
static const char client_schema[] =
	"CREATE TABLE IF NOT EXISTS client_folders("
	" mailbox_id INTEGER PRIMARY KEY,"
	" remote_name TEXT,"
	" delimiter INTEGER NOT NULL DEFAULT 0,"
	" uidvalidity INTEGER NOT NULL DEFAULT 0,"
	" uidnext INTEGER NOT NULL DEFAULT 0,"
	" highestmodseq INTEGER NOT NULL DEFAULT 0,"
	" mailboxid TEXT,"
	" synced_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS client_messages("
	" mailbox_id INTEGER NOT NULL,"
	" uid INTEGER NOT NULL,"
	" cid INTEGER NOT NULL UNIQUE,"
	" base_flags INTEGER NOT NULL DEFAULT 0,"
	" base_keywords TEXT NOT NULL DEFAULT '',"
	" remote_modseq INTEGER NOT NULL DEFAULT 0,"
	" has_body INTEGER NOT NULL DEFAULT 0,"
	" pending INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(mailbox_id, uid)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS client_messages_stubs ON client_messages(mailbox_id, has_body);"
	"CREATE TABLE IF NOT EXISTS client_journal("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind INTEGER NOT NULL,"
	" mailbox TEXT NOT NULL,"
	" uidvalidity INTEGER NOT NULL DEFAULT 0,"
	" uid INTEGER NOT NULL DEFAULT 0,"
	" cid INTEGER NOT NULL DEFAULT 0,"
	" target TEXT,"
	" target_uid INTEGER NOT NULL DEFAULT 0,"
	" flags_add INTEGER NOT NULL DEFAULT 0,"
	" flags_remove INTEGER NOT NULL DEFAULT 0,"
	" kw_add TEXT NOT NULL DEFAULT '',"
	" kw_remove TEXT NOT NULL DEFAULT '',"
	" data BLOB,"
	" created INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" attempted INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT);"
	/* Any store function that removes a message or a mailbox (expunge,
	 * move, delete) takes the client's row with it. */
	"CREATE TRIGGER IF NOT EXISTS client_message_gone AFTER DELETE ON messages BEGIN"
	" DELETE FROM client_messages WHERE mailbox_id = old.mailbox_id AND uid = old.uid; END;"
	"CREATE TRIGGER IF NOT EXISTS client_folder_gone AFTER DELETE ON mailboxes BEGIN"
	" DELETE FROM client_folders WHERE mailbox_id = old.id; END;";

int store_client_init(struct store *s)
{
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = store_exec(s, client_schema);
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}

static void bind_args(sqlite3_stmt *st, const char *types, va_list ap)
{
	for (int i = 0; types[i] != '\0'; i++) {
		if (types[i] == 'i') {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		} else {
			const char *t = va_arg(ap, const char *);

			if (t != NULL)
				sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT);
		}
	}
}

int store_client_exec(struct store *s, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "prepare");
	va_start(ap, types);
	bind_args(st, types, ap);
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sql_error(s, rc, "client cache update");
	return STORE_OK;
}

int store_client_query_int(struct store *s, int64_t *value_r, bool *found_r, const char *sql,
			   const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "prepare");
	va_start(ap, types);
	bind_args(st, types, ap);
	va_end(ap);
	rc = sqlite3_step(st);
	*value_r = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (found_r != NULL)
		*found_r = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sql_error(s, rc, "client cache query");
	return STORE_OK;
}

int store_client_counter_next(struct store *s, const char *key, int64_t first, int64_t *value_r)
{
	int64_t v;
	int ret = store_meta_get(s, key, &v);

	if (ret != STORE_OK)
		return ret;
	if (v < first)
		v = first;
	*value_r = v;
	return store_meta_set(s, key, v + 1);
}

int store_client_placeholder_next(struct store *s, uint32_t *uid_r)
{
	int64_t v;
	int ret = store_client_counter_next(s, "client_next_placeholder",
					    STORE_CLIENT_PLACEHOLDER_MIN, &v);

	if (ret != STORE_OK)
		return ret;
	/* 268 million local-only messages before this trips; by then the
	 * counter can start over, since confirmed placeholders are gone. */
	if (v > STORE_CLIENT_PLACEHOLDER_MAX) {
		ret = store_meta_set(s, "client_next_placeholder",
				     STORE_CLIENT_PLACEHOLDER_MIN + 1);
		v = STORE_CLIENT_PLACEHOLDER_MIN;
	}
	*uid_r = (uint32_t)v;
	return ret;
}

void store_client_stub_name(char name[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[16];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		hf_panic("getrandom failed");
	for (size_t i = 0; i < sizeof(rnd); i++) {
		name[2 * i] = hex[rnd[i] >> 4];
		name[2 * i + 1] = hex[rnd[i] & 15];
	}
	name[32] = '\0';
}

/* ---- folders ---- */

void store_client_folder_clear(struct store_client_folder *f)
{
	free(f->name);
	free(f->remote_name);
	free(f->mailboxid);
	memset(f, 0, sizeof(*f));
}

#define FOLDER_SELECT                                                                              \
	"SELECT m.id, m.name, c.remote_name, c.delimiter, c.uidvalidity, c.uidnext,"               \
	" c.highestmodseq, c.mailboxid, c.synced_at, m.special_use, m.messages, m.unseen,"         \
	" m.noselect FROM mailboxes m LEFT JOIN client_folders c ON c.mailbox_id = m.id"

static char *column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

static void row_to_folder(sqlite3_stmt *st, struct store_client_folder *f)
{
	memset(f, 0, sizeof(*f));
	f->mailbox_id = sqlite3_column_int64(st, 0);
	f->name = column_strdup(st, 1);
	f->remote_name = column_strdup(st, 2);
	f->delimiter = (char)sqlite3_column_int(st, 3);
	f->uidvalidity = (uint32_t)sqlite3_column_int64(st, 4);
	f->uidnext = (uint32_t)sqlite3_column_int64(st, 5);
	f->highestmodseq = (uint64_t)sqlite3_column_int64(st, 6);
	f->mailboxid = column_strdup(st, 7);
	f->synced_at = sqlite3_column_int64(st, 8);
	f->special_use = (unsigned)sqlite3_column_int(st, 9);
	f->messages = (uint32_t)sqlite3_column_int64(st, 10);
	f->unseen = (uint32_t)sqlite3_column_int64(st, 11);
	f->noselect = sqlite3_column_int(st, 12) != 0;
}

int store_client_folder_get(struct store *s, const char *name, struct store_client_folder *f_r)
{
	sqlite3_stmt *st;
	char *canon;
	int rc, ret = store_mailbox_name_canonical(name, &canon);

	if (ret != STORE_OK)
		return store_fail(s, ret, "invalid folder name %s", name);
	rc = sqlite3_prepare_v2(s->db, FOLDER_SELECT " WHERE m.name = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		free(canon);
		return store_sql_error(s, rc, "read folder");
	}
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_folder(st, f_r);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		ret = store_fail(s, STORE_ERR_NONEXISTENT, "no folder %s", canon);
	else if (rc != SQLITE_ROW)
		ret = store_sql_error(s, rc, "read folder");
	free(canon);
	return ret;
}

int store_client_folder_put(struct store *s, const struct store_client_folder *f)
{
	return store_client_exec(
		s,
		"INSERT INTO client_folders(mailbox_id, remote_name, delimiter, uidvalidity,"
		" uidnext, highestmodseq, mailboxid, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		"?7, ?8)"
		" ON CONFLICT(mailbox_id) DO UPDATE SET"
		" remote_name = coalesce(excluded.remote_name, remote_name),"
		" delimiter = excluded.delimiter, uidvalidity = excluded.uidvalidity,"
		" uidnext = excluded.uidnext, highestmodseq = excluded.highestmodseq,"
		" mailboxid = excluded.mailboxid, synced_at = excluded.synced_at",
		"itiiiiti", f->mailbox_id, f->remote_name, (int64_t)(unsigned char)f->delimiter,
		(int64_t)f->uidvalidity, (int64_t)f->uidnext, (int64_t)f->highestmodseq,
		f->mailboxid, f->synced_at);
}

int store_client_folder_list(struct store *s, store_client_folder_cb *cb, void *ctx)
{
	sqlite3_stmt *st;
	int rc, ret = STORE_OK;

	rc = sqlite3_prepare_v2(s->db, FOLDER_SELECT " ORDER BY m.name <> 'INBOX', m.name", -1, &st,
				NULL);
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "list folders");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_client_folder f;

		row_to_folder(st, &f);
		ret = cb(ctx, &f);
		store_client_folder_clear(&f);
		if (ret != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_sql_error(s, rc, "list folders");
	sqlite3_finalize(st);
	return ret;
}

int store_client_folder_uidvalidity(struct store *s, int64_t mailbox_id, uint32_t *uidvalidity_r)
{
	int64_t v;
	int ret = store_client_query_int(
		s, &v, NULL, "SELECT uidvalidity FROM client_folders WHERE mailbox_id = ?1", "i",
		mailbox_id);

	*uidvalidity_r = (uint32_t)v;
	return ret;
}
