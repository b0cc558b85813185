/* store-recent.h — how many messages of a mailbox are still \Recent
 * (RFC 3501 2.3.2), for STATUS RECENT without reading the messages. */
#ifndef HAFEN_STORE_RECENT_H
#define HAFEN_STORE_RECENT_H

#include "store.h"

#include <stdint.h>

/* The messages no session has claimed as \Recent yet (UID at or above
 * mb->first_recent_uid): what the next session to open the mailbox will
 * see as \Recent. Counted on the (mailbox, UID) key, so the cost grows
 * with the number of such messages, not with the mailbox; no query at all
 * when every UID was claimed. Returns STORE_OK or a store error. */
int store_mailbox_count_recent(struct store *s, const struct store_mailbox *mb, uint32_t *count_r);

#endif
