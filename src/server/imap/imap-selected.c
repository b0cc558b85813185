/* imap-selected.c — the selected mailbox view and its synchronisation with
 * the store (see imap-selected.h). */
#include "imap-selected.h"
#include "imap-session.h"
#include "imap/imap-seqset.h"
#include "uid-cache.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct flag_row {
	uint32_t uid;
	unsigned flags;
	char *keywords;
	uint64_t modseq;
};

struct sync_rows {
	struct flag_row *v;
	size_t count, cap;
};

static void rows_free(struct sync_rows *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->v[i].keywords);
	free(r->v);
}

static void collect_row(void *ctx, uint32_t uid, unsigned flags, const char *kw, uint64_t modseq)
{
	struct sync_rows *r = ctx;

	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	r->v[r->count].uid = uid;
	r->v[r->count].flags = flags;
	r->v[r->count].keywords = xstrdup(kw ? kw : "");
	r->v[r->count].modseq = modseq;
	r->count++;
}

static const char system_flags[] = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

static int append_keyword(void *ctx, const char *name)
{
	struct buf *b = ctx;

	buf_append_str(b, name);
	buf_append_byte(b, ' ');
	return 0;
}

/* FLAGS and PERMANENTFLAGS; with only_if_changed, nothing when the
 * mailbox's keywords are what the client was last told. */
static void send_flags(struct imap_session *s, bool only_if_changed)
{
	struct imap_selected *sel = s->sel;
	struct buf kw = BUF_INIT;
	const char *list;

	buf_append_byte(&kw, ' ');
	store_mailbox_keywords(session_store(s), sel->mailbox_id, append_keyword, &kw);
	if (only_if_changed && sel->keywords_sent != NULL &&
	    strcmp(sel->keywords_sent, buf_cstr(&kw)) == 0) {
		buf_free(&kw);
		return;
	}
	free(sel->keywords_sent);
	sel->keywords_sent = xstrdup(buf_cstr(&kw));
	/* " a b " -> " a b" for the lists below. */
	buf_truncate(&kw, kw.len - 1);
	list = buf_cstr(&kw);
	session_untagged(s, "FLAGS (%s%s)", system_flags, list);
	/* Read-write: the client may also create new keywords (\*). */
	if (sel->read_only)
		session_untagged(s, "OK [PERMANENTFLAGS ()] No permanent flags permitted");
	else
		session_untagged(s, "OK [PERMANENTFLAGS (%s%s \\*)] Flags permitted", system_flags,
				 list);
	buf_free(&kw);
}

void imap_selected_send_flags(struct imap_session *s)
{
	send_flags(s, false);
}

/* Does a message carry a keyword the client was not told about? */
static bool has_new_keyword(const struct imap_selected *sel, const char *keywords)
{
	const char *p = keywords;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char needle[256];

		if (len + 3 > sizeof(needle))
			return true;
		snprintf(needle, sizeof(needle), " %.*s ", (int)len, p);
		if (sel->keywords_sent == NULL ||
		    str_find_ci(sel->keywords_sent, strlen(sel->keywords_sent), needle, len + 2) ==
			    NULL)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

void imap_selected_announce_keywords(struct imap_session *s, const char *const *kw, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (has_new_keyword(s->sel, kw[i])) {
			send_flags(s, true);
			return;
		}
	}
}

void imap_selected_free(struct imap_selected **selp)
{
	struct imap_selected *sel = *selp;

	if (sel == NULL)
		return;
	free(sel->name);
	free(sel->keywords_sent);
	uidmap_free(&sel->map);
	rangeset_free(&sel->recent);
	rangeset_free(&sel->pending_expunge);
	rangeset_free(&sel->self_uids);
	free(sel);
	*selp = NULL;
}

uint64_t imap_selected_highestmodseq(const struct imap_selected *sel)
{
	return rangeset_is_empty(&sel->pending_expunge) ? sel->modseq : sel->expunge_floor;
}

void imap_selected_note_own(struct imap_selected *sel, uint32_t uid, uint64_t modseq)
{
	if (sel->self_modseq != modseq) {
		rangeset_clear(&sel->self_uids);
		sel->self_modseq = modseq;
	}
	rangeset_add(&sel->self_uids, uid);
}

static void send_expunge(void *ctx, uint32_t seq, uint32_t uid)
{
	struct imap_session *s = ctx;

	(void)uid;
	session_untagged(s, "%u EXPUNGE", seq);
}

static void report_expunges(struct imap_session *s)
{
	struct imap_selected *sel = s->sel;

	if (rangeset_is_empty(&sel->pending_expunge))
		return;
	if (s->enabled & IMAP_ENABLED_QRESYNC) {
		/* RFC 7162 3.2.10: VANISHED replaces EXPUNGE once QRESYNC is on. */
		buf_reset(&s->out);
		buf_append_str(&s->out, "* VANISHED ");
		rangeset_write(&sel->pending_expunge, &s->out);
		session_send_line(s);
		uidmap_remove_set(&sel->map, &sel->pending_expunge, NULL, NULL);
	} else {
		uidmap_remove_set(&sel->map, &sel->pending_expunge, send_expunge, s);
	}
	rangeset_subtract(&sel->recent, &sel->pending_expunge);
	rangeset_clear(&sel->pending_expunge);
}

void imap_selected_expunged_own(struct imap_session *s, const struct rangeset *uids)
{
	uidmap_filter(&s->sel->map, uids, &s->sel->pending_expunge);
	report_expunges(s);
}

static void report_flags(struct imap_session *s, const struct flag_row *row)
{
	struct imap_selected *sel = s->sel;
	uint32_t seq = uidmap_uid_to_seq(&sel->map, row->uid);

	if (seq == 0 || rangeset_contains(&sel->pending_expunge, row->uid))
		return;
	if (row->modseq == sel->self_modseq && rangeset_contains(&sel->self_uids, row->uid))
		return;
	buf_reset(&s->out);
	buf_printf(&s->out, "* %u FETCH (UID %u FLAGS ", seq, row->uid);
	session_write_flags(&s->out, row->flags, row->keywords,
			    !session_rev2(s) && rangeset_contains(&sel->recent, row->uid));
	if (sel->condstore)
		buf_printf(&s->out, " MODSEQ (%llu)", (unsigned long long)row->modseq);
	buf_append_byte(&s->out, ')');
	session_send_line(s);
}

static void report_new(struct imap_session *s, const struct sync_rows *rows, uint32_t old_last)
{
	struct imap_selected *sel = s->sel;
	uint32_t before = sel->map.total, first_recent;

	for (size_t i = 0; i < rows->count; i++)
		if (rows->v[i].uid > old_last)
			uidmap_append(&sel->map, rows->v[i].uid);
	if (sel->map.total == before)
		return;
	/* \Recent goes to the first session that learns of a message. */
	if (!sel->read_only && store_mailbox_claim_recent(session_store(s), sel->mailbox_id,
							  &first_recent) == STORE_OK)
		for (size_t i = 0; i < rows->count; i++)
			if (rows->v[i].uid > old_last && rows->v[i].uid >= first_recent)
				rangeset_add(&sel->recent, rows->v[i].uid);
	session_untagged(s, "%u EXISTS", sel->map.total);
	if (!session_rev2(s))
		session_untagged(s, "%llu RECENT",
				 (unsigned long long)rangeset_count(&sel->recent));
}

int imap_selected_sync(struct imap_session *s, bool allow_expunge)
{
	struct imap_selected *sel = s->sel;
	struct store *st = session_store(s);
	struct store_mailbox mb;
	struct sync_rows rows = {NULL, 0, 0};
	struct rangeset gone = RANGESET_INIT;
	uint32_t old_last;
	int ret;

	if (sel == NULL || st == NULL)
		return 0;
	ret = store_mailbox_get_by_id(st, sel->mailbox_id, &mb);
	if (ret == STORE_ERR_NONEXISTENT)
		return -1;
	if (ret != STORE_OK)
		return 0; /* a busy database: try again at the next chance */
	/* DELETE of a mailbox with children keeps its row as \Noselect, and a
	 * later CREATE of the name gives that row a new UIDVALIDITY: either
	 * way the mailbox this session selected is gone. */
	if (mb.noselect || mb.uidvalidity != sel->uidvalidity) {
		store_mailbox_clear(&mb);
		return -1;
	}
	if (mb.highestmodseq != sel->modseq &&
	    store_changes(st, sel->mailbox_id, sel->modseq, collect_row, &rows, &gone) ==
		    STORE_OK) {
		if (rangeset_is_empty(&sel->pending_expunge))
			sel->expunge_floor = sel->modseq;
		uidmap_filter(&sel->map, &gone, &sel->pending_expunge);
		old_last = uidmap_last_uid(&sel->map);
		for (size_t i = 0; i < rows.count; i++) {
			if (has_new_keyword(sel, rows.v[i].keywords)) {
				send_flags(s, true);
				break;
			}
		}
		for (size_t i = 0; i < rows.count; i++)
			if (rows.v[i].uid <= old_last)
				report_flags(s, &rows.v[i]);
		report_new(s, &rows, old_last);
		sel->modseq = mb.highestmodseq;
	}
	if (allow_expunge)
		report_expunges(s);
	rangeset_clear(&sel->self_uids);
	sel->self_modseq = 0;
	store_mailbox_clear(&mb);
	rows_free(&rows);
	rangeset_free(&gone);
	return 0;
}

static void map_from_set(struct uidmap *m, const struct rangeset *uids)
{
	uidmap_init(m, NULL, 0);
	for (size_t i = 0; i < uids->count; i++)
		for (uint64_t uid = uids->r[i].lo; uid <= uids->r[i].hi; uid++)
			uidmap_append(m, (uint32_t)uid);
}

int imap_selected_open(struct imap_session *s, const char *mailbox, bool read_only,
		       struct store_mailbox *mb_r, struct imap_selected **sel_r)
{
	struct store *st = session_store(s);
	struct imap_selected *sel;
	struct rangeset uids = RANGESET_INIT;
	uint32_t first_recent = 0;
	int ret = store_mailbox_get(st, mailbox, mb_r);

	/* SEARCHRES (RFC 5182 2.1): "$" starts out empty in every mailbox. */
	rangeset_clear(&s->search_saved);
	s->search_saved_valid = false;
	if (ret != STORE_OK)
		return ret;
	if (mb_r->noselect) {
		store_mailbox_clear(mb_r);
		return STORE_ERR_NOSELECT;
	}
	/* The worker's copy of the UIDs, brought up to date (uid-cache.h). */
	ret = uid_cache_get(st, s->user != NULL ? s->user : "", mb_r, &uids);
	if (ret == STORE_OK && !read_only)
		ret = store_mailbox_claim_recent(st, mb_r->id, &first_recent);
	if (ret != STORE_OK) {
		rangeset_free(&uids);
		store_mailbox_clear(mb_r);
		return ret;
	}
	sel = xcalloc(1, sizeof(*sel));
	sel->mailbox_id = mb_r->id;
	sel->name = xstrdup(mb_r->name);
	sel->uidvalidity = mb_r->uidvalidity;
	sel->read_only = read_only;
	sel->condstore = (s->enabled & IMAP_ENABLED_CONDSTORE) != 0;
	sel->modseq = mb_r->highestmodseq;
	map_from_set(&sel->map, &uids);
	/* Messages that arrived since the last claim are \Recent to us alone. */
	if (!read_only && first_recent < mb_r->uidnext && sel->map.total > 0)
		rangeset_add_range(&sel->recent, first_recent, mb_r->uidnext - 1);
	rangeset_clip(&sel->recent, uidmap_last_uid(&sel->map));
	rangeset_free(&uids);
	*sel_r = sel;
	return STORE_OK;
}

/* RFC 9051 section 9 (seq-number): a sequence number above EXISTS is an
 * error, and so is "*" in an empty mailbox. Checked on the ranges as
 * written: merging first would hide "5" in "3:*,5" with 3 messages. */
static bool seqs_in_range(const struct imap_seqset *set, uint32_t total)
{
	for (size_t i = 0; i < set->count; i++) {
		uint32_t ends[2] = {set->ranges[i].first, set->ranges[i].last};

		for (size_t j = 0; j < 2; j++)
			if (ends[j] == RANGESET_STAR ? total == 0 : ends[j] > total)
				return false;
	}
	return true;
}

int imap_selected_resolve(struct imap_session *s, const struct imap_seqset *set, bool uid,
			  struct rangeset *uids_r)
{
	struct imap_selected *sel = s->sel;
	struct rangeset wire = RANGESET_INIT;

	if (set->saved) {
		/* SEARCHRES (RFC 5182): "$" is the UIDs of the last SEARCH SAVE. */
		if (s->search_saved_valid)
			uidmap_filter(&sel->map, &s->search_saved, uids_r);
		return 0;
	}
	imap_seqset_to_rangeset(set, &wire);
	if (uid) {
		rangeset_resolve_star(&wire, uidmap_last_uid(&sel->map));
		uidmap_filter(&sel->map, &wire, uids_r);
	} else {
		if (!seqs_in_range(set, sel->map.total)) {
			rangeset_free(&wire);
			return -1;
		}
		rangeset_resolve_star(&wire, sel->map.total);
		for (size_t i = 0; i < wire.count; i++)
			uidmap_seqs_to_uids(&sel->map, wire.r[i].lo, wire.r[i].hi, uids_r);
	}
	rangeset_free(&wire);
	return 0;
}
