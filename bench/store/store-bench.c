/* store-bench.c — the mail store benchmark: append 100 000 generated
 * messages, then time the list view, SEARCH and STATUS, and weigh the
 * database against the mail. Prints a markdown section for BENCHMARKS.md.
 * bench/store/run builds and runs it; `store-bench --help` lists options.
 */
#include "bench-util.h"
#include "store-bench.h"
#include "lib/str.h"

#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
	"usage: store-bench --dir DIR [options]\n"
	"  --dir DIR        user directory to create (must not exist; same disk as the\n"
	"                   data a server would use, not tmpfs)\n"
	"  --messages N     messages in all (100000)\n"
	"  --single N       the first N appended one per transaction (2000)\n"
	"  --batch N        the rest appended N per store_append call (100)\n"
	"  --reps N         timed runs of each read measurement (5)\n"
	"  --status N       STATUS calls to time (1000)\n"
	"  --seed N         generator seed (1)\n"
	"  --reuse          DIR holds the store of an earlier run with the same\n"
	"                   --seed: regenerate the messages it has, append only the\n"
	"                   rest (none when that run finished)\n";

struct store *bench_open_store(const char *dir, bool create)
{
	struct store *s;
	const char *error;

	if (store_open(dir, create ? STORE_OPEN_CREATE : 0, &s, &error) != STORE_OK) {
		fprintf(stderr, "store-bench: %s\n", error);
		exit(1);
	}
	return s;
}

static uint32_t number(const char *arg, const char *name)
{
	uint32_t v;

	if (!str_to_u32(arg, strlen(arg), &v)) {
		fprintf(stderr, "store-bench: %s wants a number, not \"%s\"\n", name, arg);
		exit(2);
	}
	return v;
}

static void parse_options(int argc, char **argv, struct bench_options *o)
{
	static const struct option longopts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"messages", required_argument, NULL, 'm'},
		{"single", required_argument, NULL, 's'},
		{"batch", required_argument, NULL, 'b'},
		{"reps", required_argument, NULL, 'r'},
		{"status", required_argument, NULL, 't'},
		{"seed", required_argument, NULL, 'S'},
		{"reuse", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct bench_options){NULL, 100000, 2000, 100, 5, 1000, 1, false};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 'm':
			o->messages = number(optarg, "--messages");
			break;
		case 's':
			o->single = number(optarg, "--single");
			break;
		case 'b':
			o->batch = number(optarg, "--batch");
			break;
		case 'r':
			o->reps = number(optarg, "--reps");
			break;
		case 't':
			o->status_calls = number(optarg, "--status");
			break;
		case 'S':
			o->seed = number(optarg, "--seed");
			break;
		case 'R':
			o->reuse = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			exit(2);
		}
	}
	if (o->dir == NULL || optind != argc || o->messages == 0 || o->batch == 0 || o->reps == 0) {
		fputs(usage, stderr);
		exit(2);
	}
	if (o->single > o->messages)
		o->single = o->messages;
}

static void check_fresh_dir(const struct bench_options *o)
{
	struct stat st;
	bool exists = stat(o->dir, &st) == 0;

	if (exists && !o->reuse) {
		fprintf(stderr, "store-bench: %s exists; remove it, or pass --reuse\n", o->dir);
		exit(2);
	}
	if (!exists && o->reuse) {
		fprintf(stderr, "store-bench: --reuse: %s does not exist\n", o->dir);
		exit(2);
	}
}

static void print_corpus(const struct bench_corpus *c)
{
	printf("Corpus: %u messages, %s (mean %s); sizes p10 %s, median %s, ", c->messages,
	       bench_bytes(c->bytes, 0), bench_bytes(c->bytes / c->messages, 1),
	       bench_bytes((uint64_t)c->size_q[0], 2), bench_bytes((uint64_t)c->size_q[1], 3));
	printf("p90 %s, ", bench_bytes((uint64_t)c->size_q[2], 0));
	printf("p99 %s, p99.9 %s, max %s; ", bench_bytes((uint64_t)c->size_q[3], 1),
	       bench_bytes((uint64_t)c->size_q[4], 2), bench_bytes((uint64_t)c->size_q[5], 3));
	printf("%u multipart/mixed with attachments (%.1f %%). Generated in %.1f s (not counted "
	       "in any rate).\n\n",
	       c->multipart, 100.0 * c->multipart / c->messages, c->gen_seconds);
}

static void row_append(const char *what, const struct bench_append *a)
{
	double secs = (double)(a->parse_ns + a->store_ns) / 1e9;

	if (a->count == 0)
		return;
	printf("| %s (%u messages) | **%.0f msg/s**, %.1f MB/s; parse %.2f ms/msg, "
	       "store_append median %.1f ms, p99 %.1f ms per call | — | |\n",
	       what, a->count, a->count / secs, (double)a->bytes / 1e6 / secs,
	       (double)a->parse_ns / 1e6 / a->count, a->store_ms_median, a->store_ms_p99);
}

static void row_timing(const char *what, const struct bench_timing *t, const char *unit_hits,
		       double target_ms)
{
	printf("| %s | **%.1f ms** (min %.1f, max %.1f; CPU %.1f ms), %llu %s | ", what,
	       t->median_ms, t->min_ms, t->max_ms, t->cpu_ms, (unsigned long long)t->hits,
	       unit_hits);
	if (target_ms > 0)
		printf("< %.0f ms | %s |\n", target_ms,
		       t->median_ms < target_ms ? "met" : "**missed**");
	else
		printf("— | |\n");
}

static void row_search(const struct bench_results *r, enum bench_search i, const char *key,
		       const char *word, uint32_t expected, double target_ms)
{
	char what[256];

	if (word == NULL)
		return;
	snprintf(what, sizeof(what), "SEARCH %s \"%s\" (generated in %u messages)", key, word,
		 expected);
	row_timing(what, &r->search[i], "hits", target_ms);
}

static void print_size(const struct bench_results *r)
{
	const struct bench_size *z = &r->size;
	uint64_t db = z->db + z->wal;

	printf("| database: store.db + WAL after a checkpoint (%.0f ms) | **%s** = %.1f %% of the "
	       "message bytes (FTS index %s, files rows %s, messages rows %s, other %s) | — | |\n",
	       z->checkpoint_ms, bench_bytes(db, 0), 100.0 * (double)db / (double)r->corpus.bytes,
	       bench_bytes(z->part_fts, 1), bench_bytes(z->part_files, 2),
	       bench_bytes(z->part_messages, 3), bench_bytes(z->part_other, 4));
	printf("| message files | %s in %llu files (%s allocated) | — | |\n",
	       bench_bytes(z->msg_apparent, 0), (unsigned long long)z->msg_files,
	       bench_bytes(z->msg_allocated, 1));
}

static void print_report(const struct bench_options *o, const struct bench_results *r)
{
	const struct bench_corpus *c = &r->corpus;
	struct buf machine = BUF_INIT;
	char date[32], what[128];
	time_t now = time(NULL);
	struct tm tm;

	strftime(date, sizeof(date), "%Y-%m-%d", localtime_r(&now, &tm));
	bench_machine(&machine, o->dir);
	printf("Run %s, SQLite %s, warm cache (nothing dropped), medians of %u runs after one "
	       "warm-up; load average %.1f at the start, %.1f at the end.\n\n%s\n",
	       date, sqlite3_libversion(), o->reps, r->load_start, r->load_end, buf_cstr(&machine));
	print_corpus(c);
	printf("| measure | result | target | |\n|---|---|---|---|\n");
	row_append("append, one message per store_append", &r->single);
	snprintf(what, sizeof(what), "append, %u messages per store_append", o->batch);
	row_append(what, &r->batched);
	row_timing("list view of all messages (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE "
		   "BODYSTRUCTURE)",
		   &r->list_view, "rows", 1000);
	row_search(r, SEARCH_TEXT_RARE, "TEXT", c->rare, c->rare_msgs, 100);
	row_search(r, SEARCH_TEXT_COMMON, "TEXT", c->common, c->common_msgs, 100);
	row_search(r, SEARCH_BODY_RARE, "BODY", c->rare, c->rare_msgs, 0);
	row_search(r, SEARCH_BODY_COMMON, "BODY", c->common, c->common_msgs, 0);
	row_search(r, SEARCH_FROM, "FROM", c->surname, c->surname_msgs, 0);
	row_timing("SELECT's sequence map (store_mailbox_uids)", &r->uids, "UIDs", 0);
	printf("| STATUS (store_mailbox_get, %u calls) | **%.1f µs** median, p99 %.1f µs (CPU %.1f "
	       "µs) | < 1 ms | %s |\n",
	       o->status_calls, r->status_us_median, r->status_us_p99, r->status_cpu_us,
	       r->status_us_median < 1000 ? "met" : "**missed**");
	print_size(r);
	buf_free(&machine);
}

int main(int argc, char **argv)
{
	struct bench_options opt;
	struct bench_results r = {0};
	int ret;

	parse_options(argc, argv, &opt);
	check_fresh_dir(&opt);
	r.load_start = bench_loadavg();
	ret = bench_fill(&opt, &r);
	if (ret == 0)
		ret = bench_measure_size(&opt, &r);
	if (ret == 0)
		ret = bench_read(&opt, &r);
	r.load_end = bench_loadavg();
	if (ret == 0)
		print_report(&opt, &r);
	free(r.corpus.sizes);
	free(r.corpus.rare);
	free(r.corpus.common);
	free(r.corpus.surname);
	return ret == 0 ? 0 : 1;
}
