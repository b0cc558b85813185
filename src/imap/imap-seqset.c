/* imap-seqset.c — sequence sets in wire order (see imap-seqset.h). */
#include "imap-seqset.h"
#include "lib/str.h"

#include <string.h>

static bool parse_number(const char *s, size_t len, unsigned flags, uint32_t *n_r)
{
	if (len == 1 && s[0] == '*' && (flags & IMAP_SEQSET_ALLOW_STAR)) {
		*n_r = RANGESET_STAR;
		return true;
	}
	/* nz-number: no leading zero, no zero, fits in 32 bits. */
	if (len == 0 || s[0] == '0' || !str_to_u32(s, len, n_r))
		return false;
	/* "4294967295" is valid, and clients use it as "the highest UID
	 * there can be" (interimap: UID FETCH 1:4294967295). It would collide
	 * with "*" (RANGESET_STAR), so it is read as 4294967294: no server
	 * hands out either number, so every range means the same messages,
	 * and unlike "*" it never names the last message when the range
	 * lies above it. */
	if (*n_r == RANGESET_STAR)
		*n_r = RANGESET_STAR - 1;
	return true;
}

static size_t count_ranges(const char *s, size_t len)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		if (s[i] == ',')
			n++;
	return n;
}

bool imap_seqset_parse(struct arena *arena, const char *s, size_t len, unsigned flags,
		       struct imap_seqset *set_r)
{
	struct imap_seq_range *ranges;
	size_t n, i = 0, count = 0;

	memset(set_r, 0, sizeof(*set_r));
	if (len == 1 && s[0] == '$' && (flags & IMAP_SEQSET_ALLOW_DOLLAR)) {
		set_r->saved = true;
		return true;
	}
	if (len == 0)
		return false;
	n = count_ranges(s, len);
	ranges = arena_alloc(arena, n * sizeof(*ranges));
	while (i <= len) {
		size_t end = i, colon = (size_t)-1;

		while (end < len && s[end] != ',') {
			if (s[end] == ':') {
				if (colon != (size_t)-1)
					return false;
				colon = end;
			}
			end++;
		}
		if (colon == (size_t)-1) {
			if (!parse_number(s + i, end - i, flags, &ranges[count].first))
				return false;
			ranges[count].last = ranges[count].first;
		} else if (!parse_number(s + i, colon - i, flags, &ranges[count].first) ||
			   !parse_number(s + colon + 1, end - colon - 1, flags,
					 &ranges[count].last)) {
			return false;
		}
		count++;
		i = end + 1;
	}
	set_r->ranges = ranges;
	set_r->count = count;
	return true;
}

static void write_number(struct buf *out, uint32_t n)
{
	if (n == RANGESET_STAR)
		buf_append_byte(out, '*');
	else
		buf_append_u64(out, n);
}

void imap_seqset_write(struct buf *out, const struct imap_seqset *set)
{
	if (set->saved) {
		buf_append_byte(out, '$');
		return;
	}
	for (size_t i = 0; i < set->count; i++) {
		if (i > 0)
			buf_append_byte(out, ',');
		write_number(out, set->ranges[i].first);
		if (set->ranges[i].last != set->ranges[i].first) {
			buf_append_byte(out, ':');
			write_number(out, set->ranges[i].last);
		}
	}
}

void imap_seqset_to_rangeset(const struct imap_seqset *set, struct rangeset *rs)
{
	for (size_t i = 0; i < set->count; i++)
		rangeset_add_range(rs, set->ranges[i].first, set->ranges[i].last);
}

void imap_seqset_from_rangeset(struct arena *arena, const struct rangeset *rs,
			       struct imap_seqset *set_r)
{
	struct imap_seq_range *ranges = arena_alloc(arena, (rs->count + 1) * sizeof(*ranges));

	for (size_t i = 0; i < rs->count; i++) {
		ranges[i].first = rs->r[i].lo;
		ranges[i].last = rs->r[i].hi;
	}
	set_r->ranges = ranges;
	set_r->count = rs->count;
	set_r->saved = false;
}

uint64_t imap_seqset_count(const struct imap_seqset *set)
{
	uint64_t n = 0;

	for (size_t i = 0; i < set->count; i++) {
		uint32_t a = set->ranges[i].first, b = set->ranges[i].last;

		n += (a > b ? (uint64_t)a - b : (uint64_t)b - a) + 1;
	}
	return n;
}

bool imap_seqset_equal(const struct imap_seqset *a, const struct imap_seqset *b)
{
	if (a->saved != b->saved || a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (a->ranges[i].first != b->ranges[i].first ||
		    a->ranges[i].last != b->ranges[i].last)
			return false;
	return true;
}
