/* search-query.c — a parsed IMAP search program becomes the store's query
 * (RFC 9051 6.4.4; RFC 7162 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 8514
 * SAVED*, RFC 8474 EMAILID/THREADID, RFC 5182 "$"), with the charset
 * rules, and the query runs against the session's view. */
#include "search-private.h"
#include "imap-selected.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>

/* Children of one AND or OR node of the store query at most (see balance). */
#define FANOUT 16
/* Nesting of AND, OR and NOT the store's SQL may reach, and the SQL
 * parameters one statement may take (see reduce). */
#define SQL_MAX_NESTING 10
#define SQL_MAX_BINDS   1000

enum search_charset {
	CHARSET_UTF8,
	CHARSET_ASCII,
};

struct build {
	struct imap_session *s;
	struct search_query *q;
	enum search_charset charset;
	struct search_error *err;
};

static int fail(struct build *b, enum imap_status_cond cond, const char *code, const char *text)
{
	b->err->cond = cond;
	b->err->code = code;
	b->err->text = text;
	return -1;
}

static struct store_search_key *key_new(struct build *b, enum store_search_op op)
{
	struct store_search_key *k = arena_zalloc(b->q->arena, sizeof(*k));

	k->op = op;
	return k;
}

static struct rangeset *set_new(struct search_query *q)
{
	struct search_set *set = xcalloc(1, sizeof(*set));

	set->next = q->sets;
	q->sets = set;
	return &set->uids;
}

static struct store_search_key *uids_key(struct build *b, const struct rangeset *src)
{
	struct store_search_key *k = key_new(b, STORE_SEARCH_UIDS);
	struct rangeset *set = set_new(b->q);

	if (src != NULL)
		rangeset_copy(set, src);
	k->uids = set;
	return k;
}

/* RFC 9051 6.4.4: the strings are in the named charset. Without CHARSET,
 * IMAP4rev2 assumes UTF-8; IMAP4rev1 assumed US-ASCII, of which UTF-8 is
 * a superset, so 8-bit text from a rev1 client is taken as UTF-8 too. An
 * explicit US-ASCII with 8-bit bytes is an invalid argument: BAD. */
static int check_string(struct build *b, const char *str)
{
	size_t len = strlen(str);

	if (b->charset == CHARSET_ASCII) {
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)str[i] >= 0x80)
				return fail(b, IMAP_COND_BAD, NULL,
					    "8-bit text in a US-ASCII search (use CHARSET UTF-8)");
		return 0;
	}
	if (!utf8_valid(str, len))
		return fail(b, IMAP_COND_BAD, NULL, "Search text is not valid UTF-8");
	return 0;
}

static int pick_charset(struct build *b, const char *name)
{
	if (name == NULL || str_casecmp(name, "UTF-8") == 0)
		b->charset = CHARSET_UTF8;
	else if (b->s->enabled & IMAP_ENABLED_UTF8)
		/* RFC 9755 3: after ENABLE UTF8=ACCEPT the strings are UTF-8;
		 * another label conflicts with that. (A redundant CHARSET
		 * UTF-8 conflicts with nothing and is accepted.) */
		return fail(b, IMAP_COND_BAD, NULL,
			    "Only UTF-8 is allowed after ENABLE UTF8=ACCEPT");
	else if (str_casecmp(name, "US-ASCII") == 0)
		b->charset = CHARSET_ASCII;
	else
		return fail(b, IMAP_COND_NO, "BADCHARSET (US-ASCII UTF-8)",
			    "Supported charsets are US-ASCII and UTF-8");
	return 0;
}

static struct store_search_key *flag_key(struct build *b, bool set, unsigned flag)
{
	struct store_search_key *k =
		key_new(b, set ? STORE_SEARCH_FLAGS_SET : STORE_SEARCH_FLAGS_UNSET);

	k->flags = flag;
	return k;
}

static const struct {
	enum imap_search_kind kind;
	bool set;
	unsigned flag;
} flag_keys[] = {
	{IMAP_SEARCH_ANSWERED, true, STORE_FLAG_ANSWERED},
	{IMAP_SEARCH_DELETED, true, STORE_FLAG_DELETED},
	{IMAP_SEARCH_DRAFT, true, STORE_FLAG_DRAFT},
	{IMAP_SEARCH_FLAGGED, true, STORE_FLAG_FLAGGED},
	{IMAP_SEARCH_SEEN, true, STORE_FLAG_SEEN},
	{IMAP_SEARCH_UNANSWERED, false, STORE_FLAG_ANSWERED},
	{IMAP_SEARCH_UNDELETED, false, STORE_FLAG_DELETED},
	{IMAP_SEARCH_UNDRAFT, false, STORE_FLAG_DRAFT},
	{IMAP_SEARCH_UNFLAGGED, false, STORE_FLAG_FLAGGED},
	{IMAP_SEARCH_UNSEEN, false, STORE_FLAG_SEEN},
};

static const struct {
	enum imap_search_kind kind;
	enum store_search_op op;
} simple_ops[] = {
	{IMAP_SEARCH_BCC, STORE_SEARCH_BCC},
	{IMAP_SEARCH_BODY, STORE_SEARCH_BODY},
	{IMAP_SEARCH_CC, STORE_SEARCH_CC},
	{IMAP_SEARCH_FROM, STORE_SEARCH_FROM},
	{IMAP_SEARCH_SUBJECT, STORE_SEARCH_SUBJECT},
	{IMAP_SEARCH_TEXT, STORE_SEARCH_TEXT},
	{IMAP_SEARCH_TO, STORE_SEARCH_TO},
	{IMAP_SEARCH_KEYWORD, STORE_SEARCH_KEYWORD},
	{IMAP_SEARCH_UNKEYWORD, STORE_SEARCH_UNKEYWORD},
	{IMAP_SEARCH_EMAILID, STORE_SEARCH_EMAILID},
	{IMAP_SEARCH_THREADID, STORE_SEARCH_THREADID},
	{IMAP_SEARCH_BEFORE, STORE_SEARCH_BEFORE},
	{IMAP_SEARCH_ON, STORE_SEARCH_ON},
	{IMAP_SEARCH_SINCE, STORE_SEARCH_SINCE},
	{IMAP_SEARCH_SENTBEFORE, STORE_SEARCH_SENTBEFORE},
	{IMAP_SEARCH_SENTON, STORE_SEARCH_SENTON},
	{IMAP_SEARCH_SENTSINCE, STORE_SEARCH_SENTSINCE},
	{IMAP_SEARCH_SAVEDBEFORE, STORE_SEARCH_SAVEDBEFORE},
	{IMAP_SEARCH_SAVEDON, STORE_SEARCH_SAVEDON},
	{IMAP_SEARCH_SAVEDSINCE, STORE_SEARCH_SAVEDSINCE},
	{IMAP_SEARCH_OLDER, STORE_SEARCH_OLDER},
	{IMAP_SEARCH_YOUNGER, STORE_SEARCH_YOUNGER},
};

static int translate(struct build *b, const struct imap_search_key *ik,
		     struct store_search_key **k_r);

/* Take n keys from the list *list (linked by next) and join them with op
 * in a tree of at most FANOUT children per node; *list advances past
 * them. The store writes "a AND b AND ...", which SQLite nests a level
 * per term, and it refuses expressions nested 1000 deep or parentheses
 * about 30 deep: a flat program of 1000 keys, or a chain of 30 ORs, would
 * fail unless flattened and balanced like this. */
static struct store_search_key *balance(struct build *b, enum store_search_op op,
					struct store_search_key **list, size_t n)
{
	struct store_search_key *node, **tail;
	size_t per = 1;

	/* Not reached (every list has a term): an empty AND is all, an empty OR none. */
	if (n == 0 || *list == NULL)
		return key_new(b, op == STORE_SEARCH_OR ? STORE_SEARCH_NONE : STORE_SEARCH_ALL);
	if (n == 1) {
		node = *list;
		*list = node->next;
		node->next = NULL;
		return node;
	}
	while (per * FANOUT < n)
		per *= FANOUT;
	node = key_new(b, op);
	tail = &node->child;
	for (size_t i = 0; i < n; i += per) {
		*tail = balance(b, op, list, n - i < per ? n - i : per);
		tail = &(*tail)->next;
	}
	return node;
}

/* Translate ik onto the list at *tail; operands of nested ORs (kind OR)
 * or of nested groups (kind AND) join the list instead of nesting. The
 * recursion follows the parsed tree, whose depth the parser bounds. */
static int translate_flat(struct build *b, const struct imap_search_key *ik,
			  enum imap_search_kind kind, struct store_search_key ***tail, size_t *n)
{
	if (kind == IMAP_SEARCH_OR && ik->kind == IMAP_SEARCH_OR)
		return translate_flat(b, ik->u.either.a, kind, tail, n) < 0
			       ? -1
			       : translate_flat(b, ik->u.either.b, kind, tail, n);
	if (ik->kind == IMAP_SEARCH_AND && (kind == IMAP_SEARCH_AND || ik->u.all_of.count == 1)) {
		for (size_t i = 0; i < ik->u.all_of.count; i++)
			if (translate_flat(b, &ik->u.all_of.keys[i], kind, tail, n) < 0)
				return -1;
		return 0;
	}
	if (translate(b, ik, *tail) < 0)
		return -1;
	*tail = &(**tail)->next;
	(*n)++;
	return 0;
}

/* The UID sets among the terms of one AND (OR) become one set, their
 * intersection (union): SQLite plans a statement in time that grows with
 * the square of its inline ranges, and a client may send thousands of
 * "UID n" keys. */
static void merge_uid_terms(struct build *b, enum store_search_op op,
			    struct store_search_key **list, size_t *n)
{
	struct store_search_key *first = NULL, **pp = list;
	struct rangeset *merged = NULL;

	while (*pp != NULL) {
		struct store_search_key *k = *pp;
		struct rangeset outside = RANGESET_INIT;

		if (k->op != STORE_SEARCH_UIDS || first == NULL) {
			if (k->op == STORE_SEARCH_UIDS)
				first = k;
			pp = &k->next;
			continue;
		}
		if (merged == NULL) {
			merged = set_new(b->q);
			rangeset_copy(merged, first->uids);
			first->uids = merged;
		}
		if (op == STORE_SEARCH_OR) {
			rangeset_add_set(merged, k->uids);
		} else {
			rangeset_copy(&outside, merged);
			rangeset_subtract(&outside, k->uids);
			rangeset_subtract(merged, &outside);
			rangeset_free(&outside);
		}
		*pp = k->next;
		(*n)--;
	}
}

/* The keys of a program or a parenthesised group: all must match. */
static int translate_and(struct build *b, const struct imap_search_key *keys, size_t count,
			 struct store_search_key **k_r)
{
	struct store_search_key *list = NULL, **tail = &list;
	size_t n = 0;

	for (size_t i = 0; i < count; i++)
		if (translate_flat(b, &keys[i], IMAP_SEARCH_AND, &tail, &n) < 0)
			return -1;
	merge_uid_terms(b, STORE_SEARCH_AND, &list, &n);
	*k_r = balance(b, STORE_SEARCH_AND, &list, n);
	return 0;
}

static int translate_or(struct build *b, const struct imap_search_key *ik,
			struct store_search_key **k_r)
{
	struct store_search_key *list = NULL, **tail = &list;
	size_t n = 0;

	if (translate_flat(b, ik, IMAP_SEARCH_OR, &tail, &n) < 0)
		return -1;
	merge_uid_terms(b, STORE_SEARCH_OR, &list, &n);
	*k_r = balance(b, STORE_SEARCH_OR, &list, n);
	return 0;
}

static int translate_not(struct build *b, const struct imap_search_key *ik,
			 struct store_search_key **k_r)
{
	struct store_search_key *node = key_new(b, STORE_SEARCH_NOT);

	if (translate(b, ik->u.negated, &node->child) < 0)
		return -1;
	*k_r = node;
	return 0;
}

/* \Recent belongs to this session (RFC 3501 2.3.2): its own set. */
static struct store_search_key *recent_key(struct build *b, enum imap_search_kind kind)
{
	struct store_search_key *recent = uids_key(b, &b->s->sel->recent), *k;

	if (kind == IMAP_SEARCH_RECENT)
		return recent;
	if (kind == IMAP_SEARCH_OLD) {
		k = key_new(b, STORE_SEARCH_NOT);
		k->child = recent;
		return k;
	}
	/* NEW = RECENT UNSEEN (RFC 3501 6.4.4) */
	k = key_new(b, STORE_SEARCH_AND);
	k->child = recent;
	recent->next = flag_key(b, false, STORE_FLAG_SEEN);
	return k;
}

static int seqset_key(struct build *b, const struct imap_seqset *set, bool uid,
		      struct store_search_key **k_r)
{
	struct rangeset *uids = set_new(b->q);
	struct store_search_key *k;

	/* RFC 9051 9 (seq-number): a number above EXISTS is BAD. */
	if (imap_selected_resolve(b->s, set, uid, uids) < 0)
		return fail(b, IMAP_COND_BAD, NULL, "Message sequence number out of range");
	k = key_new(b, STORE_SEARCH_UIDS);
	k->uids = uids;
	*k_r = k;
	return 0;
}

/* RFC 7162 3.1.5: entry-name = "/flags/" attr-flag. We keep one MODSEQ
 * per message, which the RFC allows to stand for every entry. */
static int modseq_key(struct build *b, const struct imap_search_key *ik,
		      struct store_search_key **k_r)
{
	const char *entry = ik->u.modseq.entry_name;
	struct store_search_key *k;

	if (entry != NULL && (strlen(entry) <= 7 || !str_has_prefix_ci(entry, 7, "/flags/")))
		return fail(b, IMAP_COND_BAD, NULL, "Invalid MODSEQ entry name");
	b->q->has_modseq = true;
	if (ik->u.modseq.modseq > (uint64_t)INT64_MAX) {
		*k_r = key_new(b, STORE_SEARCH_NONE);
		return 0;
	}
	k = key_new(b, STORE_SEARCH_MODSEQ);
	k->num = (int64_t)ik->u.modseq.modseq;
	*k_r = k;
	return 0;
}

/* LARGER and SMALLER take number64; sizes never come near 2^63. */
static struct store_search_key *size_key(struct build *b, const struct imap_search_key *ik)
{
	bool larger = ik->kind == IMAP_SEARCH_LARGER;
	struct store_search_key *k;

	if (ik->u.number > (uint64_t)INT64_MAX)
		return key_new(b, larger ? STORE_SEARCH_NONE : STORE_SEARCH_ALL);
	k = key_new(b, larger ? STORE_SEARCH_LARGER : STORE_SEARCH_SMALLER);
	k->num = (int64_t)ik->u.number;
	return k;
}

static int string_key(struct build *b, const struct imap_search_key *ik, enum store_search_op op,
		      struct store_search_key **k_r)
{
	struct store_search_key *k = key_new(b, op);

	switch (ik->kind) {
	case IMAP_SEARCH_BEFORE ... IMAP_SEARCH_SAVEDSINCE:
		k->num = imap_date_to_days(&ik->u.date);
		break;
	case IMAP_SEARCH_OLDER:
	case IMAP_SEARCH_YOUNGER:
		k->num = (int64_t)ik->u.number;
		break;
	default:
		if (check_string(b, ik->u.string) < 0)
			return -1;
		k->str = ik->u.string;
	}
	*k_r = k;
	return 0;
}

static int translate_other(struct build *b, const struct imap_search_key *ik,
			   struct store_search_key **k_r)
{
	struct store_search_key *k;

	for (size_t i = 0; i < HF_N_ELEMENTS(flag_keys); i++) {
		if (flag_keys[i].kind == ik->kind) {
			*k_r = flag_key(b, flag_keys[i].set, flag_keys[i].flag);
			return 0;
		}
	}
	for (size_t i = 0; i < HF_N_ELEMENTS(simple_ops); i++)
		if (simple_ops[i].kind == ik->kind)
			return string_key(b, ik, simple_ops[i].op, k_r);
	switch (ik->kind) {
	case IMAP_SEARCH_HEADER:
		if (check_string(b, ik->u.header.name) < 0 ||
		    check_string(b, ik->u.header.value) < 0)
			return -1;
		k = key_new(b, STORE_SEARCH_HEADER);
		k->field = ik->u.header.name;
		k->str = ik->u.header.value;
		*k_r = k;
		return 0;
	case IMAP_SEARCH_LARGER:
	case IMAP_SEARCH_SMALLER:
		*k_r = size_key(b, ik);
		return 0;
	case IMAP_SEARCH_MODSEQ:
		return modseq_key(b, ik, k_r);
	default:
		return fail(b, IMAP_COND_BAD, NULL, "Unsupported search key");
	}
}

static int translate(struct build *b, const struct imap_search_key *ik,
		     struct store_search_key **k_r)
{
	switch (ik->kind) {
	case IMAP_SEARCH_AND:
		return translate_and(b, ik->u.all_of.keys, ik->u.all_of.count, k_r);
	case IMAP_SEARCH_OR:
		return translate_or(b, ik, k_r);
	case IMAP_SEARCH_NOT:
		return translate_not(b, ik, k_r);
	case IMAP_SEARCH_ALL:
	case IMAP_SEARCH_SAVEDATESUPPORTED: /* RFC 8514: every mailbox has save dates */
		*k_r = key_new(b, STORE_SEARCH_ALL);
		return 0;
	case IMAP_SEARCH_NEW:
	case IMAP_SEARCH_OLD:
	case IMAP_SEARCH_RECENT:
		*k_r = recent_key(b, ik->kind);
		return 0;
	case IMAP_SEARCH_SEQSET:
		return seqset_key(b, &ik->u.seqset, false, k_r);
	case IMAP_SEARCH_UID:
		return seqset_key(b, &ik->u.seqset, true, k_r);
	default:
		return translate_other(b, ik, k_r);
	}
}

int search_query_build(struct imap_session *s, const struct imap_search_options *opts,
		       struct search_query *q_r, struct search_error *err_r)
{
	struct build b = {s, q_r, CHARSET_UTF8, err_r};

	memset(q_r, 0, sizeof(*q_r));
	q_r->arena = arena_new(0);
	if (pick_charset(&b, opts->charset) < 0 ||
	    translate_and(&b, opts->keys, opts->key_count, &q_r->root) < 0) {
		search_query_free(q_r);
		return -1;
	}
	return 0;
}

void search_query_free(struct search_query *q)
{
	while (q->sets != NULL) {
		struct search_set *next = q->sets->next;

		rangeset_free(&q->sets->uids);
		free(q->sets);
		q->sets = next;
	}
	arena_free(&q->arena);
	memset(q, 0, sizeof(*q));
}

static bool is_branch(const struct store_search_key *k)
{
	return k->op == STORE_SEARCH_AND || k->op == STORE_SEARCH_OR || k->op == STORE_SEARCH_NOT;
}

/* An upper bound of the SQL parameters the store binds for a subtree: a
 * UID set of up to 16 ranges is written inline (two per range), a longer
 * one as one parameter; HEADER takes three, other keys at most one. */
static size_t binds_of(const struct store_search_key *k)
{
	size_t n = 0;

	if (is_branch(k)) {
		for (const struct store_search_key *c = k->child; c != NULL; c = c->next)
			n += binds_of(c);
		return n;
	}
	if (k->op == STORE_SEARCH_UIDS)
		return k->uids != NULL && k->uids->count <= 16 ? 2 * k->uids->count + 1 : 1;
	return k->op == STORE_SEARCH_HEADER ? 3 : 1;
}

/* Run the subtree k on its own and put the UIDs it matched in its place:
 * the same messages, taken from the same mailbox a moment before. */
static int materialize(struct imap_session *s, struct search_query *q, struct store_search_key *k)
{
	struct rangeset *uids = set_new(q);
	int ret = store_search(session_store(s), s->sel->mailbox_id, k, uids, NULL);

	if (ret != STORE_OK)
		return ret;
	k->op = STORE_SEARCH_UIDS;
	k->child = NULL;
	k->uids = uids;
	return STORE_OK;
}

/* The store writes each AND, OR and NOT as a parenthesised list. SQLite's
 * parser gives up near 30 nested parentheses (a leaf may add two), a
 * statement takes at most 32766 parameters, and planning one takes time
 * that grows with the square of its terms. A subtree nested deeper than
 * SQL_MAX_NESTING, or children holding more than SQL_MAX_BINDS parameters,
 * are run first on their own. Only programs no client writes pay for the
 * extra queries. The recursion follows the (bounded) depth of the tree. */
static int reduce(struct imap_session *s, struct search_query *q, struct store_search_key *k,
		  int *depth_r)
{
	size_t binds = 0;
	int depth = 0, ret;

	*depth_r = 2;
	if (!is_branch(k))
		return STORE_OK;
	for (struct store_search_key *c = k->child; c != NULL; c = c->next) {
		int d;

		if ((ret = reduce(s, q, c, &d)) != STORE_OK)
			return ret;
		if (d > depth)
			depth = d;
		binds += binds_of(c);
	}
	for (struct store_search_key *c = k->child; binds > SQL_MAX_BINDS && c != NULL;
	     c = c->next) {
		size_t before = binds_of(c);

		if (!is_branch(c))
			continue;
		if ((ret = materialize(s, q, c)) != STORE_OK)
			return ret;
		binds = binds - before + binds_of(c);
	}
	*depth_r = depth + 1;
	if (*depth_r <= SQL_MAX_NESTING)
		return STORE_OK;
	*depth_r = 2;
	return materialize(s, q, k);
}

int search_query_reduce(struct imap_session *s, struct search_query *q)
{
	int depth;

	return reduce(s, q, q->root, &depth);
}

int search_query_run(struct imap_session *s, struct search_query *q, struct rangeset *uids_r)
{
	struct rangeset found = RANGESET_INIT;
	int ret = search_query_reduce(s, q);

	if (ret == STORE_OK)
		ret = store_search(session_store(s), s->sel->mailbox_id, q->root, &found, NULL);

	if (ret == STORE_OK)
		uidmap_filter(&s->sel->map, &found, uids_r);
	rangeset_free(&found);
	return ret;
}

int search_highest_modseq(struct imap_session *s, const struct rangeset *uids, uint64_t *modseq_r)
{
	struct store_search_key key = {.op = STORE_SEARCH_UIDS, .uids = uids};
	struct rangeset found = RANGESET_INIT;
	int ret;

	*modseq_r = 0;
	if (rangeset_is_empty(uids))
		return STORE_OK;
	ret = store_search(session_store(s), s->sel->mailbox_id, &key, &found, modseq_r);
	rangeset_free(&found);
	return ret;
}

void search_uids_to_seqs(const struct uidmap *m, const struct rangeset *uids,
			 struct rangeset *seqs_r)
{
	size_t run = 0;

	/* Both are sorted by UID: one walk, each run revisited at most once
	 * per UID range. */
	for (size_t i = 0; i < uids->count; i++) {
		uint32_t lo = uids->r[i].lo, hi = uids->r[i].hi;

		while (run < m->nruns &&
		       (uint64_t)m->runs[run].first_uid + m->runs[run].count <= lo)
			run++;
		for (size_t j = run; j < m->nruns && m->runs[j].first_uid <= hi; j++) {
			const struct uidrun *r = &m->runs[j];
			uint32_t last = r->first_uid + r->count - 1;
			uint32_t a = lo > r->first_uid ? lo : r->first_uid;
			uint32_t z = hi < last ? hi : last;

			if (a <= z)
				rangeset_add_range(seqs_r, r->first_seq + (a - r->first_uid),
						   r->first_seq + (z - r->first_uid));
		}
	}
}

int search_check_return(const struct imap_search_options *opts, struct search_error *err_r)
{
	/* RFC 9394 3.1: PARTIAL and ALL exclude each other. */
	if ((opts->ret & IMAP_SEARCH_RETURN_PARTIAL) && (opts->ret & IMAP_SEARCH_RETURN_ALL)) {
		err_r->cond = IMAP_COND_BAD;
		err_r->code = NULL;
		err_r->text = "RETURN PARTIAL and ALL cannot be combined";
		return -1;
	}
	return 0;
}

void search_save(struct imap_session *s, const struct rangeset *uids)
{
	rangeset_clear(&s->search_saved);
	if (uids != NULL)
		rangeset_add_set(&s->search_saved, uids);
	s->search_saved_valid = true;
}

int search_sync(struct imap_session *s)
{
	/* RFC 9051 7.5.1: EXISTS and FETCH may go out any time. EXPUNGE waits
	 * for the tagged reply even in the UID forms, since their keys may
	 * still name sequence numbers the client counted before it. */
	return imap_selected_sync(s, false);
}
