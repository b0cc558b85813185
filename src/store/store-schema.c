/* store-schema.c — the database schema of a user's store and its upgrades.
 *
 * docs/store.md describes every table. PRAGMA user_version holds the schema
 * version; an older database is upgraded in one transaction, a newer one
 * is refused rather than misread.
 */
#include "store-private.h"

#define SCHEMA_VERSION 2

static const char schema_v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	/* AUTOINCREMENT: a mailbox id is never reused, so a stale id held by a
	 * session can never point at a re-created mailbox. */
	"CREATE TABLE mailboxes("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL UNIQUE,"
	" uidvalidity INTEGER NOT NULL,"
	" uidnext INTEGER NOT NULL DEFAULT 1,"
	" highestmodseq INTEGER NOT NULL DEFAULT 1,"
	" first_recent_uid INTEGER NOT NULL DEFAULT 1,"
	" messages INTEGER NOT NULL DEFAULT 0,"
	" unseen INTEGER NOT NULL DEFAULT 0,"
	" deleted INTEGER NOT NULL DEFAULT 0,"
	" size INTEGER NOT NULL DEFAULT 0,"
	" special_use INTEGER NOT NULL DEFAULT 0,"
	" noselect INTEGER NOT NULL DEFAULT 0,"
	" mailboxid TEXT NOT NULL UNIQUE);"
	"CREATE TABLE subscriptions(name TEXT PRIMARY KEY) WITHOUT ROWID;"
	/* One row per message file: what parsing it once at save time gave. */
	"CREATE TABLE files("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL UNIQUE,"
	" size INTEGER NOT NULL,"
	" sent_date INTEGER,"
	" sent_tz INTEGER,"
	" envelope TEXT NOT NULL,"
	" bodystructure TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" parts BLOB NOT NULL,"
	" headers BLOB NOT NULL,"
	" message_id TEXT,"
	" threadid TEXT NOT NULL,"
	" sort_subject TEXT,"
	" sort_from TEXT,"
	" sort_to TEXT,"
	" sort_cc TEXT,"
	" display_from TEXT,"
	" display_to TEXT,"
	" preview TEXT);"
	"CREATE INDEX files_message_id ON files(message_id);"
	/* One row per message in a mailbox; COPY adds rows, never bytes. */
	"CREATE TABLE messages("
	" mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id),"
	" uid INTEGER NOT NULL,"
	" file_id INTEGER NOT NULL REFERENCES files(id),"
	" flags INTEGER NOT NULL,"
	" keywords TEXT NOT NULL DEFAULT '',"
	" modseq INTEGER NOT NULL,"
	" internaldate INTEGER NOT NULL,"
	" tz INTEGER NOT NULL,"
	" savedate INTEGER NOT NULL,"
	" size INTEGER NOT NULL,"
	" PRIMARY KEY(mailbox_id, uid)) WITHOUT ROWID;"
	"CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);"
	"CREATE INDEX messages_file ON messages(file_id);"
	/* Tombstones for QRESYNC's VANISHED (EARLIER) (RFC 7162 3.2.5). */
	"CREATE TABLE expunged("
	" mailbox_id INTEGER NOT NULL,"
	" uid INTEGER NOT NULL,"
	" modseq INTEGER NOT NULL,"
	" PRIMARY KEY(mailbox_id, uid)) WITHOUT ROWID;"
	"CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);"
	/* Keywords ever used in a mailbox: its FLAGS and PERMANENTFLAGS. */
	"CREATE TABLE keywords("
	" mailbox_id INTEGER NOT NULL,"
	" name TEXT NOT NULL COLLATE NOCASE,"
	" PRIMARY KEY(mailbox_id, name)) WITHOUT ROWID;"
	/* Search text, case-folded, one row per file (rowid = files.id). The
	 * trigram tokenizer makes a phrase query a substring match. */
	"CREATE VIRTUAL TABLE fts USING fts5(hdr_from, hdr_to, hdr_cc, hdr_bcc, subject,"
	" headers, body, tokenize='trigram');";

/* Version 2: the search index is brought up to date in batches off the
 * command path (store-fts.c). One row per file whose text is still to be
 * indexed (op 1) or whose index entry is still to be removed (op 0). */
static const char schema_v2[] =
	"CREATE TABLE fts_pending(file_id INTEGER PRIMARY KEY, op INTEGER NOT NULL);";

/* Bring a database at version from up to SCHEMA_VERSION, inside the
 * caller's transaction. */
static int upgrade(struct store *s, int from)
{
	int ret = STORE_OK;

	if (from < 1)
		ret = store_exec(s, schema_v1);
	if (ret == STORE_OK && from < 2)
		ret = store_exec(s, schema_v2);
	if (ret == STORE_OK)
		ret = store_exec(s, "PRAGMA user_version = 2");
	return ret;
}

int store_schema_init(struct store *s)
{
	sqlite3_stmt *st;
	int version, rc, ret;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "read schema version");
	rc = sqlite3_step(st);
	version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (version < 0)
		return store_sql_error(s, rc, "read schema version");
	if (version == SCHEMA_VERSION)
		return STORE_OK;
	if (version > SCHEMA_VERSION)
		return store_fail(s, STORE_ERR_CORRUPT,
				  "%s: store.db has schema version %d, newer than this hafen (%d)",
				  s->dir, version, SCHEMA_VERSION);
	ret = store_tx_begin(s);
	if (ret != STORE_OK)
		return ret;
	/* Another process may have created the schema while we waited. */
	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < SCHEMA_VERSION)
		ret = upgrade(s, version);
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}
