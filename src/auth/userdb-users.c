/* userdb-users.c — adding, changing, deleting and listing users in the
 * user database (see userdb.h). */
#include "auth/userdb-private.h"
#include "auth/password.h"
#include "auth/saslprep.h"

#include "lib/mem.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Normalise name into out; USERDB_ERR_INVALID with a message otherwise. */
static int normalize(struct userdb *db, const char *name, char out[USERDB_NAME_MAX + 1],
		     const char **error_r)
{
	const char *error;

	if (userdb_name_normalize(name, strlen(name), out, &error) < 0)
		return userdb_fail(db, USERDB_ERR_INVALID, error_r, "%s", error);
	return 0;
}

int userdb_make_secrets(struct userdb *db, const char *password, size_t password_len, char **hash_r,
			struct scram_keys *keys_r, const char **error_r)
{
	const char *error = NULL;
	char *prepared;
	size_t prepared_len;
	int ret;

	/* Stored-string SASLprep (RFC 4013, RFC 3454 section 7): what PLAIN,
	 * LOGIN and SCRAM all compare against later. */
	if (saslprep(password, password_len, SASLPREP_STORED, &prepared, &prepared_len, &error) < 0)
		return userdb_fail(db, USERDB_ERR_INVALID, error_r, "password rejected: %s", error);
	if (prepared_len == 0)
		ret = userdb_fail(db, USERDB_ERR_INVALID, error_r, "empty password");
	else if (password_hash(prepared, prepared_len, hash_r, &error) < 0)
		ret = userdb_fail(db, USERDB_ERR_INVALID, error_r, "password rejected: %s", error);
	else if (scram_keys_generate(password, password_len, db->set.scram_iterations, keys_r,
				     &error) < 0) {
		xfree(hash_r);
		ret = userdb_fail(db, USERDB_ERR_INVALID, error_r, "password rejected: %s", error);
	} else {
		ret = 0;
	}
	OPENSSL_cleanse(prepared, prepared_len);
	free(prepared);
	return ret;
}

static void bind_keys(sqlite3_stmt *stmt, int first, const struct scram_keys *keys)
{
	if (keys == NULL) {
		for (int i = 0; i < 4; i++)
			sqlite3_bind_null(stmt, first + i);
		return;
	}
	sqlite3_bind_blob(stmt, first, keys->salt, (int)keys->salt_len, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, first + 1, keys->iterations);
	sqlite3_bind_blob(stmt, first + 2, keys->stored_key, SCRAM_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, first + 3, keys->server_key, SCRAM_KEY_LEN, SQLITE_STATIC);
}

/* Run a statement that changes one user's row; NOT_FOUND if none changed. */
static int step_change(struct userdb *db, sqlite3_stmt *stmt, const char *what,
		       const char **error_r)
{
	int rc = sqlite3_step(stmt), ret = 0;

	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(db->sql) == SQLITE_CONSTRAINT_PRIMARYKEY)
		ret = userdb_fail(db, USERDB_ERR_EXISTS, error_r, "user already exists");
	else if (rc != SQLITE_DONE)
		ret = userdb_fail_sql(db, error_r, what);
	else if (sqlite3_changes(db->sql) == 0)
		ret = userdb_fail(db, USERDB_ERR_NOT_FOUND, error_r, "no such user");
	sqlite3_finalize(stmt);
	return ret;
}

static int insert_user(struct userdb *db, const char *name, const char *hash,
		       const struct scram_keys *keys, const char **error_r)
{
	sqlite3_stmt *stmt;

	stmt = userdb_prepare(
		db,
		"INSERT INTO users (name, password_hash, scram_salt, scram_iterations,"
		" scram_stored_key, scram_server_key, created)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)",
		error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	userdb_bind_name(stmt, name);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	bind_keys(stmt, 3, keys);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)time(NULL));
	return step_change(db, stmt, "adding a user", error_r);
}

int userdb_add(struct userdb *db, const char *name, const char *password, size_t password_len,
	       const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1], *hash = NULL;
	struct scram_keys keys;
	int ret;

	if ((ret = normalize(db, name, norm, error_r)) < 0)
		return ret;
	if (password == NULL)
		return insert_user(db, norm, NULL, NULL, error_r);
	ret = userdb_make_secrets(db, password, password_len, &hash, &keys, error_r);
	if (ret == 0)
		ret = insert_user(db, norm, hash, &keys, error_r);
	scram_keys_cleanse(&keys);
	free(hash);
	return ret;
}

int userdb_add_hashed(struct userdb *db, const char *name, const char *hash, const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1], *stored;
	const char *error;
	int ret;

	if ((ret = normalize(db, name, norm, error_r)) < 0)
		return ret;
	if (password_import(hash, &stored, &error) < 0)
		return userdb_fail(db, USERDB_ERR_INVALID, error_r, "%s", error);
	ret = insert_user(db, norm, stored, NULL, error_r);
	free(stored);
	return ret;
}

int userdb_store_secrets(struct userdb *db, const char *name, const char *hash,
			 const struct scram_keys *keys, const char *old_hash, const char **error_r)
{
	sqlite3_stmt *stmt;

	stmt = userdb_prepare(db,
			      "UPDATE users SET password_hash = ?2, scram_salt = ?3,"
			      " scram_iterations = ?4, scram_stored_key = ?5, scram_server_key = ?6"
			      " WHERE name = ?1 AND (?7 IS NULL OR password_hash = ?7)",
			      error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	userdb_bind_name(stmt, name);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	bind_keys(stmt, 3, keys);
	sqlite3_bind_text(stmt, 7, old_hash, -1, SQLITE_STATIC);
	return step_change(db, stmt, "changing a password", error_r);
}

int userdb_set_password(struct userdb *db, const char *name, const char *password,
			size_t password_len, const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1], *hash = NULL;
	struct scram_keys keys;
	int ret;

	if ((ret = normalize(db, name, norm, error_r)) < 0)
		return ret;
	ret = userdb_make_secrets(db, password, password_len, &hash, &keys, error_r);
	if (ret == 0)
		ret = userdb_store_secrets(db, norm, hash, &keys, NULL, error_r);
	scram_keys_cleanse(&keys);
	free(hash);
	return ret;
}

int userdb_set_hash(struct userdb *db, const char *name, const char *hash, const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1], *stored;
	const char *error;
	int ret;

	if ((ret = normalize(db, name, norm, error_r)) < 0)
		return ret;
	if (password_import(hash, &stored, &error) < 0)
		return userdb_fail(db, USERDB_ERR_INVALID, error_r, "%s", error);
	ret = userdb_store_secrets(db, norm, stored, NULL, NULL, error_r);
	free(stored);
	return ret;
}

/* Run "UPDATE/DELETE ... WHERE name = ?1" with up to two integer values. */
static int change_user(struct userdb *db, const char *name, const char *sql, int nvalues,
		       const sqlite3_int64 *values, const char *what, const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1];
	sqlite3_stmt *stmt;
	int ret;

	if ((ret = normalize(db, name, norm, error_r)) < 0)
		return ret;
	stmt = userdb_prepare(db, sql, error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	userdb_bind_name(stmt, norm);
	for (int i = 0; i < nvalues; i++)
		sqlite3_bind_int64(stmt, i + 2, values[i]);
	return step_change(db, stmt, what, error_r);
}

int userdb_delete(struct userdb *db, const char *name, const char **error_r)
{
	return change_user(db, name, "DELETE FROM users WHERE name = ?1", 0, NULL,
			   "deleting a user", error_r);
}

int userdb_set_disabled(struct userdb *db, const char *name, bool disabled, const char **error_r)
{
	sqlite3_int64 v = disabled;

	return change_user(db, name, "UPDATE users SET disabled = ?2 WHERE name = ?1", 1, &v,
			   "changing a user", error_r);
}

int userdb_set_quota(struct userdb *db, const char *name, uint64_t storage_bytes, uint64_t messages,
		     const char **error_r)
{
	sqlite3_int64 v[2] = {(sqlite3_int64)storage_bytes, (sqlite3_int64)messages};

	if (storage_bytes > INT64_MAX || messages > INT64_MAX)
		return userdb_fail(db, USERDB_ERR_INVALID, error_r, "quota limit too large");
	return change_user(
		db, name,
		"UPDATE users SET quota_storage = ?2, quota_messages = ?3 WHERE name = ?1", 2, v,
		"changing a quota", error_r);
}

#define USER_COLUMNS                                                                               \
	"name, password_hash, scram_stored_key IS NOT NULL, quota_storage, quota_messages,"        \
	" created, disabled"

static void read_user(sqlite3_stmt *stmt, struct userdb_user *u)
{
	const char *name = (const char *)sqlite3_column_text(stmt, 0);
	const char *hash = (const char *)sqlite3_column_text(stmt, 1);

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name != NULL ? name : "");
	u->has_password = hash != NULL;
	u->scheme = hash != NULL ? password_scheme_name(hash) : "";
	u->has_scram = sqlite3_column_int(stmt, 2) != 0;
	u->quota_storage = (uint64_t)sqlite3_column_int64(stmt, 3);
	u->quota_messages = (uint64_t)sqlite3_column_int64(stmt, 4);
	u->created = sqlite3_column_int64(stmt, 5);
	u->disabled = sqlite3_column_int(stmt, 6) != 0;
}

int userdb_get(struct userdb *db, const char *name, struct userdb_user *user_r,
	       const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1];
	sqlite3_stmt *stmt;
	int rc, ret = 0;

	if (userdb_name_normalize(name, strlen(name), norm, error_r) < 0)
		return userdb_fail(db, USERDB_ERR_NOT_FOUND, error_r, "no such user");
	stmt = userdb_prepare(db, "SELECT " USER_COLUMNS " FROM users WHERE name = ?1", error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	userdb_bind_name(stmt, norm);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		read_user(stmt, user_r);
	else if (rc == SQLITE_DONE)
		ret = userdb_fail(db, USERDB_ERR_NOT_FOUND, error_r, "no such user");
	else
		ret = userdb_fail_sql(db, error_r, "reading a user");
	sqlite3_finalize(stmt);
	return ret;
}

int userdb_get_quota(struct userdb *db, const char *name, uint64_t *storage_bytes_r,
		     uint64_t *messages_r, const char **error_r)
{
	struct userdb_user u = {0};
	int ret = userdb_get(db, name, &u, error_r);

	if (ret == 0) {
		*storage_bytes_r = u.quota_storage;
		*messages_r = u.quota_messages;
	}
	return ret;
}

int userdb_list(struct userdb *db, int (*fn)(void *context, const struct userdb_user *user),
		void *context, const char **error_r)
{
	struct userdb_user u;
	sqlite3_stmt *stmt;
	int rc;

	stmt = userdb_prepare(db, "SELECT " USER_COLUMNS " FROM users ORDER BY name", error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		read_user(stmt, &u);
		if (fn(context, &u) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		userdb_fail_sql(db, error_r, "listing users");
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : USERDB_ERR_DB;
}
