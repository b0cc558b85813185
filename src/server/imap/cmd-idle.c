/* cmd-idle.c — IDLE (RFC 2177, RFC 9051 6.3.13): "+ idling" first, then
 * every change is pushed as it happens; a keepalive every couple of
 * minutes keeps NAT gateways from dropping the connection (INTEROP.md 6). */
#include "imap-commands.h"
#include "imap-selected.h"
#include "notify.h"
#include "server/user-store.h"
#include "server/worker.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "net/conn.h"

#include <event2/event.h>
#include <stdint.h>
#include <time.h>

/* The running IDLE's own state (s->run.state). */
struct idle_state {
	int64_t started_ms; /* CLOCK_MONOTONIC */
	struct imap_session *s;
};

/* The command ends (DONE, or the session goes): the user's handle is
 * needed again, or released with the session right after. */
static void idle_state_free(void *ctx)
{
	struct idle_state *st = ctx;

	user_store_idle_end(st->s->ustore);
	free(st->s->idle_tag);
	st->s->idle_tag = NULL;
	free(st);
}

static void on_keepalive(evutil_socket_t fd, short what, void *ctx)
{
	struct imap_session *s = ctx;
	const struct idle_state *st = s->run.state;

	(void)fd;
	(void)what;
	/* Not in the middle of a NOTIFY FETCH response. */
	if (s->mode != IMAP_MODE_IDLE || notify_busy(s))
		return;
	/* Our own keepalives count as activity for the connection's timer,
	 * so idle_timeout is enforced here: it counts from the start of IDLE,
	 * the last time the client said anything (RFC 2177 section 3). */
	if (st != NULL &&
	    clock_monotonic_ms() - st->started_ms >= (int64_t)s->w->cfg->idle_timeout * 1000) {
		session_untagged(s, "BYE Autologout; idle for too long");
		session_close(s);
		return;
	}
	session_untagged(s, "OK Still here");
}

void cmd_idle_changed(struct imap_session *s)
{
	/* After NOTIFY, IDLE sends what NOTIFY asked for (RFC 5465 section 4). */
	if (s->notify != NULL) {
		notify_wake(s);
		return;
	}
	if (s->sel != NULL && imap_selected_sync(s, true) < 0) {
		session_untagged(s, "BYE The selected mailbox was deleted");
		session_close(s);
	}
}

enum cmd_result cmd_idle(struct imap_session *s, struct imap_command *cmd)
{
	const struct server_config *cfg = s->w->cfg;
	struct timeval every = {(time_t)cfg->idle_keepalive, 0};

	struct idle_state *st = xmalloc(sizeof(*st));

	st->started_ms = clock_monotonic_ms();
	st->s = s;
	/* While this session waits, its user's database handle may be closed
	 * early if many are open (user-store.h); a change reopens it. */
	user_store_idle_begin(s->ustore);
	/* An idle connection keeps no more than it needs: the parsed command
	 * (about 1 KB with its arena) goes, its tag stays for the reply. */
	s->idle_tag = xstrdup(cmd->tag);
	imap_command_free(&s->run.cmd);
	s->run.state = st;
	s->run.free_state = idle_state_free;
	session_write(s, "+ idling\r\n", 10);
	s->mode = IMAP_MODE_IDLE;
	imap_parser_expect_raw_line(s->parser);
	cmd_idle_changed(s);
	if (s->timer != NULL)
		event_free(s->timer);
	s->timer = event_new(s->w->base, -1, EV_PERSIST, on_keepalive, s);
	if (cfg->idle_keepalive > 0)
		event_add(s->timer, &every);
	conn_set_idle_timeout(s->conn, (unsigned)cfg->idle_timeout * 1000);
	return CMD_SUSPEND;
}

void cmd_idle_line(struct imap_session *s, const char *line, size_t len)
{
	event_del(s->timer);
	conn_set_idle_timeout(s->conn, (unsigned)s->w->cfg->autologout * 1000);
	s->mode = IMAP_MODE_RUNNING;
	if (str_eq_ci_n(line, len, "DONE"))
		session_tagged(s, IMAP_COND_OK, NULL, "IDLE terminated");
	else
		session_tagged(s, IMAP_COND_BAD, NULL, "Expected DONE to end IDLE");
	s->mode = IMAP_MODE_READING;
}
