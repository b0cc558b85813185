/* store-busy.c — waiting for another connection's write lock on a user's
 * database. SQLite's own busy timeout sleeps in growing steps (1, 2, 5,
 * 10 ... up to 100 ms), so a writer that finds the lock taken often sleeps
 * on long after it was released (SQLite 3.40: a lock held 20 ms cost the
 * waiter 34 ms, one held 3 ms up to 5 ms). Commits
 * here hold the lock for milliseconds (the files are written before it is
 * taken), so this handler tries again in short steps for as long as
 * SQLite's would have waited in total, measured on the monotonic clock.
 */
#include "store-private.h"

#include <stdint.h>
#include <time.h>

/* How often the lock is tried while waiting: a try costs a few system
 * calls and a look at the WAL index, so it is cheap but not free, and a
 * crowd of waiters polling fast would burn the CPU that the holder needs.
 * Every STORE_BUSY_FAST_US for the first STORE_BUSY_FAST_MS (most waits
 * are for one commit), every STORE_BUSY_STEP_US until STORE_BUSY_SLOW_MS,
 * then every STORE_BUSY_SLOW_US (a lock held that long belongs to a long
 * transaction, such as a large EXPUNGE, not to a commit). */
#define STORE_BUSY_FAST_US 500
#define STORE_BUSY_FAST_MS 5
#define STORE_BUSY_STEP_US 1000
#define STORE_BUSY_SLOW_MS 100
#define STORE_BUSY_SLOW_US 5000

/* One wait is one thread's: it begins at the call with count 0. */
static _Thread_local struct timespec busy_start;

static int64_t elapsed_us(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - since->tv_sec) * 1000000 +
	       (now.tv_nsec - since->tv_nsec) / 1000;
}

static int busy_handler(void *ctx, int count)
{
	int64_t timeout_ms = (int64_t)(intptr_t)ctx;
	struct timespec step = {0, 0};
	int64_t waited;

	if (count == 0)
		clock_gettime(CLOCK_MONOTONIC, &busy_start);
	waited = elapsed_us(&busy_start);
	if (waited >= timeout_ms * 1000)
		return 0; /* give up: the statement returns SQLITE_BUSY */
	if (waited < STORE_BUSY_FAST_MS * 1000)
		step.tv_nsec = STORE_BUSY_FAST_US * 1000L;
	else if (waited < STORE_BUSY_SLOW_MS * 1000)
		step.tv_nsec = STORE_BUSY_STEP_US * 1000L;
	else
		step.tv_nsec = STORE_BUSY_SLOW_US * 1000L;
	nanosleep(&step, NULL);
	return 1;
}

void store_busy_install(sqlite3 *db, int timeout_ms)
{
	sqlite3_busy_handler(db, busy_handler, (void *)(intptr_t)timeout_ms);
}
