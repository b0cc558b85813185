/* lmtp-load.c — LMTP delivery load: N connections (one process each) send
 * messages to K recipients chosen at random among U users, as fast as the
 * server answers, for a warm-up and then a measured period. Prints
 * key=value lines: messages and copies per second, the time a
 * transaction takes (MAIL FROM to the last reply: median, 99th
 * percentile), errors, and the server's CPU time per message when its pid
 * is given.
 *
 *   lmtp-load --port P | --unix PATH [--connections 1] [--rcpts 1]
 *             [--users 100] [--user-fmt user%u@localhost] [--size 4096]
 *             [--warmup 3] [--duration 20] [--server-pid PID] [--seed 1]
 */
#include "bench-line.h"
#include "load-proc.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SAMPLES 200000

struct opts {
	unsigned port, connections, rcpts, users, size, seed;
	const char *unix_path, *user_fmt;
	char user_pre[64], user_post[64]; /* user_fmt around its %u */
	double warmup, duration;
	pid_t server_pid;
	int size_ext; /* the server offers SIZE (Dovecot's LMTP does not) */
};

struct result {
	uint64_t messages, copies, errors, nsamples;
	uint32_t samples_us[MAX_SAMPLES];
};

static char *body;

static void make_body(unsigned size)
{
	static const char words[] = "the delivery of mail over lmtp is measured here with lines of "
				    "ordinary text that wrap at seventy six characters like most ";
	size_t pos = 0, col = 0;

	body = malloc(size + 3);
	for (size_t i = 0; pos < size; i++) {
		char ch = words[i % (sizeof(words) - 1)];

		if (col >= 72 && ch == ' ') {
			body[pos++] = '\r';
			if (pos < size)
				body[pos++] = '\n';
			col = 0;
			continue;
		}
		body[pos++] = ch;
		col++;
	}
	memcpy(body + size, "\r\n", 3);
}

static int transaction(struct bline *c, const struct opts *o, unsigned *rng, unsigned id,
		       uint64_t *copies_r)
{
	char head[1024], user[160], last[512];
	unsigned chosen[64];
	unsigned n = o->rcpts < 64 ? o->rcpts : 64;
	int len;

	if ((o->size_ext
		     ? bline_printf(c, "MAIL FROM:<bench@load.example> SIZE=%u\r\n", o->size + 400)
		     : bline_printf(c, "MAIL FROM:<bench@load.example>\r\n")) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		unsigned u;
		int dup;

		do { /* distinct recipients */
			u = (unsigned)rand_r(rng) % o->users;
			dup = 0;
			for (unsigned j = 0; j < i; j++)
				dup |= chosen[j] == u;
		} while (dup && o->users >= n);
		chosen[i] = u;
		snprintf(user, sizeof(user), "%s%u%s", o->user_pre, u, o->user_post);
		if (bline_printf(c, "RCPT TO:<%s>\r\n", user) < 0)
			return -1;
	}
	/* PIPELINING (RFC 2920): MAIL and RCPTs in one go, DATA waits. */
	if (bline_write(c, "DATA\r\n", 6) < 0 || bline_reply(c, last, sizeof(last), 30000) != 250)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (bline_reply(c, last, sizeof(last), 30000) != 250)
			return -1;
	if (bline_reply(c, last, sizeof(last), 30000) != 354)
		return -1;
	len = snprintf(
		head, sizeof(head),
		"From: Load <bench@load.example>\r\nTo: <%s>\r\nSubject: load %u.%u\r\n"
		"Message-ID: <%u.%u.%d@load.example>\r\nDate: Thu, 26 Nov 2026 00:00:00 +0000"
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
		user, (unsigned)getpid(), id, (unsigned)getpid(), id, rand_r(rng));
	if (bline_write(c, head, (size_t)len) < 0 || bline_write(c, body, strlen(body)) < 0 ||
	    bline_write(c, ".\r\n", 3) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (bline_reply(c, last, sizeof(last), 60000) != 250)
			return -1;
		else
			(*copies_r)++;
	return 0;
}

/* Connect and LHLO; notes whether the server offers SIZE (RFC 1870). */
static int open_conn(struct bline *c, struct opts *o)
{
	char line[512];

	if (bline_connect(c, "127.0.0.1", o->unix_path ? 0 : o->port, o->unix_path) < 0 ||
	    bline_reply(c, line, sizeof(line), 10000) != 220 ||
	    bline_printf(c, "LHLO load.example\r\n") < 0)
		return -1;
	o->size_ext = 0;
	do {
		if (bline_read(c, line, sizeof(line), 10000) != 1 || strncmp(line, "250", 3) != 0)
			return -1;
		if (strncmp(line + 4, "SIZE", 4) == 0 && (line[8] == '\0' || line[8] == ' '))
			o->size_ext = 1;
	} while (line[3] == '-');
	return 0;
}

/* One connection's loop, in a child process; the result goes to fd. */
static void child(struct opts *o, unsigned index, uint64_t start, int fd)
{
	static struct result r;
	uint64_t measure_from = start + (uint64_t)(o->warmup * 1e6);
	uint64_t until = measure_from + (uint64_t)(o->duration * 1e6);
	unsigned rng = o->seed * 7919u + index;
	struct bline c;
	unsigned id = 0;

	if (open_conn(&c, o) < 0)
		r.errors++;
	while (r.errors == 0 || c.fd >= 0) {
		uint64_t t0 = bline_now_us(), copies = 0;
		int ret;

		if (t0 >= until)
			break;
		ret = transaction(&c, o, &rng, ++id, &copies);
		if (t0 >= measure_from) {
			if (ret == 0) {
				r.messages++;
				r.copies += copies;
				if (r.nsamples < MAX_SAMPLES)
					r.samples_us[r.nsamples++] =
						(uint32_t)(bline_now_us() - t0);
			} else {
				r.errors++;
			}
		}
		if (ret < 0) { /* start over on a new connection */
			bline_close(&c);
			if (open_conn(&c, o) < 0)
				break;
		}
	}
	(void)!write(fd, &r, sizeof(r) - sizeof(r.samples_us) + r.nsamples * sizeof(uint32_t));
	_exit(0);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void collect(int fd, struct result *all)
{
	static struct result r;
	size_t head = sizeof(r) - sizeof(r.samples_us), got = 0;
	ssize_t n;

	memset(&r, 0, head);
	while ((n = read(fd, (char *)&r + got, sizeof(r) - got)) > 0)
		got += (size_t)n;
	if (got < head)
		return;
	all->messages += r.messages;
	all->copies += r.copies;
	all->errors += r.errors;
	for (uint64_t i = 0; i < r.nsamples && all->nsamples < MAX_SAMPLES; i++)
		all->samples_us[all->nsamples++] = r.samples_us[i];
}

static void report(const struct opts *o, struct result *all, double cpu)
{
	double secs = o->duration;
	uint64_t n = all->nsamples;

	qsort(all->samples_us, n, sizeof(uint32_t), cmp_u32);
	printf("mode=lmtp\nconnections=%u\nrcpts=%u\nsize=%u\nseconds=%.1f\n", o->connections,
	       o->rcpts, o->size, secs);
	printf("messages=%llu\ncopies=%llu\nerrors=%llu\n", (unsigned long long)all->messages,
	       (unsigned long long)all->copies, (unsigned long long)all->errors);
	printf("messages_per_sec=%.1f\ncopies_per_sec=%.1f\n", all->messages / secs,
	       all->copies / secs);
	printf("p50_ms=%.2f\np99_ms=%.2f\n", n ? all->samples_us[n / 2] / 1000.0 : 0,
	       n ? all->samples_us[n * 99 / 100] / 1000.0 : 0);
	if (cpu >= 0)
		printf("server_cpu_secs=%.2f\nserver_cpu_ms_per_message=%.3f\n", cpu,
		       all->messages ? cpu * 1000 / all->messages : 0);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"port", 1, NULL, 'p'},        {"unix", 1, NULL, 'U'},
		{"connections", 1, NULL, 'c'}, {"rcpts", 1, NULL, 'r'},
		{"users", 1, NULL, 'u'},       {"user-fmt", 1, NULL, 'f'},
		{"size", 1, NULL, 's'},        {"warmup", 1, NULL, 'w'},
		{"duration", 1, NULL, 'd'},    {"server-pid", 1, NULL, 'P'},
		{"seed", 1, NULL, 'S'},        {NULL, 0, NULL, 0},
	};
	int ch;

	*o = (struct opts){.connections = 1,
			   .rcpts = 1,
			   .users = 100,
			   .size = 4096,
			   .seed = 1,
			   .user_fmt = "user%u@localhost",
			   .warmup = 3,
			   .duration = 20};
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'p':
			o->port = (unsigned)atoi(optarg);
			break;
		case 'U':
			o->unix_path = optarg;
			break;
		case 'c':
			o->connections = (unsigned)atoi(optarg);
			break;
		case 'r':
			o->rcpts = (unsigned)atoi(optarg);
			break;
		case 'u':
			o->users = (unsigned)atoi(optarg);
			break;
		case 'f':
			o->user_fmt = optarg;
			break;
		case 's':
			o->size = (unsigned)atoi(optarg);
			break;
		case 'w':
			o->warmup = atof(optarg);
			break;
		case 'd':
			o->duration = atof(optarg);
			break;
		case 'P':
			o->server_pid = (pid_t)atoi(optarg);
			break;
		case 'S':
			o->seed = (unsigned)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if ((o->port == 0 && o->unix_path == NULL) || o->connections == 0 || o->rcpts == 0 ||
	    o->users == 0 || o->duration <= 0 || strstr(o->user_fmt, "%u") == NULL)
		return -1;
	snprintf(o->user_pre, sizeof(o->user_pre), "%.*s",
		 (int)(strstr(o->user_fmt, "%u") - o->user_fmt), o->user_fmt);
	snprintf(o->user_post, sizeof(o->user_post), "%s", strstr(o->user_fmt, "%u") + 2);
	return 0;
}

/* The server's CPU seconds over the measured period, -1 when not asked. */
static double measure_cpu(const struct opts *o, uint64_t start)
{
	struct load_proc_sample a, b;
	const char *error;
	uint64_t now = bline_now_us(), from = start + (uint64_t)(o->warmup * 1e6);

	if (o->server_pid <= 0)
		return -1;
	if (from > now)
		usleep((useconds_t)(from - now));
	if (load_proc_sample(o->server_pid, 0, &a, &error) < 0)
		return -1;
	usleep((useconds_t)(o->duration * 1e6));
	if (load_proc_sample(o->server_pid, 0, &b, &error) < 0)
		return -1;
	return b.cpu_secs - a.cpu_secs;
}

int main(int argc, char **argv)
{
	static struct result all;
	struct opts o;
	uint64_t start;
	int *fds;
	double cpu;

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: lmtp-load --port P | --unix PATH [--connections N] "
				"[--rcpts K] [--users U] [--user-fmt FMT] [--size B] [--warmup S] "
				"[--duration S] [--server-pid PID] [--seed N]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	make_body(o.size);
	fds = calloc(o.connections, sizeof(*fds));
	start = bline_now_us();
	for (unsigned i = 0; i < o.connections; i++) {
		int p[2];

		if (pipe(p) < 0)
			return 1;
		if (fork() == 0) {
			close(p[0]);
			child(&o, i, start, p[1]);
		}
		close(p[1]);
		fds[i] = p[0];
	}
	cpu = measure_cpu(&o, start);
	for (unsigned i = 0; i < o.connections; i++) {
		collect(fds[i], &all);
		close(fds[i]);
	}
	while (wait(NULL) > 0)
		;
	report(&o, &all, cpu);
	free(fds);
	free(body);
	return all.errors > 0 ? 1 : 0;
}
