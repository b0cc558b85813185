/* test-store-changes-page.c — store_changes_page (the QRESYNC resync's
 * paged read of changed messages) against store_changes, and
 * store_mailbox_deleted_size (STATUS DELETED-STORAGE). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "store/store.h"
#include "store-test-util.h"

struct fixture {
	char dir[256];
	struct store *s;
	int64_t inbox;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct store_mailbox mb;
	const char *error;

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
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

static void append_n(struct store *s, unsigned n, const char *text)
{
	struct store_parsed *p = store_parsed_new(text, strlen(text));
	struct store_new_message m = {.msg = p};
	uint32_t uidvalidity, uid;

	for (unsigned i = 0; i < n; i++)
		assert_int_equal(store_append(s, "INBOX", &m, 1, &uidvalidity, &uid), STORE_OK);
	store_parsed_free(&p);
}

static void set_flag(struct fixture *f, uint32_t lo, uint32_t hi, unsigned flag)
{
	struct rangeset set = RANGESET_INIT;
	struct store_flag_change chg = {.flags = flag, .mode = STORE_FLAGS_ADD};

	rangeset_add_range(&set, lo, hi);
	assert_int_equal(store_set_flags(f->s, f->inbox, &set, &chg, NULL, NULL, NULL), STORE_OK);
	rangeset_free(&set);
}

static uint64_t highest(struct fixture *f)
{
	struct store_mailbox mb;
	uint64_t m;

	assert_int_equal(store_mailbox_get_by_id(f->s, f->inbox, &mb), STORE_OK);
	m = mb.highestmodseq;
	store_mailbox_clear(&mb);
	return m;
}

struct rows {
	uint32_t uid[256];
	uint64_t modseq[256];
	unsigned flags[256];
	size_t count;
};

static void collect(void *ctx, uint32_t uid, unsigned flags, const char *kw, uint64_t modseq)
{
	struct rows *r = ctx;

	(void)kw;
	assert_true(r->count < 256);
	r->uid[r->count] = uid;
	r->flags[r->count] = flags;
	r->modseq[r->count++] = modseq;
}

/* Every page size gives the rows store_changes gives, each once, in
 * (MODSEQ, UID) order. */
static void test_pages_match_store_changes(void **state)
{
	struct fixture *f = *state;
	static const unsigned limits[] = {1, 2, 3, 7, 100};
	struct rows all = {0};
	uint64_t since;

	append_n(f->s, 20, "Subject: a\r\n\r\nx\r\n");
	since = highest(f);
	set_flag(f, 5, 9, STORE_FLAG_SEEN); /* one MODSEQ for five rows */
	set_flag(f, 2, 2, STORE_FLAG_FLAGGED);
	set_flag(f, 7, 7, STORE_FLAG_FLAGGED);
	append_n(f->s, 2, "Subject: b\r\n\r\nx\r\n");
	assert_int_equal(store_changes(f->s, f->inbox, since, collect, &all, NULL), STORE_OK);
	assert_int_equal(all.count, 8); /* 2, 5..9, 21, 22 */
	for (size_t l = 0; l < HF_N_ELEMENTS(limits); l++) {
		struct store_changes_pos pos = {0, 0};
		struct rows paged = {0};
		int n;

		do {
			n = store_changes_page(f->s, f->inbox, since, &pos, limits[l], collect,
					       &paged);
			assert_true(n >= 0 && (unsigned)n <= limits[l]);
		} while ((unsigned)n == limits[l]);
		assert_int_equal(paged.count, all.count);
		for (size_t i = 1; i < paged.count; i++)
			assert_true(paged.modseq[i - 1] < paged.modseq[i] ||
				    (paged.modseq[i - 1] == paged.modseq[i] &&
				     paged.uid[i - 1] < paged.uid[i]));
		/* The same rows as store_changes (which is in UID order). */
		for (size_t i = 0; i < all.count; i++) {
			bool found = false;

			for (size_t j = 0; j < paged.count; j++)
				if (paged.uid[j] == all.uid[i]) {
					assert_int_equal(paged.modseq[j], all.modseq[i]);
					assert_int_equal(paged.flags[j], all.flags[i]);
					found = true;
				}
			assert_true(found);
		}
	}
}

/* A message changed between two pages comes again with its new MODSEQ. */
static void test_change_between_pages(void **state)
{
	struct fixture *f = *state;
	struct store_changes_pos pos = {0, 0};
	struct rows r = {0};
	uint64_t since;

	append_n(f->s, 4, "Subject: a\r\n\r\nx\r\n");
	since = highest(f);
	set_flag(f, 1, 1, STORE_FLAG_SEEN);
	set_flag(f, 2, 2, STORE_FLAG_SEEN);
	assert_int_equal(store_changes_page(f->s, f->inbox, since, &pos, 1, collect, &r), 1);
	assert_int_equal(r.uid[0], 1);
	set_flag(f, 1, 1, STORE_FLAG_FLAGGED);
	assert_int_equal(store_changes_page(f->s, f->inbox, since, &pos, 10, collect, &r), 2);
	assert_int_equal(r.uid[1], 2);
	assert_int_equal(r.uid[2], 1);
	assert_int_equal(r.flags[2], STORE_FLAG_SEEN | STORE_FLAG_FLAGGED);
	assert_int_equal(store_changes_page(f->s, f->inbox, since, &pos, 10, collect, &r), 0);
}

/* since at or above HIGHESTMODSEQ: nothing. */
static void test_nothing_changed(void **state)
{
	struct fixture *f = *state;
	struct store_changes_pos pos = {0, 0};
	struct rows r = {0};

	append_n(f->s, 3, "Subject: a\r\n\r\nx\r\n");
	assert_int_equal(store_changes_page(f->s, f->inbox, highest(f), &pos, 10, collect, &r), 0);
	assert_int_equal(
		store_changes_page(f->s, f->inbox, highest(f) + 100, &pos, 10, collect, &r), 0);
	/* since 0: every message. */
	memset(&pos, 0, sizeof(pos));
	assert_int_equal(store_changes_page(f->s, f->inbox, 0, &pos, 10, collect, &r), 3);
}

static void test_deleted_size(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "Subject: a\r\n\r\n0123456789\r\n";
	uint64_t size = 99;

	assert_int_equal(store_mailbox_deleted_size(f->s, f->inbox, &size), STORE_OK);
	assert_int_equal(size, 0);
	append_n(f->s, 3, text);
	set_flag(f, 1, 1, STORE_FLAG_DELETED);
	set_flag(f, 3, 3, STORE_FLAG_DELETED);
	assert_int_equal(store_mailbox_deleted_size(f->s, f->inbox, &size), STORE_OK);
	assert_int_equal(size, 2 * (sizeof(text) - 1));
	assert_int_equal(store_expunge(f->s, f->inbox, NULL, NULL, NULL), STORE_OK);
	assert_int_equal(store_mailbox_deleted_size(f->s, f->inbox, &size), STORE_OK);
	assert_int_equal(size, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pages_match_store_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_between_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_size, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
