/* casemap.c — i;unicode-casemap preparation and comparison (RFC 5051
 * section 2), over libunistring's titlecase mapping and NFKD. */
#include "casemap.h"
#include "err.h"
#include "mem.h"
#include "str.h"

#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

static bool all_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* ASCII has no decompositions and its titlecase is its upper case. */
static void append_ascii(struct buf *out, const char *s, size_t len)
{
	buf_reserve(out, len);
	for (size_t i = 0; i < len; i++)
		buf_append_byte(out, (unsigned char)ascii_toupper((unsigned char)s[i]));
}

void casemap_append(struct buf *out, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t *cps, *norm;
	uint8_t *u8;
	size_t n = 0, norm_len = 0, u8_len = 0;

	if (all_ascii(s, len)) {
		append_ascii(out, s, len);
		return;
	}
	/* RFC 5051 step (1)(b): invalid input is compared as octets. */
	if (!utf8_valid(s, len)) {
		buf_append(out, s, len);
		return;
	}
	cps = xreallocarray(NULL, len, sizeof(*cps));
	for (size_t i = 0; i < len;) {
		ucs4_t uc;
		int step = u8_mbtoucr(&uc, p + i, len - i);

		if (step <= 0) /* cannot happen after utf8_valid; stay safe */
			break;
		cps[n++] = uc_totitle(uc);
		i += (size_t)step;
	}
	norm = u32_normalize(UNINORM_NFKD, cps, n, NULL, &norm_len);
	free(cps);
	if (norm == NULL)
		hf_panic("casemap: out of memory");
	u8 = u32_to_u8(norm, norm_len, NULL, &u8_len);
	free(norm);
	if (u8 == NULL)
		hf_panic("casemap: out of memory");
	buf_append(out, u8, u8_len);
	free(u8);
}

static int compare_octets(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

int casemap_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	struct buf ka = BUF_INIT, kb = BUF_INIT;
	int c;

	if (all_ascii(a, alen) && all_ascii(b, blen)) {
		size_t n = alen < blen ? alen : blen;

		for (size_t i = 0; i < n; i++) {
			int ca = ascii_toupper((unsigned char)a[i]);
			int cb = ascii_toupper((unsigned char)b[i]);

			if (ca != cb)
				return ca < cb ? -1 : 1;
		}
		return alen < blen ? -1 : alen > blen ? 1 : 0;
	}
	casemap_append(&ka, a, alen);
	casemap_append(&kb, b, blen);
	c = compare_octets(ka.data, ka.len, kb.data, kb.len);
	buf_free(&ka);
	buf_free(&kb);
	return c;
}
