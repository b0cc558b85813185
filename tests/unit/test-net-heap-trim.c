/* test-net-heap-trim.c — unit tests for src/net/heap-trim: a trim runs
 * after the delay, calls within it coalesce, each loop gets its own, and
 * a trim still pending when its loop is freed leaks nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <stdlib.h>
#include <time.h>

#include "lib/mem.h"
#include "net/heap-trim.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run base until nothing is pending (the trim fired). */
static void run(struct event_base *base)
{
	assert_int_equal(event_base_dispatch(base), 1); /* 1: no events left */
}

static void test_coalesced_after_delay(void **state)
{
	struct event_base *base = event_base_new();
	unsigned before = heap_trim_count();
	double t0 = now_s();

	(void)state;
	/* freed memory for the trim to give back */
	for (int i = 0; i < 1000; i++)
		free(xmalloc(4096));
	heap_trim_soon(base);
	heap_trim_soon(base);
	heap_trim_soon(base);
	assert_int_equal(heap_trim_count(), before);
	run(base);
	assert_int_equal(heap_trim_count(), before + 1);
	assert_true(now_s() - t0 >= HEAP_TRIM_DELAY_MSECS / 1000.0 - 0.01);
	/* after it ran, the next call schedules another */
	heap_trim_soon(base);
	run(base);
	assert_int_equal(heap_trim_count(), before + 2);
	event_base_free(base);
}

static void test_each_loop_its_own(void **state)
{
	struct event_base *a = event_base_new(), *b = event_base_new();
	unsigned before = heap_trim_count();

	(void)state;
	heap_trim_soon(a);
	heap_trim_soon(b);
	run(b);
	assert_int_equal(heap_trim_count(), before + 1);
	run(a);
	assert_int_equal(heap_trim_count(), before + 2);
	event_base_free(a);
	event_base_free(b);
}

static void test_pending_freed_with_base(void **state)
{
	struct event_base *base = event_base_new();
	unsigned before = heap_trim_count();

	(void)state;
	heap_trim_soon(base);
	/* LeakSanitizer checks the once-event went with the base */
	event_base_free(base);
	assert_int_equal(heap_trim_count(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coalesced_after_delay),
		cmocka_unit_test(test_each_loop_its_own),
		cmocka_unit_test(test_pending_freed_with_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
