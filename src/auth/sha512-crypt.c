/* sha512-crypt.c — SHA512-CRYPT on OpenSSL's SHA-512 (see sha512-crypt.h).
 *
 * The step numbers in comments are those of Drepper's specification
 * ("Unix crypt using SHA-256 and SHA-512", section "The algorithm").
 */

/* The low-level SHA512_Init/Update/Final are deprecated in OpenSSL 3 in
 * favour of EVP. They are used on purpose: the scheme makes 5,000 digests
 * of one block each, and EVP's per-digest dispatch through the provider
 * (EVP_DigestInit_ex2, EVP_DigestFinal_ex) made the whole computation
 * about a fifth slower when measured, most of what this file gains over
 * libxcrypt. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "auth/sha512-crypt.h"
#include "auth/password.h"

#include "lib/str.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PREFIX         "$6$"
#define ROUNDS_PREFIX  "rounds="
#define ROUNDS_DEFAULT 5000
#define ROUNDS_MIN     1000
#define ROUNDS_MAX     999999999
#define SALT_MAX       16

struct setting {
	const char *salt;
	size_t salt_len;
	uint32_t rounds;
	bool rounds_given; /* then the output names them, even 5000 */
};

static bool is_crypt64(char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c) || c == '.' || c == '/';
}

/* Parse the canonical setting; false for anything else (see the header). */
static bool parse_setting(const char *hash, struct setting *set)
{
	const char *p = hash + strlen(PREFIX);
	size_t n;

	if (strncmp(hash, PREFIX, strlen(PREFIX)) != 0)
		return false;
	set->rounds = ROUNDS_DEFAULT;
	set->rounds_given = false;
	if (strncmp(p, ROUNDS_PREFIX, strlen(ROUNDS_PREFIX)) == 0) {
		uint64_t rounds = 0;

		p += strlen(ROUNDS_PREFIX);
		if (*p < '1' || *p > '9')
			return false;
		for (n = 0; ascii_isdigit(p[n]); n++) {
			if (n == 9) /* ROUNDS_MAX has nine digits */
				return false;
			rounds = rounds * 10 + (uint64_t)(p[n] - '0');
		}
		if (p[n] != '$' || rounds < ROUNDS_MIN || rounds > ROUNDS_MAX)
			return false;
		set->rounds = (uint32_t)rounds;
		set->rounds_given = true;
		p += n + 1;
	}
	for (n = 0; n < SALT_MAX && is_crypt64(p[n]); n++)
		;
	if (n == 0 || p[n] != '$')
		return false;
	set->salt = p;
	set->salt_len = n;
	return true;
}

/* Add len bytes to ctx, taken from a 64-byte digest repeated as often as
 * needed (steps 9, 10; 16 and 20 build their sequences the same way). */
static void add_repeated(SHA512_CTX *ctx, const unsigned char digest[64], size_t len)
{
	for (; len > 64; len -= 64)
		SHA512_Update(ctx, digest, 64);
	SHA512_Update(ctx, digest, len);
}

/* The 64 digest bytes in the scheme's order, three at a time, as 4 base-64
 * characters each (little-endian 6-bit groups); the last byte alone as 2. */
static char *encode_digest(const unsigned char c[64], char *out)
{
	static const char alphabet[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	static const unsigned char order[21][3] = {
		{0, 21, 42},  {22, 43, 1},  {44, 2, 23},  {3, 24, 45},  {25, 46, 4},  {47, 5, 26},
		{6, 27, 48},  {28, 49, 7},  {50, 8, 29},  {9, 30, 51},  {31, 52, 10}, {53, 11, 32},
		{12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38},
		{18, 39, 60}, {40, 61, 19}, {62, 20, 41},
	};
	uint32_t w;

	for (size_t i = 0; i < 21; i++) {
		w = (uint32_t)c[order[i][0]] << 16 | (uint32_t)c[order[i][1]] << 8 | c[order[i][2]];
		for (int k = 0; k < 4; k++, w >>= 6)
			*out++ = alphabet[w & 63];
	}
	w = c[63];
	*out++ = alphabet[w & 63];
	*out++ = alphabet[w >> 6];
	*out = '\0';
	return out;
}

bool sha512_crypt(const char *password, size_t len, const char *hash,
		  char out_r[SHA512_CRYPT_OUTPUT_MAX])
{
	unsigned char a[64], b[64], dp[64], ds[64], c[64];
	unsigned char p_seq[PASSWORD_MAX], s_seq[SALT_MAX];
	struct setting set;
	SHA512_CTX ctx;
	char *out;
	int n;

	if (len > PASSWORD_MAX || !parse_setting(hash, &set))
		return false;

	/* Steps 4-8: B = H(password salt password). */
	SHA512_Init(&ctx);
	SHA512_Update(&ctx, password, len);
	SHA512_Update(&ctx, set.salt, set.salt_len);
	SHA512_Update(&ctx, password, len);
	SHA512_Final(b, &ctx);

	/* Steps 1-3, 9-12: A = H(password salt B-for-len, then for each bit
	 * of len from the lowest: B if it is set, the password if not). */
	SHA512_Init(&ctx);
	SHA512_Update(&ctx, password, len);
	SHA512_Update(&ctx, set.salt, set.salt_len);
	add_repeated(&ctx, b, len);
	for (size_t bits = len; bits > 0; bits >>= 1) {
		if (bits & 1)
			SHA512_Update(&ctx, b, 64);
		else
			SHA512_Update(&ctx, password, len);
	}
	SHA512_Final(a, &ctx);

	/* Steps 13-16: the P sequence, len bytes of H(password len times). */
	SHA512_Init(&ctx);
	for (size_t i = 0; i < len; i++)
		SHA512_Update(&ctx, password, len);
	SHA512_Final(dp, &ctx);
	for (size_t i = 0; i < len; i += 64)
		memcpy(p_seq + i, dp, len - i < 64 ? len - i : 64);

	/* Steps 17-20: the S sequence, salt-length bytes of H(salt 16+A[0]
	 * times). */
	SHA512_Init(&ctx);
	for (size_t i = 0; i < 16u + a[0]; i++)
		SHA512_Update(&ctx, set.salt, set.salt_len);
	SHA512_Final(ds, &ctx);
	memcpy(s_seq, ds, set.salt_len);

	/* Step 21: the rounds, each digesting the previous one. */
	memcpy(c, a, sizeof(c));
	for (uint32_t r = 0; r < set.rounds; r++) {
		SHA512_Init(&ctx);
		if (r & 1)
			SHA512_Update(&ctx, p_seq, len);
		else
			SHA512_Update(&ctx, c, 64);
		if (r % 3 != 0)
			SHA512_Update(&ctx, s_seq, set.salt_len);
		if (r % 7 != 0)
			SHA512_Update(&ctx, p_seq, len);
		if (r & 1)
			SHA512_Update(&ctx, c, 64);
		else
			SHA512_Update(&ctx, p_seq, len);
		SHA512_Final(c, &ctx);
	}

	/* Step 22: the string. */
	if (set.rounds_given)
		n = snprintf(out_r, SHA512_CRYPT_OUTPUT_MAX, PREFIX ROUNDS_PREFIX "%u$%.*s$",
			     (unsigned)set.rounds, (int)set.salt_len, set.salt);
	else
		n = snprintf(out_r, SHA512_CRYPT_OUTPUT_MAX, PREFIX "%.*s$", (int)set.salt_len,
			     set.salt);
	out = out_r + n;
	encode_digest(c, out);

	/* Everything derived from the password goes. */
	OPENSSL_cleanse(&ctx, sizeof(ctx));
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	OPENSSL_cleanse(dp, sizeof(dp));
	OPENSSL_cleanse(ds, sizeof(ds));
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(p_seq, sizeof(p_seq));
	OPENSSL_cleanse(s_seq, sizeof(s_seq));
	return true;
}
