/* select-qresync.c — SELECT/EXAMINE (QRESYNC ...) resync (see
 * select-qresync.h).
 *
 * The store keeps a tombstone with its MODSEQ for every expunged UID, so
 * VANISHED (EARLIER) is exact: the known UIDs expunged after the client's
 * MODSEQ, never more. The resumable state walks three phases:
 *   VANISHED  lines of at most QRESYNC_VANISHED_RANGES ranges of vanished
 *   ROWS      pages of store_changes_page() in (MODSEQ, UID) order, up to
 *             the view's MODSEQ, each known message written as a FETCH
 *   done      the tagged reply
 */
#include "select-qresync.h"
#include "imap-selected.h"
#include "lib/mem.h"
#include "store/store.h"

#include <string.h>

struct qrow {
	uint32_t uid;
	unsigned flags;
	char *keywords;
	uint64_t modseq;
};

struct qresync {
	struct rangeset known;    /* the UIDs the client asks about */
	struct rangeset vanished; /* VANISHED (EARLIER), written from vpos on */
	size_t vpos;
	uint64_t since; /* the client's MODSEQ */
	struct store_changes_pos pos;
	bool rows_done;
	struct qrow rows[QRESYNC_PAGE];
	size_t count, next;
	char *code, *text;
};

static void rows_clear(struct qresync *q)
{
	for (size_t i = 0; i < q->count; i++)
		free(q->rows[i].keywords);
	q->count = 0;
	q->next = 0;
}

static void qresync_free(void *ctx)
{
	struct qresync *q = ctx;

	rows_clear(q);
	rangeset_free(&q->known);
	rangeset_free(&q->vanished);
	free(q->code);
	free(q->text);
	free(q);
}

/* RFC 7162 3.2.5.2: walk the client's (sequence number, UID) pairs in
 * order; a pair that matches the mailbox means the client knew of every
 * expunge up to that UID. Stop at the first that does not. Returns the
 * lowest UID that VANISHED (EARLIER) may name. Pairs whose sets differ
 * in size are ignored: the data is only a hint to shorten the answer. */
static uint32_t seq_match_floor(const struct uidmap *map, const struct imap_cmd_select *p)
{
	struct rangeset seqs = RANGESET_INIT, uids = RANGESET_INIT;
	struct rangeset_iter si, ui;
	uint32_t seq, uid, floor = 1;

	if (!p->has_seq_match)
		return 1;
	imap_seqset_to_rangeset(&p->known_seqs, &seqs);
	imap_seqset_to_rangeset(&p->known_seq_uids, &uids);
	rangeset_resolve_star(&seqs, map->total);
	rangeset_resolve_star(&uids, uidmap_last_uid(map));
	if (rangeset_count(&seqs) == rangeset_count(&uids)) {
		si = rangeset_iter(&seqs);
		ui = rangeset_iter(&uids);
		/* Bounded by EXISTS: a sequence number above it never matches. */
		while (rangeset_next(&seqs, &si, &seq) && rangeset_next(&uids, &ui, &uid)) {
			if (seq > map->total || uidmap_seq_to_uid(map, seq) != uid)
				break;
			floor = uid < UINT32_MAX ? uid + 1 : uid;
		}
	}
	rangeset_free(&seqs);
	rangeset_free(&uids);
	return floor;
}

/* The known UIDs expunged after since. UIDs the view still holds (expunged
 * after it was built) are left out: the usual sync reports them with a
 * plain VANISHED, which also lowers the message count. */
static int find_vanished(struct imap_session *s, const struct imap_cmd_select *p, struct qresync *q)
{
	struct rangeset gone = RANGESET_INIT, held = RANGESET_INIT;
	uint32_t floor = seq_match_floor(&s->sel->map, p);
	int ret = store_changes(session_store(s), s->sel->mailbox_id, q->since, NULL, NULL, &gone);

	if (ret == STORE_OK) {
		rangeset_copy(&q->vanished, &q->known);
		/* vanished = known - (known - gone) = known & gone */
		rangeset_copy(&held, &q->known);
		rangeset_subtract(&held, &gone);
		rangeset_subtract(&q->vanished, &held);
		rangeset_clear(&held);
		uidmap_filter(&s->sel->map, &q->vanished, &held);
		rangeset_subtract(&q->vanished, &held);
		if (floor > 1) {
			rangeset_clear(&held);
			rangeset_add_range(&held, 1, floor - 1);
			rangeset_subtract(&q->vanished, &held);
		}
	}
	rangeset_free(&gone);
	rangeset_free(&held);
	return ret;
}

static void write_vanished(struct imap_session *s, struct qresync *q)
{
	size_t end = q->vpos + QRESYNC_VANISHED_RANGES;

	if (end > q->vanished.count)
		end = q->vanished.count;
	buf_reset(&s->out);
	buf_append_str(&s->out, "* VANISHED (EARLIER) ");
	for (size_t i = q->vpos; i < end; i++) {
		const struct range *r = &q->vanished.r[i];

		if (i > q->vpos)
			buf_append_byte(&s->out, ',');
		if (r->lo == r->hi)
			buf_printf(&s->out, "%u", r->lo);
		else
			buf_printf(&s->out, "%u:%u", r->lo, r->hi);
	}
	session_send_line(s);
	q->vpos = end;
}

static void collect(void *ctx, uint32_t uid, unsigned flags, const char *kw, uint64_t modseq)
{
	struct qresync *q = ctx;
	struct qrow *row = &q->rows[q->count++];

	row->uid = uid;
	row->flags = flags;
	row->keywords = xstrdup(kw ? kw : "");
	row->modseq = modseq;
}

/* Read the next page; -1 with the tagged reply sent on a store error. */
static int next_page(struct imap_session *s, struct qresync *q)
{
	int n;

	rows_clear(q);
	n = store_changes_page(session_store(s), s->sel->mailbox_id, q->since, &q->pos,
			       QRESYNC_PAGE, collect, q);
	if (n < 0) {
		session_store_error(s, n);
		return -1;
	}
	if (n < QRESYNC_PAGE)
		q->rows_done = true;
	return 0;
}

/* One changed message, if the client knows it and the view holds it. */
static void write_row(struct imap_session *s, const struct qrow *row)
{
	const struct imap_selected *sel = s->sel;
	uint32_t seq = uidmap_uid_to_seq(&sel->map, row->uid);

	if (seq == 0)
		return;
	buf_reset(&s->out);
	/* RFC 7162 3.2.5.1: the FETCH responses MUST carry the UID. */
	buf_printf(&s->out, "* %u FETCH (UID %u FLAGS ", seq, row->uid);
	session_write_flags(&s->out, row->flags, row->keywords,
			    !session_rev2(s) && rangeset_contains(&sel->recent, row->uid));
	buf_printf(&s->out, " MODSEQ (%llu))", (unsigned long long)row->modseq);
	session_send_line(s);
}

static enum cmd_result qresync_resume(struct imap_session *s, struct imap_command *cmd)
{
	struct qresync *q = s->run.state;

	(void)cmd;
	while (q->vpos < q->vanished.count) {
		if (session_output_full(s))
			return CMD_SUSPEND;
		write_vanished(s, q);
	}
	for (;;) {
		if (q->next == q->count) {
			if (q->rows_done)
				break;
			if (next_page(s, q) < 0)
				return CMD_DONE;
			continue;
		}
		if (session_output_full(s))
			return CMD_SUSPEND;
		/* Changes after the view was built come with the usual sync,
		 * after any FLAGS announcing a new keyword (RFC 9051 7.3.5). */
		if (q->rows[q->next].modseq > s->sel->modseq) {
			q->rows_done = true;
			q->next = q->count;
			continue;
		}
		if (rangeset_contains(&q->known, q->rows[q->next].uid))
			write_row(s, &q->rows[q->next]);
		q->next++;
	}
	session_tagged(s, IMAP_COND_OK, q->code, "%s", q->text);
	return CMD_DONE;
}

enum cmd_result qresync_run(struct imap_session *s, const struct imap_cmd_select *p,
			    const struct store_mailbox *mb, const char *code, const char *text)
{
	struct qresync *q;

	/* RFC 7162 3.2.5: another UIDVALIDITY, and the rest is ignored. */
	if (p->uidvalidity != mb->uidvalidity) {
		session_tagged(s, IMAP_COND_OK, code, "%s, UIDVALIDITY changed", text);
		return CMD_DONE;
	}
	q = xcalloc(1, sizeof(*q));
	q->since = p->modseq;
	q->code = xstrdup(code);
	q->text = xstrdup(text);
	s->run.state = q;
	s->run.free_state = qresync_free;
	s->run.resume = qresync_resume;
	/* RFC 7162 3.2.5.1: without known UIDs, 1:<UIDNEXT - 1>. */
	if (p->has_known_uids) {
		imap_seqset_to_rangeset(&p->known_uids, &q->known);
		rangeset_resolve_star(&q->known, mb->uidnext > 1 ? mb->uidnext - 1 : 1);
	} else if (mb->uidnext > 1) {
		rangeset_add_range(&q->known, 1, mb->uidnext - 1);
	}
	if (q->since < s->sel->modseq) {
		int ret = find_vanished(s, p, q);

		if (ret != STORE_OK) {
			session_store_error(s, ret);
			return CMD_DONE;
		}
	} else {
		q->rows_done = true; /* nothing changed since */
	}
	return qresync_resume(s, s->run.cmd);
}
