/* rangeset.h — a set of uint32 numbers kept as sorted, disjoint, non-adjacent
 * ranges: the in-memory form of IMAP sequence sets and UID sets.
 *
 * IMAP's "*" is RANGESET_STAR until the caller knows the largest number in
 * use and calls rangeset_resolve_star(); a parsed "5:*" on a mailbox whose
 * largest UID is 3 becomes 3:5, as RFC 9051 section 9 (seq-range) says a
 * range is the same either way round.
 */
#ifndef HAFEN_LIB_RANGESET_H
#define HAFEN_LIB_RANGESET_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RANGESET_STAR UINT32_MAX

struct range {
	uint32_t lo, hi; /* inclusive, lo <= hi */
};

struct rangeset {
	struct range *r;
	size_t count;
	size_t cap;
};

#define RANGESET_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void rangeset_free(struct rangeset *s);
void rangeset_clear(struct rangeset *s);
/* Add lo..hi (either order); merges with neighbours. */
void rangeset_add_range(struct rangeset *s, uint32_t lo, uint32_t hi);
void rangeset_add(struct rangeset *s, uint32_t n);
void rangeset_add_set(struct rangeset *s, const struct rangeset *other);
void rangeset_remove(struct rangeset *s, uint32_t n);
/* Remove every member of other from s. */
void rangeset_subtract(struct rangeset *s, const struct rangeset *other);
bool rangeset_contains(const struct rangeset *s, uint32_t n);
/* Number of members (64-bit: a set can hold all 2^32-1 numbers). */
uint64_t rangeset_count(const struct rangeset *s);
bool rangeset_is_empty(const struct rangeset *s);
/* Smallest / largest member; the set must not be empty. */
uint32_t rangeset_min(const struct rangeset *s);
uint32_t rangeset_max(const struct rangeset *s);
/* Replace RANGESET_STAR by max. max 0 means "no messages": a "*" or "n:*"
 * then names nothing and is dropped. Call before rangeset_clip(). */
void rangeset_resolve_star(struct rangeset *s, uint32_t max);
/* Keep only members <= max. */
void rangeset_clip(struct rangeset *s, uint32_t max);
void rangeset_copy(struct rangeset *dst, const struct rangeset *src);
bool rangeset_equal(const struct rangeset *a, const struct rangeset *b);
/* Append in IMAP sequence-set form ("1:3,7,9:*"); an empty set writes nothing. */
void rangeset_write(const struct rangeset *s, struct buf *out);

/* Iterate: for (it = rangeset_iter(s); rangeset_next(s, &it, &n);) */
struct rangeset_iter {
	size_t idx;
	uint64_t next;
};
struct rangeset_iter rangeset_iter(const struct rangeset *s);
bool rangeset_next(const struct rangeset *s, struct rangeset_iter *it, uint32_t *n_r);

#endif
