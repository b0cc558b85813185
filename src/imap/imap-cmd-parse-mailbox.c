/* imap-cmd-parse-mailbox.c — grammar of the mailbox commands: SELECT and
 * EXAMINE parameters (RFC 7162), CREATE (RFC 6154 USE), LIST-EXTENDED
 * (RFC 5258, RFC 5819, RFC 6154), LSUB, STATUS, SETQUOTA (RFC 9208).
 */
#include "imap-parser-private.h"
#include "lib/str.h"

/* seq-match-data = "(" known-sequence-set SP known-uid-set ")"; no "*". */
static bool parse_seq_match(struct imap_scan *s, struct imap_cmd_select *sel)
{
	if (!scan_list_open(s) || !scan_seqset(s, 0, &sel->known_seqs) || !scan_sp(s) ||
	    !scan_seqset(s, 0, &sel->known_seq_uids) || !scan_list_close(s))
		return false;
	sel->has_seq_match = true;
	return true;
}

/* "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
 * [SP seq-match-data] ")" (RFC 7162 section 7). */
static bool parse_qresync(struct imap_scan *s, struct imap_cmd_select *sel)
{
	if (!scan_sp(s) || !scan_list_open(s) || !scan_nz_number(s, &sel->uidvalidity) ||
	    !scan_sp(s) || !scan_number64(s, &sel->modseq))
		return false;
	sel->qresync = true;
	if (scan_try_char(s, ')')) {
		scan_leave(s);
		return true;
	}
	if (!scan_sp(s))
		return false;
	if (scan_peek(s) != '(') {
		if (!scan_seqset(s, 0, &sel->known_uids))
			return false;
		sel->has_known_uids = true;
		if (scan_try_char(s, ')')) {
			scan_leave(s);
			return true;
		}
		if (!scan_sp(s))
			return false;
	}
	return parse_seq_match(s, sel) && scan_list_close(s);
}

static bool parse_select_param(struct imap_scan *s, struct imap_cmd_select *sel)
{
	if (scan_keyword(s, "CONDSTORE")) {
		sel->condstore = true;
		return true;
	}
	if (scan_keyword(s, "QRESYNC")) {
		if (sel->qresync)
			return scan_fail(s, "QRESYNC given twice");
		return parse_qresync(s, sel);
	}
	return scan_fail(s, "Unknown SELECT parameter");
}

bool imap_cmd_parse_select(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_select *sel = &cmd->u.select;
	size_t count = 0;

	if (!scan_sp(s) || !scan_astring(s, &sel->mailbox))
		return false;
	if (scan_eol(s))
		return true;
	if (!scan_sp(s) || !scan_list_open(s))
		return false;
	do {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !parse_select_param(s, sel))
			return false;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	return true;
}

/* CREATE mailbox [SP "(" create-param *(SP create-param) ")"]; the only
 * parameter known is USE (RFC 6154 section 6). */
bool imap_cmd_parse_create(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_create *c = &cmd->u.create;

	if (!scan_sp(s) || !scan_astring(s, &c->mailbox))
		return false;
	if (scan_eol(s))
		return true;
	if (!scan_sp(s) || !scan_list_open(s))
		return false;
	if (!scan_keyword(s, "USE"))
		return scan_fail(s, "Unknown CREATE parameter");
	if (!scan_sp(s) || !scan_flag_list(s, false, &c->use) || !scan_list_close(s))
		return false;
	c->has_use = true;
	return true;
}

static bool parse_list_select(struct imap_scan *s, struct imap_cmd_list *l)
{
	static const struct {
		const char *name;
		unsigned bit;
	} opts[] = {
		{"SUBSCRIBED", IMAP_LIST_SELECT_SUBSCRIBED},
		{"REMOTE", IMAP_LIST_SELECT_REMOTE},
		{"RECURSIVEMATCH", IMAP_LIST_SELECT_RECURSIVEMATCH},
		{"SPECIAL-USE", IMAP_LIST_SELECT_SPECIAL_USE},
	};
	size_t count = 0;

	if (!scan_list_open(s))
		return false;
	l->has_select = true;
	while (!scan_try_char(s, ')')) {
		size_t i;

		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count))
			return false;
		for (i = 0; i < HF_N_ELEMENTS(opts) && !scan_keyword(s, opts[i].name); i++)
			;
		if (i == HF_N_ELEMENTS(opts))
			return scan_fail(s, "Unknown LIST selection option");
		l->select |= opts[i].bit;
	}
	scan_leave(s);
	/* RFC 5258 section 3.1: RECURSIVEMATCH needs a base option. */
	if ((l->select & IMAP_LIST_SELECT_RECURSIVEMATCH) &&
	    !(l->select & IMAP_LIST_SELECT_SUBSCRIBED))
		return scan_fail(s, "RECURSIVEMATCH needs another selection option");
	return true;
}

static bool parse_patterns(struct imap_scan *s, struct imap_cmd_list *l)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;
	const char *pat;

	if (scan_peek(s) != '(' || scan_at_literal(s)) {
		if (!scan_list_mailbox(s, &pat))
			return false;
		strlist_add(s, &b, pat);
		l->patterns = strlist_finish(&b);
		return true;
	}
	if (!scan_list_open(s))
		return false;
	do {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !scan_list_mailbox(s, &pat))
			return false;
		strlist_add(s, &b, pat);
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	l->patterns_list = true;
	l->patterns = strlist_finish(&b);
	return true;
}

bool imap_parse_status_item(struct imap_scan *s, unsigned *item_r)
{
	const char *name;
	size_t n;

	if (!scan_label(s, &name, &n))
		return false;
	*item_r = imap_status_item_lookup(name, n);
	if (*item_r == 0)
		return scan_fail(s, "Unknown STATUS item");
	return true;
}

/* "(" status-att *(SP status-att) ")" into a bit mask. */
static bool parse_status_items(struct imap_scan *s, unsigned *items_r)
{
	size_t count = 0;

	if (!scan_list_open(s))
		return false;
	do {
		unsigned item;

		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !imap_parse_status_item(s, &item))
			return false;
		*items_r |= item;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	return true;
}

static bool parse_list_return_opt(struct imap_scan *s, struct imap_cmd_list *l)
{
	if (scan_keyword(s, "SUBSCRIBED"))
		l->ret |= IMAP_LIST_RETURN_SUBSCRIBED;
	else if (scan_keyword(s, "CHILDREN"))
		l->ret |= IMAP_LIST_RETURN_CHILDREN;
	else if (scan_keyword(s, "SPECIAL-USE"))
		l->ret |= IMAP_LIST_RETURN_SPECIAL_USE;
	else if (scan_keyword(s, "STATUS")) {
		l->ret |= IMAP_LIST_RETURN_STATUS;
		return scan_sp(s) && parse_status_items(s, &l->status_items);
	} else
		return scan_fail(s, "Unknown LIST return option");
	return true;
}

static bool parse_list_return(struct imap_scan *s, struct imap_cmd_list *l)
{
	size_t count = 0;

	if (!scan_keyword(s, "RETURN"))
		return scan_fail(s, "Expected RETURN");
	if (!scan_sp(s) || !scan_list_open(s))
		return false;
	l->has_return = true;
	while (!scan_try_char(s, ')')) {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !parse_list_return_opt(s, l))
			return false;
	}
	scan_leave(s);
	return true;
}

/* LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]. */
bool imap_cmd_parse_list(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_list *l = &cmd->u.list;

	if (!scan_sp(s))
		return false;
	if (scan_peek(s) == '(' && !scan_at_literal(s)) {
		if (!parse_list_select(s, l) || !scan_sp(s))
			return false;
	}
	if (!scan_astring(s, &l->reference) || !scan_sp(s) || !parse_patterns(s, l))
		return false;
	if (scan_eol(s))
		return true;
	return scan_sp(s) && parse_list_return(s, l);
}

bool imap_cmd_parse_lsub(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.lsub.reference) && scan_sp(s) &&
	       scan_list_mailbox(s, &cmd->u.lsub.pattern);
}

bool imap_cmd_parse_status(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.status.mailbox) && scan_sp(s) &&
	       parse_status_items(s, &cmd->u.status.items);
}

/* SETQUOTA root SP "(" [resource SP number64 *(SP resource SP number64)] ")". */
bool imap_cmd_parse_setquota(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_setquota *q = &cmd->u.setquota;
	struct imap_quota_limit *limits = NULL;
	size_t cap = 0, items = 0;

	if (!scan_sp(s) || !scan_astring(s, &q->root) || !scan_sp(s) || !scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (q->count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		limits = scan_grow(s, limits, q->count, &cap, sizeof(*limits));
		if (!scan_atom_dup(s, &limits[q->count].resource) || !scan_sp(s) ||
		    !scan_number64(s, &limits[q->count].limit))
			return false;
		q->count++;
	}
	scan_leave(s);
	q->limits = limits;
	return true;
}
