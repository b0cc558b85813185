/* userdb-private.h — the user database handle, shared by userdb.c and
 * userdb-auth.c. */
#ifndef HAFEN_AUTH_USERDB_PRIVATE_H
#define HAFEN_AUTH_USERDB_PRIVATE_H

#include "auth/userdb.h"
#include "auth/userdb-cache.h"

#include "lib/err.h"

#include <sqlite3.h>

#define USERDB_SECRET_LEN 32

struct userdb {
	sqlite3 *sql;
	struct userdb_settings set;
	unsigned char decoy_secret[USERDB_SECRET_LEN];
	struct userdb_cache *cache; /* NULL when set.cache_ttl_secs is 0 */
	bool cache_owned;           /* else set.shared_cache, not ours to free */
	char error[256];
};

/* Record an error message in db->error and return err. */
int userdb_fail(struct userdb *db, enum userdb_err err, const char **error_r, const char *fmt, ...)
	HF_PRINTF(4, 5);
/* Record the last SQLite error with what we were doing; USERDB_ERR_DB. */
int userdb_fail_sql(struct userdb *db, const char **error_r, const char *what);
/* Prepare a statement; NULL after userdb_fail_sql(). */
sqlite3_stmt *userdb_prepare(struct userdb *db, const char *sql, const char **error_r);
/* Bind the normalised name as parameter 1 of stmt. */
void userdb_bind_name(sqlite3_stmt *stmt, const char *name);
/* Compute the hash and SCRAM keys for a new password. */
int userdb_make_secrets(struct userdb *db, const char *password, size_t password_len, char **hash_r,
			struct scram_keys *keys_r, const char **error_r);
/* Write hash and SCRAM keys (keys NULL: none) for an existing user; when
 * old_hash is not NULL, only if the stored hash is still old_hash. */
int userdb_store_secrets(struct userdb *db, const char *name, const char *hash,
			 const struct scram_keys *keys, const char *old_hash, const char **error_r);

#endif
