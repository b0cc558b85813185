/* imap-seqset.h — IMAP sequence sets as written on the wire.
 *
 * A parsed sequence set keeps its ranges in the order and direction the
 * peer wrote them ("5:3,1" stays 5:3 then 1), because COPYUID pairs source
 * and destination UIDs by position (RFC 4315 section 3) and because a round
 * trip must give back what was sent. "*" is RANGESET_STAR. "$" (SEARCHRES,
 * RFC 5182) is a set of its own kind: the result saved by the last SEARCH.
 * Convert to a struct rangeset (lib/rangeset.h) to compute with a set.
 *
 * Limit: rangeset uses 4294967295 for "*", so the number 4294967295 is
 * read as 4294967294 (no server hands out either as a sequence number or
 * UID, so the messages a range names do not change).
 */
#ifndef HAFEN_IMAP_SEQSET_H
#define HAFEN_IMAP_SEQSET_H

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/rangeset.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct imap_seq_range {
	uint32_t first, last; /* as written; equal for a single number */
};

struct imap_seqset {
	const struct imap_seq_range *ranges;
	size_t count;
	bool saved; /* "$": the saved search result; count is 0 */
};

enum imap_seqset_flags {
	IMAP_SEQSET_ALLOW_STAR = 1 << 0,   /* "*" may appear */
	IMAP_SEQSET_ALLOW_DOLLAR = 1 << 1, /* the whole set may be "$" */
};

/* Parse s (len bytes) as a sequence set; ranges are allocated in arena.
 * Numbers are nz-number (1..4294967295). Returns false on bad syntax. */
bool imap_seqset_parse(struct arena *arena, const char *s, size_t len, unsigned flags,
		       struct imap_seqset *set_r);
/* Append the set in wire form ("$", or "1:3,7,9:*"). An empty set writes nothing. */
void imap_seqset_write(struct buf *out, const struct imap_seqset *set);
/* Add every range of set to rs ("*" stays RANGESET_STAR; "$" adds nothing:
 * the caller substitutes its saved result). */
void imap_seqset_to_rangeset(const struct imap_seqset *set, struct rangeset *rs);
/* Make a sequence set (in arena) holding the ranges of rs in ascending order. */
void imap_seqset_from_rangeset(struct arena *arena, const struct rangeset *rs,
			       struct imap_seqset *set_r);
/* Number of messages named, counting "*" as 4294967295 (so "1:*" names
 * 4294967295 numbers: an upper bound); "$" counts 0. */
uint64_t imap_seqset_count(const struct imap_seqset *set);
/* Same ranges, same order, same "$"? */
bool imap_seqset_equal(const struct imap_seqset *a, const struct imap_seqset *b);

#endif
