/* push-latency.c — how long after a delivery is acknowledged an IMAP
 * client in IDLE sees "* N EXISTS". K connections of one user IDLE on
 * INBOX; for each sample a message is delivered by one of:
 *   --lmtp-port L    an LMTP transaction; the acknowledgement is the 250
 *   --deliver-cmd C  a command (hafend deliver, dovecot-lda) reading the
 *                    message on stdin; the acknowledgement is its exit
 *   --append         APPEND from another IMAP session; the tagged OK
 * and every event is time-stamped as it is read (poll over all sockets),
 * so "EXISTS before the acknowledgement" is seen as such. Prints key=value
 * lines: per connection and sample, ack -> EXISTS (negative values count
 * as 0: the client had the news first) and end of message -> EXISTS,
 * median, 99th percentile and maximum in milliseconds.
 * With --logins N it then times N logins one after the other (connect,
 * greeting, LOGIN, SELECT INBOX, tagged OK), the responsiveness probe
 * run while thousands of other connections sit in IDLE; --samples 0
 * with --logins runs the probe alone.
 *
 *   push-latency --imap-port P (--lmtp-port L [--rcpt ADDR] |
 *                --deliver-cmd CMD | --append) --user U --pass W
 *                [--idlers 4] [--samples 200] [--interval-ms 20]
 *                [--logins N]
 */
#include "bench-line.h"

#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_IDLERS  64
#define MAX_SAMPLES 10000

enum via { VIA_LMTP, VIA_DELIVER, VIA_APPEND };

struct opts {
	unsigned imap_port, lmtp_port, idlers, samples, interval_ms, logins;
	const char *user, *pass, *rcpt, *cmd;
	enum via via;
};

static struct bline idlers[MAX_IDLERS];
static unsigned exists_count;
static double *ack_ms, *sent_ms;
static size_t nack, nsent, early;

static int die(const char *what)
{
	fprintf(stderr, "push-latency: %s\n", what);
	exit(1);
}

/* Wait for the tagged reply of tag; keep the last EXISTS count seen. */
static void imap_tagged(struct bline *c, const char *tag)
{
	char line[4096];
	size_t tl = strlen(tag);
	unsigned n;

	for (;;) {
		if (bline_read(c, line, sizeof(line), 10000) != 1)
			die("IMAP connection lost");
		if (sscanf(line, "* %u EXISTS", &n) == 1)
			exists_count = n;
		if (strncmp(line, tag, tl) == 0 && line[tl] == ' ') {
			if (strncmp(line + tl + 1, "OK", 2) != 0)
				die(line);
			return;
		}
	}
}

static void imap_open(struct bline *c, const struct opts *o, bool idle)
{
	char line[4096];

	if (bline_connect(c, "127.0.0.1", o->imap_port, NULL) < 0 ||
	    bline_read(c, line, sizeof(line), 10000) != 1)
		die("cannot connect to IMAP");
	bline_printf(c, "a LOGIN \"%s\" \"%s\"\r\n", o->user, o->pass);
	imap_tagged(c, "a");
	bline_printf(c, "b SELECT INBOX\r\n");
	imap_tagged(c, "b");
	if (!idle)
		return;
	bline_printf(c, "c IDLE\r\n");
	do
		if (bline_read(c, line, sizeof(line), 10000) != 1)
			die("no IDLE continuation");
	while (line[0] != '+');
}

static const char *sample_message(unsigned i, size_t *len_r)
{
	static char msg[2048];
	int n = snprintf(msg, sizeof(msg),
			 "From: Probe <probe@push.example>\r\nTo: <%s>\r\nSubject: push %u\r\n"
			 "Message-ID: <push.%u.%d@push.example>\r\n\r\nA short message to "
			 "time the push.\r\n",
			 "rcpt", i, i, (int)getpid());

	*len_r = (size_t)n;
	return msg;
}

/* Start a delivery; returns the fd whose event is the acknowledgement. */
struct ack_src {
	struct bline *conn; /* LMTP or APPEND session */
	int pipe_fd;        /* deliver command: its output closes at exit */
	pid_t pid;
	uint64_t sent_us;
};

static void start_lmtp(struct bline *l, const struct opts *o, unsigned i, struct ack_src *a)
{
	char last[512];
	size_t len;
	const char *msg = sample_message(i, &len);

	bline_printf(l, "MAIL FROM:<probe@push.example>\r\nRCPT TO:<%s>\r\nDATA\r\n", o->rcpt);
	if (bline_reply(l, last, sizeof(last), 10000) != 250 ||
	    bline_reply(l, last, sizeof(last), 10000) != 250 ||
	    bline_reply(l, last, sizeof(last), 10000) != 354)
		die(last);
	bline_write(l, msg, len);
	bline_write(l, ".\r\n", 3);
	a->conn = l;
	a->sent_us = bline_now_us();
}

static void start_append(struct bline *c, unsigned i, struct ack_src *a)
{
	size_t len;
	const char *msg = sample_message(i, &len);

	/* LITERAL+ would save a round trip; both servers offer it */
	bline_printf(c, "p APPEND INBOX {%zu+}\r\n", len);
	bline_write(c, msg, len);
	bline_write(c, "\r\n", 2);
	a->conn = c;
	a->sent_us = bline_now_us();
}

static void start_deliver(const struct opts *o, unsigned i, struct ack_src *a)
{
	int in[2], out[2];
	size_t len;
	const char *msg = sample_message(i, &len);

	if (pipe(in) < 0 || pipe(out) < 0)
		die("pipe");
	a->pid = fork();
	if (a->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		execl("/bin/sh", "sh", "-c", o->cmd, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	(void)!write(in[1], msg, len);
	close(in[1]);
	a->sent_us = bline_now_us();
	a->pipe_fd = out[0];
	a->conn = NULL;
}

/* Has the acknowledgement arrived? (the source fd was readable) */
static bool ack_event(struct ack_src *a)
{
	char buf[512];

	if (a->conn != NULL) {
		if (bline_fill(a->conn) < 0)
			die("delivery connection lost");
		while (bline_has_line(a->conn)) {
			bline_read(a->conn, buf, sizeof(buf), 0);
			if (buf[0] == '2' || (buf[0] == 'p' && strncmp(buf, "p OK", 4) == 0))
				return true;
			if (buf[0] != '*')
				die(buf);
		}
		return false;
	}
	if (read(a->pipe_fd, buf, sizeof(buf)) > 0)
		return false;
	close(a->pipe_fd);
	{
		int status;

		waitpid(a->pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			die("the deliver command failed");
	}
	return true;
}

/* An IDLE connection became readable: the time when it says EXISTS. */
static bool idler_event(struct bline *c, unsigned want, uint64_t *when)
{
	char line[1024];
	unsigned n;

	if (bline_fill(c) < 0)
		die("IDLE connection lost");
	while (bline_has_line(c)) {
		bline_read(c, line, sizeof(line), 0);
		if (sscanf(line, "* %u EXISTS", &n) == 1 && n >= want) {
			*when = bline_now_us();
			return true;
		}
	}
	return false;
}

static void one_sample(const struct opts *o, struct ack_src *a, unsigned want)
{
	struct pollfd p[MAX_IDLERS + 1];
	uint64_t seen[MAX_IDLERS] = {0}, ack = 0;
	unsigned left = o->idlers;

	while (left > 0 || ack == 0) {
		for (unsigned k = 0; k < o->idlers; k++)
			p[k] = (struct pollfd){.fd = seen[k] ? -1 : idlers[k].fd, .events = POLLIN};
		p[o->idlers] = (struct pollfd){
			.fd = ack ? -1 : (a->conn ? a->conn->fd : a->pipe_fd), .events = POLLIN};
		if (poll(p, o->idlers + 1, 10000) <= 0)
			die("timeout waiting for EXISTS or the acknowledgement");
		for (unsigned k = 0; k < o->idlers; k++)
			if (p[k].revents && idler_event(&idlers[k], want, &seen[k]))
				left--;
		if (p[o->idlers].revents && ack_event(a))
			ack = bline_now_us();
	}
	for (unsigned k = 0; k < o->idlers; k++) {
		double d = ((double)seen[k] - (double)ack) / 1000.0;

		early += d < 0;
		ack_ms[nack++] = d < 0 ? 0 : d;
		sent_ms[nsent++] = ((double)seen[k] - (double)a->sent_us) / 1000.0;
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_dist(const char *name, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	printf("%s_p50_ms=%.3f\n%s_p99_ms=%.3f\n%s_max_ms=%.3f\n", name, v[n / 2], name,
	       v[n * 99 / 100], name, v[n - 1]);
}

/* Time o->logins sessions from connect to SELECT's OK, one at a time. */
static void login_probe(const struct opts *o)
{
	double *ms = calloc(o->logins, sizeof(double));

	for (unsigned i = 0; i < o->logins; i++) {
		struct bline c;
		uint64_t t0 = bline_now_us();

		imap_open(&c, o, false);
		ms[i] = (double)(bline_now_us() - t0) / 1000.0;
		bline_printf(&c, "z LOGOUT\r\n");
		bline_close(&c);
		usleep(o->interval_ms * 1000);
	}
	printf("logins=%u\n", o->logins);
	print_dist("login", ms, o->logins);
	free(ms);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"imap-port", 1, NULL, 'i'},   {"lmtp-port", 1, NULL, 'l'},
		{"deliver-cmd", 1, NULL, 'd'}, {"append", 0, NULL, 'a'},
		{"user", 1, NULL, 'u'},        {"pass", 1, NULL, 'p'},
		{"rcpt", 1, NULL, 'r'},        {"idlers", 1, NULL, 'k'},
		{"samples", 1, NULL, 'n'},     {"interval-ms", 1, NULL, 't'},
		{"logins", 1, NULL, 'L'},      {NULL, 0, NULL, 0},
	};
	int ch, vias = 0;

	*o = (struct opts){.idlers = 4, .samples = 200, .interval_ms = 20};
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'i':
			o->imap_port = (unsigned)atoi(optarg);
			break;
		case 'l':
			o->lmtp_port = (unsigned)atoi(optarg);
			o->via = VIA_LMTP;
			vias++;
			break;
		case 'd':
			o->cmd = optarg;
			o->via = VIA_DELIVER;
			vias++;
			break;
		case 'a':
			o->via = VIA_APPEND;
			vias++;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'p':
			o->pass = optarg;
			break;
		case 'r':
			o->rcpt = optarg;
			break;
		case 'k':
			o->idlers = (unsigned)atoi(optarg);
			break;
		case 'n':
			o->samples = (unsigned)atoi(optarg);
			break;
		case 't':
			o->interval_ms = (unsigned)atoi(optarg);
			break;
		case 'L':
			o->logins = (unsigned)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (o->rcpt == NULL)
		o->rcpt = o->user;
	if (o->samples == 0) /* the login probe alone */
		return o->imap_port && o->user && o->pass && o->logins > 0 ? 0 : -1;
	return vias == 1 && o->imap_port && o->user && o->pass && o->idlers > 0 &&
			       o->idlers <= MAX_IDLERS && o->samples <= MAX_SAMPLES
		       ? 0
		       : -1;
}

int main(int argc, char **argv)
{
	static const char *const via_names[] = {"lmtp", "deliver", "append"};
	struct bline sender;
	struct opts o;
	char last[512];

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr,
			"usage: push-latency --imap-port P (--lmtp-port L | --deliver-cmd C"
			" | --append) --user U --pass W [--rcpt A] [--idlers K] [--samples N]"
			" [--interval-ms MS] [--logins N]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (o.samples == 0) {
		login_probe(&o);
		return 0;
	}
	ack_ms = calloc((size_t)o.samples * o.idlers, sizeof(double));
	sent_ms = calloc((size_t)o.samples * o.idlers, sizeof(double));
	for (unsigned k = 0; k < o.idlers; k++)
		imap_open(&idlers[k], &o, true);
	if (o.via == VIA_LMTP && (bline_connect(&sender, "127.0.0.1", o.lmtp_port, NULL) < 0 ||
				  bline_reply(&sender, last, sizeof(last), 10000) != 220 ||
				  bline_printf(&sender, "LHLO push.example\r\n") < 0 ||
				  bline_reply(&sender, last, sizeof(last), 10000) != 250))
		die("cannot reach LMTP");
	if (o.via == VIA_APPEND)
		imap_open(&sender, &o, false);
	for (unsigned i = 0; i < o.samples; i++) {
		struct ack_src a = {0};

		if (o.via == VIA_LMTP)
			start_lmtp(&sender, &o, i, &a);
		else if (o.via == VIA_APPEND)
			start_append(&sender, i, &a);
		else
			start_deliver(&o, i, &a);
		one_sample(&o, &a, ++exists_count);
		usleep(o.interval_ms * 1000);
	}
	printf("mode=push\nvia=%s\nidlers=%u\nsamples=%u\n", via_names[o.via], o.idlers, o.samples);
	printf("exists_before_ack_pct=%.1f\n", 100.0 * (double)early / (double)nack);
	print_dist("ack_to_exists", ack_ms, nack);
	print_dist("sent_to_exists", sent_ms, nsent);
	if (o.logins > 0)
		login_probe(&o);
	for (unsigned k = 0; k < o.idlers; k++)
		bline_close(&idlers[k]);
	free(ack_ms);
	free(sent_ms);
	return 0;
}
