/* uid-cache.h — the UID sets of the mailboxes a worker opened last, kept
 * from one SELECT to the next and brought up to date from the changes
 * since, so opening a mailbox of 100 000 messages reads what changed, not
 * every row (BENCHMARKS.md "Resync").
 *
 * Why it is exact: an entry holds the UIDs of a mailbox as they were at
 * some moment at or after the mailbox's HIGHESTMODSEQ was M. Every message
 * added since has a MODSEQ above M and every message removed since left a
 * tombstone above M (docs/store.md), so adding the UIDs of the rows
 * changed since M and removing the tombstones since M, read in one
 * snapshot (store_changes()), gives the UIDs as of that snapshot. Both
 * steps are idempotent, so a snapshot later than the mailbox row read
 * before it does no harm. An entry is dropped when UIDVALIDITY differs,
 * and a result whose count differs from the mailbox row's message count is
 * replaced by a full read (a concurrent change, or damage).
 *
 * Limits: UID_CACHE_ENTRIES entries per worker process, least recently
 * used replaced; a set of more than UID_CACHE_MAX_RANGES ranges (8 bytes
 * each) is not kept. So the cache holds at most 32 x 512 KiB.
 */
#ifndef HAFEN_SERVER_UID_CACHE_H
#define HAFEN_SERVER_UID_CACHE_H

#include "lib/rangeset.h"
#include "store/store.h"

#define UID_CACHE_ENTRIES    32
#define UID_CACHE_MAX_RANGES 65536

/* Put the UIDs of mailbox mb (as just read with store_mailbox_get) of the
 * store of user into uids_r (cleared first; the caller frees it). Returns
 * STORE_OK or a store error (uids_r then empty). */
int uid_cache_get(struct store *st, const char *user, const struct store_mailbox *mb,
		  struct rangeset *uids_r);

/* Forget every entry (tests; a worker keeps its entries until it exits). */
void uid_cache_clear(void);

#endif
