/* import-dedup.h — what a mailbox already holds, so an import run again
 * (after a crash, or on purpose) adds only what is missing.
 *
 * A message is identified by the SHA-256 of its bytes as the store keeps
 * them (CRLF): stronger than Message-ID plus size, and it needs no
 * Message-ID. The stored messages form a multiset: each source message
 * claims one stored copy with the same bytes, so a source with two
 * identical messages gets two. Stored files are hashed lazily, only those
 * whose size matches a source message, each once.
 */
#ifndef HAFEN_SERVER_MAILIO_IMPORT_DEDUP_H
#define HAFEN_SERVER_MAILIO_IMPORT_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct dedup;

/* The messages of one mailbox as they are now. NULL with a store error in
 * *err_r. */
struct dedup *dedup_new(struct store *s, int64_t mailbox_id, int *err_r);
void dedup_free(struct dedup **dp);
/* Does the mailbox hold an unclaimed copy of data? If so it is claimed
 * (*present_r true). Returns STORE_OK or a store error (a stored file that
 * cannot be read). */
int dedup_claim(struct dedup *d, const void *data, size_t len, bool *present_r);

#endif
