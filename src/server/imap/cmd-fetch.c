/* cmd-fetch.c — FETCH and UID FETCH (RFC 9051 6.4.5, RFC 3516 BINARY, the
 * RFC 7162 CHANGEDSINCE and VANISHED and RFC 9394 PARTIAL modifiers).
 *
 * The command resolves its message set, sets \Seen in one transaction when
 * an item implies it, then writes one FETCH response per message in UID
 * order. The loop is resumable: whenever the output is above its
 * high-water mark it returns CMD_SUSPEND and continues from where it
 * stopped (between messages, or inside a body literal) once the output
 * drained. Its progress lives in struct fetch_run:
 *
 *   between messages  msg == NULL; the next store_fetch_next() row is next
 *   in a message      msg set, its bodies prepared, file open if needed;
 *                     fm says how far its items were written
 *
 * The message file is open only while one of its bodies is written.
 */
#include "fetch-private.h"
#include "imap-commands.h"
#include "imap-selected.h"
#include "imap/imap-write.h"
#include "lib/mem.h"
#include "lib/rangeset-slice.h"

#include <string.h>

struct fetch_run {
	struct fetch_plan plan;
	struct rangeset uids;     /* the messages to answer for */
	struct rangeset seen_set; /* messages whose \Seen this command set */
	bool add_modseq;          /* CHANGEDSINCE implies MODSEQ (RFC 7162 3.1.4.1) */
	uint64_t expected, found;
	struct store_fetch *sf;
	const struct store_msg *msg;
	struct fetch_message fm; /* msg's items (fetch-message.c) */
};

static void run_clear_message(struct fetch_run *r)
{
	fetch_message_clear(&r->fm);
	r->msg = NULL;
}

static void run_free(void *state)
{
	struct fetch_run *r = state;

	run_clear_message(r);
	store_fetch_end(&r->sf);
	fetch_message_free(&r->fm);
	fetch_plan_free(&r->plan);
	rangeset_free(&r->uids);
	rangeset_free(&r->seen_set);
	free(r);
}

static const char *done_text(const struct imap_command *cmd)
{
	return cmd->uid ? "UID FETCH completed" : "FETCH completed";
}

/* ---- the message set ---- */

/* RFC 9394 3.3: keep the messages at positions first..last of the set
 * (negative positions count from its end). */
static void keep_positions(struct rangeset *uids, int64_t first, int64_t last)
{
	struct rangeset kept = RANGESET_INIT;

	rangeset_slice(uids, first, last, &kept);
	rangeset_free(uids);
	*uids = kept;
}

typedef bool keep_fn(const struct store_msg *m, uint64_t arg);

/* Keep the messages of uids whose row passes keep (metadata only). */
static int keep_rows(struct imap_session *s, struct rangeset *uids, keep_fn *keep, uint64_t arg)
{
	struct rangeset kept = RANGESET_INIT;
	struct store_fetch *f;
	const struct store_msg *m;
	int ret = store_fetch_begin(session_store(s), s->sel->mailbox_id, uids, 0, &f);

	if (ret == STORE_OK)
		while ((ret = store_fetch_next(f, &m)) == 1)
			if (keep(m, arg))
				rangeset_add(&kept, m->uid);
	store_fetch_end(&f);
	rangeset_free(uids);
	*uids = kept;
	return ret < 0 ? ret : STORE_OK;
}

/* RFC 7162 3.1.4.1: only messages with a MODSEQ above changedsince. */
static bool changed_since(const struct store_msg *m, uint64_t changedsince)
{
	return m->modseq > changedsince;
}

static bool unseen(const struct store_msg *m, uint64_t unused)
{
	(void)unused;
	return !(m->flags & STORE_FLAG_SEEN);
}

/* RFC 7162 3.2.6: VANISHED (EARLIER) for the UIDs of the set expunged
 * after changedsince, before any FETCH response. */
static int send_vanished(struct imap_session *s, const struct imap_cmd_fetch *f)
{
	struct rangeset asked = RANGESET_INIT, gone = RANGESET_INIT;
	struct store_mailbox mb;
	int ret = store_mailbox_get_by_id(session_store(s), s->sel->mailbox_id, &mb);

	if (ret != STORE_OK)
		return ret;
	imap_seqset_to_rangeset(&f->set, &asked);
	rangeset_resolve_star(&asked, mb.uidnext > 0 ? mb.uidnext - 1 : 0);
	store_mailbox_clear(&mb);
	ret = store_changes(session_store(s), s->sel->mailbox_id, f->changedsince, NULL, NULL,
			    &gone);
	if (ret == STORE_OK) {
		struct rangeset vanished = RANGESET_INIT;

		rangeset_copy(&vanished, &gone);
		rangeset_subtract(&gone, &asked);
		rangeset_subtract(&vanished, &gone);
		if (!rangeset_is_empty(&vanished)) {
			buf_reset(&s->out);
			buf_append_str(&s->out, "* VANISHED (EARLIER) ");
			rangeset_write(&vanished, &s->out);
			session_send_line(s);
		}
		rangeset_free(&vanished);
	}
	rangeset_free(&asked);
	rangeset_free(&gone);
	return ret;
}

/* ---- \Seen (RFC 9051 6.4.5) ---- */

static void seen_changed(void *ctx, uint32_t uid, unsigned flags, const char *keywords,
			 uint64_t modseq, bool changed)
{
	struct imap_session *s = ctx;
	struct fetch_run *r = s->run.state;

	(void)flags;
	(void)keywords;
	if (!changed)
		return;
	rangeset_add(&r->seen_set, uid);
	/* This FETCH reports the new flags itself; the next sync must not. */
	imap_selected_note_own(s->sel, uid, modseq);
}

/* Set \Seen where it is missing. Reading a message that is seen already
 * (the common case) takes no write lock and wakes no other session. */
static int set_seen(struct imap_session *s, struct fetch_run *r)
{
	struct store_flag_change chg = {.flags = STORE_FLAG_SEEN, .mode = STORE_FLAGS_ADD};
	struct rangeset todo = RANGESET_INIT;
	int ret;

	if (!r->plan.sets_seen || s->sel->read_only)
		return STORE_OK;
	rangeset_copy(&todo, &r->uids);
	ret = keep_rows(s, &todo, unseen, 0);
	if (ret == STORE_OK && !rangeset_is_empty(&todo))
		ret = store_set_flags(session_store(s), s->sel->mailbox_id, &todo, &chg,
				      seen_changed, s, NULL);
	rangeset_free(&todo);
	return ret;
}

/* ---- one message ---- */

enum step {
	STEP_DONE,    /* the message (or the command) is finished */
	STEP_SUSPEND, /* the output is full */
	STEP_ENDED,   /* the command ended with its tagged reply */
};

static bool message_exists(struct imap_session *s, uint32_t uid)
{
	struct rangeset one = RANGESET_INIT;
	struct store_fetch *f;
	const struct store_msg *m;
	int ret;

	rangeset_add(&one, uid);
	ret = store_fetch_begin(session_store(s), s->sel->mailbox_id, &one, 0, &f);
	if (ret == STORE_OK)
		ret = store_fetch_next(f, &m);
	store_fetch_end(&f);
	rangeset_free(&one);
	return ret != 0; /* an error counts as existing: report it */
}

/* Prepare every body item of r->msg before its response starts, so a
 * failure can still be answered with a tagged reply. */
static enum step prepare_message(struct imap_session *s, struct fetch_run *r, bool *skip_r)
{
	int err;
	enum fetch_body_result res = fetch_message_prepare(&r->fm, r->msg, &err);

	*skip_r = false;
	if (res == FETCH_BODY_OK)
		return STEP_DONE;
	if (res == FETCH_BODY_UNKNOWN_CTE) {
		session_tagged(s, IMAP_COND_NO, "UNKNOWN-CTE",
			       "Cannot decode the content-transfer-encoding of message UID %u",
			       r->msg->uid);
		return STEP_ENDED;
	}
	/* Expunged by another session since the row was read: its file is
	 * gone. Skip it as if it had not been read (RFC 2180 4.1.2). */
	if (!message_exists(s, r->msg->uid)) {
		*skip_r = true;
		return STEP_DONE;
	}
	session_store_error(s, err);
	return STEP_ENDED;
}

static void flush_out(struct imap_session *s)
{
	session_write(s, s->out.data, s->out.len);
	buf_reset(&s->out);
}

static void write_head(struct imap_session *s, struct fetch_run *r, const struct imap_command *cmd)
{
	const struct store_msg *m = r->msg;

	buf_reset(&s->out);
	buf_printf(&s->out, "* %u FETCH (", uidmap_uid_to_seq(&s->sel->map, m->uid));
	/* UID FETCH responses always carry the UID (RFC 9051 6.4.9). */
	if (cmd->uid && !r->plan.has_uid)
		buf_printf(&s->out, "UID %u ", m->uid);
	if (r->add_modseq) {
		fetch_attr_modseq(&s->out, m);
		buf_append_byte(&s->out, ' ');
	}
}

/* After the requested items: what an implicit \Seen obliges us to add
 * (RFC 9051 6.4.5; RFC 7162 3.2.4 for UID and MODSEQ once CONDSTORE is on). */
static void write_tail(struct imap_session *s, struct fetch_run *r, const struct imap_command *cmd)
{
	const struct store_msg *m = r->msg;

	if (rangeset_contains(&r->seen_set, m->uid)) {
		if (!r->plan.has_flags) {
			buf_append_byte(&s->out, ' ');
			fetch_attr_flags(s, &s->out, m);
		}
		if (s->sel->condstore && !r->plan.has_modseq && !r->add_modseq) {
			buf_append_byte(&s->out, ' ');
			fetch_attr_modseq(&s->out, m);
		}
		if (s->sel->condstore && !cmd->uid && !r->plan.has_uid)
			buf_printf(&s->out, " UID %u", m->uid);
	}
	buf_append_str(&s->out, ")\r\n");
	flush_out(s);
}

/* Write the message's items; suspend inside a literal or return done. */
static enum step write_items(struct imap_session *s, struct fetch_run *r,
			     const struct imap_command *cmd)
{
	int ret = fetch_message_write(s, &r->fm);

	if (ret == 0)
		return STEP_SUSPEND;
	if (ret < 0) {
		/* The literal's size was promised: the stream is lost. */
		session_close(s);
		return STEP_ENDED;
	}
	write_tail(s, r, cmd);
	return STEP_DONE;
}

/* Start the next message: 1 started, 0 no more, -1 the command ended. */
static int next_message(struct imap_session *s, struct fetch_run *r)
{
	const struct store_msg *m;
	bool skip;

	for (;;) {
		int ret = store_fetch_next(r->sf, &m);

		if (ret < 0) {
			session_store_error(s, ret);
			return -1;
		}
		if (ret == 0)
			return 0;
		if (uidmap_uid_to_seq(&s->sel->map, m->uid) == 0)
			continue;
		r->msg = m;
		switch (prepare_message(s, r, &skip)) {
		case STEP_ENDED:
			return -1;
		default:
			break;
		}
		if (!skip) {
			r->found++;
			return 1;
		}
		run_clear_message(r);
	}
}

static enum cmd_result fetch_continue(struct imap_session *s, struct imap_command *cmd)
{
	struct fetch_run *r = s->run.state;

	for (;;) {
		if (r->msg == NULL) {
			int ret;

			if (session_output_full(s))
				return CMD_SUSPEND;
			ret = next_message(s, r);
			if (ret < 0)
				return CMD_DONE;
			if (ret == 0)
				break;
			write_head(s, r, cmd);
		}
		switch (write_items(s, r, cmd)) {
		case STEP_SUSPEND:
			return CMD_SUSPEND;
		case STEP_ENDED:
			return CMD_DONE;
		case STEP_DONE:
			run_clear_message(r);
			break;
		}
	}
	/* RFC 2180 4.1.2, RFC 5530: some messages were expunged meanwhile. */
	if (r->found < r->expected)
		session_tagged(s, IMAP_COND_OK, "EXPUNGEISSUED", "%s, some messages were expunged",
			       done_text(cmd));
	else
		session_tagged(s, IMAP_COND_OK, NULL, "%s", done_text(cmd));
	return CMD_DONE;
}

/* ---- the command ---- */

static int select_messages(struct imap_session *s, struct imap_command *cmd, struct fetch_run *r)
{
	const struct imap_cmd_fetch *f = &cmd->u.fetch;
	int ret = STORE_OK;

	if (f->vanished)
		ret = send_vanished(s, f);
	if (ret == STORE_OK && f->has_partial)
		keep_positions(&r->uids, f->partial_first, f->partial_last);
	if (ret == STORE_OK && f->has_changedsince)
		ret = keep_rows(s, &r->uids, changed_since, f->changedsince);
	r->expected = rangeset_count(&r->uids);
	if (ret == STORE_OK)
		ret = set_seen(s, r);
	return ret;
}

enum cmd_result cmd_fetch(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_fetch *f = &cmd->u.fetch;
	struct fetch_run *r;
	int ret;

	/* RFC 7162 3.2.6: VANISHED only once QRESYNC is enabled. */
	if (f->vanished && !(s->enabled & IMAP_ENABLED_QRESYNC)) {
		session_tagged(s, IMAP_COND_BAD, NULL, "VANISHED needs ENABLE QRESYNC first");
		return CMD_DONE;
	}
	/* RFC 9394 3.3: PARTIAL extends UID FETCH only. */
	if (f->has_partial && !cmd->uid) {
		session_tagged(s, IMAP_COND_BAD, NULL, "PARTIAL needs UID FETCH");
		return CMD_DONE;
	}
	r = xcalloc(1, sizeof(*r));
	fetch_message_init(&r->fm);
	r->fm.file.st = session_store(s);
	s->run.state = r;
	s->run.free_state = run_free;
	if (imap_selected_resolve(s, &f->set, cmd->uid, &r->uids) < 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "Message sequence number out of range");
		return CMD_DONE;
	}
	fetch_plan_build(f, &r->plan);
	if (r->plan.sections > FETCH_MAX_SECTIONS) {
		session_tagged(s, IMAP_COND_NO, "LIMIT", "More than %d body sections in one FETCH",
			       FETCH_MAX_SECTIONS);
		return CMD_DONE;
	}
	fetch_message_start(&r->fm, &r->plan);
	r->add_modseq = f->has_changedsince && !r->plan.has_modseq;
	/* RFC 7162 3.1: MODSEQ and CHANGEDSINCE are CONDSTORE enabling. */
	if (r->plan.has_modseq || f->has_changedsince)
		session_enable_condstore(s);
	ret = select_messages(s, cmd, r);
	if (ret == STORE_OK)
		ret = store_fetch_begin(session_store(s), s->sel->mailbox_id, &r->uids,
					r->plan.want, &r->sf);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	s->run.resume = fetch_continue;
	return fetch_continue(s, cmd);
}

void caps_fetch(struct imap_session *s, struct buf *out)
{
	(void)s;
	/* OBJECTID also covers MAILBOXID in CREATE, SELECT and STATUS; SAVEDATE
	 * and PARTIAL their SEARCH halves (docs/imap-sync.md). */
	buf_append_str(out, " BINARY OBJECTID SAVEDATE PREVIEW PARTIAL");
}
