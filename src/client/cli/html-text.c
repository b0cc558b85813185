/* html-text.c — HTML to terminal text (html-text.h). A tag scanner, not
 * a parser: unbalanced or broken markup only affects layout. */
#include "html-text.h"

#include "lib/str.h"

#include <string.h>

struct html_state {
	struct buf *out;
	int skip_depth;     /* inside <script>/<style>/<head> */
	bool space_pending; /* collapse runs of whitespace */
	int newlines;       /* line breaks at the end of out */
	bool pre;           /* inside <pre>: keep whitespace */
	struct buf href;    /* the link being read */
	size_t link_start;
};

static void put_utf8(struct buf *out, uint32_t cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_append_byte(out, (unsigned char)cp);
	} else if (cp < 0x800) {
		buf_append_byte(out, (unsigned char)(0xc0 | (cp >> 6)));
		buf_append_byte(out, (unsigned char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_append_byte(out, (unsigned char)(0xe0 | (cp >> 12)));
		buf_append_byte(out, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_append_byte(out, (unsigned char)(0x80 | (cp & 0x3f)));
	} else {
		buf_append_byte(out, (unsigned char)(0xf0 | (cp >> 18)));
		buf_append_byte(out, (unsigned char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_append_byte(out, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_append_byte(out, (unsigned char)(0x80 | (cp & 0x3f)));
	}
}

static void emit_text(struct html_state *st, const char *p, size_t n)
{
	if (st->skip_depth > 0 || n == 0)
		return;
	if (st->space_pending && st->newlines == 0 && st->out->len > 0)
		buf_append_byte(st->out, ' ');
	st->space_pending = false;
	buf_append(st->out, p, n);
	st->newlines = 0;
}

static void emit_newlines(struct html_state *st, int want)
{
	if (st->skip_depth > 0 || st->out->len == 0)
		return;
	while (st->newlines < want) {
		buf_append_byte(st->out, '\n');
		st->newlines++;
	}
	st->space_pending = false;
}

static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
	{"apos", '\''},     {"nbsp", 0xa0},    {"copy", 0xa9},    {"reg", 0xae},
	{"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018},
	{"rsquo", 0x2019},  {"ldquo", 0x201c}, {"rdquo", 0x201d}, {"euro", 0x20ac},
	{"bull", 0x2022},   {"middot", 0xb7},  {"laquo", 0xab},   {"raquo", 0xbb},
	{"trade", 0x2122},  {"shy", 0xad},
};

/* p points after '&'; returns bytes consumed after '&' (0: not a reference). */
static size_t entity(const char *p, size_t n, uint32_t *cp_r)
{
	size_t i = 0;
	uint64_t v = 0;

	if (n > 1 && p[0] == '#') {
		bool hex = n > 2 && (p[1] == 'x' || p[1] == 'X');

		for (i = hex ? 2 : 1; i < n; i++) {
			int c = (unsigned char)p[i], d;

			if (ascii_isdigit(c))
				d = c - '0';
			else if (hex && ascii_isalpha(c) && ascii_tolower(c) <= 'f')
				d = ascii_tolower(c) - 'a' + 10;
			else
				break;
			/* Every digit is read; the value saturates past U+10FFFF. */
			if (v <= 0x10ffff)
				v = v * (hex ? 16 : 10) + (uint64_t)d;
		}
		if (i == (hex ? 2u : 1u))
			return 0;
		*cp_r = v > 0x10ffff ? 0xfffd : (uint32_t)v;
		return i < n && p[i] == ';' ? i + 1 : i;
	}
	for (size_t e = 0; e < sizeof(entities) / sizeof(entities[0]); e++) {
		size_t len = strlen(entities[e].name);

		if (len < n && strncmp(p, entities[e].name, len) == 0 && p[len] == ';') {
			*cp_r = entities[e].cp;
			return len + 1;
		}
	}
	return 0;
}

static void text_run(struct html_state *st, const char *p, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		uint32_t cp;
		size_t used;

		if (!st->pre && ascii_isspace(c)) {
			emit_text(st, p + start, i - start);
			st->space_pending = true;
			start = i + 1;
		} else if (st->pre && c == '\n') {
			emit_text(st, p + start, i - start);
			buf_append_byte(st->out, '\n');
			st->newlines++;
			start = i + 1;
		} else if (c == '&' && (used = entity(p + i + 1, n - i - 1, &cp)) > 0) {
			struct buf tmp = BUF_INIT;

			emit_text(st, p + start, i - start);
			put_utf8(&tmp, cp == 0xa0 ? ' ' : cp);
			emit_text(st, (const char *)tmp.data, tmp.len);
			buf_free(&tmp);
			i += used;
			start = i + 1;
		}
	}
	emit_text(st, p + start, n - start);
}

static bool tag_is(const char *name, size_t len, const char *want)
{
	return str_eq_ci_n(name, len, want);
}

/* The value of attribute attr in a tag's text, into out. */
static void tag_attr(const char *tag, size_t n, const char *attr, struct buf *out)
{
	const char *hit = str_find_ci(tag, n, attr, strlen(attr));
	const char *p, *end = tag + n;
	char quote = 0;

	buf_reset(out);
	if (hit == NULL)
		return;
	p = hit + strlen(attr);
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '=')
		return;
	p++;
	while (p < end && *p == ' ')
		p++;
	if (p < end && (*p == '"' || *p == '\''))
		quote = *p++;
	while (p < end && (quote ? *p != quote : (*p != ' ' && *p != '>')))
		buf_append_byte(out, (unsigned char)*p++);
}

static void handle_tag(struct html_state *st, const char *tag, size_t n)
{
	bool closing = n > 0 && tag[0] == '/';
	const char *name = closing ? tag + 1 : tag;
	size_t len = 0;

	while (name + len < tag + n && (ascii_isalpha(name[len]) || ascii_isdigit(name[len])))
		len++;
	if (tag_is(name, len, "script") || tag_is(name, len, "style") ||
	    tag_is(name, len, "head") || tag_is(name, len, "title")) {
		st->skip_depth += closing ? (st->skip_depth > 0 ? -1 : 0) : 1;
	} else if (tag_is(name, len, "br")) {
		buf_append_byte(st->out, '\n');
		st->newlines++;
		st->space_pending = false;
	} else if (tag_is(name, len, "p") || tag_is(name, len, "table") ||
		   tag_is(name, len, "blockquote") ||
		   (len == 2 && ascii_tolower(name[0]) == 'h' && ascii_isdigit(name[1]))) {
		emit_newlines(st, 2);
	} else if (tag_is(name, len, "div") || tag_is(name, len, "tr") || tag_is(name, len, "ul") ||
		   tag_is(name, len, "ol")) {
		emit_newlines(st, 1);
	} else if (tag_is(name, len, "li") && !closing) {
		emit_newlines(st, 1);
		emit_text(st, "* ", 2);
	} else if (tag_is(name, len, "pre")) {
		st->pre = !closing;
		emit_newlines(st, 1);
	} else if (tag_is(name, len, "a") && !closing) {
		tag_attr(tag, n, "href", &st->href);
		st->link_start = st->out->len;
	} else if (tag_is(name, len, "a") && closing && st->href.len > 0) {
		/* Show where a link goes unless its text already says it. */
		bool said = st->out->len > st->link_start &&
			    mem_find(st->out->data + st->link_start, st->out->len - st->link_start,
				     st->href.data, st->href.len) != NULL;

		if (!said && strncmp(buf_cstr(&st->href), "mailto:", 7) != 0) {
			emit_text(st, " <", 2);
			emit_text(st, (char *)st->href.data, st->href.len);
			emit_text(st, ">", 1);
		}
		buf_reset(&st->href);
	} else if (tag_is(name, len, "td") && !closing) {
		st->space_pending = true;
	}
}

void html_to_text(const char *html, size_t len, struct buf *out)
{
	struct html_state st = {out, 0, false, 1, false, BUF_INIT, 0};
	size_t i = 0, start = 0;

	while (i < len) {
		if (html[i] != '<') {
			i++;
			continue;
		}
		text_run(&st, html + start, i - start);
		if (len - i >= 4 && memcmp(html + i, "<!--", 4) == 0) {
			const char *end = mem_find(html + i + 4, len - i - 4, "-->", 3);

			i = end ? (size_t)(end - html) + 3 : len;
		} else {
			const char *end = memchr(html + i, '>', len - i);
			size_t tag_end = end ? (size_t)(end - html) : len;

			handle_tag(&st, html + i + 1, tag_end - i - 1);
			i = tag_end + 1;
		}
		start = i;
	}
	if (start < len)
		text_run(&st, html + start, len - start);
	while (out->len > 0 && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
		out->len--;
	buf_append_byte(out, '\n');
	buf_free(&st.href);
}
