/* mailbox-status.c — STATUS values from the store's counters and their
 * wire form (see mailbox-status.h). */
#include "mailbox-status.h"
#include "imap-selected.h"
#include "server/worker.h"
#include "store/store-recent.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Rounds of "sync the view, re-read the counters" for the selected mailbox
 * before we settle for the latest counters of a mailbox that keeps changing. */
#define SELECTED_SYNC_ROUNDS 3

/* Bring the selected mailbox's view up to date and re-read *mb until both
 * describe the same MODSEQ, so MESSAGES and the EXISTS the client saw agree.
 * STATUS and LIST are not sequence-number commands: EXPUNGE may go out now
 * (RFC 9051 7.5.1). */
static int refresh_selected(struct imap_session *s, struct store_mailbox *mb)
{
	int64_t id = mb->id;
	int ret;

	for (int round = 1;; round++) {
		if (imap_selected_sync(s, true) < 0)
			return STORE_ERR_NONEXISTENT;
		if (s->sel->modseq == mb->highestmodseq || round == SELECTED_SYNC_ROUNDS)
			return STORE_OK;
		store_mailbox_clear(mb);
		ret = store_mailbox_get_by_id(session_store(s), id, mb);
		if (ret != STORE_OK)
			return ret;
	}
}

static int fill(struct imap_session *s, const struct store_mailbox *mb, bool selected,
		struct mailbox_status *st)
{
	st->messages = selected ? s->sel->map.total : mb->messages;
	st->uidnext = mb->uidnext;
	st->uidvalidity = mb->uidvalidity;
	st->unseen = mb->unseen;
	st->deleted = mb->deleted;
	st->size = mb->size;
	st->highestmodseq = mb->highestmodseq;
	st->appendlimit = s->w->cfg->append_limit;
	snprintf(st->mailboxid, sizeof(st->mailboxid), "%s", mb->mailboxid);
	if (st->items & IMAP_STATUS_DELETED_STORAGE) {
		int ret =
			store_mailbox_deleted_size(session_store(s), mb->id, &st->deleted_storage);

		if (ret != STORE_OK)
			return ret;
	}
	if (!(st->items & IMAP_STATUS_RECENT))
		return STORE_OK;
	/* \Recent belongs to one session (RFC 3501 2.3.2): for the mailbox
	 * this session has open, what it was told; for any other, what the
	 * next session to open it will be told. */
	if (selected) {
		st->recent = (uint32_t)rangeset_count(&s->sel->recent);
		return STORE_OK;
	}
	return store_mailbox_count_recent(session_store(s), mb, &st->recent);
}

int mailbox_status_get(struct imap_session *s, const char *name, unsigned items,
		       struct mailbox_status *st_r)
{
	struct store_mailbox mb;
	bool selected;
	int ret;

	memset(st_r, 0, sizeof(*st_r));
	st_r->items = items;
	ret = store_mailbox_get(session_store(s), name, &mb);
	if (ret != STORE_OK)
		return ret;
	if (mb.noselect) {
		store_mailbox_clear(&mb);
		return STORE_ERR_NOSELECT;
	}
	selected = s->sel != NULL && s->sel->mailbox_id == mb.id;
	if (selected)
		ret = refresh_selected(s, &mb);
	if (ret == STORE_OK)
		ret = fill(s, &mb, selected, st_r);
	store_mailbox_clear(&mb);
	return ret;
}

static void write_item(struct buf *out, unsigned item, const struct mailbox_status *st)
{
	buf_append_str(out, imap_status_item_name(item));
	buf_append_byte(out, ' ');
	switch (item) {
	case IMAP_STATUS_MESSAGES:
		buf_printf(out, "%" PRIu32, st->messages);
		break;
	case IMAP_STATUS_RECENT:
		buf_printf(out, "%" PRIu32, st->recent);
		break;
	case IMAP_STATUS_UIDNEXT:
		buf_printf(out, "%" PRIu32, st->uidnext);
		break;
	case IMAP_STATUS_UIDVALIDITY:
		buf_printf(out, "%" PRIu32, st->uidvalidity);
		break;
	case IMAP_STATUS_UNSEEN:
		buf_printf(out, "%" PRIu32, st->unseen);
		break;
	case IMAP_STATUS_DELETED:
		buf_printf(out, "%" PRIu32, st->deleted);
		break;
	case IMAP_STATUS_SIZE:
		buf_printf(out, "%" PRIu64, st->size);
		break;
	case IMAP_STATUS_HIGHESTMODSEQ:
		buf_printf(out, "%" PRIu64, st->highestmodseq);
		break;
	case IMAP_STATUS_APPENDLIMIT:
		/* RFC 7889 4: the largest APPEND this mailbox takes; hafend has
		 * one limit for all (append_limit), never none, so never NIL. */
		buf_printf(out, "%" PRIu64, st->appendlimit);
		break;
	case IMAP_STATUS_DELETED_STORAGE:
		buf_printf(out, "%" PRIu64, st->deleted_storage);
		break;
	case IMAP_STATUS_MAILBOXID:
		/* RFC 8474 4: "MAILBOXID" SP "(" objectid ")". */
		buf_printf(out, "(%s)", st->mailboxid);
		break;
	}
}

void mailbox_status_send(struct imap_session *s, const char *name, const struct mailbox_status *st)
{
	bool first = true;

	buf_reset(&s->out);
	buf_append_str(&s->out, "* STATUS ");
	session_write_mailbox(s, &s->out, name);
	buf_append_str(&s->out, " (");
	for (unsigned i = 0; i < IMAP_STATUS_ITEM_COUNT; i++) {
		unsigned item = 1u << i;

		if (!(st->items & item & MAILBOX_STATUS_ITEMS))
			continue;
		if (!first)
			buf_append_byte(&s->out, ' ');
		write_item(&s->out, item, st);
		first = false;
	}
	buf_append_byte(&s->out, ')');
	session_send_line(s);
}
