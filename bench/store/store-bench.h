/* store-bench.h — what the store benchmark's phases share: the options and
 * the figures each phase fills in for the report. */
#ifndef HAFEN_BENCH_STORE_BENCH_H
#define HAFEN_BENCH_STORE_BENCH_H

#include "mailgen.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct bench_options {
	const char *dir;   /* the user directory to create (must not exist) */
	uint32_t messages; /* in all */
	uint32_t single;   /* the first ones, one per store_append */
	uint32_t batch;    /* the rest, this many per store_append */
	uint32_t reps;     /* repetitions of each read measurement */
	uint32_t status_calls;
	uint64_t seed;
	bool reuse; /* dir holds a store from an earlier run: append what it lacks */
};

/* The corpus: what was generated. */
struct bench_corpus {
	uint32_t messages, multipart;
	uint64_t bytes;
	uint32_t *sizes;               /* per message */
	double size_q[6];              /* p10 p50 p90 p99 p99.9 max */
	double gen_seconds;            /* generating only, not counted in rates */
	char *rare, *common, *surname; /* owned; NULL when none qualified */
	uint32_t rare_msgs, common_msgs, surname_msgs;
};

struct bench_append {
	uint32_t count;
	uint64_t bytes;
	uint64_t parse_ns, store_ns;          /* totals */
	double store_ms_median, store_ms_p99; /* per store_append call */
};

struct bench_size {
	uint64_t db, wal, msg_apparent, msg_allocated, msg_files;
	uint64_t part_fts, part_files, part_messages, part_other; /* dbstat, 0 if absent */
	double checkpoint_ms;
};

struct bench_timing {
	double median_ms, min_ms, max_ms; /* wall clock */
	double cpu_ms;                    /* median CPU time of this thread */
	uint64_t hits;                    /* rows or matching messages */
	uint64_t bytes;                   /* list view: ENVELOPE + BODYSTRUCTURE bytes */
};

enum bench_search {
	SEARCH_TEXT_RARE,
	SEARCH_TEXT_COMMON,
	SEARCH_BODY_RARE,
	SEARCH_BODY_COMMON,
	SEARCH_FROM,
	SEARCH_COUNT
};

struct bench_results {
	struct bench_corpus corpus;
	struct bench_append single, batched;
	struct bench_size size;
	struct bench_timing list_view, uids, search[SEARCH_COUNT];
	double status_us_median, status_us_p99, status_cpu_us;
	double load_start, load_end; /* 1-minute load average */
};

/* bench-append.c: generate and append; with reuse, the messages the store
 * holds are only generated (so the corpus figures and chosen words are
 * known) and the rest appended. */
int bench_fill(const struct bench_options *opt, struct bench_results *r);
/* bench-size.c: checkpoint the WAL and measure the database and files. */
int bench_measure_size(const struct bench_options *opt, struct bench_results *r);
/* bench-read.c: list view, searches, STATUS on a freshly opened store. */
int bench_read(const struct bench_options *opt, struct bench_results *r);

/* Open the benchmark's store or say why not (exits on failure). */
struct store *bench_open_store(const char *dir, bool create);

#endif
