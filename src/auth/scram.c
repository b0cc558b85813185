/* scram.c — SCRAM-SHA-256 key derivation and message syntax (see scram.h). */
#include "auth/scram.h"
#include "auth/sasl-base64.h"
#include "auth/saslprep.h"

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

_Static_assert(SCRAM_KEY_LEN == SHA256_DIGEST_LENGTH, "SCRAM-SHA-256 key size");

void scram_salted_password(const char *password, size_t len, const unsigned char *salt,
			   size_t salt_len, uint32_t iterations,
			   unsigned char salted_r[SCRAM_KEY_LEN])
{
	/* RFC 5802 section 2.2: Hi() is PBKDF2 with HMAC as the PRF and one
	 * block of output. */
	if (len > INT32_MAX || salt_len > INT32_MAX || iterations == 0 || iterations > INT32_MAX ||
	    PKCS5_PBKDF2_HMAC(password, (int)len, salt, (int)salt_len, (int)iterations,
			      EVP_sha256(), SCRAM_KEY_LEN, salted_r) != 1)
		hf_panic("PBKDF2 failed");
}

void scram_hmac(const unsigned char *key, size_t key_len, const void *data, size_t len,
		unsigned char out_r[SCRAM_KEY_LEN])
{
	unsigned int out_len = 0;

	if (key_len > INT32_MAX ||
	    HMAC(EVP_sha256(), key, (int)key_len, data, len, out_r, &out_len) == NULL ||
	    out_len != SCRAM_KEY_LEN)
		hf_panic("HMAC-SHA-256 failed");
}

void scram_hash(const void *data, size_t len, unsigned char out_r[SCRAM_KEY_LEN])
{
	if (SHA256(data, len, out_r) == NULL)
		hf_panic("SHA-256 failed");
}

void scram_client_key(const unsigned char salted[SCRAM_KEY_LEN],
		      unsigned char client_key_r[SCRAM_KEY_LEN])
{
	scram_hmac(salted, SCRAM_KEY_LEN, "Client Key", 10, client_key_r);
}

void scram_server_key(const unsigned char salted[SCRAM_KEY_LEN],
		      unsigned char server_key_r[SCRAM_KEY_LEN])
{
	scram_hmac(salted, SCRAM_KEY_LEN, "Server Key", 10, server_key_r);
}

int scram_keys_derive(const char *password, size_t len, const unsigned char *salt, size_t salt_len,
		      uint32_t iterations, struct scram_keys *keys_r, const char **error_r)
{
	unsigned char salted[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
	char *prepared;
	size_t prepared_len;

	if (salt_len == 0 || salt_len > SCRAM_SALT_MAX) {
		*error_r = "invalid SCRAM salt length";
		return -1;
	}
	if (iterations < SCRAM_ITERATIONS_MIN || iterations > SCRAM_ITERATIONS_MAX) {
		*error_r = "SCRAM iteration count out of range";
		return -1;
	}
	if (saslprep(password, len, SASLPREP_STORED, &prepared, &prepared_len, error_r) < 0)
		return -1;
	if (prepared_len == 0) {
		free(prepared);
		*error_r = "empty password";
		return -1;
	}
	memset(keys_r, 0, sizeof(*keys_r));
	memcpy(keys_r->salt, salt, salt_len);
	keys_r->salt_len = salt_len;
	keys_r->iterations = iterations;
	scram_salted_password(prepared, prepared_len, salt, salt_len, iterations, salted);
	OPENSSL_cleanse(prepared, prepared_len);
	free(prepared);
	scram_client_key(salted, client_key);
	scram_hash(client_key, SCRAM_KEY_LEN, keys_r->stored_key);
	scram_server_key(salted, keys_r->server_key);
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	return 0;
}

int scram_keys_generate(const char *password, size_t len, uint32_t iterations,
			struct scram_keys *keys_r, const char **error_r)
{
	unsigned char salt[SCRAM_SALT_LEN];

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		hf_panic("RAND_bytes failed");
	return scram_keys_derive(password, len, salt, sizeof(salt), iterations, keys_r, error_r);
}

void scram_keys_cleanse(struct scram_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}

void scram_nonce_new(char out[SCRAM_NONCE_STRLEN + 1])
{
	unsigned char raw[SCRAM_NONCE_BYTES];
	struct buf b = BUF_INIT;

	_Static_assert(SCRAM_NONCE_BYTES % 3 == 0 &&
			       SCRAM_NONCE_BYTES / 3 * 4 == SCRAM_NONCE_STRLEN,
		       "nonce length");
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		hf_panic("RAND_bytes failed");
	/* Unpadded base64 is printable and has no ',' (RFC 5802 section 7). */
	sasl_base64_encode(raw, sizeof(raw), &b);
	memcpy(out, b.data, SCRAM_NONCE_STRLEN);
	out[SCRAM_NONCE_STRLEN] = '\0';
	buf_free(&b);
}

int scram_attr_next(const char **p, const char *end, struct scram_attr *attr_r)
{
	const char *s = *p, *comma;

	if (s == NULL || s >= end)
		return 0;
	if (end - s < 3 || !ascii_isalpha(s[0]) || s[1] != '=')
		return -1;
	comma = memchr(s + 2, ',', (size_t)(end - (s + 2)));
	attr_r->name = s[0];
	attr_r->value = s + 2;
	attr_r->value_len = (size_t)((comma != NULL ? comma : end) - (s + 2));
	if (attr_r->value_len == 0 || memchr(attr_r->value, '\0', attr_r->value_len) != NULL)
		return -1;
	if (comma == NULL)
		*p = end;
	else if (comma + 1 == end)
		return -1; /* trailing ',' */
	else
		*p = comma + 1;
	return 1;
}

bool scram_is_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == ',')
			return false;
	}
	return true;
}

char *scram_saslname_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0' || s[i] == ',')
			goto fail;
		if (s[i] != '=') {
			out[n++] = s[i];
			continue;
		}
		if (len - i < 3)
			goto fail;
		if (s[i + 1] == '2' && s[i + 2] == 'C')
			out[n++] = ',';
		else if (s[i + 1] == '3' && s[i + 2] == 'D')
			out[n++] = '=';
		else
			goto fail;
		i += 2;
	}
	if (n == 0 || !utf8_valid(out, n))
		goto fail;
	out[n] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

void scram_saslname_encode(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ',')
			buf_append(out, "=2C", 3);
		else if (s[i] == '=')
			buf_append(out, "=3D", 3);
		else
			buf_append_byte(out, (unsigned char)s[i]);
	}
}
