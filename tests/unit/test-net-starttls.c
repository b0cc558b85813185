/* test-net-starttls.c — STARTTLS upgrades in place, and plaintext pipelined
 * after the command (CVE-2011-0411, "NO STARTTLS") is never acted on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-net-util.h"

#include "lib/log.h"

static struct tn_cert cert;
static struct tls_ctx *stls, *ctls;

static int group_setup(void **state)
{
	struct tls_client_settings set = {.no_system_store = true};
	const char *error;

	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LEVEL_ERROR);
	tn_cert_make(&cert);
	stls = tls_server_ctx_new(cert.cert, cert.key, &error);
	set.ca_file = cert.cert;
	ctls = tls_client_ctx_new(&set, &error);
	return stls != NULL && ctls != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
	tls_ctx_free(&stls);
	tls_ctx_free(&ctls);
	tn_cert_remove(&cert);
	return 0;
}

/* A line-based server session that, like a real one, first moves all
 * input into its own buffer and then works through the lines. */
struct line_server {
	struct tn_sess base; /* first: the tn_* callbacks see a tn_sess */
	struct buf lines;    /* every line acted on, "\n"-separated */
	size_t discarded;
	unsigned upgrades;
	bool greet_after_starttls;
	const char *start_error;
};

static void line_server_handle(struct line_server *ls, const char *line)
{
	struct tn_sess *s = &ls->base;

	buf_printf(&ls->lines, "%s\n", line);
	if (strcmp(line, "STARTTLS") == 0) {
		conn_write(s->conn, "a OK begin TLS\r\n", 16);
		if (conn_start_tls(s->conn, stls, NULL, &ls->discarded, &ls->start_error) < 0)
			conn_printf(s->conn, "a NO %s\r\n", ls->start_error);
		else
			ls->upgrades++;
		if (ls->greet_after_starttls)
			conn_write(s->conn, "* OK encrypted hello\r\n", 22);
	} else {
		conn_printf(s->conn, "echo: %s\r\n", line);
	}
}

/* Mode 1: take one line at a time from the conn's buffer, leaving the
 * rest there. */
static void line_server_input_by_line(struct tn_sess *s, struct evbuffer *input)
{
	struct line_server *ls = (struct line_server *)s;
	size_t len;
	char *line;

	/* After conn_start_tls() the buffer is empty, so the loop ends. */
	while ((line = evbuffer_readln(input, &len, EVBUFFER_EOL_CRLF)) != NULL) {
		line_server_handle(ls, line);
		free(line);
	}
}

/* Mode 2: like many sessions, first move all input into the session's own
 * buffer, then work through the lines. */
static void line_server_input_buffered(struct tn_sess *s, struct evbuffer *input)
{
	struct line_server *ls = (struct line_server *)s;
	size_t n = evbuffer_get_length(input);
	char *eol;

	buf_reserve(&s->in, n);
	evbuffer_remove(input, s->in.data + s->in.len, n);
	s->in.len += n;
	/* s->in is reset by starttls_reset: the loop then finds no line. */
	while ((eol = memchr(s->in.data, '\n', s->in.len)) != NULL) {
		size_t len = (size_t)(eol - (char *)s->in.data) + 1;
		char line[256];

		snprintf(line, sizeof(line), "%.*s", (int)(len - 2), (char *)s->in.data);
		buf_consume(&s->in, len);
		line_server_handle(ls, line);
	}
}

static struct line_server *servers[4];
static unsigned n_servers;
static struct event_base *loop;
static bool greet_after;
static bool buffered_mode;

static void accept_line_server(int fd, const struct sockaddr *peer, socklen_t len, void *ctx)
{
	struct line_server *ls = xcalloc(1, sizeof(*ls));
	const char *error;

	ls->base.on_input = buffered_mode ? line_server_input_buffered : line_server_input_by_line;
	ls->greet_after_starttls = greet_after;
	ls->base.conn = conn_new(loop, fd, NULL, &tn_callbacks_plain, &ls->base, &error);
	assert_non_null(ls->base.conn);
	assert_true(n_servers < 4);
	servers[n_servers++] = ls;
}

static const struct acceptor_callbacks line_acceptor = {.accepted = accept_line_server};

static void servers_free(void)
{
	for (unsigned i = 0; i < n_servers; i++) {
		conn_free(&servers[i]->base.conn);
		buf_free(&servers[i]->base.in);
		buf_free(&servers[i]->lines);
		xfree(&servers[i]);
	}
	n_servers = 0;
}

/* The client: plain until "a OK begin TLS", then STARTTLS as a client. */
struct starttls_client {
	struct tn_sess base;
	const char *peer_name;
	bool upgraded;
};

static void client_input(struct tn_sess *s, struct evbuffer *input)
{
	struct starttls_client *c = (struct starttls_client *)s;
	size_t n = evbuffer_get_length(input);
	const char *error;

	buf_reserve(&s->in, n);
	evbuffer_remove(input, s->in.data + s->in.len, n);
	s->in.len += n;
	if (!c->upgraded && tn_buf_has(&s->in, "a OK begin TLS\r\n")) {
		c->upgraded = true;
		if (conn_start_tls(s->conn, ctls, c->peer_name, NULL, &error) < 0)
			fail_msg("client conn_start_tls: %s", error);
	}
}

static struct starttls_client *client_new(unsigned port, const char *peer_name)
{
	struct starttls_client *c = xcalloc(1, sizeof(*c));
	const char *error;

	c->base.on_input = client_input;
	c->peer_name = peer_name;
	c->base.conn = conn_new(loop, tn_connect(AF_INET, port, true), NULL, &tn_callbacks,
				&c->base, &error);
	assert_non_null(c->base.conn);
	return c;
}

static void client_free(struct starttls_client **cp)
{
	conn_free(&(*cp)->base.conn);
	buf_free(&(*cp)->base.in);
	xfree(cp);
}

static struct acceptor *start_server(int *lfd_r, unsigned *port_r)
{
	loop = event_base_new();
	*lfd_r = tn_listen(AF_INET, port_r);
	return acceptor_new(loop, *lfd_r, &line_acceptor, NULL);
}

static void stop_server(struct acceptor **acc, int lfd)
{
	servers_free();
	acceptor_free(acc);
	close(lfd);
	tn_run_for(loop, 10);
	event_base_free(loop);
	loop = NULL;
}

static void starttls_discards_pipelined(bool buffered)
{
	unsigned port;
	int lfd;
	struct acceptor *acc = start_server(&lfd, &port);
	struct starttls_client *c = client_new(port, "localhost");
	struct line_server *ls;

	greet_after = false;
	buffered_mode = buffered;
	/* One write: the injected line travels in the same segment. */
	assert_int_equal(conn_write(c->base.conn, "STARTTLS\r\nINJECTED\r\n", 20), 0);
	tn_run_until(loop, &c->base.tls_ready, 3000);
	assert_true(c->base.tls_ready);
	assert_int_equal(n_servers, 1);
	ls = servers[0];
	assert_int_equal(ls->upgrades, 1);
	/* Left in the conn's buffer, the conn discards "INJECTED\r\n"; taken
	 * into the session's own buffer, starttls_reset drops it there. */
	assert_int_equal(ls->discarded, buffered ? 0 : 10);
	assert_int_equal(ls->base.resets, 1);
	assert_int_equal(c->base.resets, 1);

	/* After the handshake: data flows both ways, encrypted. */
	tn_run_until(loop, &ls->base.tls_ready, 3000);
	assert_true(conn_is_tls(ls->base.conn));
	assert_true(conn_is_tls(c->base.conn));
	conn_write(c->base.conn, "HELLO\r\n", 7);
	while (!tn_buf_has(&c->base.in, "echo: HELLO\r\n") && !c->base.closed)
		tn_run_for(loop, 20);
	assert_true(tn_buf_has(&c->base.in, "echo: HELLO\r\n"));
	assert_string_equal(buf_cstr(&ls->lines), "STARTTLS\nHELLO\n");
	assert_false(tn_buf_has(&ls->lines, "INJECTED"));
	/* A second STARTTLS is refused without harm. */
	conn_write(c->base.conn, "STARTTLS\r\n", 10);
	while (!tn_buf_has(&c->base.in, "a NO TLS is already active\r\n") && !c->base.closed)
		tn_run_for(loop, 20);
	assert_true(tn_buf_has(&c->base.in, "a NO TLS is already active\r\n"));
	assert_true(conn_is_tls(ls->base.conn));

	client_free(&c);
	stop_server(&acc, lfd);
}

static void test_starttls_discards_pipelined_in_conn(void **state)
{
	starttls_discards_pipelined(false);
}

static void test_starttls_discards_pipelined_in_session(void **state)
{
	starttls_discards_pipelined(true);
}

/* What the server writes after conn_start_tls() is sent only encrypted. */
static void test_starttls_output_after_upgrade_is_encrypted(void **state)
{
	unsigned port;
	int lfd;
	struct acceptor *acc = start_server(&lfd, &port);
	struct starttls_client *c = client_new(port, "localhost");

	greet_after = true;
	conn_write(c->base.conn, "STARTTLS\r\n", 10);
	while (!tn_buf_has(&c->base.in, "* OK encrypted hello\r\n") && !c->base.closed)
		tn_run_for(loop, 20);
	/* The client's buffer was reset at its own upgrade: the greeting came
	 * after it, through TLS. */
	assert_true(c->base.tls_ready);
	assert_string_equal(buf_cstr(&c->base.in), "* OK encrypted hello\r\n");
	client_free(&c);
	stop_server(&acc, lfd);
}

/* Injected bytes that arrive after the reply are read by TLS, not by the
 * session: the handshake fails and nothing is acted on. */
static void test_starttls_late_injection_fails_handshake(void **state)
{
	unsigned port;
	int lfd;
	struct acceptor *acc = start_server(&lfd, &port);
	int fd = tn_connect(AF_INET, port, false);
	struct line_server *ls;
	char reply[64];
	ssize_t n;

	greet_after = false;
	assert_int_equal(write(fd, "STARTTLS\r\n", 10), 10);
	while (n_servers == 0 || servers[0]->upgrades == 0)
		tn_run_for(loop, 10);
	tn_run_for(loop, 20);
	n = read(fd, reply, sizeof(reply));
	assert_int_equal(n, 16);
	assert_memory_equal(reply, "a OK begin TLS\r\n", 16);
	assert_int_equal(write(fd, "INJECTED\r\n", 10), 10);
	ls = servers[0];
	tn_run_until(loop, &ls->base.closed, 3000);
	assert_true(ls->base.closed);
	assert_int_equal(ls->base.reason, CONN_CLOSE_TLS_ERROR);
	assert_string_equal(buf_cstr(&ls->lines), "STARTTLS\n");
	close(fd);
	stop_server(&acc, lfd);
}

/* A client STARTTLS to a server whose name does not match fails cleanly. */
static void test_starttls_client_verification(void **state)
{
	unsigned port;
	int lfd;
	struct acceptor *acc = start_server(&lfd, &port);
	struct starttls_client *c = client_new(port, "imap.example.com");

	greet_after = false;
	conn_write(c->base.conn, "STARTTLS\r\n", 10);
	tn_run_until(loop, &c->base.closed, 3000);
	assert_int_equal(c->base.reason, CONN_CLOSE_TLS_ERROR);
	assert_non_null(strstr(c->base.detail, "hostname mismatch"));
	assert_false(conn_is_tls(c->base.conn));
	client_free(&c);
	stop_server(&acc, lfd);
}

/* The peer closes while the server waits to flush its OK. */
static void test_starttls_peer_gone(void **state)
{
	unsigned port;
	int lfd;
	struct acceptor *acc = start_server(&lfd, &port);
	int fd = tn_connect(AF_INET, port, false);
	struct linger lg = {1, 0};

	greet_after = false;
	assert_int_equal(write(fd, "STARTTLS\r\n", 10), 10);
	while (n_servers == 0 || servers[0]->upgrades == 0)
		tn_run_for(loop, 10);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	tn_run_until(loop, &servers[0]->base.closed, 3000);
	assert_true(servers[0]->base.closed);
	assert_true(servers[0]->base.reason == CONN_CLOSE_TLS_ERROR ||
		    servers[0]->base.reason == CONN_CLOSE_ERROR);
	stop_server(&acc, lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starttls_discards_pipelined_in_conn),
		cmocka_unit_test(test_starttls_discards_pipelined_in_session),
		cmocka_unit_test(test_starttls_output_after_upgrade_is_encrypted),
		cmocka_unit_test(test_starttls_late_injection_fails_handshake),
		cmocka_unit_test(test_starttls_client_verification),
		cmocka_unit_test(test_starttls_peer_gone),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
