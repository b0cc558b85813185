/* imap-session.c — the IMAP session: connection callbacks, the command
 * loop, literal decisions, and the end of a session (see imap-session.h). */
#include "imap-session.h"
#include "append-sink.h"
#include "imap-commands.h"
#include "imap-selected.h"
#include "notify.h"
#include "imap/imap-write.h"
#include "server/worker.h"
#include "auth/auth-guard.h"
#include "auth/sasl-server.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "net/conn.h"
#include "store/store.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdarg.h>
#include <string.h>

/* Consecutive protocol errors before we give up on a client. */
#define MAX_BAD_COMMANDS 20
/* Bytes moved from the connection into the parser at a time. */
#define FEED_CHUNK 16384

static void process_input(struct imap_session *s);
static void session_free(struct imap_session *s);

bool session_rev2(const struct imap_session *s)
{
	return (s->enabled & IMAP_ENABLED_REV2) != 0;
}

void session_enable_condstore(struct imap_session *s)
{
	if (!(s->enabled & IMAP_ENABLED_CONDSTORE)) {
		s->enabled |= IMAP_ENABLED_CONDSTORE;
		if (s->sel != NULL)
			session_untagged(s, "OK [HIGHESTMODSEQ %llu] Highest",
					 (unsigned long long)imap_selected_highestmodseq(s->sel));
	}
	if (s->sel != NULL)
		s->sel->condstore = true;
}

struct store *session_store(struct imap_session *s)
{
	return s->ustore ? user_store_store(s->ustore) : NULL;
}

void session_write(struct imap_session *s, const void *data, size_t len)
{
	conn_write(s->conn, data, len);
}

void session_send_line(struct imap_session *s)
{
	buf_append_str(&s->out, "\r\n");
	conn_write(s->conn, s->out.data, s->out.len);
	buf_reset(&s->out);
}

void session_untagged(struct imap_session *s, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&s->out);
	buf_append_str(&s->out, "* ");
	va_start(ap, fmt);
	buf_vprintf(&s->out, fmt, ap);
	va_end(ap);
	session_send_line(s);
}

bool session_output_full(struct imap_session *s)
{
	return conn_output_full(s->conn);
}

/* The tag of the running command (IDLE keeps only its tag), or "*" when
 * there is none. */
static const char *running_tag(const struct imap_session *s)
{
	if (s->run.cmd != NULL)
		return s->run.cmd->tag;
	return s->idle_tag != NULL ? s->idle_tag : "*";
}

static bool expunge_allowed(const struct imap_session *s)
{
	if (s->run.def == NULL)
		return true;
	return !(s->run.def->flags & CMD_F_SEQS) || s->run.cmd->uid;
}

void session_tagged(struct imap_session *s, enum imap_status_cond cond, const char *code,
		    const char *fmt, ...)
{
	static const char *const conds[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
	const char *tag = running_tag(s);
	va_list ap;

	if (s->sel != NULL && imap_selected_sync(s, expunge_allowed(s)) < 0) {
		session_untagged(s, "BYE The selected mailbox was deleted");
		session_close(s);
		return;
	}
	/* RFC 7162 3.2 and section 6: a QRESYNC client takes the highest
	 * MODSEQ it saw up to a tagged reply as its HIGHESTMODSEQ; while
	 * expunges wait to be reported, tell it a value below theirs, or a
	 * lost connection would lose them. */
	if (s->sel != NULL && (s->enabled & IMAP_ENABLED_QRESYNC) &&
	    !rangeset_is_empty(&s->sel->pending_expunge))
		session_untagged(s, "OK [HIGHESTMODSEQ %llu] Expunges not yet reported",
				 (unsigned long long)imap_selected_highestmodseq(s->sel));
	buf_reset(&s->out);
	buf_printf(&s->out, "%s %s ", tag, conds[cond]);
	if (code != NULL)
		buf_printf(&s->out, "[%s] ", code);
	va_start(ap, fmt);
	buf_vprintf(&s->out, fmt, ap);
	va_end(ap);
	session_send_line(s);
}

void session_store_error(struct imap_session *s, int err)
{
	const char *text = session_store(s) ? store_last_error(session_store(s)) : "no store";

	switch (err) {
	case STORE_ERR_NONEXISTENT:
		session_tagged(s, IMAP_COND_NO, "NONEXISTENT", "Mailbox does not exist");
		break;
	case STORE_ERR_EXISTS:
		session_tagged(s, IMAP_COND_NO, "ALREADYEXISTS", "Mailbox already exists");
		break;
	case STORE_ERR_INVALID:
		session_tagged(s, IMAP_COND_NO, "CANNOT", "Invalid mailbox name or argument");
		break;
	case STORE_ERR_OVERQUOTA:
		session_tagged(s, IMAP_COND_NO, "OVERQUOTA", "Quota exceeded");
		break;
	case STORE_ERR_NOSELECT:
		session_tagged(s, IMAP_COND_NO, "CANNOT", "Mailbox cannot hold messages");
		break;
	case STORE_ERR_HASCHILDREN:
		session_tagged(s, IMAP_COND_NO, "HASCHILDREN", "Mailbox has children");
		break;
	case STORE_ERR_CANNOT:
		session_tagged(s, IMAP_COND_NO, "CANNOT", "Operation not permitted");
		break;
	case STORE_ERR_TOOBIG:
		session_tagged(s, IMAP_COND_NO, "TOOBIG", "Message too big");
		break;
	case STORE_ERR_LIMIT:
		session_tagged(s, IMAP_COND_NO, "LIMIT", "Limit reached");
		break;
	case STORE_ERR_BUSY:
		session_tagged(s, IMAP_COND_NO, "INUSE", "Mailbox is busy, try again");
		break;
	default:
		log_error("%s: %s", s->user ? s->user : s->peer, text);
		session_tagged(s, IMAP_COND_NO, "SERVERBUG", "Internal error, try again later");
		break;
	}
}

/* ---- running commands ---- */

static void finish_command(struct imap_session *s)
{
	imap_command_free(&s->run.cmd);
	if (s->run.free_state != NULL)
		s->run.free_state(s->run.state);
	memset(&s->run, 0, sizeof(s->run));
	buf_shrink_if_empty(&s->out);
	if (s->mode == IMAP_MODE_RUNNING)
		s->mode = IMAP_MODE_READING;
	if (s->notify != NULL)
		notify_command_done(s);
}

static void run_result(struct imap_session *s, enum cmd_result r)
{
	if (r == CMD_DONE) {
		finish_command(s);
		return;
	}
	/* Suspended: IDLE and AUTHENTICATE set their own mode. */
	if (s->mode == IMAP_MODE_READING)
		s->mode = IMAP_MODE_RUNNING;
}

/* One more command that made no sense; a client that sends nothing else
 * is broken or probing, and gets a BYE (it was already answered). */
static void count_bad_command(struct imap_session *s)
{
	if (++s->bad_commands >= MAX_BAD_COMMANDS) {
		session_untagged(s, "BYE Too many invalid commands");
		session_close(s);
	}
}

static void run_command(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_def *def = imap_cmd_def_find(cmd->kind);

	s->commands++;
	s->run.cmd = cmd;
	s->run.def = def;
	if (def == NULL) {
		session_tagged(s, IMAP_COND_BAD, NULL, "Unknown command %s", cmd->name);
		finish_command(s);
		count_bad_command(s);
		return;
	}
	if (!(def->states & s->state)) {
		session_tagged(s, IMAP_COND_BAD, NULL, "%s is not valid %s", cmd->name,
			       s->state == IMAP_STATE_NOT_AUTH ? "before login"
			       : s->state == IMAP_STATE_AUTH   ? "without a selected mailbox"
							       : "in this state");
		finish_command(s);
		count_bad_command(s);
		return;
	}
	s->bad_commands = 0;
	/* The user's store may have been closed while idle; if it cannot be
	 * opened again, say so instead of running the command without it. */
	if (s->ustore != NULL && session_store(s) == NULL) {
		session_tagged(s, IMAP_COND_NO, "UNAVAILABLE", "Mail store unavailable, try later");
		finish_command(s);
		return;
	}
	if ((def->flags & CMD_F_WRITE) && s->sel != NULL && s->sel->read_only) {
		session_tagged(s, IMAP_COND_NO, "READ-ONLY", "Mailbox was opened with EXAMINE");
		finish_command(s);
		return;
	}
	if (s->notify != NULL)
		notify_command_begin(s, cmd);
	run_result(s, def->run(s, cmd));
}

static void parse_error(struct imap_session *s, const struct imap_parse_error *err)
{
	/* A DONE that crossed the end of IDLE on the wire is harmless (INTEROP.md 6). */
	if (err->tag != NULL && err->command == NULL && str_casecmp(err->tag, "DONE") == 0)
		return;
	const char *code = err->kind == IMAP_PERR_LITERAL_TOO_BIG ? "TOOBIG"
			   : err->kind == IMAP_PERR_LINE_TOO_LONG ? "TOOBIG"
								  : NULL;
	enum imap_status_cond cond =
		err->kind == IMAP_PERR_LITERAL_TOO_BIG || err->kind == IMAP_PERR_SINK
			? IMAP_COND_NO
			: IMAP_COND_BAD;

	buf_reset(&s->out);
	buf_printf(&s->out, "%s %s ", err->tag ? err->tag : "*",
		   cond == IMAP_COND_NO ? "NO" : "BAD");
	if (code != NULL)
		buf_printf(&s->out, "[%s] ", code);
	imap_write_text(&s->out, err->message ? err->message : "Syntax error");
	session_send_line(s);
	count_bad_command(s);
}

/* A literal is announced: refuse what we would refuse anyway before the
 * client sends it (INTEROP.md point 9), otherwise invite it. */
static void literal_decision(struct imap_session *s)
{
	const struct imap_literal_request *req = imap_parser_literal_request(s->parser);
	bool append = req->command != NULL &&
		      (strcmp(req->command, "APPEND") == 0 || strcmp(req->command, "REPLACE") == 0);

	if (append && s->state != IMAP_STATE_NOT_AUTH && req->size > s->w->cfg->append_limit) {
		buf_reset(&s->out);
		buf_printf(&s->out, "%s NO [TOOBIG] Message larger than APPENDLIMIT %llu",
			   req->tag ? req->tag : "*", (unsigned long long)s->w->cfg->append_limit);
		session_send_line(s);
		imap_parser_literal_reject(s->parser);
		return;
	}
	if (imap_parser_literal_accept(s->parser) == 0 && req->sync)
		session_write(s, "+ OK\r\n", 6);
}

static void read_raw_line(struct imap_session *s)
{
	struct imap_parse_error err;
	const char *line;
	size_t len;
	enum imap_parse_result r = imap_parser_next_raw_line(s->parser, &line, &len, &err);

	if (r == IMAP_PARSE_MORE)
		return;
	if (r == IMAP_PARSE_ERROR) {
		line = "";
		len = 0;
	}
	if (s->mode == IMAP_MODE_IDLE)
		cmd_idle_line(s, line, len);
	else
		cmd_authenticate_line(s, line, len);
	if (s->mode == IMAP_MODE_READING)
		finish_command(s);
}

static void next_item(struct imap_session *s, bool *more_r)
{
	struct imap_parse_error err;
	struct imap_command *cmd;

	if (s->mode == IMAP_MODE_IDLE || s->mode == IMAP_MODE_SASL) {
		size_t before = imap_parser_pending(s->parser);

		read_raw_line(s);
		*more_r = imap_parser_pending(s->parser) != before;
		return;
	}
	switch (imap_parser_next_command(s->parser, &cmd, &err)) {
	case IMAP_PARSE_MORE:
		*more_r = false;
		break;
	case IMAP_PARSE_LITERAL:
		literal_decision(s);
		break;
	case IMAP_PARSE_ERROR:
		parse_error(s, &err);
		break;
	case IMAP_PARSE_DONE:
		run_command(s, cmd);
		break;
	}
}

static bool can_read(const struct imap_session *s)
{
	return s->mode == IMAP_MODE_READING || s->mode == IMAP_MODE_IDLE ||
	       s->mode == IMAP_MODE_SASL;
}

/* Take more input now? Not while a command runs or waits, and not while
 * the client leaves our answers unread: a client that pipelines commands
 * without reading (30 MB of CAPABILITY made 750 MB of queued output) must
 * meet TCP's back-pressure, not our memory. When the output is over its
 * high-water mark, conn_output_full() arms on_drained, which resumes. */
static bool may_read(struct imap_session *s)
{
	return s->conn != NULL && can_read(s) && !conn_output_full(s->conn) && !notify_busy(s);
}

static void process_input(struct imap_session *s)
{
	bool more = true;

	while (more && may_read(s))
		next_item(s, &more);
	if (s->conn == NULL || s->tls_started)
		return;
	/* While a command runs or waits, or the output is full, leave the
	 * bytes in the connection (its input limit then stops reading)
	 * instead of the parser. */
	if (may_read(s))
		conn_input_resume(s->conn);
	else
		conn_input_pause(s->conn);
}

static void on_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	struct imap_session *s = ctx;
	char chunk[FEED_CHUNK];

	(void)conn;
	while (may_read(s) && evbuffer_get_length(input) > 0) {
		int n = evbuffer_remove(input, chunk, sizeof(chunk));

		if (n <= 0)
			break;
		imap_parser_feed(s->parser, chunk, (size_t)n);
		process_input(s);
		/* After STARTTLS the old input buffer is not to be touched. */
		if (s->conn == NULL || s->tls_started) {
			s->tls_started = false;
			return;
		}
	}
}

void session_command_done(struct imap_session *s)
{
	finish_command(s);
	/* A BYE went out while the command waited (shutdown, timeout): the
	 * session is ending and reads nothing more. */
	if (s->mode == IMAP_MODE_CLOSING)
		return;
	s->mode = IMAP_MODE_READING;
	if (s->conn != NULL)
		process_input(s);
}

static void on_drained(struct conn *conn, void *ctx)
{
	struct imap_session *s = ctx;

	(void)conn;
	/* A NOTIFY FETCH of new messages holds the output until it is done. */
	if (s->notify != NULL) {
		notify_resume(s);
		if (notify_busy(s))
			return;
	}
	if (s->mode == IMAP_MODE_RUNNING && s->run.resume != NULL)
		run_result(s, s->run.resume(s, s->run.cmd));
	/* Also when reading stopped only because the output was full. */
	if (s->conn != NULL && can_read(s))
		process_input(s);
}

static void on_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
		      void *ctx)
{
	struct imap_session *s = ctx;

	(void)conn;
	log_debug("imap %s%s%s: closed (%s%s%s)", s->peer, s->user ? " user " : "",
		  s->user ? s->user : "", conn_close_reason_text(reason), detail ? ": " : "",
		  detail ? detail : "");
	session_free(s);
}

static void on_idle_timeout(struct conn *conn, void *ctx)
{
	struct imap_session *s = ctx;

	(void)conn;
	session_untagged(s, "BYE Autologout; idle for too long");
	session_close(s);
}

static void on_starttls_reset(struct conn *conn, void *ctx)
{
	struct imap_session *s = ctx;

	(void)conn;
	/* Nothing sent before the handshake may run after it (CVE-2011-0411). */
	imap_parser_reset(s->parser);
}

static void on_tls_ready(struct conn *conn, void *ctx)
{
	struct imap_session *s = ctx;

	s->secure = true;
	log_debug("imap %s: TLS %s %s", s->peer, conn_tls_version(conn), conn_tls_cipher(conn));
}

static void on_shutdown(struct conn *conn, void *ctx)
{
	struct imap_session *s = ctx;

	(void)conn;
	session_untagged(s, "BYE Server shutting down");
	s->mode = IMAP_MODE_CLOSING;
}

static void on_eof(struct conn *conn, void *ctx)
{
	struct imap_session *s = ctx;

	(void)conn;
	session_close(s);
}

static const struct conn_callbacks session_callbacks = {
	.input = on_input,
	.closed = on_closed,
	.output_drained = on_drained,
	.input_eof = on_eof,
	.idle_timeout = on_idle_timeout,
	.starttls_reset = on_starttls_reset,
	.tls_ready = on_tls_ready,
	.shutdown = on_shutdown,
};

void session_close(struct imap_session *s)
{
	if (s->conn == NULL || s->mode == IMAP_MODE_CLOSING)
		return;
	s->mode = IMAP_MODE_CLOSING;
	conn_close_after_flush(s->conn);
}

int session_start_tls(struct imap_session *s, const char **error_r)
{
	size_t discarded = 0;
	int ret = conn_start_tls(s->conn, s->w->tls, NULL, &discarded, error_r);

	if (ret == 0) {
		s->tls_started = true;
		s->tls = true;
		if (discarded > 0)
			log_info("imap %s: dropped %zu bytes sent before the TLS handshake",
				 s->peer, discarded);
	}
	return ret;
}

/* ---- change notification ---- */

static void on_wake(evutil_socket_t fd, short what, void *ctx)
{
	struct imap_session *s = ctx;

	(void)fd;
	(void)what;
	if (s->notify != NULL)
		notify_wake(s); /* also in IDLE: RFC 5465 section 4 */
	else if (s->mode == IMAP_MODE_IDLE)
		cmd_idle_changed(s);
}

static void on_store_changed(void *ctx)
{
	struct imap_session *s = ctx;

	/* Never work inside the fan-out: defer to the loop. */
	event_active(s->wake, 0, 0);
}

void session_update_parser_limits(struct imap_session *s)
{
	struct imap_parser_limits limits;

	imap_parser_limits_init(&limits, IMAP_LIMITS_SERVER_AUTH);
	limits.max_literal = s->w->cfg->append_limit;
	limits.max_literal_total = s->w->cfg->append_limit;
	limits.max_line = s->w->cfg->max_line;
	/* RFC 9755 section 3, RFC 9051 4.3: 8-bit quoted strings must be UTF-8. */
	limits.utf8 = (s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) != 0;
	if (s->append_sink != NULL)
		append_sink_attach(s->append_sink, s->parser, &limits);
	imap_parser_set_limits(s->parser, &limits);
}

int session_login(struct imap_session *s, const char *user)
{
	const char *error;

	if (s->w->guard != NULL && auth_guard_user_open(s->w->guard, user) < 0) {
		session_tagged(s, IMAP_COND_NO, "LIMIT", "Too many sessions for this user");
		return -1;
	}
	s->user_counted = s->w->guard != NULL;
	s->user = xstrdup(user);
	s->ustore = user_store_acquire(s->w, user, &error);
	if (s->ustore == NULL) {
		log_error("imap %s user %s: cannot open the mail store: %s", s->peer, user, error);
		session_tagged(s, IMAP_COND_NO, "UNAVAILABLE", "Mail store unavailable, try later");
		return -1;
	}
	s->listener.changed = on_store_changed;
	s->listener.ctx = s;
	user_store_listen(s->ustore, &s->listener);
	s->state = IMAP_STATE_AUTH;
	/* Not needed again: an idle session holds no event it cannot use. */
	if (s->login_deadline != NULL)
		event_free(s->login_deadline);
	s->login_deadline = NULL;
	s->append_sink =
		append_sink_new(store_dir(user_store_store(s->ustore)), s->w->cfg->append_limit);
	session_update_parser_limits(s);
	conn_set_idle_timeout(s->conn, (unsigned)s->w->cfg->autologout * 1000);
	log_info("imap %s: logged in as %s", s->peer, user);
	return 0;
}

static void on_login_deadline(evutil_socket_t fd, short what, void *ctx)
{
	struct imap_session *s = ctx;

	(void)fd;
	(void)what;
	if (s->state != IMAP_STATE_NOT_AUTH)
		return;
	session_untagged(s, "BYE Login took too long");
	session_close(s);
}

/* preauth_timeout limits silence before login; this limits the whole time
 * before login, so a client that keeps talking (NOOP every 50 s) cannot
 * hold an unauthenticated connection forever. Three times the timeout
 * leaves room for a few failed attempts and their growing delays. */
static void start_login_deadline(struct imap_session *s)
{
	struct timeval tv = {(time_t)(3 * s->w->cfg->preauth_timeout), 0};

	s->login_deadline = evtimer_new(s->w->base, on_login_deadline, s);
	evtimer_add(s->login_deadline, &tv);
}

/* ---- life cycle ---- */

static struct imap_session *session_alloc(struct worker *w)
{
	struct imap_session *s = xcalloc(1, sizeof(*s));

	s->w = w;
	s->state = IMAP_STATE_NOT_AUTH;
	s->mode = IMAP_MODE_READING;
	s->parser = imap_parser_new(IMAP_PARSER_SERVER, NULL);
	s->wake = event_new(w->base, -1, 0, on_wake, s);
	return s;
}

static void greet(struct imap_session *s)
{
	buf_reset(&s->out);
	buf_append_str(&s->out, "* OK [CAPABILITY ");
	session_capabilities(s, &s->out);
	buf_append_str(&s->out, "] hafen ready");
	session_send_line(s);
}

struct imap_session *imap_session_new(struct worker *w, int fd, const struct sockaddr *peer,
				      socklen_t peer_len, bool implicit_tls)
{
	struct imap_session *s = session_alloc(w);
	struct conn_settings set = {.set = w->conns,
				    .tls = implicit_tls ? w->tls : NULL,
				    .peer = peer,
				    .peer_len = peer_len};
	const char *error;

	s->conn = conn_new(w->base, fd, &set, &session_callbacks, s, &error);
	if (s->conn == NULL) {
		log_warn("imap: cannot set up a connection: %s", error);
		session_free(s);
		return NULL;
	}
	snprintf(s->peer, sizeof(s->peer), "%s", conn_peer_text(s->conn));
	/* Implicit TLS is secure from the first byte the session reads (no
	 * input before the handshake), and the greeting must say so. */
	s->tls = implicit_tls;
	s->secure = implicit_tls || conn_is_secure(s->conn);
	if (!implicit_tls && conn_is_loopback(s->conn) && !w->cfg->loopback_is_secure)
		s->secure = false;
	if (w->guard != NULL && auth_guard_addr_from_sockaddr(peer, peer_len, s->addr_key) == 0) {
		if (auth_guard_conn_open(w->guard, s->addr_key) < 0) {
			session_untagged(s, "BYE Too many connections from your address");
			session_close(s);
			return s;
		}
		s->addr_counted = true;
	}
	conn_set_idle_timeout(s->conn, (unsigned)w->cfg->preauth_timeout * 1000);
	start_login_deadline(s);
	greet(s);
	return s;
}

struct imap_session *imap_session_new_stdio(struct worker *w, int in_fd, int out_fd,
					    const char *preauth_user)
{
	struct imap_session *s = session_alloc(w);
	const char *error;

	s->conn = conn_new_stdio(w->base, in_fd, out_fd, w->conns, &session_callbacks, s, &error);
	if (s->conn == NULL) {
		log_error("imap: cannot use standard input and output: %s", error);
		session_free(s);
		return NULL;
	}
	snprintf(s->peer, sizeof(s->peer), "stdio");
	s->secure = true;
	/* A pre-authenticated session (RFC 9051 7.1.4) for tunnels. */
	if (session_login(s, preauth_user) < 0) {
		session_free(s);
		return NULL;
	}
	buf_reset(&s->out);
	buf_append_str(&s->out, "* PREAUTH [CAPABILITY ");
	session_capabilities(s, &s->out);
	buf_printf(&s->out, "] Logged in as %s", preauth_user);
	session_send_line(s);
	return s;
}

static void session_free(struct imap_session *s)
{
	if (s->w->single_session)
		event_base_loopexit(s->w->base, NULL);
	notify_free(&s->notify);
	if (s->run.cmd != NULL || s->run.state != NULL)
		finish_command(s);
	sasl_server_free(&s->sasl);
	imap_selected_free(&s->sel);
	if (s->ustore != NULL) {
		user_store_unlisten(s->ustore, &s->listener);
		user_store_release(&s->ustore);
	}
	if (s->user_counted)
		auth_guard_user_close(s->w->guard, s->user);
	if (s->addr_counted)
		auth_guard_conn_close(s->w->guard, s->addr_key);
	if (s->wake != NULL)
		event_free(s->wake);
	if (s->login_deadline != NULL)
		event_free(s->login_deadline);
	if (s->timer != NULL)
		event_free(s->timer);
	imap_parser_free(&s->parser);
	append_sink_free(&s->append_sink); /* after the parser: it holds handles */
	conn_free(&s->conn);
	rangeset_free(&s->search_saved);
	buf_free(&s->out);
	free(s->idle_tag);
	free(s->user);
	free(s);
}
