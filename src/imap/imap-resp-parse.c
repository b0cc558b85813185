/* imap-resp-parse.c — the response grammar: dispatch, status responses with
 * their codes, and the simple data responses (RFC 9051 section 9
 * "response"; RFC 4315, 5530, 7162, 8474 codes; RFC 2971, 9208, 4314 data).
 * LIST/STATUS/ESEARCH/NAMESPACE/THREAD are in imap-resp-parse-list.c,
 * FETCH in imap-resp-parse-fetch.c.
 */
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

static bool is_code_text_end(const struct imap_scan *s)
{
	return scan_peek(s) == ']' || scan_eol(s);
}

/* 1*<any TEXT-CHAR except "]"> */
static bool parse_code_text(struct imap_scan *s, const char **text_r)
{
	size_t start = s->pos;

	while (!scan_eol(s) && scan_peek(s) != ']') {
		int c = scan_peek(s);

		if (c == '\0' || c == '\r' || c == '\n')
			return scan_fail(s, "Invalid character in response code");
		s->pos++;
	}
	if (s->pos == start)
		return scan_fail(s, "Empty response code text");
	*text_r = arena_strndup(s->arena, (const char *)s->data + start, s->pos - start);
	return true;
}

static bool parse_code_atoms(struct imap_scan *s, struct imap_strlist *list_r)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	while (scan_try_char(s, ' ')) {
		const char *atom;

		if (!scan_list_item(s, &count) || !scan_atom_dup(s, &atom))
			return false;
		strlist_add(s, &b, atom);
	}
	*list_r = strlist_finish(&b);
	return true;
}

/* "BADCHARSET" [SP "(" charset *(SP charset) ")"] */
static bool parse_badcharset(struct imap_scan *s, struct imap_resp_code *code)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	if (is_code_text_end(s))
		return true;
	if (!scan_sp(s) || !scan_list_open(s))
		return false;
	do {
		const char *cs;

		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !imap_parse_charset(s, &cs))
			return false;
		strlist_add(s, &b, cs);
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	code->u.strings = strlist_finish(&b);
	return true;
}

static bool parse_code_uint32(struct imap_scan *s, struct imap_resp_code *code)
{
	uint32_t n;

	if (!scan_sp(s) || !scan_number(s, &n))
		return false;
	code->u.number = n;
	return true;
}

static bool parse_code_args(struct imap_scan *s, struct imap_resp_code *code)
{
	switch (code->kind) {
	case IMAP_CODE_BADCHARSET:
		return parse_badcharset(s, code);
	case IMAP_CODE_CAPABILITY:
		return parse_code_atoms(s, &code->u.strings);
	case IMAP_CODE_PERMANENTFLAGS:
		return scan_sp(s) && scan_flag_list(s, true, &code->u.strings);
	case IMAP_CODE_UIDNEXT:
	case IMAP_CODE_UIDVALIDITY:
	case IMAP_CODE_UNSEEN:
		return parse_code_uint32(s, code);
	case IMAP_CODE_HIGHESTMODSEQ:
		return scan_sp(s) && scan_number64(s, &code->u.number);
	case IMAP_CODE_APPENDUID:
		/* "APPENDUID" SP nz-number SP append-uid (uid-set with MULTIAPPEND) */
		return scan_sp(s) && scan_nz_number(s, &code->u.appenduid.uidvalidity) &&
		       scan_sp(s) && scan_seqset(s, 0, &code->u.appenduid.uids);
	case IMAP_CODE_COPYUID:
		return scan_sp(s) && scan_nz_number(s, &code->u.copyuid.uidvalidity) &&
		       scan_sp(s) && scan_seqset(s, 0, &code->u.copyuid.src) && scan_sp(s) &&
		       scan_seqset(s, 0, &code->u.copyuid.dst);
	case IMAP_CODE_MODIFIED:
		return scan_sp(s) && scan_seqset(s, 0, &code->u.set);
	case IMAP_CODE_MAILBOXID:
		return scan_sp(s) && scan_list_open(s) &&
		       imap_parse_objectid(s, &code->u.objectid) && scan_list_close(s);
	default:
		/* A code without arguments may still carry text. */
		if (scan_try_char(s, ' '))
			return parse_code_text(s, &code->text);
		return true;
	}
}

/* "[" resp-text-code "]"; a known code whose arguments do not parse
 * becomes OTHER with its raw text. */
static bool parse_code(struct imap_scan *s, struct imap_resp_code *code)
{
	const char *name;
	size_t n;
	struct scan_mark m;
	char *upper;

	if (!scan_char(s, '[') || !scan_atom(s, &name, &n))
		return false;
	upper = arena_strndup(s->arena, name, n);
	str_upper_inplace(upper);
	code->name = upper;
	code->kind = imap_code_kind_lookup(name, n);
	m = scan_mark(s);
	if (code->kind != IMAP_CODE_OTHER && parse_code_args(s, code) && scan_char(s, ']'))
		return true;
	scan_restore(s, &m);
	memset(&code->u, 0, sizeof(code->u));
	code->kind = IMAP_CODE_OTHER;
	code->text = NULL;
	if (scan_try_char(s, ' ') && !parse_code_text(s, &code->text))
		return false;
	return scan_char(s, ']');
}

/* resp-text = ["[" resp-text-code "]" SP] [text], leniently: the SP and
 * the text may be missing, and a "[" that starts no valid code is text. */
static bool parse_resp_text(struct imap_scan *s, struct imap_resp_status *st)
{
	if (scan_eol(s)) {
		st->text = "";
		return true;
	}
	if (!scan_sp(s))
		return false;
	if (scan_peek(s) == '[') {
		struct scan_mark m = scan_mark(s);

		if (parse_code(s, &st->code)) {
			if (scan_eol(s)) {
				st->text = "";
				return true;
			}
			if (scan_try_char(s, ' '))
				return scan_text(s, &st->text);
		}
		scan_restore(s, &m);
		memset(&st->code, 0, sizeof(st->code));
	}
	return scan_text(s, &st->text);
}

static bool parse_status(struct imap_scan *s, struct imap_response *resp,
			 enum imap_status_cond cond)
{
	resp->kind = IMAP_RESP_STATUS;
	resp->u.status.cond = cond;
	return parse_resp_text(s, &resp->u.status);
}

static bool lookup_cond(const char *name, size_t n, enum imap_status_cond *cond_r)
{
	for (unsigned c = IMAP_COND_OK; c <= IMAP_COND_BYE; c++) {
		if (str_eq_ci_n(name, n, imap_status_cond_name((enum imap_status_cond)c))) {
			*cond_r = (enum imap_status_cond)c;
			return true;
		}
	}
	return false;
}

/* *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"] (RFC 7162). */
static bool parse_search(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_search *r = &resp->u.search;
	uint32_t *nums = NULL;
	size_t cap = 0;

	while (scan_try_char(s, ' ')) {
		if (scan_peek(s) == '(') {
			if (!scan_list_open(s) || !scan_keyword(s, "MODSEQ") || !scan_sp(s) ||
			    !scan_number64(s, &r->modseq) || !scan_list_close(s))
				return scan_fail(s, "Invalid MODSEQ in SEARCH response");
			r->has_modseq = true;
			break;
		}
		nums = scan_grow(s, nums, r->count, &cap, sizeof(*nums));
		if (!scan_number(s, &nums[r->count]))
			return false;
		r->count++;
	}
	r->numbers = nums;
	return true;
}

static bool parse_atoms(struct imap_scan *s, struct imap_response *resp)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	while (scan_try_char(s, ' ')) {
		const char *atom;

		if (!scan_list_item(s, &count) || !scan_atom_dup(s, &atom))
			return false;
		strlist_add(s, &b, atom);
	}
	resp->u.strings = strlist_finish(&b);
	return true;
}

/* "VANISHED" [SP "(EARLIER)"] SP known-uids (RFC 7162 section 7). */
static bool parse_vanished(struct imap_scan *s, struct imap_response *resp)
{
	if (!scan_sp(s))
		return false;
	if (scan_peek(s) == '(') {
		if (!scan_list_open(s) || !scan_keyword(s, "EARLIER") || !scan_list_close(s) ||
		    !scan_sp(s))
			return false;
		resp->u.vanished.earlier = true;
	}
	return scan_seqset(s, 0, &resp->u.vanished.uids);
}

static bool parse_id(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_id_param *params = NULL;
	size_t count = 0, cap = 0, items = 0;

	if (!scan_sp(s))
		return false;
	if (scan_nil(s))
		return true;
	if (!scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		params = scan_grow(s, params, count, &cap, sizeof(*params));
		if (!scan_string(s, &params[count].key) || !scan_sp(s) ||
		    !scan_nstring(s, &params[count].value))
			return false;
		count++;
	}
	scan_leave(s);
	resp->u.id.list = true;
	resp->u.id.params = params;
	resp->u.id.count = count;
	return true;
}

/* "QUOTA" SP quota-root-name SP "(" [resource SP usage SP limit ...] ")" */
static bool parse_quota(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_quota *q = &resp->u.quota;
	struct imap_quota_resource *res = NULL;
	size_t cap = 0, items = 0;

	if (!scan_sp(s) || !scan_astring(s, &q->root) || !scan_sp(s) || !scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (q->count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		res = scan_grow(s, res, q->count, &cap, sizeof(*res));
		if (!scan_atom_dup(s, &res[q->count].name) || !scan_sp(s) ||
		    !scan_number64(s, &res[q->count].usage) || !scan_sp(s) ||
		    !scan_number64(s, &res[q->count].limit))
			return false;
		q->count++;
	}
	scan_leave(s);
	q->resources = res;
	return true;
}

/* mailbox *(SP astring): QUOTAROOT roots, LISTRIGHTS rights. */
static bool parse_astring_tail(struct imap_scan *s, struct imap_strlist *list_r)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	while (scan_try_char(s, ' ')) {
		const char *str;

		if (!scan_list_item(s, &count) || !scan_astring(s, &str))
			return false;
		strlist_add(s, &b, str);
	}
	*list_r = strlist_finish(&b);
	return true;
}

static bool parse_quotaroot(struct imap_scan *s, struct imap_response *resp)
{
	return scan_sp(s) && scan_astring(s, &resp->u.quotaroot.mailbox) &&
	       parse_astring_tail(s, &resp->u.quotaroot.roots);
}

/* "ACL" SP mailbox *(SP identifier SP rights) (RFC 4314). */
static bool parse_acl(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_acl *acl = &resp->u.acl;
	struct imap_acl_entry *e = NULL;
	size_t cap = 0, items = 0;

	if (!scan_sp(s) || !scan_astring(s, &acl->mailbox))
		return false;
	while (scan_try_char(s, ' ')) {
		if (!scan_list_item(s, &items))
			return false;
		e = scan_grow(s, e, acl->count, &cap, sizeof(*e));
		if (!scan_astring(s, &e[acl->count].identifier) || !scan_sp(s) ||
		    !scan_astring(s, &e[acl->count].rights))
			return false;
		acl->count++;
	}
	acl->entries = e;
	return true;
}

static bool parse_listrights(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_listrights *lr = &resp->u.listrights;

	if (!scan_sp(s) || !scan_astring(s, &lr->mailbox) || !scan_sp(s) ||
	    !scan_astring(s, &lr->identifier) || !parse_astring_tail(s, &lr->rights))
		return false;
	if (lr->rights.count == 0)
		return scan_fail(s, "LISTRIGHTS without rights");
	return true;
}

static bool parse_myrights(struct imap_scan *s, struct imap_response *resp)
{
	return scan_sp(s) && scan_astring(s, &resp->u.myrights.mailbox) && scan_sp(s) &&
	       scan_astring(s, &resp->u.myrights.rights);
}

/* "FLAGS" SP flag-list: "\*" belongs to PERMANENTFLAGS only. */
static bool parse_flags(struct imap_scan *s, struct imap_response *resp)
{
	return scan_sp(s) && scan_flag_list(s, false, &resp->u.strings);
}

/* Unknown data: values parsed generically; when they do not parse, the
 * rest of the line is kept as one atom. */
static bool parse_unknown(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_unknown *u = &resp->u.unknown;
	struct imap_value *vals = NULL;
	size_t cap = 0, items = 0;
	struct scan_mark m = scan_mark(s);
	bool ok = true;

	resp->kind = IMAP_RESP_UNKNOWN;
	while (ok && scan_try_char(s, ' ')) {
		vals = scan_grow(s, vals, u->count, &cap, sizeof(*vals));
		ok = scan_list_item(s, &items) && scan_value(s, &vals[u->count]);
		u->count += ok;
	}
	u->values = vals;
	if (ok && scan_eol(s))
		return true;
	scan_restore(s, &m);
	u->count = 0;
	if (!scan_try_char(s, ' '))
		return scan_fail(s, "Unexpected character");
	vals = arena_zalloc(s->arena, sizeof(*vals));
	vals->kind = IMAP_VALUE_ATOM;
	if (!scan_text(s, &vals->str))
		return false;
	vals->len = strlen(vals->str);
	u->values = vals;
	u->count = 1;
	return true;
}

typedef bool resp_parse_fn(struct imap_scan *s, struct imap_response *resp);

static const struct {
	const char *name;
	enum imap_response_kind kind;
	resp_parse_fn *parse;
} untagged[] = {
	{"CAPABILITY", IMAP_RESP_CAPABILITY, parse_atoms},
	{"ENABLED", IMAP_RESP_ENABLED, parse_atoms},
	{"FLAGS", IMAP_RESP_FLAGS, parse_flags},
	{"LIST", IMAP_RESP_LIST, imap_resp_parse_list},
	{"LSUB", IMAP_RESP_LSUB, imap_resp_parse_list},
	{"STATUS", IMAP_RESP_STATUS_DATA, imap_resp_parse_status_data},
	{"SEARCH", IMAP_RESP_SEARCH, parse_search},
	{"SORT", IMAP_RESP_SORT, parse_search},
	{"ESEARCH", IMAP_RESP_ESEARCH, imap_resp_parse_esearch},
	{"THREAD", IMAP_RESP_THREAD, imap_resp_parse_thread},
	{"VANISHED", IMAP_RESP_VANISHED, parse_vanished},
	{"ID", IMAP_RESP_ID, parse_id},
	{"NAMESPACE", IMAP_RESP_NAMESPACE, imap_resp_parse_namespace},
	{"QUOTA", IMAP_RESP_QUOTA, parse_quota},
	{"QUOTAROOT", IMAP_RESP_QUOTAROOT, parse_quotaroot},
	{"ACL", IMAP_RESP_ACL, parse_acl},
	{"LISTRIGHTS", IMAP_RESP_LISTRIGHTS, parse_listrights},
	{"MYRIGHTS", IMAP_RESP_MYRIGHTS, parse_myrights},
};

/* "* " nz-number SP ("EXISTS" / "RECENT" / "EXPUNGE" / "FETCH" ...) */
static bool parse_numbered(struct imap_scan *s, struct imap_response *resp)
{
	uint32_t n;
	const char *name;
	size_t len;

	if (!scan_number(s, &n) || !scan_sp(s) || !scan_label(s, &name, &len))
		return false;
	resp->u.number = n;
	if (str_eq_ci_n(name, len, "EXISTS"))
		resp->kind = IMAP_RESP_EXISTS;
	else if (str_eq_ci_n(name, len, "RECENT"))
		resp->kind = IMAP_RESP_RECENT;
	else if (str_eq_ci_n(name, len, "EXPUNGE"))
		resp->kind = IMAP_RESP_EXPUNGE;
	else if (str_eq_ci_n(name, len, "FETCH")) {
		resp->kind = IMAP_RESP_FETCH;
		resp->u.fetch.seq = n;
		return imap_resp_parse_fetch(s, resp);
	} else {
		char *upper = arena_strndup(s->arena, name, len);

		str_upper_inplace(upper);
		resp->u.unknown.has_number = true;
		resp->u.unknown.number = n;
		resp->u.unknown.name = upper;
		return parse_unknown(s, resp);
	}
	return true;
}

static bool parse_untagged(struct imap_scan *s, struct imap_response *resp)
{
	enum imap_status_cond cond;
	const char *name;
	size_t n;
	char *upper;

	if (ascii_isdigit(scan_peek(s)))
		return parse_numbered(s, resp);
	if (!scan_label(s, &name, &n))
		return false;
	if (lookup_cond(name, n, &cond))
		return parse_status(s, resp, cond);
	for (size_t i = 0; i < HF_N_ELEMENTS(untagged); i++) {
		if (str_eq_ci_n(name, n, untagged[i].name)) {
			resp->kind = untagged[i].kind;
			return untagged[i].parse(s, resp);
		}
	}
	upper = arena_strndup(s->arena, name, n);
	str_upper_inplace(upper);
	resp->u.unknown.name = upper;
	return parse_unknown(s, resp);
}

static bool parse_continuation(struct imap_scan *s, struct imap_response *resp)
{
	resp->kind = IMAP_RESP_CONTINUE;
	if (scan_eol(s)) {
		resp->u.text = "";
		return true;
	}
	/* "+ text"; be lenient about the SP when the server sends "+text". */
	(void)scan_try_char(s, ' ');
	return scan_text(s, &resp->u.text);
}

bool imap_response_parse(struct imap_scan *s, struct imap_response *resp)
{
	enum imap_status_cond cond;
	const char *name;
	size_t n;
	bool ok;

	if (scan_try_char(s, '+'))
		return parse_continuation(s, resp);
	if (scan_try_char(s, '*')) {
		if (!scan_sp(s))
			return false;
		ok = parse_untagged(s, resp);
	} else {
		if (!scan_tag(s, &resp->tag) || !scan_sp(s) || !scan_label(s, &name, &n))
			return false;
		if (!lookup_cond(name, n, &cond) || cond > IMAP_COND_BAD)
			return scan_fail(s, "Expected OK, NO or BAD after the tag");
		ok = parse_status(s, resp, cond);
	}
	return ok && scan_end(s);
}
