/* conn.c — the connection: bufferevent glue, input and output, timeouts,
 * closing (see conn.h for the contract, conn-private.h for the states). */
#include "conn-private.h"

#include "tls-private.h"

#include "lib/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>

uint64_t conn_now_msecs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *conn_close_reason_text(enum conn_close_reason reason)
{
	switch (reason) {
	case CONN_CLOSE_EOF:
		return "eof";
	case CONN_CLOSE_ERROR:
		return "error";
	case CONN_CLOSE_TLS_ERROR:
		return "tls error";
	case CONN_CLOSE_TIMEOUT:
		return "timeout";
	case CONN_CLOSE_DONE:
		return "done";
	case CONN_CLOSE_SHUTDOWN:
		return "shutdown";
	}
	return "unknown";
}

/* Release bufferevents and descriptors. The plain socket bufferevent never
 * owns the fd (STARTTLS must keep it); an OpenSSL one closes it itself. */
static void conn_release_io(struct conn *conn)
{
	if (conn->obev != NULL && conn->obev != conn->bev)
		bufferevent_free(conn->obev);
	if (conn->bev != NULL)
		bufferevent_free(conn->bev);
	conn->bev = conn->obev = NULL;
	if (conn->fd >= 0)
		close(conn->fd);
	if (conn->out_fd >= 0)
		close(conn->out_fd);
	conn->fd = conn->out_fd = -1;
	if (conn->tls_pending != NULL)
		evbuffer_free(conn->tls_pending);
	conn->tls_pending = NULL;
	SSL_free(conn->pending_ssl);
	conn->pending_ssl = NULL;
	if (conn->timer != NULL)
		evtimer_del(conn->timer);
	conn_compress_free(conn);
}

static void conn_destroy(struct conn *conn)
{
	if (conn->timer != NULL)
		event_free(conn->timer);
	free(conn);
}

void conn_hold(struct conn *conn)
{
	conn->busy++;
}

void conn_release(struct conn *conn)
{
	if (--conn->busy == 0 && conn->freed)
		conn_destroy(conn);
}

void conn_free(struct conn **connp)
{
	struct conn *conn = *connp;

	if (conn == NULL)
		return;
	*connp = NULL;
	conn_release_io(conn);
	conn->state = CONN_STATE_CLOSED;
	conn_set_remove(conn);
	if (conn->busy > 0)
		conn->freed = true;
	else
		conn_destroy(conn);
}

void conn_finish(struct conn *conn, enum conn_close_reason reason, const char *detail)
{
	if (conn->state == CONN_STATE_CLOSED)
		return;
	conn_release_io(conn);
	conn->state = CONN_STATE_CLOSED;
	/* A closed conn has nothing left to drain. */
	conn_set_remove(conn);
	if (!conn->freed)
		conn->cb->closed(conn, reason, detail, conn->ctx);
}

void conn_finish_later(struct conn *conn, enum conn_close_reason reason, const char *detail)
{
	if (conn->finish_pending || conn->state == CONN_STATE_CLOSED)
		return;
	conn->finish_pending = true;
	conn->pending_reason = reason;
	conn->pending_detail = detail;
	event_active(conn->timer, EV_TIMEOUT, 1);
}

static uint64_t conn_current_deadline(const struct conn *conn)
{
	if (conn->state == CONN_STATE_OPEN && (!conn->tls || conn->tls_done)) {
		if (conn->idle_msecs == 0)
			return 0;
		return conn->last_activity + conn->idle_msecs;
	}
	return conn->deadline;
}

void conn_timer_arm(struct conn *conn)
{
	uint64_t deadline, now;
	struct timeval tv;

	if (conn->state == CONN_STATE_CLOSED || conn->finish_pending)
		return;
	deadline = conn_current_deadline(conn);
	if (deadline == 0) {
		evtimer_del(conn->timer);
		return;
	}
	now = conn_now_msecs();
	deadline = deadline > now ? deadline - now : 0;
	tv.tv_sec = (time_t)(deadline / 1000);
	tv.tv_usec = (suseconds_t)(deadline % 1000) * 1000;
	evtimer_add(conn->timer, &tv);
}

static void conn_deadline_passed(struct conn *conn)
{
	switch (conn->state) {
	case CONN_STATE_OPEN:
		if (conn->tls && !conn->tls_done) {
			conn_finish(conn, CONN_CLOSE_TIMEOUT, "tls handshake timed out");
		} else if (conn->cb->idle_timeout != NULL) {
			/* Restart the clock so the handler is not called again at once. */
			conn->last_activity = conn_now_msecs();
			conn->cb->idle_timeout(conn, conn->ctx);
		} else {
			conn_finish(conn, CONN_CLOSE_TIMEOUT, "idle timeout");
		}
		break;
	case CONN_STATE_STARTTLS_FLUSH:
		conn_finish(conn, CONN_CLOSE_TIMEOUT, "starttls: peer did not read the reply");
		break;
	case CONN_STATE_CLOSING:
		conn_finish(conn, CONN_CLOSE_TIMEOUT, "peer did not read the last output in time");
		break;
	case CONN_STATE_LINGER:
		conn_finish(conn, CONN_CLOSE_DONE, "closed after flushing");
		break;
	case CONN_STATE_CLOSED:
		break;
	}
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *conn = arg;
	uint64_t deadline;

	conn_hold(conn);
	if (conn->finish_pending) {
		conn->finish_pending = false;
		conn_finish(conn, conn->pending_reason, conn->pending_detail);
	} else if (conn->state != CONN_STATE_CLOSED) {
		deadline = conn_current_deadline(conn);
		if (deadline != 0 && conn_now_msecs() >= deadline)
			conn_deadline_passed(conn);
	}
	if (!conn->freed)
		conn_timer_arm(conn);
	conn_release(conn);
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *conn = arg;
	struct evbuffer *input = bufferevent_get_input(bev);

	conn_hold(conn);
	conn->last_activity = conn_now_msecs();
	if (conn->state == CONN_STATE_OPEN && conn->z != NULL) {
		if (!conn->input_paused)
			conn_compress_read(conn, input);
	} else if (conn->state == CONN_STATE_OPEN) {
		if (!conn->input_paused && evbuffer_get_length(input) > 0)
			conn->cb->input(conn, input, conn->ctx);
		/* A full buffer the session did not touch can never make
		 * progress (and libevent would re-run this callback in a
		 * loop): the session broke its side of conn.h's contract. */
		if (!conn->freed && conn->state == CONN_STATE_OPEN && !conn->input_paused &&
		    conn->input_limit != 0 && conn->bev == bev &&
		    evbuffer_get_length(input) >= conn->input_limit)
			conn_finish(conn, CONN_CLOSE_ERROR,
				    "input limit reached with nothing consumed");
	} else {
		/* Closing down (or a STARTTLS switch): nothing more is processed. */
		evbuffer_drain(input, evbuffer_get_length(input));
	}
	conn_release(conn);
}

/* Close politely: the peer has everything; tell it we are done writing. */
static void conn_linger_start(struct conn *conn)
{
	int fd;

	if (conn->is_stdio) {
		conn_finish_later(conn, CONN_CLOSE_DONE, "closed after flushing");
		return;
	}
	if (conn->tls) {
		/* close_notify (RFC 8446 section 6.1); a failure here only
		 * means the peer sees a plain TCP close. */
		SSL *ssl = bufferevent_openssl_get_ssl(conn->bev);

		if (conn->tls_done && SSL_shutdown(ssl) < 0)
			ERR_clear_error();
	}
	fd = bufferevent_getfd(conn->bev);
	if (fd >= 0)
		(void)shutdown(fd, SHUT_WR);
	conn->state = CONN_STATE_LINGER;
	conn->deadline = conn_now_msecs() + CONN_LINGER_MSECS;
	if (!conn->input_eof)
		bufferevent_enable(conn->bev, EV_READ);
	else
		conn_finish_later(conn, CONN_CLOSE_DONE, "closed after flushing");
	conn_timer_arm(conn);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *conn = arg;
	/* What still waits: on the wire, and plain output not yet compressed
	 * (the output queued for after STARTTLS does not count here). */
	size_t pending =
		evbuffer_get_length(bufferevent_get_output(bev)) + conn_compress_out_pending(conn);

	conn_hold(conn);
	switch (conn->state) {
	case CONN_STATE_OPEN:
		if (conn->drain_armed && pending <= conn->out_low) {
			conn->drain_armed = false;
			if (conn->cb->output_drained != NULL)
				conn->cb->output_drained(conn, conn->ctx);
		}
		break;
	case CONN_STATE_STARTTLS_FLUSH:
		if (pending == 0)
			conn_tls_switch(conn);
		break;
	case CONN_STATE_CLOSING:
		if (pending == 0)
			conn_linger_start(conn);
		break;
	case CONN_STATE_LINGER:
	case CONN_STATE_CLOSED:
		break;
	}
	conn_release(conn);
}

static void conn_on_eof(struct conn *conn)
{
	switch (conn->state) {
	case CONN_STATE_OPEN:
		if (conn->tls && !conn->tls_done) {
			conn_finish(conn, CONN_CLOSE_TLS_ERROR,
				    "tls handshake failed: connection closed by peer");
		} else if (conn->cb->input_eof != NULL && !conn->input_eof) {
			conn->input_eof = true;
			bufferevent_disable(conn->bev, EV_READ);
			conn->cb->input_eof(conn, conn->ctx);
		} else {
			conn_finish(conn, CONN_CLOSE_EOF, "connection closed by peer");
		}
		break;
	case CONN_STATE_CLOSING:
		/* A plain socket half-closed by the peer may still take our
		 * output; OpenSSL's bufferevent stops writing after EOF. */
		conn->input_eof = true;
		if (!conn->tls && conn_output_pending(conn) > 0)
			bufferevent_disable(conn->bev, EV_READ);
		else
			conn_finish(conn,
				    conn_output_pending(conn) == 0 ? CONN_CLOSE_DONE
								   : CONN_CLOSE_EOF,
				    "connection closed by peer");
		break;
	case CONN_STATE_LINGER:
		conn_finish(conn, CONN_CLOSE_DONE, "closed after flushing");
		break;
	case CONN_STATE_STARTTLS_FLUSH:
		conn_finish(conn, CONN_CLOSE_EOF, "connection closed by peer during starttls");
		break;
	case CONN_STATE_CLOSED:
		break;
	}
}

static void conn_on_error(struct conn *conn, int err)
{
	static char detail[256];

	if (conn->state == CONN_STATE_LINGER) {
		/* A reset while draining the peer's last bytes changes nothing. */
		conn_finish(conn, CONN_CLOSE_DONE, "closed after flushing");
		return;
	}
	if (conn->tls) {
		const char *text = conn_tls_error_text(conn);

		if (text != NULL) {
			snprintf(detail, sizeof(detail), "%s%s",
				 conn->tls_done ? "tls: " : "tls handshake failed: ", text);
			conn_finish(conn, CONN_CLOSE_TLS_ERROR, detail);
			return;
		}
	}
	snprintf(detail, sizeof(detail), "%s", err != 0 ? strerror(err) : "connection error");
	conn_finish(conn, CONN_CLOSE_ERROR, detail);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *conn = arg;
	int err = errno;

	conn_hold(conn);
	if (what & BEV_EVENT_CONNECTED)
		conn_tls_connected(conn);
	else if (what & BEV_EVENT_EOF)
		conn_on_eof(conn);
	else if (what & BEV_EVENT_ERROR)
		conn_on_error(conn, err);
	if (!conn->freed)
		conn_timer_arm(conn);
	conn_release(conn);
}

/* Every byte that leaves the output buffer is progress for the idle timer. */
static void conn_output_progress_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
				    void *arg)
{
	struct conn *conn = arg;

	if (info->n_deleted > 0)
		conn->last_activity = conn_now_msecs();
}

int conn_bev_setup(struct conn *conn, struct bufferevent *bev, struct bufferevent *obev)
{
	int ret = 0;

	conn->bev = bev;
	conn->obev = obev;
	if (obev == bev) {
		bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, conn);
	} else {
		bufferevent_setcb(bev, conn_read_cb, NULL, conn_event_cb, conn);
		bufferevent_setcb(obev, NULL, conn_write_cb, conn_event_cb, conn);
	}
	bufferevent_setwatermark(bev, EV_READ, 0, conn->input_limit);
	bufferevent_setwatermark(obev, EV_WRITE, conn->state == CONN_STATE_OPEN ? conn->out_low : 0,
				 0);
	evbuffer_add_cb(bufferevent_get_output(obev), conn_output_progress_cb, conn);
	/* A handshake needs to read even while the session pauses input. */
	if ((!conn->input_paused && !conn->input_eof) || (conn->tls && !conn->tls_done))
		ret = bufferevent_enable(bev, EV_READ);
	if (bufferevent_enable(obev, EV_WRITE) < 0)
		ret = -1;
	return ret;
}

static void conn_set_peer(struct conn *conn, const struct sockaddr *sa)
{
	unsigned port;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, conn->peer_ip, sizeof(conn->peer_ip));
		conn->is_loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		port = ntohs(s4->sin_port);
		snprintf(conn->peer_text, sizeof(conn->peer_text), "%s:%u", conn->peer_ip, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		const struct in6_addr *a = &s6->sin6_addr;

		inet_ntop(AF_INET6, a, conn->peer_ip, sizeof(conn->peer_ip));
		conn->is_loopback = IN6_IS_ADDR_LOOPBACK(a) ||
				    (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
		port = ntohs(s6->sin6_port);
		snprintf(conn->peer_text, sizeof(conn->peer_text), "[%s]:%u", conn->peer_ip, port);
	} else if (sa->sa_family == AF_UNIX) {
		conn->is_unix = true;
		snprintf(conn->peer_text, sizeof(conn->peer_text), "unix");
	} else {
		snprintf(conn->peer_text, sizeof(conn->peer_text), "unknown");
	}
}

static struct conn *conn_alloc(struct event_base *base, const struct conn_callbacks *cb, void *ctx)
{
	struct conn *conn = xcalloc(1, sizeof(*conn));

	conn->base = base;
	conn->cb = cb;
	conn->ctx = ctx;
	conn->fd = conn->out_fd = -1;
	conn->idle_msecs = CONN_DEFAULT_IDLE_MSECS;
	conn->flush_msecs = CONN_DEFAULT_FLUSH_MSECS;
	conn->out_low = CONN_DEFAULT_OUTPUT_LOW;
	conn->out_high = CONN_DEFAULT_OUTPUT_HIGH;
	conn->input_limit = CONN_DEFAULT_INPUT_LIMIT;
	conn->last_activity = conn_now_msecs();
	conn->timer = evtimer_new(base, conn_timer_cb, conn);
	if (conn->timer == NULL)
		hf_panic("conn: out of memory creating a timer");
	return conn;
}

static int conn_fail_new(struct conn *conn, const char *what, const char **error_r)
{
	static char error[256];

	snprintf(error, sizeof(error), "cannot set up connection: %s", what);
	*error_r = error;
	conn_release_io(conn);
	conn_destroy(conn);
	return -1;
}

struct conn *conn_new(struct event_base *base, int fd, const struct conn_settings *set,
		      const struct conn_callbacks *cb, void *ctx, const char **error_r)
{
	static const struct conn_settings no_settings;
	struct conn *conn = conn_alloc(base, cb, ctx);
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(ss);
	struct bufferevent *bev;

	if (set == NULL)
		set = &no_settings;
	conn->fd = fd;
	if (evutil_make_socket_nonblocking(fd) < 0) {
		conn_fail_new(conn, strerror(errno), error_r);
		return NULL;
	}
	if (set->peer != NULL)
		conn_set_peer(conn, set->peer);
	else if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		conn_set_peer(conn, (struct sockaddr *)&ss);
	else
		snprintf(conn->peer_text, sizeof(conn->peer_text), "unknown");
	if (set->tls != NULL) {
		SSL *ssl = tls_ssl_new(set->tls, set->tls_peer_name, error_r);

		if (ssl == NULL ||
		    conn_tls_attach(conn, ssl, tls_ctx_is_server(set->tls), error_r) < 0) {
			conn_fail_new(conn, *error_r, error_r);
			return NULL;
		}
	} else {
		bev = bufferevent_socket_new(base, fd, 0);
		if (bev == NULL) {
			conn_fail_new(conn, "out of memory", error_r);
			return NULL;
		}
		if (conn_bev_setup(conn, bev, bev) < 0) {
			conn_fail_new(conn, "cannot watch the socket", error_r);
			return NULL;
		}
	}
	if (set->set != NULL)
		conn_set_add(set->set, conn);
	conn_timer_arm(conn);
	return conn;
}

/* epoll cannot watch regular files (nor, say, /dev/null). */
static const char stdio_kind_error[] =
	"stdin and stdout must be pipes, sockets or terminals, not regular files";

static bool fd_is_regular(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

struct conn *conn_new_stdio(struct event_base *base, int in_fd, int out_fd, struct conn_set *set,
			    const struct conn_callbacks *cb, void *ctx, const char **error_r)
{
	struct conn *conn = conn_alloc(base, cb, ctx);
	struct bufferevent *in, *out;

	conn->fd = in_fd;
	conn->out_fd = out_fd;
	conn->is_stdio = true;
	snprintf(conn->peer_text, sizeof(conn->peer_text), "stdio");
	if (evutil_make_socket_nonblocking(in_fd) < 0 ||
	    evutil_make_socket_nonblocking(out_fd) < 0) {
		conn_fail_new(conn, strerror(errno), error_r);
		return NULL;
	}
	if (fd_is_regular(in_fd) || fd_is_regular(out_fd)) {
		conn_fail_new(conn, stdio_kind_error, error_r);
		return NULL;
	}
	in = bufferevent_socket_new(base, in_fd, 0);
	out = bufferevent_socket_new(base, out_fd, 0);
	if (in == NULL || out == NULL) {
		if (in != NULL)
			bufferevent_free(in);
		if (out != NULL)
			bufferevent_free(out);
		conn_fail_new(conn, "out of memory", error_r);
		return NULL;
	}
	if (conn_bev_setup(conn, in, out) < 0) {
		conn_fail_new(conn, stdio_kind_error, error_r);
		return NULL;
	}
	if (set != NULL)
		conn_set_add(set, conn);
	conn_timer_arm(conn);
	return conn;
}

struct evbuffer *conn_output(struct conn *conn)
{
	switch (conn->state) {
	case CONN_STATE_OPEN:
	case CONN_STATE_CLOSING:
		if (conn->z != NULL)
			return conn_compress_output(conn);
		return bufferevent_get_output(conn->obev);
	case CONN_STATE_STARTTLS_FLUSH:
		if (conn->tls_pending == NULL)
			conn->tls_pending = evbuffer_new();
		return conn->tls_pending;
	case CONN_STATE_LINGER:
	case CONN_STATE_CLOSED:
		break;
	}
	return NULL;
}

int conn_write(struct conn *conn, const void *data, size_t len)
{
	struct evbuffer *out = conn_output(conn);

	if (out == NULL)
		return -1;
	return evbuffer_add(out, data, len) == 0 ? 0 : -1;
}

int conn_printf(struct conn *conn, const char *fmt, ...)
{
	struct evbuffer *out = conn_output(conn);
	va_list ap;
	int r;

	if (out == NULL)
		return -1;
	va_start(ap, fmt);
	r = evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	return r < 0 ? -1 : 0;
}

size_t conn_output_pending(const struct conn *conn)
{
	size_t n = 0;

	if (conn->obev != NULL)
		n += evbuffer_get_length(bufferevent_get_output(conn->obev));
	if (conn->tls_pending != NULL)
		n += evbuffer_get_length(conn->tls_pending);
	return n + conn_compress_out_pending(conn);
}

size_t conn_input_pending(const struct conn *conn)
{
	size_t n = conn_compress_in_pending(conn);

	if (conn->bev != NULL && conn->state != CONN_STATE_CLOSED)
		n += evbuffer_get_length(bufferevent_get_input(conn->bev));
	return n;
}

void conn_set_output_watermarks(struct conn *conn, size_t low, size_t high)
{
	conn->out_low = low;
	conn->out_high = high > low ? high : low;
	if (conn->state == CONN_STATE_OPEN && conn->obev != NULL)
		bufferevent_setwatermark(conn->obev, EV_WRITE, low, 0);
}

bool conn_output_full(struct conn *conn)
{
	if (conn_output_pending(conn) <= conn->out_high)
		return false;
	conn->drain_armed = true;
	return true;
}

void conn_input_pause(struct conn *conn)
{
	conn->input_paused = true;
	if (conn->state == CONN_STATE_OPEN && conn->bev != NULL)
		bufferevent_disable(conn->bev, EV_READ);
}

void conn_input_resume(struct conn *conn)
{
	if (!conn->input_paused)
		return;
	conn->input_paused = false;
	if (conn->state != CONN_STATE_OPEN || conn->bev == NULL)
		return;
	if (!conn->input_eof)
		bufferevent_enable(conn->bev, EV_READ);
	/* Bytes that arrived before the pause get delivered from the loop. */
	if (conn_input_pending(conn) > 0)
		bufferevent_trigger(conn->bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

void conn_set_input_limit(struct conn *conn, size_t max_bytes)
{
	conn->input_limit = max_bytes;
	if (conn->bev != NULL)
		bufferevent_setwatermark(conn->bev, EV_READ, 0, max_bytes);
}

void conn_set_idle_timeout(struct conn *conn, unsigned msecs)
{
	conn->idle_msecs = msecs;
	conn->last_activity = conn_now_msecs();
	/* A handshake in progress gets the new timeout as its deadline. */
	if (conn->state == CONN_STATE_OPEN && conn->tls && !conn->tls_done)
		conn->deadline =
			conn->last_activity + (msecs != 0 ? msecs : CONN_DEFAULT_IDLE_MSECS);
	conn_timer_arm(conn);
}

void conn_set_flush_timeout(struct conn *conn, unsigned msecs)
{
	conn->flush_msecs = msecs;
}

void conn_close_after_flush(struct conn *conn)
{
	if (conn->state != CONN_STATE_OPEN && conn->state != CONN_STATE_STARTTLS_FLUSH)
		return;
	if (conn->tls_pending != NULL) {
		/* Mid-STARTTLS: what was meant for TLS can no longer be sent. */
		evbuffer_free(conn->tls_pending);
		conn->tls_pending = NULL;
	}
	SSL_free(conn->pending_ssl);
	conn->pending_ssl = NULL;
	conn->state = CONN_STATE_CLOSING;
	conn->drain_armed = false;
	conn->deadline = conn_now_msecs() + conn->flush_msecs;
	bufferevent_setwatermark(conn->obev, EV_WRITE, 0, 0);
	if (!conn->input_eof)
		bufferevent_enable(conn->bev, EV_READ);
	if (conn_output_pending(conn) == 0)
		conn_linger_start(conn);
	else
		conn_timer_arm(conn);
}

const char *conn_peer_text(const struct conn *conn)
{
	return conn->peer_text;
}

const char *conn_peer_ip(const struct conn *conn)
{
	return conn->peer_ip;
}

bool conn_is_loopback(const struct conn *conn)
{
	return conn->is_loopback;
}

bool conn_is_unix(const struct conn *conn)
{
	return conn->is_unix;
}

bool conn_is_secure(const struct conn *conn)
{
	return conn->tls_done || conn->is_loopback || conn->is_unix || conn->is_stdio;
}
