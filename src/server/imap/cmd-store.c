/* cmd-store.c — STORE and UID STORE (RFC 9051 6.4.6) with UNCHANGEDSINCE
 * and MODIFIED (RFC 7162 3.1.3).
 *
 * The change is one store transaction with one new MODSEQ; the untagged
 * FETCH responses are written afterwards, as many as the output takes at
 * a time, so a STORE on a huge mailbox never piles up its whole answer in
 * memory. Responses carry UID for UID STORE and once QRESYNC is on (RFC
 * 7162 3.2.4), MODSEQ once CONDSTORE is on; with .SILENT only a CONDSTORE
 * client hears of the new MODSEQs (RFC 7162 3.1.3, Example 4).
 */
#include "flag-list.h"
#include "imap-commands.h"
#include "imap-selected.h"
#include "lib/mem.h"
#include "store/store.h"

#include <inttypes.h>

struct store_result {
	uint32_t uid;
	unsigned flags;
	char *keywords;
	uint64_t modseq;
	bool changed;
};

struct store_run {
	struct store_result *v;
	size_t count, cap, next;
	bool silent, conditional;
	struct rangeset failed; /* UIDs that failed UNCHANGEDSINCE */
};

static void store_run_free(void *ctx)
{
	struct store_run *r = ctx;

	for (size_t i = 0; i < r->count; i++)
		free(r->v[i].keywords);
	free(r->v);
	rangeset_free(&r->failed);
	free(r);
}

static void collect(void *ctx, uint32_t uid, unsigned flags, const char *keywords, uint64_t modseq,
		    bool changed)
{
	struct store_run *r = ctx;
	struct store_result *res;

	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	res = &r->v[r->count++];
	res->uid = uid;
	res->flags = flags;
	res->keywords = xstrdup(keywords ? keywords : "");
	res->modseq = modseq;
	res->changed = changed;
}

static void write_result(struct imap_session *s, const struct imap_command *cmd,
			 const struct store_run *r, const struct store_result *res)
{
	struct imap_selected *sel = s->sel;
	uint32_t seq = uidmap_uid_to_seq(&sel->map, res->uid);
	bool with_uid = cmd->uid || (s->enabled & IMAP_ENABLED_QRESYNC);
	const char *sp = "";

	if (seq == 0)
		return;
	if (r->silent && !(sel->condstore && (res->changed || r->conditional)))
		return;
	buf_reset(&s->out);
	buf_printf(&s->out, "* %" PRIu32 " FETCH (", seq);
	if (with_uid) {
		buf_printf(&s->out, "UID %" PRIu32, res->uid);
		sp = " ";
	}
	if (!r->silent) {
		buf_printf(&s->out, "%sFLAGS ", sp);
		session_write_flags(&s->out, res->flags, res->keywords,
				    !session_rev2(s) && rangeset_contains(&sel->recent, res->uid));
		sp = " ";
	}
	if (sel->condstore)
		buf_printf(&s->out, "%sMODSEQ (%" PRIu64 ")", sp, res->modseq);
	buf_append_byte(&s->out, ')');
	session_send_line(s);
}

/* The MODIFIED set: UIDs for UID STORE, else sequence numbers. */
static void write_modified(struct imap_session *s, const struct imap_command *cmd,
			   const struct rangeset *failed, struct buf *code)
{
	struct rangeset seqs = RANGESET_INIT;
	struct rangeset_iter it;
	uint32_t uid, seq;

	buf_append_str(code, "MODIFIED ");
	if (cmd->uid) {
		rangeset_write(failed, code);
		return;
	}
	for (it = rangeset_iter(failed); rangeset_next(failed, &it, &uid);)
		if ((seq = uidmap_uid_to_seq(&s->sel->map, uid)) != 0)
			rangeset_add(&seqs, seq);
	rangeset_write(&seqs, code);
	rangeset_free(&seqs);
}

static enum cmd_result store_resume(struct imap_session *s, struct imap_command *cmd)
{
	struct store_run *r = s->run.state;
	struct buf code = BUF_INIT;

	for (; r->next < r->count; r->next++) {
		if (session_output_full(s)) {
			s->run.resume = store_resume;
			return CMD_SUSPEND;
		}
		write_result(s, cmd, r, &r->v[r->next]);
	}
	if (rangeset_is_empty(&r->failed)) {
		session_tagged(s, IMAP_COND_OK, NULL, "STORE completed");
		return CMD_DONE;
	}
	write_modified(s, cmd, &r->failed, &code);
	session_tagged(s, IMAP_COND_OK, buf_cstr(&code), "Conditional STORE failed");
	buf_free(&code);
	return CMD_DONE;
}

/* Did the client know every message's flags before this change? Then the
 * next sync need not repeat what this STORE told or, with .SILENT, what
 * the client asked for itself. MODSEQs grow by one per change, so that is
 * so exactly when this change came right after what the client was told. */
static void note_own_changes(struct imap_session *s, const struct store_run *r,
			     uint64_t known_modseq)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct store_result *res = &r->v[i];

		if (res->changed && (!r->silent || res->modseq == known_modseq + 1))
			imap_selected_note_own(s->sel, res->uid, res->modseq);
	}
}

static int run_change(struct imap_session *s, const struct imap_cmd_store *st,
		      const struct flag_list *fl, const struct rangeset *uids, struct store_run *r)
{
	static const enum store_flags_mode modes[] = {
		[IMAP_STORE_REPLACE] = STORE_FLAGS_REPLACE,
		[IMAP_STORE_ADD] = STORE_FLAGS_ADD,
		[IMAP_STORE_REMOVE] = STORE_FLAGS_REMOVE,
	};
	struct store_flag_change chg = {
		.flags = fl->flags,
		.keywords = fl->keywords,
		.keyword_count = fl->keyword_count,
		.mode = modes[st->mode],
		.unchangedsince = st->unchangedsince,
	};
	uint64_t known = s->sel->modseq;
	int ret;

	/* RFC 7162 3.1.3: UNCHANGEDSINCE 0 fails for every message (a flag
	 * always exists and every MODSEQ is above 0); the store reads 0 as
	 * "unconditional", so nothing is asked of it. */
	if (st->has_unchangedsince && st->unchangedsince == 0) {
		rangeset_copy(&r->failed, uids);
		rangeset_subtract(&r->failed, &s->sel->pending_expunge);
		return STORE_OK;
	}
	ret = store_set_flags(session_store(s), s->sel->mailbox_id, uids, &chg, collect, r,
			      &r->failed);
	if (ret == STORE_OK)
		note_own_changes(s, r, known);
	return ret;
}

enum cmd_result cmd_store(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_store *st = &cmd->u.store;
	struct rangeset uids = RANGESET_INIT;
	struct flag_list fl;
	struct store_run *r;
	const char *error;
	int ret;

	if (flag_list_parse(&st->flags, cmd->arena, &fl, &error) < 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "%s", error);
		return CMD_DONE;
	}
	/* Bring the client up to date first (no EXPUNGE while sequence
	 * numbers are in use, RFC 9051 7.5.1), so that its view of the flags
	 * is complete before the change. */
	(void)imap_selected_sync(s, cmd->uid);
	if (imap_selected_resolve(s, &st->set, cmd->uid, &uids) < 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "Message sequence number out of range");
		return CMD_DONE;
	}
	/* RFC 7162 3.1: UNCHANGEDSINCE is a CONDSTORE enabling command. */
	if (st->has_unchangedsince)
		session_enable_condstore(s);
	r = xcalloc(1, sizeof(*r));
	r->silent = st->silent;
	r->conditional = st->has_unchangedsince;
	s->run.state = r;
	s->run.free_state = store_run_free;
	ret = rangeset_is_empty(&uids) ? STORE_OK : run_change(s, st, &fl, &uids, r);
	rangeset_free(&uids);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	/* A keyword new to the mailbox is announced before the FETCH
	 * responses that carry it (RFC 9051 7.3.5). */
	if (st->mode != IMAP_STORE_REMOVE)
		imap_selected_announce_keywords(s, fl.keywords, fl.keyword_count);
	return store_resume(s, cmd);
}
