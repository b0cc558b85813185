/* userdb-auth.c — the user database's answers to authentication: check a
 * password, fetch SCRAM keys, make decoy keys, upgrade old hashes (see
 * userdb.h). */
#include "auth/userdb-private.h"
#include "auth/password.h"
#include "auth/saslprep.h"

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct auth_row {
	char *hash; /* NULL: no password */
	bool has_scram;
	uint32_t scram_iterations;
	bool disabled;
};

static void auth_row_free(struct auth_row *row)
{
	if (row->hash != NULL)
		OPENSSL_cleanse(row->hash, strlen(row->hash));
	xfree(&row->hash);
}

/* Read what a password check needs. USERDB_OK, NOT_FOUND or DB. */
static int read_auth_row(struct userdb *db, const char *name, struct auth_row *row_r,
			 const char **error_r)
{
	sqlite3_stmt *stmt;
	int rc, ret = 0;

	memset(row_r, 0, sizeof(*row_r));
	stmt = userdb_prepare(db,
			      "SELECT password_hash, scram_stored_key IS NOT NULL, disabled,"
			      " scram_iterations FROM users WHERE name = ?1",
			      error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	userdb_bind_name(stmt, name);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(stmt, 0);

		row_r->hash = hash != NULL ? xstrdup(hash) : NULL;
		row_r->has_scram = sqlite3_column_int(stmt, 1) != 0;
		row_r->disabled = sqlite3_column_int(stmt, 2) != 0;
		row_r->scram_iterations = (uint32_t)sqlite3_column_int64(stmt, 3);
	} else if (rc == SQLITE_DONE) {
		ret = userdb_fail(db, USERDB_ERR_NOT_FOUND, error_r, "no such user");
	} else {
		ret = userdb_fail_sql(db, error_r, "looking up a user");
	}
	sqlite3_finalize(stmt);
	return ret;
}

/* Does the password match the row's hash? Our own hashes are of the
 * SASLprep'd password. An imported hash (no SCRAM keys beside it) may be
 * of the raw bytes, so those are tried as well when they differ. */
static bool password_matches(const struct auth_row *row, const char *password, size_t len,
			     const char *prepared, size_t prepared_len)
{
	if (prepared != NULL && password_verify(row->hash, prepared, prepared_len) == 1)
		return true;
	if (row->has_scram)
		return false;
	if (prepared != NULL && prepared_len == len && memcmp(prepared, password, len) == 0)
		return false;
	return password_verify(row->hash, password, len) == 1;
}

/* Rehash with today's scheme and add SCRAM keys (or remake them with a
 * raised iteration count), now that we know the password. Failure only
 * costs the upgrade; the login stands. */
static void upgrade_secrets(struct userdb *db, const char *name, const struct auth_row *row,
			    const char *password, size_t len)
{
	struct scram_keys keys;
	const char *error;
	char *hash = NULL;

	if (!db->set.upgrade_hashes || (row->has_scram && password_is_current(row->hash) &&
					row->scram_iterations >= db->set.scram_iterations))
		return;
	if (userdb_make_secrets(db, password, len, &hash, &keys, &error) == 0) {
		/* Only if nobody changed the password meanwhile. */
		if (userdb_store_secrets(db, name, hash, &keys, row->hash, &error) == 0)
			log_info("user %s: password hash upgraded from %s", name,
				 password_scheme_name(row->hash));
		else
			log_warn("user %s: password hash upgrade failed: %s", name, error);
	}
	scram_keys_cleanse(&keys);
	free(hash);
}

int userdb_verify_password(struct userdb *db, const char *name, const char *password,
			   size_t password_len, char user_r[USERDB_NAME_MAX + 1],
			   const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1], *prepared = NULL;
	size_t prepared_len = 0;
	struct auth_row row;
	const char *error;
	bool match;
	int ret;

	if (userdb_name_normalize(name, strlen(name), norm, &error) < 0 ||
	    (ret = read_auth_row(db, norm, &row, error_r)) == USERDB_ERR_NOT_FOUND) {
		/* Unknown users cost a hash too, so timing tells nothing. */
		password_verify_dummy(password, password_len);
		return userdb_fail(db, USERDB_ERR_NOT_FOUND, error_r, "no such user");
	}
	if (ret < 0)
		return ret;
	if (row.hash == NULL) {
		password_verify_dummy(password, password_len);
		return userdb_fail(db, USERDB_ERR_DENIED, error_r, "user has no password");
	}
	if (!row.disabled &&
	    userdb_cache_check(db->cache, norm, row.hash, password, password_len)) {
		auth_row_free(&row);
		memcpy(user_r, norm, sizeof(norm));
		return 0;
	}
	if (saslprep(password, password_len, SASLPREP_QUERY, &prepared, &prepared_len, &error) < 0)
		prepared = NULL;
	match = password_matches(&row, password, password_len, prepared, prepared_len);
	if (prepared != NULL)
		OPENSSL_cleanse(prepared, prepared_len);
	free(prepared);
	if (match && !row.disabled) {
		upgrade_secrets(db, norm, &row, password, password_len);
		/* The upgrade may have changed the hash: cache against the new one
		 * at the next login rather than guess it here. */
		userdb_cache_add(db->cache, norm, row.hash, password, password_len);
	}
	ret = !match         ? userdb_fail(db, USERDB_ERR_DENIED, error_r, "wrong password")
	      : row.disabled ? userdb_fail(db, USERDB_ERR_DENIED, error_r, "user is disabled")
			     : 0;
	auth_row_free(&row);
	if (ret == 0)
		memcpy(user_r, norm, sizeof(norm));
	return ret;
}

static int read_keys(struct userdb *db, sqlite3_stmt *stmt, struct scram_keys *keys_r,
		     const char **error_r)
{
	int salt_len = sqlite3_column_bytes(stmt, 0);
	sqlite3_int64 iterations = sqlite3_column_int64(stmt, 1);

	if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
		return userdb_fail(db, USERDB_ERR_DENIED, error_r, "user has no SCRAM keys");
	if (salt_len <= 0 || salt_len > SCRAM_SALT_MAX || iterations <= 0 ||
	    iterations > SCRAM_ITERATIONS_MAX || sqlite3_column_bytes(stmt, 2) != SCRAM_KEY_LEN ||
	    sqlite3_column_bytes(stmt, 3) != SCRAM_KEY_LEN)
		return userdb_fail(db, USERDB_ERR_DB, error_r, "corrupt SCRAM keys");
	memset(keys_r, 0, sizeof(*keys_r));
	memcpy(keys_r->salt, sqlite3_column_blob(stmt, 0), (size_t)salt_len);
	keys_r->salt_len = (size_t)salt_len;
	keys_r->iterations = (uint32_t)iterations;
	memcpy(keys_r->stored_key, sqlite3_column_blob(stmt, 2), SCRAM_KEY_LEN);
	memcpy(keys_r->server_key, sqlite3_column_blob(stmt, 3), SCRAM_KEY_LEN);
	return 0;
}

int userdb_get_scram(struct userdb *db, const char *name, struct scram_keys *keys_r,
		     char user_r[USERDB_NAME_MAX + 1], const char **error_r)
{
	char norm[USERDB_NAME_MAX + 1];
	sqlite3_stmt *stmt;
	const char *error;
	int rc, ret;

	if (userdb_name_normalize(name, strlen(name), norm, &error) < 0)
		return userdb_fail(db, USERDB_ERR_NOT_FOUND, error_r, "no such user");
	stmt = userdb_prepare(db,
			      "SELECT scram_salt, scram_iterations, scram_stored_key,"
			      " scram_server_key, disabled FROM users WHERE name = ?1",
			      error_r);
	if (stmt == NULL)
		return USERDB_ERR_DB;
	userdb_bind_name(stmt, norm);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		ret = userdb_fail(db, USERDB_ERR_NOT_FOUND, error_r, "no such user");
	else if (rc != SQLITE_ROW)
		ret = userdb_fail_sql(db, error_r, "looking up a user");
	else if (sqlite3_column_int(stmt, 4) != 0)
		ret = userdb_fail(db, USERDB_ERR_DENIED, error_r, "user is disabled");
	else
		ret = read_keys(db, stmt, keys_r, error_r);
	sqlite3_finalize(stmt);
	if (ret == 0)
		memcpy(user_r, norm, sizeof(norm));
	return ret;
}

void userdb_scram_decoy(struct userdb *db, const char *name, struct scram_keys *keys_r)
{
	char norm[USERDB_NAME_MAX + 1];
	unsigned char mac[SCRAM_KEY_LEN];
	struct buf msg = BUF_INIT;
	const char *error;

	/* HMAC(secret, label || name): stable per name, unguessable. Every
	 * spelling of a valid name gets the same salt, like a real user. */
	if (userdb_name_normalize(name, strlen(name), norm, &error) == 0)
		name = norm;
	memset(keys_r, 0, sizeof(*keys_r));
	buf_append_str(&msg, "salt:");
	buf_append_str(&msg, name);
	scram_hmac(db->decoy_secret, sizeof(db->decoy_secret), msg.data, msg.len, mac);
	memcpy(keys_r->salt, mac, SCRAM_SALT_LEN);
	keys_r->salt_len = SCRAM_SALT_LEN;
	keys_r->iterations = db->set.scram_iterations;
	buf_reset(&msg);
	buf_append_str(&msg, "keys:");
	buf_append_str(&msg, name);
	scram_hmac(db->decoy_secret, sizeof(db->decoy_secret), msg.data, msg.len,
		   keys_r->stored_key);
	scram_hash(keys_r->stored_key, SCRAM_KEY_LEN, keys_r->server_key);
	buf_free(&msg);
}
