/* load-main.c — imap-load's command line: options, the target, the mode. */
#include "load.h"
#include "lib/str.h"

#include <event2/event.h>
#include <getopt.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char usage[] =
	"usage: imap-load populate|mix|logins|idle [options]\n"
	"  --host H --port P [--tls]   server (127.0.0.1:143); --tls: implicit TLS\n"
	"  --user FMT --pass FMT       user name and password, %u = index (user%u, pass%u)\n"
	"  --users N                   user indexes 0..N-1 (100)\n"
	"  --messages N                base messages per INBOX, UIDs 1..N (1000)\n"
	"  --clients N                 concurrent connections (20)\n"
	"  --warmup S --duration S     mix: seconds before and of the measurement (5, 30)\n"
	"  --session-ops N             mix: operations between SELECT and LOGOUT (20)\n"
	"  --mix OP=W,...              mix: weights of listview body store append expunge\n"
	"                              idle noop search status list\n"
	"  --sessions N                logins: sessions in all (2000)\n"
	"  --connections N             idle: connections to hold (1000)\n"
	"  --batch N                   populate: messages per MULTIAPPEND (50)\n"
	"  --settle S                  idle, logins: seconds before the last sample (2)\n"
	"  --seed N                    mail and choices (1)\n"
	"  --server-pid PID            sample this process tree's CPU and memory\n"
	"  --verbose\n";

enum {
	OPT_HOST = 256,
	OPT_PORT,
	OPT_TLS,
	OPT_USER,
	OPT_PASS,
	OPT_USERS,
	OPT_MESSAGES,
	OPT_CLIENTS,
	OPT_WARMUP,
	OPT_DURATION,
	OPT_SESSION_OPS,
	OPT_MIX,
	OPT_SESSIONS,
	OPT_CONNECTIONS,
	OPT_BATCH,
	OPT_SETTLE,
	OPT_SEED,
	OPT_SERVER_PID,
	OPT_VERBOSE,
};

static const struct option long_opts[] = {
	{"host", required_argument, NULL, OPT_HOST},
	{"port", required_argument, NULL, OPT_PORT},
	{"tls", no_argument, NULL, OPT_TLS},
	{"user", required_argument, NULL, OPT_USER},
	{"pass", required_argument, NULL, OPT_PASS},
	{"users", required_argument, NULL, OPT_USERS},
	{"messages", required_argument, NULL, OPT_MESSAGES},
	{"clients", required_argument, NULL, OPT_CLIENTS},
	{"warmup", required_argument, NULL, OPT_WARMUP},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"session-ops", required_argument, NULL, OPT_SESSION_OPS},
	{"mix", required_argument, NULL, OPT_MIX},
	{"sessions", required_argument, NULL, OPT_SESSIONS},
	{"connections", required_argument, NULL, OPT_CONNECTIONS},
	{"batch", required_argument, NULL, OPT_BATCH},
	{"settle", required_argument, NULL, OPT_SETTLE},
	{"seed", required_argument, NULL, OPT_SEED},
	{"server-pid", required_argument, NULL, OPT_SERVER_PID},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{NULL, 0, NULL, 0},
};

/* The default mix: what a mail client does once a mailbox is open. */
static void default_weights(unsigned *w)
{
	memset(w, 0, sizeof(unsigned) * LOAD_OP_COUNT);
	w[LOAD_OP_LISTVIEW] = 10;
	w[LOAD_OP_BODY] = 25;
	w[LOAD_OP_STORE] = 15;
	w[LOAD_OP_APPEND] = 5;
	w[LOAD_OP_EXPUNGE] = 5;
	w[LOAD_OP_IDLE] = 10;
	w[LOAD_OP_NOOP] = 10;
	w[LOAD_OP_SEARCH] = 5;
	w[LOAD_OP_STATUS] = 5;
	w[LOAD_OP_LIST] = 5;
}

static void defaults(struct load_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = 143;
	o->user_fmt = "user%u";
	o->pass_fmt = "pass%u";
	o->users = 100;
	o->messages = 1000;
	o->clients = 20;
	o->warmup = 5;
	o->duration = 30;
	o->session_ops = 20;
	o->sessions = 2000;
	o->connections = 1000;
	o->batch = 50;
	o->settle = 2;
	o->seed = 1;
	default_weights(o->weights);
}

/* "listview=10,body=25": ops not named get weight 0. */
static int parse_mix(const char *arg, unsigned *w)
{
	char copy[512], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", arg);
	memset(w, 0, sizeof(unsigned) * LOAD_OP_COUNT);
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		uint32_t v;
		enum load_op op;

		if (eq == NULL)
			return -1;
		*eq = '\0';
		op = load_op_lookup(item);
		if (op == LOAD_OP_COUNT || op == LOAD_OP_LOGIN || op == LOAD_OP_SELECT ||
		    op == LOAD_OP_LOGOUT || !str_to_u32(eq + 1, strlen(eq + 1), &v) || v > 1000000)
			return -1;
		w[op] = v;
	}
	return 0;
}

static int parse_uint(const char *arg, unsigned *v)
{
	uint32_t x;

	if (!str_to_u32(arg, strlen(arg), &x))
		return -1;
	*v = x;
	return 0;
}

static int parse_secs(const char *arg, double *v)
{
	char *end;

	*v = strtod(arg, &end);
	return *end == '\0' && *v >= 0 && *v < 86400 ? 0 : -1;
}

static int parse_option(struct load_opts *o, int c, const char *arg)
{
	unsigned u;

	switch (c) {
	case OPT_HOST:
		o->host = arg;
		return 0;
	case OPT_PORT:
		return parse_uint(arg, &o->port) < 0 || o->port > 65535 ? -1 : 0;
	case OPT_TLS:
		o->tls = true;
		return 0;
	case OPT_USER:
		o->user_fmt = arg;
		return 0;
	case OPT_PASS:
		o->pass_fmt = arg;
		return 0;
	case OPT_USERS:
		return parse_uint(arg, &o->users);
	case OPT_MESSAGES:
		return parse_uint(arg, &o->messages);
	case OPT_CLIENTS:
		return parse_uint(arg, &o->clients) < 0 || o->clients == 0 ? -1 : 0;
	case OPT_WARMUP:
		return parse_secs(arg, &o->warmup);
	case OPT_DURATION:
		return parse_secs(arg, &o->duration);
	case OPT_SESSION_OPS:
		return parse_uint(arg, &o->session_ops);
	case OPT_MIX:
		return parse_mix(arg, o->weights);
	case OPT_SESSIONS:
		return parse_uint(arg, &o->sessions);
	case OPT_CONNECTIONS:
		return parse_uint(arg, &o->connections);
	case OPT_BATCH:
		return parse_uint(arg, &o->batch);
	case OPT_SETTLE:
		return parse_secs(arg, &o->settle);
	case OPT_SEED:
		return parse_uint(arg, &u) < 0 ? -1 : (o->seed = u, 0);
	case OPT_SERVER_PID:
		return parse_uint(arg, &u) < 0 ? -1 : (o->server_pid = (pid_t)u, 0);
	case OPT_VERBOSE:
		o->verbose = true;
		return 0;
	default:
		return -1;
	}
}

/* The user formats take exactly one %u and nothing else with a %. */
static int check_format(const char *fmt)
{
	const char *p = strchr(fmt, '%');

	return p != NULL && p[1] == 'u' && strchr(p + 2, '%') == NULL && strchr(fmt, '"') == NULL
		       ? 0
		       : -1;
}

/* The formats were checked by check_format(): one %u, nothing else. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void format_index(const char *fmt, unsigned i, char *out, size_t size)
{
	snprintf(out, size, fmt, i);
}
#pragma GCC diagnostic pop

void load_user_name(const struct load_opts *o, unsigned i, char *out, size_t size)
{
	format_index(o->user_fmt, i, out, size);
}

void load_user_pass(const struct load_opts *o, unsigned i, char *out, size_t size)
{
	format_index(o->pass_fmt, i, out, size);
}

uint64_t load_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int resolve(const struct load_opts *o, struct load_target *t)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	char port[16];
	int ret;

	snprintf(port, sizeof(port), "%u", o->port);
	ret = getaddrinfo(o->host, port, &hints, &ai);
	if (ret != 0) {
		fprintf(stderr, "imap-load: %s: %s\n", o->host, gai_strerror(ret));
		return -1;
	}
	memcpy(&t->addr, ai->ai_addr, ai->ai_addrlen);
	t->addr_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A thousand connections need more descriptors than the usual soft limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int run_mode(const char *mode, struct load_run *run)
{
	if (strcmp(mode, "populate") == 0)
		return load_populate(run);
	if (strcmp(mode, "mix") == 0)
		return load_mix(run);
	if (strcmp(mode, "logins") == 0)
		return load_logins(run);
	if (strcmp(mode, "idle") == 0)
		return load_idle(run);
	fputs(usage, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct load_opts o;
	struct load_run run;
	int c, ret;

	defaults(&o);
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (parse_option(&o, c, optarg) < 0) {
			fprintf(stderr, "imap-load: bad option%s%s\n%s", optarg ? " value " : "",
				optarg ? optarg : "", usage);
			return 2;
		}
	}
	if (optind + 1 != argc || check_format(o.user_fmt) < 0 || check_format(o.pass_fmt) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	memset(&run, 0, sizeof(run));
	run.o = &o;
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	if (resolve(&o, &run.target) < 0)
		return 2;
	if (o.tls && (run.target.tls = load_tls_client_ctx()) == NULL) {
		fprintf(stderr, "imap-load: cannot create a TLS context\n");
		return 2;
	}
	run.base = event_base_new();
	ret = run_mode(argv[optind], &run);
	event_base_free(run.base);
	if (run.target.tls != NULL)
		SSL_CTX_free(run.target.tls);
	return ret;
}
