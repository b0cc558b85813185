/* uidmap.h — a session's map between message sequence numbers and UIDs.
 *
 * Kept as runs of consecutive UIDs with the sequence number each run
 * starts at, so a mailbox whose UIDs have few gaps costs a few bytes, not
 * four per message, and both directions are a binary search. This matters
 * for the memory of thousands of idle sessions on large mailboxes.
 */
#ifndef HAFEN_SERVER_UIDMAP_H
#define HAFEN_SERVER_UIDMAP_H

#include "lib/rangeset.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uidrun {
	uint32_t first_uid;
	uint32_t count;
	uint32_t first_seq;
};

struct uidmap {
	struct uidrun *runs;
	size_t nruns, cap;
	uint32_t total;
};

void uidmap_free(struct uidmap *m);
/* Build from a sorted UID array. */
void uidmap_init(struct uidmap *m, const uint32_t *uids, size_t count);
/* Append a UID larger than every UID in the map. */
void uidmap_append(struct uidmap *m, uint32_t uid);
uint32_t uidmap_last_uid(const struct uidmap *m); /* 0 when empty */
/* 0 when out of range / absent. */
uint32_t uidmap_seq_to_uid(const struct uidmap *m, uint32_t seq);
uint32_t uidmap_uid_to_seq(const struct uidmap *m, uint32_t uid);
/* Remove the UIDs of set that are in the map, in one pass. For each one
 * removed, in ascending order, cb gets its sequence number as it is at
 * that moment (earlier removals already applied): what "* n EXPUNGE"
 * must say when they are sent in that order. */
void uidmap_remove_set(struct uidmap *m, const struct rangeset *set,
		       void (*cb)(void *ctx, uint32_t seq, uint32_t uid), void *ctx);
/* Add to out the UIDs of sequence numbers lo..hi (clipped to the map). */
void uidmap_seqs_to_uids(const struct uidmap *m, uint32_t lo, uint32_t hi, struct rangeset *out);
/* Add to out the UIDs of the map that are in set. */
void uidmap_filter(const struct uidmap *m, const struct rangeset *set, struct rangeset *out);

#endif
