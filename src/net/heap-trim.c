/* heap-trim.c — one delayed, coalesced malloc_trim per burst of frees
 * (see heap-trim.h). */
#include "heap-trim.h"

#include <event2/event.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* One worker per process, one loop: process-wide state is the loop's.
 * pending_base is the loop a trim waits on (NULL: none waits); another
 * base (a test's next loop) schedules its own. */
static struct event_base *pending_base;
static unsigned done;

static void on_trim(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	(void)ctx;
	pending_base = NULL;
	done++;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void heap_trim_soon(struct event_base *base)
{
	struct timeval delay = {HEAP_TRIM_DELAY_MSECS / 1000,
				(HEAP_TRIM_DELAY_MSECS % 1000) * 1000};

	if (pending_base == base)
		return;
	/* event_base_once's event is freed after it fires, or with the base
	 * (libevent 2.1 keeps the list of pending once-events). */
	if (event_base_once(base, -1, EV_TIMEOUT, on_trim, NULL, &delay) == 0)
		pending_base = base;
}

unsigned heap_trim_count(void)
{
	return done;
}
