/* conn-set.c — the set of a worker's connections, and "drain and close
 * all" on SIGTERM: goodbye, flush within a deadline, then force (see conn.h). */
#include "conn-private.h"

#include "lib/mem.h"

#include <event2/event.h>

struct conn_set {
	struct event_base *base;
	struct conn *head;
	size_t count;
	struct event *timer; /* the drain deadline, and "now empty" */
	void (*done)(void *ctx);
	void *done_ctx;
	uint64_t deadline; /* msecs, monotonic */
	bool draining;
	bool done_called;
};

static void conn_set_timer_cb(evutil_socket_t fd, short what, void *arg);

struct conn_set *conn_set_new(struct event_base *base)
{
	struct conn_set *set = xcalloc(1, sizeof(*set));

	set->base = base;
	set->timer = evtimer_new(base, conn_set_timer_cb, set);
	if (set->timer == NULL)
		hf_panic("conn: out of memory creating a timer");
	return set;
}

void conn_set_free(struct conn_set **setp)
{
	struct conn_set *set = *setp;

	if (set == NULL)
		return;
	while (set->head != NULL)
		conn_set_remove(set->head);
	event_free(set->timer);
	xfree(setp);
}

size_t conn_set_count(const struct conn_set *set)
{
	return set->count;
}

void conn_set_add(struct conn_set *set, struct conn *conn)
{
	conn->set = set;
	conn->set_prev = NULL;
	conn->set_next = set->head;
	if (set->head != NULL)
		set->head->set_prev = conn;
	set->head = conn;
	set->count++;
	/* A conn that arrives while draining (accepted just before the
	 * acceptor stopped) is told to finish too. */
	if (set->draining)
		event_active(set->timer, EV_TIMEOUT, 1);
}

void conn_set_remove(struct conn *conn)
{
	struct conn_set *set = conn->set;

	if (set == NULL)
		return;
	if (conn->set_prev != NULL)
		conn->set_prev->set_next = conn->set_next;
	else
		set->head = conn->set_next;
	if (conn->set_next != NULL)
		conn->set_next->set_prev = conn->set_prev;
	conn->set = NULL;
	conn->set_prev = conn->set_next = NULL;
	set->count--;
	if (set->draining && set->count == 0)
		event_active(set->timer, EV_TIMEOUT, 1);
}

/* Goodbye and close-after-flush for every conn not yet told. */
static void conn_set_notify_all(struct conn_set *set)
{
	struct conn *conn, *next;

	for (conn = set->head; conn != NULL; conn = next) {
		next = conn->set_next;
		if (conn->drain_notified)
			continue;
		conn->drain_notified = true;
		conn_hold(conn);
		if (conn->cb->shutdown != NULL && conn->state == CONN_STATE_OPEN)
			conn->cb->shutdown(conn, conn->ctx);
		if (!conn->freed)
			conn_close_after_flush(conn);
		conn_release(conn);
	}
}

/* The deadline passed: whoever is still here is closed now. */
static void conn_set_force_all(struct conn_set *set)
{
	struct conn *conn, *next;

	for (conn = set->head; conn != NULL; conn = next) {
		next = conn->set_next;
		conn_hold(conn);
		conn_finish(conn, CONN_CLOSE_SHUTDOWN, "server shutting down");
		conn_release(conn);
	}
}

static void conn_set_timer_arm(struct conn_set *set)
{
	uint64_t now = conn_now_msecs();
	uint64_t left = set->deadline > now ? set->deadline - now : 0;
	struct timeval tv = {(time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000};

	evtimer_add(set->timer, &tv);
}

/* Runs at the deadline, and earlier whenever a conn joins or the set
 * empties during a drain (event_active; that also unschedules the
 * deadline, so it is re-armed here). */
static void conn_set_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn_set *set = arg;

	if (!set->draining)
		return;
	conn_set_notify_all(set);
	if (set->count > 0 && conn_now_msecs() >= set->deadline)
		conn_set_force_all(set);
	if (set->count > 0) {
		conn_set_timer_arm(set);
	} else if (!set->done_called) {
		set->done_called = true;
		set->done(set->done_ctx);
	}
}

void conn_set_drain(struct conn_set *set, unsigned deadline_msecs, void (*done)(void *ctx),
		    void *ctx)
{
	set->done = done;
	set->done_ctx = ctx;
	set->draining = true;
	set->done_called = false;
	set->deadline = conn_now_msecs() + deadline_msecs;
	conn_set_notify_all(set);
	if (set->count == 0)
		event_active(set->timer, EV_TIMEOUT, 1);
	else
		conn_set_timer_arm(set);
}
