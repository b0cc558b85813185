/* rangeset-slice.c — select members of a rangeset by position (RFC 9394
 * PARTIAL for SEARCH results and UID FETCH). */
#include "rangeset-slice.h"

void rangeset_slice(const struct rangeset *set, int64_t first, int64_t last, struct rangeset *out)
{
	int64_t count = (int64_t)rangeset_count(set), lo, hi, pos = 0;

	if (first < 0) {
		/* -1 is the highest member, i.e. position count. */
		first = count + first + 1;
		last = count + last + 1;
	}
	lo = first < last ? first : last;
	hi = first < last ? last : first;
	if (lo < 1)
		lo = 1;
	/* pos counts the members of the ranges before r[i]. */
	for (size_t i = 0; i < set->count && pos < hi; i++) {
		int64_t size = (int64_t)set->r[i].hi - set->r[i].lo + 1;
		int64_t a = lo > pos + 1 ? lo - pos - 1 : 0;
		int64_t z = hi < pos + size ? hi - pos - 1 : size - 1;

		if (a <= z)
			rangeset_add_range(out, set->r[i].lo + (uint32_t)a,
					   set->r[i].lo + (uint32_t)z);
		pos += size;
	}
}
