/* load.h — the IMAP load generator (imap-load): options, the run shared by
 * every mode, and the modes themselves.
 *
 *   populate  append each user's deterministic mailbox (MULTIAPPEND)
 *   mix       clients run sessions of a realistic command mix; commands/s
 *   logins    connect, LOGIN, LOGOUT as fast as possible; logins/s and the
 *             server's CPU per session
 *   idle      hold connections in IDLE; the server's memory per connection
 *
 * Every reply is parsed by the project's IMAP parser and checked (tagged
 * OK, the FETCH responses asked for, APPENDUID, EXPUNGE); anything else
 * counts as an error, and a run with errors is void. Results go to
 * standard output as "key=value" lines, progress and errors to stderr.
 */
#ifndef HAFEN_BENCH_LOAD_H
#define HAFEN_BENCH_LOAD_H

#include "load-conn.h"
#include "load-stats.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct load_msgpool;

struct load_opts {
	const char *host;
	unsigned port;
	bool tls;                        /* implicit TLS (IMAPS) */
	const char *user_fmt;            /* printf with one %u: the user's index */
	const char *pass_fmt;            /* the same for the password */
	unsigned users;                  /* user indexes 0 .. users-1 */
	unsigned clients;                /* concurrent connections */
	double warmup, duration;         /* seconds (mix) */
	unsigned messages;               /* base messages per INBOX: UIDs 1..messages */
	unsigned session_ops;            /* mix: operations per session between LOGIN and LOGOUT */
	unsigned weights[LOAD_OP_COUNT]; /* mix: relative frequency of each operation */
	unsigned sessions;               /* logins: sessions in all */
	unsigned connections;            /* idle: connections to hold */
	unsigned batch;                  /* populate: messages per MULTIAPPEND */
	double settle;                   /* idle: seconds between the last IDLE and the sample */
	uint64_t seed;
	pid_t server_pid; /* 0: do not sample the server */
	bool verbose;
};

/* What every mode shares. */
struct load_run {
	const struct load_opts *o;
	struct event_base *base;
	struct load_target target;
	struct load_stats stats;
};

/* What a mail client's message list asks for (a list-view FETCH). */
#define LOAD_LISTVIEW_ITEMS                                                                        \
	"(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS "      \
	"(DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES LIST-ID CONTENT-TYPE)])"

/* Fill in the user name or password of user index i. */
void load_user_name(const struct load_opts *o, unsigned i, char *out, size_t size);
void load_user_pass(const struct load_opts *o, unsigned i, char *out, size_t size);
/* Microseconds on the monotonic clock. */
uint64_t load_now_us(void);

/* The modes; each returns the process exit status (0: no error). */
int load_populate(struct load_run *run);
int load_mix(struct load_run *run);
int load_logins(struct load_run *run);
int load_idle(struct load_run *run);

#endif
