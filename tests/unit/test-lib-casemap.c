/* test-lib-casemap.c — unit tests for the i;unicode-casemap collation
 * (src/lib/casemap.h, RFC 5051). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/buf.h"
#include "lib/casemap.h"

static const struct {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *out;
	size_t out_len;
} prepare_cases[] = {
	{"", 0, "", 0},
	{"abc", 0, "ABC", 0},
	{"Re: [list] Hello", 0, "RE: [LIST] HELLO", 0},
	/* RFC 5051 section 2 example: U+01C4 -> U+0044 U+007A U+030C */
	{"\xc7\x84", 0, "Dz\xcc\x8c", 0},
	/* titlecase, then NFKD: e-acute becomes E + combining acute */
	{"\xc3\xa9t\xc3\xa9", 0, "E\xcc\x81TE\xcc\x81", 0},
	{"\xc3\x89T\xc3\x89", 0, "E\xcc\x81TE\xcc\x81", 0},
	{"e\xcc\x81", 0, "E\xcc\x81", 0},
	/* both Greek small sigmas titlecase to capital sigma */
	{"\xcf\x83\xcf\x82", 0, "\xce\xa3\xce\xa3", 0},
	/* the fi ligature has no simple titlecase; NFKD then gives "fi" */
	{"\xef\xac\x81", 0, "fi", 0},
	/* sharp s has no simple titlecase mapping and no decomposition */
	{"stra\xc3\x9f"
	 "e",
	 0,
	 "STRA\xc3\x9f"
	 "E",
	 0},
	/* invalid UTF-8 is kept as octets (RFC 5051 step 1(b)) */
	{"a\xff"
	 "b",
	 0,
	 "a\xff"
	 "b",
	 0},
	{"\xc3", 0, "\xc3", 0},
	{"\xed\xa0\x80", 0, "\xed\xa0\x80", 0}, /* a surrogate */
	/* NUL is a character like any other */
	{"a\0b", 3, "A\0B", 3},
	{"\xc3\xa4\0x", 4, "A\xcc\x88\0X", 5},
};

static void test_prepare(void **state)
{
	for (size_t i = 0; i < sizeof(prepare_cases) / sizeof(prepare_cases[0]); i++) {
		const char *in = prepare_cases[i].in;
		size_t len = prepare_cases[i].len ? prepare_cases[i].len : strlen(in);
		size_t out_len = prepare_cases[i].out_len ? prepare_cases[i].out_len
							  : strlen(prepare_cases[i].out);
		struct buf b = BUF_INIT;

		buf_append_str(&b, "<");
		casemap_append(&b, in, len);
		assert_int_equal(b.len, out_len + 1);
		assert_memory_equal(b.data + 1, prepare_cases[i].out, out_len);
		buf_free(&b);
	}
}

static const struct {
	const char *a, *b;
	int sign;
} compare_cases[] = {
	{"", "", 0},
	{"", "a", -1},
	{"a", "", 1},
	{"abc", "ABC", 0},
	{"abc", "abd", -1},
	{"ab", "abc", -1},
	{"B", "a", 1},
	/* titlecase, not lower case: 'A' (0x41) sorts before '[' (0x5b) */
	{"a", "[", -1},
	{"_", "a", 1},
	{"\xc3\xa4pfel", "\xc3\x84PFEL", 0},
	{"\xc3\xa9", "e\xcc\x81", 0},
	{"\xc3\xa9", "E", 1},
	{"\xc3\xa9", "f", -1},
	{"\xcf\x83", "\xcf\x82", 0},
	/* mixed: ASCII against non-ASCII goes through the full preparation */
	{"zebra", "\xc3\xa4pfel", 1},
	{"apfel", "\xc3\xa4pfel", -1},
	/* invalid UTF-8 compares as octets against the other's prepared form */
	{"\xff", "A", 1},
	{"a\xff", "A\xff", 1}, /* "a\xff" stays as is; 'a' > 'A' */
};

static int sign(int c)
{
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static void test_compare(void **state)
{
	for (size_t i = 0; i < sizeof(compare_cases) / sizeof(compare_cases[0]); i++) {
		const char *a = compare_cases[i].a, *b = compare_cases[i].b;

		assert_int_equal(sign(casemap_compare(a, strlen(a), b, strlen(b))),
				 compare_cases[i].sign);
		assert_int_equal(sign(casemap_compare(b, strlen(b), a, strlen(a))),
				 -compare_cases[i].sign);
	}
}

/* The ASCII fast path must agree with the full preparation. */
static void test_fast_path_agrees(void **state)
{
	for (int x = 0x01; x < 0x80; x++) {
		for (int y = 0x01; y < 0x80; y++) {
			char a[2] = {(char)x, 'q'}, b[2] = {(char)y, 'q'};
			struct buf ka = BUF_INIT, kb = BUF_INIT;
			int full;

			casemap_append(&ka, a, 2);
			casemap_append(&kb, b, 2);
			full = memcmp(ka.data, kb.data, 2);
			assert_int_equal(sign(casemap_compare(a, 2, b, 2)), sign(full));
			buf_free(&ka);
			buf_free(&kb);
		}
	}
}

/* SQLite may hand over an empty value as NULL with length 0. */
static void test_empty_null(void **state)
{
	struct buf b = BUF_INIT;

	assert_true(casemap_compare(NULL, 0, "\xc3\xa4", 2) < 0);
	assert_true(casemap_compare("\xc3\xa4", 2, NULL, 0) > 0);
	assert_int_equal(casemap_compare(NULL, 0, NULL, 0), 0);
	assert_int_equal(casemap_compare(NULL, 0, "", 0), 0);
	casemap_append(&b, NULL, 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_long_input(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	for (int i = 0; i < 20000; i++)
		buf_append_str(&in, "\xc3\xa4");
	casemap_append(&out, (const char *)in.data, in.len);
	assert_int_equal(out.len, 20000 * 3); /* A + U+0308 */
	assert_memory_equal(out.data, "A\xcc\x88", 3);
	buf_free(&in);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare),          cmocka_unit_test(test_compare),
		cmocka_unit_test(test_fast_path_agrees), cmocka_unit_test(test_empty_null),
		cmocka_unit_test(test_long_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
