/* load-mix.c — the mix mode: clients run sessions of weighted operations
 * for a warm-up, then a measured period, then drain (finish the operation
 * in flight, expunge what they appended, log out). Commands per second
 * count the tagged completions of the measured period. */
#include "load-session.h"
#include "load-msgpool.h"
#include "load-proc.h"
#include "lib/mem.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>

#define OP_TIMEOUT_US    (30 * 1000000ull) /* an operation this old is a hung server */
#define DRAIN_TIMEOUT_US (30 * 1000000ull)
#define POOL_MESSAGES    64

struct load_mix {
	struct load_run *run;
	struct load_msgpool *pool;
	struct load_session *sessions;
	unsigned active; /* sessions not finished */
	unsigned weight_total;
	struct event *tick;
	uint64_t t_start, t_measure, t_end;
	bool measuring, draining;
	struct load_proc_sample srv0, srv1;
	double self0, self1;
};

static struct load_mix *the_mix; /* one per process; sessions reach it here */

static void session_connect(struct load_session *s);

static void session_finish(struct load_session *s)
{
	load_conn_free(&s->conn);
	if (!s->finished) {
		s->finished = true;
		the_mix->active--;
	}
}

/* Count the error, drop the connection and start a new one shortly. */
static void session_restart(struct load_session *s, const char *what)
{
	struct timeval delay = {0, 100000};

	load_stats_error(&s->run->stats, "client %u (user %u), %s: %s", s->index, s->user,
			 load_op_name(s->op), what);
	load_conn_free(&s->conn);
	if (s->stopping) {
		session_finish(s);
		return;
	}
	evtimer_add(s->retry, &delay);
}

static void op_begin(struct load_session *s, enum load_op op)
{
	s->op = op;
	s->phase = 0;
	s->matches = 0;
	s->op_commands = 0;
	s->error[0] = '\0';
	if (op != LOAD_OP_LOGIN)
		s->op_start = load_now_us();
}

/* The weighted choice; ops that cannot run now are drawn again. */
static void op_pick(struct load_session *s)
{
	const unsigned *w = s->run->o->weights;

	for (int tries = 0; tries < 8; tries++) {
		unsigned r = bench_rand_below(&s->rnd, the_mix->weight_total);
		unsigned op = 0;

		while (r >= w[op]) {
			r -= w[op];
			op++;
		}
		op_begin(s, (enum load_op)op);
		if (load_op_def(s->op)->start(s))
			return;
	}
	op_begin(s, LOAD_OP_NOOP);
	load_op_def(LOAD_OP_NOOP)->start(s);
}

static void op_next(struct load_session *s)
{
	enum load_op prev = s->op;

	if (prev == LOAD_OP_LOGOUT) {
		load_conn_free(&s->conn);
		if (s->stopping)
			session_finish(s);
		else
			session_connect(s);
		return;
	}
	if (prev == LOAD_OP_LOGIN) {
		op_begin(s, LOAD_OP_SELECT);
	} else if (s->stopping || s->ops_left == 0) {
		op_begin(s, s->npending > 0 ? LOAD_OP_EXPUNGE : LOAD_OP_LOGOUT);
	} else {
		s->ops_left--;
		op_pick(s);
		return;
	}
	load_op_def(s->op)->start(s);
}

static void command_done(struct load_session *s, const struct imap_response *r)
{
	char what[300];

	s->op_commands++;
	if (r->u.status.cond != IMAP_COND_OK) {
		snprintf(what, sizeof(what), "tagged %s %s",
			 imap_status_cond_name(r->u.status.cond), r->u.status.text);
		session_restart(s, what);
		return;
	}
	if (load_op_def(s->op)->done(s, r) == 0 && s->error[0] == '\0')
		return; /* the op sent its next command */
	if (s->error[0] != '\0') {
		session_restart(s, s->error);
		return;
	}
	load_stats_op(&s->run->stats, s->op, load_now_us() - s->op_start, s->op_commands);
	op_next(s);
}

static void untagged(struct load_session *s, const struct imap_response *r)
{
	if (r->kind == IMAP_RESP_EXISTS) {
		s->exists = r->u.number;
	} else if (r->kind == IMAP_RESP_EXPUNGE && s->exists > 0) {
		s->exists--;
	} else if (r->kind == IMAP_RESP_STATUS) {
		if (r->u.status.cond == IMAP_COND_BYE && s->op == LOAD_OP_LOGOUT)
			s->saw_bye = true;
		else if (r->u.status.cond != IMAP_COND_OK)
			load_session_fail(s, "untagged %s %s",
					  imap_status_cond_name(r->u.status.cond),
					  r->u.status.text);
	} else if (r->kind == IMAP_RESP_CONTINUE && s->op != LOAD_OP_APPEND &&
		   s->op != LOAD_OP_IDLE) {
		load_session_fail(s, "unexpected continuation");
	}
	load_op_def(s->op)->untagged(s, r);
}

static void on_response(void *ctx, const struct imap_response *r)
{
	struct load_session *s = ctx;

	if (!s->greeted) {
		if (r->kind != IMAP_RESP_STATUS || r->tag != NULL ||
		    r->u.status.cond != IMAP_COND_OK) {
			session_restart(s, "no OK greeting");
			return;
		}
		s->greeted = true;
		load_op_def(LOAD_OP_LOGIN)->start(s);
		return;
	}
	if (load_conn_is_done(s->conn, r))
		command_done(s, r);
	else
		untagged(s, r);
}

static void on_closed(void *ctx, const char *why)
{
	session_restart(ctx, why);
}

static const struct load_conn_handler session_handler = {on_response, on_closed};

static void session_connect(struct load_session *s)
{
	const char *error;

	op_begin(s, LOAD_OP_LOGIN);
	s->op_start = load_now_us();
	s->greeted = false;
	s->ops_left = s->run->o->session_ops;
	s->conn = load_conn_new(s->run->base, &s->run->target, &session_handler, s, &error);
	if (s->conn == NULL)
		session_restart(s, error);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct load_session *s = arg;

	(void)fd;
	(void)what;
	if (s->stopping)
		session_finish(s);
	else if (s->conn == NULL)
		session_connect(s);
}

static void mix_sample(struct load_mix *m, struct load_proc_sample *srv, double *self)
{
	const char *error;

	*self = load_proc_self_cpu();
	if (m->run->o->server_pid > 0 &&
	    load_proc_sample(m->run->o->server_pid, 0, srv, &error) < 0)
		load_stats_error(&m->run->stats, "server process %d: %s",
				 (int)m->run->o->server_pid, error);
}

static void mix_drain(struct load_mix *m)
{
	for (unsigned i = 0; i < m->run->o->clients; i++) {
		struct load_session *s = &m->sessions[i];

		s->stopping = true;
		if (s->conn == NULL && !s->finished)
			session_finish(s);
	}
}

/* Once a second: phase changes, hung operations, the end. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct load_mix *m = arg;
	const struct load_opts *o = m->run->o;
	uint64_t now = load_now_us();

	(void)fd;
	(void)what;
	if (!m->measuring && !m->draining && now >= m->t_start + (uint64_t)(o->warmup * 1e6)) {
		load_stats_reset(&m->run->stats);
		m->run->stats.measuring = m->measuring = true;
		m->t_measure = now;
		mix_sample(m, &m->srv0, &m->self0);
	} else if (m->measuring && now >= m->t_measure + (uint64_t)(o->duration * 1e6)) {
		m->run->stats.measuring = m->measuring = false;
		m->t_end = now;
		mix_sample(m, &m->srv1, &m->self1);
		m->draining = true;
		mix_drain(m);
	}
	for (unsigned i = 0; i < o->clients; i++) {
		struct load_session *s = &m->sessions[i];

		if (s->conn != NULL && now - s->op_start > OP_TIMEOUT_US)
			session_restart(s, "no reply for 30 seconds");
	}
	if (o->verbose && m->measuring)
		fprintf(stderr, "imap-load: %llu commands, %llu errors\n",
			(unsigned long long)m->run->stats.commands,
			(unsigned long long)m->run->stats.errors);
	if (m->active == 0 || (m->draining && now - m->t_end > DRAIN_TIMEOUT_US))
		event_base_loopbreak(m->run->base);
}

static void mix_print(const struct load_mix *m)
{
	const struct load_run *run = m->run;
	double secs = (double)(m->t_end - m->t_measure) / 1e6;
	double srv = m->srv1.cpu_secs - m->srv0.cpu_secs;
	uint64_t cmds = run->stats.commands;

	printf("mode=mix\nclients=%u\nseconds=%.2f\ncommands=%llu\ncommands_per_s=%.1f\n",
	       run->o->clients, secs, (unsigned long long)cmds, secs > 0 ? (double)cmds / secs : 0);
	printf("errors=%llu\nunfinished_sessions=%u\n", (unsigned long long)run->stats.errors,
	       m->active);
	if (run->o->server_pid > 0)
		printf("server_cpu_s=%.2f\nserver_cpu_per_command_ms=%.3f\n", srv,
		       cmds > 0 ? srv * 1000.0 / (double)cmds : 0);
	printf("generator_cpu_s=%.2f\n", m->self1 - m->self0);
	load_stats_print_ops(&run->stats, stdout);
}

static void mix_setup(struct load_mix *m, struct load_run *run)
{
	const struct load_opts *o = run->o;

	memset(m, 0, sizeof(*m));
	m->run = run;
	for (unsigned i = 0; i < LOAD_OP_COUNT; i++)
		m->weight_total += o->weights[i];
	m->pool = load_msgpool_new(o->seed ^ 0x5eedf00dull, POOL_MESSAGES);
	m->sessions = xcalloc(o->clients, sizeof(*m->sessions));
	m->active = o->clients;
	for (unsigned i = 0; i < o->clients; i++) {
		struct load_session *s = &m->sessions[i];
		/* Spread the first logins over half the warm-up. */
		uint64_t us = (uint64_t)(o->warmup * 5e5) * i / o->clients;
		struct timeval start = {(time_t)(us / 1000000), (suseconds_t)(us % 1000000)};

		s->run = run;
		s->pool = m->pool;
		s->index = i;
		s->user = i % o->users;
		bench_rand_seed(&s->rnd, o->seed * 1000003u + i);
		s->retry = evtimer_new(run->base, on_retry, s);
		evtimer_add(s->retry, &start);
	}
}

int load_mix(struct load_run *run)
{
	struct load_mix m;
	struct timeval second = {1, 0};

	if (run->o->messages == 0 || run->o->users == 0) {
		fprintf(stderr, "imap-load: mix needs --messages and --users\n");
		return 2;
	}
	mix_setup(&m, run);
	if (m.weight_total == 0) {
		fprintf(stderr, "imap-load: every operation has weight 0\n");
		return 2;
	}
	the_mix = &m;
	m.t_start = load_now_us();
	m.tick = event_new(run->base, -1, EV_PERSIST, on_tick, &m);
	event_add(m.tick, &second);
	event_base_dispatch(run->base);
	mix_print(&m);
	for (unsigned i = 0; i < run->o->clients; i++) {
		load_conn_free(&m.sessions[i].conn);
		event_free(m.sessions[i].retry);
	}
	event_free(m.tick);
	free(m.sessions);
	load_msgpool_free(&m.pool);
	the_mix = NULL;
	return run->stats.errors > 0 || m.active > 0 ? 1 : 0;
}
