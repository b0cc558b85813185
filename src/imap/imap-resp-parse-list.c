/* imap-resp-parse-list.c — LIST/LSUB (RFC 9051, RFC 5258 extended items),
 * STATUS data (RFC 9051, 7162, 7889, 8438, 8474, 9208), ESEARCH (RFC 4731,
 * 9394), NAMESPACE (RFC 2342) and THREAD (RFC 5256) responses.
 */
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

/* DQUOTE QUOTED-CHAR DQUOTE / nil */
static bool parse_delimiter(struct imap_scan *s, char *delim_r)
{
	const char *str;
	size_t n;

	if (scan_nil(s)) {
		*delim_r = '\0';
		return true;
	}
	if (!scan_quoted(s, &str, &n))
		return false;
	if (n != 1)
		return scan_fail(s, "Hierarchy delimiter must be one character");
	*delim_r = str[0];
	return true;
}

/* CHILDINFO "(" "SUBSCRIBED" ... ")": quoted or plain option names. */
static bool childinfo_from_value(struct imap_scan *s, const struct imap_value *v,
				 struct imap_resp_list *l)
{
	struct strlist_builder b = {NULL, 0, 0};

	if (v->kind != IMAP_VALUE_LIST)
		return scan_fail(s, "Invalid CHILDINFO");
	for (size_t i = 0; i < v->count; i++) {
		if (v->items[i].kind != IMAP_VALUE_STRING && v->items[i].kind != IMAP_VALUE_ATOM)
			return scan_fail(s, "Invalid CHILDINFO");
		strlist_add(s, &b, v->items[i].str);
	}
	l->childinfo = strlist_finish(&b);
	return true;
}

static bool parse_list_ext_item(struct imap_scan *s, struct imap_resp_list *l,
				struct imap_list_ext_item *items, size_t *count)
{
	const char *tag;
	struct imap_value v;

	if (!scan_astring(s, &tag) || !scan_sp(s))
		return false;
	if (str_casecmp(tag, "OLDNAME") == 0) {
		/* "OLDNAME" SP "(" mailbox ")" */
		return scan_list_open(s) && scan_astring(s, &l->oldname) && scan_list_close(s);
	}
	if (!scan_tagged_ext_val(s, &v))
		return false;
	if (str_casecmp(tag, "CHILDINFO") == 0)
		return childinfo_from_value(s, &v, l);
	items[*count].tag = tag;
	items[*count].value = v;
	(*count)++;
	return true;
}

static bool parse_list_ext(struct imap_scan *s, struct imap_resp_list *l)
{
	struct imap_list_ext_item *items = NULL;
	size_t count = 0, cap = 0, n = 0;

	if (!scan_list_open(s))
		return false;
	l->has_ext = true;
	while (!scan_try_char(s, ')')) {
		if (n > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &n))
			return false;
		items = scan_grow(s, items, count, &cap, sizeof(*items));
		if (!parse_list_ext_item(s, l, items, &count))
			return false;
	}
	scan_leave(s);
	l->ext = items;
	l->ext_count = count;
	return true;
}

/* "(" [mbx-list-flags] ")" SP delimiter SP mailbox [SP mbox-list-extended] */
bool imap_resp_parse_list(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_list *l = &resp->u.list;

	if (!scan_sp(s) || !scan_flag_list(s, false, &l->attrs) || !scan_sp(s) ||
	    !parse_delimiter(s, &l->delimiter) || !scan_sp(s) || !scan_astring(s, &l->mailbox))
		return false;
	if (scan_eol(s))
		return true;
	return scan_sp(s) && parse_list_ext(s, l);
}

static bool parse_status_value(struct imap_scan *s, struct imap_status_value *v)
{
	if (!imap_parse_status_item(s, &v->item) || !scan_sp(s))
		return false;
	if (v->item == IMAP_STATUS_MAILBOXID)
		return scan_list_open(s) && imap_parse_objectid(s, &v->objectid) &&
		       scan_list_close(s);
	if (v->item == IMAP_STATUS_APPENDLIMIT && scan_nil(s)) {
		v->nil = true;
		return true;
	}
	return scan_number64(s, &v->value);
}

/* "STATUS" SP mailbox SP "(" [status-att-val *(SP status-att-val)] ")" */
bool imap_resp_parse_status_data(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_status_data *st = &resp->u.status_data;
	struct imap_status_value *vals = NULL;
	size_t cap = 0, items = 0;

	if (!scan_sp(s) || !scan_astring(s, &st->mailbox) || !scan_sp(s) || !scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (st->count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		vals = scan_grow(s, vals, st->count, &cap, sizeof(*vals));
		memset(&vals[st->count], 0, sizeof(*vals));
		if (!parse_status_value(s, &vals[st->count]))
			return false;
		st->count++;
	}
	scan_leave(s);
	st->values = vals;
	return true;
}

/* "PARTIAL" SP "(" partial-range SP partial-results ")" (RFC 9394) */
static bool parse_esearch_partial(struct imap_scan *s, struct imap_resp_esearch *e)
{
	if (!scan_list_open(s) ||
	    !imap_parse_partial_range(s, &e->partial_first, &e->partial_last) || !scan_sp(s))
		return false;
	if (scan_nil(s))
		e->partial_nil = true;
	else if (!scan_seqset(s, 0, &e->partial))
		return false;
	e->has_partial = true;
	return scan_list_close(s);
}

static bool parse_esearch_data(struct imap_scan *s, struct imap_resp_esearch *e)
{
	const char *name;
	size_t n;
	struct imap_value ignored;

	if (!scan_label(s, &name, &n) || !scan_sp(s))
		return false;
	if (str_eq_ci_n(name, n, "MIN"))
		return (e->has_min = true) && scan_number(s, &e->min);
	if (str_eq_ci_n(name, n, "MAX"))
		return (e->has_max = true) && scan_number(s, &e->max);
	if (str_eq_ci_n(name, n, "COUNT"))
		return (e->has_count = true) && scan_number(s, &e->count);
	if (str_eq_ci_n(name, n, "ALL"))
		return (e->has_all = true) && scan_seqset(s, 0, &e->all);
	if (str_eq_ci_n(name, n, "MODSEQ"))
		return (e->has_modseq = true) && scan_number64(s, &e->modseq);
	if (str_eq_ci_n(name, n, "PARTIAL"))
		return parse_esearch_partial(s, e);
	/* Return data of extensions we did not ask for is skipped. */
	return scan_tagged_ext_val(s, &ignored);
}

/* "ESEARCH" [SP "(" "TAG" SP tag-string ")"] [SP "UID"] *(SP search-return-data) */
bool imap_resp_parse_esearch(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_esearch *e = &resp->u.esearch;
	size_t items = 0;

	if (!scan_try_char(s, ' '))
		return true;
	if (scan_peek(s) == '(') {
		if (!scan_list_open(s) || !scan_keyword(s, "TAG") || !scan_sp(s) ||
		    !scan_string(s, &e->tag) || !scan_list_close(s))
			return false;
		if (!scan_try_char(s, ' '))
			return true;
	}
	if (scan_keyword(s, "UID")) {
		e->uid = true;
		if (!scan_try_char(s, ' '))
			return true;
	}
	do {
		if (!scan_list_item(s, &items) || !parse_esearch_data(s, e))
			return false;
	} while (scan_try_char(s, ' '));
	return true;
}

/* Namespace-Response-Extension = SP string SP "(" string *(SP string) ")" */
static bool parse_ns_ext(struct imap_scan *s, struct imap_namespace_ext *ext)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	if (!scan_string(s, &ext->name) || !scan_sp(s) || !scan_list_open(s))
		return false;
	do {
		const char *v;

		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !scan_string(s, &v))
			return false;
		strlist_add(s, &b, v);
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	ext->values = strlist_finish(&b);
	return true;
}

/* "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) *(extension) ")" */
static bool parse_ns_descr(struct imap_scan *s, struct imap_namespace_descr *d)
{
	struct imap_namespace_ext *ext = NULL;
	size_t cap = 0, items = 0;

	if (!scan_list_open(s) || !scan_string(s, &d->prefix) || !scan_sp(s) ||
	    !parse_delimiter(s, &d->delimiter))
		return false;
	while (scan_try_char(s, ' ')) {
		if (!scan_list_item(s, &items))
			return false;
		ext = scan_grow(s, ext, d->ext_count, &cap, sizeof(*ext));
		if (!parse_ns_ext(s, &ext[d->ext_count]))
			return false;
		d->ext_count++;
	}
	d->ext = ext;
	return scan_list_close(s);
}

static bool parse_ns_group(struct imap_scan *s, struct imap_namespace_group *g)
{
	struct imap_namespace_descr *items = NULL;
	size_t cap = 0, n = 0;

	if (scan_nil(s))
		return true;
	if (!scan_list_open(s))
		return false;
	do {
		/* 1*Namespace-Descr: descriptors follow each other without SP. */
		if (!scan_list_item(s, &n))
			return false;
		items = scan_grow(s, items, g->count, &cap, sizeof(*items));
		memset(&items[g->count], 0, sizeof(*items));
		if (!parse_ns_descr(s, &items[g->count]))
			return false;
		g->count++;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	g->items = items;
	return true;
}

bool imap_resp_parse_namespace(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_namespace *ns = &resp->u.namespace_;

	return scan_sp(s) && parse_ns_group(s, &ns->personal) && scan_sp(s) &&
	       parse_ns_group(s, &ns->other) && scan_sp(s) && parse_ns_group(s, &ns->shared);
}

static bool parse_thread_list(struct imap_scan *s, struct imap_thread_node *node);

/* thread-nested = 2*thread-list, as the children of parent (a single
 * nested list is accepted too). */
static bool parse_thread_nested(struct imap_scan *s, struct imap_thread_node *parent)
{
	struct imap_thread_node *kids = NULL;
	size_t count = 0, cap = 0, items = 0;

	while (scan_peek(s) == '(') {
		if (!scan_list_item(s, &items))
			return false;
		kids = scan_grow(s, kids, count, &cap, sizeof(*kids));
		memset(&kids[count], 0, sizeof(*kids));
		if (!parse_thread_list(s, &kids[count]))
			return false;
		count++;
	}
	parent->children = kids;
	parent->child_count = count;
	return true;
}

/* thread-list = "(" (thread-members / thread-nested) ")"; a chain of
 * members becomes a chain of single children, iteratively. */
static bool parse_thread_list(struct imap_scan *s, struct imap_thread_node *node)
{
	struct imap_thread_node *cur = node;

	if (!scan_list_open(s))
		return false;
	if (scan_peek(s) == '(') {
		if (!parse_thread_nested(s, node))
			return false;
		return scan_list_close(s);
	}
	if (!scan_nz_number(s, &cur->id))
		return false;
	while (scan_try_char(s, ' ')) {
		struct imap_thread_node *child;

		if (scan_peek(s) == '(') {
			if (!parse_thread_nested(s, cur))
				return false;
			break;
		}
		child = arena_zalloc(s->arena, sizeof(*child));
		if (!scan_nz_number(s, &child->id))
			return false;
		cur->children = child;
		cur->child_count = 1;
		cur = child;
	}
	return scan_list_close(s);
}

/* "THREAD" [SP 1*thread-list] */
bool imap_resp_parse_thread(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_thread_node root = {0, NULL, 0};

	if (!scan_try_char(s, ' '))
		return true;
	if (!parse_thread_nested(s, &root))
		return false;
	if (root.child_count == 0)
		return scan_fail(s, "Expected a thread list");
	resp->u.thread.roots = root.children;
	resp->u.thread.count = root.child_count;
	return true;
}
