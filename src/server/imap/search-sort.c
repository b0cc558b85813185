/* search-sort.c — SORT and UID SORT (RFC 5256 section 3, RFC 5957
 * DISPLAYFROM/DISPLAYTO) over store_sort(), with ESORT's RETURN options
 * (RFC 5267 section 3) and CONDSTORE's MODSEQ reporting (RFC 7162 3.1.9,
 * 3.1.10). Strings collate with i;unicode-casemap in the store. */
#include "imap-selected.h"
#include "search-private.h"
#include "lib/mem.h"

static enum store_sort_key store_key(enum imap_sort_key key)
{
	switch (key) {
	case IMAP_SORT_ARRIVAL:
		return STORE_SORT_ARRIVAL;
	case IMAP_SORT_CC:
		return STORE_SORT_CC;
	case IMAP_SORT_DATE:
		return STORE_SORT_DATE;
	case IMAP_SORT_FROM:
		return STORE_SORT_FROM;
	case IMAP_SORT_SIZE:
		return STORE_SORT_SIZE;
	case IMAP_SORT_SUBJECT:
		return STORE_SORT_SUBJECT;
	case IMAP_SORT_TO:
		return STORE_SORT_TO;
	case IMAP_SORT_DISPLAYFROM:
		return STORE_SORT_DISPLAYFROM;
	case IMAP_SORT_DISPLAYTO:
		return STORE_SORT_DISPLAYTO;
	}
	return STORE_SORT_ARRIVAL;
}

/* The sorted UIDs that this session's view holds. */
static int sort_run(struct imap_session *s, const struct imap_cmd_sort *so, struct search_query *q,
		    uint32_t **uids_r, size_t *count_r)
{
	const struct uidmap *map = &s->sel->map;
	struct store_sort_criterion *crit;
	uint32_t *uids = NULL;
	size_t count = 0, kept = 0;
	int ret = search_query_reduce(s, q);

	if (ret != STORE_OK)
		return ret;
	crit = xcalloc(so->criteria_count, sizeof(*crit));

	for (size_t i = 0; i < so->criteria_count; i++) {
		crit[i].key = store_key(so->criteria[i].key);
		crit[i].reverse = so->criteria[i].reverse;
	}
	ret = store_sort(session_store(s), s->sel->mailbox_id, q->root, crit, so->criteria_count,
			 &uids, &count);
	free(crit);
	if (ret != STORE_OK)
		return ret;
	/* A message that arrived after the last EXISTS is not shown yet. */
	for (size_t i = 0; i < count; i++)
		if (uidmap_uid_to_seq(map, uids[i]) != 0)
			uids[kept++] = uids[i];
	*uids_r = uids;
	*count_r = kept;
	return STORE_OK;
}

/* The numbers the client sees, in sort order (malloc'ed). */
static uint32_t *sort_numbers(struct imap_session *s, bool uid, const uint32_t *uids, size_t count)
{
	uint32_t *nums = xreallocarray(NULL, count ? count : 1, sizeof(*nums));

	for (size_t i = 0; i < count; i++)
		nums[i] = uid ? uids[i] : uidmap_uid_to_seq(&s->sel->map, uids[i]);
	return nums;
}

static void sort_head(struct imap_command *cmd, unsigned items, struct search_stream *st)
{
	if (!cmd->u.sort.opts.has_return) {
		/* RFC 5256 section 4: "* SORT n n n" in sort order. */
		buf_append_str(&st->head, "* SORT");
		st->form = SEARCH_BODY_LIST;
		return;
	}
	/* RFC 5267 3.1: MIN and MAX are the first and last in sort order,
	 * ALL lists every number in sort order. */
	search_esearch_head(&st->head, cmd->tag, cmd->uid, items, st->count,
			    st->count ? st->list[0] : 0, st->count ? st->list[st->count - 1] : 0);
	if (st->count > 0 && (items & IMAP_SEARCH_RETURN_ALL))
		st->form = SEARCH_BODY_LIST_COMPACT;
}

static enum cmd_result sort_reply(struct imap_session *s, struct imap_command *cmd,
				  const struct search_query *q, uint32_t *uids, size_t count)
{
	const struct imap_search_options *opts = &cmd->u.sort.opts;
	unsigned items = opts->has_return ? search_ret_items(opts) : IMAP_SEARCH_RETURN_ALL;
	bool save = (opts->ret & IMAP_SEARCH_RETURN_SAVE) != 0;
	struct search_stream *st =
		search_stream_new(cmd->uid ? "UID SORT completed" : "SORT completed");
	struct rangeset found = RANGESET_INIT, subject = RANGESET_INIT;
	int ret = STORE_OK;

	for (size_t i = 0; i < count; i++)
		rangeset_add(&found, uids[i]);
	if (count > 0)
		search_ret_subject(items, &found, uids[0], uids[count - 1], &subject);
	if (items != 0)
		ret = search_modseq_tail(s, q, &subject, opts->has_return, &st->tail);
	if (ret == STORE_OK && save)
		/* RFC 9051 6.4.4: SAVE works for commands based on SEARCH too. */
		search_save(s, &subject);
	rangeset_free(&found);
	rangeset_free(&subject);
	if (ret != STORE_OK || items == 0) {
		search_stream_free(st);
		if (ret != STORE_OK)
			search_store_fail(s, save, ret);
		else
			session_tagged(s, IMAP_COND_OK, NULL, "%s completed, result saved",
				       cmd->uid ? "UID SORT" : "SORT");
		return CMD_DONE;
	}
	st->list = sort_numbers(s, cmd->uid, uids, count);
	st->count = count;
	sort_head(cmd, items, st);
	return search_stream_run(s, st);
}

enum cmd_result cmd_sort(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_search_options *opts = &cmd->u.sort.opts;
	bool save = (opts->ret & IMAP_SEARCH_RETURN_SAVE) != 0;
	struct search_query q = {NULL, NULL, NULL, false};
	struct search_error err;
	enum cmd_result result;
	uint32_t *uids = NULL;
	size_t count = 0;
	int ret;

	if (search_sync(s) < 0) {
		session_tagged(s, IMAP_COND_NO, NULL, "Mailbox is gone");
		return CMD_DONE;
	}
	/* RFC 9394 defines PARTIAL for SEARCH and UID FETCH; hafend does not
	 * announce CONTEXT=SORT (RFC 5267), which would give it to SORT. */
	if (opts->ret & IMAP_SEARCH_RETURN_PARTIAL) {
		session_tagged(s, IMAP_COND_BAD, NULL, "RETURN PARTIAL is for SEARCH only");
		return CMD_DONE;
	}
	if (search_check_return(opts, &err) < 0 || search_query_build(s, opts, &q, &err) < 0) {
		search_fail(s, save, &err);
		return CMD_DONE;
	}
	if (q.has_modseq)
		session_enable_condstore(s);
	ret = sort_run(s, &cmd->u.sort, &q, &uids, &count);
	if (ret != STORE_OK) {
		search_store_fail(s, save, ret);
		result = CMD_DONE;
	} else {
		result = sort_reply(s, cmd, &q, uids, count);
	}
	free(uids);
	search_query_free(&q);
	return result;
}
