/* bench-read.c — the read side on a freshly opened store, warm cache:
 * the list view of every message, SEARCH, the SELECT sequence map and
 * STATUS. Each figure is the median of several runs after one unmeasured
 * warm-up run. */
#include "bench-util.h"
#include "store-bench.h"
#include "lib/mem.h"
#include "store/store-search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int bench_run_fn(struct store *s, int64_t mailbox_id, const void *arg,
			 struct bench_timing *t);

/* One warm-up, then reps timed runs; the last run's counts are kept. */
static int measure(struct store *s, int64_t mailbox_id, uint32_t reps, bench_run_fn *fn,
		   const void *arg, struct bench_timing *t_r)
{
	double *ms = xcalloc(reps, sizeof(*ms)), *cpu = xcalloc(reps, sizeof(*cpu));
	int ret = fn(s, mailbox_id, arg, t_r);

	for (uint32_t i = 0; i < reps && ret == 0; i++) {
		uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();

		ret = fn(s, mailbox_id, arg, t_r);
		cpu[i] = (double)(bench_cpu_ns() - c0) / 1e6;
		ms[i] = (double)(bench_now_ns() - t0) / 1e6;
	}
	if (ret == 0) {
		bench_sort(ms, reps);
		t_r->min_ms = ms[0];
		t_r->max_ms = ms[reps - 1];
		t_r->median_ms = bench_median(ms, reps);
		t_r->cpu_ms = bench_median(cpu, reps);
	}
	free(ms);
	free(cpu);
	return ret;
}

/* FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE). */
static int run_list_view(struct store *s, int64_t mailbox_id, const void *arg,
			 struct bench_timing *t)
{
	struct store_fetch *f;
	const struct store_msg *m;
	uint64_t rows = 0, bytes = 0;
	int ret = store_fetch_begin(s, mailbox_id, NULL,
				    STORE_WANT_ENVELOPE | STORE_WANT_BODYSTRUCTURE, &f);

	(void)arg;
	if (ret != STORE_OK)
		return -1;
	while ((ret = store_fetch_next(f, &m)) == 1) {
		rows++;
		/* Touch what a FETCH response would write. */
		bytes += strlen(m->envelope) + strlen(m->bodystructure);
	}
	store_fetch_end(&f);
	t->hits = rows;
	t->bytes = bytes;
	return ret == 0 ? 0 : -1;
}

static int run_uids(struct store *s, int64_t mailbox_id, const void *arg, struct bench_timing *t)
{
	uint32_t *uids;
	size_t count;

	(void)arg;
	if (store_mailbox_uids(s, mailbox_id, &uids, &count) != STORE_OK)
		return -1;
	free(uids);
	t->hits = count;
	return 0;
}

static int run_search(struct store *s, int64_t mailbox_id, const void *arg, struct bench_timing *t)
{
	struct rangeset found = {0};
	uint64_t highest;
	int ret = store_search(s, mailbox_id, arg, &found, &highest);

	t->hits = rangeset_count(&found);
	rangeset_free(&found);
	return ret == STORE_OK ? 0 : -1;
}

static int search_all(struct store *s, int64_t id, const struct bench_options *opt,
		      struct bench_results *r)
{
	const struct bench_corpus *c = &r->corpus;
	const struct {
		enum store_search_op op;
		const char *word;
	} q[SEARCH_COUNT] = {
		[SEARCH_TEXT_RARE] = {STORE_SEARCH_TEXT, c->rare},
		[SEARCH_TEXT_COMMON] = {STORE_SEARCH_TEXT, c->common},
		[SEARCH_BODY_RARE] = {STORE_SEARCH_BODY, c->rare},
		[SEARCH_BODY_COMMON] = {STORE_SEARCH_BODY, c->common},
		[SEARCH_FROM] = {STORE_SEARCH_FROM, c->surname},
	};

	for (int i = 0; i < SEARCH_COUNT; i++) {
		struct store_search_key key = {.op = q[i].op, .str = q[i].word};

		if (q[i].word == NULL)
			continue;
		fprintf(stderr, "store-bench: search %d for \"%s\"\n", i, q[i].word);
		if (measure(s, id, opt->reps, run_search, &key, &r->search[i]) < 0)
			return -1;
	}
	return 0;
}

/* STATUS: each call timed on its own; median and 99th percentile. */
static int status_calls(struct store *s, const struct bench_options *opt, struct bench_results *r)
{
	uint32_t n = opt->status_calls ? opt->status_calls : 1;
	double *us = xcalloc(n, sizeof(*us)), *cpu = xcalloc(n, sizeof(*cpu));
	int ret = 0;

	for (uint32_t i = 0; i < n && ret == 0; i++) {
		struct store_mailbox mb;
		uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();

		ret = store_mailbox_get(s, "INBOX", &mb);
		cpu[i] = (double)(bench_cpu_ns() - c0) / 1e3;
		us[i] = (double)(bench_now_ns() - t0) / 1e3;
		if (ret == STORE_OK)
			store_mailbox_clear(&mb);
	}
	if (ret == STORE_OK) {
		bench_sort(us, n);
		r->status_us_median = bench_quantile(us, n, 0.5);
		r->status_us_p99 = bench_quantile(us, n, 0.99);
		r->status_cpu_us = bench_median(cpu, n);
	}
	free(us);
	free(cpu);
	return ret == STORE_OK ? 0 : -1;
}

int bench_read(const struct bench_options *opt, struct bench_results *r)
{
	struct store *s = bench_open_store(opt->dir, false);
	struct store_mailbox mb;
	int ret = store_mailbox_get(s, "INBOX", &mb);

	if (ret != STORE_OK) {
		fprintf(stderr, "store-bench: INBOX: %s\n", store_last_error(s));
		store_close(&s);
		return -1;
	}
	fprintf(stderr, "store-bench: list view of %u messages\n", mb.messages);
	ret = measure(s, mb.id, opt->reps, run_list_view, NULL, &r->list_view);
	if (ret == 0)
		ret = measure(s, mb.id, opt->reps, run_uids, NULL, &r->uids);
	if (ret == 0)
		ret = search_all(s, mb.id, opt, r);
	if (ret == 0)
		ret = status_calls(s, opt, r);
	if (ret != 0)
		fprintf(stderr, "store-bench: read: %s\n", store_last_error(s));
	store_mailbox_clear(&mb);
	store_close(&s);
	return ret;
}
