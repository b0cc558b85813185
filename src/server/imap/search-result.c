/* search-result.c — what SEARCH and SORT report for their RETURN options:
 * the ESEARCH items (RFC 4731, RFC 9051 7.3.4, RFC 5267 ESORT), and which
 * messages SAVE (RFC 5182) and MODSEQ (RFC 7162 3.1.10) cover. */
#include "search-private.h"
#include "imap-selected.h"
#include "imap/imap-write.h"

#include <string.h>

#define REPORTED                                                                                   \
	(IMAP_SEARCH_RETURN_MIN | IMAP_SEARCH_RETURN_MAX | IMAP_SEARCH_RETURN_ALL |                \
	 IMAP_SEARCH_RETURN_COUNT | IMAP_SEARCH_RETURN_PARTIAL)

unsigned search_ret_items(const struct imap_search_options *opts)
{
	/* RFC 4731 3.1: no options, or "RETURN ()", mean ALL. SAVE alone
	 * suppresses the ESEARCH response (RFC 9051 6.4.4): 0. */
	if (!opts->has_return || opts->ret == 0)
		return IMAP_SEARCH_RETURN_ALL;
	return opts->ret & REPORTED;
}

void search_ret_subject(unsigned items, const struct rangeset *found, uint32_t min_uid,
			uint32_t max_uid, struct rangeset *out)
{
	bool only_ends = (items & (IMAP_SEARCH_RETURN_MIN | IMAP_SEARCH_RETURN_MAX)) != 0 &&
			 (items & (IMAP_SEARCH_RETURN_ALL | IMAP_SEARCH_RETURN_COUNT)) == 0;

	if (rangeset_is_empty(found))
		return;
	if (!only_ends) {
		rangeset_add_set(out, found);
		return;
	}
	/* RFC 9051 6.4.4.1 table 4, RFC 4731 3.2: just the MIN/MAX messages. */
	if (items & IMAP_SEARCH_RETURN_MIN)
		rangeset_add(out, min_uid);
	if (items & IMAP_SEARCH_RETURN_MAX)
		rangeset_add(out, max_uid);
}

void search_esearch_head(struct buf *head, const char *tag, bool uid, unsigned items,
			 uint64_t count, uint32_t min, uint32_t max)
{
	buf_append_str(head, "* ESEARCH (TAG ");
	imap_write_string(head, tag, strlen(tag), 0);
	buf_append_byte(head, ')');
	if (uid)
		buf_append_str(head, " UID");
	/* MIN, MAX and ALL are left out for an empty result; COUNT never
	 * (RFC 4731 3.1). ALL comes last: its set is streamed after the head. */
	if (count > 0 && (items & IMAP_SEARCH_RETURN_MIN))
		buf_printf(head, " MIN %u", min);
	if (count > 0 && (items & IMAP_SEARCH_RETURN_MAX))
		buf_printf(head, " MAX %u", max);
	if (items & IMAP_SEARCH_RETURN_COUNT)
		buf_printf(head, " COUNT %llu", (unsigned long long)count);
	if (count > 0 && (items & IMAP_SEARCH_RETURN_ALL))
		buf_append_str(head, " ALL ");
}

int search_modseq_tail(struct imap_session *s, const struct search_query *q,
		       const struct rangeset *subject, bool esearch, struct buf *tail)
{
	uint64_t modseq;
	int ret;

	/* RFC 7162 3.1.6, 3.1.10: only with a MODSEQ key and a non-empty result. */
	if (!q->has_modseq || rangeset_is_empty(subject))
		return STORE_OK;
	ret = search_highest_modseq(s, subject, &modseq);
	if (ret != STORE_OK)
		return ret;
	buf_printf(tail, esearch ? " MODSEQ %llu" : " (MODSEQ %llu)", (unsigned long long)modseq);
	return STORE_OK;
}
