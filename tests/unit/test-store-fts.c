/* test-store-fts.c — the search index queue (store-fts.c): deferred
 * indexing and removal, batches, a search never missing a queued message,
 * the queue surviving a close, store_check working it off and repairing
 * it, the append-time batch, the schema upgrade from version 1, and an
 * empty batch that notifies nobody. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/rangeset.h"
#include "store/store-check.h"
#include "store/store-search.h"
#include "store/store-watch.h"
#include "store/store.h"
#include "store-test-util.h"

static const struct store_check_options check_now = {.grace_seconds = 0};

static struct store *open_store(const char *dir, bool defer)
{
	struct store *s;
	const char *error;

	assert_int_equal(store_open(dir, STORE_OPEN_CREATE, &s, &error), STORE_OK);
	store_fts_defer(s, defer);
	return s;
}

/* Append n messages in one call; message i says "word<i> marker". */
static uint32_t append_n(struct store *s, unsigned n, unsigned first, unsigned flags)
{
	struct store_parsed **p = xcalloc(n, sizeof(*p));
	struct store_new_message *m = xcalloc(n, sizeof(*m));
	uint32_t *uids = xcalloc(n, sizeof(*uids)), v, uid0;

	for (unsigned i = 0; i < n; i++) {
		char text[160];

		snprintf(text, sizeof(text),
			 "From: sender@example.org\r\nSubject: note %u\r\n\r\n"
			 "word%05u marker body\r\n",
			 first + i, first + i);
		p[i] = store_parsed_new(text, strlen(text));
		m[i].msg = p[i];
		m[i].flags = flags;
	}
	assert_int_equal(store_append(s, "INBOX", m, n, &v, uids), STORE_OK);
	uid0 = uids[0];
	for (unsigned i = 0; i < n; i++)
		store_parsed_free(&p[i]);
	free(p);
	free(m);
	free(uids);
	return uid0;
}

static int64_t inbox_id(struct store *s)
{
	struct store_mailbox mb;
	int64_t id;

	assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
	id = mb.id;
	store_mailbox_clear(&mb);
	return id;
}

/* How many INBOX messages a BODY search for needle finds. */
static uint64_t body_hits(struct store *s, const char *needle)
{
	struct store_search_key k = {.op = STORE_SEARCH_BODY, .str = needle};
	struct rangeset found = RANGESET_INIT;
	uint64_t n;

	assert_int_equal(store_search(s, inbox_id(s), &k, &found, NULL), STORE_OK);
	n = rangeset_count(&found);
	rangeset_free(&found);
	return n;
}

static int64_t count_sql(const char *dir, const char *query)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n;

	snprintf(path, sizeof(path), "%s/store.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, query, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

#define QUEUED(dir, op) count_sql(dir, "SELECT count(*) FROM fts_pending WHERE op = " #op)
#define INDEXED(dir)    count_sql(dir, "SELECT count(*) FROM fts")

static void expunge_all(struct store *s)
{
	assert_int_equal(store_expunge(s, inbox_id(s), NULL, NULL, NULL), STORE_OK);
}

static void test_inline_by_default(void **state)
{
	char dir[256];
	struct store *s;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, false);
	append_n(s, 3, 0, STORE_FLAG_DELETED);
	assert_int_equal(QUEUED(dir, 1), 0);
	assert_int_equal(INDEXED(dir), 3);
	expunge_all(s);
	assert_int_equal(INDEXED(dir), 0);
	assert_int_equal(QUEUED(dir, 0), 0);
	store_close(&s);
	test_rmtree(dir);
}

static void test_deferred_then_batches(void **state)
{
	char dir[256];
	struct store *s;
	size_t left = 99;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	append_n(s, 120, 0, 0);
	assert_int_equal(QUEUED(dir, 1), 120);
	assert_int_equal(INDEXED(dir), 0);
	assert_int_equal(store_fts_index_pending(s, 30, &left), STORE_OK);
	assert_int_equal(left, 90);
	assert_int_equal(INDEXED(dir), 30);
	/* A batch is capped at STORE_FTS_BATCH. */
	assert_int_equal(store_fts_index_pending(s, 1000, &left), STORE_OK);
	assert_int_equal(left, 90 - STORE_FTS_BATCH);
	while (left > 0)
		assert_int_equal(store_fts_index_pending(s, STORE_FTS_BATCH, &left), STORE_OK);
	assert_int_equal(INDEXED(dir), 120);
	assert_int_equal(QUEUED(dir, 1) + QUEUED(dir, 0), 0);
	assert_int_equal(body_hits(s, "word00077"), 1);
	assert_int_equal(body_hits(s, "marker"), 120);
	/* Nothing queued: a batch does nothing and says so. */
	assert_int_equal(store_fts_index_pending(s, 10, &left), STORE_OK);
	assert_int_equal(left, 0);
	store_close(&s);
	test_rmtree(dir);
}

static void test_search_indexes_queue_first(void **state)
{
	char dir[256];
	struct store *s, *other;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	append_n(s, 5, 0, 0);
	/* Another handle that does not defer still sees every message. */
	other = open_store(dir, false);
	assert_int_equal(body_hits(other, "word00003"), 1);
	assert_int_equal(QUEUED(dir, 1), 0);
	append_n(s, 2, 5, 0);
	assert_int_equal(body_hits(s, "marker"), 7);
	/* A search without text keys leaves the queue alone. */
	append_n(s, 1, 7, 0);
	{
		struct store_search_key k = {.op = STORE_SEARCH_ALL};
		struct rangeset found = RANGESET_INIT;

		assert_int_equal(store_search(s, inbox_id(s), &k, &found, NULL), STORE_OK);
		assert_int_equal(rangeset_count(&found), 8);
		rangeset_free(&found);
	}
	assert_int_equal(QUEUED(dir, 1), 1);
	/* SORT with a text key catches up too. */
	{
		struct store_search_key k = {.op = STORE_SEARCH_TEXT, .str = "word00007"};
		struct store_sort_criterion c = {STORE_SORT_ARRIVAL, false};
		uint32_t *uids = NULL;
		size_t n = 0;

		assert_int_equal(store_sort(s, inbox_id(s), &k, &c, 1, &uids, &n), STORE_OK);
		assert_int_equal(n, 1);
		assert_int_equal(uids[0], 8);
		free(uids);
	}
	store_close(&other);
	store_close(&s);
	test_rmtree(dir);
}

static void test_removal_queued_or_cancelled(void **state)
{
	char dir[256];
	struct store *s;
	size_t left;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	/* Expunged before it was indexed: nothing to index, nothing to remove. */
	append_n(s, 4, 0, STORE_FLAG_DELETED);
	expunge_all(s);
	assert_int_equal(QUEUED(dir, 1) + QUEUED(dir, 0), 0);
	assert_int_equal(INDEXED(dir), 0);
	/* Indexed, then expunged: the removal waits in the queue, and the stale
	 * entry matches no message meanwhile. */
	append_n(s, 3, 10, STORE_FLAG_DELETED);
	assert_int_equal(store_fts_index_pending(s, 50, &left), STORE_OK);
	assert_int_equal(INDEXED(dir), 3);
	expunge_all(s);
	assert_int_equal(QUEUED(dir, 0), 3);
	assert_int_equal(body_hits(s, "marker"), 0);
	assert_int_equal(store_fts_index_pending(s, 50, &left), STORE_OK);
	assert_int_equal(left, 0);
	assert_int_equal(INDEXED(dir), 0);
	assert_int_equal(QUEUED(dir, 0), 0);
	store_close(&s);
	test_rmtree(dir);
}

/* The queue is in the database: a handle closed (or a process killed)
 * before the batch leaves it for the next one. */
static void test_queue_survives_close(void **state)
{
	char dir[256];
	struct store *s;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	append_n(s, 6, 0, 0);
	store_close(&s);
	s = open_store(dir, false);
	assert_int_equal(QUEUED(dir, 1), 6);
	assert_int_equal(body_hits(s, "word00005"), 1);
	assert_int_equal(QUEUED(dir, 1), 0);
	store_close(&s);
	test_rmtree(dir);
}

static void test_check_works_off_and_repairs(void **state)
{
	char dir[256];
	struct store *s;
	struct store_check_report r;
	size_t left;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	append_n(s, 8, 0, 0);
	assert_int_equal(store_fts_index_pending(s, 3, &left), STORE_OK);
	store_close(&s);
	/* Five waiting: normal, worked off, nothing to fix. */
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.index_caught_up, 5);
	assert_int_equal(r.index_fixed, 0);
	assert_int_equal(r.missing_files + r.size_mismatches + r.counters_fixed, 0);
	assert_int_equal(INDEXED(dir), 8);
	assert_int_equal(QUEUED(dir, 1) + QUEUED(dir, 0), 0);
	/* Damage: an entry lost from the index, a stale one for a file that is
	 * gone, queue rows for files that never existed. */
	test_sql_exec(dir, "DELETE FROM fts WHERE rowid = 2;"
			   "INSERT INTO fts(rowid, body) VALUES (9999, 'stale text');"
			   "INSERT INTO fts_pending(file_id, op) VALUES (8888, 1);"
			   "INSERT INTO fts_pending(file_id, op) VALUES (3, 0);");
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.index_fixed, 4);
	assert_int_equal(r.index_caught_up, 2);
	assert_int_equal(INDEXED(dir), 8);
	assert_int_equal(count_sql(dir, "SELECT count(*) FROM fts WHERE rowid = 9999"), 0);
	assert_int_equal(QUEUED(dir, 1) + QUEUED(dir, 0), 0);
	s = open_store(dir, false);
	assert_int_equal(body_hits(s, "marker"), 8);
	store_close(&s);
	/* Clean now. */
	assert_int_equal(store_check(dir, &check_now, &r), STORE_OK);
	assert_int_equal(r.index_fixed + r.index_caught_up, 0);
	test_rmtree(dir);
}

/* A user busy without pause never lets the handle idle: past
 * STORE_FTS_QUEUE_HIGH queued, an append works off a batch itself. */
static void test_append_bounds_the_queue(void **state)
{
	char dir[256];
	struct store *s;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	append_n(s, STORE_FTS_QUEUE_HIGH, 0, 0);
	assert_int_equal(QUEUED(dir, 1), STORE_FTS_QUEUE_HIGH);
	append_n(s, 1, STORE_FTS_QUEUE_HIGH, 0);
	assert_int_equal(QUEUED(dir, 1), STORE_FTS_QUEUE_HIGH + 1 - STORE_FTS_BATCH);
	assert_int_equal(INDEXED(dir), STORE_FTS_BATCH);
	store_close(&s);
	test_rmtree(dir);
}

/* A message file that cannot be read is dropped from the queue (logged),
 * not retried forever. */
static void test_unreadable_file_dropped(void **state)
{
	char dir[256], cmd[600];
	struct store *s;
	size_t left = 1;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	append_n(s, 2, 0, 0);
	snprintf(cmd, sizeof(cmd), "rm -f %s/msg/*/*", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_fts_index_pending(s, 50, &left), STORE_OK);
	assert_int_equal(left, 0);
	assert_int_equal(INDEXED(dir), 0);
	store_close(&s);
	test_rmtree(dir);
}

/* A store made by a build before the queue (schema version 1) opens,
 * gains the queue table, and keeps its messages and index. */
static void test_upgrade_from_v1(void **state)
{
	char dir[256];
	struct store *s;

	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, false);
	append_n(s, 3, 0, 0);
	store_close(&s);
	test_sql_exec(dir, "DROP TABLE fts_pending; PRAGMA user_version = 1;");
	assert_int_equal(count_sql(dir, "PRAGMA user_version"), 1);
	s = open_store(dir, true);
	assert_int_equal(count_sql(dir, "PRAGMA user_version"), 2);
	assert_int_equal(QUEUED(dir, 1), 0);
	append_n(s, 1, 3, 0);
	assert_int_equal(QUEUED(dir, 1), 1);
	assert_int_equal(body_hits(s, "marker"), 4);
	store_close(&s);
	/* A newer schema than this build knows is refused, not misread. */
	test_sql_exec(dir, "PRAGMA user_version = 3;");
	{
		const char *error;

		assert_int_equal(store_open(dir, 0, &s, &error), STORE_ERR_CORRUPT);
	}
	test_rmtree(dir);
}

static void count_fired(void *ctx, int id)
{
	(void)id;
	(*(int *)ctx)++;
}

/* An idle handle runs a batch before it closes; it must not notify, or
 * every session of the user wakes, reopens its handle, and the next idle
 * close notifies again, for ever. */
static void test_empty_batch_notifies_nobody(void **state)
{
	char dir[256];
	struct store *s;
	struct store_watcher *w;
	const char *error;
	size_t left = 99;
	int fired = 0;

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	s = open_store(dir, true);
	assert_int_equal(store_watcher_new(&w, &error), 0);
	assert_true(store_watcher_add(w, dir, &error) >= 0);
	append_n(s, 3, 0, 0);
	assert_int_equal(store_watcher_drain(w, count_fired, &fired), 0);
	assert_int_equal(fired, 1);
	fired = 0;
	assert_int_equal(store_fts_index_pending(s, 10, &left), STORE_OK);
	assert_int_equal(left, 0);
	assert_int_equal(INDEXED(dir), 3);
	/* Nor does a batch that indexed: no session shows the index. */
	assert_int_equal(store_watcher_drain(w, count_fired, &fired), 0);
	assert_int_equal(fired, 0);
	assert_int_equal(store_fts_index_pending(s, 10, &left), STORE_OK);
	assert_int_equal(left, 0);
	assert_int_equal(store_watcher_drain(w, count_fired, &fired), 0);
	assert_int_equal(fired, 0);
	store_watcher_free(&w);
	store_close(&s);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_by_default),
		cmocka_unit_test(test_deferred_then_batches),
		cmocka_unit_test(test_search_indexes_queue_first),
		cmocka_unit_test(test_removal_queued_or_cancelled),
		cmocka_unit_test(test_queue_survives_close),
		cmocka_unit_test(test_check_works_off_and_repairs),
		cmocka_unit_test(test_append_bounds_the_queue),
		cmocka_unit_test(test_unreadable_file_dropped),
		cmocka_unit_test(test_upgrade_from_v1),
		cmocka_unit_test(test_empty_batch_notifies_nobody),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
