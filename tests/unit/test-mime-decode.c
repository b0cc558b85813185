/* test-mime-decode.c — content-transfer decoding and charset conversion. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/buf.h"
#include "mime/mime.h"

struct decode_case {
	enum mime_cte cte;
	const char *in;
	const char *out;
};

static void test_transfer_decoding(void **state)
{
	static const struct decode_case cases[] = {
		{MIME_CTE_BASE64, "aGVsbG8=", "hello"},
		{MIME_CTE_BASE64, "aGVsbG8", "hello"}, /* missing padding */
		{MIME_CTE_BASE64, "aGVs\r\nbG8gd29y\r\n bGQ=\r\n", "hello world"},
		{MIME_CTE_BASE64, "aG!V*sb#G8=", "hello"}, /* junk ignored (RFC 2045 6.8) */
		{MIME_CTE_BASE64, "YQ==Yg==", "ab"},       /* concatenated blobs */
		{MIME_CTE_BASE64, "YWJj", "abc"},
		{MIME_CTE_BASE64, "Y", ""}, /* a lone sextet makes no byte */
		{MIME_CTE_BASE64, "", ""},
		{MIME_CTE_BASE64, "====", ""},
		{MIME_CTE_QP, "Caf=C3=A9", "Caf\xc3\xa9"},
		{MIME_CTE_QP, "caf=c3=a9", "caf\xc3\xa9"}, /* lowercase hex tolerated */
		{MIME_CTE_QP, "soft=\r\nbreak", "softbreak"},
		{MIME_CTE_QP, "soft=  \r\nbreak", "softbreak"},
		{MIME_CTE_QP, "trail   \r\nnext", "trail\r\nnext"}, /* rule 3 */
		{MIME_CTE_QP, "lf only\nx", "lf only\nx"},
		{MIME_CTE_QP, "bad =ZZ and =", "bad =ZZ and "},
		{MIME_CTE_QP, "a=3", "a=3"},
		{MIME_CTE_QP, "=3D=20\t\r\n", "= \r\n"},
		{MIME_CTE_7BIT, "as is =41\r\n", "as is =41\r\n"},
		{MIME_CTE_8BIT, "\xff\xfe", "\xff\xfe"},
		{MIME_CTE_BINARY, "x", "x"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		const char *err = NULL;
		uint64_t size = 99;

		assert_int_equal(mime_decode_transfer(cases[i].cte, cases[i].in,
						      strlen(cases[i].in), &out, &err),
				 0);
		assert_int_equal(out.len, strlen(cases[i].out));
		assert_memory_equal(buf_cstr(&out), cases[i].out, out.len);
		assert_int_equal(
			mime_decoded_size(cases[i].cte, cases[i].in, strlen(cases[i].in), &size),
			0);
		assert_int_equal(size, out.len);
		buf_free(&out);
	}
}

static void test_unknown_cte(void **state)
{
	struct buf out = BUF_INIT;
	const char *err = NULL;
	uint64_t size;

	assert_int_equal(mime_decode_transfer(MIME_CTE_UNKNOWN, "abc", 3, &out, &err), -1);
	assert_non_null(err);
	assert_int_equal(out.len, 0);
	assert_int_equal(mime_decoded_size(MIME_CTE_UNKNOWN, "abc", 3, &size), -1);
	buf_free(&out);
}

static void test_cte_parse(void **state)
{
	static const struct {
		const char *value;
		enum mime_cte cte;
	} cases[] = {
		{"", MIME_CTE_7BIT},
		{"  ", MIME_CTE_7BIT},
		{"7bit", MIME_CTE_7BIT},
		{" 8BIT\r\n", MIME_CTE_8BIT},
		{"Binary", MIME_CTE_BINARY},
		{"(comment) base64", MIME_CTE_BASE64},
		{"Quoted-Printable (qp)", MIME_CTE_QP},
		{"x-uuencode", MIME_CTE_UNKNOWN},
		{"base64x", MIME_CTE_UNKNOWN},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(mime_cte_parse(cases[i].value, strlen(cases[i].value)),
				 cases[i].cte);
	assert_int_equal(mime_cte_parse(NULL, 0), MIME_CTE_7BIT);
}

struct charset_case {
	const char *charset;
	const char *in;
	size_t in_len;
	const char *out;
};

static void test_charset_to_utf8(void **state)
{
	static const struct charset_case cases[] = {
		{"utf-8", "caf\xc3\xa9", 5, "caf\xc3\xa9"},
		{"UTF8",
		 "a\xff"
		 "b",
		 3,
		 "a\xef\xbf\xbd"
		 "b"},
		{"iso-8859-1", "caf\xe9", 4, "caf\xc3\xa9"},
		{"latin1", "\x80", 1, "\xe2\x82\xac"}, /* read as windows-1252 */
		{"ISO-8859-15", "\xa4", 1, "\xe2\x82\xac"},
		{"us-ascii", "plain", 5, "plain"},
		{"us-ascii", "caf\xc3\xa9", 5, "caf\xc3\xa9"}, /* mislabelled UTF-8 */
		{"us-ascii", "caf\xe9", 4, "caf\xc3\xa9"},     /* mislabelled latin1 */
		{NULL, "x", 1, "x"},
		{"", "x", 1, "x"},
		{"koi8-r", "\xf7\xc1\xd3\xc9\xcc\xc9\xca", 7,
		 "\xd0\x92\xd0\xb0\xd1\x81\xd0\xb8\xd0\xbb\xd0\xb8\xd0\xb9"},
		{"shift_jis", "\x93\xfa\x96\x7b", 4, "\xe6\x97\xa5\xe6\x9c\xac"},
		{"gb2312", "\xc4\xe3\xba\xc3", 4, "\xe4\xbd\xa0\xe5\xa5\xbd"},
		{"ks_c_5601-1987", "\xc7\xd1", 2, "\xed\x95\x9c"},
		{"iso-2022-jp", "\x1b$BF|K\\\x1b(B", 10, "\xe6\x97\xa5\xe6\x9c\xac"},
		{"x-no-such-charset", "ok \xc3\xa9 \xff", 7, "ok \xc3\xa9 \xef\xbf\xbd"},
		{"unknown-8bit", "\xe9", 1, "\xef\xbf\xbd"},
		{"iso-2022-cn-ext", "a", 1, "a"}, /* refused: CVE-2024-2961 */
		{"utf-8//TRANSLIT", "a\xe9", 2, "a\xef\xbf\xbd"},
		{"a-charset-name-that-is-much-too-long-for-anyone", "a", 1, "a"},
		{"shift_jis", "\x93", 1, "\xef\xbf\xbd"}, /* cut-off sequence */
		{"utf-8", "", 0, ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		/* Twice: the second time the converter comes from the cache. */
		for (int round = 0; round < 2; round++) {
			buf_reset(&out);
			mime_charset_to_utf8(cases[i].charset, cases[i].in, cases[i].in_len, &out);
			assert_int_equal(out.len, strlen(cases[i].out));
			if (out.len > 0)
				assert_memory_equal(out.data, cases[i].out, out.len);
		}
		buf_free(&out);
	}
}

static void test_charset_cache_churn(void **state)
{
	static const char *const names[] = {"iso-8859-2",   "iso-8859-3",  "iso-8859-4",
					    "iso-8859-5",   "iso-8859-6",  "iso-8859-7",
					    "iso-8859-9",   "iso-8859-13", "koi8-u",
					    "windows-1250", "no-such-one", "windows-1251"};
	struct buf out = BUF_INIT;

	/* More names than cache slots: entries are closed and reopened. */
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			buf_reset(&out);
			mime_charset_to_utf8(names[i], "abc", 3, &out);
			assert_int_equal(out.len, 3);
		}
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transfer_decoding),   cmocka_unit_test(test_unknown_cte),
		cmocka_unit_test(test_cte_parse),           cmocka_unit_test(test_charset_to_utf8),
		cmocka_unit_test(test_charset_cache_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
