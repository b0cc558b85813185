/* password.c — crypt(3) hashes through libxcrypt (see password.h). */
#include "auth/password.h"
#include "auth/sha512-crypt.h"

#include "lib/err.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <string.h>

_Static_assert(PASSWORD_MAX < CRYPT_MAX_PASSPHRASE_SIZE, "crypt_r refuses longer passwords");
_Static_assert(PASSWORD_HASH_MAX < CRYPT_OUTPUT_SIZE, "hash limit above libxcrypt's");

/* Setting prefix of new hashes; libxcrypt picks yescrypt's default cost. */
#define DEFAULT_PREFIX "$y$"

/* A yescrypt hash of a random password nobody knows, with the default
 * cost, for password_verify_dummy(). */
static const char dummy_hash[] =
	"$y$j9T$qcCXOFDxh9fyMBhMn7NMU1$TdJqwEQF9Ra6L5NWtBBLKIpEtiqyNu7LMj5DoLV.iw0";

struct dovecot_scheme {
	const char *name;
	const char *const prefixes[4]; /* hash must start with one; NULL-ended */
};

static const struct dovecot_scheme dovecot_schemes[] = {
	{"SHA512-CRYPT", {"$6$", NULL}},
	{"SHA256-CRYPT", {"$5$", NULL}},
	{"BLF-CRYPT", {"$2y$", "$2b$", "$2a$", NULL}},
	{"MD5-CRYPT", {"$1$", NULL}},
	{"CRYPT", {"", NULL}}, /* any crypt(3) string */
};

/* Copy a password into a NUL-terminated buffer crypt_r() can take. */
static char *password_cstr(const char *password, size_t len)
{
	if (len > PASSWORD_MAX || memchr(password, '\0', len) != NULL)
		return NULL;
	return xstrndup(password, len);
}

static void cstr_cleanse_free(char **s)
{
	if (*s != NULL)
		OPENSSL_cleanse(*s, strlen(*s));
	xfree(s);
}

static void crypt_data_free(struct crypt_data **data)
{
	if (*data != NULL)
		OPENSSL_cleanse(*data, sizeof(**data));
	xfree(data);
}

int password_hash_with(const char *prefix, const char *password, size_t len, char **hash_r,
		       const char **error_r)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *data;
	char *pw, *out;

	pw = password_cstr(password, len);
	if (pw == NULL) {
		*error_r = len > PASSWORD_MAX ? "password too long" : "password contains NUL";
		return -1;
	}
	if (crypt_gensalt_rn(prefix, 0, NULL, 0, setting, sizeof(setting)) == NULL) {
		cstr_cleanse_free(&pw);
		*error_r = "crypt_gensalt failed for this scheme";
		return -1;
	}
	data = xcalloc(1, sizeof(*data));
	out = crypt_r(pw, setting, data);
	cstr_cleanse_free(&pw);
	if (out == NULL || out[0] == '*') {
		crypt_data_free(&data);
		*error_r = "crypt failed";
		return -1;
	}
	*hash_r = xstrdup(out);
	crypt_data_free(&data);
	return 0;
}

int password_hash(const char *password, size_t len, char **hash_r, const char **error_r)
{
	return password_hash_with(DEFAULT_PREFIX, password, len, hash_r, error_r);
}

static const char *strip_scheme(const char *hash);

int password_verify(const char *hash, const char *password, size_t len)
{
	struct crypt_data *data;
	size_t hash_len;
	char *pw, *out;
	int match = 0;

	hash = strip_scheme(hash);
	hash_len = strlen(hash);

	pw = password_cstr(password, len);
	if (pw == NULL || hash_len == 0 || hash_len > PASSWORD_HASH_MAX || hash[0] == '*' ||
	    hash[0] == '!') {
		cstr_cleanse_free(&pw);
		return 0;
	}
	data = xcalloc(1, sizeof(*data));
	/* SHA512-CRYPT, the scheme of hashes imported from Dovecot, on
	 * OpenSSL's SHA-512 when the setting is canonical; libxcrypt else. */
	_Static_assert(sizeof(data->output) >= SHA512_CRYPT_OUTPUT_MAX, "crypt output size");
	if (sha512_crypt(pw, len, hash, data->output))
		out = data->output;
	else
		out = crypt_r(pw, hash, data);
	cstr_cleanse_free(&pw);
	/* The length is not secret (it follows from the scheme); the bytes are. */
	if (out != NULL && out[0] != '*' && strlen(out) == hash_len)
		match = CRYPTO_memcmp(out, hash, hash_len) == 0;
	crypt_data_free(&data);
	return match;
}

void password_verify_dummy(const char *password, size_t len)
{
	(void)password_verify(dummy_hash, password, len);
}

static bool is_crypt64_char(char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c) || c == '.' || c == '/';
}

/* Length of the setting part of a complete hash: up to and including the
 * last '$' for the modular formats, 9 for BSDi "_", 2 for DES. */
static size_t setting_len(const char *hash)
{
	const char *dollar;

	if (hash[0] == '$') {
		dollar = strrchr(hash, '$');
		return (size_t)(dollar - hash) + 1;
	}
	return hash[0] == '_' ? 9 : 2;
}

/* Is hash a complete crypt string libxcrypt can verify against? Hashing a
 * password with it as the setting must give a string of the same length
 * with the same setting part: that rejects settings without a hash part,
 * truncated hashes and garbage after the salt. */
static bool hash_is_complete(const char *hash)
{
	size_t len = strlen(hash), slen;
	struct crypt_data *data;
	const char *out;
	bool ok;

	if (len == 0 || len > PASSWORD_HASH_MAX || crypt_checksalt(hash) == CRYPT_SALT_INVALID ||
	    crypt_checksalt(hash) == CRYPT_SALT_METHOD_DISABLED)
		return false;
	slen = setting_len(hash);
	if (slen >= len)
		return false;
	for (size_t i = slen; i < len; i++) {
		if (!is_crypt64_char(hash[i]))
			return false;
	}
	data = xcalloc(1, sizeof(*data));
	out = crypt_r("", hash, data);
	ok = out != NULL && out[0] != '*' && strlen(out) == len && memcmp(out, hash, slen) == 0;
	crypt_data_free(&data);
	return ok;
}

static const struct dovecot_scheme *dovecot_scheme_find(const char *name, size_t len)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(dovecot_schemes); i++) {
		if (str_eq_ci_n(name, len, dovecot_schemes[i].name))
			return &dovecot_schemes[i];
	}
	return NULL;
}

static bool scheme_prefix_matches(const struct dovecot_scheme *scheme, const char *hash)
{
	for (size_t i = 0; scheme->prefixes[i] != NULL; i++) {
		if (strncmp(hash, scheme->prefixes[i], strlen(scheme->prefixes[i])) == 0)
			return true;
	}
	return false;
}

/* The hash without a valid Dovecot "{SCHEME}" prefix; "" (never matches)
 * when the prefix is unknown or disagrees with the hash. */
static const char *strip_scheme(const char *hash)
{
	const struct dovecot_scheme *scheme;
	const char *end;

	if (hash[0] != '{')
		return hash;
	end = strchr(hash, '}');
	scheme = end == NULL ? NULL : dovecot_scheme_find(hash + 1, (size_t)(end - hash - 1));
	if (scheme == NULL || !scheme_prefix_matches(scheme, end + 1))
		return "";
	return end + 1;
}

int password_import(const char *in, char **hash_r, const char **error_r)
{
	const char *hash = in;

	if (in[0] == '{') {
		const char *end = strchr(in, '}');
		const struct dovecot_scheme *scheme;

		scheme = end == NULL ? NULL : dovecot_scheme_find(in + 1, (size_t)(end - in - 1));
		if (scheme == NULL) {
			*error_r = "unsupported password scheme (crypt(3) schemes only)";
			return -1;
		}
		hash = end + 1;
		if (!scheme_prefix_matches(scheme, hash)) {
			*error_r = "hash does not match its {SCHEME} prefix";
			return -1;
		}
	}
	if (!hash_is_complete(hash)) {
		*error_r = "not a complete crypt(3) hash libxcrypt supports";
		return -1;
	}
	*hash_r = xstrdup(hash);
	return 0;
}

const char *password_scheme_name(const char *hash)
{
	static const struct {
		const char *prefix, *name;
	} names[] = {
		{"$y$", "yescrypt"},   {"$6$", "SHA512-CRYPT"},   {"$5$", "SHA256-CRYPT"},
		{"$2b$", "BLF-CRYPT"}, {"$2y$", "BLF-CRYPT"},     {"$2a$", "BLF-CRYPT"},
		{"$1$", "MD5-CRYPT"},  {"$gy$", "gost-yescrypt"}, {"$7$", "scrypt"},
	};

	hash = strip_scheme(hash);
	for (size_t i = 0; i < HF_N_ELEMENTS(names); i++) {
		if (strncmp(hash, names[i].prefix, strlen(names[i].prefix)) == 0)
			return names[i].name;
	}
	if (strlen(hash) == 13 && is_crypt64_char(hash[0]) && is_crypt64_char(hash[1]))
		return "DES-CRYPT";
	return "other";
}

bool password_is_current(const char *hash)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *cost_end;

	if (strncmp(hash, DEFAULT_PREFIX, strlen(DEFAULT_PREFIX)) != 0)
		return false;
	/* "$y$<params>$salt$hash": compare the parameters with a fresh setting. */
	if (crypt_gensalt_rn(DEFAULT_PREFIX, 0, NULL, 0, setting, sizeof(setting)) == NULL)
		return true;
	cost_end = strchr(setting + 3, '$');
	if (cost_end == NULL)
		return true;
	return strncmp(hash, setting, (size_t)(cost_end - setting) + 1) == 0;
}
