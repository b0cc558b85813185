/* mailbox-status.h — the values of a STATUS response (RFC 9051 6.3.11,
 * RFC 3501 6.3.10, RFC 8438 SIZE, RFC 7889 APPENDLIMIT, RFC 7162
 * HIGHESTMODSEQ, RFC 8474 MAILBOXID) and their wire form, shared by STATUS
 * and LIST ... RETURN (STATUS ...) (RFC 5819).
 *
 * Everything comes from the store's per-mailbox counters; no message is
 * read. STATUS of the selected mailbox first brings the session's view up
 * to date (untagged EXISTS/EXPUNGE/FETCH may precede the STATUS line), so
 * its numbers agree with what the client was told.
 */
#ifndef HAFEN_SERVER_IMAP_MAILBOX_STATUS_H
#define HAFEN_SERVER_IMAP_MAILBOX_STATUS_H

#include "imap-session.h"

#include <stdint.h>

/* The STATUS items hafend answers; any other is a BAD. DELETED-STORAGE
 * (RFC 9208 4.1.4) is the sum of the sizes of the \Deleted messages,
 * read from the store only when asked. */
#define MAILBOX_STATUS_ITEMS                                                                       \
	(IMAP_STATUS_MESSAGES | IMAP_STATUS_RECENT | IMAP_STATUS_UIDNEXT |                         \
	 IMAP_STATUS_UIDVALIDITY | IMAP_STATUS_UNSEEN | IMAP_STATUS_DELETED | IMAP_STATUS_SIZE |   \
	 IMAP_STATUS_HIGHESTMODSEQ | IMAP_STATUS_APPENDLIMIT | IMAP_STATUS_MAILBOXID |             \
	 IMAP_STATUS_DELETED_STORAGE)

struct mailbox_status {
	unsigned items; /* enum imap_status_item: what was asked */
	uint32_t messages, recent, uidnext, uidvalidity, unseen, deleted;
	uint64_t size, highestmodseq, deleted_storage;
	uint64_t appendlimit; /* the configured append_limit */
	char mailboxid[32];
};

/* Look up the status of the mailbox with this UTF-8 name for the items
 * asked. Returns STORE_OK, STORE_ERR_NONEXISTENT, STORE_ERR_NOSELECT for a
 * \Noselect name, STORE_ERR_INVALID for a name that cannot exist, or
 * another store error. */
int mailbox_status_get(struct imap_session *s, const char *name, unsigned items,
		       struct mailbox_status *st_r);

/* Send "* STATUS <name> (<item> <value> ...)" with the items in the order
 * of enum imap_status_item and no trailing space (INTEROP.md point 10).
 * name is UTF-8 and goes out in the client's form (session_write_mailbox). */
void mailbox_status_send(struct imap_session *s, const char *name, const struct mailbox_status *st);

#endif
