/* test-auth-sha512-crypt.c — SHA512-CRYPT on OpenSSL against libxcrypt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/sha512-crypt.h"
#include "lib/err.h"

static const char crypt64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* A fixed generator, so a failure names a case that can be run again. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

/* Our result for (password, setting) must be libxcrypt's, with the setting
 * alone and with the complete hash as the setting. */
static void assert_same_as_libxcrypt(const char *password, size_t len, const char *setting)
{
	struct crypt_data *data = calloc(1, sizeof(*data));
	char ours[SHA512_CRYPT_OUTPUT_MAX], *pw = malloc(len + 1);
	const char *theirs;

	assert_non_null(data);
	assert_non_null(pw);
	memcpy(pw, password, len);
	pw[len] = '\0';
	theirs = crypt_r(pw, setting, data);
	assert_non_null(theirs);
	assert_int_not_equal(theirs[0], '*');
	if (!sha512_crypt(password, len, setting, ours))
		fail_msg("declined the canonical setting %s", setting);
	if (strcmp(ours, theirs) != 0)
		fail_msg("setting %s, password of %zu bytes:\n ours   %s\n theirs %s", setting, len,
			 ours, theirs);
	memset(ours, 0, sizeof(ours));
	assert_true(sha512_crypt(password, len, theirs, ours));
	assert_string_equal(ours, theirs);
	free(pw);
	free(data);
}

static void test_specification_vectors(void **state)
{
	char out[SHA512_CRYPT_OUTPUT_MAX];

	/* From Drepper's specification; libxcrypt agrees (checked below). */
	assert_true(sha512_crypt("Hello world!", 12, "$6$saltstring", out) == false);
	assert_true(sha512_crypt("Hello world!", 12, "$6$saltstring$", out));
	assert_string_equal(out,
			    "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJu"
			    "esI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
	/* A 20-character salt is cut to 16 by the scheme; the stored form has
	 * the 16. */
	assert_true(sha512_crypt("Hello world!", 12, "$6$rounds=10000$saltstringsaltst$", out));
	assert_string_equal(out,
			    "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbH"
			    "bbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.");
	assert_same_as_libxcrypt("Hello world!", 12, "$6$saltstring$");
	assert_same_as_libxcrypt("Hello world!", 12, "$6$rounds=10000$saltstringsaltst$");
}

/* Password lengths around SHA-512's 64-byte digest and 128-byte block, the
 * bit loop's edge cases, and the longest password accepted. */
static const size_t lengths[] = {0,  1,   2,   3,   7,   8,   15,  16,  63,  64,  65, 92,
				 93, 111, 112, 127, 128, 129, 191, 192, 255, 256, 511};

static void test_matches_libxcrypt(void **state)
{
	char password[PASSWORD_MAX + 1], setting[64];

	for (size_t i = 0; i < 3 * HF_N_ELEMENTS(lengths); i++) {
		size_t len = lengths[i % HF_N_ELEMENTS(lengths)];
		size_t salt_len = 1 + rng() % 16;
		char salt[17];
		int n;

		for (size_t k = 0; k < len; k++)
			password[k] = (char)(1 + rng() % 255); /* any byte but NUL */
		for (size_t k = 0; k < salt_len; k++)
			salt[k] = crypt64[rng() % 64];
		salt[salt_len] = '\0';
		/* Default rounds; rounds named (the output names them too, even
		 * 5000); the minimum. */
		switch (i / HF_N_ELEMENTS(lengths)) {
		case 0:
			n = snprintf(setting, sizeof(setting), "$6$%s$", salt);
			break;
		case 1:
			n = snprintf(setting, sizeof(setting), "$6$rounds=5000$%s$", salt);
			break;
		default:
			n = snprintf(setting, sizeof(setting), "$6$rounds=%u$%s$", 1000 + rng() % 3,
				     salt);
			break;
		}
		assert_true(n > 0 && (size_t)n < sizeof(setting));
		assert_same_as_libxcrypt(password, len, setting);
	}
}

/* Anything but the canonical setting is left to libxcrypt. */
static void test_declines_other_settings(void **state)
{
	static const char *const settings[] = {
		"",
		"$5$saltstring$",
		"$6",
		"$6$",
		"$6$$abc",
		"$6$saltstring",
		"$6$salt*string$",
		"$6$salt:string$",
		"$6$saltstringsaltstring$",  /* longer than 16: libxcrypt cuts it */
		"$6$rounds=999$saltstring$", /* clamped by libxcrypt: not written so */
		"$6$rounds=01000$saltstring$",
		"$6$rounds=1000000000$saltstring$",
		"$6$rounds=99999999999999999999$saltstring$",
		"$6$rounds=$saltstring$",
		"$6$rounds=-5000$saltstring$",
		"$6$rounds=5000saltstring$",
		"$6$rounds=5000",
		"$6$ROUNDS=5000$saltstring$",
	};
	char out[SHA512_CRYPT_OUTPUT_MAX], big[PASSWORD_MAX + 1];

	for (size_t i = 0; i < HF_N_ELEMENTS(settings); i++) {
		if (sha512_crypt("pencil", 6, settings[i], out))
			fail_msg("took the setting \"%s\"", settings[i]);
	}
	memset(big, 'x', sizeof(big));
	assert_false(sha512_crypt(big, sizeof(big), "$6$saltstring$", out));
	assert_true(sha512_crypt(big, PASSWORD_MAX, "$6$saltstring$", out));
}

/* password_verify takes the fast path for SHA512-CRYPT and still rejects
 * what it must. */
static void test_verify_through_password(void **state)
{
	static const char hash[] = "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3O"
				   "eqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.";
	char truncated[sizeof(hash)];

	assert_int_equal(password_verify(hash, "Hello world!", 12), 1);
	assert_int_equal(password_verify(hash, "Hello world?", 12), 0);
	assert_int_equal(password_verify(hash, "Hello world!", 11), 0);
	memcpy(truncated, hash, sizeof(hash));
	truncated[sizeof(hash) - 2] = '\0';
	assert_int_equal(password_verify(truncated, "Hello world!", 12), 0);
	truncated[sizeof(hash) - 2] = '/';
	assert_int_equal(password_verify(truncated, "Hello world!", 12), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specification_vectors),
		cmocka_unit_test(test_matches_libxcrypt),
		cmocka_unit_test(test_declines_other_settings),
		cmocka_unit_test(test_verify_through_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
