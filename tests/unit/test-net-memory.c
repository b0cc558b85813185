/* test-net-memory.c — the memory probe: heap growth per idle connection,
 * 1000 plain and 1000 TLS (handshake done) in one server process, with the
 * clients in a child process so only the server side is counted. Prints
 * the figures; asserts generous bounds so regressions are caught. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <openssl/ssl.h>

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
/* From the sanitizer runtime (sanitizer/allocator_interface.h, which not
 * every compiler package ships): bytes the program has malloc()ed and not freed. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define PROBE_CONNS 1000
/* Upper bounds per idle connection (the goal is far below: see docs). */
#define PLAIN_MAX_BYTES (16 * 1024)
#define TLS_MAX_BYTES   (64 * 1024)

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
	unsigned inputs;
	unsigned closed;
	struct tls_ctx *tls; /* for the TLS acceptor */
};

/* Each client sends one command; answer it like a tiny session would. */
static void probe_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	evbuffer_drain(input, evbuffer_get_length(input));
	conn_write(conn, "a OK NOOP completed\r\n", 21);
	((struct probe *)ctx)->inputs++;
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

/* The child: open n plain connections, report, open n TLS connections
 * (full handshake), report, then wait for the parent to hang up. Each
 * connection sends one command and leaves the answer unread. */
HF_NORETURN static void probe_child(int ctl, unsigned plain_port, unsigned tls_port, unsigned n)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	for (unsigned i = 0; i < n; i++) {
		int fd = tn_connect(AF_INET, plain_port, false);

		if (write(fd, "a NOOP\r\n", 8) != 8)
			_exit(2);
	}
	if (write(ctl, "P", 1) != 1)
		_exit(3);
	for (unsigned i = 0; i < n; i++) {
		int fd = tn_connect(AF_INET, tls_port, false);
		SSL *ssl = SSL_new(ctx);

		SSL_set_fd(ssl, fd);
		if (SSL_connect(ssl) != 1 || SSL_write(ssl, "a NOOP\r\n", 8) != 8)
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

static void test_memory_per_idle_connection(void **state)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	struct tn_cert cert;
	unsigned plain_port, tls_port, n = PROBE_CONNS;
	int plain_fd, tls_fd, sv[2], status;
	struct acceptor *plain_acc, *tls_acc;
	struct rlimit rl;
	size_t before, after_plain, after_tls;
	double per_plain, per_tls;
	const char *error;
	pid_t pid;

	/* Room for 2000 sockets plus the test's own descriptors. */
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
	while (p->n_conns < n || p->inputs < n)
		tn_run_for(p->base, 10);
	tn_run_for(p->base, 100); /* idle: everything read, buffers released */
	after_plain = heap_in_use();

	assert_true(wait_byte(p->base, sv[0], 'T'));
	while (p->tls_ready < n || p->inputs < 2 * n)
		tn_run_for(p->base, 10);
	tn_run_for(p->base, 100);
	after_tls = heap_in_use();

	per_plain = (double)(after_plain - before) / n;
	per_tls = (double)(after_tls - after_plain) / n;
	printf("# memory probe (%s): %u idle plain connections: %.0f bytes each; "
	       "%u idle TLS connections (handshake done): %.0f bytes each\n",
#ifdef PROBE_ASAN
	       "ASan allocator, requested bytes",
#else
	       "glibc mallinfo2 uordblks",
#endif
	       n, per_plain, n, per_tls);
	assert_int_equal(p->closed, 0);
	assert_true(per_plain < PLAIN_MAX_BYTES);
	assert_true(per_tls < TLS_MAX_BYTES);

	close(sv[0]); /* the child exits */
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
		cmocka_unit_test(test_memory_per_idle_connection),
	};

	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
