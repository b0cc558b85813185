/* test-imap-date.c — IMAP date and date-time parsing, validation, writing
 * and conversion to and from unix time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "imap/imap-date.h"

#include <string.h>

static void test_date_parse(void **state)
{
	static const char *const good[] = {"1-Feb-1994",  "01-Feb-1994", "29-Feb-2000",
					   "29-feb-2024", "31-DEC-9999", "1-Jan-0001"};
	static const char *const bad[] = {
		"29-Feb-1900", "29-Feb-2023", "31-Apr-2020", "0-Jan-2020", "32-Jan-2020",
		"1-Jan-0000",  "1-Foo-2020",  "1-Jan-20",    "1 Jan 2020", "001-Jan-2020",
		"1-Jan-2020x", "a-Jan-2020",  "1-Jan-2O20",  "",           "1-Ja-2020"};
	struct imap_date d;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(imap_date_parse(good[i], strlen(good[i]), &d));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(imap_date_parse(bad[i], strlen(bad[i]), &d));
	assert_true(imap_date_parse("7-Mar-2021", 10, &d));
	assert_int_equal(d.day, 7);
	assert_int_equal(d.month, 3);
	assert_int_equal(d.year, 2021);
}

static void test_datetime_parse(void **state)
{
	static const char *const bad[] = {
		"17-Jul-1996 02:44:25",       "17-Jul-1996 24:00:00 -0700",
		"17-Jul-1996 02:60:25 -0700", "17-Jul-1996 02:44:61 -0700",
		"17-Jul-1996 02:44:25 -0760", "17-Jul-1996 02:44:25 0700",
		"7-Jul-1996 02:44:25 -0700",  "17-Jul-1996  2:44:25 -0700",
		"17-Jul-1996T02:44:25 -0700", "31-Jun-1996 02:44:25 -0700",
		"17-Jul-1996 02:44:25 -07OO",
	};
	struct imap_datetime dt;
	struct buf b = BUF_INIT;

	assert_true(imap_datetime_parse("17-Jul-1996 02:44:25 -0700", 26, &dt));
	assert_int_equal(dt.date.day, 17);
	assert_int_equal(dt.hour, 2);
	assert_int_equal(dt.min, 44);
	assert_int_equal(dt.sec, 25);
	assert_int_equal(dt.zone, -420);
	assert_true(imap_datetime_parse(" 5-Jan-2024 23:59:60 +1345", 26, &dt));
	assert_int_equal(dt.date.day, 5);
	assert_int_equal(dt.sec, 60);
	assert_int_equal(dt.zone, 13 * 60 + 45);
	imap_datetime_write(&b, &dt);
	assert_string_equal(buf_cstr(&b), "\"05-Jan-2024 23:59:60 +1345\"");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(imap_datetime_parse(bad[i], strlen(bad[i]), &dt));
	buf_free(&b);
}

static void test_write_and_unix(void **state)
{
	struct imap_datetime dt;
	struct imap_date d = {2000, 2, 29};
	struct buf b = BUF_INIT;

	imap_date_write(&b, &d);
	assert_string_equal(buf_cstr(&b), "29-Feb-2000");
	assert_int_equal(imap_date_to_days(&d), 11016);
	assert_true(imap_datetime_parse("01-Jan-1970 00:00:00 +0000", 26, &dt));
	assert_int_equal(imap_datetime_to_unix(&dt), 0);
	assert_true(imap_datetime_parse("17-Jul-1996 02:44:25 -0700", 26, &dt));
	assert_int_equal(imap_datetime_to_unix(&dt), 837596665);
	assert_true(imap_datetime_from_unix(837596665, -420, &dt));
	buf_reset(&b);
	imap_datetime_write(&b, &dt);
	assert_string_equal(buf_cstr(&b), "\"17-Jul-1996 02:44:25 -0700\"");
	assert_true(imap_datetime_from_unix(-1, 0, &dt));
	assert_int_equal(dt.date.year, 1969);
	assert_int_equal(dt.date.month, 12);
	assert_int_equal(dt.date.day, 31);
	assert_int_equal(dt.sec, 59);
	assert_true(imap_datetime_from_unix(951782400, 0, &dt)); /* 2000-02-29 */
	assert_int_equal(dt.date.month, 2);
	assert_int_equal(dt.date.day, 29);
	assert_false(imap_datetime_from_unix(INT64_MAX, 0, &dt));
	assert_false(imap_datetime_from_unix(0, 6000, &dt));
	assert_false(imap_datetime_from_unix(-62135596800LL - 1, 0, &dt));
	/* Every day over four centuries converts both ways. */
	for (int64_t day = -200000; day < 200000; day += 7) {
		assert_true(imap_datetime_from_unix(day * 86400 + 3723, 0, &dt));
		assert_int_equal(imap_datetime_to_unix(&dt), day * 86400 + 3723);
		assert_true(imap_date_is_valid(&dt.date));
	}
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_datetime_parse),
		cmocka_unit_test(test_write_and_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
