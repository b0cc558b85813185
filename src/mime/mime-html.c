/* mime-html.c — crude HTML to text for search and preview: tags dropped
 * (script and style with their content), block tags as line breaks,
 * character references decoded. Not a renderer; one linear pass. */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

static void utf8_put(struct buf *out, uint32_t cp)
{
	unsigned char b[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		buf_append_str(out, MIME_UTF8_REPLACEMENT);
	} else if (cp < 0x80) {
		buf_append_byte(out, (unsigned char)cp);
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 3);
	} else {
		b[0] = (unsigned char)(0xf0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 4);
	}
}

/* Decode the character reference at s[pos] == '&'; returns the bytes
 * consumed, 0 when it is none (the '&' is then plain text). */
static size_t entity(const unsigned char *s, size_t len, size_t pos, struct buf *out)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} names[] = {{"amp", '&'},     {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
		     {"apos", '\''},   {"nbsp", ' '},     {"copy", 0xa9},    {"reg", 0xae},
		     {"euro", 0x20ac}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}};
	size_t i = pos + 1, end;

	if (i < len && s[i] == '#') {
		uint32_t cp = 0;
		bool hex = i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X');
		size_t digits = 0;

		for (i += 1 + hex; i < len && digits < 8; i++, digits++) {
			int d = ascii_isdigit(s[i]) ? s[i] - '0'
				: hex && ascii_tolower(s[i]) >= 'a' && ascii_tolower(s[i]) <= 'f'
					? ascii_tolower(s[i]) - 'a' + 10
					: -1;

			if (d < 0)
				break;
			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (digits == 0)
			return 0;
		utf8_put(out, cp);
		return i - pos + (i < len && s[i] == ';');
	}
	for (end = i; end < len && end - i < 8 && ascii_isalpha(s[end]); end++)
		;
	if (end >= len || s[end] != ';')
		return 0;
	for (size_t k = 0; k < HF_N_ELEMENTS(names); k++)
		if (str_eq_ci_n((const char *)s + i, end - i, names[k].name)) {
			utf8_put(out, names[k].cp);
			return end + 1 - pos;
		}
	return 0;
}

static bool is_block_tag(const unsigned char *name, size_t len)
{
	static const char *const blocks[] = {"p",  "br", "div", "tr", "li",    "h1",         "h2",
					     "h3", "h4", "h5",  "h6", "table", "blockquote", "hr"};

	for (size_t i = 0; i < HF_N_ELEMENTS(blocks); i++)
		if (str_eq_ci_n((const char *)name, len, blocks[i]))
			return true;
	return false;
}

/* Skip the tag at s[pos] == '<'; returns the position after it. */
static size_t tag(const unsigned char *s, size_t len, size_t pos, struct buf *out)
{
	size_t i = pos + 1, name, name_len;
	bool closing = i < len && s[i] == '/';
	const unsigned char *gt;
	const char *close;

	if (len - i >= 3 && memcmp(s + i, "!--", 3) == 0) {
		const void *e = mem_find(s + i + 3, len - i - 3, "-->", 3);

		return e != NULL ? (size_t)((const unsigned char *)e - s) + 3 : len;
	}
	if (i < len && s[i] == '/')
		i++;
	for (name = i; i < len && (ascii_isalpha(s[i]) || ascii_isdigit(s[i])); i++)
		;
	name_len = i - name;
	gt = memchr(s + i, '>', len - i);
	i = gt != NULL ? (size_t)(gt - s) + 1 : len;
	if (is_block_tag(s + name, name_len))
		buf_append_byte(out, '\n');
	if (!closing && (str_eq_ci_n((const char *)s + name, name_len, "script") ||
			 str_eq_ci_n((const char *)s + name, name_len, "style"))) {
		close = str_find_ci((const char *)s + i, len - i,
				    name_len == 6 ? "</script" : "</style", name_len + 2);
		if (close == NULL)
			return len;
		gt = memchr(close, '>', len - (size_t)((const unsigned char *)close - s));
		return gt != NULL ? (size_t)(gt - s) + 1 : len;
	}
	return i;
}

void mime_html_to_text(const void *html, size_t len, struct buf *out)
{
	const unsigned char *s = html;
	size_t pos = 0;

	while (pos < len) {
		size_t start = pos, n;

		while (pos < len && s[pos] != '<' && s[pos] != '&')
			pos++;
		buf_append(out, s + start, pos - start);
		if (pos >= len)
			break;
		if (s[pos] == '<') {
			pos = tag(s, len, pos, out);
		} else if ((n = entity(s, len, pos, out)) > 0) {
			pos += n;
		} else {
			buf_append_byte(out, '&');
			pos++;
		}
	}
}
