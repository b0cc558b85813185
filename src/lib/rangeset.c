/* rangeset.c — sorted disjoint uint32 ranges (see rangeset.h).
 *
 * Invariant: r[i].lo <= r[i].hi and r[i].hi + 1 < r[i+1].lo (disjoint and
 * not adjacent), so every set has exactly one representation and equality
 * is a memcmp.
 */
#include "rangeset.h"
#include "mem.h"

#include <string.h>

void rangeset_free(struct rangeset *s)
{
	free(s->r);
	s->r = NULL;
	s->count = s->cap = 0;
}

void rangeset_clear(struct rangeset *s)
{
	s->count = 0;
}

static void insert_at(struct rangeset *s, size_t i, uint32_t lo, uint32_t hi)
{
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->r = xreallocarray(s->r, s->cap, sizeof(*s->r));
	}
	memmove(&s->r[i + 1], &s->r[i], (s->count - i) * sizeof(*s->r));
	s->r[i].lo = lo;
	s->r[i].hi = hi;
	s->count++;
}

/* First index whose range ends at or after n - 1 (could touch n). */
static size_t lower_index(const struct rangeset *s, uint32_t n)
{
	size_t lo = 0, hi = s->count;
	uint64_t key = n == 0 ? 0 : (uint64_t)n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uint64_t)s->r[mid].hi < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void rangeset_add_range(struct rangeset *s, uint32_t lo, uint32_t hi)
{
	size_t i, j;

	if (lo > hi) {
		uint32_t t = lo;

		lo = hi;
		hi = t;
	}
	/* Fast path: appending in increasing order, the common case. */
	if (s->count > 0 && lo > s->r[s->count - 1].hi &&
	    (uint64_t)lo > (uint64_t)s->r[s->count - 1].hi + 1) {
		insert_at(s, s->count, lo, hi);
		return;
	}
	i = lower_index(s, lo);
	if (i == s->count || (uint64_t)s->r[i].lo > (uint64_t)hi + 1) {
		insert_at(s, i, lo, hi);
		return;
	}
	/* Merge r[i..j-1], every range that overlaps or touches lo..hi. */
	for (j = i; j < s->count && (uint64_t)s->r[j].lo <= (uint64_t)hi + 1; j++)
		;
	if (s->r[i].lo < lo)
		lo = s->r[i].lo;
	if (s->r[j - 1].hi > hi)
		hi = s->r[j - 1].hi;
	s->r[i].lo = lo;
	s->r[i].hi = hi;
	memmove(&s->r[i + 1], &s->r[j], (s->count - j) * sizeof(*s->r));
	s->count -= j - i - 1;
}

void rangeset_add(struct rangeset *s, uint32_t n)
{
	rangeset_add_range(s, n, n);
}

void rangeset_add_set(struct rangeset *s, const struct rangeset *other)
{
	for (size_t i = 0; i < other->count; i++)
		rangeset_add_range(s, other->r[i].lo, other->r[i].hi);
}

static bool find(const struct rangeset *s, uint32_t n, size_t *idx_r)
{
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].hi < n)
			lo = mid + 1;
		else if (s->r[mid].lo > n)
			hi = mid;
		else {
			*idx_r = mid;
			return true;
		}
	}
	return false;
}

void rangeset_remove(struct rangeset *s, uint32_t n)
{
	size_t i;
	struct range *r;

	if (!find(s, n, &i))
		return;
	r = &s->r[i];
	if (r->lo == n && r->hi == n) {
		memmove(r, r + 1, (s->count - i - 1) * sizeof(*r));
		s->count--;
	} else if (r->lo == n) {
		r->lo++;
	} else if (r->hi == n) {
		r->hi--;
	} else {
		uint32_t hi = r->hi;

		r->hi = n - 1;
		insert_at(s, i + 1, n + 1, hi);
	}
}

void rangeset_subtract(struct rangeset *s, const struct rangeset *other)
{
	struct rangeset out = RANGESET_INIT;
	size_t j = 0;

	/* Both sorted: walk s, cutting out the parts other covers. */
	for (size_t i = 0; i < s->count; i++) {
		uint64_t lo = s->r[i].lo, hi = s->r[i].hi;

		while (j < other->count && other->r[j].hi < lo)
			j++;
		for (size_t k = j; k < other->count && other->r[k].lo <= hi && lo <= hi; k++) {
			if (other->r[k].lo > lo)
				rangeset_add_range(&out, (uint32_t)lo, other->r[k].lo - 1);
			lo = (uint64_t)other->r[k].hi + 1;
		}
		if (lo <= hi)
			rangeset_add_range(&out, (uint32_t)lo, (uint32_t)hi);
	}
	free(s->r);
	*s = out;
}

bool rangeset_contains(const struct rangeset *s, uint32_t n)
{
	size_t i;

	return find(s, n, &i);
}

uint64_t rangeset_count(const struct rangeset *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->count; i++)
		n += (uint64_t)s->r[i].hi - s->r[i].lo + 1;
	return n;
}

bool rangeset_is_empty(const struct rangeset *s)
{
	return s->count == 0;
}

uint32_t rangeset_min(const struct rangeset *s)
{
	return s->r[0].lo;
}

uint32_t rangeset_max(const struct rangeset *s)
{
	return s->r[s->count - 1].hi;
}

void rangeset_resolve_star(struct rangeset *s, uint32_t max)
{
	struct range last;

	if (s->count == 0 || s->r[s->count - 1].hi != RANGESET_STAR)
		return;
	last = s->r[--s->count];
	if (last.lo == RANGESET_STAR) {
		/* A lone "*": the largest number, or nothing in an empty mailbox. */
		if (max != 0)
			rangeset_add(s, max);
		return;
	}
	/* "n:*" is the range between n and the largest number, either order;
	 * with no messages there is no largest number and it names nothing. */
	if (max != 0)
		rangeset_add_range(s, last.lo, max);
}

void rangeset_clip(struct rangeset *s, uint32_t max)
{
	while (s->count > 0 && s->r[s->count - 1].lo > max)
		s->count--;
	if (s->count > 0 && s->r[s->count - 1].hi > max)
		s->r[s->count - 1].hi = max;
}

void rangeset_copy(struct rangeset *dst, const struct rangeset *src)
{
	dst->count = 0;
	if (src->count > dst->cap) {
		dst->cap = src->count;
		dst->r = xreallocarray(dst->r, dst->cap, sizeof(*dst->r));
	}
	if (src->count > 0)
		memcpy(dst->r, src->r, src->count * sizeof(*src->r));
	dst->count = src->count;
}

bool rangeset_equal(const struct rangeset *a, const struct rangeset *b)
{
	return a->count == b->count &&
	       (a->count == 0 || memcmp(a->r, b->r, a->count * sizeof(*a->r)) == 0);
}

static void write_num(struct buf *out, uint32_t n)
{
	if (n == RANGESET_STAR)
		buf_append_byte(out, '*');
	else
		buf_append_u64(out, n);
}

void rangeset_write(const struct rangeset *s, struct buf *out)
{
	for (size_t i = 0; i < s->count; i++) {
		if (i > 0)
			buf_append_byte(out, ',');
		write_num(out, s->r[i].lo);
		if (s->r[i].hi != s->r[i].lo) {
			buf_append_byte(out, ':');
			write_num(out, s->r[i].hi);
		}
	}
}

struct rangeset_iter rangeset_iter(const struct rangeset *s)
{
	struct rangeset_iter it = {0, s->count > 0 ? s->r[0].lo : 0};

	return it;
}

bool rangeset_next(const struct rangeset *s, struct rangeset_iter *it, uint32_t *n_r)
{
	if (it->idx >= s->count)
		return false;
	*n_r = (uint32_t)it->next;
	if (it->next >= s->r[it->idx].hi) {
		it->idx++;
		if (it->idx < s->count)
			it->next = s->r[it->idx].lo;
	} else {
		it->next++;
	}
	return true;
}
