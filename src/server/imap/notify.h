/* notify.h — NOTIFY (RFC 5465) in a session: what the client asked to
 * hear about, and the hooks through which the session core delivers it.
 *
 * Until the first NOTIFY a session has no notify state and behaves as
 * before (changes of the selected mailbox at the end of commands and in
 * IDLE). Once NOTIFY SET or NONE ran, events go out as the client asked:
 *   - the selected mailbox (SELECTED, SELECTED-DELAYED): its changes are
 *     pushed as soon as the session is between commands or in IDLE;
 *     MessageNew with fetch attributes adds a FETCH of each new message;
 *     with SELECTED-DELAYED, expunges wait for a command that allows them;
 *   - other mailboxes (INBOXES, PERSONAL, SUBSCRIBED, SUBTREE, MAILBOXES):
 *     STATUS for message events, LIST for MailboxName and
 *     SubscriptionChange, from a per-session snapshot of what was last
 *     reported, compared with the store whenever it changed.
 * Events are written only between commands (or in IDLE): a change seen
 * while a command runs waits for its end. The tagged reply of a command
 * still carries the updates of the selected mailbox RFC 9051 7.5.1 allows,
 * whatever NOTIFY says (the client's sequence numbers depend on them).
 * The session's own mailbox changes (CREATE, DELETE, RENAME, SUBSCRIBE,
 * UNSUBSCRIBE) and its own new messages in the selected mailbox are not
 * echoed back (RFC 5465 section 5).
 */
#ifndef HAFEN_SERVER_IMAP_NOTIFY_H
#define HAFEN_SERVER_IMAP_NOTIFY_H

#include <stdbool.h>

struct imap_session;
struct imap_command;
struct notify;

/* Limit: notify_max_mailboxes (default NOTIFY_MAX_MAILBOXES) mailboxes
 * or subscriptions per user for a NOTIFY with a filter other than
 * SELECTED: a user with more gets NO [NOTIFICATIONOVERFLOW] for such a
 * NOTIFY, and a session whose user passes the limit later gets
 * "* OK [NOTIFICATIONOVERFLOW]" and behaves as after NOTIFY NONE (RFC 5465
 * 5.8). The session keeps one snapshot entry per mailbox (about 100 bytes
 * with its name), so this also bounds its memory. */
#define NOTIFY_MAX_MAILBOXES 10000
/* Event groups plus the mailbox names they list, in one NOTIFY: each event
 * checks a mailbox against all of them, so more is NO [LIMIT]. */
#define NOTIFY_MAX_NAMES 1000

/* Accepts NULL; *np becomes NULL. */
void notify_free(struct notify **np);

/* ---- hooks for the session core (imap-session.c) ---- */

/* The user's store changed, or a command ended with changes pending:
 * deliver the events now if the session is between commands or in IDLE,
 * else remember them for later. */
void notify_wake(struct imap_session *s);
/* A command is about to run (s->notify set): deliver what is pending for
 * other mailboxes before a command that changes mailboxes, and note the
 * names it touches (its own changes are not reported back). */
void notify_command_begin(struct imap_session *s, const struct imap_command *cmd);
/* The running command ended (its tagged reply was written), or the
 * session is back to reading after IDLE: deliver what waited. */
void notify_command_done(struct imap_session *s);
/* A FETCH for new messages is being written: no command may be read or
 * run until it is done (its literals must not be interleaved). */
bool notify_busy(const struct imap_session *s);
/* The output drained: continue that FETCH. */
void notify_resume(struct imap_session *s);

#endif
