/* lmtp-session.c — the LMTP connection's life cycle, its input loop and
 * its replies (see lmtp-private.h for the states). Commands are read and
 * answered one after another as they arrive, so a pipelining client
 * (RFC 2920) gets its replies in order; while the client does not read
 * them, reading stops, which bounds what a connection holds. */
#include "lmtp-private.h"
#include "server/user-store.h"
#include "server/worker.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "net/conn.h"

#include <event2/buffer.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void session_free(struct lmtp_session *s)
{
	lmtp_transaction_reset(s);
	free(s->rcpts);
	buf_free(&s->msg);
	conn_free(&s->conn);
	free(s);
}

void lmtp_reply(struct lmtp_session *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	memcpy(line + n, "\r\n", 2);
	conn_write(s->conn, line, (size_t)n + 2);
}

void lmtp_close(struct lmtp_session *s)
{
	s->state = LMTP_STATE_CLOSING;
	conn_close_after_flush(s->conn);
}

void lmtp_transaction_reset(struct lmtp_session *s)
{
	for (size_t i = 0; i < s->rcpt_count; i++) {
		free(s->rcpts[i].address);
		free(s->rcpts[i].mailbox);
		user_store_release(&s->rcpts[i].ustore);
	}
	s->rcpt_count = 0;
	s->sender[0] = '\0';
	s->announced_size = 0;
	s->bdat_started = s->bdat_discard = s->bdat_last = s->bdat_too_big = false;
	s->bdat_error = NULL;
	s->bdat_left = 0;
	/* An idle connection keeps no message memory. */
	buf_free(&s->msg);
	if (s->state == LMTP_STATE_MAIL || s->state == LMTP_STATE_DATA ||
	    s->state == LMTP_STATE_BDAT)
		s->state = LMTP_STATE_READY;
}

/* One command line out of input, if complete. Returns false when more
 * input is needed. */
static bool read_line(struct lmtp_session *s, struct evbuffer *input)
{
	struct evbuffer_ptr eol = evbuffer_search(input, "\n", 1, NULL);
	size_t avail = evbuffer_get_length(input);
	char line[LMTP_LINE_MAX + 1];
	size_t len;

	if (eol.pos < 0) {
		/* No line end yet: an overlong line is thrown away as it comes. */
		if (avail >= LMTP_LINE_MAX) {
			evbuffer_drain(input, avail);
			s->skipping_line = true;
		}
		return false;
	}
	len = (size_t)eol.pos + 1;
	if (s->skipping_line || len > LMTP_LINE_MAX) {
		evbuffer_drain(input, len);
		s->skipping_line = false;
		lmtp_reply(s, "500 5.5.2 Line too long");
		s->bad_commands++;
		return true;
	}
	evbuffer_remove(input, line, len);
	len--; /* the LF */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	lmtp_command_run(s, line, len);
	return true;
}

static void on_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	struct lmtp_session *s = ctx;

	(void)conn;
	while (s->state != LMTP_STATE_CLOSING && evbuffer_get_length(input) > 0) {
		/* A client that sends without reading our replies waits. */
		if (conn_output_full(s->conn)) {
			conn_input_pause(s->conn);
			return;
		}
		if (s->state == LMTP_STATE_DATA || s->state == LMTP_STATE_BDAT)
			lmtp_transfer_input(s, input);
		else if (!read_line(s, input))
			break;
		if (s->bad_commands >= LMTP_MAX_BAD_COMMANDS && s->state != LMTP_STATE_CLOSING) {
			lmtp_reply(s, "421 4.7.0 %s Too many errors, closing", s->w->cfg->hostname);
			lmtp_close(s);
		}
	}
}

static void on_drained(struct conn *conn, void *ctx)
{
	(void)ctx;
	conn_input_resume(conn);
}

static void on_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
		      void *ctx)
{
	struct lmtp_session *s = ctx;

	(void)conn;
	if (s->state != LMTP_STATE_CLOSING && s->state != LMTP_STATE_READY &&
	    s->state != LMTP_STATE_GREETED)
		log_info("lmtp %s: connection lost in a transaction (%s%s%s)", s->peer,
			 conn_close_reason_text(reason), detail ? ": " : "", detail ? detail : "");
	session_free(s);
}

static void on_eof(struct conn *conn, void *ctx)
{
	struct lmtp_session *s = ctx;

	(void)conn;
	lmtp_close(s);
}

static void on_idle(struct conn *conn, void *ctx)
{
	struct lmtp_session *s = ctx;

	(void)conn;
	lmtp_reply(s, "421 4.4.2 %s Timeout, closing", s->w->cfg->hostname);
	lmtp_close(s);
}

static void on_shutdown(struct conn *conn, void *ctx)
{
	struct lmtp_session *s = ctx;

	(void)conn;
	if (s->state != LMTP_STATE_CLOSING)
		lmtp_reply(s, "421 4.3.2 %s Server shutting down", s->w->cfg->hostname);
	s->state = LMTP_STATE_CLOSING;
}

static const struct conn_callbacks callbacks = {
	.input = on_input,
	.closed = on_closed,
	.output_drained = on_drained,
	.input_eof = on_eof,
	.idle_timeout = on_idle,
	.shutdown = on_shutdown,
};

void lmtp_session_new(struct worker *w, int fd, const struct sockaddr *peer, socklen_t peer_len)
{
	struct lmtp_session *s = xcalloc(1, sizeof(*s));
	struct conn_settings set = {.set = w->conns, .peer = peer, .peer_len = peer_len};
	const char *error;

	s->w = w;
	s->conn = conn_new(w->base, fd, &set, &callbacks, s, &error);
	if (s->conn == NULL) {
		log_warn("lmtp: cannot set up a connection: %s", error);
		free(s);
		return;
	}
	snprintf(s->peer, sizeof(s->peer), "%s", conn_peer_text(s->conn));
	snprintf(s->peer_ip, sizeof(s->peer_ip), "%s",
		 conn_is_unix(s->conn) ? "unix" : conn_peer_ip(s->conn));
	s->state = LMTP_STATE_GREETED;
	conn_set_idle_timeout(s->conn, (unsigned)w->cfg->lmtp_timeout * 1000);
	lmtp_reply(s, "220 %s LMTP hafen ready", w->cfg->hostname);
}
