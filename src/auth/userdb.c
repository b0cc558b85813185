/* userdb.c — the user database: opening and schema, adding, changing,
 * deleting and listing users (see userdb.h). Authentication lookups are in
 * userdb-auth.c.
 *
 * Crash safety: every change is one SQLite statement (or one transaction
 * at creation) in WAL mode with synchronous=FULL, so after a crash a user
 * is either there with all its fields or not there at all. Slow work
 * (hashing a password) happens before the write, never inside a lock. */
#include "auth/userdb-private.h"
#include "auth/password.h"

#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define USERDB_SCHEMA_VERSION 1

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS users ("
	"  name TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 255),"
	"  password_hash TEXT,"
	"  scram_salt BLOB,"
	"  scram_iterations INTEGER,"
	"  scram_stored_key BLOB,"
	"  scram_server_key BLOB,"
	"  quota_storage INTEGER NOT NULL DEFAULT 0 CHECK (quota_storage >= 0),"
	"  quota_messages INTEGER NOT NULL DEFAULT 0 CHECK (quota_messages >= 0),"
	"  created INTEGER NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;";

const char *userdb_strerror(enum userdb_err err)
{
	switch (err) {
	case USERDB_OK:
		return "success";
	case USERDB_ERR_NOT_FOUND:
		return "no such user";
	case USERDB_ERR_EXISTS:
		return "user already exists";
	case USERDB_ERR_INVALID:
		return "invalid value";
	case USERDB_ERR_DENIED:
		return "access denied";
	case USERDB_ERR_DB:
		return "user database error";
	}
	return "unknown error";
}

void userdb_settings_default(struct userdb_settings *set_r)
{
	set_r->scram_iterations = SCRAM_ITERATIONS_DEFAULT;
	set_r->upgrade_hashes = true;
	set_r->busy_timeout_ms = 5000;
	set_r->cache_ttl_secs = 3600;
	set_r->shared_cache = NULL;
}

int userdb_fail(struct userdb *db, enum userdb_err err, const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->error, sizeof(db->error), fmt, ap);
	va_end(ap);
	*error_r = db->error;
	return err;
}

int userdb_fail_sql(struct userdb *db, const char **error_r, const char *what)
{
	return userdb_fail(db, USERDB_ERR_DB, error_r, "%s: %s", what, sqlite3_errmsg(db->sql));
}

sqlite3_stmt *userdb_prepare(struct userdb *db, const char *sql, const char **error_r)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &stmt, NULL) != SQLITE_OK) {
		userdb_fail_sql(db, error_r, "preparing a statement");
		return NULL;
	}
	return stmt;
}

void userdb_bind_name(sqlite3_stmt *stmt, const char *name)
{
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
}

/* Run SQL without results; 0 or USERDB_ERR_DB. */
static int exec_sql(struct userdb *db, const char *sql, const char **error_r)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return userdb_fail_sql(db, error_r, "setting up the user database");
	return 0;
}

/* userdb_open() has no handle to own its error message when it fails; the
 * server opens databases from one thread per process. */
static _Thread_local char open_error[256];

/* Create the file with mode 0600 before SQLite does (it would use 0644 and
 * copy that mode to the -wal and -shm files). */
static int precreate(const char *path, const char **error_r)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(open_error, sizeof(open_error), "cannot open %s: %s", path,
			 strerror(errno));
		*error_r = open_error;
		return -1;
	}
	close(fd);
	return 0;
}

static int read_user_version(struct userdb *db, int *version_r, const char **error_r)
{
	sqlite3_stmt *stmt = userdb_prepare(db, "PRAGMA user_version", error_r);

	if (stmt == NULL)
		return USERDB_ERR_DB;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return userdb_fail_sql(db, error_r, "reading the schema version");
	}
	*version_r = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

/* The decoy secret is made once, with the schema, and never changes. */
static int load_secret(struct userdb *db, const char **error_r)
{
	sqlite3_stmt *stmt;
	int ret = 0;

	stmt = userdb_prepare(db, "SELECT value FROM meta WHERE key = 'decoy_secret'", error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == USERDB_SECRET_LEN)
		memcpy(db->decoy_secret, sqlite3_column_blob(stmt, 0), USERDB_SECRET_LEN);
	else
		ret = userdb_fail(db, USERDB_ERR_DB, error_r, "user database has no decoy secret");
	sqlite3_finalize(stmt);
	return ret;
}

static int create_schema(struct userdb *db, const char **error_r)
{
	unsigned char secret[USERDB_SECRET_LEN];
	sqlite3_stmt *stmt;
	int version = -1, ret;

	if (exec_sql(db, "BEGIN IMMEDIATE", error_r) < 0)
		return USERDB_ERR_DB;
	/* Another process may have created it while we waited for the lock. */
	ret = read_user_version(db, &version, error_r);
	if (ret == 0 && version == 0) {
		ret = exec_sql(db, schema_sql, error_r);
		if (RAND_bytes(secret, sizeof(secret)) != 1)
			hf_panic("RAND_bytes failed");
		stmt = ret < 0 ? NULL
			       : userdb_prepare(
					 db,
					 "INSERT INTO meta (key, value) VALUES ('decoy_secret', ?)",
					 error_r);
		if (stmt != NULL) {
			sqlite3_bind_blob(stmt, 1, secret, sizeof(secret), SQLITE_TRANSIENT);
			if (sqlite3_step(stmt) != SQLITE_DONE)
				ret = userdb_fail_sql(db, error_r, "creating the user database");
			sqlite3_finalize(stmt);
		} else {
			ret = USERDB_ERR_DB;
		}
		OPENSSL_cleanse(secret, sizeof(secret));
		if (ret == 0)
			ret = exec_sql(db, "PRAGMA user_version = 1", error_r);
	}
	if (ret == 0)
		return exec_sql(db, "COMMIT", error_r);
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

static int setup(struct userdb *db, const char **error_r)
{
	int version = -1, ret;

	sqlite3_busy_timeout(db->sql, db->set.busy_timeout_ms);
	if (exec_sql(db, "PRAGMA journal_mode=WAL", error_r) < 0 ||
	    exec_sql(db, "PRAGMA synchronous=FULL", error_r) < 0)
		return USERDB_ERR_DB;
	ret = read_user_version(db, &version, error_r);
	if (ret == 0 && version == 0)
		ret = create_schema(db, error_r);
	else if (ret == 0 && version != USERDB_SCHEMA_VERSION)
		ret = userdb_fail(db, USERDB_ERR_DB, error_r,
				  "user database has schema version %d, we know %d", version,
				  USERDB_SCHEMA_VERSION);
	return ret < 0 ? ret : load_secret(db, error_r);
}

int userdb_open(const char *path, const struct userdb_settings *set, struct userdb **db_r,
		const char **error_r)
{
	struct userdb *db = xcalloc(1, sizeof(*db));
	int ret;

	if (set != NULL)
		db->set = *set;
	else
		userdb_settings_default(&db->set);
	*db_r = NULL;
	if (db->set.scram_iterations < SCRAM_ITERATIONS_MIN ||
	    db->set.scram_iterations > SCRAM_ITERATIONS_MAX) {
		free(db);
		*error_r = "SCRAM iteration count out of range";
		return USERDB_ERR_INVALID;
	}
	if (precreate(path, error_r) < 0) {
		free(db);
		return USERDB_ERR_DB;
	}
	if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		*error_r = db->sql != NULL ? "cannot open the user database" : "out of memory";
		sqlite3_close(db->sql);
		free(db);
		return USERDB_ERR_DB;
	}
	ret = setup(db, error_r);
	if (ret < 0) {
		snprintf(open_error, sizeof(open_error), "%s", db->error);
		*error_r = open_error;
		userdb_close(&db);
		return ret;
	}
	if (db->set.cache_ttl_secs > 0 && db->set.shared_cache != NULL) {
		db->cache = db->set.shared_cache;
	} else {
		db->cache = userdb_cache_new(db->set.cache_ttl_secs);
		db->cache_owned = true;
	}
	*db_r = db;
	return 0;
}

void userdb_close(struct userdb **dbp)
{
	struct userdb *db = *dbp;

	if (db == NULL)
		return;
	sqlite3_close(db->sql);
	if (db->cache_owned)
		userdb_cache_free(&db->cache);
	OPENSSL_cleanse(db, sizeof(*db));
	xfree(dbp);
}
