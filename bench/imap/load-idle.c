/* load-idle.c — the idle mode: open --connections connections (a few at a
 * time), each LOGIN, SELECT INBOX and IDLE; when all are idling and
 * --settle seconds have passed, sum the server's PSS and report the
 * growth per connection over the sample taken before the first connect. */
#include "load.h"
#include "load-proc.h"
#include "lib/mem.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SETUP_PARALLEL   16 /* connections being set up at once */
#define SETUP_TIMEOUT_US (300 * 1000000ull)

struct idle_conn {
	struct idler *d;
	struct load_conn *conn;
	unsigned user;
	int step; /* 0 greeting, 1 LOGIN, 2 SELECT, 3 IDLE sent, 4 idling, 5 failed */
};

struct idler {
	struct load_run *run;
	struct idle_conn *conns;
	unsigned next, setting_up, idling, failed;
	struct event *timer;
	bool settled;
};

static void idle_next(struct idler *d);

static void conn_failed(struct idle_conn *c, const char *why)
{
	struct idler *d = c->d;

	load_stats_error(&d->run->stats, "idle connection of user %u: %s", c->user, why);
	load_conn_free(&c->conn);
	if (c->step < 4)
		d->setting_up--;
	else
		d->idling--;
	c->step = 5;
	d->failed++;
	idle_next(d);
}

static void conn_tagged(struct idle_conn *c, const struct imap_response *r)
{
	if (r->u.status.cond != IMAP_COND_OK) {
		conn_failed(c, c->step == 1 ? "LOGIN failed" : "SELECT or IDLE failed");
	} else if (c->step == 1) {
		load_conn_command(c->conn, "SELECT INBOX");
		c->step = 2;
	} else if (c->step == 2) {
		load_conn_command(c->conn, "IDLE");
		c->step = 3;
	} else {
		conn_failed(c, "IDLE ended by the server");
	}
}

static void on_response(void *ctx, const struct imap_response *r)
{
	struct idle_conn *c = ctx;
	char user[128], pass[128];

	if (c->step == 0) {
		if (r->kind != IMAP_RESP_STATUS || r->u.status.cond != IMAP_COND_OK) {
			conn_failed(c, "no OK greeting");
			return;
		}
		load_user_name(c->d->run->o, c->user, user, sizeof(user));
		load_user_pass(c->d->run->o, c->user, pass, sizeof(pass));
		load_conn_command(c->conn, "LOGIN \"%s\" \"%s\"", user, pass);
		c->step = 1;
	} else if (load_conn_is_done(c->conn, r)) {
		conn_tagged(c, r);
	} else if (r->kind == IMAP_RESP_CONTINUE && c->step == 3) {
		c->step = 4;
		c->d->setting_up--;
		c->d->idling++;
		idle_next(c->d);
	} else if (r->kind == IMAP_RESP_STATUS && r->u.status.cond == IMAP_COND_BYE) {
		conn_failed(c, "BYE");
	}
}

static void on_closed(void *ctx, const char *why)
{
	conn_failed(ctx, why);
}

static const struct load_conn_handler idle_handler = {on_response, on_closed};

/* Start connections up to the parallel limit; arm the settle timer when done. */
static void idle_next(struct idler *d)
{
	const struct load_opts *o = d->run->o;
	const char *error;

	while (d->next < o->connections && d->setting_up < SETUP_PARALLEL) {
		struct idle_conn *c = &d->conns[d->next];

		c->d = d;
		c->user = d->next++ % o->users;
		d->setting_up++;
		c->conn = load_conn_new(d->run->base, &d->run->target, &idle_handler, c, &error);
		if (c->conn == NULL)
			conn_failed(c, error);
	}
	if (d->next == o->connections && d->setting_up == 0 && !d->settled) {
		struct timeval settle = {
			(time_t)o->settle,
			(suseconds_t)((o->settle - (double)(time_t)o->settle) * 1e6)};

		d->settled = true;
		evtimer_del(d->timer);
		evtimer_add(d->timer, &settle);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct idler *d = arg;

	(void)fd;
	(void)what;
	if (!d->settled)
		load_stats_error(&d->run->stats, "connections not set up in time (%u idling)",
				 d->idling);
	event_base_loopbreak(d->run->base);
}

static int idle_sample(const struct load_run *run, struct load_proc_sample *s)
{
	const char *error;

	if (load_proc_sample(run->o->server_pid, 1, s, &error) < 0) {
		fprintf(stderr, "imap-load: server process %d: %s\n", (int)run->o->server_pid,
			error);
		return -1;
	}
	return 0;
}

int load_idle(struct load_run *run)
{
	const struct load_opts *o = run->o;
	struct idler d = {.run = run};
	struct load_proc_sample before, after;
	struct timeval limit = {SETUP_TIMEOUT_US / 1000000, 0};
	uint64_t t0;

	if (o->connections == 0 || o->users == 0 || o->server_pid <= 0) {
		fprintf(stderr, "imap-load: idle needs --connections, --users and --server-pid\n");
		return 2;
	}
	if (idle_sample(run, &before) < 0)
		return 1;
	d.conns = xcalloc(o->connections, sizeof(*d.conns));
	d.timer = evtimer_new(run->base, on_timer, &d);
	evtimer_add(d.timer, &limit);
	t0 = load_now_us();
	idle_next(&d);
	event_base_dispatch(run->base);
	if (idle_sample(run, &after) < 0)
		return 1;
	printf("mode=idle\nconnections=%u\nidling=%u\nerrors=%llu\nsetup_seconds=%.2f\n",
	       o->connections, d.idling, (unsigned long long)run->stats.errors,
	       (double)(load_now_us() - t0) / 1e6 - o->settle);
	printf("pss_before_kib=%llu\npss_after_kib=%llu\nprocesses_before=%u\nprocesses_after=%u\n",
	       (unsigned long long)before.pss_kib, (unsigned long long)after.pss_kib,
	       before.processes, after.processes);
	printf("pss_per_connection_kib=%.1f\n",
	       d.idling > 0 ? ((double)after.pss_kib - (double)before.pss_kib) / d.idling : 0);
	for (unsigned i = 0; i < o->connections; i++)
		load_conn_free(&d.conns[i].conn);
	event_free(d.timer);
	free(d.conns);
	return run->stats.errors > 0 || d.idling != o->connections ? 1 : 0;
}
