/* test-net-util.h — shared helpers of the src/net tests: loopback sockets,
 * a bounded event loop, a recording test session, a generated certificate.
 * Header-only (static inline) so that it links into no other test. */
#ifndef HAFEN_TEST_NET_UTIL_H
#define HAFEN_TEST_NET_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "lib/buf.h"
#include "lib/mem.h"
#include "net/acceptor.h"
#include "net/conn.h"
#include "net/tls.h"

/* A listening socket on 127.0.0.1 (or ::1) with a kernel-chosen port. */
static inline int tn_listen(int family, unsigned *port_r)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(fd, 1024), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port_r = family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
				     : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* A connected (or connecting) socket to the loopback port. */
static inline int tn_connect(int family, unsigned port, bool nonblock)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	assert_true(fd >= 0);
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		assert_int_equal(errno, EINPROGRESS);
	return fd;
}

static inline uint64_t tn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop until *flag becomes true or msecs pass; returns *flag. */
static inline bool tn_run_until(struct event_base *base, const bool *flag, unsigned msecs)
{
	uint64_t end = tn_now_ms() + msecs;
	struct timeval tick = {0, 20 * 1000};

	while (!*flag && tn_now_ms() < end) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	return *flag;
}

/* Run the loop for msecs, whatever happens. */
static inline void tn_run_for(struct event_base *base, unsigned msecs)
{
	bool never = false;

	(void)tn_run_until(base, &never, msecs);
}

/* A recording session usable on either side. */
struct tn_sess {
	struct conn *conn;
	struct buf in; /* every byte delivered */
	bool echo;     /* write back what arrives */
	bool close_on_eof;
	bool free_on_close;
	bool closed;
	enum conn_close_reason reason;
	char detail[256];
	bool tls_ready;
	bool got_eof;
	bool timed_out;
	unsigned drains;
	unsigned resets;
	const char *bye; /* idle timeout / shutdown: write this and close after flush */
	void (*on_input)(struct tn_sess *s, struct evbuffer *input);
};

static inline void tn_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	struct tn_sess *s = ctx;
	size_t n;

	if (s->on_input != NULL) {
		s->on_input(s, input);
		return;
	}
	n = evbuffer_get_length(input);
	buf_reserve(&s->in, n);
	evbuffer_remove(input, s->in.data + s->in.len, n);
	if (s->echo)
		conn_write(conn, s->in.data + s->in.len, n);
	s->in.len += n;
}

static inline void tn_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
			     void *ctx)
{
	struct tn_sess *s = ctx;

	s->closed = true;
	s->reason = reason;
	snprintf(s->detail, sizeof(s->detail), "%s", detail != NULL ? detail : "");
	if (s->free_on_close)
		conn_free(&s->conn);
}

static inline void tn_drained(struct conn *conn, void *ctx)
{
	((struct tn_sess *)ctx)->drains++;
}

static inline void tn_eof(struct conn *conn, void *ctx)
{
	struct tn_sess *s = ctx;

	s->got_eof = true;
	if (s->close_on_eof)
		conn_close_after_flush(conn);
}

static inline void tn_idle(struct conn *conn, void *ctx)
{
	struct tn_sess *s = ctx;

	s->timed_out = true;
	if (s->bye != NULL)
		conn_printf(conn, "%s", s->bye);
	conn_close_after_flush(conn);
}

static inline void tn_reset(struct conn *conn, void *ctx)
{
	struct tn_sess *s = ctx;

	s->resets++;
	buf_reset(&s->in);
}

static inline void tn_tls_ready(struct conn *conn, void *ctx)
{
	((struct tn_sess *)ctx)->tls_ready = true;
}

static inline void tn_shutdown(struct conn *conn, void *ctx)
{
	struct tn_sess *s = ctx;

	if (s->bye != NULL)
		conn_printf(conn, "%s", s->bye);
}

static const struct conn_callbacks tn_callbacks = {
	.input = tn_input,
	.closed = tn_closed,
	.output_drained = tn_drained,
	.input_eof = tn_eof,
	.idle_timeout = tn_idle,
	.starttls_reset = tn_reset,
	.tls_ready = tn_tls_ready,
	.shutdown = tn_shutdown,
};

/* Without input_eof and idle_timeout: EOF and idle close the conn. */
static const struct conn_callbacks tn_callbacks_plain = {
	.input = tn_input,
	.closed = tn_closed,
	.output_drained = tn_drained,
	.starttls_reset = tn_reset,
	.tls_ready = tn_tls_ready,
};

static inline struct tn_sess *tn_sess_new(void)
{
	return xcalloc(1, sizeof(struct tn_sess));
}

static inline void tn_sess_free(struct tn_sess **sp)
{
	if (*sp == NULL)
		return;
	conn_free(&(*sp)->conn);
	buf_free(&(*sp)->in);
	xfree(sp);
}

/* A test server: accepts on a loopback port, one tn_sess per connection. */
#define TN_MAX_SESS 16
struct tn_server {
	struct event_base *base;
	int listen_fd;
	unsigned port;
	struct acceptor *acc;
	struct tls_ctx *tls;
	struct conn_set *set;
	const struct conn_callbacks *cb;
	bool echo;
	const char *bye;
	unsigned idle_msecs;
	struct tn_sess *sess[TN_MAX_SESS];
	unsigned count;
	bool accepted;
};

static inline void tn_server_accepted(int fd, const struct sockaddr *peer, socklen_t len, void *ctx)
{
	struct tn_server *srv = ctx;
	struct conn_settings set = {
		.set = srv->set, .tls = srv->tls, .peer = peer, .peer_len = len};
	struct tn_sess *s;
	const char *error;

	assert_true(srv->count < TN_MAX_SESS);
	s = tn_sess_new();
	s->echo = srv->echo;
	s->bye = srv->bye;
	s->conn = conn_new(srv->base, fd, &set, srv->cb, s, &error);
	if (s->conn == NULL)
		fail_msg("conn_new: %s", error);
	if (srv->idle_msecs != 0)
		conn_set_idle_timeout(s->conn, srv->idle_msecs);
	srv->sess[srv->count++] = s;
	srv->accepted = true;
}

static const struct acceptor_callbacks tn_acceptor_cb = {.accepted = tn_server_accepted};

static inline void tn_server_start(struct tn_server *srv, struct event_base *base, int family)
{
	srv->base = base;
	if (srv->cb == NULL)
		srv->cb = &tn_callbacks;
	srv->listen_fd = tn_listen(family, &srv->port);
	srv->acc = acceptor_new(base, srv->listen_fd, &tn_acceptor_cb, srv);
}

static inline void tn_server_stop(struct tn_server *srv)
{
	for (unsigned i = 0; i < srv->count; i++)
		tn_sess_free(&srv->sess[i]);
	srv->count = 0;
	acceptor_free(&srv->acc);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	srv->listen_fd = -1;
}

/* A client conn to the server, optionally TLS with a client context. */
static inline struct tn_sess *tn_client(struct event_base *base, int family, unsigned port,
					struct tls_ctx *tls, const char *peer_name)
{
	struct conn_settings set = {.tls = tls, .tls_peer_name = peer_name};
	struct tn_sess *s = tn_sess_new();
	const char *error;

	s->conn = conn_new(base, tn_connect(family, port, true), &set, &tn_callbacks, s, &error);
	if (s->conn == NULL)
		fail_msg("conn_new: %s", error);
	return s;
}

/* Does the buffer hold this text somewhere? */
static inline bool tn_buf_has(struct buf *b, const char *text)
{
	return strstr(buf_cstr(b), text) != NULL;
}

/* A fresh self-signed certificate in a temporary directory. */
struct tn_cert {
	char dir[64];
	char *cert, *key;
};

static inline void tn_cert_make(struct tn_cert *c)
{
	const char *error;

	snprintf(c->dir, sizeof(c->dir), "/tmp/hafen-test-net-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	if (tls_selfsigned_ensure(c->dir, "mail.test", &c->cert, &c->key, &error) != 1)
		fail_msg("tls_selfsigned_ensure: %s", error);
}

static inline void tn_cert_remove(struct tn_cert *c)
{
	char path[128];

	unlink(c->cert);
	unlink(c->key);
	snprintf(path, sizeof(path), "%s", c->dir);
	rmdir(path);
	xfree(&c->cert);
	xfree(&c->key);
}

#endif
