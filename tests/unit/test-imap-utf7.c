/* test-imap-utf7.c — modified UTF-7 (RFC 3501 section 5.1.3): round trips
 * and the strict refusal of every non-canonical form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "imap/imap-utf7.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *utf8, *mutf7;
} pairs[] = {
	{"", ""},
	{"INBOX", "INBOX"},
	{"a&b", "a&-b"},
	{"&", "&-"},
	{"&&", "&-&-"},
	{"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
	{"\xc3\xa4", "&AOQ-"},
	{"\xc3\xa4&", "&AOQ-&-"},
	{"&\xc3\xa4", "&-&AOQ-"},
	{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "&ZeVnLIqe-"},
	{"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	 "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
	{"\xf0\x9f\x98\x80", "&2D3eAA-"},
	{"a\xf0\x9f\x98\x80z", "a&2D3eAA-z"},
	{"\x01", "&AAE-"},
	{"\x7f", "&AH8-"},
	{"\t\n", "&AAkACg-"},
	{"\xc3\xa4\xc3\xb6\xc3\xbc", "&AOQA9gD8-"},
	{"Sent/\xc3\xa4", "Sent/&AOQ-"},
};

static void test_pairs(void **state)
{
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct buf b = BUF_INIT;
		const char *error;

		assert_int_equal(imap_utf7_encode(pairs[i].utf8, strlen(pairs[i].utf8), &b, &error),
				 0);
		assert_string_equal(buf_cstr(&b), pairs[i].mutf7);
		buf_reset(&b);
		if (imap_utf7_decode(pairs[i].mutf7, strlen(pairs[i].mutf7), &b, &error) != 0) {
			fprintf(stderr, "decode %s: %s\n", pairs[i].mutf7, error);
			fail();
		}
		assert_string_equal(buf_cstr(&b), pairs[i].utf8);
		assert_true(imap_utf7_is_valid(pairs[i].mutf7, strlen(pairs[i].mutf7)));
		buf_free(&b);
	}
}

static const char *const invalid[] = {
	"&AGE-",      /* "a" encoded: printable ASCII must represent itself */
	"&ACY-",      /* "&" encoded instead of "&-" */
	"&ACA-",      /* space encoded */
	"&AOQ-&AOQ-", /* two runs that must be one */
	"&AOQ",       /* not terminated */
	"&",          /* not terminated */
	"&AOR-",      /* non-zero padding bits */
	"&AOQA-",     /* superfluous base64 character */
	"&2D0-",      /* lone high surrogate */
	"&3gA-",      /* lone low surrogate */
	"&2D3YPQ-",   /* high surrogate followed by high */
	"&AAA-",      /* NUL */
	"&AO/-",      /* "/" is not modified base64 */
	"&AO=-",      /* "=" is not modified base64 */
	"\xc3\xa4",   /* raw 8-bit */
	"a\tb",       /* raw control */
	"a\x7f",      /* raw DEL */
	"&Jjo!-",     /* invalid character */
};

static void test_invalid(void **state)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct buf b = BUF_INIT;
		const char *error = NULL;

		buf_append_str(&b, "keep");
		if (imap_utf7_decode(invalid[i], strlen(invalid[i]), &b, &error) != -1) {
			fprintf(stderr, "accepted %s\n", invalid[i]);
			fail();
		}
		assert_non_null(error);
		/* The output is left as it was. */
		assert_string_equal(buf_cstr(&b), "keep");
		assert_false(imap_utf7_is_valid(invalid[i], strlen(invalid[i])));
		buf_free(&b);
	}
}

static void test_encode_errors(void **state)
{
	struct buf b = BUF_INIT;
	const char *error;

	buf_append_str(&b, "x");
	assert_int_equal(imap_utf7_encode("a\xc3", 2, &b, &error), -1);
	assert_int_equal(imap_utf7_encode("\xed\xa0\x80", 3, &b, &error), -1);
	assert_int_equal(imap_utf7_encode("\xc3\xa4\xff", 3, &b, &error), -1);
	assert_int_equal(imap_utf7_encode("a\0b", 3, &b, &error), -1);
	assert_string_equal(buf_cstr(&b), "x");
	buf_free(&b);
	assert_false(imap_utf7_needs_encoding("INBOX/Sent", 10));
	assert_true(imap_utf7_needs_encoding("a&b", 3));
	assert_true(imap_utf7_needs_encoding("\xc3\xa4", 2));
}

/* Every BMP code point and a sample of the rest survive a round trip. */
static void test_all_code_points(void **state)
{
	struct buf u8 = BUF_INIT, m7 = BUF_INIT, back = BUF_INIT;
	const char *error;

	for (uint32_t cp = 1; cp < 0x110000; cp += cp < 0x10000 ? 1 : 97) {
		unsigned char tmp[4];
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			tmp[0] = (unsigned char)cp, n = 1;
		} else if (cp < 0x800) {
			tmp[0] = (unsigned char)(0xc0 | (cp >> 6));
			tmp[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
		} else if (cp < 0x10000) {
			tmp[0] = (unsigned char)(0xe0 | (cp >> 12));
			tmp[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			tmp[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
		} else {
			tmp[0] = (unsigned char)(0xf0 | (cp >> 18));
			tmp[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
			tmp[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			tmp[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
		}
		buf_append(&u8, tmp, n);
		/* Mix in ASCII so runs start and stop. */
		if (cp % 7 == 0)
			buf_append_str(&u8, "x&");
	}
	assert_int_equal(imap_utf7_encode((const char *)u8.data, u8.len, &m7, &error), 0);
	assert_int_equal(imap_utf7_decode((const char *)m7.data, m7.len, &back, &error), 0);
	assert_int_equal(back.len, u8.len);
	assert_memory_equal(back.data, u8.data, u8.len);
	buf_free(&u8);
	buf_free(&m7);
	buf_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_all_code_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
