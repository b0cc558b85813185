/* mime-address.c — RFC 5322 3.4 address lists (with the obsolete forms of
 * section 4.4) as ENVELOPE wants them: groups, display names, quoted local
 * parts, routes, comments standing in for a missing display name.
 *
 * A value is first cut into tokens, then read with a forgiving grammar:
 * whatever cannot be an address is skipped up to the next ','.
 */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

/* Tokens read from one address field. A list longer than this (some
 * 20 000 addresses) is cut there, which bounds the memory an ENVELOPE of
 * a hostile header costs whatever its length. */
#define ADDRESS_MAX_TOKENS 100000

enum tok_type { TOK_ATOM, TOK_QUOTED, TOK_COMMENT, TOK_DLITERAL, TOK_SPECIAL, TOK_END };

struct token {
	enum tok_type type;
	char special;  /* TOK_SPECIAL: one of < > @ , ; : */
	const char *s; /* NUL-terminated (unescaped for quoted and comments) */
	size_t len;
};

static bool is_special(unsigned char c)
{
	return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':';
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Read a quoted string or comment body starting after its opening
 * character; unescape quoted pairs, drop line breaks. */
static const char *read_delimited(struct arena *a, const unsigned char *s, size_t n, size_t *pos,
				  bool comment, size_t *len_r)
{
	struct buf b = BUF_INIT;
	unsigned depth = 1;
	const char *r;

	for (; *pos < n; (*pos)++) {
		unsigned char c = s[*pos];

		if (c == '\\' && *pos + 1 < n) {
			c = s[++*pos];
		} else if (comment && c == '(') {
			depth++;
		} else if (comment ? c == ')' && --depth == 0 : c == '"') {
			(*pos)++;
			break;
		}
		if (c != '\r' && c != '\n')
			buf_append_byte(&b, c);
	}
	r = arena_strndup(a, b.data != NULL ? (const char *)b.data : "", b.len);
	*len_r = b.len;
	buf_free(&b);
	return r;
}

/* Grow an arena array of `size`-byte elements to hold one more. */
static void *grow(struct arena *a, void *arr, size_t count, size_t *cap, size_t size)
{
	size_t ncap;

	if (count < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	arr = arena_realloc(a, arr, *cap * size, ncap * size);
	*cap = ncap;
	return arr;
}

static size_t tokenize(struct arena *a, const unsigned char *s, size_t n, struct token **toks_r)
{
	/* Grown as needed: sized by the input, a long header would cost its
	 * length times the token size up front. */
	struct token *t = NULL;
	size_t count = 0, cap = 0, pos = 0;

	while (pos < n && count < ADDRESS_MAX_TOKENS) {
		unsigned char c = s[pos];
		struct token *k;

		if (is_ws(c)) {
			pos++;
			continue;
		}
		t = grow(a, t, count, &cap, sizeof(*t));
		k = &t[count];
		memset(k, 0, sizeof(*k));
		if (c == '"' || c == '(') {
			pos++;
			k->type = c == '"' ? TOK_QUOTED : TOK_COMMENT;
			k->s = read_delimited(a, s, n, &pos, c == '(', &k->len);
		} else if (is_special(c)) {
			k->type = TOK_SPECIAL;
			k->special = (char)c;
			pos++;
		} else {
			size_t start = pos;

			if (c == '[') {
				const unsigned char *e = memchr(s + pos, ']', n - pos);

				pos = e != NULL ? (size_t)(e - s) + 1 : n;
				k->type = TOK_DLITERAL;
			} else {
				while (pos < n && !is_ws(s[pos]) && !is_special(s[pos]) &&
				       s[pos] != '"' && s[pos] != '(' && s[pos] != '[')
					pos++;
				k->type = TOK_ATOM;
			}
			k->s = arena_strndup(a, (const char *)s + start, pos - start);
			k->len = pos - start;
		}
		count++;
	}
	t = grow(a, t, count, &cap, sizeof(*t));
	t[count].type = TOK_END;
	*toks_r = t;
	return count;
}

struct addr_parser {
	struct arena *a;
	struct token *t;
	size_t i;
	struct mime_address *out;
	size_t count, cap;
	bool in_group;
};

static bool at_special(const struct addr_parser *p, char c)
{
	return p->t[p->i].type == TOK_SPECIAL && p->t[p->i].special == c;
}

static struct mime_address *emit(struct addr_parser *p)
{
	struct mime_address *a;

	p->out = grow(p->a, p->out, p->count, &p->cap, sizeof(*p->out));
	a = &p->out[p->count++];

	memset(a, 0, sizeof(*a));
	return a;
}

/* Join words with `sep` (phrases: " "; local parts and domains: ""), up to
 * a special in `stop`; comments are skipped but the last is remembered. */
static const char *join_until(struct addr_parser *p, const char *stop, const char *sep,
			      const char **comment_r)
{
	struct buf b = BUF_INIT;
	const char *r = NULL;

	for (; p->t[p->i].type != TOK_END; p->i++) {
		const struct token *k = &p->t[p->i];

		if (k->type == TOK_SPECIAL && strchr(stop, k->special) != NULL)
			break;
		if (k->type == TOK_COMMENT) {
			if (comment_r != NULL && k->len > 0)
				*comment_r = k->s;
			continue;
		}
		if (k->type == TOK_SPECIAL)
			continue; /* a stray special inside a phrase: dropped */
		if (r != NULL || b.len > 0)
			buf_append_str(&b, sep);
		buf_append(&b, k->s, k->len);
		r = "";
	}
	if (r != NULL)
		r = arena_strndup(p->a, b.data != NULL ? (const char *)b.data : "", b.len);
	buf_free(&b);
	return r;
}

static void skip_to_comma(struct addr_parser *p)
{
	/* ';' ends a group, and outside one it is the separator people type
	 * in some clients: either way the next address starts after it. */
	while (p->t[p->i].type != TOK_END && !at_special(p, ',') && !at_special(p, ';'))
		p->i++;
}

/* After '<': [route ':'] local-part ['@' domain] '>' */
static void parse_angle(struct addr_parser *p, const char *name)
{
	struct mime_address *a;
	const char *route = NULL, *local, *domain = NULL;

	p->i++;
	if (at_special(p, '@')) {
		struct buf b = BUF_INIT;

		for (; p->t[p->i].type != TOK_END && !at_special(p, ':') && !at_special(p, '>');
		     p->i++) {
			const struct token *k = &p->t[p->i];

			if (k->type == TOK_SPECIAL)
				buf_append_byte(&b, (unsigned char)k->special);
			else if (k->type != TOK_COMMENT)
				buf_append(&b, k->s, k->len);
		}
		route = arena_strndup(p->a, b.data != NULL ? (const char *)b.data : "", b.len);
		buf_free(&b);
		if (at_special(p, ':'))
			p->i++;
	}
	local = join_until(p, "@>,;", "", NULL);
	if (at_special(p, '@')) {
		p->i++;
		domain = join_until(p, ">,;<", "", NULL);
	}
	if (at_special(p, '>'))
		p->i++;
	a = emit(p);
	a->name = name;
	a->route = route;
	a->mailbox = local != NULL ? local : "";
	a->host = domain != NULL ? domain : "";
}

static void parse_one(struct addr_parser *p)
{
	size_t start = p->i;
	const char *comment = NULL, *phrase = join_until(p, "<@,;:", " ", &comment);
	struct mime_address *a;

	if (at_special(p, ':') && !p->in_group) {
		p->i++;
		a = emit(p);
		a->mailbox = phrase != NULL ? phrase : "";
		a->group_start = true;
		p->in_group = true;
		return;
	}
	if (at_special(p, '<')) {
		parse_angle(p, phrase != NULL && phrase[0] != '\0' ? phrase : NULL);
		if (p->out[p->count - 1].name == NULL) {
			const char *after = NULL;

			join_until(p, ",;", " ", &after);
			p->out[p->count - 1].name = after != NULL ? after : comment;
		}
	} else if (at_special(p, '@')) {
		/* addr-spec: the words were the local part, joined without
		 * spaces (obs-local-part allows CFWS around its dots). */
		p->i = start;
		a = emit(p);
		a->mailbox = join_until(p, "<@,;:", "", NULL);
		if (a->mailbox == NULL)
			a->mailbox = "";
		p->i++;
		a->host = join_until(p, ",;<", "", &comment);
		if (a->host == NULL)
			a->host = "";
		a->name = comment;
	} else if (phrase != NULL) {
		/* A bare word list with no address: keep it as the mailbox. */
		a = emit(p);
		a->mailbox = phrase;
		a->host = "";
		a->name = comment;
	}
	skip_to_comma(p);
}

size_t mime_address_list_parse(struct arena *a, const unsigned char *value, size_t len,
			       struct mime_address **addrs_r)
{
	struct addr_parser p = {.a = a};

	(void)tokenize(a, value, len, &p.t);
	while (p.t[p.i].type != TOK_END) {
		if (at_special(&p, ',')) {
			p.i++;
		} else if (at_special(&p, ';')) {
			p.i++;
			if (p.in_group) {
				emit(&p)->group_end = true;
				p.in_group = false;
			}
		} else {
			size_t before = p.i;

			parse_one(&p);
			if (p.i == before)
				p.i++; /* a stray special, e.g. '>' or a second ':' */
		}
	}
	if (p.in_group)
		emit(&p)->group_end = true;
	*addrs_r = p.out;
	return p.count;
}
