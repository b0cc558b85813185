/* test-store-check.c — store_check: orphans, missing files, wrong counters,
 * and rebuilding a lost or damaged database from the message files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/mem.h"
#include "store/store-check.h"
#include "store/store.h"
#include "store-test-util.h"

static const struct store_check_options check_now = {.grace_seconds = 0};
static const struct store_check_options repair_now = {.repair = true, .grace_seconds = 0};

static void fill(const char *dir, unsigned n)
{
	struct store *s;
	const char *error;

	assert_int_equal(store_open(dir, STORE_OPEN_CREATE, &s, &error), STORE_OK);
	assert_int_equal(store_mailbox_create(s, "Folder", 0), STORE_OK);
	for (unsigned i = 0; i < n; i++) {
		char text[96];
		struct store_parsed *p;
		struct store_new_message m = {.flags = STORE_FLAG_SEEN,
					      .internaldate = 1500000000 + (int64_t)i * 60};
		uint32_t v, uid;

		snprintf(text, sizeof(text), "Subject: %u\r\n\r\nmessage number %u\r\n", i, i);
		p = store_parsed_new(text, strlen(text));
		m.msg = p;
		assert_int_equal(store_append(s, i % 2 ? "Folder" : "INBOX", &m, 1, &v, &uid),
				 STORE_OK);
		store_parsed_free(&p);
	}
	store_close(&s);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static void test_clean_store(void **state)
{
	char dir[256];
	struct store_check_report r;

	test_tmpdir(dir, sizeof(dir));
	fill(dir, 6);
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.files_checked, 6);
	assert_int_equal(r.missing_files + r.size_mismatches + r.counters_fixed, 0);
	assert_int_equal(r.orphans_removed + r.temp_removed, 0);
	assert_false(r.quota_fixed);
	assert_false(r.rebuilt);
	test_rmtree(dir);
}

static void test_orphans_and_temp_files(void **state)
{
	char dir[256], path[512];
	struct store_check_report r;
	struct store_check_options grace = {.grace_seconds = 3600};

	test_tmpdir(dir, sizeof(dir));
	fill(dir, 2);
	snprintf(path, sizeof(path), "%s/msg/ab", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/msg/ab/abababababababababababababababab", dir);
	touch(path);
	snprintf(path, sizeof(path), "%s/msg/tmp.cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", dir);
	touch(path);
	/* Young files may belong to an append in progress: left alone. */
	assert_int_equal(store_check(dir, &grace, &r), STORE_OK);
	assert_int_equal(r.orphans_removed + r.temp_removed, 0);
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.orphans_removed, 1);
	assert_int_equal(r.temp_removed, 1);
	assert_int_equal(access(path, F_OK), -1);
	test_rmtree(dir);
}

static void test_counters_and_quota_fixed(void **state)
{
	char dir[256];
	struct store_check_report r;

	test_tmpdir(dir, sizeof(dir));
	fill(dir, 4);
	test_sql_exec(dir, "UPDATE mailboxes SET messages = 99, unseen = 7 WHERE name = 'INBOX';"
			   "UPDATE meta SET value = 1 WHERE key = 'used_bytes'");
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.counters_fixed, 1);
	assert_true(r.quota_fixed);
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.counters_fixed, 0);
	assert_false(r.quota_fixed);
	test_rmtree(dir);
}

static void test_missing_file_dropped_on_repair(void **state)
{
	char dir[256], cmd[600];
	struct store_check_report r;
	struct store *s;
	struct store_mailbox inbox, folder;
	const char *error;

	test_tmpdir(dir, sizeof(dir));
	fill(dir, 3);
	snprintf(cmd, sizeof(cmd), "rm -f $(find '%s/msg' -type f | head -n 1)", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.missing_files, 1);
	assert_int_equal(store_check(dir, &repair_now, &r), STORE_OK);
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.missing_files, 0);
	assert_int_equal(r.files_checked, 2);
	assert_int_equal(store_open(dir, 0, &s, &error), STORE_OK);
	assert_int_equal(store_mailbox_get(s, "INBOX", &inbox), STORE_OK);
	assert_int_equal(store_mailbox_get(s, "Folder", &folder), STORE_OK);
	assert_int_equal(inbox.messages + folder.messages, 2);
	store_mailbox_clear(&inbox);
	store_mailbox_clear(&folder);
	store_close(&s);
	test_rmtree(dir);
}

static void expect_recovered(const char *dir, unsigned n)
{
	struct store *s;
	struct store_mailbox mb;
	struct store_fetch *f;
	const struct store_msg *m;
	struct store_section all = {.kind = STORE_SECTION_ALL};
	struct buf body = BUF_INIT;
	const char *error;
	unsigned seen = 0;

	assert_int_equal(store_open(dir, 0, &s, &error), STORE_OK);
	assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
	assert_int_equal(mb.messages, n);
	assert_int_equal(store_fetch_begin(s, mb.id, NULL, STORE_WANT_PARTS, &f), STORE_OK);
	while (store_fetch_next(f, &m) == 1) {
		char want[96];
		unsigned i = (unsigned)((m->internaldate - 1500000000) / 60);

		/* Files keep the internal date; UIDs follow it. */
		assert_int_equal(m->uid, i + 1);
		snprintf(want, sizeof(want), "Subject: %u\r\n\r\nmessage number %u\r\n", i, i);
		buf_reset(&body);
		assert_int_equal(store_section_read(s, m, &all, &body), STORE_OK);
		assert_int_equal(body.len, strlen(want));
		assert_memory_equal(body.data, want, body.len);
		seen++;
	}
	store_fetch_end(&f);
	assert_int_equal(seen, n);
	buf_free(&body);
	store_mailbox_clear(&mb);
	store_close(&s);
}

static void test_rebuild_deleted_database(void **state)
{
	char dir[256], cmd[600];
	struct store_check_report r;

	test_tmpdir(dir, sizeof(dir));
	fill(dir, 25);
	snprintf(cmd, sizeof(cmd), "rm -f '%s'/store.db*", dir);
	assert_int_equal(system(cmd), 0);
	assert_true(store_check(dir, &check_now, &r) != STORE_OK);
	assert_int_equal(store_check(dir, &repair_now, &r), STORE_OK);
	assert_true(r.rebuilt);
	assert_int_equal(r.messages_recovered, 25);
	expect_recovered(dir, 25);
	test_rmtree(dir);
}

static void test_rebuild_truncated_database(void **state)
{
	char dir[256], path[512];
	struct store_check_report r;

	test_tmpdir(dir, sizeof(dir));
	fill(dir, 150);
	snprintf(path, sizeof(path), "%s/store.db", dir);
	test_sql_exec(dir, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_int_equal(truncate(path, 8192), 0);
	assert_int_equal(store_check(dir, &repair_now, &r), STORE_OK);
	assert_true(r.rebuilt);
	assert_int_equal(r.messages_recovered, 150);
	expect_recovered(dir, 150);
	test_rmtree(dir);
}

/* RFC 9051 2.3.1.1: the rebuilt INBOX has other UIDs, so it must get a
 * UIDVALIDITY above every one before, also above values that ran ahead of
 * the clock in a burst of creations, and also when the rebuild comes in
 * the same second (the database that knew them is gone). */
static void test_rebuild_gets_higher_uidvalidity(void **state)
{
	char dir[256], cmd[600];
	struct store_check_report r;
	struct store_mailbox mb;
	struct store *s;
	const char *error;
	uint32_t highest = 0;

	test_tmpdir(dir, sizeof(dir));
	fill(dir, 4);
	assert_int_equal(store_open(dir, 0, &s, &error), STORE_OK);
	for (unsigned i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "Burst%u", i);
		assert_int_equal(store_mailbox_create(s, name, 0), STORE_OK);
		assert_int_equal(store_mailbox_get(s, name, &mb), STORE_OK);
		if (mb.uidvalidity > highest)
			highest = mb.uidvalidity;
		store_mailbox_clear(&mb);
	}
	store_close(&s);
	assert_true(highest >= (uint32_t)time(NULL) + 10); /* ran ahead of the clock */

	snprintf(cmd, sizeof(cmd), "rm -f '%s'/store.db*", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_check(dir, &repair_now, &r), STORE_OK);
	assert_true(r.rebuilt);
	assert_int_equal(store_open(dir, 0, &s, &error), STORE_OK);
	assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
	assert_true(mb.uidvalidity > highest);
	store_mailbox_clear(&mb);
	store_close(&s);
	test_rmtree(dir);
}

/* When the uidvalidity file cannot be written, the mailbox that needed a
 * new value is not created (its transaction rolls back: a UIDVALIDITY the
 * file does not cover could come back after a rebuild), the error says
 * what failed, and creation works again once the cause is gone. */
static void test_uidvalidity_write_error(void **state)
{
	char dir[256], tmp[300];
	struct store_mailbox mb;
	struct store *s;
	const char *error;
	uint32_t before;

	test_tmpdir(dir, sizeof(dir));
	assert_int_equal(store_open(dir, STORE_OPEN_CREATE, &s, &error), STORE_OK);
	assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
	before = mb.uidvalidity;
	store_mailbox_clear(&mb);
	/* A directory where the temporary file goes: open(O_WRONLY) fails. */
	snprintf(tmp, sizeof(tmp), "%s/uidvalidity.tmp", dir);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(store_mailbox_create(s, "Blocked", 0), STORE_ERR_IO);
	assert_non_null(strstr(store_last_error(s), "uidvalidity.tmp"));
	assert_int_equal(store_mailbox_get(s, "Blocked", &mb), STORE_ERR_NONEXISTENT);
	assert_int_equal(rmdir(tmp), 0);
	assert_int_equal(store_mailbox_create(s, "Blocked", 0), STORE_OK);
	assert_int_equal(store_mailbox_get(s, "Blocked", &mb), STORE_OK);
	assert_true(mb.uidvalidity > before);
	store_mailbox_clear(&mb);
	store_close(&s);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_store),
		cmocka_unit_test(test_orphans_and_temp_files),
		cmocka_unit_test(test_counters_and_quota_fixed),
		cmocka_unit_test(test_missing_file_dropped_on_repair),
		cmocka_unit_test(test_rebuild_deleted_database),
		cmocka_unit_test(test_rebuild_truncated_database),
		cmocka_unit_test(test_rebuild_gets_higher_uidvalidity),
		cmocka_unit_test(test_uidvalidity_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
