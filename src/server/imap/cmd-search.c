/* cmd-search.c — SEARCH and UID SEARCH (RFC 9051 6.4.4, RFC 3501 6.4.4)
 * with ESEARCH results (RFC 4731, RFC 9051 7.3.4), SEARCHRES (RFC 5182)
 * CONDSTORE's MODSEQ key (RFC 7162 3.1.5) and PARTIAL results (RFC
 * 9394), and the capabilities of
 * the search family. The key translation is in search-query.c. */
#include "imap-commands.h"
#include "imap-selected.h"
#include "search-private.h"
#include "lib/rangeset-slice.h"

void search_fail(struct imap_session *s, bool save, const struct search_error *err)
{
	/* RFC 5182 2.1: a SAVE search answered NO empties "$"; BAD leaves it. */
	if (save && err->cond == IMAP_COND_NO)
		search_save(s, NULL);
	session_tagged(s, err->cond, err->code, "%s", err->text);
}

void search_store_fail(struct imap_session *s, bool save, int err)
{
	if (save)
		search_save(s, NULL);
	session_store_error(s, err);
}

/* The numbers the client sees for uids: UIDs, or sequence numbers. */
static void client_numbers(struct imap_session *s, bool uid, const struct rangeset *uids,
			   struct rangeset *out)
{
	if (uid)
		rangeset_copy(out, uids);
	else
		search_uids_to_seqs(&s->sel->map, uids, out);
}

/* RFC 9394 3.1: "PARTIAL (range set)", the set streamed as the body;
 * "PARTIAL (range NIL)" when no result is in the range. */
static void partial_head(struct imap_session *s, struct imap_command *cmd,
			 const struct rangeset *partial, struct search_stream *st)
{
	const struct imap_search_options *opts = &cmd->u.search.opts;
	struct buf tail = BUF_INIT;

	buf_printf(&st->head, " PARTIAL (%lld:%lld ", (long long)opts->partial_first,
		   (long long)opts->partial_last);
	rangeset_clear(&st->set);
	client_numbers(s, cmd->uid, partial, &st->set);
	if (rangeset_is_empty(&st->set)) {
		buf_append_str(&st->head, "NIL)");
		return;
	}
	st->form = SEARCH_BODY_SET_COMPACT;
	/* The set is streamed between head and tail: close the list there. */
	buf_append_byte(&tail, ')');
	buf_append(&tail, st->tail.data, st->tail.len);
	buf_free(&st->tail);
	st->tail = tail;
}

static void search_head(struct imap_session *s, struct imap_command *cmd,
			const struct rangeset *found, const struct rangeset *partial,
			unsigned items, struct search_stream *st)
{
	struct rangeset nums = RANGESET_INIT;
	uint64_t count;

	client_numbers(s, cmd->uid, found, &nums);
	if (!cmd->u.search.opts.has_return && !session_rev2(s)) {
		/* IMAP4rev1's untagged SEARCH (RFC 3501 7.2.5). */
		buf_append_str(&st->head, "* SEARCH");
		st->set = nums;
		st->form = SEARCH_BODY_SET_LIST;
		return;
	}
	count = rangeset_count(&nums);
	search_esearch_head(&st->head, cmd->tag, cmd->uid, items, count,
			    count ? rangeset_min(&nums) : 0, count ? rangeset_max(&nums) : 0);
	st->set = nums;
	if (count > 0 && (items & IMAP_SEARCH_RETURN_ALL))
		st->form = SEARCH_BODY_SET_COMPACT;
	if (items & IMAP_SEARCH_RETURN_PARTIAL)
		partial_head(s, cmd, partial, st);
}

/* What SAVE keeps and MODSEQ covers (RFC 9394 3.2 table 1): with PARTIAL
 * the results in its range and MIN/MAX, or all of them with COUNT. */
static void partial_subject(unsigned items, const struct rangeset *found,
			    const struct rangeset *partial, struct rangeset *out)
{
	if (rangeset_is_empty(found))
		return;
	if (items & IMAP_SEARCH_RETURN_COUNT) {
		rangeset_add_set(out, found);
		return;
	}
	rangeset_add_set(out, partial);
	if (items & IMAP_SEARCH_RETURN_MIN)
		rangeset_add(out, rangeset_min(found));
	if (items & IMAP_SEARCH_RETURN_MAX)
		rangeset_add(out, rangeset_max(found));
}

static enum cmd_result search_reply(struct imap_session *s, struct imap_command *cmd,
				    const struct search_query *q, const struct rangeset *found)
{
	const struct imap_search_options *opts = &cmd->u.search.opts;
	bool esearch = opts->has_return || session_rev2(s);
	unsigned items = esearch ? search_ret_items(opts) : IMAP_SEARCH_RETURN_ALL;
	bool save = (opts->ret & IMAP_SEARCH_RETURN_SAVE) != 0;
	struct search_stream *st =
		search_stream_new(cmd->uid ? "UID SEARCH completed" : "SEARCH completed");
	struct rangeset subject = RANGESET_INIT, partial = RANGESET_INIT;
	uint32_t min_uid = 0, max_uid = 0;
	int ret = STORE_OK;

	if (!rangeset_is_empty(found)) {
		/* Sequence numbers and UIDs ascend together. */
		min_uid = rangeset_min(found);
		max_uid = rangeset_max(found);
	}
	if (items & IMAP_SEARCH_RETURN_PARTIAL) {
		rangeset_slice(found, opts->partial_first, opts->partial_last, &partial);
		partial_subject(items, found, &partial, &subject);
	} else {
		search_ret_subject(items, found, min_uid, max_uid, &subject);
	}
	if (items != 0)
		ret = search_modseq_tail(s, q, &subject, esearch, &st->tail);
	if (ret == STORE_OK && save)
		search_save(s, &subject);
	rangeset_free(&subject);
	if (ret != STORE_OK) {
		rangeset_free(&partial);
		search_stream_free(st);
		search_store_fail(s, save, ret);
		return CMD_DONE;
	}
	if (items == 0) {
		/* RETURN (SAVE) alone: no ESEARCH response (RFC 9051 6.4.4). */
		rangeset_free(&partial);
		search_stream_free(st);
		session_tagged(s, IMAP_COND_OK, NULL, "%s completed, result saved",
			       cmd->uid ? "UID SEARCH" : "SEARCH");
		return CMD_DONE;
	}
	search_head(s, cmd, found, &partial, items, st);
	rangeset_free(&partial);
	return search_stream_run(s, st);
}

enum cmd_result cmd_search(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_search_options *opts = &cmd->u.search.opts;
	bool save = (opts->ret & IMAP_SEARCH_RETURN_SAVE) != 0;
	struct rangeset found = RANGESET_INIT;
	struct search_query q = {NULL, NULL, NULL, false};
	struct search_error err;
	enum cmd_result result;
	int ret;

	if (search_sync(s) < 0) {
		session_tagged(s, IMAP_COND_NO, NULL, "Mailbox is gone");
		return CMD_DONE;
	}
	if (search_check_return(opts, &err) < 0 || search_query_build(s, opts, &q, &err) < 0) {
		search_fail(s, save, &err);
		return CMD_DONE;
	}
	if (q.has_modseq)
		session_enable_condstore(s);
	ret = search_query_run(s, &q, &found);
	if (ret != STORE_OK) {
		search_store_fail(s, save, ret);
		result = CMD_DONE;
	} else {
		result = search_reply(s, cmd, &q, &found);
	}
	rangeset_free(&found);
	search_query_free(&q);
	return result;
}

void caps_search(struct imap_session *s, struct buf *out)
{
	(void)s;
	buf_append_str(out,
		       " ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT"
		       " THREAD=REFERENCES");
}
