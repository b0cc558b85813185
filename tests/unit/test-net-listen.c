/* test-net-listen.c — listener spec parsing and binding: TCP, unix sockets, error lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/listen.h"

static const char *const protos[] = {"imap", "imaps", "lmtp", "pop3", "pop3s", "managesieve", NULL};

struct good_case {
	const char *text;
	const char *proto;
	bool is_unix;
	const char *host; /* NULL: wildcard */
	unsigned port;
	const char *path;
};

static void test_spec_parse_good(void **state)
{
	static const struct good_case cases[] = {
		{"imap=127.0.0.1:143", "imap", false, "127.0.0.1", 143, NULL},
		{"IMAPS=*:993", "imaps", false, NULL, 993, NULL},
		{"imap=[::1]:1143", "imap", false, "::1", 1143, NULL},
		{"imap=[::]:143", "imap", false, "::", 143, NULL},
		{"pop3=mail.example.org:110", "pop3", false, "mail.example.org", 110, NULL},
		{"pop3s=localhost:65535", "pop3s", false, "localhost", 65535, NULL},
		{"managesieve=host-1.example.:4190", "managesieve", false, "host-1.example.", 4190,
		 NULL},
		{"lmtp=unix:/run/hafen/lmtp", "lmtp", true, NULL, 0, "/run/hafen/lmtp"},
		{"lmtp=[fe80::1]:24", "lmtp", false, "fe80::1", 24, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct good_case *c = &cases[i];
		struct listen_spec spec;
		const char *error = NULL;

		if (listen_spec_parse(c->text, protos, &spec, &error) != 0)
			fail_msg("%s: %s", c->text, error);
		assert_string_equal(spec.proto, c->proto);
		assert_int_equal(spec.is_unix, c->is_unix);
		if (c->host == NULL)
			assert_null(spec.host);
		else
			assert_string_equal(spec.host, c->host);
		assert_int_equal(spec.port, c->port);
		if (c->path == NULL)
			assert_null(spec.path);
		else
			assert_string_equal(spec.path, c->path);
		listen_spec_clear(&spec);
		assert_null(spec.host);
	}
}

struct bad_case {
	const char *text;
	const char *error; /* expected message, or a substring of it */
};

static void test_spec_parse_bad(void **state)
{
	char longpath[200];
	char longspec[2000];
	static const struct bad_case cases[] = {
		{"imap", "\"imap\": expected PROTO=ADDR:PORT or PROTO=unix:/path"},
		{"=1.2.3.4:143", "expected PROTO=ADDR:PORT"},
		{"smtp=*:25", "\"smtp=*:25\": unknown protocol \"smtp\""},
		{"imap=", "imap: missing address: write ADDR:PORT or unix:/path"},
		{"imap=127.0.0.1", "imap: missing port: write ADDR:PORT, e.g. *:143"},
		{"imap=127.0.0.1:", "imap: missing port after ':'"},
		{"imap=:143", "imap: missing address before ':' (use * for every address)"},
		{"imap=*:0", "imap: port \"0\" must be a number from 1 to 65535"},
		{"imap=*:65536", "imap: port \"65536\" must be a number from 1 to 65535"},
		{"imap=*:+143", "must be a number"},
		{"imap=*:14 3", "must be a number"},
		{"imap=*:imap", "must be a number"},
		{"imap=::1:143", "imap: an IPv6 address must be in brackets, e.g. [::1]:143"},
		{"imap=[::1]143", "imap: expected ':' and a port after ']'"},
		{"imap=[::1:143", "imap: missing ']' after the IPv6 address"},
		{"imap=[1.2.3.4]:143", "imap: \"[1.2.3.4]\" is not a valid IPv6 address"},
		{"imap=[::g]:143", "is not a valid IPv6 address"},
		{"imap=[]:143", "is not a valid IPv6 address"},
		{"imap=bad_host:143", "imap: \"bad_host\" is not an IP address or host name"},
		{"imap=-host:143", "is not an IP address or host name"},
		{"imap=host-.x:143", "is not an IP address or host name"},
		{"imap=a..b:143", "is not an IP address or host name"},
		{"imap=**:143", "is not an IP address or host name"},
		{"lmtp=unix:relative/path",
		 "lmtp: unix socket path must be absolute: \"relative/path\""},
		{"lmtp=unix:", "must be absolute"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listen_spec spec;
		const char *error = NULL;

		if (listen_spec_parse(cases[i].text, protos, &spec, &error) != -1)
			fail_msg("%s: accepted", cases[i].text);
		assert_non_null(error);
		if (strstr(error, cases[i].error) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].text, error,
				 cases[i].error);
		assert_null(spec.host);
		assert_null(spec.path);
	}

	/* A 64-byte label, a too long path, a too long spec. */
	{
		struct listen_spec spec;
		const char *error;
		char label[100];

		memset(label, 'a', 64);
		snprintf(label + 64, sizeof(label) - 64, ".org:143");
		snprintf(longspec, sizeof(longspec), "imap=%s", label);
		assert_int_equal(listen_spec_parse(longspec, protos, &spec, &error), -1);
		assert_non_null(strstr(error, "is not an IP address or host name"));

		memset(longpath, 'p', sizeof(longpath) - 1);
		longpath[0] = '/';
		longpath[sizeof(longpath) - 1] = '\0';
		snprintf(longspec, sizeof(longspec), "lmtp=unix:%s", longpath);
		assert_int_equal(listen_spec_parse(longspec, protos, &spec, &error), -1);
		assert_string_equal(error,
				    "lmtp: unix socket path is 199 bytes long, the limit is 107");

		memset(longspec, 'x', sizeof(longspec) - 1);
		longspec[sizeof(longspec) - 1] = '\0';
		memcpy(longspec, "imap=", 5);
		assert_int_equal(listen_spec_parse(longspec, protos, &spec, &error), -1);
		assert_string_equal(error, "listener spec is longer than 1024 bytes");
	}
}

static void test_bind_error_text(void **state)
{
	static const struct {
		const char *proto, *host;
		unsigned port;
		int err;
		const char *want;
	} cases[] = {
		{"imap", "127.0.0.1", 143, EADDRINUSE, "imap: 127.0.0.1:143 is already in use"},
		{"imap", "::1", 143, EADDRINUSE, "imap: [::1]:143 is already in use"},
		{"imaps", "0.0.0.0", 993, EACCES,
		 "imaps: cannot bind port 993 on 0.0.0.0: permission denied (need root or "
		 "CAP_NET_BIND_SERVICE)"},
		{"imap", "0.0.0.0", 1143, EACCES,
		 "imap: cannot bind port 1143 on 0.0.0.0: "
		 "permission denied"},
		{"pop3", "10.9.9.9", 110, EADDRNOTAVAIL,
		 "pop3: cannot bind 10.9.9.9:110: no such address on this host"},
		{"pop3", "::", 110, EAFNOSUPPORT,
		 "pop3: cannot bind [::]:110: IPv6 is not enabled on this host"},
		{"pop3", "1.2.3.4", 110, ENOBUFS, "pop3: cannot bind 1.2.3.4:110: "},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = listen_bind_error_text(cases[i].proto, cases[i].host,
							 cases[i].port, cases[i].err);

		if (strncmp(got, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("got \"%s\", want \"%s\"", got, cases[i].want);
	}
}

static struct listen_spec parse_ok(const char *text)
{
	struct listen_spec spec;
	const char *error;

	if (listen_spec_parse(text, protos, &spec, &error) != 0)
		fail_msg("%s: %s", text, error);
	return spec;
}

static unsigned bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A free port on both wildcards: bind port 0 and read the number back. */
static unsigned free_port(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	unsigned port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&s6, sizeof(s6)), 0);
	port = bound_port(fd);
	close(fd);
	return port;
}

static void test_bind_tcp_and_in_use(void **state)
{
	struct listen_set set = {0};
	struct listen_spec spec;
	const char *error;
	char text[64];
	unsigned port = free_port();
	int flags;

	snprintf(text, sizeof(text), "imap=127.0.0.1:%u", port);
	spec = parse_ok(text);
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), 0);
	assert_int_equal(set.count, 1);
	assert_string_equal(set.items[0].proto, "imap");
	snprintf(text, sizeof(text), "127.0.0.1:%u", port);
	assert_string_equal(set.items[0].name, text);
	assert_null(set.items[0].path);
	assert_int_equal(bound_port(set.items[0].fd), port);
	/* Non-blocking and close-on-exec. */
	assert_true(fcntl(set.items[0].fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(set.items[0].fd, F_GETFD) & FD_CLOEXEC);

	/* The same address again: the port is taken. */
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), -1);
	snprintf(text, sizeof(text), "imap: 127.0.0.1:%u is already in use", port);
	assert_string_equal(error, text);
	assert_int_equal(set.count, 1);

	/* "*" then collides on 0.0.0.0 and keeps nothing of itself. */
	listen_spec_clear(&spec);
	snprintf(text, sizeof(text), "imaps=*:%u", port);
	spec = parse_ok(text);
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), -1);
	assert_int_equal(set.count, 1);

	/* Inheritable toggles FD_CLOEXEC. */
	assert_int_equal(listen_set_inheritable(&set, true, &error), 0);
	flags = fcntl(set.items[0].fd, F_GETFD);
	assert_false(flags & FD_CLOEXEC);
	assert_int_equal(listen_set_inheritable(&set, false, &error), 0);
	assert_true(fcntl(set.items[0].fd, F_GETFD) & FD_CLOEXEC);

	listen_set_close(&set, true);
	assert_int_equal(set.count, 0);
	assert_null(set.items);
	listen_spec_clear(&spec);
}

static void test_bind_wildcard_and_v6(void **state)
{
	struct listen_set set = {0};
	struct listen_spec spec;
	const char *error;
	char text[64];
	unsigned port = free_port();

	snprintf(text, sizeof(text), "imap=*:%u", port);
	spec = parse_ok(text);
	if (listen_set_bind(&set, &spec, NULL, &error) != 0)
		fail_msg("%s", error);
	/* 0.0.0.0 always; [::] when the host has IPv6 (V6ONLY lets both coexist). */
	assert_true(set.count == 1 || set.count == 2);
	snprintf(text, sizeof(text), "0.0.0.0:%u", port);
	assert_string_equal(set.items[0].name, text);
	if (set.count == 2) {
		snprintf(text, sizeof(text), "[::]:%u", port);
		assert_string_equal(set.items[1].name, text);
	}
	listen_spec_clear(&spec);

	/* localhost resolves to 127.0.0.1 (and maybe ::1); each address once. */
	port = free_port();
	snprintf(text, sizeof(text), "pop3=localhost:%u", port);
	spec = parse_ok(text);
	if (listen_set_bind(&set, &spec, NULL, &error) != 0)
		fail_msg("%s", error);
	assert_true(set.count >= 2 && set.count <= 4);
	listen_spec_clear(&spec);

	/* Nonexistent host names fail with a resolver message. */
	spec = parse_ok("pop3=no-such-host.invalid:110");
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), -1);
	assert_non_null(strstr(error, "pop3: cannot resolve \"no-such-host.invalid\": "));
	listen_spec_clear(&spec);

	/* An address this host does not have. */
	spec = parse_ok("pop3=192.0.2.1:110");
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), -1);
	assert_string_equal(error, "pop3: cannot bind 192.0.2.1:110: no such address on this host");
	listen_spec_clear(&spec);
	listen_set_close(&set, false);
}

/* Binding a privileged port as an unprivileged user gives the root hint. */
static void test_bind_permission_denied(void **state)
{
	struct listen_spec spec = parse_ok("imaps=127.0.0.1:993");
	int pipefd[2];
	char msg[512] = "";
	ssize_t n;
	pid_t pid;
	int status;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	unsigned start = 1024;

	if (f != NULL) {
		if (fscanf(f, "%u", &start) != 1)
			start = 1024;
		fclose(f);
	}
	if (start <= 993) {
		listen_spec_clear(&spec);
		skip(); /* every user may bind low ports on this host */
	}
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct listen_set set = {0};
		const char *error = "bound";

		close(pipefd[0]);
		if (getuid() == 0 && setuid(65534) < 0)
			_exit(2);
		if (listen_set_bind(&set, &spec, NULL, &error) == 0)
			error = "bound";
		if (write(pipefd[1], error, strlen(error)) < 0)
			_exit(3);
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, sizeof(msg) - 1);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_string_equal(msg, "imaps: cannot bind port 993 on 127.0.0.1: permission denied "
				 "(need root or CAP_NET_BIND_SERVICE)");
	listen_spec_clear(&spec);
}

static void test_bind_unix(void **state)
{
	char dir[] = "/tmp/hafen-test-listen-XXXXXX";
	char path[200], text[300];
	struct listen_set set = {0};
	struct listen_options opts = LISTEN_OPTIONS_INIT;
	struct listen_spec spec;
	const char *error;
	struct stat st;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lmtp", dir);
	snprintf(text, sizeof(text), "lmtp=unix:%s", path);
	spec = parse_ok(text);

	/* Fresh bind with a configured mode (and owner: our own, which any
	 * user may set). */
	opts.unix_mode = 0600;
	opts.unix_uid = getuid();
	opts.unix_gid = getgid();
	assert_int_equal(listen_set_bind(&set, &spec, &opts, &error), 0);
	assert_int_equal(set.count, 1);
	snprintf(text, sizeof(text), "unix:%s", path);
	assert_string_equal(set.items[0].name, text);
	assert_string_equal(set.items[0].path, path);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, getuid());

	/* A live socket is not replaced. */
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), -1);
	snprintf(text, sizeof(text), "lmtp: unix:%s is already in use by a running process", path);
	assert_string_equal(error, text);

	/* Close without unlinking: a stale socket file remains, and is replaced. */
	listen_set_close(&set, false);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, LISTEN_DEFAULT_UNIX_MODE);
	listen_set_close(&set, true);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);

	/* A regular file is never removed. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), -1);
	snprintf(text, sizeof(text), "lmtp: unix:%s: exists and is not a socket; not removing it",
		 path);
	assert_string_equal(error, text);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(unlink(path), 0);
	listen_spec_clear(&spec);

	/* A missing directory. */
	snprintf(text, sizeof(text), "lmtp=unix:%s/no/such/lmtp", dir);
	spec = parse_ok(text);
	assert_int_equal(listen_set_bind(&set, &spec, NULL, &error), -1);
	snprintf(text, sizeof(text), "lmtp: unix:%s/no/such/lmtp: directory does not exist", dir);
	assert_string_equal(error, text);
	listen_spec_clear(&spec);
	assert_int_equal(set.count, 0);
	listen_set_close(&set, true);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_parse_good),
		cmocka_unit_test(test_spec_parse_bad),
		cmocka_unit_test(test_bind_error_text),
		cmocka_unit_test(test_bind_tcp_and_in_use),
		cmocka_unit_test(test_bind_wildcard_and_v6),
		cmocka_unit_test(test_bind_permission_denied),
		cmocka_unit_test(test_bind_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
