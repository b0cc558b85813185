/* notify.c — delivering NOTIFY events (RFC 5465) between commands and in
 * IDLE: the hooks the session core calls (notify.h), the selected
 * mailbox's events, and the switch to NOTIFY NONE on an overflow.
 *
 * A delivery first writes the events of other mailboxes (notify-watch.c),
 * then brings the selected mailbox up to date and starts the FETCH of its
 * new messages (notify-fetch.c), which may outlast the delivery: while it
 * runs (notify_busy) the session reads and writes nothing else.
 */
#include "imap-commands.h"
#include "imap-selected.h"
#include "notify-private.h"
#include "lib/arena.h"
#include "lib/mem.h"
#include "store/store.h"

#include <stdlib.h>

static void groups_free(struct notify *n)
{
	for (size_t i = 0; i < n->group_count; i++) {
		for (size_t k = 0; k < n->groups[i].name_count; k++)
			free(n->groups[i].names[k]);
		free(n->groups[i].names);
	}
	free(n->groups);
	n->groups = NULL;
	n->group_count = 0;
}

static void touched_clear(struct notify *n)
{
	for (size_t i = 0; i < n->touched_count; i++)
		free(n->touched[i]);
	n->touched_count = 0;
}

void notify_free(struct notify **np)
{
	struct notify *n = *np;

	if (n == NULL)
		return;
	*np = NULL;
	groups_free(n);
	notify_fetch_clear(&n->fetch);
	arena_free(&n->fetch_arena);
	notify_snapshot_clear(&n->snap);
	touched_clear(n);
	free(n);
}

/* RFC 5465 5.8: say so, then behave as after NOTIFY NONE. */
static void overflow(struct imap_session *s, struct notify *n)
{
	session_untagged(s,
			 "OK [NOTIFICATIONOVERFLOW] More than %u mailboxes to watch, "
			 "NOTIFY is off",
			 n->max_mailboxes);
	groups_free(n);
	notify_snapshot_clear(&n->snap);
	n->watch_other = false;
	n->selected = false;
	n->selected_events = 0;
}

static void watch_deliver(struct imap_session *s, struct notify *n)
{
	int ret;

	if (!n->watch_other)
		return;
	ret = notify_watch_deliver(s, n);
	if (ret == 1)
		overflow(s, n);
	else if (ret < 0)
		n->pending = true; /* a busy database: again at the next wake */
}

/* ---- the selected mailbox ---- */

/* Follow the session's selection: messages of a newly selected mailbox
 * are all known to the client already. */
static void track_selected(struct imap_session *s, struct notify *n)
{
	struct store_mailbox mb;

	if (s->sel == NULL) {
		n->sel_id = 0;
		return;
	}
	if (n->sel_id == s->sel->mailbox_id && n->sel_uidvalidity == s->sel->uidvalidity)
		return;
	n->sel_id = s->sel->mailbox_id;
	n->sel_uidvalidity = s->sel->uidvalidity;
	n->fetched_upto = uidmap_last_uid(&s->sel->map);
	n->sel_uidnext = 0;
	n->sel_messages = UINT32_MAX;
	/* The view is as new as the store was when the mailbox was selected. */
	if (store_mailbox_get_by_id(session_store(s), n->sel_id, &mb) == STORE_OK) {
		n->sel_uidnext = mb.uidnext;
		n->sel_messages = mb.messages;
		store_mailbox_clear(&mb);
	}
}

/* Without FlagChange, a delivery syncs the view only when messages came
 * or went; flag changes then ride along (the client hears of them at the
 * end of its next command anyway). */
static bool selected_due(struct imap_session *s, struct notify *n)
{
	struct store_mailbox mb;
	bool due;

	if (n->selected_events & NOTIFY_EV_FLAG_CHANGE)
		return true;
	if (store_mailbox_get_by_id(session_store(s), s->sel->mailbox_id, &mb) != STORE_OK)
		return true; /* let the sync find out */
	due = mb.uidnext != n->sel_uidnext || mb.messages != n->sel_messages;
	n->sel_uidnext = mb.uidnext;
	n->sel_messages = mb.messages;
	store_mailbox_clear(&mb);
	return due;
}

/* The UIDs of the view above n->fetched_upto, which moves to the last. */
static void take_new_uids(struct imap_session *s, struct notify *n, struct rangeset *uids)
{
	const struct uidmap *map = &s->sel->map;
	uint32_t seq = map->total;

	while (seq > 0 && uidmap_seq_to_uid(map, seq) > n->fetched_upto)
		seq--;
	if (seq < map->total)
		uidmap_seqs_to_uids(map, seq + 1, map->total, uids);
	if (map->total > 0 && uidmap_last_uid(map) > n->fetched_upto)
		n->fetched_upto = uidmap_last_uid(map);
}

/* 0, or -1 when the session ended (the mailbox was deleted). */
static int selected_deliver(struct imap_session *s, struct notify *n)
{
	struct rangeset uids = RANGESET_INIT;
	/* SELECTED-DELAYED holds expunges until a command allows them; IDLE
	 * does (RFC 5465 6.1.2). */
	bool allow_expunge = !n->selected_delayed || s->mode == IMAP_MODE_IDLE;

	track_selected(s, n);
	if (!n->selected || s->sel == NULL || !(n->selected_events & NOTIFY_EV_MESSAGE))
		return 0;
	if (!selected_due(s, n))
		return 0;
	if (imap_selected_sync(s, allow_expunge) < 0) {
		session_untagged(s, "BYE The selected mailbox was deleted");
		session_close(s);
		return -1;
	}
	if (n->fetch_req.count == 0) {
		n->fetched_upto = uidmap_last_uid(&s->sel->map);
		return 0;
	}
	take_new_uids(s, n, &uids);
	if (!rangeset_is_empty(&uids))
		notify_fetch_start(s, n, &uids);
	rangeset_free(&uids);
	return 0;
}

/* ---- delivery ---- */

static bool between_commands(const struct imap_session *s)
{
	if (s->conn == NULL)
		return false;
	return (s->mode == IMAP_MODE_READING && s->run.cmd == NULL) || s->mode == IMAP_MODE_IDLE;
}

static void deliver(struct imap_session *s)
{
	struct notify *n = s->notify;

	if (n->fetch.active)
		return; /* notify_resume comes back here */
	if (session_output_full(s)) {
		n->pending = true; /* on_drained calls notify_resume */
		return;
	}
	n->pending = false;
	watch_deliver(s, n);
	selected_deliver(s, n);
}

void notify_wake(struct imap_session *s)
{
	s->notify->pending = true;
	if (between_commands(s))
		deliver(s);
}

bool notify_busy(const struct imap_session *s)
{
	return s->notify != NULL && s->notify->fetch.active;
}

void notify_resume(struct imap_session *s)
{
	struct notify *n = s->notify;

	if (n->fetch.active && notify_fetch_continue(s, n) == 0)
		return;
	if (n->pending && between_commands(s))
		deliver(s);
}

/* ---- the session's own changes (RFC 5465 section 5) ---- */

static void touch(struct imap_session *s, struct notify *n, const char *wire, bool tree)
{
	char *name;

	if (wire == NULL || n->touched_count == HF_N_ELEMENTS(n->touched) ||
	    notify_name_decode(s, wire, &name) < 0)
		return;
	n->touched_tree[n->touched_count] = tree;
	n->touched[n->touched_count++] = name;
}

static void note_touched(struct imap_session *s, struct notify *n, const struct imap_command *cmd)
{
	switch (cmd->kind) {
	case IMAP_CMD_APPEND:
		touch(s, n, cmd->u.append.mailbox, false);
		break;
	case IMAP_CMD_COPY:
	case IMAP_CMD_MOVE:
		touch(s, n, cmd->u.copy.mailbox, false);
		break;
	case IMAP_CMD_CREATE:
		touch(s, n, cmd->u.create.mailbox, true);
		break;
	case IMAP_CMD_DELETE:
		touch(s, n, cmd->u.mailbox.mailbox, true);
		break;
	case IMAP_CMD_SUBSCRIBE:
	case IMAP_CMD_UNSUBSCRIBE:
		touch(s, n, cmd->u.mailbox.mailbox, false);
		break;
	case IMAP_CMD_RENAME:
		touch(s, n, cmd->u.rename.from, true);
		touch(s, n, cmd->u.rename.to, true);
		break;
	default:
		break;
	}
	/* CLOSE, EXPUNGE, STORE ... change the selected mailbox, which may
	 * be watched once it is no longer selected. */
	if (s->sel != NULL && n->touched_count < HF_N_ELEMENTS(n->touched)) {
		n->touched_tree[n->touched_count] = false;
		n->touched[n->touched_count++] = xstrdup(s->sel->name);
	}
}

void notify_command_begin(struct imap_session *s, const struct imap_command *cmd)
{
	struct notify *n = s->notify;

	touched_clear(n);
	n->in_command = true;
	n->cmd_kind = cmd->kind;
	if (!n->watch_other)
		return;
	note_touched(s, n, cmd);
	/* Report what others changed before this command changes anything,
	 * so what it changes itself can be taken in silently at its end. */
	if (n->pending && n->touched_count > 0 && !n->fetch.active)
		watch_deliver(s, n);
}

void notify_command_done(struct imap_session *s)
{
	struct notify *n = s->notify;

	if (s->mode == IMAP_MODE_CLOSING || s->conn == NULL) {
		touched_clear(n);
		return;
	}
	if (n->in_command) {
		n->in_command = false;
		if (n->touched_count > 0)
			watch_deliver(s, n);
		touched_clear(n);
		track_selected(s, n);
		/* Its own new messages get no FETCH (RFC 5465 5.2). */
		if (s->sel != NULL &&
		    (n->cmd_kind == IMAP_CMD_APPEND || n->cmd_kind == IMAP_CMD_COPY ||
		     n->cmd_kind == IMAP_CMD_MOVE))
			n->fetched_upto = uidmap_last_uid(&s->sel->map);
	}
	/* After SELECT, EXAMINE, CLOSE or NOTIFY itself. */
	track_selected(s, n);
	if (n->pending && between_commands(s))
		deliver(s);
}
