/* lmtp-stores.c — a small per-worker cache of open delivery stores (see
 * lmtp-stores.h). Each worker is a process of its own, so the cache is
 * this process's; it holds one reference per entry, which keeps the store
 * open after the transaction that used it released its own. */
#include "lmtp-stores.h"
#include "server/user-store.h"
#include "server/worker.h"

#include <event2/event.h>
#include <string.h>
#include <time.h>

struct entry {
	struct user_store *us;
	time_t used;
};

static struct entry entries[LMTP_STORES_MAX];
static size_t count;
static struct event *sweeper;

static void drop(size_t i)
{
	user_store_release(&entries[i].us);
	entries[i] = entries[--count];
}

static void on_sweep(evutil_socket_t fd, short what, void *ctx)
{
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	(void)ctx;
	for (size_t i = count; i > 0; i--)
		if (now - entries[i - 1].used >= LMTP_STORES_IDLE_SECS)
			drop(i - 1);
}

static void keep(struct worker *w, struct user_store *us)
{
	size_t oldest = 0;

	for (size_t i = 0; i < count; i++) {
		if (entries[i].us == us) {
			entries[i].used = time(NULL);
			return;
		}
		if (entries[i].used < entries[oldest].used)
			oldest = i;
	}
	if (count == LMTP_STORES_MAX)
		drop(oldest);
	if (sweeper == NULL) {
		struct timeval every = {LMTP_STORES_IDLE_SECS / 4, 0};

		sweeper = event_new(w->base, -1, EV_PERSIST, on_sweep, NULL);
		event_add(sweeper, &every);
	}
	entries[count].us = user_store_acquire(w, user_store_name(us), NULL);
	entries[count].used = time(NULL);
	count++;
}

struct user_store *lmtp_stores_acquire(struct worker *w, const char *user, const char **error_r)
{
	struct user_store *us = user_store_acquire(w, user, error_r);

	if (us != NULL)
		keep(w, us);
	return us;
}

void lmtp_stores_clear(void)
{
	while (count > 0)
		drop(count - 1);
	if (sweeper != NULL)
		event_free(sweeper);
	sweeper = NULL;
}
