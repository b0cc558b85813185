/* test-auth-saslprep.c — SASLprep (RFC 4013) and strict base64 for SASL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "auth/sasl-base64.h"
#include "auth/saslprep.h"
#include "auth/stringprep-tables.h"

struct prep_case {
	const char *in;
	size_t in_len; /* 0: strlen(in) */
	enum saslprep_kind kind;
	const char *out; /* NULL: must fail */
};

static const struct prep_case prep_cases[] = {
	/* RFC 4013 section 3, examples 1 to 7. */
	{"I\xc2\xadX", 0, SASLPREP_STORED, "IX"},
	{"user", 0, SASLPREP_STORED, "user"},
	{"USER", 0, SASLPREP_STORED, "USER"},
	{"\xc2\xaa", 0, SASLPREP_STORED, "a"},
	{"\xe2\x85\xa8", 0, SASLPREP_STORED, "IX"},
	{"\x07", 0, SASLPREP_STORED, NULL},
	{"\xd8\xa7\x31", 0, SASLPREP_STORED, NULL},
	/* RFC 3454 section 6: "aleph 1 beh" is fine. */
	{"\xd8\xa7\x31\xd8\xa8", 0, SASLPREP_QUERY, "\xd8\xa7\x31\xd8\xa8"},
	/* RandALCat with an LCat character. */
	{"\xd8\xa7"
	 "a"
	 "\xd8\xa8",
	 0, SASLPREP_QUERY, NULL},
	/* Non-ASCII spaces map to SPACE (C.1.2). */
	{"a\xc2\xa0"
	 "b",
	 0, SASLPREP_QUERY, "a b"},
	{"a\xe3\x80\x80"
	 "b",
	 0, SASLPREP_QUERY, "a b"},
	/* Mapped to nothing. U+200B is listed in both B.1 and C.1.2; like
	 * other implementations we apply B.1, so it vanishes. */
	{"\xe2\x80\x8b", 0, SASLPREP_QUERY, ""},
	{"\xef\xbb\xbfpw", 0, SASLPREP_QUERY, "pw"},
	/* NFKC differs from NFC (RFC 5802 section 3 informative note). */
	{"\xc2\xbd", 0, SASLPREP_QUERY,
	 "1\xe2\x81\x84"
	 "2"},
	{"\xc2\xb4", 0, SASLPREP_QUERY, " \xcc\x81"},
	/* Composition: e + combining acute becomes U+00E9. */
	{"e\xcc\x81", 0, SASLPREP_QUERY, "\xc3\xa9"},
	/* Unassigned in Unicode 3.2: allowed in queries only. */
	{"\xc8\xa1", 0, SASLPREP_QUERY, "\xc8\xa1"},
	{"\xc8\xa1", 0, SASLPREP_STORED, NULL},
	/* Prohibited: controls, private use, non-characters, tags, display. */
	{"a\tb", 0, SASLPREP_QUERY, NULL},
	{"a\x7f", 0, SASLPREP_QUERY, NULL},
	{"\xc2\x85", 0, SASLPREP_QUERY, NULL},
	{"\xee\x80\x80", 0, SASLPREP_QUERY, NULL},
	{"\xef\xbf\xbe", 0, SASLPREP_QUERY, NULL},
	{"\xf3\xa0\x80\x81", 0, SASLPREP_QUERY, NULL},
	{"\xe2\x80\x8e", 0, SASLPREP_QUERY, NULL},
	{"\xef\xbf\xbd", 0, SASLPREP_QUERY, NULL},
	{"\xe2\xbf\xb0", 0, SASLPREP_QUERY, NULL},
	{"a\0b", 3, SASLPREP_QUERY, NULL},
	/* Not UTF-8: overlong, surrogate, truncated, stray continuation. */
	{"\xc0\xaf", 0, SASLPREP_QUERY, NULL},
	{"\xed\xa0\x80", 0, SASLPREP_QUERY, NULL},
	{"\xe2\x85", 0, SASLPREP_QUERY, NULL},
	{"\x80", 0, SASLPREP_QUERY, NULL},
	{"\xf4\x90\x80\x80", 0, SASLPREP_QUERY, NULL},
	/* ASCII fast path, including the empty string. */
	{"", 0, SASLPREP_STORED, ""},
	{"pencil", 0, SASLPREP_STORED, "pencil"},
	{" ~!=,", 0, SASLPREP_STORED, " ~!=,"},
	/* Mixed: ASCII plus a mapped character. */
	{"p\xc2\xad"
	 "encil",
	 0, SASLPREP_STORED, "pencil"},
};

static void test_saslprep_cases(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(prep_cases); i++) {
		const struct prep_case *c = &prep_cases[i];
		size_t len = c->in_len ? c->in_len : strlen(c->in);
		const char *error = NULL;
		char *out = NULL;
		size_t out_len = 99;
		int ret = saslprep(c->in, len, c->kind, &out, &out_len, &error);

		if (c->out == NULL) {
			if (ret != -1)
				fail_msg("case %zu: expected failure, got \"%s\"", i, out);
			assert_non_null(error);
			assert_null(out);
			continue;
		}
		if (ret != 0)
			fail_msg("case %zu: unexpected failure: %s", i, error);
		assert_int_equal(out_len, strlen(c->out));
		assert_string_equal(out, c->out);
		free(out);
	}
}

static void test_saslprep_too_long(void **state)
{
	char *big = malloc(SASLPREP_INPUT_MAX + 1);
	const char *error = NULL;
	char *out = NULL;
	size_t out_len;

	memset(big, 'a', SASLPREP_INPUT_MAX + 1);
	assert_int_equal(
		saslprep(big, SASLPREP_INPUT_MAX + 1, SASLPREP_QUERY, &out, &out_len, &error), -1);
	assert_string_equal(error, "string too long");
	assert_int_equal(saslprep(big, SASLPREP_INPUT_MAX, SASLPREP_QUERY, &out, &out_len, &error),
			 0);
	assert_int_equal(out_len, SASLPREP_INPUT_MAX);
	free(out);
	/* The longest NFKC expansion (U+FDFA, 18 characters) still works at the limit. */
	for (size_t i = 0; i + 3 <= SASLPREP_INPUT_MAX; i += 3)
		memcpy(big + i, "\xef\xb7\xba", 3);
	assert_int_equal(
		saslprep(big, SASLPREP_INPUT_MAX / 3 * 3, SASLPREP_QUERY, &out, &out_len, &error),
		0);
	assert_true(out_len > SASLPREP_INPUT_MAX);
	free(out);
	free(big);
}

static void test_stringprep_tables(void **state)
{
	/* Spot checks against RFC 3454 appendix lists and table edges. */
	assert_true(
		stringprep_in_table(stringprep_unassigned, stringprep_unassigned_count, 0x0221));
	assert_false(
		stringprep_in_table(stringprep_unassigned, stringprep_unassigned_count, 0x0220));
	assert_true(
		stringprep_in_table(stringprep_unassigned, stringprep_unassigned_count, 0xE0000));
	assert_true(
		stringprep_in_table(stringprep_prohibited, stringprep_prohibited_count, 0x10FFFF));
	assert_true(
		stringprep_in_table(stringprep_prohibited, stringprep_prohibited_count, 0xD800));
	assert_false(stringprep_in_table(stringprep_prohibited, stringprep_prohibited_count, 'a'));
	assert_true(stringprep_in_table(stringprep_lcat, stringprep_lcat_count, 'A'));
	assert_true(stringprep_in_table(stringprep_lcat, stringprep_lcat_count, 0x10FFFD));
	assert_false(stringprep_in_table(stringprep_lcat, stringprep_lcat_count, '1'));
	assert_true(stringprep_in_table(stringprep_randalcat, stringprep_randalcat_count, 0x05BE));
	assert_true(stringprep_in_table(stringprep_randalcat, stringprep_randalcat_count, 0xFEFC));
	assert_false(stringprep_in_table(stringprep_randalcat, stringprep_randalcat_count, 0xFEFD));
	assert_true(
		stringprep_in_table(stringprep_map_nothing, stringprep_map_nothing_count, 0xFEFF));
	for (size_t i = 1; i < stringprep_lcat_count; i++)
		assert_true(stringprep_lcat[i - 1].hi + 1 < stringprep_lcat[i].lo);
}

struct b64_case {
	const char *plain;
	size_t plain_len;
	const char *enc;
};

/* RFC 4648 section 10 test vectors, plus bytes with NULs and high bits. */
static const struct b64_case b64_cases[] = {
	{"", 0, ""},
	{"f", 1, "Zg=="},
	{"fo", 2, "Zm8="},
	{"foo", 3, "Zm9v"},
	{"foob", 4, "Zm9vYg=="},
	{"fooba", 5, "Zm9vYmE="},
	{"foobar", 6, "Zm9vYmFy"},
	{"\0user\0pencil", 12, "AHVzZXIAcGVuY2ls"},
	{"\xff\xfe\xfd", 3, "//79"},
	{"\xfb\xef", 2, "++8="},
};

static void test_base64_vectors(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(b64_cases); i++) {
		const struct b64_case *c = &b64_cases[i];
		struct buf b = BUF_INIT;

		sasl_base64_encode(c->plain, c->plain_len, &b);
		assert_int_equal(b.len, strlen(c->enc));
		assert_int_equal(b.len, sasl_base64_encoded_len(c->plain_len));
		assert_memory_equal(b.data, c->enc, b.len);
		buf_reset(&b);
		assert_int_equal(sasl_base64_decode(c->enc, strlen(c->enc), &b), 0);
		assert_int_equal(b.len, c->plain_len);
		if (b.len > 0)
			assert_memory_equal(b.data, c->plain, b.len);
		sasl_buf_cleanse_free(&b);
	}
}

static void test_base64_invalid(void **state)
{
	static const char *const bad[] = {
		"Zg",                                              /* no padding */
		"Zg=",                                             /* short padding */
		"Z===",                                            /* three pad characters */
		"Zg==Zg==",                                        /* padding in the middle */
		"Zm9v\r\n",                                        /* whitespace */
		"Zm 9",     "Zm9-",                                /* URL alphabet */
		"Zm_v",     "=Zm9", "Zg=a", "Zm9vY\x80==", "Zh==", /* pad bits set: not canonical */
		"Zm9=",     "*",
	};
	struct buf b = BUF_INIT;

	buf_append_str(&b, "keep");
	for (size_t i = 0; i < HF_N_ELEMENTS(bad); i++) {
		if (sasl_base64_decode(bad[i], strlen(bad[i]), &b) != -1)
			fail_msg("case %zu decoded", i);
		assert_int_equal(b.len, 4);
	}
	assert_memory_equal(b.data, "keep", 4);
	/* Appends after existing content. */
	assert_int_equal(sasl_base64_decode("Zm9v", 4, &b), 0);
	assert_memory_equal(b.data, "keepfoo", 7);
	sasl_buf_cleanse_free(&b);
	assert_null(b.data);
	sasl_buf_cleanse_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saslprep_cases),    cmocka_unit_test(test_saslprep_too_long),
		cmocka_unit_test(test_stringprep_tables), cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
