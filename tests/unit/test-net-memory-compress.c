/* test-net-memory-compress.c — the memory probe for COMPRESS=DEFLATE: heap
 * growth per idle compressed connection, 1000 plain and 1000 TLS, first
 * with the zlib state held (right after a command), then parked (after the
 * pause that gives it back). The clients run in a child process so only
 * the server side is counted. Prints the figures; asserts bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <openssl/ssl.h>
#include <zlib.h>

#include "test-net-util.h"

#include "lib/log.h"

#if defined(__SANITIZE_ADDRESS__)
#define PROBE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROBE_ASAN 1
#endif
#endif
#ifdef PROBE_ASAN
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define PROBE_CONNS 1000
/* Parked: what a plain or TLS connection costs (test-net-memory.c) plus a
 * few hundred bytes of compression bookkeeping and the history. */
#define PLAIN_PARKED_MAX (8 * 1024)
#define TLS_PARKED_MAX   (24 * 1024)

static size_t heap_in_use(void)
{
#ifdef PROBE_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

struct probe {
	struct event_base *base;
	struct conn *conns[2 * PROBE_CONNS];
	unsigned n_conns;
	unsigned tls_ready;
	unsigned commands;
	unsigned closed;
	struct tls_ctx *tls;
};

/* "COMPRESS" (plain) turns compression on; any later input is a command
 * answered compressed. Parking is off until the probe turns it on. */
static void probe_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	struct probe *p = ctx;
	const char *error;

	evbuffer_drain(input, evbuffer_get_length(input));
	if (!conn_is_compressed(conn)) {
		conn_write(conn, "c OK DEFLATE active\r\n", 21);
		if (conn_start_compress(conn, NULL, &error) < 0)
			fail_msg("conn_start_compress: %s", error);
		conn_set_compress_park(conn, 0);
		return;
	}
	conn_write(conn, "a OK NOOP completed\r\n", 21);
	p->commands++;
}

static void probe_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
			 void *ctx)
{
	((struct probe *)ctx)->closed++;
}

static void probe_tls_ready(struct conn *conn, void *ctx)
{
	((struct probe *)ctx)->tls_ready++;
}

static const struct conn_callbacks probe_cb = {
	.input = probe_input,
	.closed = probe_closed,
	.tls_ready = probe_tls_ready,
};

static void probe_accept(struct probe *p, int fd, const struct sockaddr *peer, socklen_t len,
			 struct tls_ctx *tls)
{
	struct conn_settings set = {.tls = tls, .peer = peer, .peer_len = len};
	const char *error;

	assert_true(p->n_conns < 2 * PROBE_CONNS);
	p->conns[p->n_conns] = conn_new(p->base, fd, &set, &probe_cb, p, &error);
	if (p->conns[p->n_conns] == NULL)
		fail_msg("conn_new: %s", error);
	p->n_conns++;
}

static void probe_accept_plain(int fd, const struct sockaddr *peer, socklen_t len, void *ctx)
{
	probe_accept(ctx, fd, peer, len, NULL);
}

static void probe_accept_tls(int fd, const struct sockaddr *peer, socklen_t len, void *ctx)
{
	probe_accept(ctx, fd, peer, len, ((struct probe *)ctx)->tls);
}

static const struct acceptor_callbacks plain_acc_cb = {.accepted = probe_accept_plain};
static const struct acceptor_callbacks tls_acc_cb = {.accepted = probe_accept_tls};

/* One compressed command, as a client sends it after COMPRESS. */
static size_t child_command(unsigned char *out, size_t room)
{
	z_stream z = {0};
	size_t n;

	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		_exit(6);
	z.next_in = (Bytef *)"a NOOP\r\n";
	z.avail_in = 8;
	z.next_out = out;
	z.avail_out = (uInt)room;
	if (deflate(&z, Z_SYNC_FLUSH) != Z_OK)
		_exit(7);
	n = room - z.avail_out;
	deflateEnd(&z);
	return n;
}

/* Read the 21-byte uncompressed OK of COMPRESS. */
static void child_read_ok(int fd, SSL *ssl)
{
	char buf[21];
	size_t got = 0;

	while (got < sizeof(buf)) {
		ssize_t n = ssl ? SSL_read(ssl, buf + got, (int)(sizeof(buf) - got))
				: read(fd, buf + got, sizeof(buf) - got);

		if (n <= 0)
			_exit(8);
		got += (size_t)n;
	}
}

/* The child: n plain connections, report, n TLS connections, report, wait
 * for the parent to hang up. Each sends COMPRESS, then one compressed
 * command, and leaves the answer unread. */
HF_NORETURN static void probe_child(int ctl, unsigned plain_port, unsigned tls_port, unsigned n)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	unsigned char cmd[64];
	size_t cmd_len = child_command(cmd, sizeof(cmd));

	for (unsigned i = 0; i < n; i++) {
		int fd = tn_connect(AF_INET, plain_port, false);

		if (write(fd, "c COMPRESS DEFLATE\r\n", 20) != 20)
			_exit(2);
		child_read_ok(fd, NULL);
		if (write(fd, cmd, cmd_len) != (ssize_t)cmd_len)
			_exit(2);
	}
	if (write(ctl, "P", 1) != 1)
		_exit(3);
	/* The parent measures the plain connections before the TLS ones come. */
	{
		char go;

		if (read(ctl, &go, 1) != 1)
			_exit(3);
	}
	for (unsigned i = 0; i < n; i++) {
		int fd = tn_connect(AF_INET, tls_port, false);
		SSL *ssl = SSL_new(ctx);

		SSL_set_fd(ssl, fd);
		if (SSL_connect(ssl) != 1 || SSL_write(ssl, "c COMPRESS DEFLATE\r\n", 20) != 20)
			_exit(4);
		child_read_ok(fd, ssl);
		if (SSL_write(ssl, cmd, (int)cmd_len) != (int)cmd_len)
			_exit(4);
	}
	if (write(ctl, "T", 1) != 1)
		_exit(5);
	{
		char c;

		while (read(ctl, &c, 1) > 0) {
		}
	}
	_exit(0);
}

static bool wait_byte(struct event_base *base, int fd, char want)
{
	uint64_t end = tn_now_ms() + 120000;
	char c;

	while (tn_now_ms() < end) {
		ssize_t n = read(fd, &c, 1);

		if (n == 1)
			return c == want;
		if (n == 0)
			return false;
		tn_run_for(base, 10);
	}
	return false;
}

/* Let the conns from index `from` park, give the loop time to do it, and
 * check that they did. */
static void park_all(struct probe *p, unsigned from, unsigned n)
{
	size_t held = 0;

	assert_int_equal(p->n_conns - from, n);
	for (unsigned i = from; i < p->n_conns; i++)
		conn_set_compress_park(p->conns[i], 1);
	tn_run_for(p->base, 200);
	for (unsigned i = from; i < p->n_conns; i++) {
		struct conn_compress_stats st;

		conn_compress_stats(p->conns[i], &st);
		held += st.memory;
	}
	/* Only the history of one command per connection is left. */
	assert_int_equal(held, (size_t)(p->n_conns - from) * 8);
}

static void test_memory_per_idle_compressed_connection(void **state)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	struct tn_cert cert;
	unsigned plain_port, tls_port, n = PROBE_CONNS;
	int plain_fd, tls_fd, sv[2], status;
	struct acceptor *plain_acc, *tls_acc;
	struct rlimit rl;
	size_t before, plain_held, plain_parked, tls_held, tls_parked;
	const char *error;
	pid_t pid;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 2 * PROBE_CONNS + 100 && rl.rlim_max >= 2 * PROBE_CONNS + 100) {
		rl.rlim_cur = 2 * PROBE_CONNS + 100;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	if (rl.rlim_cur < 2 * PROBE_CONNS + 100)
		n = (unsigned)(rl.rlim_cur - 100) / 2;

	tn_cert_make(&cert);
	p->tls = tls_server_ctx_new(cert.cert, cert.key, &error);
	assert_non_null(p->tls);
	p->base = event_base_new();
	plain_fd = tn_listen(AF_INET, &plain_port);
	tls_fd = tn_listen(AF_INET, &tls_port);
	plain_acc = acceptor_new(p->base, plain_fd, &plain_acc_cb, p);
	tls_acc = acceptor_new(p->base, tls_fd, &tls_acc_cb, p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	tn_run_for(p->base, 10);
	before = heap_in_use();

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		close(plain_fd);
		close(tls_fd);
		probe_child(sv[1], plain_port, tls_port, n);
	}
	close(sv[1]);

	assert_true(wait_byte(p->base, sv[0], 'P'));
	while (p->n_conns < n || p->commands < n)
		tn_run_for(p->base, 10);
	tn_run_for(p->base, 100);
	plain_held = heap_in_use();
	park_all(p, 0, n);
	plain_parked = heap_in_use();
	assert_int_equal(write(sv[0], "G", 1), 1);

	assert_true(wait_byte(p->base, sv[0], 'T'));
	while (p->tls_ready < n || p->commands < 2 * n)
		tn_run_for(p->base, 10);
	tn_run_for(p->base, 100);
	tls_held = heap_in_use();
	park_all(p, n, n);
	tls_parked = heap_in_use();

	printf("# compressed memory probe (%s): %u idle plain connections: %.0f bytes each "
	       "with zlib state, %.0f parked; %u idle TLS connections: %.0f with zlib state, "
	       "%.0f parked\n",
#ifdef PROBE_ASAN
	       "ASan allocator, requested bytes",
#else
	       "glibc mallinfo2 uordblks",
#endif
	       n, (double)(plain_held - before) / n, (double)(plain_parked - before) / n, n,
	       (double)(tls_held - plain_parked) / n, (double)(tls_parked - plain_parked) / n);
	assert_int_equal(p->closed, 0);
	assert_true((plain_parked - before) / n < PLAIN_PARKED_MAX);
	assert_true((tls_parked - plain_parked) / n < TLS_PARKED_MAX);

	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (unsigned i = 0; i < p->n_conns; i++)
		conn_free(&p->conns[i]);
	acceptor_free(&plain_acc);
	acceptor_free(&tls_acc);
	close(plain_fd);
	close(tls_fd);
	tn_run_for(p->base, 10);
	event_base_free(p->base);
	tls_ctx_free(&p->tls);
	tn_cert_remove(&cert);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_per_idle_compressed_connection),
	};

	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
