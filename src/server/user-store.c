/* user-store.c — per-worker registry of open user stores and the fan-out
 * of change notifications to their sessions (see user-store.h). */
#include "user-store.h"
#include "worker.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "net/heap-trim.h"
#include "store/store-watch.h"
#include "store/store.h"

#include <errno.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A user's SQLite handle is closed after this long without use and opened
 * again at the next access: thousands of sessions waiting in IDLE then
 * cost no database memory (about 136 KB a handle with its page cache). */
#define USER_STORE_IDLE_CLOSE_MSECS 3000
/* Between two batches of the search index queue (store_fts_index_pending):
 * short, so the queue empties soon, but every batch returns to the event
 * loop first, so other sessions are served in between. */
#define USER_STORE_FTS_BATCH_MSECS 20

struct user_store {
	struct worker *w;
	struct user_store *next;
	char *name;
	char *dir;
	struct store *store; /* NULL while closed for idleness */
	struct event *close_timer;
	struct user_store *idle_prev, *idle_next; /* the worker's idle list */
	bool idle_linked;
	int watch_id;
	unsigned refs;
	unsigned idle_refs; /* holders waiting in IDLE */
	struct user_store_listener *listeners;
};

static const struct {
	const char *name;
	unsigned use;
} standard_mailboxes[] = {
	{"Drafts", STORE_USE_DRAFTS}, {"Sent", STORE_USE_SENT},       {"Trash", STORE_USE_TRASH},
	{"Junk", STORE_USE_JUNK},     {"Archive", STORE_USE_ARCHIVE},
};

char *user_store_dir_path(const char *data_dir, const char *user)
{
	size_t n = strlen(data_dir) + strlen(user) + 8;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/users/%s", data_dir, user);
	return p;
}

int user_store_provision(const char *data_dir, const char *user, const char **error_r)
{
	static char errbuf[4400];
	char users[4096];
	char *dir;
	struct store *s;
	int ret;

	snprintf(users, sizeof(users), "%s/users", data_dir);
	if (mkdir(users, 0700) < 0 && errno != EEXIST) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s", users, strerror(errno));
		*error_r = errbuf;
		return -1;
	}
	dir = user_store_dir_path(data_dir, user);
	ret = store_open(dir, STORE_OPEN_CREATE, &s, error_r);
	free(dir);
	if (ret != STORE_OK)
		return -1;
	for (size_t i = 0; i < sizeof(standard_mailboxes) / sizeof(standard_mailboxes[0]); i++) {
		ret = store_mailbox_create(s, standard_mailboxes[i].name,
					   standard_mailboxes[i].use);
		if (ret != STORE_OK && ret != STORE_ERR_EXISTS) {
			snprintf(errbuf, sizeof(errbuf), "%s", store_last_error(s));
			*error_r = errbuf;
			store_close(&s);
			return -1;
		}
	}
	store_close(&s);
	return 0;
}

static struct user_store *find(struct worker *w, const char *user)
{
	for (struct user_store *us = w->users; us != NULL; us = us->next)
		if (strcmp(us->name, user) == 0)
			return us;
	return NULL;
}

/* ---- the worker's list of open handles no running session needs ---- */

static void idle_unlink(struct user_store *us)
{
	struct worker *w = us->w;

	if (!us->idle_linked)
		return;
	if (us->idle_prev != NULL)
		us->idle_prev->idle_next = us->idle_next;
	else
		w->idle_first = us->idle_next;
	if (us->idle_next != NULL)
		us->idle_next->idle_prev = us->idle_prev;
	else
		w->idle_last = us->idle_prev;
	us->idle_prev = us->idle_next = NULL;
	us->idle_linked = false;
	w->idle_count--;
}

/* Put us on the list (at its front: just used) if its handle is open and
 * it has holders who all wait in IDLE, take it off otherwise; past the
 * limit, have the least recently used closed once the loop is back (a
 * caller may still hold another user's store pointer until it returns
 * there). An entry nobody holds keeps its handle for the whole idle delay,
 * for a client that logs in again (a burst of such logins and logouts
 * would otherwise open a store at nearly every login). */
static void idle_update(struct user_store *us)
{
	struct worker *w = us->w;
	struct timeval now = {0, 0};

	idle_unlink(us);
	if (us->store == NULL || us->refs == 0 || us->idle_refs < us->refs)
		return;
	us->idle_next = w->idle_first;
	if (w->idle_first != NULL)
		w->idle_first->idle_prev = us;
	else
		w->idle_last = us;
	w->idle_first = us;
	us->idle_linked = true;
	if (++w->idle_count > USER_STORE_IDLE_OPEN_MAX && w->idle_trim != NULL)
		evtimer_add(w->idle_trim, &now);
}

/* Close us's open handle. Its page cache goes back to the heap; the trim
 * gives that to the kernel, or the worker keeps the peak of all its
 * users' handles. */
static void close_handle(struct user_store *us)
{
	idle_unlink(us);
	store_close(&us->store);
	heap_trim_soon(us->w->base);
}

static void arm_close_timer(struct user_store *us)
{
	struct timeval tv = {USER_STORE_IDLE_CLOSE_MSECS / 1000,
			     (USER_STORE_IDLE_CLOSE_MSECS % 1000) * 1000};

	evtimer_add(us->close_timer, &tv);
}

/* Free an entry already taken off its worker's list. */
static void free_entry(struct user_store *us)
{
	store_watcher_remove(us->w->watcher, us->watch_id);
	idle_unlink(us);
	store_close(&us->store);
	event_free(us->close_timer);
	free(us->dir);
	free(us->name);
	free(us);
}

static void destroy(struct user_store *us)
{
	struct user_store **pp;

	for (pp = &us->w->users; *pp != us; pp = &(*pp)->next)
		;
	*pp = us->next;
	free_entry(us);
}

/* The handle has been idle: index what its commands queued (store.h),
 * a batch at a time, and close it once nothing is left; an entry that no
 * session holds any more goes with it. */
static void on_close_timer(evutil_socket_t fd, short what, void *ctx)
{
	struct user_store *us = ctx;
	struct timeval soon = {0, USER_STORE_FTS_BATCH_MSECS * 1000};
	size_t left = 0;

	(void)fd;
	(void)what;
	if (us->store != NULL) {
		/* A FETCH waiting for a slow reader still reads from it. */
		if (store_in_use(us->store)) {
			arm_close_timer(us);
			return;
		}
		if (store_fts_index_pending(us->store, STORE_FTS_BATCH, &left) != STORE_OK)
			log_error("user %s: search index: %s", us->name,
				  store_last_error(us->store));
		else if (left > 0) {
			evtimer_add(us->close_timer, &soon);
			return;
		}
		close_handle(us);
	}
	if (us->refs == 0)
		destroy(us);
}

/* More than USER_STORE_IDLE_OPEN_MAX handles are open that no running
 * session needs: close the least recently used of them, as their idle
 * timers would, but without working off their search index queue first
 * (it stays queued in the store, and is worked off the next time the
 * handle idles out, or before a text search). */
static void on_idle_trim(evutil_socket_t fd, short what, void *ctx)
{
	struct worker *w = ctx;
	struct user_store *us, *prev;

	(void)fd;
	(void)what;
	for (us = w->idle_last; us != NULL && w->idle_count > USER_STORE_IDLE_OPEN_MAX; us = prev) {
		prev = us->idle_prev;
		/* A NOTIFY FETCH to a slow reader still reads from it. */
		if (store_in_use(us->store))
			continue;
		/* Held by sessions (refs > 0): the entry stays, closed. */
		close_handle(us);
		evtimer_del(us->close_timer);
	}
}

/* Sessions answer from the store as soon as the message is committed;
 * its search text is indexed when the handle is idle. */
static int store_open_deferred(const char *dir, struct store **store_r, const char **error_r)
{
	int ret = store_open(dir, 0, store_r, error_r);

	if (ret == STORE_OK)
		store_fts_defer(*store_r, true);
	return ret;
}

static int open_store(struct user_store *us, const char **error_r)
{
	const struct server_config *cfg = us->w->cfg;
	struct stat sb;
	int ret;

	us->dir = user_store_dir_path(cfg->data_dir, us->name);
	/* A user known to the user database but never provisioned (imported,
	 * or the directory was removed) gets a fresh store. */
	if (stat(us->dir, &sb) < 0 && user_store_provision(cfg->data_dir, us->name, error_r) < 0)
		return -1;
	ret = store_open_deferred(us->dir, &us->store, error_r);
	/* Another process may be creating it right now (the directory made,
	 * store.db not yet): provisioning waits for that creation's
	 * transaction and leaves what exists alone; then open again. */
	if (ret != STORE_OK && user_store_provision(cfg->data_dir, us->name, error_r) == 0)
		ret = store_open_deferred(us->dir, &us->store, error_r);
	if (ret == STORE_OK) {
		us->watch_id = store_watcher_add(us->w->watcher, us->dir, error_r);
		if (us->watch_id < 0) {
			store_close(&us->store);
			ret = -1;
		}
	}
	if (ret == STORE_OK) {
		us->close_timer = evtimer_new(us->w->base, on_close_timer, us);
		arm_close_timer(us);
	}
	return ret == STORE_OK ? 0 : -1;
}

struct user_store *user_store_acquire(struct worker *w, const char *user, const char **error_r)
{
	struct user_store *us = find(w, user);

	if (us != NULL) {
		/* Possibly an entry no session held, waiting for its close. */
		us->refs++;
		idle_update(us);
		return us;
	}
	if (w->idle_trim == NULL)
		w->idle_trim = evtimer_new(w->base, on_idle_trim, w);
	us = xcalloc(1, sizeof(*us));
	us->w = w;
	us->name = xstrdup(user);
	us->watch_id = -1;
	if (open_store(us, error_r) < 0) {
		free(us->dir);
		free(us->name);
		free(us);
		return NULL;
	}
	us->refs = 1;
	us->next = w->users;
	w->users = us;
	return us;
}

void user_store_release(struct user_store **usp)
{
	struct user_store *us = *usp;

	if (us == NULL)
		return;
	*usp = NULL;
	--us->refs;
	idle_update(us);
	if (us->refs > 0)
		return;
	/* The handle stays open until it has been idle for the close delay:
	 * a client that logs in again (webmail does per page, the benchmark
	 * per 20 commands) finds its store open, its statements prepared and
	 * its page cache warm. */
	if (us->store == NULL)
		destroy(us);
}

void user_stores_close_all(struct worker *w)
{
	while (w->users != NULL) {
		struct user_store *us = w->users;

		w->users = us->next;
		free_entry(us);
	}
	if (w->idle_trim != NULL)
		event_free(w->idle_trim);
	w->idle_trim = NULL;
}

struct store *user_store_store(struct user_store *us)
{
	const char *error;

	if (us->store == NULL && store_open_deferred(us->dir, &us->store, &error) != STORE_OK) {
		log_error("user %s: cannot open the mail store again: %s", us->name, error);
		return NULL;
	}
	/* Every use pushes the close further away. */
	arm_close_timer(us);
	idle_update(us);
	return us->store;
}

void user_store_idle_begin(struct user_store *us)
{
	if (us == NULL)
		return;
	us->idle_refs++;
	idle_update(us);
}

void user_store_idle_end(struct user_store *us)
{
	if (us == NULL)
		return;
	if (us->idle_refs > 0)
		us->idle_refs--;
	idle_update(us);
}

const char *user_store_name(const struct user_store *us)
{
	return us->name;
}

void user_store_listen(struct user_store *us, struct user_store_listener *l)
{
	l->prev = NULL;
	l->next = us->listeners;
	if (us->listeners != NULL)
		us->listeners->prev = l;
	us->listeners = l;
}

void user_store_unlisten(struct user_store *us, struct user_store_listener *l)
{
	if (l->prev != NULL)
		l->prev->next = l->next;
	else if (us->listeners == l)
		us->listeners = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

static void fire(void *ctx, int id)
{
	struct worker *w = ctx;

	for (struct user_store *us = w->users; us != NULL; us = us->next) {
		struct user_store_listener *l, *next;

		if (us->watch_id != id)
			continue;
		/* A listener may unlisten itself (a session that ends). */
		for (l = us->listeners; l != NULL; l = next) {
			next = l->next;
			l->changed(l->ctx);
		}
		return;
	}
}

void user_stores_dispatch(struct worker *w)
{
	if (store_watcher_drain(w->watcher, fire, w) < 0)
		log_warn("worker %u: reading change notifications failed", w->index);
}
