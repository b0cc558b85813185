/* test-mime-date.c — RFC 5322 dates (with obsolete forms) and the RFC 5256
 * base subject. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/buf.h"
#include "mime/mime.h"

struct date_case {
	const char *s;
	int ok;
	int64_t t;
	int tz;
};

static void test_dates(void **state)
{
	static const struct date_case cases[] = {
		{"Thu, 1 Jan 1970 00:00:00 +0000", 0, 0, 0},
		{"Mon, 1 Jan 2024 10:00:00 +0100", 0, 1704099600, 60},
		{"1 Jan 2024 10:00:00 +0100", 0, 1704099600, 60},    /* no day of week */
		{"Mon, 01 Jan 2024 10:00 +0100", 0, 1704099600, 60}, /* no seconds */
		{"Mon, 1 Jan 2024 10:00:00 -0830", 0, 1704133800, -510},
		{"Mon, 1 Jan 24 10:00:00 GMT", 0, 1704103200, 0}, /* two-digit year */
		{"Fri, 1 Jan 99 00:00:00 UT", 0, 915148800, 0},   /* 99 -> 1999 */
		{"Wed, 1 Jan 103 00:00:00 Z", 0, 1041379200, 0},  /* 103 -> 2003 */
		{"Mon, 1 Jan 2024 05:00:00 EST", 0, 1704103200, -300},
		{"Mon, 1 Jan 2024 03:00:00 PDT", 0, 1704103200, -420},
		{"Mon, 1 Jan 2024 10:00:00 A", 0, 1704103200, 0}, /* military: -0000 */
		{"Mon, 1 Jan 2024 10:00:00", 0, 1704103200, 0},   /* no zone */
		{"Mon (day), 1 (one) Jan 2024 10:00:00 +0100 (CET)", 0, 1704099600, 60},
		{" Mon,\r\n 1 January 2024 10:00:00 +0100", 0, 1704099600, 60},
		{"29 Feb 2024 12:00:00 +0000", 0, 1709208000, 0},
		{"31 Dec 2023 23:59:60 +0000", 0, 1704067200, 0}, /* leap second */
		{"29 Feb 2023 12:00:00 +0000", -1, 0, 0},
		{"32 Jan 2024 10:00:00 +0000", -1, 0, 0},
		{"1 Foo 2024 10:00:00 +0000", -1, 0, 0},
		{"1 Jan 2024 24:00:00 +0000", -1, 0, 0},
		{"1 Jan 2024 10:60:00 +0000", -1, 0, 0},
		{"1 Jan 2024 10:00:00 +0160", -1, 0, 0},
		{"1 Jan 2024 10:00:00 +01", -1, 0, 0},
		{"1 Jan 2024 10:00:00 +01:30", 0, 1704097800, 90},
		{"1 Jan 2024 10:00:00 +01:3", -1, 0, 0},
		{"1 Jan 2024 10:00: +0000", -1, 0, 0},
		{"1 Jan 2024", -1, 0, 0},
		{"1 Jan 5 10:00 +0000", -1, 0, 0},
		{"garbage", -1, 0, 0},
		{"", -1, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = -1;
		int tz = -1;
		int r = mime_parse_date(cases[i].s, strlen(cases[i].s), &t, &tz);

		if (r != cases[i].ok)
			fail_msg("case %zu: %s", i, cases[i].s);
		if (r == 0) {
			assert_int_equal(t, cases[i].t);
			assert_int_equal(tz, cases[i].tz);
		}
	}
}

struct subject_case {
	const char *in;
	const char *out;
	bool reply;
};

static void test_base_subject(void **state)
{
	static const struct subject_case cases[] = {
		{"hello", "hello", false},
		{"Re: hello", "hello", true},
		{"RE: Re: re:hello", "hello", true},
		{"Fwd: hello", "hello", true},
		{"FW: hello", "hello", true},
		{"Re[2]: hello", "hello", true},
		{"Re [2]: hello", "hello", true},
		{"[list] Re: hello", "hello", true},
		{"[list] hello", "hello", false},
		{"[list]", "[list]", false}, /* the blob is kept when nothing follows */
		{"[a][b] [c] hello", "hello", false},
		{"Re: [list] Re: hello", "hello", true},
		{"hello (fwd)", "hello", true},
		{"hello (FWD) (fwd)  ", "hello", true},
		{"[Fwd: hello]", "hello", true},
		{"[fwd: Re: hello (fwd)]", "hello", true},
		{"Re: [fwd: [fwd: x]]", "x", true},
		{"  spaced \t\r\n  out  ", "spaced out", false},
		{"Rewrite the code", "Rewrite the code", false},
		{"Re:", "", true},
		{"", "", false},
		{"[\xc3\xa4] hello", "[\xc3\xa4] hello", false}, /* BLOBCHAR is ASCII only */
		{"Re: caf\xc3\xa9", "caf\xc3\xa9", true},
		{"re:re:[x]:fw:y", ":fw:y", true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		bool reply = !cases[i].reply;

		mime_base_subject(cases[i].in, strlen(cases[i].in), &out, &reply);
		if (strcmp(buf_cstr(&out), cases[i].out) != 0 || reply != cases[i].reply)
			fail_msg("case %zu: \"%s\" gave \"%s\" reply=%d", i, cases[i].in,
				 buf_cstr(&out), reply);
		buf_free(&out);
	}
}

static void test_base_subject_many_blobs(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	for (int i = 0; i < 50000; i++)
		buf_append_str(&in, "[x] ");
	buf_append_str(&in, "end");
	mime_base_subject((const char *)in.data, in.len, &out, NULL);
	assert_string_equal(buf_cstr(&out), "end");
	buf_free(&in);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_base_subject),
		cmocka_unit_test(test_base_subject_many_blobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
