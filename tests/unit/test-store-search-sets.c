/* test-store-search-sets.c — text keys read the FTS index into a set of
 * files before the main query: checked against the expected UIDs for
 * several hundred messages (sets that grow past their first allocation),
 * text keys combined with AND, OR and NOT, two text keys in one query,
 * messages moved and copied between mailboxes (files shared), SORT with a
 * text key, and a store left writable (no read transaction left open).
 * Each combination runs with the store's search thresholds at their
 * defaults, at zero and at their maximum, so that every way of finding a
 * key's files (column filter by FTS5 or on the stored text) and of running
 * the main query (a scan, or driven by a small set) gives the same UIDs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/mem.h"
#include "store/store-search.h"
#include "store/store.h"
#include "store-test-util.h"

#define MESSAGES 600
#define BATCH    100

struct fixture {
	char dir[256];
	struct store *s;
	int64_t inbox;
};

/* Message i (1-based, = its UID in INBOX) holds "alphaword" when i % 3 == 0
 * and "bravoword" when i % 2 == 0, in upper case in every fifth message. */
static bool has_alpha(uint32_t i)
{
	return i % 3 == 0;
}

static bool has_bravo(uint32_t i)
{
	return i % 2 == 0;
}

static char *message_text(uint32_t i)
{
	struct buf b = BUF_INIT;
	bool upper = i % 5 == 0;

	buf_printf(&b,
		   "From: sender%u@example.org\r\nTo: rcpt@example.net\r\n"
		   "Subject: message %u\r\n\r\nfiller text of message %u",
		   i, i, i);
	if (has_alpha(i))
		buf_append_str(&b, upper ? " ALPHAWORD" : " alphaword");
	if (has_bravo(i))
		buf_append_str(&b, upper ? " BRAVOWORD" : " bravoword");
	buf_append_str(&b, "\r\n");
	return buf_detach(&b, NULL);
}

static void append_batch(struct store *s, uint32_t first, uint32_t n)
{
	struct store_new_message m[BATCH] = {{0}};
	struct store_parsed *p[BATCH];
	uint32_t uids[BATCH], v;

	for (uint32_t k = 0; k < n; k++) {
		char *text = message_text(first + k);

		p[k] = store_parsed_new(text, strlen(text));
		free(text);
		m[k] = (struct store_new_message){.msg = p[k],
						  .internaldate = 1672531200 + first + k};
	}
	assert_int_equal(store_append(s, "INBOX", m, n, &v, uids), STORE_OK);
	for (uint32_t k = 0; k < n; k++)
		store_parsed_free(&p[k]);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct store_mailbox mb;
	const char *error;

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
	for (uint32_t i = 1; i <= MESSAGES; i += BATCH)
		append_batch(f->s, i, BATCH);
	assert_int_equal(store_mailbox_get(f->s, "INBOX", &mb), STORE_OK);
	f->inbox = mb.id;
	store_mailbox_clear(&mb);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->s);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

enum combo { ONLY_ALPHA, ALPHA_AND_BRAVO, ALPHA_OR_BRAVO, NOT_ALPHA, ALPHA_NOT_BRAVO, EVERY };

static bool expected(enum combo c, uint32_t i)
{
	switch (c) {
	case ONLY_ALPHA:
		return has_alpha(i);
	case ALPHA_AND_BRAVO:
		return has_alpha(i) && has_bravo(i);
	case ALPHA_OR_BRAVO:
		return has_alpha(i) || has_bravo(i);
	case NOT_ALPHA:
		return !has_alpha(i);
	case ALPHA_NOT_BRAVO:
		return has_alpha(i) && !has_bravo(i);
	case EVERY:
		return true;
	}
	return false;
}

/* Search mailbox_id with key; the UIDs must be those of lo..hi (shifted by
 * uid_minus_index) for which the combination holds. */
static void check(struct fixture *f, int64_t mailbox_id, const struct store_search_key *key,
		  enum combo c, uint32_t lo, uint32_t hi, int64_t uid_minus_index)
{
	struct rangeset got = RANGESET_INIT, want = RANGESET_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;

	assert_int_equal(store_search(f->s, mailbox_id, key, &got, NULL), STORE_OK);
	for (uint32_t i = lo; i <= hi; i++)
		if (expected(c, i))
			rangeset_add(&want, (uint32_t)((int64_t)i + uid_minus_index));
	rangeset_write(&got, &a);
	rangeset_write(&want, &b);
	assert_string_equal(buf_cstr(&a), buf_cstr(&b));
	buf_free(&a);
	buf_free(&b);
	rangeset_free(&got);
	rangeset_free(&want);
}

static void combinations(struct fixture *f)
{
	struct store_search_key alpha = {.op = STORE_SEARCH_TEXT, .str = "AlphaWord"};
	struct store_search_key bravo = {.op = STORE_SEARCH_BODY, .str = "bravoword"};
	struct store_search_key and = {.op = STORE_SEARCH_AND, .child = &alpha};
	struct store_search_key or = {.op = STORE_SEARCH_OR, .child = &alpha};
	struct store_search_key not_alpha = {.op = STORE_SEARCH_NOT, .child = &alpha};
	struct store_search_key not_bravo = {.op = STORE_SEARCH_NOT, .child = &bravo};
	struct store_search_key alpha2 = alpha;
	struct store_search_key and_not = {.op = STORE_SEARCH_AND, .child = &alpha2};
	struct store_search_key none = {.op = STORE_SEARCH_TEXT, .str = "charlieword"};
	struct store_search_key filler = {.op = STORE_SEARCH_TEXT, .str = "filler text"};
	struct store_search_key alpha3 = {
		.op = STORE_SEARCH_TEXT, .str = "alphaword", .next = &filler};
	struct store_search_key alpha_filler = {.op = STORE_SEARCH_AND, .child = &alpha3};
	struct rangeset r = RANGESET_INIT;

	check(f, f->inbox, &alpha, ONLY_ALPHA, 1, MESSAGES, 0);
	alpha.next = &bravo;
	check(f, f->inbox, &and, ALPHA_AND_BRAVO, 1, MESSAGES, 0);
	check(f, f->inbox, & or, ALPHA_OR_BRAVO, 1, MESSAGES, 0);
	alpha.next = NULL;
	check(f, f->inbox, &not_alpha, NOT_ALPHA, 1, MESSAGES, 0);
	alpha2.next = &not_bravo;
	check(f, f->inbox, &and_not, ALPHA_NOT_BRAVO, 1, MESSAGES, 0);
	assert_int_equal(store_search(f->s, f->inbox, &none, &r, NULL), STORE_OK);
	assert_int_equal(rangeset_count(&r), 0);
	rangeset_free(&r);
	/* In every message (a scan), alone and beside a smaller set. */
	check(f, f->inbox, &filler, EVERY, 1, MESSAGES, 0);
	check(f, f->inbox, &alpha_filler, ONLY_ALPHA, 1, MESSAGES, 0);
}

static void test_combinations(void **state)
{
	store_search_set_thresholds(0, 0);
	combinations(*state);
	store_search_set_thresholds(SIZE_MAX, SIZE_MAX);
	combinations(*state);
	store_search_set_thresholds(50, 100);
	combinations(*state);
	store_search_set_thresholds(1000, 2000);
	combinations(*state);
}

/* A needle in other columns than the key's: FTS5 finds it in every
 * column first, and the key's own columns are then checked on the stored
 * text (store-search.c, file_set_read). */
static void column_filter(struct fixture *f)
{
	struct store_search_key body = {.op = STORE_SEARCH_BODY, .str = "sender"};
	struct store_search_key text = {.op = STORE_SEARCH_TEXT, .str = "sender"};
	struct store_search_key from = {.op = STORE_SEARCH_FROM, .str = "SENDER12@"};
	struct store_search_key subject = {.op = STORE_SEARCH_SUBJECT, .str = "filler"};
	struct rangeset r = RANGESET_INIT;

	assert_int_equal(store_search(f->s, f->inbox, &body, &r, NULL), STORE_OK);
	assert_int_equal(rangeset_count(&r), 0);
	rangeset_free(&r);
	assert_int_equal(store_search(f->s, f->inbox, &subject, &r, NULL), STORE_OK);
	assert_int_equal(rangeset_count(&r), 0);
	rangeset_free(&r);
	check(f, f->inbox, &text, EVERY, 1, MESSAGES, 0);
	assert_int_equal(store_search(f->s, f->inbox, &from, &r, NULL), STORE_OK);
	assert_int_equal(rangeset_count(&r), 1);
	assert_true(rangeset_contains(&r, 12));
	rangeset_free(&r);
}

static void test_column_filter(void **state)
{
	store_search_set_thresholds(0, 0);
	column_filter(*state);
	store_search_set_thresholds(SIZE_MAX, SIZE_MAX);
	column_filter(*state);
	store_search_set_thresholds(1000, 2000);
	column_filter(*state);
}

/* Moved messages leave INBOX's results; copies share their files, and a
 * search of one mailbox never answers with the other's messages. */
static void test_mailboxes_share_files(void **state)
{
	struct fixture *f = *state;
	struct store_search_key alpha = {.op = STORE_SEARCH_TEXT, .str = "alphaword"};
	struct rangeset moved = RANGESET_INIT, copied = RANGESET_INIT;
	struct store_mailbox other;
	uint32_t v;

	assert_int_equal(store_mailbox_create(f->s, "Other", 0), STORE_OK);
	rangeset_add_range(&moved, 1, 30);
	rangeset_add_range(&copied, 31, 40);
	assert_int_equal(store_copy(f->s, f->inbox, &moved, "Other", true, &v, NULL, NULL),
			 STORE_OK);
	assert_int_equal(store_copy(f->s, f->inbox, &copied, "Other", false, &v, NULL, NULL),
			 STORE_OK);
	assert_int_equal(store_mailbox_get(f->s, "Other", &other), STORE_OK);
	/* INBOX keeps 31..MESSAGES; Other holds 1..40 as UIDs 1..40. */
	check(f, f->inbox, &alpha, ONLY_ALPHA, 31, MESSAGES, 0);
	check(f, other.id, &alpha, ONLY_ALPHA, 1, 40, 0);
	store_mailbox_clear(&other);
	rangeset_free(&moved);
	rangeset_free(&copied);
}

/* SORT with a text key in its search; then the store takes a write, which
 * it could not if the search had left its read transaction open. */
static void test_sort_then_write(void **state)
{
	struct fixture *f = *state;
	struct store_search_key bravo = {.op = STORE_SEARCH_TEXT, .str = "bravoword"};
	struct store_sort_criterion c = {STORE_SORT_ARRIVAL, true};
	uint32_t *uids;
	size_t n;

	assert_int_equal(store_sort(f->s, f->inbox, &bravo, &c, 1, &uids, &n), STORE_OK);
	assert_int_equal(n, MESSAGES / 2);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(uids[i], MESSAGES - 2 * i);
	free(uids);
	append_batch(f->s, MESSAGES + 1, 1);
	assert_int_equal(store_mailbox_create(f->s, "After", 0), STORE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_combinations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_column_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailboxes_share_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_then_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
