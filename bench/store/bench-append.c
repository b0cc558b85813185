/* bench-append.c — generate the corpus and append it: the first messages
 * one per transaction (APPEND), the rest in batches (MULTIAPPEND). Only
 * parsing and store_append are timed, never the generator. */
#include "bench-util.h"
#include "store-bench.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct filler {
	const struct bench_options *opt;
	struct bench_results *r;
	struct mailgen *gen;
	struct store *store;
	struct buf raw;
	uint64_t gen_ns;
	double *single_ms; /* per-call store time of the single phase */
	double *batch_ms;  /* per-call store time of the batched phase */
	size_t nbatch_calls;
};

static void corpus_note(struct filler *f, const struct mailgen_msg *info)
{
	struct bench_corpus *c = &f->r->corpus;

	c->sizes[c->messages++] = (uint32_t)info->size;
	c->bytes += info->size;
	c->multipart += info->multipart;
}

static void generate(struct filler *f, struct mailgen_msg *info)
{
	uint64_t t0 = bench_now_ns();

	mailgen_next(f->gen, &f->raw, info);
	f->gen_ns += bench_now_ns() - t0;
	corpus_note(f, info);
}

static void fill_message(struct store_new_message *m, const struct mailgen_msg *info,
			 uint32_t index)
{
	memset(m, 0, sizeof(*m));
	m->flags = info->seen ? STORE_FLAG_SEEN : 0;
	if (index % 37 == 0)
		m->flags |= STORE_FLAG_FLAGGED;
	/* Delivered half a minute after it was sent. */
	m->internaldate = info->date + 30;
	m->tz_offset = 0;
}

static void progress(const struct filler *f, uint32_t done)
{
	if (done % 10000 == 0 || done == f->opt->messages)
		fprintf(stderr, "store-bench: %u/%u messages (%s)\n", done, f->opt->messages,
			bench_bytes(f->r->corpus.bytes, 0));
}

/* Append msgs[0..n) in one call, timing parse and store apart. */
static int append_timed(struct filler *f, struct store_parsed **parsed,
			struct store_new_message *msgs, size_t n, struct bench_append *a,
			double *call_ms)
{
	uint32_t uidvalidity, *uids = xcalloc(n, sizeof(*uids));
	uint64_t t0 = bench_now_ns(), t1;
	int ret = store_append(f->store, "INBOX", msgs, n, &uidvalidity, uids);

	t1 = bench_now_ns();
	free(uids);
	if (ret != STORE_OK) {
		fprintf(stderr, "store-bench: append: %s\n", store_last_error(f->store));
		return -1;
	}
	a->store_ns += t1 - t0;
	*call_ms = (double)(t1 - t0) / 1e6;
	for (size_t i = 0; i < n; i++) {
		a->count++;
		a->bytes += store_parsed_size(parsed[i]);
		store_parsed_free(&parsed[i]);
	}
	return 0;
}

/* Generate and parse n messages (parse timed) into parsed/msgs. */
static void prepare(struct filler *f, size_t n, struct store_parsed **parsed,
		    struct store_new_message *msgs, struct bench_append *a)
{
	for (size_t i = 0; i < n; i++) {
		struct mailgen_msg info;
		uint64_t t0;

		generate(f, &info);
		t0 = bench_now_ns();
		parsed[i] = store_parsed_new(f->raw.data, f->raw.len);
		a->parse_ns += bench_now_ns() - t0;
		fill_message(&msgs[i], &info, mailgen_count(f->gen));
		msgs[i].msg = parsed[i];
	}
}

static void summarise(struct bench_append *a, double *ms, size_t n)
{
	if (n == 0)
		return;
	bench_sort(ms, n);
	a->store_ms_median = bench_quantile(ms, n, 0.5);
	a->store_ms_p99 = bench_quantile(ms, n, 0.99);
}

/* Append the messages from done (those before it are in the store). */
static int append_all(struct filler *f, uint32_t done)
{
	const struct bench_options *opt = f->opt;
	size_t cap = opt->batch > 1 ? opt->batch : 1;
	struct store_parsed **parsed = xcalloc(cap, sizeof(*parsed));
	struct store_new_message *msgs = xcalloc(cap, sizeof(*msgs));
	int ret = 0;

	while (ret == 0 && done < opt->messages) {
		bool single = done < opt->single;
		size_t n = single ? 1 : opt->batch;
		struct bench_append *a = single ? &f->r->single : &f->r->batched;

		if (n > opt->messages - done)
			n = opt->messages - done;
		if (single && n > opt->single - done)
			n = opt->single - done;
		prepare(f, n, parsed, msgs, a);
		ret = append_timed(f, parsed, msgs, n, a,
				   single ? &f->single_ms[done] : &f->batch_ms[f->nbatch_calls++]);
		for (size_t i = 0; i < n; i++)
			progress(f, ++done);
	}
	summarise(&f->r->single, f->single_ms, f->r->single.count);
	summarise(&f->r->batched, f->batch_ms, f->nbatch_calls);
	free(parsed);
	free(msgs);
	return ret;
}

/* With reuse: the first n messages of the corpus, generated but not
 * stored (the store has them). */
static void generate_held(struct filler *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct mailgen_msg info;

		generate(f, &info);
		if ((i + 1) % 10000 == 0)
			fprintf(stderr, "store-bench: generated %u\n", i + 1);
	}
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void corpus_finish(struct filler *f)
{
	struct bench_corpus *c = &f->r->corpus;
	static const double q[6] = {0.10, 0.50, 0.90, 0.99, 0.999, 1.0};
	double *v = xcalloc(c->messages ? c->messages : 1, sizeof(*v));

	for (uint32_t i = 0; i < c->messages; i++)
		v[i] = c->sizes[i];
	if (c->messages > 0) {
		bench_sort(v, c->messages);
		for (int i = 0; i < 6; i++)
			c->size_q[i] = bench_quantile(v, c->messages, q[i]);
	}
	free(v);
	c->gen_seconds = (double)f->gen_ns / 1e9;
	c->rare = dup_or_null(mailgen_rare_word(f->gen, &c->rare_msgs));
	c->common = dup_or_null(mailgen_common_word(f->gen, 0.5, &c->common_msgs));
	c->surname = dup_or_null(mailgen_frequent_surname(f->gen, &c->surname_msgs));
}

/* Messages in INBOX of a store an earlier run filled, always UIDs 1..n in
 * the generator's order (one INBOX, nothing expunged). */
static uint32_t inbox_messages(struct store *s, uint64_t *bytes_r)
{
	struct store_mailbox mb;
	uint32_t n;

	if (store_mailbox_get(s, "INBOX", &mb) != STORE_OK) {
		fprintf(stderr, "store-bench: INBOX: %s\n", store_last_error(s));
		exit(1);
	}
	n = mb.messages;
	*bytes_r = mb.size;
	if (mb.uidnext != n + 1) {
		fprintf(stderr, "store-bench: --reuse: INBOX has gaps (%u messages, UIDNEXT %u)\n",
			n, mb.uidnext);
		exit(1);
	}
	store_mailbox_clear(&mb);
	return n;
}

int bench_fill(const struct bench_options *opt, struct bench_results *r)
{
	struct filler f = {.opt = opt, .r = r};
	uint32_t held = 0;
	uint64_t held_bytes = 0;
	int ret = 0;

	f.gen = mailgen_new(opt->seed);
	r->corpus.sizes = xcalloc(opt->messages, sizeof(*r->corpus.sizes));
	f.store = bench_open_store(opt->dir, !opt->reuse);
	if (opt->reuse) {
		held = inbox_messages(f.store, &held_bytes);
		if (held > opt->messages) {
			fprintf(stderr,
				"store-bench: --reuse: the store has %u messages, more than %u\n",
				held, opt->messages);
			ret = -1;
		} else {
			generate_held(&f, held);
		}
		/* The same seed and generator give the same bytes. */
		if (ret == 0 && r->corpus.bytes != held_bytes) {
			fprintf(stderr,
				"store-bench: --reuse: the store holds %llu bytes, the "
				"corpus %llu: another seed or generator made it\n",
				(unsigned long long)held_bytes,
				(unsigned long long)r->corpus.bytes);
			ret = -1;
		}
	}
	if (ret == 0 && held < opt->messages) {
		f.single_ms = xcalloc(opt->single + 1, sizeof(*f.single_ms));
		f.batch_ms = xcalloc(opt->messages / (opt->batch ? opt->batch : 1) + 2,
				     sizeof(*f.batch_ms));
		ret = append_all(&f, held);
	}
	store_close(&f.store);
	corpus_finish(&f);
	mailgen_free(&f.gen);
	buf_free(&f.raw);
	free(f.single_ms);
	free(f.batch_ms);
	return ret;
}
