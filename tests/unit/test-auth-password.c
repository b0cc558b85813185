/* test-auth-password.c — crypt(3) hashing, verification and import. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "lib/err.h"

struct verify_case {
	const char *hash;
	const char *password;
	const char *scheme;
};

/* Known hashes: the SHA-crypt vector from Drepper's specification, the
 * bcrypt vector from OpenBSD's tests, and hashes of "pencil" made once
 * with libxcrypt. */
static const struct verify_case verify_cases[] = {
	{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
	 "O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOf"
	 "aS35inz1",
	 "Hello world!", "SHA512-CRYPT"},
	{"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!",
	 "SHA256-CRYPT"},
	{"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U", "BLF-CRYPT"},
	{"$y$j9T$gersa4d2LSd5hoSWqo1cy/$N/ytPcp97SL6YJWlE8xL.ToKEsP/.oG/XCH.b6qs6z2", "pencil",
	 "yescrypt"},
	{"$6$/loqX3eWGrcUyVNb$Sx/"
	 "Bh0oxBOUPgEFFqyOrmzqCT.UNAmta04CrZIZ7SbCkgXBBiL7NhvWCIHJj5AuQ3KZDaQvq"
	 "w9q8CjkcV2zgd1",
	 "pencil", "SHA512-CRYPT"},
	{"$2b$05$DKkYYe4SyK9r/Y2TJBd3vuZeyIg.otwBpC.L5aMyTwZKuZF96AOLi", "pencil", "BLF-CRYPT"},
	{"$2y$05$3CKQhFl6A4WmB0Qzd6yMmeUACKmBFMEGRd51bFsWXpO9OeVrbmW0e", "pencil", "BLF-CRYPT"},
	{"$1$2DDXMuD0$fA/kOq6cYR/PXJIjsGuz/.", "pencil", "MD5-CRYPT"},
	{"4jE3qKSYABkGQ", "pencil", "DES-CRYPT"},
	/* Dovecot's prefixed form verifies directly too. */
	{"{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
	 "O817G3uBnIFNjnQJuesI68u4OT"
	 "LiBFdcbYEdFCoEOfaS35inz1",
	 "Hello world!", "SHA512-CRYPT"},
	{"{blf-crypt}$2y$05$3CKQhFl6A4WmB0Qzd6yMmeUACKmBFMEGRd51bFsWXpO9OeVrbmW0e", "pencil",
	 "BLF-CRYPT"},
	{"{CRYPT}4jE3qKSYABkGQ", "pencil", "DES-CRYPT"},
};

static void test_verify_known(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(verify_cases); i++) {
		const struct verify_case *c = &verify_cases[i];
		size_t len = strlen(c->password);

		if (password_verify(c->hash, c->password, len) != 1)
			fail_msg("case %zu: correct password rejected", i);
		assert_int_equal(password_verify(c->hash, "pencil2", 7), 0);
		assert_int_equal(password_verify(c->hash, c->password, len - 1), 0);
		assert_int_equal(password_verify(c->hash, "", 0), 0);
		assert_string_equal(password_scheme_name(c->hash), c->scheme);
	}
}

static void test_verify_unusable(void **state)
{
	/* Locked, empty, truncated and foreign hashes never match. */
	assert_int_equal(password_verify("", "", 0), 0);
	assert_int_equal(password_verify("*", "", 0), 0);
	assert_int_equal(password_verify("!$6$saltstring$x", "Hello world!", 12), 0);
	assert_int_equal(password_verify("$6$saltstring", "Hello world!", 12), 0);
	assert_int_equal(password_verify("{PLAIN}pencil", "pencil", 6), 0);
	assert_int_equal(
		password_verify("{SHA256-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSM"
				"HWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
				"Hello world!", 12),
		0);
	assert_int_equal(password_verify("{SHA512-CRYPT", "", 0), 0);
	assert_int_equal(password_verify("$y$j9T$gersa4d2LSd5hoSWqo1cy/$N/yt", "pencil", 6), 0);
	/* A password with a NUL never matches (crypt would see a prefix). */
	assert_int_equal(
		password_verify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
				"U*U\0x", 5),
		0);
	password_verify_dummy("pencil", 6);
}

static void test_hash_roundtrip(void **state)
{
	static const char *const prefixes[] = {"$y$", "$6$", "$2b$"};
	const char *error = NULL;
	char *hash, *hash2;

	assert_int_equal(password_hash("pencil", 6, &hash, &error), 0);
	assert_true(strncmp(hash, "$y$", 3) == 0);
	assert_true(password_is_current(hash));
	assert_int_equal(password_verify(hash, "pencil", 6), 1);
	assert_int_equal(password_verify(hash, "Pencil", 6), 0);
	/* Fresh salt every time. */
	assert_int_equal(password_hash("pencil", 6, &hash2, &error), 0);
	assert_string_not_equal(hash, hash2);
	free(hash);
	free(hash2);
	for (size_t i = 0; i < HF_N_ELEMENTS(prefixes); i++) {
		assert_int_equal(
			password_hash_with(prefixes[i], "p\xc3\xa4ss word", 10, &hash, &error), 0);
		assert_int_equal(password_verify(hash, "p\xc3\xa4ss word", 10), 1);
		assert_int_equal(password_is_current(hash), i == 0);
		free(hash);
	}
	assert_false(password_is_current("$6$saltstring$svn8"));
	assert_false(password_is_current("$y$j75$abc$def"));
}

static void test_hash_rejects(void **state)
{
	char big[PASSWORD_MAX + 1];
	const char *error = NULL;
	char *hash = NULL;

	memset(big, 'x', sizeof(big));
	assert_int_equal(password_hash(big, sizeof(big), &hash, &error), -1);
	assert_string_equal(error, "password too long");
	assert_int_equal(password_hash("a\0b", 3, &hash, &error), -1);
	assert_string_equal(error, "password contains NUL");
	assert_int_equal(password_hash_with("$unknown$", "a", 1, &hash, &error), -1);
	assert_null(hash);
	/* The longest allowed password works. */
	assert_int_equal(password_hash(big, PASSWORD_MAX, &hash, &error), 0);
	assert_int_equal(password_verify(hash, big, PASSWORD_MAX), 1);
	free(hash);
}

struct import_case {
	const char *in;
	const char *stored; /* NULL: rejected */
};

static const struct import_case import_cases[] = {
	/* Dovecot's prefixed forms (doveadm pw -s SHA512-CRYPT etc.). */
	{"{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
	 "O817G3uBnIFNjnQJuesI68u4OT"
	 "LiBFdcbYEdFCoEOfaS35inz1",
	 "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
	 "O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOf"
	 "aS35inz1"},
	{"{sha256-crypt}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
	 "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"{BLF-CRYPT}$2y$05$3CKQhFl6A4WmB0Qzd6yMmeUACKmBFMEGRd51bFsWXpO9OeVrbmW0e",
	 "$2y$05$3CKQhFl6A4WmB0Qzd6yMmeUACKmBFMEGRd51bFsWXpO9OeVrbmW0e"},
	{"{MD5-CRYPT}$1$2DDXMuD0$fA/kOq6cYR/PXJIjsGuz/.", "$1$2DDXMuD0$fA/kOq6cYR/PXJIjsGuz/."},
	{"{CRYPT}4jE3qKSYABkGQ", "4jE3qKSYABkGQ"},
	{"{CRYPT}$y$j9T$gersa4d2LSd5hoSWqo1cy/$N/ytPcp97SL6YJWlE8xL.ToKEsP/.oG/XCH.b6qs6z2",
	 "$y$j9T$gersa4d2LSd5hoSWqo1cy/$N/ytPcp97SL6YJWlE8xL.ToKEsP/.oG/XCH.b6qs6z2"},
	/* Bare crypt strings. */
	{"$2b$05$DKkYYe4SyK9r/Y2TJBd3vuZeyIg.otwBpC.L5aMyTwZKuZF96AOLi",
	 "$2b$05$DKkYYe4SyK9r/Y2TJBd3vuZeyIg.otwBpC.L5aMyTwZKuZF96AOLi"},
	/* Rejected: prefix and hash disagree, unsupported schemes, garbage. */
	{"{SHA512-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", NULL},
	{"{BLF-CRYPT}$6$saltstring$svn8", NULL},
	{"{PLAIN}pencil", NULL},
	{"{SSHA512}abcd", NULL},
	{"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA", NULL},
	{"{SHA512-CRYPT", NULL},
	{"{}$6$x$y", NULL},
	{"", NULL},
	{"pencil", NULL},
	{"$6$saltstring", NULL},
	{"$6$saltstring$", NULL},
	{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl", NULL},
	{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
	 "O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEO"
	 "faS35inz1!",
	 NULL},
	{"$6$saltstring$%%%", NULL},
	{"$q$abc$def", NULL},
	{"4jE3qKSYABkG", NULL},
};

static void test_import(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(import_cases); i++) {
		const struct import_case *c = &import_cases[i];
		const char *error = NULL;
		char *stored = NULL;
		int ret = password_import(c->in, &stored, &error);

		if (c->stored == NULL) {
			if (ret != -1)
				fail_msg("case %zu: imported as %s", i, stored);
			assert_non_null(error);
			continue;
		}
		if (ret != 0)
			fail_msg("case %zu: rejected: %s", i, error);
		assert_string_equal(stored, c->stored);
		free(stored);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_known),   cmocka_unit_test(test_verify_unusable),
		cmocka_unit_test(test_hash_roundtrip), cmocka_unit_test(test_hash_rejects),
		cmocka_unit_test(test_import),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
