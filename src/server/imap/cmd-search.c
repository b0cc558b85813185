/* cmd-search.c — SEARCH and UID SEARCH (RFC 9051 6.4.4, RFC 3501 6.4.4)
 * with ESEARCH results (RFC 4731, RFC 9051 7.3.4), SEARCHRES (RFC 5182)
 * and CONDSTORE's MODSEQ key (RFC 7162 3.1.5), and the capabilities of
 * the search family. The key translation is in search-query.c. */
#include "imap-commands.h"
#include "imap-selected.h"
#include "search-private.h"

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

static void search_head(struct imap_session *s, struct imap_command *cmd,
			const struct rangeset *found, unsigned items, struct search_stream *st)
{
	uint64_t count;

	if (cmd->uid)
		rangeset_copy(&st->set, found);
	else
		search_uids_to_seqs(&s->sel->map, found, &st->set);
	if (!cmd->u.search.opts.has_return && !session_rev2(s)) {
		/* IMAP4rev1's untagged SEARCH (RFC 3501 7.2.5). */
		buf_append_str(&st->head, "* SEARCH");
		st->form = SEARCH_BODY_SET_LIST;
		return;
	}
	count = rangeset_count(&st->set);
	search_esearch_head(&st->head, cmd->tag, cmd->uid, items, count,
			    count ? rangeset_min(&st->set) : 0, count ? rangeset_max(&st->set) : 0);
	if (count > 0 && (items & IMAP_SEARCH_RETURN_ALL))
		st->form = SEARCH_BODY_SET_COMPACT;
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
	struct rangeset subject = RANGESET_INIT;
	uint32_t min_uid = 0, max_uid = 0;
	int ret = STORE_OK;

	if (!rangeset_is_empty(found)) {
		/* Sequence numbers and UIDs ascend together. */
		min_uid = rangeset_min(found);
		max_uid = rangeset_max(found);
	}
	search_ret_subject(items, found, min_uid, max_uid, &subject);
	if (items != 0)
		ret = search_modseq_tail(s, q, &subject, esearch, &st->tail);
	if (ret == STORE_OK && save)
		search_save(s, &subject);
	rangeset_free(&subject);
	if (ret != STORE_OK) {
		search_stream_free(st);
		search_store_fail(s, save, ret);
		return CMD_DONE;
	}
	if (items == 0) {
		/* RETURN (SAVE) alone: no ESEARCH response (RFC 9051 6.4.4). */
		search_stream_free(st);
		session_tagged(s, IMAP_COND_OK, NULL, "%s completed, result saved",
			       cmd->uid ? "UID SEARCH" : "SEARCH");
		return CMD_DONE;
	}
	search_head(s, cmd, found, items, st);
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
	buf_append_str(out, " ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT"
			    " THREAD=REFERENCES");
}
