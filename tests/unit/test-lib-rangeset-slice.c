/* test-lib-rangeset-slice.c — unit tests for rangeset_slice() (positions
 * from either end, RFC 9394 PARTIAL ranges): a table, a model, huge sets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/rangeset-slice.h"

/* The set of every case: 2:4,7,10:12,20 (members at positions 1..8). */
static const struct {
	int64_t first, last;
	const char *want; /* sequence-set form, "" for empty */
} cases[] = {
	{1, 1, "2"},
	{1, 3, "2:4"},
	{3, 1, "2:4"},
	{2, 5, "3:4,7,10"},
	{4, 4, "7"},
	{1, 8, "2:4,7,10:12,20"},
	{1, 100, "2:4,7,10:12,20"},
	{8, 8, "20"},
	{9, 20, ""},
	{-1, -1, "20"},
	{-1, -3, "11:12,20"},
	{-3, -1, "11:12,20"},
	{-4, -5, "7,10"},
	{-8, -8, "2"},
	{-100, -7, "2:3"},
	{-100, -9, ""},
	{0, 0, ""},
	{0, 2, "2:3"},
};

static void add_fixture(struct rangeset *s)
{
	rangeset_add_range(s, 2, 4);
	rangeset_add(s, 7);
	rangeset_add_range(s, 10, 12);
	rangeset_add(s, 20);
}

static void test_table(void **state)
{
	struct rangeset set = RANGESET_INIT;

	(void)state;
	add_fixture(&set);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rangeset out = RANGESET_INIT;
		struct buf b = BUF_INIT;

		rangeset_slice(&set, cases[i].first, cases[i].last, &out);
		rangeset_write(&out, &b);
		buf_append_byte(&b, '\0');
		assert_string_equal(b.data, cases[i].want);
		buf_free(&b);
		rangeset_free(&out);
	}
	rangeset_free(&set);
}

static void test_adds_to_out(void **state)
{
	struct rangeset set = RANGESET_INIT, out = RANGESET_INIT, empty = RANGESET_INIT;

	(void)state;
	add_fixture(&set);
	rangeset_add(&out, 100);
	rangeset_slice(&set, 1, 1, &out);
	assert_int_equal(rangeset_count(&out), 2);
	assert_true(rangeset_contains(&out, 2) && rangeset_contains(&out, 100));
	rangeset_slice(&empty, 1, 10, &out);
	rangeset_slice(&empty, -1, -10, &out);
	assert_int_equal(rangeset_count(&out), 2);
	rangeset_free(&out);
	rangeset_free(&set);
}

/* Random sets against the obvious member-by-member selection. */
static void test_model(void **state)
{
	(void)state;
	srand(7);
	for (int round = 0; round < 500; round++) {
		struct rangeset set = RANGESET_INIT, got = RANGESET_INIT, want = RANGESET_INIT;
		uint32_t members[64];
		int64_t n = 0, first, last, lo, hi;
		struct rangeset_iter it;
		uint32_t m;

		for (int i = 0; i < 40; i++)
			rangeset_add(&set, 1 + (uint32_t)(rand() % 60));
		for (it = rangeset_iter(&set); rangeset_next(&set, &it, &m);)
			members[n++] = m;
		first = 1 + rand() % 50;
		last = 1 + rand() % 50;
		if (rand() % 2) {
			first = -first;
			last = -last;
		}
		rangeset_slice(&set, first, last, &got);
		lo = first < 0 ? n + first + 1 : first;
		hi = first < 0 ? n + last + 1 : last;
		if (lo > hi) {
			int64_t t = lo;
			lo = hi;
			hi = t;
		}
		for (int64_t p = lo; p <= hi; p++)
			if (p >= 1 && p <= n)
				rangeset_add(&want, members[p - 1]);
		assert_true(rangeset_equal(&got, &want));
		rangeset_free(&set);
		rangeset_free(&got);
		rangeset_free(&want);
	}
}

/* Positions over billions of members cost nothing: ranges are cut, not walked. */
static void test_huge(void **state)
{
	struct rangeset set = RANGESET_INIT, out = RANGESET_INIT;

	(void)state;
	rangeset_add_range(&set, 1, 4294967294u);
	rangeset_slice(&set, -1, -3, &out);
	assert_int_equal(rangeset_min(&out), 4294967292u);
	assert_int_equal(rangeset_max(&out), 4294967294u);
	rangeset_clear(&out);
	rangeset_slice(&set, 4294967294, 4294967294, &out);
	assert_int_equal(rangeset_count(&out), 1);
	assert_int_equal(rangeset_min(&out), 4294967294u);
	rangeset_clear(&out);
	rangeset_slice(&set, 4294967295, 4294967295, &out);
	assert_true(rangeset_is_empty(&out));
	rangeset_free(&out);
	rangeset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_adds_to_out),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
