/* cmd-idle.c — IDLE (RFC 2177, RFC 9051 6.3.13): "+ idling" first, then
 * every change is pushed as it happens; a keepalive every couple of
 * minutes keeps NAT gateways from dropping the connection (INTEROP.md 6). */
#include "imap-commands.h"
#include "imap-selected.h"
#include "server/worker.h"
#include "lib/str.h"
#include "net/conn.h"

#include <event2/event.h>

static void on_keepalive(evutil_socket_t fd, short what, void *ctx)
{
	struct imap_session *s = ctx;

	(void)fd;
	(void)what;
	if (s->mode != IMAP_MODE_IDLE)
		return;
	session_untagged(s, "OK Still here");
}

void cmd_idle_changed(struct imap_session *s)
{
	if (s->sel != NULL && imap_selected_sync(s, true) < 0) {
		session_untagged(s, "BYE The selected mailbox was deleted");
		session_close(s);
	}
}

enum cmd_result cmd_idle(struct imap_session *s, struct imap_command *cmd)
{
	const struct server_config *cfg = s->w->cfg;
	struct timeval every = {(time_t)cfg->idle_keepalive, 0};

	(void)cmd;
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
