/* imap-search-parse.c — search keys and programs, and the SEARCH, SORT and
 * THREAD commands (RFC 9051 search-key, RFC 4731/5182/9394 RETURN options,
 * RFC 5256/5957/5267 SORT and THREAD, RFC 7162 MODSEQ, RFC 5032, RFC 8514,
 * RFC 8474). Recursion (parentheses, NOT, OR) is bounded by max_depth.
 */
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

enum key_arg {
	ARG_NONE,
	ARG_ASTRING,
	ARG_ATOM, /* flag-keyword */
	ARG_OBJECTID,
	ARG_DATE,
	ARG_NUMBER64,
	ARG_NZ_NUMBER,
	ARG_SEQSET,
	ARG_HEADER,
	ARG_NOT,
	ARG_OR,
	ARG_MODSEQ,
};

static const struct key_def {
	const char *name;
	enum imap_search_kind kind;
	enum key_arg arg;
} key_defs[] = {
	{"ALL", IMAP_SEARCH_ALL, ARG_NONE},
	{"ANSWERED", IMAP_SEARCH_ANSWERED, ARG_NONE},
	{"DELETED", IMAP_SEARCH_DELETED, ARG_NONE},
	{"DRAFT", IMAP_SEARCH_DRAFT, ARG_NONE},
	{"FLAGGED", IMAP_SEARCH_FLAGGED, ARG_NONE},
	{"NEW", IMAP_SEARCH_NEW, ARG_NONE},
	{"OLD", IMAP_SEARCH_OLD, ARG_NONE},
	{"RECENT", IMAP_SEARCH_RECENT, ARG_NONE},
	{"SEEN", IMAP_SEARCH_SEEN, ARG_NONE},
	{"UNANSWERED", IMAP_SEARCH_UNANSWERED, ARG_NONE},
	{"UNDELETED", IMAP_SEARCH_UNDELETED, ARG_NONE},
	{"UNDRAFT", IMAP_SEARCH_UNDRAFT, ARG_NONE},
	{"UNFLAGGED", IMAP_SEARCH_UNFLAGGED, ARG_NONE},
	{"UNSEEN", IMAP_SEARCH_UNSEEN, ARG_NONE},
	{"SAVEDATESUPPORTED", IMAP_SEARCH_SAVEDATESUPPORTED, ARG_NONE},
	{"UID", IMAP_SEARCH_UID, ARG_SEQSET},
	{"BCC", IMAP_SEARCH_BCC, ARG_ASTRING},
	{"BODY", IMAP_SEARCH_BODY, ARG_ASTRING},
	{"CC", IMAP_SEARCH_CC, ARG_ASTRING},
	{"FROM", IMAP_SEARCH_FROM, ARG_ASTRING},
	{"SUBJECT", IMAP_SEARCH_SUBJECT, ARG_ASTRING},
	{"TEXT", IMAP_SEARCH_TEXT, ARG_ASTRING},
	{"TO", IMAP_SEARCH_TO, ARG_ASTRING},
	{"KEYWORD", IMAP_SEARCH_KEYWORD, ARG_ATOM},
	{"UNKEYWORD", IMAP_SEARCH_UNKEYWORD, ARG_ATOM},
	{"EMAILID", IMAP_SEARCH_EMAILID, ARG_OBJECTID},
	{"THREADID", IMAP_SEARCH_THREADID, ARG_OBJECTID},
	{"HEADER", IMAP_SEARCH_HEADER, ARG_HEADER},
	{"BEFORE", IMAP_SEARCH_BEFORE, ARG_DATE},
	{"ON", IMAP_SEARCH_ON, ARG_DATE},
	{"SINCE", IMAP_SEARCH_SINCE, ARG_DATE},
	{"SENTBEFORE", IMAP_SEARCH_SENTBEFORE, ARG_DATE},
	{"SENTON", IMAP_SEARCH_SENTON, ARG_DATE},
	{"SENTSINCE", IMAP_SEARCH_SENTSINCE, ARG_DATE},
	{"SAVEDBEFORE", IMAP_SEARCH_SAVEDBEFORE, ARG_DATE},
	{"SAVEDON", IMAP_SEARCH_SAVEDON, ARG_DATE},
	{"SAVEDSINCE", IMAP_SEARCH_SAVEDSINCE, ARG_DATE},
	{"LARGER", IMAP_SEARCH_LARGER, ARG_NUMBER64},
	{"SMALLER", IMAP_SEARCH_SMALLER, ARG_NUMBER64},
	{"OLDER", IMAP_SEARCH_OLDER, ARG_NZ_NUMBER},
	{"YOUNGER", IMAP_SEARCH_YOUNGER, ARG_NZ_NUMBER},
	{"NOT", IMAP_SEARCH_NOT, ARG_NOT},
	{"OR", IMAP_SEARCH_OR, ARG_OR},
	{"MODSEQ", IMAP_SEARCH_MODSEQ, ARG_MODSEQ},
};

const char *imap_search_kind_name(enum imap_search_kind kind)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(key_defs); i++)
		if (key_defs[i].kind == kind)
			return key_defs[i].name;
	return "";
}

static bool parse_key(struct imap_scan *s, struct imap_search_key *key);

/* objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 section 7). */
bool imap_parse_objectid(struct imap_scan *s, const char **id_r)
{
	const char *a;
	size_t n;

	if (!scan_atom(s, &a, &n))
		return false;
	if (n > 255)
		return scan_fail(s, "Object ID too long");
	for (size_t i = 0; i < n; i++)
		if (!ascii_isalpha(a[i]) && !ascii_isdigit(a[i]) && a[i] != '_' && a[i] != '-')
			return scan_fail(s, "Invalid object ID");
	*id_r = arena_strndup(s->arena, a, n);
	return true;
}

/* "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer */
static bool parse_modseq(struct imap_scan *s, struct imap_search_key *key)
{
	if (scan_peek(s) == '"') {
		size_t n;

		if (!scan_quoted(s, &key->u.modseq.entry_name, &n) || !scan_sp(s))
			return false;
		if (scan_keyword(s, "PRIV"))
			key->u.modseq.entry_type = IMAP_SEARCH_ENTRY_PRIV;
		else if (scan_keyword(s, "SHARED"))
			key->u.modseq.entry_type = IMAP_SEARCH_ENTRY_SHARED;
		else if (scan_keyword(s, "ALL"))
			key->u.modseq.entry_type = IMAP_SEARCH_ENTRY_ALL;
		else
			return scan_fail(s, "Invalid MODSEQ entry type");
		if (!scan_sp(s))
			return false;
	}
	return scan_number64(s, &key->u.modseq.modseq);
}

static bool parse_key_arg(struct imap_scan *s, enum key_arg arg, struct imap_search_key *key)
{
	struct arena *a = s->arena;

	if (arg == ARG_NONE)
		return true;
	if (!scan_sp(s))
		return false;
	switch (arg) {
	case ARG_ASTRING:
		return scan_astring(s, &key->u.string);
	case ARG_ATOM:
		return scan_atom_dup(s, &key->u.string);
	case ARG_OBJECTID:
		return imap_parse_objectid(s, &key->u.string);
	case ARG_DATE:
		return scan_date(s, &key->u.date);
	case ARG_NUMBER64:
		return scan_number64(s, &key->u.number);
	case ARG_NZ_NUMBER: {
		uint32_t n;

		if (!scan_nz_number(s, &n))
			return false;
		key->u.number = n;
		return true;
	}
	case ARG_SEQSET:
		return scan_seqset(s, IMAP_SEQSET_ALLOW_STAR | IMAP_SEQSET_ALLOW_DOLLAR,
				   &key->u.seqset);
	case ARG_HEADER:
		return scan_astring(s, &key->u.header.name) && scan_sp(s) &&
		       scan_astring(s, &key->u.header.value);
	case ARG_NOT:
		key->u.negated = arena_zalloc(a, sizeof(*key->u.negated));
		return parse_key(s, key->u.negated);
	case ARG_OR:
		key->u.either.a = arena_zalloc(a, sizeof(*key->u.either.a));
		key->u.either.b = arena_zalloc(a, sizeof(*key->u.either.b));
		return parse_key(s, key->u.either.a) && scan_sp(s) && parse_key(s, key->u.either.b);
	case ARG_MODSEQ:
		return parse_modseq(s, key);
	case ARG_NONE:
		break;
	}
	return true;
}

/* "(" search-key *(SP search-key) ")" */
static bool parse_group(struct imap_scan *s, struct imap_search_key *key)
{
	size_t cap = 0, items = 0;

	/* parse_key already counted this level against max_depth. */
	key->kind = IMAP_SEARCH_AND;
	if (!scan_char(s, '('))
		return false;
	do {
		if (key->u.all_of.count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		key->u.all_of.keys = scan_grow(s, key->u.all_of.keys, key->u.all_of.count, &cap,
					       sizeof(*key->u.all_of.keys));
		memset(&key->u.all_of.keys[key->u.all_of.count], 0, sizeof(*key->u.all_of.keys));
		if (!parse_key(s, &key->u.all_of.keys[key->u.all_of.count]))
			return false;
		key->u.all_of.count++;
	} while (!scan_try_char(s, ')'));
	return true;
}

static bool parse_key_inner(struct imap_scan *s, struct imap_search_key *key)
{
	int c = scan_peek(s);
	const char *label;
	size_t n;

	if (c == '(' && !scan_at_literal(s))
		return parse_group(s, key);
	if (ascii_isdigit(c) || c == '*' || c == '$') {
		key->kind = IMAP_SEARCH_SEQSET;
		return scan_seqset(s, IMAP_SEQSET_ALLOW_STAR | IMAP_SEQSET_ALLOW_DOLLAR,
				   &key->u.seqset);
	}
	if (!scan_label(s, &label, &n))
		return scan_fail(s, "Expected a search key");
	for (size_t i = 0; i < HF_N_ELEMENTS(key_defs); i++) {
		if (str_eq_ci_n(label, n, key_defs[i].name)) {
			key->kind = key_defs[i].kind;
			return parse_key_arg(s, key_defs[i].arg, key);
		}
	}
	return scan_fail(s, "Unknown search key");
}

static bool parse_key(struct imap_scan *s, struct imap_search_key *key)
{
	bool ok;

	if (!scan_enter(s))
		return false;
	ok = parse_key_inner(s, key);
	scan_leave(s);
	return ok;
}

bool imap_parse_charset(struct imap_scan *s, const char **charset_r)
{
	size_t n;

	if (scan_peek(s) == '"')
		return scan_quoted(s, charset_r, &n);
	return scan_atom_dup(s, charset_r);
}

/* [CHARSET SP charset SP] search-key *(SP search-key); for SORT and
 * THREAD the charset comes without the CHARSET keyword and is required. */
bool imap_parse_search_program(struct imap_scan *s, bool charset_required,
			       struct imap_search_options *opts)
{
	size_t cap = 0, items = 0;

	if (charset_required) {
		if (!imap_parse_charset(s, &opts->charset) || !scan_sp(s))
			return false;
	} else if (scan_keyword(s, "CHARSET")) {
		if (!scan_sp(s) || !imap_parse_charset(s, &opts->charset) || !scan_sp(s))
			return false;
	}
	do {
		if (opts->key_count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		opts->keys = scan_grow(s, opts->keys, opts->key_count, &cap, sizeof(*opts->keys));
		memset(&opts->keys[opts->key_count], 0, sizeof(*opts->keys));
		if (!parse_key(s, &opts->keys[opts->key_count]))
			return false;
		opts->key_count++;
	} while (!scan_eol(s));
	return true;
}

static bool parse_return_opt(struct imap_scan *s, struct imap_search_options *opts)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{"MIN", IMAP_SEARCH_RETURN_MIN},   {"MAX", IMAP_SEARCH_RETURN_MAX},
		{"ALL", IMAP_SEARCH_RETURN_ALL},   {"COUNT", IMAP_SEARCH_RETURN_COUNT},
		{"SAVE", IMAP_SEARCH_RETURN_SAVE},
	};

	if (scan_keyword(s, "PARTIAL")) {
		opts->ret |= IMAP_SEARCH_RETURN_PARTIAL;
		return scan_sp(s) &&
		       imap_parse_partial_range(s, &opts->partial_first, &opts->partial_last);
	}
	for (size_t i = 0; i < HF_N_ELEMENTS(names); i++) {
		if (scan_keyword(s, names[i].name)) {
			opts->ret |= names[i].bit;
			return true;
		}
	}
	return scan_fail(s, "Unknown RETURN option");
}

/* "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" */
bool imap_parse_search_return(struct imap_scan *s, struct imap_search_options *opts)
{
	size_t count = 0;

	if (!scan_keyword(s, "RETURN"))
		return true;
	opts->has_return = true;
	if (!scan_sp(s) || !scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !parse_return_opt(s, opts))
			return false;
	}
	scan_leave(s);
	return scan_sp(s);
}

bool imap_cmd_parse_search(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_search_options *opts = &cmd->u.search.opts;

	return scan_sp(s) && imap_parse_search_return(s, opts) &&
	       imap_parse_search_program(s, false, opts);
}

static bool parse_sort_criterion(struct imap_scan *s, struct imap_sort_criterion *c)
{
	const char *name;
	size_t n;

	if (scan_keyword(s, "REVERSE")) {
		c->reverse = true;
		if (!scan_sp(s))
			return false;
	}
	if (!scan_label(s, &name, &n))
		return false;
	for (unsigned k = IMAP_SORT_ARRIVAL; k <= IMAP_SORT_DISPLAYTO; k++) {
		if (str_eq_ci_n(name, n, imap_sort_key_name((enum imap_sort_key)k))) {
			c->key = (enum imap_sort_key)k;
			return true;
		}
	}
	return scan_fail(s, "Unknown sort key");
}

/* SORT [RETURN (...)] SP "(" sort-criterion *(SP sort-criterion) ")" SP
 * charset 1*(SP search-key) */
bool imap_cmd_parse_sort(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_sort *so = &cmd->u.sort;
	struct imap_sort_criterion *crit = NULL;
	size_t cap = 0, items = 0;

	if (!scan_sp(s) || !imap_parse_search_return(s, &so->opts) || !scan_list_open(s))
		return false;
	do {
		if (so->criteria_count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		crit = scan_grow(s, crit, so->criteria_count, &cap, sizeof(*crit));
		memset(&crit[so->criteria_count], 0, sizeof(*crit));
		if (!parse_sort_criterion(s, &crit[so->criteria_count]))
			return false;
		so->criteria_count++;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	so->criteria = crit;
	return scan_sp(s) && imap_parse_search_program(s, true, &so->opts);
}

/* THREAD SP thread-alg SP charset 1*(SP search-key) */
bool imap_cmd_parse_thread(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_thread *t = &cmd->u.thread;

	return scan_sp(s) && scan_atom_dup(s, &t->algorithm) && scan_sp(s) &&
	       imap_parse_search_program(s, true, &t->opts);
}
