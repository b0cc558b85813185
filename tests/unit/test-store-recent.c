/* test-store-recent.c — store_mailbox_count_recent: the messages still
 * \Recent for the next session, before and after claims and expunges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "store/store-recent.h"
#include "store-test-util.h"

struct fixture {
	char dir[256];
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *error;

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
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

static void append_one(struct store *s, const char *mailbox, unsigned flags)
{
	static const char text[] = "Subject: x\r\n\r\nbody\r\n";
	struct store_parsed *p = store_parsed_new(text, strlen(text));
	struct store_new_message m = {.msg = p, .flags = flags};
	uint32_t uidvalidity, uid;

	assert_int_equal(store_append(s, mailbox, &m, 1, &uidvalidity, &uid), STORE_OK);
	store_parsed_free(&p);
}

static uint32_t recent(struct store *s, const char *mailbox)
{
	struct store_mailbox mb;
	uint32_t n = 12345;

	assert_int_equal(store_mailbox_get(s, mailbox, &mb), STORE_OK);
	assert_int_equal(store_mailbox_count_recent(s, &mb, &n), STORE_OK);
	store_mailbox_clear(&mb);
	return n;
}

static int64_t mailbox_id(struct store *s, const char *mailbox)
{
	struct store_mailbox mb;
	int64_t id;

	assert_int_equal(store_mailbox_get(s, mailbox, &mb), STORE_OK);
	id = mb.id;
	store_mailbox_clear(&mb);
	return id;
}

static void test_empty_mailbox(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(recent(f->s, "INBOX"), 0);
}

static void test_counts_unclaimed_then_none(void **state)
{
	struct fixture *f = *state;
	uint32_t first;

	append_one(f->s, "INBOX", 0);
	append_one(f->s, "INBOX", STORE_FLAG_SEEN);
	append_one(f->s, "INBOX", 0);
	assert_int_equal(recent(f->s, "INBOX"), 3);
	assert_int_equal(store_mailbox_claim_recent(f->s, mailbox_id(f->s, "INBOX"), &first),
			 STORE_OK);
	assert_int_equal(recent(f->s, "INBOX"), 0);
	append_one(f->s, "INBOX", 0);
	assert_int_equal(recent(f->s, "INBOX"), 1);
}

static void test_expunged_are_not_counted(void **state)
{
	struct fixture *f = *state;
	int64_t id;

	assert_int_equal(store_mailbox_create(f->s, "Work", 0), STORE_OK);
	append_one(f->s, "Work", STORE_FLAG_DELETED);
	append_one(f->s, "Work", 0);
	id = mailbox_id(f->s, "Work");
	assert_int_equal(store_expunge(f->s, id, NULL, NULL, NULL), STORE_OK);
	assert_int_equal(recent(f->s, "Work"), 1);
	/* Other mailboxes do not count. */
	assert_int_equal(recent(f->s, "INBOX"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_mailbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_unclaimed_then_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expunged_are_not_counted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
