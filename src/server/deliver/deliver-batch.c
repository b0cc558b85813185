/* deliver-batch.c — recipients' copies written side by side (see
 * deliver-batch.h): the jobs are grouped by store, and a few threads take
 * whole groups off a shared counter until none is left, so a store is
 * only ever in the hands of the one thread that took its group. */
#include "deliver-batch.h"
#include "lib/mem.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

struct batch_key {
	uintptr_t store;
	size_t job;
};

struct batch {
	const struct deliver_message *m;
	struct deliver_job *jobs;
	struct batch_key *order; /* jobs sorted by store, then by position */
	size_t *starts;          /* group g is order[starts[g] .. starts[g + 1]) */
	size_t groups;
	atomic_size_t next; /* the next group nobody has taken */
};

static void run_job(const struct deliver_message *m, struct deliver_job *j)
{
	const char *error = NULL;

	j->mailbox_used = j->mailbox != NULL && j->mailbox[0] != '\0' ? j->mailbox : "INBOX";
	j->error = NULL;
	if (j->store == NULL) {
		j->result = DELIVER_TEMPFAIL;
		j->error = xstrdup("the mail store cannot be opened");
		return;
	}
	j->result = deliver_to_store(j->store, m, j->rcpt, j->mailbox, &j->mailbox_used, &error);
	/* The store's message is only valid until its next call: copied. */
	if (j->result != DELIVER_OK)
		j->error = xstrdup(error != NULL ? error : "delivery failed");
}

static void *batch_worker(void *ctx)
{
	struct batch *b = ctx;
	size_t g;

	while ((g = atomic_fetch_add(&b->next, 1)) < b->groups)
		for (size_t k = b->starts[g]; k < b->starts[g + 1]; k++)
			run_job(b->m, &b->jobs[b->order[k].job]);
	return NULL;
}

static int key_cmp(const void *a, const void *b)
{
	const struct batch_key *x = a, *y = b;

	if (x->store != y->store)
		return x->store < y->store ? -1 : 1;
	/* Same store: keep the recipients' order, so a user named twice gets
	 * the copies in RCPT order. */
	return x->job < y->job ? -1 : x->job > y->job;
}

static void batch_group(struct batch *b, size_t n)
{
	b->order = xcalloc(n, sizeof(*b->order));
	b->starts = xcalloc(n + 1, sizeof(*b->starts));
	for (size_t i = 0; i < n; i++) {
		b->order[i].store = (uintptr_t)b->jobs[i].store;
		b->order[i].job = i;
	}
	qsort(b->order, n, sizeof(*b->order), key_cmp);
	b->groups = 0;
	for (size_t i = 0; i < n; i++) {
		/* Jobs without a store touch nothing shared: each its own group. */
		if (i == 0 || b->order[i].store != b->order[i - 1].store || b->order[i].store == 0)
			b->starts[b->groups++] = i;
	}
	b->starts[b->groups] = n;
}

/* Start up to want helper threads; returns how many started. Signals stay
 * with the caller's thread (the event loop handles them): the helpers
 * start with every signal blocked. */
static size_t batch_start(struct batch *b, pthread_t *tids, size_t want)
{
	sigset_t all, old;
	size_t started = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (size_t i = 0; i < want; i++)
		if (pthread_create(&tids[started], NULL, batch_worker, b) == 0)
			started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

void deliver_batch_run(const struct deliver_message *m, struct deliver_job *jobs, size_t n)
{
	struct batch b = {.m = m, .jobs = jobs};
	pthread_t tids[DELIVER_BATCH_THREADS - 1];
	size_t want, started;

	if (n == 0)
		return;
	if (n == 1) {
		run_job(m, &jobs[0]);
		return;
	}
	batch_group(&b, n);
	atomic_init(&b.next, 0);
	want = (b.groups < DELIVER_BATCH_THREADS ? b.groups : DELIVER_BATCH_THREADS) - 1;
	started = batch_start(&b, tids, want);
	batch_worker(&b);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(b.order);
	free(b.starts);
}

void deliver_batch_clear(struct deliver_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].error);
		jobs[i].error = NULL;
	}
}
