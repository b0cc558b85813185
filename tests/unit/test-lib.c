/* test-lib.c — unit tests for src/lib: buffers, arena, strings, IMAP string output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/istring.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/rangeset.h"
#include "lib/str.h"

static void test_buf_append_and_consume(void **state)
{
	struct buf b = BUF_INIT;

	buf_append_str(&b, "hello");
	buf_append_byte(&b, ' ');
	buf_printf(&b, "%s %d", "world", 42);
	assert_string_equal(buf_cstr(&b), "hello world 42");
	buf_consume(&b, 6);
	assert_string_equal(buf_cstr(&b), "world 42");
	buf_truncate(&b, 5);
	assert_string_equal(buf_cstr(&b), "world");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	buf_shrink_if_empty(&b);
	assert_null(b.data);
	buf_free(&b);
}

static void test_buf_large_printf_and_nul(void **state)
{
	struct buf b = BUF_INIT;
	char big[5000];
	size_t len;
	char *s;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, sizeof(big) + 1);
	buf_append(&b, "\0a", 2);
	assert_int_equal(b.len, sizeof(big) + 3);
	buf_append_u64(&b, 18446744073709551615ULL);
	s = buf_detach(&b, &len);
	assert_int_equal(len, sizeof(big) + 3 + 20);
	assert_memory_equal(s + len - 20, "18446744073709551615", 20);
	assert_null(b.data);
	free(s);
}

static void test_arena(void **state)
{
	struct arena *a = arena_new(128);
	char *s, *big;
	int *ints;

	s = arena_strdup(a, "abc");
	assert_string_equal(s, "abc");
	big = arena_alloc(a, 10000);
	memset(big, 1, 10000);
	for (int i = 0; i < 100; i++) {
		ints = arena_zalloc(a, 7 * sizeof(int));
		assert_int_equal(((uintptr_t)ints) % _Alignof(max_align_t), 0);
		assert_int_equal(ints[6], 0);
	}
	assert_string_equal(arena_printf(a, "%d-%s", 7, "x"), "7-x");
	assert_true(arena_used(a) > 10000);
	ints = arena_realloc(a, NULL, 0, 16);
	assert_non_null(ints);
	assert_memory_equal(arena_strndup(a, "a\0b", 3), "a\0b", 4);
	arena_clear(a);
	assert_int_equal(arena_used(a), 0);
	assert_string_equal(arena_strdup(a, "again"), "again");
	arena_free(&a);
	assert_null(a);
	arena_free(&a);
}

static void test_str_numbers(void **state)
{
	uint64_t v;
	uint32_t u;

	assert_true(str_to_u64("0", 1, UINT64_MAX, &v));
	assert_int_equal(v, 0);
	assert_true(str_to_u64("18446744073709551615", 20, UINT64_MAX, &v));
	assert_false(str_to_u64("18446744073709551616", 20, UINT64_MAX, &v));
	assert_false(str_to_u64("", 0, UINT64_MAX, &v));
	assert_false(str_to_u64("+1", 2, UINT64_MAX, &v));
	assert_false(str_to_u64("1 ", 2, UINT64_MAX, &v));
	assert_true(str_to_u32("4294967295", 10, &u));
	assert_int_equal(u, 4294967295u);
	assert_false(str_to_u32("4294967296", 10, &u));
	assert_true(str_to_u64("100", 3, 100, &v));
	assert_false(str_to_u64("101", 3, 100, &v));
}

static void test_str_case(void **state)
{
	char s[] = "MiXeD";

	assert_int_equal(str_casecmp("INBOX", "inbox"), 0);
	assert_true(str_casecmp("a", "b") < 0);
	assert_true(str_eq_ci_n("FETCHx", 5, "fetch"));
	assert_false(str_eq_ci_n("FETC", 4, "fetch"));
	assert_false(str_eq_ci_n("FETCH", 5, "fetc"));
	assert_true(str_has_prefix_ci("Content-Type", 12, "content-"));
	assert_false(str_has_prefix_ci("Cont", 4, "content-"));
	assert_string_equal(str_find_ci("Hello World", 11, "WORLD", 5), "World");
	assert_null(str_find_ci("Hello", 5, "hellos", 6));
	assert_non_null(mem_find("a\0bc", 4, "bc", 2));
	assert_null(mem_find("abc", 3, "cd", 2));
	str_lower_inplace(s);
	assert_string_equal(s, "mixed");
	str_upper_inplace(s);
	assert_string_equal(s, "MIXED");
}

static void test_utf8_valid(void **state)
{
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("gr\xc3\xbc\xc3\x9f", 6));
	assert_true(utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_false(utf8_valid("\xc0\x80", 2));         /* overlong NUL */
	assert_false(utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(utf8_valid("\xc3", 1));             /* truncated */
	assert_false(utf8_valid("\xff", 1));
	assert_true(str_is_ascii7("abc", 3));
	assert_false(str_is_ascii7("a\0c", 3));
	assert_false(str_is_ascii7("\xc3\xbc", 2));
}

static void check_istring(const char *in, size_t len, unsigned flags, const char *want)
{
	struct buf b = BUF_INIT;

	istring_append(&b, in, len, flags);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void test_istring(void **state)
{
	struct buf b = BUF_INIT;

	check_istring("abc", 3, 0, "\"abc\"");
	check_istring("abc", 3, ISTRING_ASTRING, "abc");
	check_istring("a b", 3, ISTRING_ASTRING, "\"a b\"");
	check_istring("NIL", 3, ISTRING_ASTRING, "\"NIL\"");
	check_istring("", 0, ISTRING_ASTRING, "\"\"");
	check_istring("a\"b\\c", 5, 0, "\"a\\\"b\\\\c\"");
	check_istring("a\r\nb", 4, 0, "{4}\r\na\r\nb");
	check_istring("gr\xc3\xbc", 4, 0, "{4}\r\ngr\xc3\xbc");
	check_istring("gr\xc3\xbc", 4, ISTRING_UTF8, "\"gr\xc3\xbc\"");
	check_istring("gr\xfc", 3, ISTRING_UTF8, "{3}\r\ngr\xfc");
	check_istring("a]b", 3, ISTRING_ASTRING, "a]b");
	check_istring("a%b", 3, ISTRING_ASTRING, "\"a%b\"");
	istring_append_nstring(&b, NULL, 0, 0);
	assert_string_equal(buf_cstr(&b), "NIL");
	buf_free(&b);
	assert_false(istring_is_atom_char(']'));
	assert_true(istring_is_astring_char(']'));
	assert_false(istring_is_atom_char(0x7f));
}

static void test_log_levels(void **state)
{
	enum log_level l;

	assert_true(log_level_parse("DEBUG", &l));
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	assert_false(log_level_parse("loud", &l));
	log_set_level(LOG_LEVEL_ERROR);
	log_info("not shown");
	assert_int_equal(log_get_level(), LOG_LEVEL_ERROR);
	log_set_level(LOG_LEVEL_INFO);
}

static void test_mem(void **state)
{
	char *s = xstrndup("ab\0cd", 5);
	void *p;

	assert_memory_equal(s, "ab\0cd", 6);
	xfree(&s);
	assert_null(s);
	p = xmemdup("xyz", 3);
	assert_memory_equal(p, "xyz", 3);
	free(p);
	p = xreallocarray(NULL, 10, 8);
	free(p);
}

static char *set_str(const struct rangeset *s)
{
	static char out[256];
	struct buf b = BUF_INIT;

	rangeset_write(s, &b);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void test_rangeset_merge(void **state)
{
	struct rangeset s = RANGESET_INIT, t = RANGESET_INIT;
	struct rangeset_iter it;
	uint32_t n, sum = 0;

	rangeset_add(&s, 5);
	rangeset_add(&s, 3);
	rangeset_add(&s, 4);
	assert_string_equal(set_str(&s), "3:5");
	rangeset_add_range(&s, 10, 8);
	assert_string_equal(set_str(&s), "3:5,8:10");
	rangeset_add(&s, 6);
	rangeset_add(&s, 7);
	assert_string_equal(set_str(&s), "3:10");
	rangeset_add_range(&s, 20, 30);
	rangeset_add_range(&s, 1, 1);
	assert_string_equal(set_str(&s), "1,3:10,20:30");
	rangeset_add_range(&s, 2, 25);
	assert_string_equal(set_str(&s), "1:30");
	rangeset_remove(&s, 10);
	rangeset_remove(&s, 1);
	rangeset_remove(&s, 30);
	rangeset_remove(&s, 99);
	assert_string_equal(set_str(&s), "2:9,11:29");
	assert_int_equal(rangeset_count(&s), 27);
	assert_true(rangeset_contains(&s, 2));
	assert_false(rangeset_contains(&s, 10));
	assert_int_equal(rangeset_min(&s), 2);
	assert_int_equal(rangeset_max(&s), 29);
	for (it = rangeset_iter(&s); rangeset_next(&s, &it, &n);)
		sum += n;
	assert_int_equal(sum, (2 + 29) * 28 / 2 - 10);
	rangeset_copy(&t, &s);
	assert_true(rangeset_equal(&s, &t));
	rangeset_clip(&t, 12);
	assert_string_equal(set_str(&t), "2:9,11:12");
	assert_false(rangeset_equal(&s, &t));
	rangeset_clear(&t);
	rangeset_add_set(&t, &s);
	assert_true(rangeset_equal(&s, &t));
	rangeset_free(&s);
	rangeset_free(&t);
}

static void test_rangeset_star(void **state)
{
	struct rangeset s = RANGESET_INIT;

	rangeset_add(&s, 2);
	rangeset_add_range(&s, 7, RANGESET_STAR);
	assert_string_equal(set_str(&s), "2,7:*");
	rangeset_resolve_star(&s, 4);
	assert_string_equal(set_str(&s), "2,4:7");
	rangeset_clear(&s);
	rangeset_add(&s, RANGESET_STAR);
	rangeset_resolve_star(&s, 0);
	assert_true(rangeset_is_empty(&s));
	rangeset_add_range(&s, 1, RANGESET_STAR);
	rangeset_resolve_star(&s, 0);
	assert_true(rangeset_is_empty(&s));
	rangeset_add(&s, RANGESET_STAR);
	rangeset_resolve_star(&s, 9);
	assert_string_equal(set_str(&s), "9");
	rangeset_add_range(&s, 0xfffffffeu, 0xfffffffeu);
	assert_int_equal(rangeset_count(&s), 2);
	rangeset_free(&s);
}

static void test_rangeset_subtract(void **state)
{
	struct rangeset a = RANGESET_INIT, b = RANGESET_INIT;

	rangeset_add_range(&a, 1, 10);
	rangeset_add_range(&a, 20, 30);
	rangeset_add(&b, 1);
	rangeset_add_range(&b, 5, 6);
	rangeset_add_range(&b, 9, 22);
	rangeset_add(&b, 30);
	rangeset_add(&b, 99);
	rangeset_subtract(&a, &b);
	assert_string_equal(set_str(&a), "2:4,7:8,23:29");
	rangeset_subtract(&a, &a);
	assert_true(rangeset_is_empty(&a));
	rangeset_add_range(&a, 0, UINT32_MAX);
	rangeset_clear(&b);
	rangeset_add(&b, UINT32_MAX);
	rangeset_subtract(&a, &b);
	assert_int_equal(rangeset_max(&a), UINT32_MAX - 1);
	rangeset_free(&a);
	rangeset_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append_and_consume),
		cmocka_unit_test(test_buf_large_printf_and_nul),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_str_numbers),
		cmocka_unit_test(test_str_case),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_istring),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_rangeset_merge),
		cmocka_unit_test(test_rangeset_star),
		cmocka_unit_test(test_rangeset_subtract),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
