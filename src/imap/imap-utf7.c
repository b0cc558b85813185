/* imap-utf7.c — strict modified UTF-7 (see imap-utf7.h and RFC 3501 section 5.1.3). */
#include "imap-utf7.h"

#include <stdint.h>

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static bool is_direct(unsigned char c)
{
	/* Printable US-ASCII other than "&" represents itself. */
	return c >= 0x20 && c <= 0x7e && c != '&';
}

static int b64value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

bool imap_utf7_needs_encoding(const char *utf8, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_direct((unsigned char)utf8[i]))
			return true;
	return false;
}

/* Decode one UTF-8 sequence at s (validity already checked by the caller's
 * loop); returns its length and the code point. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp_r)
{
	size_t len, i;
	uint32_t cp, min;

	if (s[0] < 0x80) {
		*cp_r = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_r = cp;
	return len;
}

struct b64_writer {
	struct buf *out;
	uint32_t bits;
	unsigned nbits;
};

static void b64_put16(struct b64_writer *w, uint32_t unit)
{
	w->bits = (w->bits << 16) | unit;
	w->nbits += 16;
	while (w->nbits >= 6) {
		w->nbits -= 6;
		buf_append_byte(w->out, (unsigned char)b64chars[(w->bits >> w->nbits) & 0x3f]);
	}
	w->bits &= (1u << w->nbits) - 1;
}

static void b64_flush(struct b64_writer *w)
{
	if (w->nbits > 0)
		buf_append_byte(w->out,
				(unsigned char)b64chars[(w->bits << (6 - w->nbits)) & 0x3f]);
	w->bits = 0;
	w->nbits = 0;
}

int imap_utf7_encode(const char *utf8, size_t len, struct buf *out, const char **error_r)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t start = out->len, i = 0;
	struct b64_writer w = {out, 0, 0};
	bool shifted = false;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);

		if (n == 0 || cp == 0) {
			buf_truncate(out, start);
			*error_r =
				n == 0 ? "mailbox name is not valid UTF-8" : "NUL in mailbox name";
			return -1;
		}
		i += n;
		if (cp < 0x80 && (is_direct((unsigned char)cp) || cp == '&')) {
			if (shifted) {
				b64_flush(&w);
				buf_append_byte(out, '-');
				shifted = false;
			}
			if (cp == '&')
				buf_append_str(out, "&-");
			else
				buf_append_byte(out, (unsigned char)cp);
			continue;
		}
		if (!shifted) {
			buf_append_byte(out, '&');
			shifted = true;
		}
		if (cp >= 0x10000) {
			b64_put16(&w, 0xd800 + ((cp - 0x10000) >> 10));
			b64_put16(&w, 0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else {
			b64_put16(&w, cp);
		}
	}
	if (shifted) {
		b64_flush(&w);
		buf_append_byte(out, '-');
	}
	return 0;
}

static void put_utf8(struct buf *out, uint32_t cp)
{
	unsigned char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (unsigned char)cp, n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (unsigned char)(0xc0 | (cp >> 6));
		tmp[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (unsigned char)(0xe0 | (cp >> 12));
		tmp[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		tmp[0] = (unsigned char)(0xf0 | (cp >> 18));
		tmp[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
	}
	buf_append(out, tmp, n);
}

/* One UTF-16 unit of a shifted run; *high carries a pending high surrogate. */
static const char *decode_unit(uint32_t unit, uint32_t *high, struct buf *out)
{
	if (*high != 0) {
		if (unit < 0xdc00 || unit > 0xdfff)
			return "unpaired surrogate in modified UTF-7";
		put_utf8(out, 0x10000 + ((*high - 0xd800) << 10) + (unit - 0xdc00));
		*high = 0;
		return NULL;
	}
	if (unit >= 0xd800 && unit <= 0xdbff) {
		*high = unit;
		return NULL;
	}
	if (unit >= 0xdc00 && unit <= 0xdfff)
		return "unpaired surrogate in modified UTF-7";
	if (unit == 0)
		return "NUL in mailbox name";
	if (unit < 0x80 && (is_direct((unsigned char)unit) || unit == '&'))
		return "printable ASCII must not be encoded in modified UTF-7";
	put_utf8(out, unit);
	return NULL;
}

/* Decode the shifted run starting after "&" at s[*i]; leaves *i after "-". */
static const char *decode_run(const unsigned char *s, size_t len, size_t *i, struct buf *out)
{
	uint32_t bits = 0, high = 0;
	unsigned nbits = 0;
	const char *err;

	for (; *i < len && s[*i] != '-'; (*i)++) {
		int v = b64value(s[*i]);

		if (v < 0)
			return "invalid character in modified BASE64";
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits >= 16) {
			nbits -= 16;
			if ((err = decode_unit((bits >> nbits) & 0xffff, &high, out)) != NULL)
				return err;
			bits &= (1u << nbits) - 1;
		}
	}
	if (*i == len)
		return "modified BASE64 run not terminated by \"-\"";
	(*i)++;
	/* Leftover bits are padding: fewer than six of them, all zero. */
	if (nbits >= 6 || bits != 0)
		return "bad padding in modified BASE64";
	if (high != 0)
		return "unpaired surrogate in modified UTF-7";
	return NULL;
}

int imap_utf7_decode(const char *mutf7, size_t len, struct buf *out, const char **error_r)
{
	const unsigned char *s = (const unsigned char *)mutf7;
	size_t start = out->len, i = 0;
	const char *err = NULL;
	bool after_run = false;

	while (i < len && err == NULL) {
		if (s[i] != '&') {
			if (!is_direct(s[i]))
				err = "mailbox name has a byte that must be encoded in modified "
				      "UTF-7";
			else
				buf_append_byte(out, s[i]);
			i++;
			after_run = false;
		} else if (i + 1 < len && s[i + 1] == '-') {
			buf_append_byte(out, '&');
			i += 2;
			after_run = false;
		} else if (after_run) {
			/* "-&" joining two runs is a null shift (section 5.1.3). */
			err = "adjacent modified BASE64 runs must be one run";
		} else {
			i++;
			err = decode_run(s, len, &i, out);
			after_run = true;
		}
	}
	if (err != NULL) {
		buf_truncate(out, start);
		*error_r = err;
		return -1;
	}
	return 0;
}

bool imap_utf7_is_valid(const char *mutf7, size_t len)
{
	struct buf tmp = BUF_INIT;
	const char *error;
	int ret = imap_utf7_decode(mutf7, len, &tmp, &error);

	buf_free(&tmp);
	return ret == 0;
}
