/* scram.h — the SCRAM-SHA-256 primitives (RFC 5802 section 3, RFC 7677)
 * shared by the server and client mechanisms and by the user database,
 * plus the attribute syntax of SCRAM messages (RFC 5802 section 7).
 *
 *   SaltedPassword := Hi(Normalize(password), salt, i)   (PBKDF2-HMAC-SHA-256)
 *   ClientKey      := HMAC(SaltedPassword, "Client Key")
 *   StoredKey      := H(ClientKey)
 *   ServerKey      := HMAC(SaltedPassword, "Server Key")
 *
 * The server stores only salt, i, StoredKey and ServerKey: enough to check
 * a proof and sign the reply, not enough to log in elsewhere as the user.
 */
#ifndef HAFEN_AUTH_SCRAM_H
#define HAFEN_AUTH_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCRAM_KEY_LEN  32 /* SHA-256 output */
#define SCRAM_SALT_LEN 16 /* salts we make */
#define SCRAM_SALT_MAX 64 /* salts we accept from a database or a server */
/* RFC 7677 section 3: the iteration count SHOULD be at least 4096; the
 * client refuses less. The maximum bounds the work a hostile server can
 * make a client do (about a second of PBKDF2). */
#define SCRAM_ITERATIONS_MIN     4096
#define SCRAM_ITERATIONS_MAX     4000000
#define SCRAM_ITERATIONS_DEFAULT 10000
/* Random bytes in a nonce we make; base64 makes them 32 printable chars. */
#define SCRAM_NONCE_BYTES 24
/* Longest nonce (client part, and client plus server part) we accept. */
#define SCRAM_NONCE_MAX 512

struct scram_keys {
	unsigned char salt[SCRAM_SALT_MAX];
	size_t salt_len;
	uint32_t iterations;
	unsigned char stored_key[SCRAM_KEY_LEN];
	unsigned char server_key[SCRAM_KEY_LEN];
};

/* SaltedPassword for an already prepared password. iterations >= 1. */
void scram_salted_password(const char *password, size_t len, const unsigned char *salt,
			   size_t salt_len, uint32_t iterations,
			   unsigned char salted_r[SCRAM_KEY_LEN]);
/* ClientKey, StoredKey and ServerKey from SaltedPassword. */
void scram_client_key(const unsigned char salted[SCRAM_KEY_LEN],
		      unsigned char client_key_r[SCRAM_KEY_LEN]);
void scram_server_key(const unsigned char salted[SCRAM_KEY_LEN],
		      unsigned char server_key_r[SCRAM_KEY_LEN]);
void scram_hash(const void *data, size_t len, unsigned char out_r[SCRAM_KEY_LEN]);
void scram_hmac(const unsigned char *key, size_t key_len, const void *data, size_t len,
		unsigned char out_r[SCRAM_KEY_LEN]);

/* Compute keys for a password (SASLprep'd here as a stored string, RFC
 * 5802 section 2.2) with the given salt and iteration count. Returns 0, or
 * -1 with a static message when SASLprep rejects the password, it is
 * empty, or the salt or count is out of range. */
int scram_keys_derive(const char *password, size_t len, const unsigned char *salt, size_t salt_len,
		      uint32_t iterations, struct scram_keys *keys_r, const char **error_r);
/* As scram_keys_derive with a fresh random salt of SCRAM_SALT_LEN bytes. */
int scram_keys_generate(const char *password, size_t len, uint32_t iterations,
			struct scram_keys *keys_r, const char **error_r);
void scram_keys_cleanse(struct scram_keys *keys);

/* Write a fresh nonce: SCRAM_NONCE_BYTES from RAND_bytes in base64, which
 * is printable and never contains ','. out has room for 33 bytes. */
#define SCRAM_NONCE_STRLEN 32
void scram_nonce_new(char out[SCRAM_NONCE_STRLEN + 1]);

/* One attribute of a SCRAM message: "<letter>=<value>". */
struct scram_attr {
	char name;
	const char *value;
	size_t value_len;
};

/* Split the next attribute off *p (up to end): the value runs to the next
 * ',' or end, and *p moves past the ','. Returns 1 with attr filled, 0 at
 * the end of the message, -1 when the syntax is wrong (no letter, no '=',
 * empty value, NUL byte). */
int scram_attr_next(const char **p, const char *end, struct scram_attr *attr_r);

/* Is the value a run of "printable" (RFC 5802 section 7: %x21-2B / %x2D-7E)? */
bool scram_is_printable(const char *s, size_t len);

/* Decode a saslname ("=2C" is ',', "=3D" is '='; any other '=' is an
 * error, as is an empty result, invalid UTF-8 or a NUL). Returns a
 * malloc()ed string or NULL. */
char *scram_saslname_decode(const char *s, size_t len);
/* Append s with ',' and '=' escaped as a saslname. */
struct buf;
void scram_saslname_encode(const char *s, size_t len, struct buf *out);

#endif
