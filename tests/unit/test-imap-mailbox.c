/* test-imap-mailbox.c — INBOX normalisation, LIST pattern matching, and
 * sequence sets as written on the wire. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "imap/imap-mailbox.h"
#include "imap/imap-seqset.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void test_inbox(void **state)
{
	char a[] = "inbox", b[] = "Inbox/Sub", c[] = "inboxes", d[] = "INBOX.x", e[] = "iNbOx";

	assert_true(imap_mailbox_is_inbox("InBoX"));
	assert_false(imap_mailbox_is_inbox("INBOX/a"));
	assert_true(imap_mailbox_inbox_normalize(a, '/'));
	assert_string_equal(a, "INBOX");
	assert_true(imap_mailbox_inbox_normalize(b, '/'));
	assert_string_equal(b, "INBOX/Sub");
	assert_false(imap_mailbox_inbox_normalize(c, '/'));
	assert_string_equal(c, "inboxes");
	assert_false(imap_mailbox_inbox_normalize(d, '/'));
	assert_true(imap_mailbox_inbox_normalize(e, '\0'));
	assert_string_equal(e, "INBOX");
}

static void test_name_conversion(void **state)
{
	struct buf b = BUF_INIT;
	const char *error;

	assert_int_equal(imap_mailbox_name_from_wire("Entw&APw-rfe", false, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "Entw\xc3\xbcrfe");
	buf_reset(&b);
	/* With UTF-8 on, "&" is just "&". */
	assert_int_equal(imap_mailbox_name_from_wire("a&AOQ-", true, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "a&AOQ-");
	buf_reset(&b);
	assert_int_equal(imap_mailbox_name_from_wire("\xc3\xa4", false, &b, &error), -1);
	assert_int_equal(imap_mailbox_name_from_wire("\xc3", true, &b, &error), -1);
	assert_int_equal(imap_mailbox_name_from_wire("a&AAk-", false, &b, &error), -1);
	assert_int_equal(imap_mailbox_name_from_wire("a\xc2\x85", true, &b, &error), -1);
	assert_int_equal(imap_mailbox_name_from_wire("a\xe2\x80\xa8", true, &b, &error), -1);
	assert_int_equal(imap_mailbox_name_from_wire("a\x7f", true, &b, &error), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(imap_mailbox_name_from_wire("\xc2\xa0\xe2\x80\xa7", true, &b, &error), 0);
	buf_reset(&b);
	assert_int_equal(imap_mailbox_name_to_wire("Entw\xc3\xbcrfe", false, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "Entw&APw-rfe");
	buf_reset(&b);
	assert_int_equal(imap_mailbox_name_to_wire("Entw\xc3\xbcrfe", true, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "Entw\xc3\xbcrfe");
	assert_int_equal(imap_mailbox_name_to_wire("\xff", true, &b, &error), -1);
	buf_free(&b);
}

static const struct {
	const char *pattern;
	char sep;
	const char *name;
	unsigned result;
} matches[] = {
	{"*", '/', "a/b/c", IMAP_LIST_MATCH_YES | IMAP_LIST_MATCH_CHILDREN},
	{"%", '/', "a", IMAP_LIST_MATCH_YES},
	{"%", '/', "a/b", IMAP_LIST_MATCH_NO},
	{"%/%", '/', "a", IMAP_LIST_MATCH_CHILDREN},
	{"%/%", '/', "a/b", IMAP_LIST_MATCH_YES},
	{"a/%", '/', "a/b", IMAP_LIST_MATCH_YES},
	{"a/%", '/', "a/b/c", IMAP_LIST_MATCH_NO},
	{"a/*", '/', "a/b/c", IMAP_LIST_MATCH_YES | IMAP_LIST_MATCH_CHILDREN},
	{"a*", '/', "a", IMAP_LIST_MATCH_YES | IMAP_LIST_MATCH_CHILDREN},
	{"a%b", '/', "axxb", IMAP_LIST_MATCH_YES},
	{"a%b", '/', "ax/xb", IMAP_LIST_MATCH_NO},
	{"a*b", '/', "ax/xb", IMAP_LIST_MATCH_YES | IMAP_LIST_MATCH_CHILDREN},
	{"a%*b", '/', "ax/xb", IMAP_LIST_MATCH_YES | IMAP_LIST_MATCH_CHILDREN},
	{"a%%b", '/', "ax/xb", IMAP_LIST_MATCH_NO},
	{"abc", '/', "abc", IMAP_LIST_MATCH_YES},
	{"abc", '/', "abd", IMAP_LIST_MATCH_NO},
	{"abc", '/', "ab", IMAP_LIST_MATCH_NO},
	{"", '/', "", IMAP_LIST_MATCH_YES},
	{"", '/', "a", IMAP_LIST_MATCH_NO},
	{"inbox", '/', "INBOX", IMAP_LIST_MATCH_YES},
	{"Inbox/%", '/', "INBOX/Sent", IMAP_LIST_MATCH_YES},
	{"inbox*", '/', "INBOXES", IMAP_LIST_MATCH_NO},
	{"INB*", '.', "INBOX.a", IMAP_LIST_MATCH_YES | IMAP_LIST_MATCH_CHILDREN},
	{"%", '\0', "a/b", IMAP_LIST_MATCH_YES},
	{"a.%", '.', "a.b", IMAP_LIST_MATCH_YES},
	{"*a*a*a*a*a*b", '/', "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 IMAP_LIST_MATCH_CHILDREN},
};

static void test_list_match(void **state)
{
	for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		struct imap_list_pattern *pat;
		const char *error;
		unsigned r;

		assert_int_equal(imap_list_pattern_new(matches[i].pattern,
						       strlen(matches[i].pattern), matches[i].sep,
						       &pat, &error),
				 0);
		r = imap_list_pattern_match(pat, matches[i].name);
		if (r != matches[i].result) {
			fprintf(stderr, "%s ~ %s: %u, want %u\n", matches[i].pattern,
				matches[i].name, r, matches[i].result);
			fail();
		}
		imap_list_pattern_free(&pat);
		assert_null(pat);
		imap_list_pattern_free(&pat);
	}
}

/* Hostile patterns and long names: no backtracking blow-up, and the
 * multi-word state vector (patterns over 64 bytes) works. */
static void test_list_match_hostile(void **state)
{
	char pattern[IMAP_LIST_PATTERN_MAX + 1], name[2001];
	struct imap_list_pattern *pat;
	const char *error;
	clock_t start = clock();

	for (size_t i = 0; i < 1000; i++)
		pattern[i] = i % 2 == 0 ? '*' : 'a';
	pattern[1000] = 'b';
	memset(name, 'a', 2000);
	name[2000] = '\0';
	assert_int_equal(imap_list_pattern_new(pattern, 1001, '/', &pat, &error), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(imap_list_pattern_match(pat, name), IMAP_LIST_MATCH_CHILDREN);
	name[1999] = 'b';
	assert_int_equal(imap_list_pattern_match(pat, name),
			 IMAP_LIST_MATCH_YES | IMAP_LIST_MATCH_CHILDREN);
	imap_list_pattern_free(&pat);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 5.0);

	memset(pattern, 'x', 200);
	pattern[200] = '%';
	assert_int_equal(imap_list_pattern_new(pattern, 201, '/', &pat, &error), 0);
	memset(name, 'x', 200);
	strcpy(name + 200, "tail");
	assert_int_equal(imap_list_pattern_match(pat, name), IMAP_LIST_MATCH_YES);
	name[199] = 'y';
	assert_int_equal(imap_list_pattern_match(pat, name), IMAP_LIST_MATCH_NO);
	imap_list_pattern_free(&pat);

	memset(pattern, '*', sizeof(pattern));
	assert_int_equal(imap_list_pattern_new(pattern, sizeof(pattern), '/', &pat, &error), -1);
	assert_int_equal(imap_list_pattern_new("a\0b", 3, '/', &pat, &error), -1);
}

static void test_seqset(void **state)
{
	struct arena *a = arena_new(0);
	struct imap_seqset set, set2;
	struct rangeset rs = RANGESET_INIT;
	struct buf b = BUF_INIT;
	static const char *const bad[] = {
		"",   "0",          "1,",          ",1", "1::2", "1:", ":1",   "a",
		"01", "4294967296", "42949672950", "$",  "1,$",  "*",  "1:2:3"};

	assert_true(imap_seqset_parse(a, "5:3,1,7:*", 9, IMAP_SEQSET_ALLOW_STAR, &set));
	assert_int_equal(set.count, 3);
	assert_int_equal(set.ranges[0].first, 5);
	assert_int_equal(set.ranges[0].last, 3);
	assert_int_equal(set.ranges[2].last, RANGESET_STAR);
	imap_seqset_write(&b, &set);
	assert_string_equal(buf_cstr(&b), "5:3,1,7:*");
	assert_int_equal(imap_seqset_count(&set), 3 + 1 + (uint64_t)RANGESET_STAR - 7 + 1);
	imap_seqset_to_rangeset(&set, &rs);
	rangeset_resolve_star(&rs, 9);
	buf_reset(&b);
	rangeset_write(&rs, &b);
	assert_string_equal(buf_cstr(&b), "1,3:5,7:9");
	imap_seqset_from_rangeset(a, &rs, &set2);
	assert_int_equal(set2.count, 3);
	assert_false(imap_seqset_equal(&set, &set2));
	assert_true(imap_seqset_equal(&set2, &set2));
	assert_true(imap_seqset_parse(a, "$", 1, IMAP_SEQSET_ALLOW_DOLLAR, &set));
	assert_true(set.saved);
	buf_reset(&b);
	imap_seqset_write(&b, &set);
	assert_string_equal(buf_cstr(&b), "$");
	assert_int_equal(imap_seqset_count(&set), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(imap_seqset_parse(a, bad[i], strlen(bad[i]), 0, &set));
	/* 4294967295 is a number, not "*": read as 4294967294 (interimap
	 * sends UID FETCH 1:4294967295). */
	assert_true(imap_seqset_parse(a, "7:4294967295", 12, IMAP_SEQSET_ALLOW_STAR, &set));
	assert_int_equal(set.ranges[0].last, 4294967294u);
	rangeset_clear(&rs);
	imap_seqset_to_rangeset(&set, &rs);
	rangeset_resolve_star(&rs, 5);
	assert_int_equal(rs.count, 1);
	assert_int_equal(rs.r[0].lo, 7);
	assert_int_equal(rs.r[0].hi, 4294967294u);
	rangeset_free(&rs);
	buf_free(&b);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbox),      cmocka_unit_test(test_name_conversion),
		cmocka_unit_test(test_list_match), cmocka_unit_test(test_list_match_hostile),
		cmocka_unit_test(test_seqset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
