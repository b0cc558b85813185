/* test-net-conn.c — connections on loopback: echo over plain TCP and TLS,
 * certificate checks, watermarks, timeouts, close-after-flush, stdio, the
 * acceptor's hooks and back-off, drain-and-close-all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include <openssl/ssl.h>

#include "test-net-util.h"

#include <sys/un.h>

#include "net/listen.h"

#include "lib/log.h"

static struct tn_cert cert;

static int group_setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LEVEL_ERROR);
	tn_cert_make(&cert);
	return 0;
}

static int group_teardown(void **state)
{
	tn_cert_remove(&cert);
	return 0;
}

static struct tls_ctx *server_tls(void)
{
	const char *error;
	struct tls_ctx *ctx = tls_server_ctx_new(cert.cert, cert.key, &error);

	if (ctx == NULL)
		fail_msg("%s", error);
	return ctx;
}

static struct tls_ctx *client_tls(bool insecure, const char *ca_file)
{
	struct tls_client_settings set = {
		.ca_file = ca_file, .no_system_store = true, .insecure = insecure};
	const char *error;
	struct tls_ctx *ctx = tls_client_ctx_new(&set, &error);

	if (ctx == NULL)
		fail_msg("%s", error);
	return ctx;
}

/* Client writes a line; the server echoes it; both sides see the facts. */
static void echo_roundtrip(int family, struct tls_ctx *stls, struct tls_ctx *ctls,
			   const char *peer_name)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {.echo = true, .tls = stls};
	struct tn_sess *cl;
	struct tn_sess *s;

	tn_server_start(&srv, base, family);
	cl = tn_client(base, family, srv.port, ctls, peer_name);
	assert_int_equal(conn_write(cl->conn, "a1 NOOP\r\n", 9), 0);
	assert_int_equal(conn_printf(cl->conn, "a2 %s\r\n", "LOGOUT"), 0);
	while (cl->in.len < 20 && !cl->closed)
		tn_run_for(base, 20);
	assert_int_equal(cl->in.len, 20);
	assert_memory_equal(cl->in.data, "a1 NOOP\r\na2 LOGOUT\r\n", 20);
	assert_int_equal(srv.count, 1);
	s = srv.sess[0];
	assert_true(conn_is_loopback(s->conn));
	assert_false(conn_is_unix(s->conn));
	assert_true(conn_is_secure(s->conn));
	if (family == AF_INET) {
		assert_string_equal(conn_peer_ip(s->conn), "127.0.0.1");
		assert_true(strncmp(conn_peer_text(s->conn), "127.0.0.1:", 10) == 0);
	} else {
		assert_string_equal(conn_peer_ip(s->conn), "::1");
		assert_true(strncmp(conn_peer_text(s->conn), "[::1]:", 6) == 0);
	}
	if (stls != NULL) {
		assert_true(conn_is_tls(s->conn));
		assert_true(conn_is_tls(cl->conn));
		assert_true(s->tls_ready && cl->tls_ready);
		assert_string_equal(conn_tls_version(s->conn), "TLSv1.3");
		assert_string_equal(conn_tls_cipher(s->conn), conn_tls_cipher(cl->conn));
	} else {
		assert_false(conn_is_tls(s->conn));
		assert_null(conn_tls_version(s->conn));
		assert_null(conn_tls_cipher(s->conn));
	}

	/* The client leaves; the server's session sees EOF. */
	conn_close_after_flush(cl->conn);
	s->close_on_eof = true;
	tn_run_until(base, &s->closed, 3000);
	assert_true(s->closed);
	assert_int_equal(s->reason, CONN_CLOSE_DONE);
	tn_run_until(base, &cl->closed, 3000);
	assert_true(cl->closed);
	assert_int_equal(cl->reason, CONN_CLOSE_DONE);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	event_base_free(base);
}

static void test_echo_plain_v4(void **state)
{
	echo_roundtrip(AF_INET, NULL, NULL, NULL);
}

static void test_echo_plain_v6(void **state)
{
	echo_roundtrip(AF_INET6, NULL, NULL, NULL);
}

static void test_echo_tls_insecure(void **state)
{
	struct tls_ctx *s = server_tls(), *c = client_tls(true, NULL);

	echo_roundtrip(AF_INET, s, c, "whatever.invalid");
	tls_ctx_free(&s);
	tls_ctx_free(&c);
}

static void test_echo_tls_verified(void **state)
{
	struct tls_ctx *s = server_tls(), *c = client_tls(false, cert.cert);

	echo_roundtrip(AF_INET, s, c, "localhost");
	echo_roundtrip(AF_INET6, s, c, "::1");
	echo_roundtrip(AF_INET, s, c, "127.0.0.1");
	echo_roundtrip(AF_INET, s, c, "mail.test");
	tls_ctx_free(&s);
	tls_ctx_free(&c);
}

/* A verification failure: the client closes with a TLS error naming it. */
static void tls_expect_failure(struct tls_ctx *ctls, const char *peer_name, const char *want)
{
	struct event_base *base = event_base_new();
	struct tls_ctx *stls = server_tls();
	struct tn_server srv = {.echo = true, .tls = stls};
	struct tn_sess *cl;

	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, ctls, peer_name);
	conn_write(cl->conn, "secret\r\n", 8);
	tn_run_until(base, &cl->closed, 3000);
	assert_true(cl->closed);
	assert_int_equal(cl->reason, CONN_CLOSE_TLS_ERROR);
	if (strstr(cl->detail, want) == NULL)
		fail_msg("detail \"%s\" lacks \"%s\"", cl->detail, want);
	assert_false(conn_is_tls(cl->conn));
	/* The server saw the alert, and never any data. */
	tn_run_until(base, &srv.accepted, 1000);
	assert_int_equal(srv.count, 1);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_true(srv.sess[0]->closed);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_TLS_ERROR);
	assert_int_equal(srv.sess[0]->in.len, 0);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	tls_ctx_free(&stls);
	event_base_free(base);
}

static void test_tls_hostname_mismatch(void **state)
{
	struct tls_ctx *c = client_tls(false, cert.cert);

	tls_expect_failure(c, "example.com", "certificate verification failed: hostname mismatch");
	tls_expect_failure(c, "10.1.2.3", "certificate verification failed: IP address mismatch");
	tls_ctx_free(&c);
}

static void test_tls_untrusted(void **state)
{
	struct tls_ctx *c = client_tls(false, NULL);

	tls_expect_failure(c, "localhost",
			   "certificate verification failed: self-signed certificate");
	tls_ctx_free(&c);
}

/* A plaintext client talking to the TLS port: the handshake fails cleanly. */
static void test_tls_garbage_handshake(void **state)
{
	struct event_base *base = event_base_new();
	struct tls_ctx *stls = server_tls();
	struct tn_server srv = {.tls = stls};
	struct tn_sess *cl;

	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	conn_write(cl->conn, "a LOGIN user pass\r\n", 19);
	tn_run_until(base, &srv.accepted, 2000);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_TLS_ERROR);
	assert_true(strncmp(srv.sess[0]->detail, "tls handshake failed: ", 22) == 0);
	assert_int_equal(srv.sess[0]->in.len, 0);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	tls_ctx_free(&stls);
	event_base_free(base);
}

/* Reload: the old connection keeps working on the old context; new ones
 * get the new one. */
static void test_tls_reload_keeps_connections(void **state)
{
	struct event_base *base = event_base_new();
	struct tls_ctx *stls = server_tls(), *ctls = client_tls(false, cert.cert);
	struct tn_server srv = {.echo = true, .tls = stls};
	struct tn_sess *c1, *c2;
	struct tn_cert other;
	const char *error;

	tn_cert_make(&other);
	tn_server_start(&srv, base, AF_INET);
	c1 = tn_client(base, AF_INET, srv.port, ctls, "localhost");
	conn_write(c1->conn, "one\r\n", 5);
	while (c1->in.len < 5 && !c1->closed)
		tn_run_for(base, 20);
	assert_int_equal(c1->in.len, 5);

	if (tls_server_ctx_reload(&stls, other.cert, other.key, &error) < 0)
		fail_msg("%s", error);
	srv.tls = stls;
	conn_write(c1->conn, "two\r\n", 5);
	while (c1->in.len < 10 && !c1->closed)
		tn_run_for(base, 20);
	assert_int_equal(c1->in.len, 10);
	assert_true(conn_is_tls(c1->conn));

	/* The new certificate is not the one the client trusts. */
	c2 = tn_client(base, AF_INET, srv.port, ctls, "localhost");
	tn_run_until(base, &c2->closed, 3000);
	assert_int_equal(c2->reason, CONN_CLOSE_TLS_ERROR);
	tn_sess_free(&c1);
	tn_sess_free(&c2);
	tn_server_stop(&srv);
	tls_ctx_free(&stls);
	tls_ctx_free(&ctls);
	tn_cert_remove(&other);
	event_base_free(base);
}

/* Session resumption by ticket, also across a reload: a blocking OpenSSL
 * client in a child process connects twice, the second time offering the
 * session it got the first time. Exit status 0: resumed. */
HF_NORETURN static void resume_child(int ctl, unsigned port)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL_SESSION *sess = NULL;
	char buf[16], c;

	for (int round = 0; round < 2; round++) {
		int fd = tn_connect(AF_INET, port, false);
		SSL *ssl = SSL_new(ctx);

		SSL_set_fd(ssl, fd);
		if (sess != NULL)
			SSL_set_session(ssl, sess);
		/* The echo makes the client read, which processes the ticket. */
		if (SSL_connect(ssl) != 1 || SSL_write(ssl, "ping\r\n", 6) != 6 ||
		    SSL_read(ssl, buf, sizeof(buf)) != 6)
			_exit(2);
		if (round == 1)
			_exit(SSL_session_reused(ssl) ? 0 : 3);
		sess = SSL_get1_session(ssl);
		if (sess == NULL || !SSL_SESSION_is_resumable(sess))
			_exit(4);
		SSL_shutdown(ssl);
		close(fd);
		/* Let the parent reload its context, then go again. */
		if (write(ctl, "1", 1) != 1 || read(ctl, &c, 1) != 1)
			_exit(5);
	}
	_exit(6);
}

static void test_tls_resumption_across_reload(void **state)
{
	struct event_base *base = event_base_new();
	struct tls_ctx *stls = server_tls();
	struct tn_server srv = {.echo = true, .tls = stls};
	int sv[2], status = -1;
	const char *error;
	pid_t pid;
	char c;

	tn_server_start(&srv, base, AF_INET);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		resume_child(sv[1], srv.port);
	}
	close(sv[1]);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	while (read(sv[0], &c, 1) != 1)
		tn_run_for(base, 10);
	if (tls_server_ctx_reload(&stls, cert.cert, cert.key, &error) < 0)
		fail_msg("%s", error);
	srv.tls = stls;
	assert_int_equal(write(sv[0], "g", 1), 1);
	for (int i = 0; i < 500 && waitpid(pid, &status, WNOHANG) == 0; i++)
		tn_run_for(base, 10);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(sv[0]);
	tn_server_stop(&srv);
	tls_ctx_free(&stls);
	tn_run_for(base, 10);
	event_base_free(base);
}

/* A big response written in steps against a slow reader. */
struct producer {
	struct conn *conn;
	size_t total, sent;
	size_t max_pending;
	unsigned drains;
	bool done;
};

static void producer_fill(struct producer *p)
{
	unsigned char chunk[4096];

	while (p->sent < p->total && !conn_output_full(p->conn)) {
		size_t n = p->total - p->sent < sizeof(chunk) ? p->total - p->sent : sizeof(chunk);

		for (size_t i = 0; i < n; i++)
			chunk[i] = (unsigned char)((p->sent + i) % 251);
		assert_int_equal(conn_write(p->conn, chunk, n), 0);
		p->sent += n;
		if (conn_output_pending(p->conn) > p->max_pending)
			p->max_pending = conn_output_pending(p->conn);
	}
	if (p->sent == p->total && !p->done) {
		p->done = true;
		conn_close_after_flush(p->conn);
	}
}

static void producer_drained(struct conn *conn, void *ctx)
{
	struct producer *p = ctx;

	p->drains++;
	producer_fill(p);
}

static void producer_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	evbuffer_drain(input, evbuffer_get_length(input));
}

static bool producer_closed_flag;
static enum conn_close_reason producer_reason;

static void producer_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
			    void *ctx)
{
	producer_closed_flag = true;
	producer_reason = reason;
}

static const struct conn_callbacks producer_cb = {
	.input = producer_input,
	.closed = producer_closed,
	.output_drained = producer_drained,
};

/* The slow reader: a raw socket read in small bites from a timer. */
struct slow_reader {
	int fd;
	size_t got;
	bool bad_byte, eof;
	struct event *ev;
};

static void slow_reader_cb(evutil_socket_t fd, short what, void *arg)
{
	struct slow_reader *r = arg;
	unsigned char tmp[16384];
	ssize_t n = read(r->fd, tmp, sizeof(tmp));

	if (n == 0) {
		r->eof = true;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (tmp[i] != (unsigned char)((r->got + (size_t)i) % 251))
			r->bad_byte = true;
	}
	if (n > 0)
		r->got += (size_t)n;
	{
		struct timeval tv = {0, 1000};

		evtimer_add(r->ev, &tv);
	}
}

static void test_watermarks_slow_reader(void **state)
{
	struct event_base *base = event_base_new();
	unsigned port;
	int lfd = tn_listen(AF_INET, &port);
	struct slow_reader r = {.fd = tn_connect(AF_INET, port, true)};
	struct producer p = {.total = 4 * 1024 * 1024};
	struct timeval tv = {0, 1000};
	int sfd, small = 64 * 1024;
	const char *error;

	/* Small kernel buffers so the output really backs up. */
	setsockopt(r.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	while ((sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		usleep(1000);
	setsockopt(sfd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	p.conn = conn_new(base, sfd, NULL, &producer_cb, &p, &error);
	assert_non_null(p.conn);
	conn_set_output_watermarks(p.conn, 8 * 1024, 32 * 1024);
	producer_closed_flag = false;
	producer_fill(&p);
	assert_true(p.sent < p.total); /* it had to stop at the high-water mark */

	r.ev = evtimer_new(base, slow_reader_cb, &r);
	evtimer_add(r.ev, &tv);
	tn_run_until(base, &r.eof, 20000);
	assert_true(r.eof);
	assert_int_equal(r.got, p.total);
	assert_false(r.bad_byte);
	assert_true(p.drains > 10);
	/* Never more than high-water plus one chunk queued. */
	assert_true(p.max_pending <= 32 * 1024 + 4096);
	close(r.fd);
	tn_run_until(base, &producer_closed_flag, 3000);
	assert_int_equal(producer_reason, CONN_CLOSE_DONE);
	conn_free(&p.conn);
	event_free(r.ev);
	close(lfd);
	event_base_free(base);
}

static void test_idle_timeout(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {.idle_msecs = 150,
				.bye = "* BYE Autologout; idle for too long\r\n"};
	struct tn_server srv2 = {.idle_msecs = 150, .cb = &tn_callbacks_plain};
	struct tn_sess *cl, *cl2;
	uint64_t start = tn_now_ms();

	/* With a handler: goodbye, then a clean close. */
	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	conn_set_idle_timeout(cl->conn, 0);
	tn_run_until(base, &srv.accepted, 2000);
	/* Input keeps it alive past the timeout. */
	for (int i = 0; i < 4; i++) {
		tn_run_for(base, 60);
		conn_write(cl->conn, "x", 1);
	}
	assert_false(srv.sess[0]->timed_out);
	tn_run_until(base, &cl->got_eof, 3000);
	assert_true(srv.sess[0]->timed_out);
	assert_true(tn_buf_has(&cl->in, "* BYE Autologout; idle for too long\r\n"));
	assert_true(tn_now_ms() - start >= 240 + 150);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_DONE);

	/* Without a handler: closed with CONN_CLOSE_TIMEOUT. */
	tn_server_start(&srv2, base, AF_INET);
	cl2 = tn_client(base, AF_INET, srv2.port, NULL, NULL);
	tn_run_until(base, &srv2.accepted, 2000);
	tn_run_until(base, &srv2.sess[0]->closed, 3000);
	assert_int_equal(srv2.sess[0]->reason, CONN_CLOSE_TIMEOUT);
	assert_string_equal(srv2.sess[0]->detail, "idle timeout");
	tn_run_until(base, &cl2->got_eof, 3000);
	assert_true(cl2->got_eof);

	/* Shortening the timeout takes effect at once. */
	tn_sess_free(&cl);
	tn_sess_free(&cl2);
	tn_server_stop(&srv);
	tn_server_stop(&srv2);
	event_base_free(base);
}

static void test_idle_timeout_changed(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {.cb = &tn_callbacks_plain};
	struct tn_sess *cl;
	uint64_t start;

	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	tn_run_until(base, &srv.accepted, 2000);
	/* Default is a minute; change it to 100 ms now. */
	start = tn_now_ms();
	conn_set_idle_timeout(srv.sess[0]->conn, 100);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_TIMEOUT);
	assert_true(tn_now_ms() - start < 1000);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* close-after-flush delivers every byte, then the peer sees EOF. */
static void test_close_after_flush(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	struct tn_sess *cl;
	size_t total = 3 * 1024 * 1024;
	unsigned char *big = xmalloc(total);

	for (size_t i = 0; i < total; i++)
		big[i] = (unsigned char)(i * 7);
	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	tn_run_until(base, &srv.accepted, 2000);
	assert_int_equal(conn_write(srv.sess[0]->conn, big, total), 0);
	conn_close_after_flush(srv.sess[0]->conn);
	/* Nothing more may be queued, and input is no longer delivered. */
	conn_write(cl->conn, "ignored\r\n", 9);
	tn_run_until(base, &cl->got_eof, 10000);
	assert_true(cl->got_eof);
	assert_int_equal(cl->in.len, total);
	assert_memory_equal(cl->in.data, big, total);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_DONE);
	assert_int_equal(srv.sess[0]->in.len, 0);
	assert_int_equal(conn_write(srv.sess[0]->conn, "x", 1), -1);
	assert_null(conn_output(srv.sess[0]->conn));
	free(big);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* Pause keeps input buffered; resume delivers it without new bytes. */
static void test_input_pause_resume(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	struct tn_sess *cl, *s;

	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	tn_run_until(base, &srv.accepted, 2000);
	s = srv.sess[0];
	conn_input_pause(s->conn);
	conn_write(cl->conn, "abc\r\n", 5);
	tn_run_for(base, 100);
	assert_int_equal(s->in.len, 0);
	conn_input_resume(s->conn);
	assert_int_equal(s->in.len, 0); /* from the loop, not from inside resume */
	while (s->in.len < 5)
		tn_run_for(base, 20);
	assert_memory_equal(s->in.data, "abc\r\n", 5);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* The input limit stops reading until the session consumes. */
static void limit_input(struct tn_sess *s, struct evbuffer *input)
{
	s->drains = (unsigned)evbuffer_get_length(input); /* what is waiting */
}

static void test_input_limit(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	struct tn_sess *cl, *s;
	static char blob[300 * 1024];

	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	tn_run_until(base, &srv.accepted, 2000);
	s = srv.sess[0];
	s->on_input = limit_input;
	conn_set_input_limit(s->conn, 16 * 1024);
	memset(blob, 'a', sizeof(blob));
	conn_write(cl->conn, blob, sizeof(blob));
	tn_run_until(base, &s->closed, 3000);
	/* The session never consumed: exactly the limit waited, then the conn
	 * gave up instead of spinning on a full buffer. */
	assert_int_equal(s->drains, 16 * 1024);
	assert_int_equal(s->reason, CONN_CLOSE_ERROR);
	assert_string_equal(s->detail, "input limit reached with nothing consumed");
	tn_run_for(base, 20);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* stdio: a pipeline that ends (EOF) still gets every answer. */
static void test_stdio_pipes(void **state)
{
	struct event_base *base = event_base_new();
	int in[2], out[2];
	struct tn_sess *s = tn_sess_new();
	const char *error;
	char reply[256];
	size_t got = 0;
	ssize_t n;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	s->echo = true;
	s->close_on_eof = true;
	s->conn = conn_new_stdio(base, in[0], out[1], NULL, &tn_callbacks, s, &error);
	assert_non_null(s->conn);
	assert_string_equal(conn_peer_text(s->conn), "stdio");
	assert_string_equal(conn_peer_ip(s->conn), "");
	assert_true(conn_is_secure(s->conn));
	assert_false(conn_is_loopback(s->conn));
	assert_int_equal(conn_start_tls(s->conn, NULL, NULL, NULL, &error), -1);
	assert_string_equal(error, "TLS is not available over stdio");
	assert_int_equal(write(in[1], "a1 CAPABILITY\r\n", 15), 15);
	assert_int_equal(write(in[1], "a2 LOGOUT\r\n", 11), 11);
	close(in[1]);
	tn_run_until(base, &s->closed, 3000);
	assert_true(s->got_eof);
	assert_int_equal(s->reason, CONN_CLOSE_DONE);
	while ((n = read(out[0], reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)n;
	assert_int_equal(n, 0); /* EOF: the conn closed its end */
	reply[got] = '\0';
	assert_string_equal(reply, "a1 CAPABILITY\r\na2 LOGOUT\r\n");
	close(out[0]);
	tn_sess_free(&s);
	event_base_free(base);
}

/* stdio without an input_eof handler: EOF closes at once. */
static void test_stdio_eof_closes(void **state)
{
	struct event_base *base = event_base_new();
	int in[2], out[2];
	struct tn_sess *s = tn_sess_new();
	const char *error;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	s->conn = conn_new_stdio(base, in[0], out[1], NULL, &tn_callbacks_plain, s, &error);
	assert_non_null(s->conn);
	close(in[1]);
	tn_run_until(base, &s->closed, 3000);
	assert_int_equal(s->reason, CONN_CLOSE_EOF);
	close(out[0]);
	tn_sess_free(&s);
	event_base_free(base);
}

/* Regular files cannot be watched by the loop: a clear error, no hang. */
static void test_stdio_regular_file(void **state)
{
	struct event_base *base = event_base_new();
	char path[] = "/tmp/hafen-test-stdio-XXXXXX";
	int fd = mkstemp(path), out[2];
	struct tn_sess *s = tn_sess_new();
	const char *error;

	assert_true(fd >= 0);
	assert_int_equal(pipe(out), 0);
	s->conn = conn_new_stdio(base, fd, out[1], NULL, &tn_callbacks, s, &error);
	assert_null(s->conn);
	assert_string_equal(error, "cannot set up connection: stdin and stdout must be pipes, "
				   "sockets or terminals, not regular files");
	/* Both descriptors were closed. */
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(fcntl(out[1], F_GETFD), -1);
	close(out[0]);
	unlink(path);
	tn_sess_free(&s);
	event_base_free(base);
}

/* The allow hook refuses before any work; a refused peer sees EOF. */
static unsigned allow_calls;

static bool allow_none(const struct sockaddr *peer, socklen_t len, void *ctx)
{
	allow_calls++;
	assert_int_equal(peer->sa_family, AF_INET);
	return false;
}

static void test_acceptor_allow_hook(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	struct acceptor_callbacks cb = {.allow = allow_none, .accepted = tn_server_accepted};
	struct tn_sess *cl;

	tn_server_start(&srv, base, AF_INET);
	acceptor_free(&srv.acc);
	srv.acc = acceptor_new(base, srv.listen_fd, &cb, &srv);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	tn_run_until(base, &cl->got_eof, 3000);
	assert_true(cl->got_eof);
	assert_int_equal(allow_calls, 1);
	assert_int_equal(srv.count, 0);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* Out of descriptors: pause instead of spinning, then accept once possible. */
static void test_acceptor_emfile_backoff(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	struct rlimit old, low;
	int client, probe;

	tn_server_start(&srv, base, AF_INET);
	client = tn_connect(AF_INET, srv.port, false);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* Allow exactly the descriptors open now: accept() must fail. */
	probe = dup(0);
	assert_true(probe >= 0);
	close(probe);
	low = old;
	low.rlim_cur = (rlim_t)probe;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	tn_run_for(base, 50);
	assert_int_equal(srv.count, 0);
	assert_true(acceptor_overload_pauses(srv.acc) >= 1);
	/* During the pause the loop is not busy: few pauses in 250 ms. */
	tn_run_for(base, 250);
	assert_true(acceptor_overload_pauses(srv.acc) <= 5);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	tn_run_until(base, &srv.accepted, 2000);
	assert_int_equal(srv.count, 1);
	close(client);
	tn_server_stop(&srv);
	event_base_free(base);
}

static void test_acceptor_pause_resume(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	int client;

	tn_server_start(&srv, base, AF_INET);
	acceptor_pause(srv.acc);
	client = tn_connect(AF_INET, srv.port, false);
	tn_run_for(base, 100);
	assert_int_equal(srv.count, 0);
	acceptor_resume(srv.acc);
	tn_run_until(base, &srv.accepted, 2000);
	assert_int_equal(srv.count, 1);
	close(client);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* SIGTERM: every session says goodbye, flushes, and the set empties. */
static bool drain_done;

static void on_drained(void *ctx)
{
	drain_done = true;
}

static void test_drain_and_close_all(void **state)
{
	struct event_base *base = event_base_new();
	struct conn_set *set = conn_set_new(base);
	struct tls_ctx *stls = server_tls(), *ctls = client_tls(true, NULL);
	struct tn_server srv = {.set = set, .bye = "* BYE Server shutting down\r\n"};
	struct tn_server tsrv = {.set = set, .tls = stls, .bye = "* BYE Server shutting down\r\n"};
	struct tn_sess *cl[3];
	unsigned i;

	tn_server_start(&srv, base, AF_INET);
	tn_server_start(&tsrv, base, AF_INET);
	for (i = 0; i < 3; i++) {
		cl[i] = i == 2 ? tn_client(base, AF_INET, tsrv.port, ctls, NULL)
			       : tn_client(base, AF_INET, srv.port, NULL, NULL);
		cl[i]->close_on_eof = true;
	}
	while (srv.count < 2 || tsrv.count < 1 || !cl[2]->tls_ready)
		tn_run_for(base, 20);
	assert_int_equal(conn_set_count(set), 3);

	acceptor_free(&srv.acc); /* stop accepting first */
	acceptor_free(&tsrv.acc);
	drain_done = false;
	conn_set_drain(set, 2000, on_drained, NULL);
	tn_run_until(base, &drain_done, 5000);
	assert_true(drain_done);
	assert_int_equal(conn_set_count(set), 0);
	for (i = 0; i < 3; i++) {
		struct tn_sess *s = i == 2 ? tsrv.sess[0] : srv.sess[i];

		tn_run_until(base, &cl[i]->closed, 3000);
		assert_true(tn_buf_has(&cl[i]->in, "* BYE Server shutting down\r\n"));
		assert_int_equal(s->reason, CONN_CLOSE_DONE);
		tn_sess_free(&cl[i]);
	}
	tn_server_stop(&srv);
	tn_server_stop(&tsrv);
	conn_set_free(&set);
	tls_ctx_free(&stls);
	tls_ctx_free(&ctls);
	event_base_free(base);
}

/* A peer that will not read: the drain deadline closes it anyway. */
static void test_drain_deadline(void **state)
{
	struct event_base *base = event_base_new();
	struct conn_set *set = conn_set_new(base);
	struct tn_server srv = {.set = set};
	int small = 4096, client;
	static unsigned char blob[2 * 1024 * 1024];
	uint64_t start;

	tn_server_start(&srv, base, AF_INET);
	client = tn_connect(AF_INET, srv.port, false);
	setsockopt(client, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	tn_run_until(base, &srv.accepted, 2000);
	conn_write(srv.sess[0]->conn, blob, sizeof(blob));
	acceptor_free(&srv.acc);
	drain_done = false;
	start = tn_now_ms();
	conn_set_drain(set, 300, on_drained, NULL);
	tn_run_until(base, &drain_done, 5000);
	assert_true(drain_done);
	assert_true(tn_now_ms() - start >= 290);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_SHUTDOWN);
	/* An empty set drains at once. */
	drain_done = false;
	conn_set_drain(set, 300, on_drained, NULL);
	tn_run_until(base, &drain_done, 1000);
	assert_true(drain_done);
	close(client);
	tn_server_stop(&srv);
	conn_set_free(&set);
	event_base_free(base);
}

/* The session frees its conn inside the closed callback. */
static void test_free_inside_closed(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {.cb = &tn_callbacks_plain};
	struct tn_sess *cl;

	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	tn_run_until(base, &srv.accepted, 2000);
	srv.sess[0]->free_on_close = true;
	tn_sess_free(&cl);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_EOF);
	assert_null(srv.sess[0]->conn);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* close-after-flush gives up when the peer never reads. */
static void test_flush_timeout(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	static unsigned char blob[4 * 1024 * 1024];
	int client, small = 4096;

	tn_server_start(&srv, base, AF_INET);
	client = tn_connect(AF_INET, srv.port, false);
	setsockopt(client, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	tn_run_until(base, &srv.accepted, 2000);
	conn_set_flush_timeout(srv.sess[0]->conn, 200);
	conn_write(srv.sess[0]->conn, blob, sizeof(blob));
	conn_close_after_flush(srv.sess[0]->conn);
	conn_close_after_flush(srv.sess[0]->conn); /* twice is harmless */
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_TIMEOUT);
	assert_string_equal(srv.sess[0]->detail, "peer did not read the last output in time");
	close(client);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* A TLS client that never starts its handshake is cut off. */
static void test_tls_handshake_timeout(void **state)
{
	struct event_base *base = event_base_new();
	struct tls_ctx *stls = server_tls();
	struct tn_server srv = {.tls = stls, .idle_msecs = 150};
	int client;

	tn_server_start(&srv, base, AF_INET);
	client = tn_connect(AF_INET, srv.port, false);
	tn_run_until(base, &srv.accepted, 2000);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_TIMEOUT);
	assert_string_equal(srv.sess[0]->detail, "tls handshake timed out");
	close(client);
	tn_server_stop(&srv);
	tls_ctx_free(&stls);
	event_base_free(base);
}

/* The peer half-closes while we flush a long answer: it still gets it all. */
static void test_half_close_while_flushing(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	size_t total = 2 * 1024 * 1024, got = 0;
	static unsigned char blob[2 * 1024 * 1024], tmp[65536];
	int client;
	ssize_t n;

	tn_server_start(&srv, base, AF_INET);
	client = tn_connect(AF_INET, srv.port, true);
	tn_run_until(base, &srv.accepted, 2000);
	conn_write(srv.sess[0]->conn, blob, total);
	conn_close_after_flush(srv.sess[0]->conn);
	assert_int_equal(shutdown(client, SHUT_WR), 0);
	while (!srv.sess[0]->closed || got < total) {
		n = read(client, tmp, sizeof(tmp));
		if (n > 0)
			got += (size_t)n;
		else if (n == 0)
			break;
		tn_run_for(base, 1);
	}
	assert_int_equal(got, total);
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_DONE);
	close(client);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* Pausing inside the input callback without consuming: resume re-delivers. */
static void pause_without_consuming(struct tn_sess *s, struct evbuffer *input)
{
	if (s->resets++ == 0) {
		conn_input_pause(s->conn);
		return;
	}
	s->on_input = NULL;
	tn_input(s->conn, input, s);
}

static void test_pause_inside_callback(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {0};
	struct tn_sess *cl, *s;

	tn_server_start(&srv, base, AF_INET);
	cl = tn_client(base, AF_INET, srv.port, NULL, NULL);
	tn_run_until(base, &srv.accepted, 2000);
	s = srv.sess[0];
	s->on_input = pause_without_consuming;
	conn_write(cl->conn, "abc\r\n", 5);
	tn_run_for(base, 100);
	assert_int_equal(s->resets, 1);
	assert_int_equal(s->in.len, 0);
	conn_input_resume(s->conn);
	conn_input_resume(s->conn); /* twice is harmless */
	while (s->in.len < 5)
		tn_run_for(base, 20);
	assert_memory_equal(s->in.data, "abc\r\n", 5);
	tn_sess_free(&cl);
	tn_server_stop(&srv);
	event_base_free(base);
}

/* A unix socket peer (LMTP from the MTA): secure, named "unix". */
static void test_unix_socket_peer(void **state)
{
	static const char *const protos[] = {"lmtp", NULL};
	struct event_base *base = event_base_new();
	struct tn_server srv = {.echo = true};
	struct listen_set set = {0};
	struct listen_spec spec;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/hafen-test-unix-XXXXXX", text[128];
	const char *error;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(text, sizeof(text), "lmtp=unix:%s/lmtp", dir);
	assert_int_equal(listen_spec_parse(text, protos, &spec, &error), 0);
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), 0);
	srv.base = base;
	srv.cb = &tn_callbacks;
	srv.listen_fd = -1;
	srv.acc = acceptor_new(base, set.items[0].fd, &tn_acceptor_cb, &srv);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/lmtp", dir);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(write(fd, "LHLO x\r\n", 8), 8);
	tn_run_until(base, &srv.accepted, 2000);
	while (srv.sess[0]->in.len < 8)
		tn_run_for(base, 10);
	assert_true(conn_is_unix(srv.sess[0]->conn));
	assert_true(conn_is_secure(srv.sess[0]->conn));
	assert_false(conn_is_loopback(srv.sess[0]->conn));
	assert_string_equal(conn_peer_text(srv.sess[0]->conn), "unix");
	assert_string_equal(conn_peer_ip(srv.sess[0]->conn), "");
	close(fd);
	tn_server_stop(&srv);
	listen_set_close(&set, true);
	listen_spec_clear(&spec);
	assert_int_equal(rmdir(dir), 0);
	event_base_free(base);
}

/* Worker processes share one inherited listening socket: each runs its own
 * loop and acceptor; every client is served by exactly one of them. */
static void worker_accepted(int fd, const struct sockaddr *peer, socklen_t len, void *ctx)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%d\n", (int)getpid());

	(void)fcntl(fd, F_SETFL, 0);
	if (write(fd, line, (size_t)n) != n)
		_exit(7);
	close(fd);
}

HF_NORETURN static void worker_main(int lfd, int ctl)
{
	static const struct acceptor_callbacks cb = {.accepted = worker_accepted};
	struct event_base *base = event_base_new();
	struct acceptor *acc = acceptor_new(base, lfd, &cb, NULL);
	char c;

	(void)fcntl(ctl, F_SETFL, O_NONBLOCK);
	if (write(ctl, "R", 1) != 1)
		_exit(3);
	/* Serve until the parent hangs up the control socket. */
	while (read(ctl, &c, 1) != 0) {
		struct timeval tv = {0, 10 * 1000};

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	acceptor_free(&acc);
	event_base_free(base);
	_exit(0);
}

static void test_workers_share_listener(void **state)
{
	unsigned port;
	int lfd = tn_listen(AF_INET, &port);
	int ctl[2][2], status;
	pid_t pids[2];
	char c, line[32];

	for (int w = 0; w < 2; w++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl[w]), 0);
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			/* Hold no other worker's control socket, or it never sees EOF. */
			for (int o = 0; o <= w; o++)
				close(ctl[o][0]);
			worker_main(lfd, ctl[w][1]);
		}
		close(ctl[w][1]);
		assert_int_equal(read(ctl[w][0], &c, 1), 1);
	}
	for (int i = 0; i < 40; i++) {
		int fd = tn_connect(AF_INET, port, false);
		ssize_t n = read(fd, line, sizeof(line) - 1);
		int pid;

		assert_true(n > 0);
		line[n] = '\0';
		pid = atoi(line);
		assert_true(pid == pids[0] || pid == pids[1]);
		close(fd);
	}
	for (int w = 0; w < 2; w++) {
		close(ctl[w][0]);
		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(lfd);
}

/* A client conn to a port nobody listens on fails with the system's words. */
static void test_connect_refused(void **state)
{
	struct event_base *base = event_base_new();
	unsigned port;
	int lfd = tn_listen(AF_INET, &port);
	struct tn_sess *cl;

	close(lfd); /* now nothing listens there */
	cl = tn_client(base, AF_INET, port, NULL, NULL);
	conn_write(cl->conn, "hello\r\n", 7);
	tn_run_until(base, &cl->closed, 3000);
	assert_int_equal(cl->reason, CONN_CLOSE_ERROR);
	assert_string_equal(cl->detail, "Connection refused");
	tn_sess_free(&cl);
	event_base_free(base);
}

static void test_close_reason_text(void **state)
{
	assert_string_equal(conn_close_reason_text(CONN_CLOSE_EOF), "eof");
	assert_string_equal(conn_close_reason_text(CONN_CLOSE_ERROR), "error");
	assert_string_equal(conn_close_reason_text(CONN_CLOSE_TLS_ERROR), "tls error");
	assert_string_equal(conn_close_reason_text(CONN_CLOSE_TIMEOUT), "timeout");
	assert_string_equal(conn_close_reason_text(CONN_CLOSE_DONE), "done");
	assert_string_equal(conn_close_reason_text(CONN_CLOSE_SHUTDOWN), "shutdown");
}

/* A reset by the peer is an error with the system's words. */
static void test_peer_reset(void **state)
{
	struct event_base *base = event_base_new();
	struct tn_server srv = {.cb = &tn_callbacks_plain};
	struct linger lg = {1, 0};
	int client;

	tn_server_start(&srv, base, AF_INET);
	client = tn_connect(AF_INET, srv.port, false);
	tn_run_until(base, &srv.accepted, 2000);
	setsockopt(client, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(client); /* RST */
	tn_run_until(base, &srv.sess[0]->closed, 3000);
	assert_int_equal(srv.sess[0]->reason, CONN_CLOSE_ERROR);
	assert_string_equal(srv.sess[0]->detail, "Connection reset by peer");
	tn_server_stop(&srv);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_plain_v4),
		cmocka_unit_test(test_echo_plain_v6),
		cmocka_unit_test(test_echo_tls_insecure),
		cmocka_unit_test(test_echo_tls_verified),
		cmocka_unit_test(test_tls_hostname_mismatch),
		cmocka_unit_test(test_tls_untrusted),
		cmocka_unit_test(test_tls_garbage_handshake),
		cmocka_unit_test(test_tls_reload_keeps_connections),
		cmocka_unit_test(test_tls_resumption_across_reload),
		cmocka_unit_test(test_watermarks_slow_reader),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_idle_timeout_changed),
		cmocka_unit_test(test_close_after_flush),
		cmocka_unit_test(test_input_pause_resume),
		cmocka_unit_test(test_input_limit),
		cmocka_unit_test(test_stdio_pipes),
		cmocka_unit_test(test_stdio_eof_closes),
		cmocka_unit_test(test_stdio_regular_file),
		cmocka_unit_test(test_acceptor_allow_hook),
		cmocka_unit_test(test_acceptor_emfile_backoff),
		cmocka_unit_test(test_acceptor_pause_resume),
		cmocka_unit_test(test_drain_and_close_all),
		cmocka_unit_test(test_drain_deadline),
		cmocka_unit_test(test_close_reason_text),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_unix_socket_peer),
		cmocka_unit_test(test_workers_share_listener),
		cmocka_unit_test(test_free_inside_closed),
		cmocka_unit_test(test_flush_timeout),
		cmocka_unit_test(test_tls_handshake_timeout),
		cmocka_unit_test(test_half_close_while_flushing),
		cmocka_unit_test(test_pause_inside_callback),
		cmocka_unit_test(test_peer_reset),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
