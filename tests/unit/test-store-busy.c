/* test-store-busy.c — the store's wait for another connection's write
 * lock (store-busy.c): a waiter gets the lock once the holder lets go,
 * and gives up with SQLITE_BUSY once its time is spent, not before. Two
 * SQLite connections to one WAL database, the holder in a thread. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store-private.h"
#include "store-test-util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

struct holder {
	sqlite3 *db;
	int hold_ms;
	atomic_int taken;     /* the holder has the write lock */
	atomic_int releasing; /* the holder is about to commit */
};

static sqlite3 *open_db(const char *dir, int timeout_ms)
{
	char path[300];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	store_busy_install(db, timeout_ms);
	assert_int_equal(sqlite3_exec(db,
				      "PRAGMA journal_mode=WAL;"
				      " CREATE TABLE IF NOT EXISTS t (x INTEGER)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	return db;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *hold_lock(void *ctx)
{
	struct holder *h = ctx;

	assert_int_equal(
		sqlite3_exec(h->db, "BEGIN IMMEDIATE; INSERT INTO t VALUES (1)", NULL, NULL, NULL),
		SQLITE_OK);
	atomic_store(&h->taken, 1);
	sleep_ms(h->hold_ms);
	atomic_store(&h->releasing, 1);
	assert_int_equal(sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	return NULL;
}

static void start_holder(struct holder *h, pthread_t *tid)
{
	assert_int_equal(pthread_create(tid, NULL, hold_lock, h), 0);
	while (!atomic_load(&h->taken))
		sleep_ms(1);
}

/* A writer that finds the lock taken waits for it, and gets it. */
static void test_waits_for_release(void **state)
{
	struct holder h = {.hold_ms = 60};
	pthread_t tid;
	sqlite3 *db;
	char dir[256];

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	h.db = open_db(dir, 10000);
	db = open_db(dir, 10000);
	start_holder(&h, &tid);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	/* It had to wait: the holder was releasing by then. */
	assert_true(atomic_load(&h.releasing));
	pthread_join(tid, NULL);
	sqlite3_close(h.db);
	sqlite3_close(db);
	test_rmtree(dir);
}

/* A lock held past the timeout: SQLITE_BUSY, after the timeout (150 ms,
 * so the waits pass through every step size), not before; and the next
 * wait starts its own count. */
static void test_gives_up_after_timeout(void **state)
{
	struct holder h = {.hold_ms = 600};
	pthread_t tid;
	sqlite3 *db;
	int64_t t0, waited;
	char dir[256];

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	h.db = open_db(dir, 10000);
	db = open_db(dir, 150);
	start_holder(&h, &tid);
	for (int round = 0; round < 2; round++) {
		t0 = now_us();
		assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
				 SQLITE_BUSY);
		waited = now_us() - t0;
		assert_true(waited >= 150 * 1000);
	}
	pthread_join(tid, NULL);
	/* Free again: no wait at all. */
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE; COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h.db);
	sqlite3_close(db);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_for_release),
		cmocka_unit_test(test_gives_up_after_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
