/* notify-fetch.c — the unsolicited FETCH of new messages that MessageNew
 * (fetch-att ...) asks for (RFC 5465 5.2), written as the client reads.
 *
 * It uses the FETCH plan and writers of fetch-*.c without a command: no
 * \Seen is set (such items are refused by NOTIFY), no tagged reply ends
 * it, and a message that cannot be answered is skipped (logged) instead
 * of failing anything. Its states:
 *   idle          active false; uids empty, no cursor
 *   between       active; msg NULL; the cursor (sf) or uids hold the rest
 *   in a message  msg set, bodies prepared; items before `next` written;
 *                 `sending`: bodies[next - 1] is part way through
 * UIDs added while it runs are sent when the cursor is used up.
 */
#include "imap-selected.h"
#include "notify-private.h"
#include "imap/imap-write.h"
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
	f->bodies = xcalloc(f->plan.count + 1, sizeof(*f->bodies));
	f->binary_sizes = xcalloc(f->plan.count + 1, sizeof(*f->binary_sizes));
	f->file.fd = -1;
	return 0;
}

static void clear_message(struct notify_fetch *f)
{
	for (size_t i = 0; f->bodies != NULL && i < f->plan.count; i++)
		fetch_body_clear(&f->bodies[i]);
	fetch_file_close(&f->file);
	f->file.kept = 0;
	f->msg = NULL;
	f->next = 0;
	f->sending = false;
}

void notify_fetch_clear(struct notify_fetch *f)
{
	clear_message(f);
	store_fetch_end(&f->sf);
	buf_free(&f->file.scratch);
	free(f->bodies);
	free(f->binary_sizes);
	fetch_plan_free(&f->plan);
	rangeset_free(&f->uids);
	memset(f, 0, sizeof(*f));
	f->file.fd = -1;
}

/* Every body item of f->msg located before its response starts. */
static bool prepare(struct notify_fetch *f)
{
	enum fetch_body_result res = FETCH_BODY_OK;
	int err = STORE_OK;

	f->file.m = f->msg;
	for (size_t i = 0; i < f->plan.count && res == FETCH_BODY_OK; i++) {
		const struct fetch_item *it = &f->plan.items[i];

		if (it->body)
			res = fetch_body_prepare(&f->file, it, &f->bodies[i], &err);
		else if (it->req->kind == IMAP_FETCH_BINARY_SIZE)
			res = fetch_body_binary_size(&f->file, it, &f->binary_sizes[i], &err);
	}
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
			    store_fetch_begin(st, s->sel->mailbox_id, &f->uids, f->plan.want, &f->sf) !=
				STORE_OK) {
				store_fetch_end(&f->sf);
				rangeset_clear(&f->uids);
				return 0;
			}
			f->file.st = st;
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

static void flush_out(struct imap_session *s)
{
	session_write(s, s->out.data, s->out.len);
	buf_reset(&s->out);
}

static void write_head(struct imap_session *s, struct notify_fetch *f)
{
	buf_reset(&s->out);
	buf_printf(&s->out, "* %u FETCH (", uidmap_uid_to_seq(&s->sel->map, f->msg->uid));
	/* The UID always: with MessageExpunge the client cannot rely on
	 * sequence numbers (RFC 5465 5.3). */
	if (!f->plan.has_uid)
		buf_printf(&s->out, "UID %u%s", f->msg->uid, f->plan.count > 0 ? " " : "");
}

static void write_item(struct imap_session *s, struct notify_fetch *f, size_t i)
{
	const struct fetch_item *it = &f->plan.items[i];

	if (it->req->kind == IMAP_FETCH_BINARY_SIZE) {
		imap_write_fetch_item_name(&s->out, it->req, 0);
		buf_printf(&s->out, " %llu", (unsigned long long)f->binary_sizes[i]);
	} else {
		fetch_attr_write(s, &s->out, it, f->msg);
	}
}

static void write_body_head(struct imap_session *s, struct notify_fetch *f, size_t i)
{
	const struct fetch_item *it = &f->plan.items[i];
	const struct fetch_body *b = &f->bodies[i];

	if (it->req->kind == IMAP_FETCH_BODY_SECTION || it->req->kind == IMAP_FETCH_BINARY)
		imap_write_fetch_item_name(&s->out, it->req, 0);
	else
		buf_append_str(&s->out, imap_fetch_kind_name(it->req->kind));
	buf_append_byte(&s->out, ' ');
	if (b->size == 0)
		buf_append_str(&s->out, "\"\"");
	else
		imap_write_literal_header(&s->out, b->size, b->literal8);
}

/* Items from f->next on: 1 the message is done, 0 the output is full,
 * -1 a literal could not be completed. */
static int write_items(struct imap_session *s, struct notify_fetch *f)
{
	for (;;) {
		if (f->sending) {
			int ret = fetch_send_body(s, &f->file, &f->bodies[f->next - 1]);

			if (ret <= 0)
				return ret;
			f->sending = false;
		}
		if (f->next == f->plan.count)
			break;
		size_t i = f->next++;

		if (i > 0)
			buf_append_byte(&s->out, ' ');
		if (!f->plan.items[i].body) {
			write_item(s, f, i);
			continue;
		}
		write_body_head(s, f, i);
		flush_out(s);
		f->sending = true;
	}
	buf_append_str(&s->out, ")\r\n");
	flush_out(s);
	return 1;
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
		ret = write_items(s, f);
		if (ret == 0)
			return 0;
		if (ret < 0) {
			/* The literal's size was promised: the stream is lost. */
			session_close(s);
			break;
		}
		clear_message(f);
	}
	clear_message(f);
	store_fetch_end(&f->sf);
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
	return notify_fetch_continue(s, n);
}
