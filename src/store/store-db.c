/* store-db.c — opening a user's store, the prepared-statement cache,
 * transactions, and turning SQLite errors into store errors. */
#include "store-private.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a writer waits for another process's transaction. Writers hold
 * the lock for milliseconds, so this only trips when something is wrong. */
#define STORE_BUSY_TIMEOUT_MS 15000

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_MAILBOX_BY_NAME] =
		"SELECT id, name, uidvalidity, uidnext, highestmodseq, messages, unseen, deleted,"
		" size, first_recent_uid, special_use, noselect, mailboxid,"
		" EXISTS(SELECT 1 FROM subscriptions WHERE subscriptions.name = mailboxes.name)"
		" FROM mailboxes WHERE name = ?1",
	[STMT_MAILBOX_BY_ID] =
		"SELECT id, name, uidvalidity, uidnext, highestmodseq, messages, unseen, deleted,"
		" size, first_recent_uid, special_use, noselect, mailboxid,"
		" EXISTS(SELECT 1 FROM subscriptions WHERE subscriptions.name = mailboxes.name)"
		" FROM mailboxes WHERE id = ?1",
	[STMT_MAILBOX_INSERT] = "INSERT INTO mailboxes(name, uidvalidity, special_use, noselect,"
				" mailboxid) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_MAILBOX_LIST] =
		"SELECT id, name, uidvalidity, uidnext, highestmodseq, messages, unseen, deleted,"
		" size, first_recent_uid, special_use, noselect, mailboxid,"
		" EXISTS(SELECT 1 FROM subscriptions WHERE subscriptions.name = mailboxes.name),"
		" EXISTS(SELECT 1 FROM mailboxes c WHERE c.name > mailboxes.name || '/'"
		"        AND c.name < mailboxes.name || '0')"
		" FROM mailboxes ORDER BY name <> 'INBOX', name",
	[STMT_MAILBOX_CHILD_EXISTS] = "SELECT 1 FROM mailboxes WHERE name > ?1 || '/'"
				      " AND name < ?1 || '0' LIMIT 1",
	[STMT_MAILBOX_COUNTERS_ADD] =
		"UPDATE mailboxes SET messages = messages + ?2, unseen = unseen + ?3,"
		" deleted = deleted + ?4, size = size + ?5 WHERE id = ?1",
	[STMT_MAILBOX_BUMP_MODSEQ] =
		"UPDATE mailboxes SET highestmodseq = highestmodseq + 1 WHERE id = ?1"
		" RETURNING highestmodseq",
	[STMT_MAILBOX_TAKE_UIDS] =
		"UPDATE mailboxes SET uidnext = uidnext + ?2, highestmodseq = highestmodseq + 1"
		" WHERE id = ?1 AND noselect = 0 RETURNING uidnext - ?2, highestmodseq",
	[STMT_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[STMT_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
			  " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[STMT_FILE_INSERT] =
		"INSERT INTO files(name, size, sent_date, sent_tz, envelope, bodystructure, body,"
		" parts, headers, message_id, threadid, sort_subject, sort_from, sort_to, sort_cc,"
		" display_from, display_to, preview)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18)",
	[STMT_FTS_INSERT] = "INSERT INTO fts(rowid, hdr_from, hdr_to, hdr_cc, hdr_bcc, subject,"
			    " headers, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STMT_MSG_INSERT] = "INSERT INTO messages(mailbox_id, uid, file_id, flags, keywords,"
			    " modseq, internaldate, tz, savedate, size)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[STMT_MSG_GET] = "SELECT flags, keywords, modseq FROM messages"
			 " WHERE mailbox_id = ?1 AND uid = ?2",
	[STMT_MSG_SET_FLAGS] = "UPDATE messages SET flags = ?3, keywords = ?4, modseq = ?5"
			       " WHERE mailbox_id = ?1 AND uid = ?2",
	[STMT_KEYWORD_ADD] = "INSERT OR IGNORE INTO keywords(mailbox_id, name) VALUES (?1, ?2)",
	[STMT_THREAD_BY_MSGID] = "SELECT threadid FROM files WHERE message_id = ?1 LIMIT 1",
	[STMT_SUB_SET] = "INSERT OR IGNORE INTO subscriptions(name) VALUES (?1)",
	[STMT_SUB_DEL] = "DELETE FROM subscriptions WHERE name = ?1",
	[STMT_SUB_GET] = "SELECT name FROM subscriptions ORDER BY name",
};

const char *store_strerror(int err)
{
	switch (err) {
	case STORE_OK:
		return "success";
	case STORE_ERR_NONEXISTENT:
		return "no such mailbox";
	case STORE_ERR_EXISTS:
		return "mailbox already exists";
	case STORE_ERR_INVALID:
		return "invalid name or argument";
	case STORE_ERR_OVERQUOTA:
		return "quota exceeded";
	case STORE_ERR_NOSELECT:
		return "mailbox cannot hold messages";
	case STORE_ERR_HASCHILDREN:
		return "mailbox has children";
	case STORE_ERR_CANNOT:
		return "operation not permitted";
	case STORE_ERR_IO:
		return "storage failure";
	case STORE_ERR_BUSY:
		return "mailbox is busy";
	case STORE_ERR_CORRUPT:
		return "store is damaged";
	case STORE_ERR_TOOBIG:
		return "message too big";
	case STORE_ERR_LIMIT:
		return "limit reached";
	case STORE_ERR_CHANGED:
		return "mailbox changed meanwhile";
	default:
		return "unknown store error";
	}
}

void store_error_set(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

void store_sql_error_set(struct store *s, int rc, const char *what)
{
	store_error_set(s, "%s: %s: %s", s->dir, what,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

const char *store_last_error(const struct store *s)
{
	return s->err[0] ? s->err : "no error";
}

bool store_in_use(const struct store *s)
{
	return s->in_tx || s->iterators > 0;
}

const char *store_dir(const struct store *s)
{
	return s->dir;
}

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which)
{
	sqlite3_stmt *st = s->stmts[which];
	int rc;

	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	rc = sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		store_sql_error(s, rc, "prepare");
		return NULL;
	}
	s->stmts[which] = st;
	return st;
}

sqlite3_stmt *store_stmt_sql(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < s->sql_stmt_count; i++) {
		if (s->sql_stmts[i].sql == sql) {
			st = s->sql_stmts[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		store_sql_error(s, rc, "prepare");
		return NULL;
	}
	s->sql_stmts = xreallocarray(s->sql_stmts, s->sql_stmt_count + 1, sizeof(*s->sql_stmts));
	s->sql_stmts[s->sql_stmt_count].sql = sql;
	s->sql_stmts[s->sql_stmt_count].stmt = st;
	s->sql_stmt_count++;
	return st;
}

int store_exec(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? STORE_OK : store_sql_error(s, rc, sql);
}

/* The connection's sync level: NORMAL only inside a relaxed transaction. */
static int set_sync_normal(struct store *s, bool normal)
{
	int ret = store_exec(s, normal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");

	if (ret == STORE_OK)
		s->sync_normal = normal;
	return ret;
}

static int tx_begin(struct store *s)
{
	int ret;

	if (s->in_tx)
		hf_panic("store: nested transaction");
	ret = store_exec(s, "BEGIN IMMEDIATE");
	if (ret == STORE_OK)
		s->in_tx = true;
	return ret;
}

int store_tx_begin(struct store *s)
{
	/* Should restoring FULL after a relaxed transaction have failed, no
	 * durable transaction starts before it is back. */
	if (s->sync_normal && set_sync_normal(s, false) != STORE_OK)
		return STORE_ERR_IO;
	return tx_begin(s);
}

int store_tx_begin_relaxed(struct store *s)
{
	/* The level cannot change inside a transaction, so it is set first. */
	int ret = set_sync_normal(s, true);

	if (ret == STORE_OK && (ret = tx_begin(s)) != STORE_OK)
		set_sync_normal(s, false);
	return ret;
}

int store_tx_commit(struct store *s)
{
	int ret = store_exec(s, "COMMIT");

	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	s->in_tx = false;
	/* A relaxed transaction changed nothing a session shows (the search
	 * index queue, a \Recent claim): no need to wake every session of the
	 * user in every process. */
	if (s->sync_normal)
		set_sync_normal(s, false);
	else
		store_notify_poke(s);
	return STORE_OK;
}

void store_tx_rollback(struct store *s)
{
	if (!s->in_tx)
		return;
	/* A failed COMMIT may already have rolled back; ignore that error. */
	if (sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = false;
	if (s->sync_normal)
		set_sync_normal(s, false);
}

void store_notify_poke(struct store *s)
{
	/* Any write to the file raises IN_MODIFY for every watcher; one byte at
	 * offset 0 keeps the file at one byte forever. */
	if (s->notify_fd >= 0 && pwrite(s->notify_fd, "!", 1, 0) < 0) {
		/* Watchers will catch up at their next command; nothing is lost. */
	}
}

int store_meta_get(struct store *s, const char *key, int64_t *value_r)
{
	sqlite3_stmt *st = store_stmt(s, STMT_META_GET);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value_r = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return STORE_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		*value_r = 0;
		return STORE_OK;
	}
	return store_sql_error(s, rc, "read meta");
}

int store_meta_set(struct store *s, const char *key, int64_t value)
{
	sqlite3_stmt *st = store_stmt(s, STMT_META_SET);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "write meta");
}

static int open_dir(struct store *s, const char *path, bool create, int *fd_r)
{
	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return store_fail(s, STORE_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
	*fd_r = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd_r < 0)
		return store_fail(s, errno == ENOENT ? STORE_ERR_NONEXISTENT : STORE_ERR_IO,
				  "%s: cannot open: %s", path, strerror(errno));
	return STORE_OK;
}

static int open_files(struct store *s, bool create)
{
	char path[4096];
	int ret;

	ret = open_dir(s, s->dir, create, &s->dir_fd);
	if (ret != STORE_OK)
		return ret;
	snprintf(path, sizeof(path), "%s/msg", s->dir);
	ret = open_dir(s, path, create, &s->msg_fd);
	if (ret != STORE_OK)
		return ret;
	if (create && fsync(s->dir_fd) < 0)
		return store_fail(s, STORE_ERR_IO, "%s: fsync: %s", s->dir, strerror(errno));
	s->notify_fd = openat(s->dir_fd, "notify", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (s->notify_fd < 0)
		return store_fail(s, STORE_ERR_IO, "%s/notify: %s", s->dir, strerror(errno));
	return STORE_OK;
}

static int open_db(struct store *s, bool create)
{
	char path[4096];
	int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (create)
		flags |= SQLITE_OPEN_CREATE;
	snprintf(path, sizeof(path), "%s/store.db", s->dir);
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "open store.db");
	sqlite3_extended_result_codes(s->db, 1);
	store_busy_install(s->db, STORE_BUSY_TIMEOUT_MS);
	/* Closing must stay cheap (a session's last logout): the WAL is
	 * checkpointed by SQLite's automatic checkpoints, not at every close. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	/* synchronous=FULL: a commit is on disk when COMMIT returns, which is
	 * the moment we acknowledge (docs/store.md explains the choice). */
	return store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			     " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
}

/* Every user has an INBOX (RFC 9051 5.1); another process may be making it
 * at the same moment, which is fine. */
static int ensure_inbox(struct store *s)
{
	struct store_mailbox mb;
	int ret = store_mailbox_lookup(s, "INBOX", &mb);

	if (ret == STORE_OK) {
		store_mailbox_clear(&mb);
		return STORE_OK;
	}
	if (ret != STORE_ERR_NONEXISTENT)
		return ret;
	ret = store_mailbox_create(s, "INBOX", 0);
	return ret == STORE_ERR_EXISTS ? STORE_OK : ret;
}

int store_open(const char *user_dir, unsigned flags, struct store **store_r, const char **error_r)
{
	static __thread char errbuf[512];
	struct store *s = xcalloc(1, sizeof(*s));
	bool create = (flags & STORE_OPEN_CREATE) != 0;
	int ret;

	s->dir = xstrdup(user_dir);
	s->dir_fd = s->msg_fd = s->notify_fd = -1;
	ret = open_files(s, create);
	if (ret == STORE_OK)
		ret = open_db(s, create);
	if (ret == STORE_OK)
		ret = store_schema_init(s);
	if (ret == STORE_OK)
		ret = store_search_register(s);
	if (ret == STORE_OK)
		ret = ensure_inbox(s);
	if (ret != STORE_OK) {
		snprintf(errbuf, sizeof(errbuf), "%s", s->err);
		*error_r = errbuf;
		store_close(&s);
		return ret;
	}
	*store_r = s;
	return STORE_OK;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;

	if (s == NULL)
		return;
	for (size_t i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	for (size_t i = 0; i < s->sql_stmt_count; i++)
		sqlite3_finalize(s->sql_stmts[i].stmt);
	free(s->sql_stmts);
	if (s->in_tx)
		store_tx_rollback(s);
	sqlite3_close_v2(s->db);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	if (s->msg_fd >= 0)
		close(s->msg_fd);
	if (s->notify_fd >= 0)
		close(s->notify_fd);
	free(s->dir);
	free(s);
	*sp = NULL;
}
