/* test-store-rename-inbox.c — RENAME of INBOX into its own hierarchy
 * (RFC 9051 6.3.6: the messages move, INBOX and its children stay), and
 * renaming a mailbox onto its own name. */
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

static void append_one(struct store *s, const char *mailbox)
{
	static const char text[] = "Subject: x\r\n\r\nbody\r\n";
	struct store_parsed *p = store_parsed_new(text, strlen(text));
	struct store_new_message m = {.msg = p};
	uint32_t uidvalidity, uid;

	assert_int_equal(store_append(s, mailbox, &m, 1, &uidvalidity, &uid), STORE_OK);
	store_parsed_free(&p);
}

static uint32_t messages(struct store *s, const char *mailbox)
{
	struct store_mailbox mb;
	uint32_t n;

	assert_int_equal(store_mailbox_get(s, mailbox, &mb), STORE_OK);
	n = mb.messages;
	store_mailbox_clear(&mb);
	return n;
}

static void test_inbox_into_own_hierarchy(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_mailbox_create(f->s, "INBOX/Keep", 0), STORE_OK);
	append_one(f->s, "INBOX");
	append_one(f->s, "INBOX");
	assert_int_equal(store_mailbox_rename(f->s, "inbox", "INBOX/Old"), STORE_OK);
	assert_int_equal(messages(f->s, "INBOX"), 0);
	assert_int_equal(messages(f->s, "INBOX/Old"), 2);
	assert_int_equal(messages(f->s, "INBOX/Keep"), 0);
	/* Again: the target exists now. */
	assert_int_equal(store_mailbox_rename(f->s, "INBOX", "INBOX/Old"), STORE_ERR_EXISTS);
}

static void test_onto_itself_is_exists(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_mailbox_create(f->s, "Work", 0), STORE_OK);
	assert_int_equal(store_mailbox_rename(f->s, "Work", "Work"), STORE_ERR_EXISTS);
	assert_int_equal(store_mailbox_rename(f->s, "INBOX", "inbox"), STORE_ERR_EXISTS);
	/* Into its own subtree stays invalid for anything but INBOX. */
	assert_int_equal(store_mailbox_rename(f->s, "Work", "Work/Sub"), STORE_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inbox_into_own_hierarchy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_onto_itself_is_exists, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
