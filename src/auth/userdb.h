/* userdb.h — the user database, DATA/users.db: who may log in, their
 * password hash and SCRAM-SHA-256 keys, quota limits, disabled flag.
 *
 * SQLite in WAL mode with synchronous=FULL: a change is on disk when the
 * call returns. Several processes may open the same file (the server's
 * workers, the admin commands); each opens its own handle, after fork().
 * The file is created with mode 0600: it holds password hashes.
 *
 * User names are full addresses or plain names ("alice@example.org",
 * "bob"): ASCII letters, digits and ".-_+@", not starting with '.' or
 * '-', no "..", at most USERDB_NAME_MAX bytes. They are case-insensitive
 * and stored lower-cased; they name directories under DATA/users/.
 *
 * Passwords are SASLprep'd (RFC 4013, as stored strings) before hashing,
 * so PLAIN, LOGIN and SCRAM agree on what the password is. Setting one
 * stores a crypt(3) hash (yescrypt) and the SCRAM keys. An imported hash
 * (userdb_add_hashed, userdb_set_hash) comes without SCRAM keys: such a
 * user can log in with PLAIN/LOGIN but not SCRAM, until the password is
 * set again or, with upgrade_hashes, until the first successful login.
 * Passwords are never logged and every copy is wiped after use.
 */
#ifndef HAFEN_AUTH_USERDB_H
#define HAFEN_AUTH_USERDB_H

#include "auth/scram.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USERDB_NAME_MAX 255

enum userdb_err {
	USERDB_OK = 0,
	USERDB_ERR_NOT_FOUND = -1, /* no such user */
	USERDB_ERR_EXISTS = -2,    /* userdb_add: the name is taken */
	USERDB_ERR_INVALID = -3,   /* bad name, password, hash or value */
	USERDB_ERR_DENIED = -4,    /* wrong password, disabled, no usable secret */
	USERDB_ERR_DB = -5,        /* SQLite or I/O error; may be temporary */
};

/* A short description of an error code, for logs and admin output. */
const char *userdb_strerror(enum userdb_err err);

struct userdb_cache;

struct userdb_settings {
	/* Iteration count for new SCRAM keys (>= SCRAM_ITERATIONS_MIN). */
	uint32_t scram_iterations;
	/* After a successful password check, rehash an old scheme (e.g. an
	 * imported SHA512-CRYPT) with yescrypt and add SCRAM keys, or remake
	 * SCRAM keys whose iteration count is below scram_iterations. */
	bool upgrade_hashes;
	/* How long to wait for another process's write lock. */
	int busy_timeout_ms;
	/* Remember successful password checks this long, so repeated logins
	 * skip the slow hash (userdb-cache.h). 0 turns the cache off. */
	uint32_t cache_ttl_secs;
	/* A cache shared with other processes (userdb_cache_new_shared()),
	 * used instead of one of this handle's own when cache_ttl_secs is not
	 * 0. Borrowed: it must outlive the handle. NULL by default. */
	struct userdb_cache *shared_cache;
};

/* Defaults: SCRAM_ITERATIONS_DEFAULT, upgrade_hashes on, 5000 ms, a one-hour cache. */
void userdb_settings_default(struct userdb_settings *set_r);

/* What userdb_get() and userdb_list() report. No secrets. */
struct userdb_user {
	char name[USERDB_NAME_MAX + 1];
	bool has_password;
	const char *scheme; /* password_scheme_name(), "" without a password */
	bool has_scram;
	uint64_t quota_storage;  /* bytes, 0 = unlimited */
	uint64_t quota_messages; /* 0 = unlimited */
	int64_t created;         /* seconds since the epoch */
	bool disabled;
};

struct userdb;

/* Check and lower-case a user name into out_r. Returns 0, or -1 with a
 * static message. */
int userdb_name_normalize(const char *name, size_t len, char out_r[USERDB_NAME_MAX + 1],
			  const char **error_r);

/* Open (creating if needed) the database at path. set may be NULL for the
 * defaults. Returns 0 and *db_r, or USERDB_ERR_DB / USERDB_ERR_INVALID
 * with *error_r (valid until the next call; static after a failed open). */
int userdb_open(const char *path, const struct userdb_settings *set, struct userdb **db_r,
		const char **error_r);
/* Close *dbp; it becomes NULL. Accepts NULL. */
void userdb_close(struct userdb **dbp);

/* Every function below returns USERDB_OK or a negative enum userdb_err
 * and sets *error_r to a message owned by db (valid until the next call
 * on db). Names are normalised first; an invalid one is
 * USERDB_ERR_INVALID (or USERDB_ERR_NOT_FOUND where a user is looked up). */

/* Add a user. password may be NULL: the account then cannot log in until
 * a password or hash is set. USERDB_ERR_EXISTS if the name is taken. */
int userdb_add(struct userdb *db, const char *name, const char *password, size_t password_len,
	       const char **error_r);
/* Add a user with an imported hash (see password_import()). */
int userdb_add_hashed(struct userdb *db, const char *name, const char *hash, const char **error_r);
/* Replace the password (hash and SCRAM keys). */
int userdb_set_password(struct userdb *db, const char *name, const char *password,
			size_t password_len, const char **error_r);
/* Replace the password with an imported hash; drops the SCRAM keys. */
int userdb_set_hash(struct userdb *db, const char *name, const char *hash, const char **error_r);
int userdb_delete(struct userdb *db, const char *name, const char **error_r);
int userdb_set_disabled(struct userdb *db, const char *name, bool disabled, const char **error_r);
/* Quota limits; 0 means unlimited. Values above INT64_MAX are invalid. */
int userdb_set_quota(struct userdb *db, const char *name, uint64_t storage_bytes, uint64_t messages,
		     const char **error_r);
int userdb_get_quota(struct userdb *db, const char *name, uint64_t *storage_bytes_r,
		     uint64_t *messages_r, const char **error_r);
int userdb_get(struct userdb *db, const char *name, struct userdb_user *user_r,
	       const char **error_r);
/* Call fn for every user in name order. fn returns 0 to go on, anything
 * else to stop (userdb_list then returns USERDB_OK). */
int userdb_list(struct userdb *db, int (*fn)(void *context, const struct userdb_user *user),
		void *context, const char **error_r);

/* Check a password for LOGIN/PLAIN. USERDB_OK and the canonical name in
 * user_r on a match; USERDB_ERR_NOT_FOUND or USERDB_ERR_DENIED (wrong
 * password, disabled, no password) otherwise. Unknown users cost as much
 * time as known ones. The password is SASLprep'd as a query; for an
 * imported hash the raw bytes are tried too (the other server may not
 * have prepared it). */
int userdb_verify_password(struct userdb *db, const char *name, const char *password,
			   size_t password_len, char user_r[USERDB_NAME_MAX + 1],
			   const char **error_r);
/* The SCRAM keys for SCRAM-SHA-256. USERDB_ERR_DENIED when the user is
 * disabled or has no SCRAM keys (imported hash). */
int userdb_get_scram(struct userdb *db, const char *name, struct scram_keys *keys_r,
		     char user_r[USERDB_NAME_MAX + 1], const char **error_r);
/* Decoy keys for a name that has no usable keys: the salt is derived from
 * the name and a secret stored in the database, so it is the same on
 * every attempt and in every process, like a real user's. */
void userdb_scram_decoy(struct userdb *db, const char *name, struct scram_keys *keys_r);

#endif
