/* notify-fetch.c — the unsolicited FETCH of new messages that MessageNew
 * (fetch-att ...) asks for (RFC 5465 5.2), written as the client reads.
 *
 * It uses the FETCH plan and writers of fetch-*.c without a command: no
 * \Seen is set (such items are refused by NOTIFY), no tagged reply ends
 * it, and a message that cannot be answered is skipped (logged) instead
 * of failing anything. Its states:
 *   idle          active false; uids empty, no cursor
 *   between       active; msg NULL; the cursor (sf) or uids hold the rest
 *   in a message  msg set, bodies prepared; fm says how far it got
 * UIDs added while it runs are sent when the cursor is used up.
 */
#include "imap-selected.h"
#include "notify-private.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <string.h>

int notify_fetch_setup(struct imap_session *s, struct notify *n)
{
	struct notify_fetch *f = &n->fetch;

	fetch_plan_build(&n->fetch_req, &f->plan);
	/* RFC 5465 5.2: the client SHOULD NOT ask for items that set \Seen;
	 * a notification must not change the mailbox, so we refuse them. */
	if (f->plan.sets_seen) {
		session_tagged(s, IMAP_COND_BAD, NULL,
			       "MessageNew fetch attributes must not set \\Seen (use BODY.PEEK)");
		return -1;
	}
	if (f->plan.sections > FETCH_MAX_SECTIONS) {
		session_tagged(s, IMAP_COND_NO, "LIMIT", "More than %d body sections",
			       FETCH_MAX_SECTIONS);
		return -1;
	}
	return 0;
}

static void clear_message(struct notify_fetch *f)
{
	fetch_message_clear(&f->fm);
	f->msg = NULL;
}

void notify_fetch_init(struct notify_fetch *f)
{
	memset(f, 0, sizeof(*f));
	fetch_message_init(&f->fm);
}

void notify_fetch_clear(struct notify_fetch *f)
{
	clear_message(f);
	store_fetch_end(&f->sf);
	fetch_message_free(&f->fm);
	fetch_plan_free(&f->plan);
	rangeset_free(&f->uids);
	notify_fetch_init(f);
}

/* Every body item of f->msg located before its response starts. */
static bool prepare(struct notify_fetch *f)
{
	int err;
	enum fetch_body_result res = fetch_message_prepare(&f->fm, f->msg, &err);

	if (res != FETCH_BODY_OK)
		log_debug("notify: no FETCH for new message UID %u (%s)", f->msg->uid,
			  res == FETCH_BODY_UNKNOWN_CTE ? "unknown encoding" : store_strerror(err));
	return res == FETCH_BODY_OK;
}

/* The next message to send: 1, or 0 when there is none left. */
static int next_message(struct imap_session *s, struct notify *n)
{
	struct notify_fetch *f = &n->fetch;
	const struct store_msg *m;

	for (;;) {
		if (f->sf == NULL) {
			struct store *st = session_store(s);

			if (rangeset_is_empty(&f->uids) || s->sel == NULL || st == NULL ||
			    s->sel->mailbox_id != n->sel_id ||
			    store_fetch_begin(st, s->sel->mailbox_id, &f->uids, f->plan.want,
					      &f->sf) != STORE_OK) {
				store_fetch_end(&f->sf);
				rangeset_clear(&f->uids);
				return 0;
			}
			f->fm.file.st = st;
			rangeset_clear(&f->uids);
		}
		if (store_fetch_next(f->sf, &m) != 1) {
			store_fetch_end(&f->sf);
			continue;
		}
		/* Expunged and reported meanwhile: nothing to say about it. */
		if (uidmap_uid_to_seq(&s->sel->map, m->uid) == 0)
			continue;
		f->msg = m;
		if (prepare(f))
			return 1;
		clear_message(f);
	}
}

static void write_head(struct imap_session *s, struct notify_fetch *f)
{
	buf_reset(&s->out);
	buf_printf(&s->out, "* %u FETCH (", uidmap_uid_to_seq(&s->sel->map, f->msg->uid));
	/* The UID always: with MessageExpunge the client cannot rely on
	 * sequence numbers (RFC 5465 5.3). */
	if (!f->plan.has_uid)
		buf_printf(&s->out, "UID %u ", f->msg->uid);
}

int notify_fetch_continue(struct imap_session *s, struct notify *n)
{
	struct notify_fetch *f = &n->fetch;

	for (;;) {
		int ret;

		if (f->msg == NULL) {
			if (session_output_full(s))
				return 0;
			if (next_message(s, n) == 0)
				break;
			write_head(s, f);
		}
		ret = fetch_message_write(s, &f->fm);
		if (ret == 0)
			return 0;
		if (ret < 0) {
			/* The literal's size was promised: the stream is lost. */
			session_close(s);
			break;
		}
		buf_append_str(&s->out, ")\r\n");
		session_write(s, s->out.data, s->out.len);
		buf_reset(&s->out);
		clear_message(f);
	}
	clear_message(f);
	store_fetch_end(&f->sf);
	/* An idle session keeps no body room or read buffer. */
	fetch_message_free(&f->fm);
	f->active = false;
	return 1;
}

int notify_fetch_start(struct imap_session *s, struct notify *n, const struct rangeset *uids)
{
	struct notify_fetch *f = &n->fetch;

	rangeset_add_set(&f->uids, uids);
	if (f->active)
		return 0;
	f->active = true;
	fetch_message_start(&f->fm, &f->plan);
	return notify_fetch_continue(s, n);
}
