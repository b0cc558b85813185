/* load-logins.c — the logins mode: --clients connections at a time, each
 * one session of greeting, LOGIN, LOGOUT (with its BYE), until --sessions
 * sessions are done. Reports logins per second and, with --server-pid,
 * the server's CPU time per session. */
#include "load.h"
#include "load-proc.h"
#include "lib/mem.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct login_slot {
	struct logins *l;
	struct load_conn *conn;
	unsigned user;
	int step; /* 0 greeting, 1 LOGIN sent, 2 LOGOUT sent */
	bool saw_bye;
	uint64_t start;
};

struct logins {
	struct load_run *run;
	struct login_slot *slots;
	unsigned started, ended, ok;
};

static void slot_start(struct login_slot *s);

static void slot_end(struct login_slot *s, const char *error)
{
	struct logins *l = s->l;

	if (error != NULL)
		load_stats_error(&l->run->stats, "session of user %u: %s", s->user, error);
	else
		l->ok++;
	load_conn_free(&s->conn);
	if (++l->ended == l->run->o->sessions)
		event_base_loopbreak(l->run->base);
	else if (l->started < l->run->o->sessions)
		slot_start(s);
}

static void slot_tagged(struct login_slot *s, const struct imap_response *r)
{
	if (r->u.status.cond != IMAP_COND_OK) {
		slot_end(s, s->step == 1 ? "LOGIN failed" : "LOGOUT failed");
	} else if (s->step == 1) {
		load_stats_op(&s->l->run->stats, LOAD_OP_LOGIN, load_now_us() - s->start, 1);
		s->step = 2;
		load_conn_command(s->conn, "LOGOUT");
	} else {
		load_stats_op(&s->l->run->stats, LOAD_OP_LOGOUT, 0, 1);
		slot_end(s, s->saw_bye ? NULL : "LOGOUT without BYE");
	}
}

static void on_response(void *ctx, const struct imap_response *r)
{
	struct login_slot *s = ctx;
	char user[128], pass[128];

	if (s->step == 0) {
		if (r->kind != IMAP_RESP_STATUS || r->u.status.cond != IMAP_COND_OK) {
			slot_end(s, "no OK greeting");
			return;
		}
		load_user_name(s->l->run->o, s->user, user, sizeof(user));
		load_user_pass(s->l->run->o, s->user, pass, sizeof(pass));
		load_conn_command(s->conn, "LOGIN \"%s\" \"%s\"", user, pass);
		s->step = 1;
	} else if (load_conn_is_done(s->conn, r)) {
		slot_tagged(s, r);
	} else if (r->kind == IMAP_RESP_STATUS && r->u.status.cond == IMAP_COND_BYE) {
		if (s->step != 2)
			slot_end(s, "unexpected BYE");
		else
			s->saw_bye = true;
	}
}

static void on_closed(void *ctx, const char *why)
{
	slot_end(ctx, why);
}

static const struct load_conn_handler login_handler = {on_response, on_closed};

static void slot_start(struct login_slot *s)
{
	struct logins *l = s->l;
	const char *error;

	s->user = l->started++ % l->run->o->users;
	s->step = 0;
	s->saw_bye = false;
	s->start = load_now_us();
	s->conn = load_conn_new(l->run->base, &l->run->target, &login_handler, s, &error);
	if (s->conn == NULL)
		slot_end(s, error);
}

static void sample(const struct load_run *run, struct load_proc_sample *srv)
{
	const char *error;

	memset(srv, 0, sizeof(*srv));
	if (run->o->server_pid > 0 && load_proc_sample(run->o->server_pid, 0, srv, &error) < 0)
		fprintf(stderr, "imap-load: server process: %s\n", error);
}

int load_logins(struct load_run *run)
{
	const struct load_opts *o = run->o;
	struct logins l = {.run = run};
	struct load_proc_sample srv0, srv1;
	unsigned n = o->clients < o->sessions ? o->clients : o->sessions;
	uint64_t t0, t1;
	double self0, cpu;

	if (o->sessions == 0 || o->users == 0) {
		fprintf(stderr, "imap-load: logins needs --sessions and --users\n");
		return 2;
	}
	run->stats.measuring = true;
	l.slots = xcalloc(n, sizeof(*l.slots));
	sample(run, &srv0);
	self0 = load_proc_self_cpu();
	t0 = load_now_us();
	for (unsigned i = 0; i < n; i++) {
		l.slots[i].l = &l;
		slot_start(&l.slots[i]);
	}
	event_base_dispatch(run->base);
	t1 = load_now_us();
	/* Give the server time to reap per-session processes. */
	usleep((useconds_t)(o->settle * 1e6));
	sample(run, &srv1);
	cpu = srv1.cpu_secs - srv0.cpu_secs;
	printf("mode=logins\nclients=%u\nsessions=%u\nok=%u\nerrors=%llu\nseconds=%.2f\n", n,
	       o->sessions, l.ok, (unsigned long long)run->stats.errors, (double)(t1 - t0) / 1e6);
	printf("logins_per_s=%.1f\n", (double)l.ok / ((double)(t1 - t0) / 1e6));
	if (o->server_pid > 0)
		printf("server_cpu_s=%.2f\nserver_cpu_per_login_ms=%.3f\n", cpu,
		       l.ok > 0 ? cpu * 1000.0 / l.ok : 0);
	printf("generator_cpu_s=%.2f\n", load_proc_self_cpu() - self0);
	load_stats_print_ops(&run->stats, stdout);
	for (unsigned i = 0; i < n; i++)
		load_conn_free(&l.slots[i].conn);
	free(l.slots);
	return run->stats.errors > 0 ? 1 : 0;
}
