/* password.h — crypt(3) password hashes through libxcrypt: make new ones
 * (yescrypt), verify any scheme libxcrypt knows, and import hashes written
 * by other servers (Dovecot's "{SCHEME}hash" form).
 *
 * Passwords are byte strings without NUL of at most PASSWORD_MAX bytes.
 * This module hashes exactly the bytes it is given; SASLprep is the
 * caller's business (userdb.c prepares before hashing). Every copy of a
 * password it makes is wiped before it is freed.
 */
#ifndef HAFEN_AUTH_PASSWORD_H
#define HAFEN_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* Longest password accepted, in bytes: libxcrypt's limit
 * (CRYPT_MAX_PASSPHRASE_SIZE - 1). bcrypt only uses the first 72. */
#define PASSWORD_MAX 511
/* Longest hash string accepted or produced (libxcrypt's own limit). */
#define PASSWORD_HASH_MAX 383

/* Hash a password with yescrypt at libxcrypt's default cost and a fresh
 * random salt. Returns 0 and a malloc()ed hash in *hash_r, or -1 with a
 * static message (password too long or containing NUL; crypt failure). */
int password_hash(const char *password, size_t len, char **hash_r, const char **error_r);

/* As password_hash, with another crypt prefix ("$6$", "$2b$", "$y$").
 * For tests and for administrators who must share hashes with older
 * systems. */
int password_hash_with(const char *prefix, const char *password, size_t len, char **hash_r,
		       const char **error_r);

/* Does the password match the stored hash? Returns 1 on a match, 0 on a
 * mismatch (also when the hash is unusable or the password has a NUL).
 * The hash may carry a Dovecot "{SCHEME}" prefix (see password_import).
 * The comparison of the computed and stored hash is constant-time. */
int password_verify(const char *hash, const char *password, size_t len);

/* Burn the same time as verifying against a default (yescrypt) hash and
 * fail. Used for unknown users so timing does not reveal who exists. */
void password_verify_dummy(const char *password, size_t len);

/* Turn an imported hash into the form we store. Accepts a bare crypt
 * string ("$6$...", "$y$...", "$2y$...", "$5$...", "$1$...", DES) and
 * Dovecot's prefixed forms {SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT},
 * {MD5-CRYPT} and {CRYPT} (the scheme name is case-insensitive; the hash
 * after it must be of that scheme). The prefix is dropped: libxcrypt
 * recognises the scheme from the hash itself. Returns 0 and a malloc()ed
 * string in *hash_r, or -1 with a static message when the scheme is
 * unknown or unsupported (e.g. {PLAIN}, {SSHA512}, {ARGON2ID}) or the hash
 * is malformed or incomplete. */
int password_import(const char *in, char **hash_r, const char **error_r);

/* A short name for the hash's scheme: "yescrypt", "SHA512-CRYPT",
 * "SHA256-CRYPT", "BLF-CRYPT", "MD5-CRYPT", "DES-CRYPT", "other". */
const char *password_scheme_name(const char *hash);

/* Is this the scheme and cost password_hash() makes today? False means a
 * successful login could rehash the password (userdb does). */
bool password_is_current(const char *hash);

#endif
