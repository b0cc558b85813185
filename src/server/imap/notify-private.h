/* notify-private.h — NOTIFY internals shared by cmd-notify.c (the
 * command), notify.c (delivery and the session hooks), notify-watch.c (the
 * snapshot of other mailboxes and its events) and notify-fetch.c (the
 * FETCH of new messages). RFC 5465.
 */
#ifndef HAFEN_SERVER_IMAP_NOTIFY_PRIVATE_H
#define HAFEN_SERVER_IMAP_NOTIFY_PRIVATE_H

#include "notify.h"
#include "fetch-private.h"
#include "imap-session.h"
#include "lib/rangeset.h"

#include <stdbool.h>
#include <stdint.h>

/* The events hafend reports (RFC 5465 section 5). */
enum notify_event {
	NOTIFY_EV_MESSAGE_NEW = 1 << 0,
	NOTIFY_EV_MESSAGE_EXPUNGE = 1 << 1,
	NOTIFY_EV_FLAG_CHANGE = 1 << 2,
	NOTIFY_EV_MAILBOX_NAME = 1 << 3,
	NOTIFY_EV_SUBSCRIPTION_CHANGE = 1 << 4,
};
#define NOTIFY_EV_MESSAGE                                                                          \
	(NOTIFY_EV_MESSAGE_NEW | NOTIFY_EV_MESSAGE_EXPUNGE | NOTIFY_EV_FLAG_CHANGE)
/* The list a NO [BADEVENT ...] carries: every event we support. */
#define NOTIFY_EVENT_NAMES "MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange"

/* One event group other than SELECTED/SELECTED-DELAYED. */
struct notify_group {
	enum imap_notify_filter filter;
	unsigned events; /* enum notify_event */
	char **names;    /* SUBTREE, MAILBOXES: canonical UTF-8 names */
	size_t name_count;
};

/* What the client was last told about one mailbox (or, for a mailbox
 * that is selected or not watched, what it looked like last time). */
struct notify_mbox {
	int64_t id;
	char *name;
	uint32_t uidvalidity, uidnext, messages, unseen;
	uint64_t modseq;
	unsigned special_use;
	bool noselect, has_children;
};

/* All of the user's mailboxes and subscriptions at one moment. */
struct notify_snapshot {
	struct notify_mbox *mboxes; /* sorted by id */
	size_t count;
	char **subs; /* subscribed names, sorted (strcmp) */
	size_t sub_count;
};

/* The FETCH of new messages for MessageNew (fetch-att ...), written as
 * the client reads (see notify-fetch.c for its states). */
struct notify_fetch {
	struct fetch_plan plan;
	struct rangeset uids; /* still to send */
	struct store_fetch *sf;
	const struct store_msg *msg;
	struct fetch_message fm; /* msg's items (fetch-message.c) */
	bool active;             /* a FETCH response is being written */
};

struct notify {
	/* What the client asked for. */
	struct notify_group *groups;
	size_t group_count;
	bool selected; /* a SELECTED or SELECTED-DELAYED group */
	bool selected_delayed;
	unsigned selected_events; /* enum notify_event */
	bool watch_other;         /* some group watches other mailboxes */
	bool inboxes_all;         /* INBOXES means every mailbox (subaddresses) */
	unsigned max_mailboxes;
	/* The MessageNew fetch items, copied out of the command into an arena
	 * of their size (the command's own would keep 4 KiB); NULL without. */
	struct arena *fetch_arena;
	struct imap_cmd_fetch fetch_req;
	struct notify_fetch fetch;

	/* Delivery state. */
	struct notify_snapshot snap;
	bool pending;   /* the store changed since the last delivery */
	int64_t sel_id; /* the selected mailbox new messages are counted in */
	uint32_t sel_uidvalidity;
	uint32_t fetched_upto;              /* its messages up to this UID were dealt with */
	uint32_t sel_uidnext, sel_messages; /* at the last selected delivery */
	/* The running command's own mailbox changes, not to be echoed. */
	bool in_command;
	enum imap_command_kind cmd_kind;
	char *touched[3];
	bool touched_tree[3]; /* CREATE, DELETE, RENAME: with children and parent */
	size_t touched_count;
};

/* ---- cmd-notify.c ---- */

/* A mailbox name as the client sent it, in canonical UTF-8 (caller
 * frees); -1, with nothing sent, when no mailbox can have that name. */
int notify_name_decode(struct imap_session *s, const char *wire, char **utf8_r);

/* Which events of the groups apply to the mailbox name (subscribed says
 * whether it is, or was, subscribed). */
unsigned notify_events_for(const struct notify *n, const char *name, bool subscribed);

/* ---- notify-watch.c ---- */

/* Read the user's mailboxes and subscriptions. 1 when there are more
 * than n->max_mailboxes, 0 done, or a store error. */
int notify_snapshot_load(struct imap_session *s, const struct notify *n,
			 struct notify_snapshot *snap_r);
void notify_snapshot_clear(struct notify_snapshot *snap);
/* Compare the store with n->snap, write STATUS and LIST responses for the
 * changes the client asked to hear of (none for the names this session
 * changed itself, n->touched), and take the store's state as the new
 * snapshot. 0, 1 for an overflow (the caller stops NOTIFY), or a store
 * error (the snapshot is left, to try again later). */
int notify_watch_deliver(struct imap_session *s, struct notify *n);
/* NOTIFY SET STATUS: a STATUS response for every watched mailbox with
 * message events, from n->snap. */
void notify_watch_send_status(struct imap_session *s, const struct notify *n);

/* ---- notify-fetch.c ---- */

/* Prepare the plan of n->fetch_req. 0, or -1 with a tagged reply sent. */
int notify_fetch_setup(struct imap_session *s, struct notify *n);
void notify_fetch_init(struct notify_fetch *f);
/* Frees everything; f is left as notify_fetch_init made it. */
void notify_fetch_clear(struct notify_fetch *f);
/* Send "* n FETCH (UID u ...)" for the messages of uids (added to those
 * still waiting). 1 when all went out, 0 when the output filled up
 * (notify_fetch_continue once it drained). */
int notify_fetch_start(struct imap_session *s, struct notify *n, const struct rangeset *uids);
int notify_fetch_continue(struct imap_session *s, struct notify *n);

#endif
