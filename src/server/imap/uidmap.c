/* uidmap.c — sequence numbers <-> UIDs as runs (see uidmap.h). */
#include "uidmap.h"
#include "lib/mem.h"

#include <string.h>

void uidmap_free(struct uidmap *m)
{
	free(m->runs);
	memset(m, 0, sizeof(*m));
}

static void push_run(struct uidmap *m, uint32_t uid, uint32_t count)
{
	if (m->nruns == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 4;
		m->runs = xreallocarray(m->runs, m->cap, sizeof(*m->runs));
	}
	m->runs[m->nruns].first_uid = uid;
	m->runs[m->nruns].count = count;
	m->runs[m->nruns].first_seq = m->total + 1;
	m->nruns++;
	m->total += count;
}

void uidmap_append(struct uidmap *m, uint32_t uid)
{
	struct uidrun *last = m->nruns ? &m->runs[m->nruns - 1] : NULL;

	if (last != NULL && last->first_uid + last->count == uid) {
		last->count++;
		m->total++;
	} else {
		push_run(m, uid, 1);
	}
}

void uidmap_init(struct uidmap *m, const uint32_t *uids, size_t count)
{
	/* Not memset: clang-analyzer 14 then forgets that nruns is 0 and
	 * reports a NULL runs array written through. */
	*m = (struct uidmap){0};
	for (size_t i = 0; i < count; i++)
		uidmap_append(m, uids[i]);
}

uint32_t uidmap_last_uid(const struct uidmap *m)
{
	const struct uidrun *r;

	if (m->nruns == 0)
		return 0;
	r = &m->runs[m->nruns - 1];
	return r->first_uid + r->count - 1;
}

/* Index of the run holding sequence number seq (1 <= seq <= total). */
static size_t run_for_seq(const struct uidmap *m, uint32_t seq)
{
	size_t lo = 0, hi = m->nruns;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->runs[mid].first_seq <= seq)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint32_t uidmap_seq_to_uid(const struct uidmap *m, uint32_t seq)
{
	size_t i;

	if (seq == 0 || seq > m->total)
		return 0;
	i = run_for_seq(m, seq);
	return m->runs[i].first_uid + (seq - m->runs[i].first_seq);
}

/* Index of the last run whose first UID is <= uid, or nruns when none. */
static size_t run_for_uid(const struct uidmap *m, uint32_t uid)
{
	size_t lo = 0, hi = m->nruns;

	if (m->nruns == 0 || m->runs[0].first_uid > uid)
		return m->nruns;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->runs[mid].first_uid <= uid)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint32_t uidmap_uid_to_seq(const struct uidmap *m, uint32_t uid)
{
	size_t i = run_for_uid(m, uid);
	const struct uidrun *r;

	if (i == m->nruns)
		return 0;
	r = &m->runs[i];
	if (uid - r->first_uid >= r->count)
		return 0;
	return r->first_seq + (uid - r->first_uid);
}

/* Append first..last, all above every UID in m. */
static void append_range(struct uidmap *m, uint32_t first, uint32_t last)
{
	struct uidrun *prev = m->nruns ? &m->runs[m->nruns - 1] : NULL;
	uint32_t n = last - first + 1;

	if (prev != NULL && prev->first_uid + prev->count == first) {
		prev->count += n;
		m->total += n;
	} else {
		push_run(m, first, n);
	}
}

/* Runs and set ranges are walked side by side: the cost is the number of
 * runs, ranges and removed UIDs, never the size of the mailbox, so an
 * EXPUNGE reported in many small steps stays linear. */
void uidmap_remove_set(struct uidmap *m, const struct rangeset *set,
		       void (*cb)(void *ctx, uint32_t seq, uint32_t uid), void *ctx)
{
	struct uidmap out = {0};
	uint32_t removed = 0;
	size_t j = 0;

	for (size_t i = 0; i < m->nruns; i++) {
		const struct uidrun *r = &m->runs[i];
		uint32_t a = r->first_uid, b = r->first_uid + r->count - 1;
		uint64_t cur = a;

		while (j < set->count && set->r[j].hi < a)
			j++;
		for (size_t k = j; k < set->count && set->r[k].lo <= b; k++) {
			uint32_t lo = set->r[k].lo > a ? set->r[k].lo : a;
			uint32_t hi = set->r[k].hi < b ? set->r[k].hi : b;

			if (lo > cur)
				append_range(&out, (uint32_t)cur, lo - 1);
			for (uint64_t uid = lo; cb != NULL && uid <= hi; uid++, removed++)
				cb(ctx, r->first_seq + (uint32_t)(uid - a) - removed,
				   (uint32_t)uid);
			if (cb == NULL)
				removed += hi - lo + 1;
			cur = (uint64_t)hi + 1;
		}
		if (cur <= b)
			append_range(&out, (uint32_t)cur, b);
	}
	free(m->runs);
	*m = out;
}

void uidmap_seqs_to_uids(const struct uidmap *m, uint32_t lo, uint32_t hi, struct rangeset *out)
{
	if (lo > hi) {
		uint32_t t = lo;

		lo = hi;
		hi = t;
	}
	if (hi > m->total)
		hi = m->total;
	if (lo == 0)
		lo = 1;
	/* Start at the run holding lo: a set of many ranges over a mailbox of
	 * many runs must not cost ranges x runs. */
	for (size_t i = run_for_seq(m, lo); i < m->nruns && lo <= hi; i++) {
		const struct uidrun *r = &m->runs[i];
		uint32_t rlast = r->first_seq + r->count - 1, a, b;

		if (rlast < lo)
			continue;
		if (r->first_seq > hi)
			break;
		a = lo > r->first_seq ? lo : r->first_seq;
		b = hi < rlast ? hi : rlast;
		rangeset_add_range(out, r->first_uid + (a - r->first_seq),
				   r->first_uid + (b - r->first_seq));
	}
}

void uidmap_filter(const struct uidmap *m, const struct rangeset *set, struct rangeset *out)
{
	size_t i = 0, j = 0;

	/* Both are sorted: walk them together. */
	while (i < m->nruns && j < set->count) {
		const struct uidrun *r = &m->runs[i];
		uint32_t rlo = r->first_uid, rhi = r->first_uid + r->count - 1;
		uint32_t a = set->r[j].lo > rlo ? set->r[j].lo : rlo;
		uint32_t b = set->r[j].hi < rhi ? set->r[j].hi : rhi;

		if (a <= b)
			rangeset_add_range(out, a, b);
		if (rhi < set->r[j].hi)
			i++;
		else
			j++;
	}
}
