/* imapc-conn.c — the client connection's socket: connecting with a
 * deadline, the conn callbacks (input into the response parser, close,
 * STARTTLS reset, timeouts), running the loop, and freeing. */
#include "imapc-private.h"

#include "lib/log.h"
#include "lib/mem.h"
#include "net/conn.h"
#include "net/tls.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IMAPC_DEFAULT_TIMEOUT_MS 60000

const char *imapc_set_error(struct imapc *c, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&c->error);
	va_start(ap, fmt);
	buf_vprintf(&c->error, fmt, ap);
	va_end(ap);
	return buf_cstr(&c->error);
}

void imapc_enter_state(struct imapc *c, enum imapc_state state)
{
	if (c->state == IMAPC_STATE_CLOSED)
		return; /* final */
	c->state = state;
}

static void trace_bytes(const char *who, const void *data, size_t len)
{
	const char *p = data, *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		fprintf(stderr, "%s %.*s\n", who, (int)(n > 500 ? 500 : n), p);
		p = nl ? nl + 1 : end;
	}
}

void imapc_write(struct imapc *c, const void *data, size_t len, bool secret)
{
	if (c->conn == NULL || len == 0)
		return;
	if (c->trace)
		trace_bytes("C:", secret ? "<hidden>" : data, secret ? 8 : len);
	conn_write(c->conn, data, len);
}

void imapc_fail(struct imapc *c, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->state != IMAPC_STATE_CLOSED)
		snprintf(c->close_detail, sizeof(c->close_detail), "%s", why);
	imapc_enter_state(c, IMAPC_STATE_CLOSED);
	conn_free(&c->conn);
	c->idling = false;
	imapc_fail_all(c, c->close_detail);
}

/* ---- conn callbacks ---- */

static void parse_error(struct imapc *c, const struct imap_parse_error *err)
{
	struct imapc_cmd *cmd = NULL;

	if (err->tag != NULL)
		for (cmd = c->cmds; cmd != NULL && strcmp(cmd->tag, err->tag) != 0; cmd = cmd->next)
			;
	if (cmd == NULL) {
		/* An untagged response we cannot read costs us only that
		 * response; the next one is read normally. */
		log_warn("%s: ignoring an unreadable response: %s", c->host, err->message);
		return;
	}
	/* Its tagged reply is lost: nothing can tell whether the command
	 * worked, so the connection cannot be trusted further. */
	imapc_fail(c, "%s: unreadable reply to a command: %s", c->host, err->message);
}

static void on_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	struct imapc *c = ctx;
	unsigned char chunk[16384];
	struct imap_response *resp;
	struct imap_parse_error err;
	int n;

	while ((n = evbuffer_remove(input, chunk, sizeof(chunk))) > 0) {
		if (c->trace)
			trace_bytes("S:", chunk, (size_t)n);
		imap_parser_feed(c->parser, chunk, (size_t)n);
	}
	/* After STARTTLS's OK nothing more is read as plaintext (RFC 9051
	 * 6.2.1); c->conn may go away inside dispatch. */
	while (c->conn != NULL && !c->starttls_pending) {
		enum imap_parse_result r = imap_parser_next_response(c->parser, &resp, &err);

		if (r == IMAP_PARSE_MORE)
			break;
		if (r == IMAP_PARSE_ERROR) {
			parse_error(c, &err);
			continue;
		}
		imapc_dispatch(c, resp);
	}
}

static void on_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
		      void *ctx)
{
	struct imapc *c = ctx;

	c->conn = NULL;
	c->close_reason = (int)reason;
	conn_free(&conn);
	imapc_fail(c, "%s: connection %s%s%s", c->host,
		   c->state == IMAPC_STATE_CLOSED ? "closed" : conn_close_reason_text(reason),
		   detail && detail[0] ? ": " : "", detail ? detail : "");
}

static void on_idle_timeout(struct conn *conn, void *ctx)
{
	struct imapc *c = ctx;

	if (c->idling) {
		/* RFC 2177 section 3: re-issue IDLE at least every 29 minutes;
		 * imapc-idle.c's caller restarts it. */
		imapc_write(c, "DONE\r\n", 6, false);
		return;
	}
	if (imapc_pending(c))
		imapc_fail(c, "%s: no answer from the server in %u seconds", c->host,
			   c->timeout_ms / 1000);
}

static void on_starttls_reset(struct conn *conn, void *ctx)
{
	struct imapc *c = ctx;

	/* Whatever the server sent after its OK is dropped unread
	 * (CVE-2011-0411 applies to clients too: a man in the middle could
	 * inject responses before the handshake). */
	imap_parser_reset(c->parser);
}

static void on_tls_ready(struct conn *conn, void *ctx)
{
	struct imapc *c = ctx;

	c->secure = true;
	c->starttls_pending = false;
}

static const struct conn_callbacks imapc_conn_callbacks = {
	.input = on_input,
	.closed = on_closed,
	.idle_timeout = on_idle_timeout,
	.starttls_reset = on_starttls_reset,
	.tls_ready = on_tls_ready,
};

/* ---- connecting ---- */

static int connect_addr(const struct addrinfo *ai, unsigned timeout_ms, int *err_r)
{
	struct pollfd pfd;
	socklen_t len = sizeof(*err_r);
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);

	if (fd < 0) {
		*err_r = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*err_r = errno;
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, (int)timeout_ms) <= 0) {
		*err_r = ETIMEDOUT;
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err_r, &len) < 0 || *err_r != 0) {
		if (*err_r == 0)
			*err_r = errno;
		close(fd);
		return -1;
	}
	return fd;
}

static bool addr_is_loopback(const struct addrinfo *ai)
{
	if (ai->ai_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ai->ai_addr;

		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ai->ai_addr;

		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return false;
}

/* Try each address the name resolves to. Plaintext (tls none) is only
 * allowed to loopback addresses. *errno_r says why it failed: a name that
 * does not resolve counts as EHOSTUNREACH (offline, as far as we can tell). */
static int open_socket(struct imapc *c, const struct imapc_settings *set, bool *loopback_r,
		       int *errno_r, const char **error_r)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
	char port[8];
	int fd = -1, err = 0, rc;

	snprintf(port, sizeof(port), "%u", (unsigned)set->port);
	rc = getaddrinfo(set->host, port, &hints, &res);
	if (rc != 0) {
		*errno_r = EHOSTUNREACH;
		*error_r = imapc_set_error(c, "%s: %s", set->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		if (set->tls == IMAPC_TLS_NONE && !addr_is_loopback(ai)) {
			err = EPERM;
			continue;
		}
		fd = connect_addr(ai, c->timeout_ms, &err);
		if (fd >= 0)
			*loopback_r = addr_is_loopback(ai);
	}
	freeaddrinfo(res);
	*errno_r = err;
	if (fd < 0)
		*error_r = err == EPERM ? imapc_set_error(c,
							  "%s: refusing a connection without TLS"
							  " to a host that is not loopback",
							  set->host)
					: imapc_set_error(c, "%s port %u: %s", set->host,
							  (unsigned)set->port, strerror(err));
	return fd;
}

static int make_tls(struct imapc *c, const struct imapc_settings *set, const char **error_r)
{
	struct tls_client_settings ts = {.ca_file = set->ca_file, .insecure = set->insecure};
	const char *err;

	if (set->tls == IMAPC_TLS_NONE)
		return 0;
	c->tls = tls_client_ctx_new(&ts, &err);
	if (c->tls == NULL) {
		*error_r = imapc_set_error(c, "%s", err);
		return -1;
	}
	return 0;
}

static struct imapc *imapc_alloc(const struct imapc_settings *set)
{
	struct imapc *c = xcalloc(1, sizeof(*c));

	c->host = xstrdup(set->host);
	c->ignore_caps = set->ignore_caps ? xstrdup(set->ignore_caps) : NULL;
	c->timeout_ms = set->timeout_ms ? set->timeout_ms : IMAPC_DEFAULT_TIMEOUT_MS;
	c->trace = set->trace;
	c->insecure = set->insecure;
	c->base = event_base_new();
	if (c->base == NULL)
		hf_panic("event_base_new failed");
	c->parser = imap_parser_new(IMAP_PARSER_CLIENT, NULL);
	c->state = IMAPC_STATE_CONNECTING;
	c->close_reason = -1;
	return c;
}

/* An unreachable server (the caller works offline) as opposed to one
 * that refused us (the caller reports an error). */
static bool is_offline_errno(int e)
{
	return e == ECONNREFUSED || e == ETIMEDOUT || e == ENETUNREACH || e == EHOSTUNREACH ||
	       e == ENETDOWN || e == EHOSTDOWN || e == ECONNRESET;
}

int imapc_connect(const struct imapc_settings *set, struct imapc **c_r, bool *offline_r,
		  const char **error_r)
{
	static __thread char errbuf[512];
	struct conn_settings cs = {0};
	struct imapc *c = imapc_alloc(set);
	bool loopback = false, offline = false;
	const char *err = NULL;
	int fd, sock_errno = 0;

	fd = open_socket(c, set, &loopback, &sock_errno, &err);
	if (fd < 0)
		offline = is_offline_errno(sock_errno);
	if (fd >= 0 && make_tls(c, set, &err) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		cs.tls = set->tls == IMAPC_TLS_IMPLICIT ? c->tls : NULL;
		cs.tls_peer_name = set->insecure ? NULL : set->host;
		c->conn = conn_new(c->base, fd, &cs, &imapc_conn_callbacks, c, &err);
		if (c->conn == NULL)
			fd = -1;
	}
	if (fd >= 0) {
		c->secure = loopback;
		conn_set_idle_timeout(c->conn, c->timeout_ms);
		if (imapc_login(c, set, &offline, &err) == 0) {
			*c_r = c;
			if (offline_r != NULL)
				*offline_r = false;
			return 0;
		}
	}
	snprintf(errbuf, sizeof(errbuf), "%s", err ? err : "cannot connect");
	*error_r = errbuf;
	if (offline_r != NULL)
		*offline_r = offline;
	c->state = IMAPC_STATE_CLOSED;
	imapc_free(&c);
	return -1;
}

void imapc_poll(struct imapc *c, unsigned timeout_ms)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};

	if (c->conn == NULL)
		return;
	if (timeout_ms > 0)
		event_base_loopexit(c->base, &tv);
	event_base_loop(c->base, EVLOOP_ONCE);
}

int imapc_wait(struct imapc *c, const char **error_r)
{
	while (c->conn != NULL && imapc_pending(c))
		event_base_loop(c->base, EVLOOP_ONCE);
	if (c->conn == NULL && c->state == IMAPC_STATE_CLOSED) {
		*error_r = imapc_set_error(c, "%s", c->close_detail);
		return -1;
	}
	return 0;
}

static void logout_done(void *ctx, const struct imapc_result *result)
{
}

void imapc_free(struct imapc **cp)
{
	struct imapc *c = *cp;
	const char *err;

	if (c == NULL)
		return;
	if (c->conn != NULL && c->state == IMAPC_STATE_AUTH && !c->idling) {
		struct imap_command cmd = {.kind = IMAP_CMD_LOGOUT};

		c->timeout_ms = 5000;
		conn_set_idle_timeout(c->conn, c->timeout_ms);
		imapc_send(c, &cmd, NULL, logout_done, NULL);
		(void)imapc_wait(c, &err);
	}
	c->state = IMAPC_STATE_CLOSED;
	conn_free(&c->conn);
	imapc_fail_all(c, "connection closed");
	imap_parser_free(&c->parser);
	imap_response_free(&c->last_tagged);
	tls_ctx_free(&c->tls);
	event_base_free(c->base);
	buf_free(&c->caps);
	buf_free(&c->error);
	free(c->host);
	free(c->ignore_caps);
	free(c);
	*cp = NULL;
}

bool imapc_is_connected(const struct imapc *c)
{
	return c != NULL && c->conn != NULL && c->state != IMAPC_STATE_CLOSED;
}

const struct imapc_mailbox_state *imapc_mailbox(const struct imapc *c)
{
	return &c->mbox;
}

void imapc_set_handler(struct imapc *c, imapc_untagged_cb *cb, void *ctx)
{
	c->handler = cb;
	c->handler_ctx = ctx;
}

const struct imap_response *imapc_last_tagged(const struct imapc *c)
{
	return c->last_tagged;
}
