/* rangeset-slice.h — the members of a rangeset at given positions, counted
 * from the lowest or the highest member (IMAP PARTIAL ranges, RFC 9394). */
#ifndef HAFEN_LIB_RANGESET_SLICE_H
#define HAFEN_LIB_RANGESET_SLICE_H

#include <stdint.h>

#include "rangeset.h"

/* Add to out the members of set at positions first..last. Positive
 * positions count from the lowest member (1 is the lowest), negative ones
 * from the highest (-1 is the highest); first and last must have the same
 * sign and may be given either way round (5:1 is 1:5). Positions past
 * either end select nothing there, so the result may be shorter than the
 * range or empty. A position 0 selects nothing. Runs in time linear in the
 * number of ranges of set, never in the number of members. */
void rangeset_slice(const struct rangeset *set, int64_t first, int64_t last, struct rangeset *out);

#endif
