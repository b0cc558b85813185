/* mime-param.c — Content-Type and Content-Disposition values: type, subtype
 * and parameters, with RFC 2231 continuations joined.
 *
 * Tolerant on purpose: real mail sends unquoted values with spaces
 * ("name=my file.pdf"), comments after values, missing semicolons. What
 * cannot be understood is skipped up to the next ';'.
 */
#include "mime-private.h"

#include "lib/str.h"

#include <stdlib.h>
#include <string.h>

/* RFC 2045 5.1 tspecials; a token is any CHAR but SPACE, CTLs, tspecials. */
static bool is_token_char(unsigned char c)
{
	if (c <= 32 || c >= 127)
		return false;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

void mime_skip_comment(const unsigned char *s, size_t len, size_t *pos)
{
	size_t i = *pos + 1;
	unsigned depth = 1;

	/* Nesting is counted, not recursed into: hostile "((((((" costs O(n). */
	while (i < len && depth > 0) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		i++;
	}
	*pos = i;
}

static void skip_cfws(const unsigned char *s, size_t len, size_t *pos)
{
	while (*pos < len) {
		if (ascii_isspace(s[*pos]))
			(*pos)++;
		else if (s[*pos] == '(')
			mime_skip_comment(s, len, pos);
		else
			break;
	}
}

static const char *token_lower(struct arena *a, const unsigned char *s, size_t len, size_t *pos)
{
	size_t start = *pos;
	char *t;

	while (*pos < len && is_token_char(s[*pos]))
		(*pos)++;
	if (*pos == start)
		return NULL;
	t = arena_strndup(a, (const char *)s + start, *pos - start);
	str_lower_inplace(t);
	return t;
}

/* A parameter as written, before RFC 2231 joining. */
struct raw_param {
	const char *base; /* name without the "*N" / "*" suffix */
	int section;      /* -1 when the name has no "*N" */
	bool extended;    /* trailing '*': charset'lang'%XX encoding */
	uint32_t order;
	const char *value;
	size_t value_len;
	const char *full; /* the name as written (lowercase) */
};

static const char *parse_value(struct arena *a, const unsigned char *s, size_t len, size_t *pos,
			       size_t *len_r)
{
	struct buf b = BUF_INIT;
	const char *v;

	if (*pos < len && s[*pos] == '"') {
		for ((*pos)++; *pos < len && s[*pos] != '"'; (*pos)++) {
			if (s[*pos] == '\\' && *pos + 1 < len)
				(*pos)++;
			/* Folding inside a quoted string is removed. */
			if (s[*pos] == '\r' || s[*pos] == '\n')
				continue;
			buf_append_byte(&b, s[*pos]);
		}
		if (*pos < len)
			(*pos)++;
	} else {
		size_t start = *pos, end;

		while (*pos < len && s[*pos] != ';' && s[*pos] != '(')
			(*pos)++;
		end = *pos;
		while (end > start && ascii_isspace(s[end - 1]))
			end--;
		for (size_t i = start; i < end; i++)
			if (s[i] != '\r' && s[i] != '\n')
				buf_append_byte(&b, s[i]);
	}
	v = arena_strndup(a, b.data != NULL ? (const char *)b.data : "", b.len);
	*len_r = b.len;
	buf_free(&b);
	return v;
}

/* Split "name*12*" into base, section and extended flag. */
static void split_name(struct arena *a, const char *name, struct raw_param *p)
{
	size_t len = strlen(name), star = len;
	const char *digits;

	p->full = name;
	p->section = -1;
	p->extended = false;
	if (len > 0 && name[len - 1] == '*') {
		p->extended = true;
		len--;
	}
	for (size_t i = 0; i < len; i++)
		if (name[i] == '*') {
			star = i;
			break;
		}
	if (star < len) {
		uint32_t n;

		digits = name + star + 1;
		/* No leading zeros (RFC 2231 3), and a sane bound. */
		if (!str_to_u32(digits, len - star - 1, &n) || n > 999 ||
		    (digits[0] == '0' && len - star - 1 > 1)) {
			/* Not a section: the name is taken literally. */
			p->base = name;
			p->extended = false;
			return;
		}
		p->section = (int)n;
		len = star;
	}
	p->base = arena_strndup(a, name, len);
}

static size_t parse_raw_params(struct arena *a, const unsigned char *s, size_t len, size_t pos,
			       uint32_t max, struct raw_param *out)
{
	size_t n = 0;

	while (pos < len && n < max) {
		const char *name;

		while (pos < len && s[pos] != ';')
			pos++;
		if (pos >= len)
			break;
		pos++;
		skip_cfws(s, len, &pos);
		name = token_lower(a, s, len, &pos);
		skip_cfws(s, len, &pos);
		if (name == NULL || pos >= len || s[pos] != '=')
			continue;
		pos++;
		skip_cfws(s, len, &pos);
		out[n].order = (uint32_t)n;
		out[n].value = parse_value(a, s, len, &pos, &out[n].value_len);
		split_name(a, name, &out[n]);
		n++;
	}
	return n;
}

static int raw_param_cmp(const void *x, const void *y)
{
	const struct raw_param *p = x, *q = y;
	int c = strcmp(p->base, q->base);

	if (c != 0)
		return c;
	if ((p->section >= 0) != (q->section >= 0))
		return p->section >= 0 ? 1 : -1;
	if (p->section != q->section)
		return p->section < q->section ? -1 : 1;
	return p->order < q->order ? -1 : (p->order > q->order);
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)ascii_tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Append a section's value to a joined value: percent-encode a plain
 * section joining an encoded value, percent-decode an encoded section
 * joining a plain one (RFC 2231 4.1: later sections carry no charset). */
static void join_section(struct buf *b, const struct raw_param *p, bool joined_extended)
{
	const unsigned char *v = (const unsigned char *)p->value;

	for (size_t i = 0; i < p->value_len; i++) {
		unsigned char c = v[i];

		if (joined_extended && !p->extended &&
		    (!is_token_char(c) || c == '%' || c == '*' || c == '\'')) {
			buf_printf(b, "%%%02X", c);
		} else if (!joined_extended && p->extended && c == '%' && i + 2 < p->value_len &&
			   hex_value(v[i + 1]) >= 0 && hex_value(v[i + 2]) >= 0) {
			buf_append_byte(
				b, (unsigned char)(hex_value(v[i + 1]) * 16 + hex_value(v[i + 2])));
			i += 2;
		} else {
			buf_append_byte(b, c);
		}
	}
}

/* Join the sections group[0..n) (sorted, all with section >= 0). */
static void join_sections(struct arena *a, const struct raw_param *group, size_t n,
			  struct mime_param *out)
{
	struct buf b = BUF_INIT;
	bool ext = group[0].extended;
	int want = 0;

	for (size_t i = 0; i < n; i++) {
		if (group[i].section < want)
			continue; /* a repeated section: the first one counts */
		if (group[i].section > want)
			break; /* a gap ends the value */
		join_section(&b, &group[i], ext);
		want++;
	}
	out->name = ext ? arena_printf(a, "%s*", group[0].base) : group[0].base;
	out->value = arena_strndup(a, b.data != NULL ? (const char *)b.data : "", b.len);
	out->value_len = b.len;
	buf_free(&b);
}

struct joined {
	struct mime_param param;
	uint32_t order;
};

static int joined_cmp(const void *x, const void *y)
{
	const struct joined *p = x, *q = y;

	return p->order < q->order ? -1 : (p->order > q->order);
}

/* RFC 2231 3-4: gather the sections of each name, in name order of first
 * appearance. Sorting keeps this O(n log n) whatever the input. */
static uint32_t join_params(struct arena *a, struct raw_param *raw, size_t n,
			    struct mime_param **params_r)
{
	struct joined *j = arena_alloc(a, sizeof(*j) * (n + 1));
	struct mime_param *params;
	size_t count = 0, i = 0;

	qsort(raw, n, sizeof(*raw), raw_param_cmp);
	while (i < n) {
		size_t k = i;

		if (raw[i].section < 0) {
			j[count].param.name = raw[i].extended ? raw[i].full : raw[i].base;
			j[count].param.value = raw[i].value;
			j[count].param.value_len = raw[i].value_len;
			j[count++].order = raw[i].order;
			i++;
			continue;
		}
		while (k < n && raw[k].section >= 0 && strcmp(raw[k].base, raw[i].base) == 0)
			k++;
		if (raw[i].section == 0) {
			uint32_t order = raw[i].order;

			for (size_t m = i; m < k; m++)
				order = raw[m].order < order ? raw[m].order : order;
			join_sections(a, raw + i, k - i, &j[count].param);
			j[count++].order = order;
		}
		i = k;
	}
	qsort(j, count, sizeof(*j), joined_cmp);
	params = arena_alloc(a, sizeof(*params) * (count + 1));
	for (i = 0; i < count; i++)
		params[i] = j[i].param;
	*params_r = params;
	return (uint32_t)count;
}

void mime_ctype_parse(struct arena *a, const unsigned char *s, size_t len, bool want_subtype,
		      uint32_t max_params, struct mime_ctype *r)
{
	struct raw_param *raw;
	size_t pos = 0, n;

	memset(r, 0, sizeof(*r));
	skip_cfws(s, len, &pos);
	r->type = token_lower(a, s, len, &pos);
	skip_cfws(s, len, &pos);
	if (want_subtype) {
		if (pos < len && s[pos] == '/') {
			pos++;
			skip_cfws(s, len, &pos);
			r->subtype = token_lower(a, s, len, &pos);
		}
		r->valid = r->type != NULL && r->subtype != NULL;
	} else {
		r->valid = r->type != NULL;
	}
	if (!r->valid || max_params == 0)
		return;
	/* Each parameter needs a ';', which bounds the array by the input. */
	n = 0;
	for (size_t i = pos; i < len && n < max_params; i++)
		n += s[i] == ';';
	if (n == 0)
		return;
	raw = arena_alloc(a, sizeof(*raw) * n);
	n = parse_raw_params(a, s, len, pos, (uint32_t)n, raw);
	if (n > 0)
		r->param_count = join_params(a, raw, n, &r->params);
}
