/* load-stats.c — operation counters and latency histograms. */
#include "load-stats.h"

#include <stdarg.h>
#include <string.h>

static const char *const op_names[LOAD_OP_COUNT] = {
	[LOAD_OP_LOGIN] = "login",     [LOAD_OP_SELECT] = "select", [LOAD_OP_LISTVIEW] = "listview",
	[LOAD_OP_BODY] = "body",       [LOAD_OP_STORE] = "store",   [LOAD_OP_APPEND] = "append",
	[LOAD_OP_EXPUNGE] = "expunge", [LOAD_OP_IDLE] = "idle",     [LOAD_OP_NOOP] = "noop",
	[LOAD_OP_SEARCH] = "search",   [LOAD_OP_STATUS] = "status", [LOAD_OP_LIST] = "list",
	[LOAD_OP_LOGOUT] = "logout",
};

const char *load_op_name(enum load_op op)
{
	return (unsigned)op < LOAD_OP_COUNT ? op_names[op] : NULL;
}

enum load_op load_op_lookup(const char *name)
{
	for (unsigned i = 0; i < LOAD_OP_COUNT; i++)
		if (strcmp(op_names[i], name) == 0)
			return (enum load_op)i;
	return LOAD_OP_COUNT;
}

/* Values below 8 have a bucket each; above, eight buckets per power of two. */
static unsigned bucket_of(uint64_t v)
{
	unsigned msb;

	if (v < 8)
		return (unsigned)v;
	if (v >= (1ull << 40))
		v = (1ull << 40) - 1;
	msb = 63u - (unsigned)__builtin_clzll(v);
	return 8 + (msb - 3) * 8 + (unsigned)((v >> (msb - 3)) & 7);
}

/* The middle of a bucket's range. */
static uint64_t bucket_value(unsigned b)
{
	unsigned msb, sub;

	if (b < 8)
		return b;
	msb = (b - 8) / 8 + 3;
	sub = (b - 8) % 8;
	return ((8ull + sub) << (msb - 3)) + ((1ull << (msb - 3)) >> 1);
}

void load_stats_op(struct load_stats *st, enum load_op op, uint64_t usec, unsigned commands)
{
	if (!st->measuring)
		return;
	st->commands += commands;
	st->ops[op]++;
	st->hist[op][bucket_of(usec)]++;
}

void load_stats_error(struct load_stats *st, const char *fmt, ...)
{
	va_list ap;

	st->errors++;
	if (st->errors > 20 && st->errors % 1000 != 0)
		return;
	fprintf(stderr, "imap-load: error %llu: ", (unsigned long long)st->errors);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t load_stats_percentile(const struct load_stats *st, enum load_op op, double q)
{
	uint64_t want, seen = 0;

	if (st->ops[op] == 0)
		return 0;
	want = (uint64_t)(q * (double)st->ops[op]);
	if (want >= st->ops[op])
		want = st->ops[op] - 1;
	for (unsigned b = 0; b < LOAD_HIST_BUCKETS; b++) {
		seen += st->hist[op][b];
		if (seen > want)
			return bucket_value(b);
	}
	return 0;
}

void load_stats_print_ops(const struct load_stats *st, FILE *out)
{
	for (unsigned i = 0; i < LOAD_OP_COUNT; i++) {
		if (st->ops[i] == 0)
			continue;
		fprintf(out, "op.%s=%llu p50_ms=%.2f p99_ms=%.2f\n", op_names[i],
			(unsigned long long)st->ops[i],
			(double)load_stats_percentile(st, (enum load_op)i, 0.5) / 1000.0,
			(double)load_stats_percentile(st, (enum load_op)i, 0.99) / 1000.0);
	}
}

void load_stats_reset(struct load_stats *st)
{
	uint64_t errors = st->errors;
	bool measuring = st->measuring;

	memset(st, 0, sizeof(*st));
	st->errors = errors;
	st->measuring = measuring;
}
