/* mailbox-rules.h — what a client may make of a user's mailbox tree: the
 * names CREATE, RENAME and SUBSCRIBE accept, and how many mailboxes and
 * subscriptions a user may have.
 *
 * The counts and the depth bound the work of every LIST (which looks at
 * all of a user's names and their parents) and its memory.
 */
#ifndef HAFEN_SERVER_IMAP_MAILBOX_RULES_H
#define HAFEN_SERVER_IMAP_MAILBOX_RULES_H

#include "imap-session.h"

#include <stdbool.h>

/* Mailboxes (\Noselect placeholders included) one user may have. */
#define MAILBOX_MAX_COUNT 10000
/* Names one user may subscribe to (whether they exist or not). */
#define MAILBOX_MAX_SUBSCRIPTIONS 10000
/* Hierarchy levels of a name ("a/b/c" has 3). The store alone allows up
 * to 512 (1024 bytes); deeper trees make LIST walk more parents. */
#define MAILBOX_MAX_LEVELS 64

/* The number of levels of a name: 1 + the number of '/'. */
unsigned mailbox_name_levels(const char *name);

/* Read a mailbox name the client wants to bring into existence (CREATE,
 * RENAME's new name, SUBSCRIBE): decoded as session_read_mailbox() does,
 * then checked against RFC 9755 section 3 (no control characters, no
 * U+2028/U+2029) and MAILBOX_MAX_LEVELS. strip_delimiter drops one
 * trailing '/' (RFC 9051 6.3.4: "foo/" declares that foo will have
 * children; the name created is "foo"). Returns 0 with *name_r (caller
 * frees), or -1 with the tagged reply already sent. */
int mailbox_read_new_name(struct imap_session *s, const char *wire, bool strip_delimiter,
			  char **name_r);

/* 0 when the mailboxes that making name would add fit under
 * MAILBOX_MAX_COUNT: its missing parents, and name itself when itself is
 * set (CREATE, RENAME of INBOX) and it is not there yet. Otherwise -1 with
 * a tagged NO [LIMIT] sent (or the reply to a store error). Nothing is
 * counted when nothing would be added, so a user at the limit can still
 * rename within the tree. */
int mailbox_check_room(struct imap_session *s, const char *name, bool itself);

/* 0 when the user may subscribe to name: it is subscribed already or
 * there are fewer than MAILBOX_MAX_SUBSCRIPTIONS subscriptions; otherwise
 * -1 with the tagged reply sent. */
int mailbox_check_subscriptions(struct imap_session *s, const char *name);

/* 0 when renaming from's children below to keeps every name within
 * MAILBOX_MAX_LEVELS; otherwise -1 with a tagged NO [LIMIT] sent. */
int mailbox_check_rename_depth(struct imap_session *s, const char *from, const char *to);

#endif
