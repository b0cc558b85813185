/* mime-encword.c — header values decoded to UTF-8: unfolding and RFC 2047
 * encoded words ("=?charset?B?...?=" and "=?charset?Q?...?=").
 *
 * Tolerant like the mail readers people use: encoded words need not be
 * separated from surrounding text, and adjacent words in the same charset
 * are joined before conversion, so a multibyte character split across two
 * words (a common defect of B encoders) still decodes. Encoded text holds
 * no whitespace (RFC 2047 2), which bounds every candidate word.
 */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

#define ENCWORD_CHARSET_MAX 40

struct encword {
	char charset[ENCWORD_CHARSET_MAX + 1];
	char enc; /* 'b' or 'q' */
	size_t text, text_len;
	size_t end; /* after "?=" */
};

/* Where the search for the end of encoded text last stopped: the first
 * "?=" or whitespace at or after `from` is at `pos`. Candidates arrive in
 * increasing order, so reusing this keeps the scan linear. */
struct scan_cache {
	size_t from, pos;
	bool valid;
};

static bool is_space_or_ctl(unsigned char c)
{
	return c <= 32 || c == 127;
}

static size_t find_text_end(const unsigned char *s, size_t n, size_t t, struct scan_cache *c)
{
	size_t i;

	if (c->valid && t >= c->from && t <= c->pos)
		return c->pos;
	i = t;
	if (c->valid && t < c->from && c->from <= c->pos) {
		/* Only [t, from) is new. */
		for (; i < c->from; i++)
			if (is_space_or_ctl(s[i]) || (s[i] == '?' && i + 1 < n && s[i + 1] == '='))
				break;
		if (i == c->from)
			i = c->pos;
	} else {
		for (; i < n; i++)
			if (is_space_or_ctl(s[i]) || (s[i] == '?' && i + 1 < n && s[i + 1] == '='))
				break;
	}
	c->from = t;
	c->pos = i;
	c->valid = true;
	return i;
}

static bool encword_parse(const unsigned char *s, size_t n, size_t i, struct scan_cache *cache,
			  struct encword *w)
{
	size_t p = i + 2, cs_len = 0, end;

	while (p < n && s[p] != '?' && !is_space_or_ctl(s[p]) && cs_len < ENCWORD_CHARSET_MAX)
		w->charset[cs_len++] = (char)s[p++];
	if (p + 2 >= n || s[p] != '?' || cs_len == 0 || s[p + 2] != '?')
		return false;
	w->charset[cs_len] = '\0';
	/* RFC 2231 5: "charset*language" */
	if (strchr(w->charset, '*') != NULL)
		*strchr(w->charset, '*') = '\0';
	w->enc = (char)ascii_tolower(s[p + 1]);
	if (w->enc != 'b' && w->enc != 'q')
		return false;
	w->text = p + 3;
	end = find_text_end(s, n, w->text, cache);
	if (end >= n || s[end] != '?')
		return false;
	w->text_len = end - w->text;
	w->end = end + 2;
	return true;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)ascii_tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 2047 4.2: "_" is space, "=XX" a byte. */
static void q_decode(const unsigned char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '_') {
			buf_append_byte(out, ' ');
		} else if (s[i] == '=' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			buf_append_byte(out,
					(unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else {
			buf_append_byte(out, s[i]);
		}
	}
}

struct decoder {
	struct buf *out;
	struct buf pending; /* decoded bytes of adjacent words, not converted yet */
	struct buf tmp;
	char charset[ENCWORD_CHARSET_MAX + 1];
};

static void flush_pending(struct decoder *d)
{
	if (d->pending.len == 0)
		return;
	buf_reset(&d->tmp);
	mime_charset_to_utf8(d->charset, d->pending.data, d->pending.len, &d->tmp);
	mime_utf8_sanitize(d->tmp.data, d->tmp.len, true, d->out);
	buf_reset(&d->pending);
}

static void add_word(struct decoder *d, const unsigned char *s, const struct encword *w)
{
	const char *err;

	if (d->pending.len > 0 && str_casecmp(d->charset, w->charset) != 0)
		flush_pending(d);
	memcpy(d->charset, w->charset, sizeof(d->charset));
	if (w->enc == 'b')
		(void)mime_decode_transfer(MIME_CTE_BASE64, s + w->text, w->text_len, &d->pending,
					   &err);
	else
		q_decode(s + w->text, w->text_len, &d->pending);
}

static bool all_space(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static void decode_unfolded(struct decoder *d, const unsigned char *s, size_t n)
{
	struct scan_cache cache = {0};
	bool after_word = false;
	size_t i = 0;

	while (i < n) {
		struct encword w;
		const unsigned char *q;
		size_t j;

		if (s[i] == '=' && i + 1 < n && s[i + 1] == '?' &&
		    encword_parse(s, n, i, &cache, &w)) {
			add_word(d, s, &w);
			i = w.end;
			after_word = true;
			continue;
		}
		/* Plain text up to the next "=?" that starts a word. */
		q = i + 1 < n ? mem_find(s + i + 1, n - i - 1, "=?", 2) : NULL;
		j = q != NULL ? (size_t)(q - s) : n;
		/* RFC 2047 6.2: whitespace between two encoded words is dropped. */
		if (after_word && q != NULL && all_space(s + i, j - i) &&
		    encword_parse(s, n, j, &cache, &w)) {
			i = j;
			continue;
		}
		flush_pending(d);
		mime_utf8_sanitize(s + i, j - i, true, d->out);
		after_word = false;
		i = j;
	}
	flush_pending(d);
}

void mime_header_decode(const void *value, size_t len, struct buf *out)
{
	struct decoder d = {.out = out};
	struct buf unfolded = BUF_INIT;

	mime_value_unfold(value, len, &unfolded);
	/* Tabs left by unfolding read as spaces. */
	for (size_t i = 0; i < unfolded.len; i++)
		if (unfolded.data[i] == '\t')
			unfolded.data[i] = ' ';
	decode_unfolded(&d, unfolded.data, unfolded.len);
	buf_free(&unfolded);
	buf_free(&d.pending);
	buf_free(&d.tmp);
}
