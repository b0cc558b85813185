/* mime-charset.c — any charset to UTF-8 through iconv, with the aliases
 * real mail needs and a replacement character for whatever is invalid.
 *
 * iconv_open() is slow next to a short encoded word, so each thread keeps
 * a few open converters (and failed names) in a small cache.
 */
#include "mime-private.h"

#include "lib/str.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#define CHARSET_NAME_MAX 40
#define CACHE_SIZE       8

struct cd_cache_entry {
	char name[CHARSET_NAME_MAX + 1];
	iconv_t cd; /* (iconv_t)-1: iconv does not know the name */
};

static _Thread_local struct cd_cache_entry cd_cache[CACHE_SIZE];
static _Thread_local unsigned cd_cache_next;

/* Length of the valid UTF-8 sequence at s[0..len), or 0 when invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > len)
		return 0;
	return utf8_valid(s, n) ? n : 0;
}

void mime_utf8_sanitize(const void *in, size_t len, bool nul_to_fffd, struct buf *out)
{
	const unsigned char *s = in;
	size_t i = 0;

	if (len == 0)
		return;
	buf_reserve(out, len);
	while (i < len) {
		size_t start = i, n;

		while (i < len && s[i] < 0x80 && (s[i] != 0 || !nul_to_fffd))
			i++;
		buf_append(out, s + start, i - start);
		if (i >= len)
			break;
		n = s[i] == 0 ? 0 : utf8_seq_len(s + i, len - i);
		if (n == 0) {
			buf_append_str(out, MIME_UTF8_REPLACEMENT);
			i++;
		} else {
			buf_append(out, s + i, n);
			i += n;
		}
	}
}

enum charset_kind { CS_UTF8, CS_ASCII, CS_ICONV, CS_UNKNOWN };

/* Map a declared charset to what to do with it. name_r gets the iconv
 * name (a lowercase copy of the declared name unless aliased). */
static enum charset_kind charset_classify(const char *charset, char name_r[CHARSET_NAME_MAX + 1])
{
	static const struct {
		const char *from, *to;
	} aliases[] = {
		/* What mail labelled latin1 really is (as browsers decide too). */
		{"iso-8859-1", "WINDOWS-1252"},
		{"iso8859-1", "WINDOWS-1252"},
		{"iso_8859-1", "WINDOWS-1252"},
		{"latin1", "WINDOWS-1252"},
		{"latin-1", "WINDOWS-1252"},
		{"l1", "WINDOWS-1252"},
		{"cp819", "WINDOWS-1252"},
		{"gb2312", "GB18030"},
		{"gbk", "GB18030"},
		{"x-gbk", "GB18030"},
		{"cp936", "GB18030"},
		{"euc-cn", "GB18030"},
		{"ks_c_5601-1987", "CP949"},
		{"ks_c_5601", "CP949"},
		{"euc-kr", "CP949"},
		{"iso-8859-8-i", "ISO-8859-8"},
		{"shift_jis", "CP932"},
		{"x-sjis", "CP932"},
		{"sjis", "CP932"},
		{"windows-31j", "CP932"},
		{"tis-620", "CP874"},
		{"windows-874", "CP874"},
	};
	size_t len = charset != NULL ? strlen(charset) : 0;

	if (len == 0)
		return CS_ASCII;
	if (len > CHARSET_NAME_MAX)
		return CS_UNKNOWN;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)charset[i];

		/* No '/' (iconv's //TRANSLIT suffixes) and nothing odd. */
		if (!ascii_isalpha(c) && !ascii_isdigit(c) && strchr("-_.:+", c) == NULL)
			return CS_UNKNOWN;
		name_r[i] = (char)ascii_tolower(c);
	}
	name_r[len] = '\0';
	if (strcmp(name_r, "utf-8") == 0 || strcmp(name_r, "utf8") == 0)
		return CS_UTF8;
	if (strcmp(name_r, "us-ascii") == 0 || strcmp(name_r, "ascii") == 0 ||
	    strcmp(name_r, "ansi_x3.4-1968") == 0)
		return CS_ASCII;
	/* glibc's ISO-2022-CN-EXT converter could overflow (CVE-2024-2961). */
	if (strcmp(name_r, "iso-2022-cn-ext") == 0 || strncmp(name_r, "unknown", 7) == 0 ||
	    strncmp(name_r, "x-unknown", 9) == 0)
		return CS_UNKNOWN;
	for (size_t i = 0; i < HF_N_ELEMENTS(aliases); i++)
		if (strcmp(name_r, aliases[i].from) == 0) {
			snprintf(name_r, CHARSET_NAME_MAX + 1, "%s", aliases[i].to);
			break;
		}
	return CS_ICONV;
}

static iconv_t cd_get(const char *name)
{
	struct cd_cache_entry *e;

	for (unsigned i = 0; i < CACHE_SIZE; i++) {
		e = &cd_cache[i];
		if (e->name[0] != '\0' && strcmp(e->name, name) == 0) {
			if (e->cd != (iconv_t)-1)
				iconv(e->cd, NULL, NULL, NULL, NULL); /* reset shift state */
			return e->cd;
		}
	}
	e = &cd_cache[cd_cache_next++ % CACHE_SIZE];
	if (e->name[0] != '\0' && e->cd != (iconv_t)-1)
		iconv_close(e->cd);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->cd = iconv_open("UTF-8", name);
	return e->cd;
}

static void iconv_convert(iconv_t cd, const unsigned char *in, size_t len, struct buf *out)
{
	char *inp = (char *)(uintptr_t)in;
	size_t inleft = len;

	while (inleft > 0) {
		char *outp;
		size_t outleft, r;

		buf_reserve(out, inleft * 2 + 16);
		outp = (char *)out->data + out->len;
		outleft = out->cap - out->len - 1;
		r = iconv(cd, &inp, &inleft, &outp, &outleft);
		out->len = (size_t)((unsigned char *)outp - out->data);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ: one bad byte; EINVAL: a sequence cut off at the end. */
		buf_append_str(out, MIME_UTF8_REPLACEMENT);
		if (errno != EILSEQ)
			break;
		inp++;
		inleft--;
	}
	for (;;) {
		char *outp;
		size_t outleft, r;

		buf_reserve(out, 16);
		outp = (char *)out->data + out->len;
		outleft = out->cap - out->len - 1;
		r = iconv(cd, NULL, NULL, &outp, &outleft);
		out->len = (size_t)((unsigned char *)outp - out->data);
		if (r != (size_t)-1 || errno != E2BIG)
			break;
	}
}

void mime_charset_to_utf8(const char *charset, const void *in, size_t len, struct buf *out)
{
	char name[CHARSET_NAME_MAX + 1];
	iconv_t cd;

	if (len == 0)
		return;
	switch (charset_classify(charset, name)) {
	case CS_ASCII:
		/* 8-bit text labelled us-ascii: UTF-8 when it is, else cp1252. */
		if (str_is_ascii7(in, len) || utf8_valid(in, len))
			break;
		snprintf(name, sizeof(name), "%s", "WINDOWS-1252");
		/* fall through */
	case CS_ICONV:
		cd = cd_get(name);
		if (cd == (iconv_t)-1)
			break;
		iconv_convert(cd, in, len, out);
		return;
	case CS_UTF8:
	case CS_UNKNOWN:
		break;
	}
	mime_utf8_sanitize(in, len, false, out);
}
