/* load-stats.h — counters of a load run: operations, commands, errors, and
 * a latency histogram per operation (log-linear buckets, 1/8 octave, so a
 * percentile is within 12.5 %). */
#ifndef HAFEN_BENCH_LOAD_STATS_H
#define HAFEN_BENCH_LOAD_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* What a session does; each is one or more IMAP commands. */
enum load_op {
	LOAD_OP_LOGIN,    /* connect, greeting, LOGIN */
	LOAD_OP_SELECT,   /* SELECT INBOX */
	LOAD_OP_LISTVIEW, /* UID FETCH of 50 messages: what a mail list shows */
	LOAD_OP_BODY,     /* UID FETCH (RFC822.SIZE BODY.PEEK[]) of one message */
	LOAD_OP_STORE,    /* UID STORE +FLAGS or -FLAGS (\Flagged) */
	LOAD_OP_APPEND,   /* APPEND INBOX (\Seen) {n}: a sent message saved */
	LOAD_OP_EXPUNGE,  /* UID STORE +FLAGS.SILENT (\Deleted), UID EXPUNGE: 2 commands */
	LOAD_OP_IDLE,     /* IDLE, "+", DONE */
	LOAD_OP_NOOP,
	LOAD_OP_SEARCH, /* UID SEARCH UNSEEN */
	LOAD_OP_STATUS, /* STATUS Sent (MESSAGES UIDNEXT UNSEEN) */
	LOAD_OP_LIST,   /* LIST "" "*" */
	LOAD_OP_LOGOUT,
	LOAD_OP_COUNT
};

#define LOAD_HIST_BUCKETS 320 /* up to 2^40 us */

struct load_stats {
	bool measuring;    /* count operations now (errors always count) */
	uint64_t commands; /* tagged completions while measuring */
	uint64_t errors;
	uint64_t ops[LOAD_OP_COUNT];
	uint32_t hist[LOAD_OP_COUNT][LOAD_HIST_BUCKETS];
};

/* The operation's name ("listview") or NULL when out of range. */
const char *load_op_name(enum load_op op);
/* The operation called name, or LOAD_OP_COUNT. */
enum load_op load_op_lookup(const char *name);

/* An operation finished after usec, having run commands tagged commands. */
void load_stats_op(struct load_stats *st, enum load_op op, uint64_t usec, unsigned commands);
/* Count an error and print it (the first 20 in full, then every 1000th). */
void load_stats_error(struct load_stats *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Latency percentile q (0..1) of op in microseconds; 0 without samples. */
uint64_t load_stats_percentile(const struct load_stats *st, enum load_op op, double q);
/* "op.NAME=count p50_ms=.. p99_ms=.." lines for every op that ran. */
void load_stats_print_ops(const struct load_stats *st, FILE *out);
/* Forget what was counted (errors stay). */
void load_stats_reset(struct load_stats *st);

#endif
