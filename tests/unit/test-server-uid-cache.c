/* test-server-uid-cache.c — the worker's UID cache (uid-cache.h) against a
 * real store: random appends, expunges, moves and flag changes, each
 * followed by a cached read that must equal a full one; damage, another
 * UIDVALIDITY, other users, eviction and the size limit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"

/* Count the full reads, so the tests know which path a read took. */
static unsigned full_reads;

static int counted_mailbox_uids(struct store *s, int64_t mailbox_id, uint32_t **uids_r,
				size_t *count_r)
{
	full_reads++;
	return store_mailbox_uids(s, mailbox_id, uids_r, count_r);
}

#define store_mailbox_uids counted_mailbox_uids
#include "server/imap/uid-cache.c"
#undef store_mailbox_uids

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	assert_int_equal(store_mailbox_create(f->s, "Other", 0), STORE_OK);
	uid_cache_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	uid_cache_clear();
	store_close(&f->s);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static void mailbox(struct fixture *f, const char *name, struct store_mailbox *mb)
{
	assert_int_equal(store_mailbox_get(f->s, name, mb), STORE_OK);
}

static void append_n(struct fixture *f, const char *name, unsigned n)
{
	static const char text[] = "Subject: t\r\n\r\nbody\r\n";
	struct store_parsed *p = store_parsed_new(text, strlen(text));
	struct store_new_message m = {.msg = p};
	uint32_t uidvalidity, uid;

	for (unsigned i = 0; i < n; i++)
		assert_int_equal(store_append(f->s, name, &m, 1, &uidvalidity, &uid), STORE_OK);
	store_parsed_free(&p);
}

/* The cached read of name must equal the store's full list; want_full:
 * whether it may read every UID (1), must (2), or must not (0). */
static void check_read(struct fixture *f, const char *user, const char *name, int want_full)
{
	struct store_mailbox mb;
	struct rangeset got = RANGESET_INIT, want = RANGESET_INIT;
	unsigned before;

	mailbox(f, name, &mb);
	assert_int_equal(read_all(f->s, mb.id, &want), STORE_OK);
	before = full_reads;
	assert_int_equal(uid_cache_get(f->s, user, &mb, &got), STORE_OK);
	if (want_full != 1)
		assert_int_equal(full_reads - before, want_full == 2 ? 1 : 0);
	assert_true(rangeset_equal(&got, &want));
	/* The entry is now as of the mailbox's HIGHESTMODSEQ. */
	assert_non_null(entry_find(user, mb.id));
	assert_int_equal(entry_find(user, mb.id)->modseq, mb.highestmodseq);
	rangeset_free(&got);
	rangeset_free(&want);
	store_mailbox_clear(&mb);
}

static void check(struct fixture *f, const char *user, const char *name)
{
	check_read(f, user, name, 1);
}

/* Some UIDs of name, at random. */
static void pick(struct fixture *f, const char *name, struct rangeset *out)
{
	struct store_mailbox mb;
	uint32_t *uids;
	size_t count;

	mailbox(f, name, &mb);
	assert_int_equal(store_mailbox_uids(f->s, mb.id, &uids, &count), STORE_OK);
	for (size_t i = 0; i < count; i++)
		if (rand() % 4 == 0)
			rangeset_add(out, uids[i]);
	free(uids);
	store_mailbox_clear(&mb);
}

static void random_step(struct fixture *f)
{
	struct store_mailbox mb;
	struct rangeset set = RANGESET_INIT, src = RANGESET_INIT, dst = RANGESET_INIT;
	struct store_flag_change del = {.flags = STORE_FLAG_DELETED, .mode = STORE_FLAGS_ADD};
	struct store_flag_change seen = {.flags = STORE_FLAG_SEEN, .mode = STORE_FLAGS_ADD};
	uint32_t uidvalidity;
	int op = rand() % 5;

	mailbox(f, op == 4 ? "Other" : "INBOX", &mb);
	pick(f, mb.name, &set);
	if (op == 0 || rangeset_is_empty(&set)) {
		append_n(f, "INBOX", 1 + (unsigned)(rand() % 5));
	} else if (op == 1) {
		assert_int_equal(store_set_flags(f->s, mb.id, &set, &del, NULL, NULL, NULL),
				 STORE_OK);
		assert_int_equal(store_expunge(f->s, mb.id, &set, NULL, NULL), STORE_OK);
	} else if (op == 2) {
		assert_int_equal(store_set_flags(f->s, mb.id, &set, &seen, NULL, NULL, NULL),
				 STORE_OK);
	} else {
		/* 3: INBOX -> Other, 4: Other -> INBOX; both leave tombstones. */
		assert_int_equal(store_copy(f->s, mb.id, &set, op == 3 ? "Other" : "INBOX", true,
					    &uidvalidity, &src, &dst),
				 STORE_OK);
	}
	rangeset_free(&src);
	rangeset_free(&dst);
	rangeset_free(&set);
	store_mailbox_clear(&mb);
}

static void test_random_changes(void **state)
{
	struct fixture *f = *state;

	srand(11);
	append_n(f, "INBOX", 30);
	check(f, "alice", "INBOX");
	check(f, "alice", "Other");
	for (int i = 0; i < 150; i++) {
		random_step(f);
		check_read(f, "alice", "INBOX", 0);
		if (i % 3 == 0)
			check_read(f, "alice", "Other", 0);
	}
}

/* A wrong entry whose count no longer matches is read again in full. */
static void test_damaged_entry(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;

	append_n(f, "INBOX", 5);
	check(f, "alice", "INBOX");
	mailbox(f, "INBOX", &mb);
	rangeset_add(&entry_find("alice", mb.id)->uids, 4000);
	check_read(f, "alice", "INBOX", 2);
	check_read(f, "alice", "INBOX", 0);
	append_n(f, "INBOX", 1);
	rangeset_remove(&entry_find("alice", mb.id)->uids, 2);
	check_read(f, "alice", "INBOX", 2);
	store_mailbox_clear(&mb);
}

/* Another UIDVALIDITY, or a MODSEQ from the future, is not trusted. */
static void test_untrusted_entry(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	struct rangeset got = RANGESET_INIT;

	append_n(f, "INBOX", 3);
	check(f, "alice", "INBOX");
	mailbox(f, "INBOX", &mb);
	rangeset_add(&entry_find("alice", mb.id)->uids, 4000);
	entry_find("alice", mb.id)->uidvalidity++;
	mb.messages++; /* so only the UIDVALIDITY check can catch it */
	assert_int_equal(uid_cache_get(f->s, "alice", &mb, &got), STORE_OK);
	assert_false(rangeset_contains(&got, 4000));
	rangeset_add(&entry_find("alice", mb.id)->uids, 4000);
	entry_find("alice", mb.id)->modseq = mb.highestmodseq + 1;
	assert_int_equal(uid_cache_get(f->s, "alice", &mb, &got), STORE_OK);
	assert_false(rangeset_contains(&got, 4000));
	rangeset_free(&got);
	store_mailbox_clear(&mb);
}

static void test_users_apart(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;

	append_n(f, "INBOX", 4);
	check(f, "alice", "INBOX");
	mailbox(f, "INBOX", &mb);
	assert_null(entry_find("bob", mb.id));
	check(f, "bob", "INBOX");
	assert_ptr_not_equal(entry_find("bob", mb.id), entry_find("alice", mb.id));
	store_mailbox_clear(&mb);
}

/* The least recently used entry makes room; sets too large are not kept. */
static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	struct rangeset big = RANGESET_INIT;
	char user[32];

	mailbox(f, "INBOX", &mb);
	for (int i = 0; i <= UID_CACHE_ENTRIES; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		check(f, user, "INBOX");
	}
	assert_null(entry_find("user0", mb.id));
	assert_non_null(entry_find("user1", mb.id));
	for (uint32_t i = 0; i <= UID_CACHE_MAX_RANGES; i++)
		rangeset_add(&big, 1 + 2 * i);
	entry_store(entry_find("user1", mb.id), "user1", &mb, &big);
	assert_null(entry_find("user1", mb.id));
	rangeset_free(&big);
	store_mailbox_clear(&mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
