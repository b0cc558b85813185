/* query.c — parsing hafen's search language and translating it (query.h). */
#include "query.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <stdio.h>
#include <string.h>

static __thread char errbuf[256];

static const struct {
	const char *prefix;
	enum query_kind kind;
} text_terms[] = {
	{"from:", QUERY_FROM},       {"to:", QUERY_TO},     {"cc:", QUERY_CC},
	{"subject:", QUERY_SUBJECT}, {"body:", QUERY_BODY}, {"text:", QUERY_TEXT},
	{"keyword:", QUERY_KEYWORD},
};

static const struct {
	const char *name;
	enum query_kind kind;
	unsigned flag;
} is_terms[] = {
	{"unread", QUERY_FLAG_UNSET, STORE_FLAG_SEEN},
	{"unseen", QUERY_FLAG_UNSET, STORE_FLAG_SEEN},
	{"read", QUERY_FLAG_SET, STORE_FLAG_SEEN},
	{"seen", QUERY_FLAG_SET, STORE_FLAG_SEEN},
	{"flagged", QUERY_FLAG_SET, STORE_FLAG_FLAGGED},
	{"unflagged", QUERY_FLAG_UNSET, STORE_FLAG_FLAGGED},
	{"answered", QUERY_FLAG_SET, STORE_FLAG_ANSWERED},
	{"unanswered", QUERY_FLAG_UNSET, STORE_FLAG_ANSWERED},
	{"deleted", QUERY_FLAG_SET, STORE_FLAG_DELETED},
	{"draft", QUERY_FLAG_SET, STORE_FLAG_DRAFT},
};

/* 1 to max digits at *s, nothing else (no sign, no blank); advances *s. */
static bool take_number(const char **s, size_t max, uint32_t *v_r)
{
	size_t n = strspn(*s, "0123456789");

	if (n == 0 || n > max || !str_to_u32(*s, n, v_r))
		return false;
	*s += n;
	return true;
}

/* YYYY-MM-DD: a year of up to 4 digits, a month and a day of 1 or 2. */
static int parse_date(const char *s, struct imap_date *d)
{
	uint32_t y, m, day;

	if (!take_number(&s, 4, &y) || *s++ != '-' || !take_number(&s, 2, &m) || *s++ != '-' ||
	    !take_number(&s, 2, &day) || *s != '\0')
		return -1;
	d->year = (uint16_t)y;
	d->month = (uint8_t)m;
	d->day = (uint8_t)day;
	return imap_date_is_valid(d) ? 0 : -1;
}

static int parse_size(const char *s, uint64_t *v)
{
	size_t n = strlen(s);
	uint64_t mult = 1;

	if (n > 1 && (s[n - 1] == 'k' || s[n - 1] == 'K'))
		mult = 1024;
	else if (n > 1 && (s[n - 1] == 'm' || s[n - 1] == 'M'))
		mult = 1024 * 1024;
	if (mult > 1)
		n--;
	if (!str_to_u64(s, n, UINT64_MAX / (1024 * 1024), v))
		return -1;
	*v *= mult;
	return 0;
}

static int parse_special(const char *a, struct query_term *t)
{
	if (strncmp(a, "is:", 3) == 0) {
		for (size_t i = 0; i < sizeof(is_terms) / sizeof(is_terms[0]); i++) {
			if (strcmp(a + 3, is_terms[i].name) == 0) {
				t->kind = is_terms[i].kind;
				t->flag = is_terms[i].flag;
				return 0;
			}
		}
		return -1;
	}
	if (strncmp(a, "since:", 6) == 0 || strncmp(a, "before:", 7) == 0 ||
	    strncmp(a, "on:", 3) == 0) {
		t->kind = a[0] == 's' ? QUERY_SINCE : a[0] == 'b' ? QUERY_BEFORE : QUERY_ON;
		return parse_date(strchr(a, ':') + 1, &t->date);
	}
	if (strncmp(a, "larger:", 7) == 0 || strncmp(a, "smaller:", 8) == 0) {
		t->kind = a[0] == 'l' ? QUERY_LARGER : QUERY_SMALLER;
		return parse_size(strchr(a, ':') + 1, &t->number);
	}
	return 1; /* not a special term */
}

static int parse_term(const char *a, struct query_term *t)
{
	int r;

	memset(t, 0, sizeof(*t));
	if (a[0] == '-' && a[1] != '\0') {
		t->negate = true;
		a++;
	}
	r = parse_special(a, t);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < sizeof(text_terms) / sizeof(text_terms[0]); i++) {
		size_t n = strlen(text_terms[i].prefix);

		if (strncmp(a, text_terms[i].prefix, n) == 0) {
			t->kind = text_terms[i].kind;
			t->text = a + n;
			return t->text[0] == '\0' ? -1 : 0;
		}
	}
	t->kind = QUERY_TEXT;
	t->text = a;
	return 0;
}

int query_parse(int argc, char **argv, struct query *q, const char **error_r)
{
	memset(q, 0, sizeof(*q));
	q->terms = xcalloc((size_t)argc + 1, sizeof(*q->terms));
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "folder:", 7) == 0 && argv[i][7] != '\0') {
			q->folder = argv[i] + 7;
			continue;
		}
		if (parse_term(argv[i], &q->terms[q->count]) < 0) {
			snprintf(errbuf, sizeof(errbuf), "cannot read the search term \"%s\"",
				 argv[i]);
			*error_r = errbuf;
			query_free(q);
			return -1;
		}
		q->count++;
	}
	return 0;
}

void query_free(struct query *q)
{
	xfree(&q->terms);
	q->count = 0;
}

/* ---- to IMAP ---- */

static enum imap_search_kind imap_flag_kind(unsigned flag, bool set)
{
	switch (flag) {
	case STORE_FLAG_SEEN:
		return set ? IMAP_SEARCH_SEEN : IMAP_SEARCH_UNSEEN;
	case STORE_FLAG_FLAGGED:
		return set ? IMAP_SEARCH_FLAGGED : IMAP_SEARCH_UNFLAGGED;
	case STORE_FLAG_ANSWERED:
		return set ? IMAP_SEARCH_ANSWERED : IMAP_SEARCH_UNANSWERED;
	case STORE_FLAG_DELETED:
		return set ? IMAP_SEARCH_DELETED : IMAP_SEARCH_UNDELETED;
	default:
		return set ? IMAP_SEARCH_DRAFT : IMAP_SEARCH_UNDRAFT;
	}
}

static void imap_key(const struct query_term *t, struct imap_search_key *k)
{
	static const enum imap_search_kind text_kind[] = {
		[QUERY_FROM] = IMAP_SEARCH_FROM,       [QUERY_TO] = IMAP_SEARCH_TO,
		[QUERY_CC] = IMAP_SEARCH_CC,           [QUERY_SUBJECT] = IMAP_SEARCH_SUBJECT,
		[QUERY_BODY] = IMAP_SEARCH_BODY,       [QUERY_TEXT] = IMAP_SEARCH_TEXT,
		[QUERY_KEYWORD] = IMAP_SEARCH_KEYWORD,
	};

	memset(k, 0, sizeof(*k));
	switch (t->kind) {
	case QUERY_FLAG_SET:
	case QUERY_FLAG_UNSET:
		k->kind = imap_flag_kind(t->flag, t->kind == QUERY_FLAG_SET);
		break;
	case QUERY_SINCE:
	case QUERY_BEFORE:
	case QUERY_ON:
		k->kind = t->kind == QUERY_SINCE    ? IMAP_SEARCH_SINCE
			  : t->kind == QUERY_BEFORE ? IMAP_SEARCH_BEFORE
						    : IMAP_SEARCH_ON;
		k->u.date = t->date;
		break;
	case QUERY_LARGER:
	case QUERY_SMALLER:
		k->kind = t->kind == QUERY_LARGER ? IMAP_SEARCH_LARGER : IMAP_SEARCH_SMALLER;
		k->u.number = t->number;
		break;
	default:
		k->kind = text_kind[t->kind];
		k->u.string = t->text;
		break;
	}
}

void query_to_imap(const struct query *q, struct arena *a, struct imap_search_key **keys_r,
		   size_t *count_r)
{
	struct imap_search_key *keys = arena_zalloc(a, (q->count + 1) * sizeof(*keys));

	for (size_t i = 0; i < q->count; i++) {
		if (!q->terms[i].negate) {
			imap_key(&q->terms[i], &keys[i]);
			continue;
		}
		keys[i].kind = IMAP_SEARCH_NOT;
		keys[i].u.negated = arena_zalloc(a, sizeof(*keys[i].u.negated));
		imap_key(&q->terms[i], keys[i].u.negated);
	}
	if (q->count == 0)
		keys[0].kind = IMAP_SEARCH_ALL;
	*keys_r = keys;
	*count_r = q->count ? q->count : 1;
}

/* ---- to the store ---- */

static void store_key(const struct query_term *t, struct store_search_key *k)
{
	static const enum store_search_op text_op[] = {
		[QUERY_FROM] = STORE_SEARCH_FROM,       [QUERY_TO] = STORE_SEARCH_TO,
		[QUERY_CC] = STORE_SEARCH_CC,           [QUERY_SUBJECT] = STORE_SEARCH_SUBJECT,
		[QUERY_BODY] = STORE_SEARCH_BODY,       [QUERY_TEXT] = STORE_SEARCH_TEXT,
		[QUERY_KEYWORD] = STORE_SEARCH_KEYWORD,
	};

	switch (t->kind) {
	case QUERY_FLAG_SET:
	case QUERY_FLAG_UNSET:
		k->op = t->kind == QUERY_FLAG_SET ? STORE_SEARCH_FLAGS_SET
						  : STORE_SEARCH_FLAGS_UNSET;
		k->flags = t->flag;
		break;
	case QUERY_SINCE:
	case QUERY_BEFORE:
	case QUERY_ON:
		k->op = t->kind == QUERY_SINCE    ? STORE_SEARCH_SINCE
			: t->kind == QUERY_BEFORE ? STORE_SEARCH_BEFORE
						  : STORE_SEARCH_ON;
		k->num = imap_date_to_days(&t->date);
		break;
	case QUERY_LARGER:
	case QUERY_SMALLER:
		k->op = t->kind == QUERY_LARGER ? STORE_SEARCH_LARGER : STORE_SEARCH_SMALLER;
		k->num = (int64_t)t->number;
		break;
	default:
		k->op = text_op[t->kind];
		k->str = t->text;
		break;
	}
}

struct store_search_key *query_to_store(const struct query *q, struct arena *a)
{
	struct store_search_key *all = arena_zalloc(a, sizeof(*all)), *prev = NULL;

	all->op = STORE_SEARCH_AND;
	for (size_t i = 0; i < q->count; i++) {
		struct store_search_key *k = arena_zalloc(a, sizeof(*k));

		store_key(&q->terms[i], k);
		if (q->terms[i].negate) {
			/* Not named "not": cppcheck reads "= not;" as the C++
			 * operator and then fails on every other alternative
			 * token, such as the "and" member in imap-search.h. */
			struct store_search_key *neg = arena_zalloc(a, sizeof(*neg));

			neg->op = STORE_SEARCH_NOT;
			neg->child = k;
			k = neg;
		}
		if (prev == NULL)
			all->child = k;
		else
			prev->next = k;
		prev = k;
	}
	if (all->child == NULL)
		all->op = STORE_SEARCH_ALL;
	return all;
}
