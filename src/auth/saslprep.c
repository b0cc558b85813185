/* saslprep.c — SASLprep (RFC 4013) over the RFC 3454 tables and
 * libunistring's NFKC. Steps in the order RFC 3454 section 2 requires:
 * map, normalise, prohibit, check bidi; the unassigned check (section 7)
 * looks at the input. Buffers that held the string are wiped before they
 * are freed, because the string is often a password. */
#include "auth/saslprep.h"
#include "auth/stringprep-tables.h"

#include "lib/err.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

bool stringprep_in_table(const struct stringprep_range *table, size_t count, uint32_t cp)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < table[mid].lo)
			hi = mid;
		else if (cp > table[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

#define IN_TABLE(name, cp) stringprep_in_table(name, name##_count, cp)

static bool is_printable_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	}
	return true;
}

static void u32_cleanse_free(uint32_t **p, size_t len)
{
	if (*p != NULL)
		OPENSSL_cleanse(*p, len * sizeof(**p));
	xfree(p);
}

/* Decode UTF-8 into code points; *cps_r is malloc()ed. -1 when not UTF-8. */
static int decode_utf8(const char *in, size_t len, uint32_t **cps_r, size_t *n_r)
{
	uint32_t *cps = xcalloc(len + 1, sizeof(*cps));
	size_t n = 0, i = 0;

	while (i < len) {
		ucs4_t uc;
		int step = u8_mbtoucr(&uc, (const uint8_t *)in + i, len - i);

		if (step <= 0) {
			u32_cleanse_free(&cps, len + 1);
			return -1;
		}
		cps[n++] = uc;
		i += (size_t)step;
	}
	*cps_r = cps;
	*n_r = n;
	return 0;
}

/* RFC 4013 section 2.1: non-ASCII spaces become SPACE, B.1 goes away.
 * Works in place; the string can only get shorter. */
static size_t map_chars(uint32_t *cps, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (IN_TABLE(stringprep_map_nothing, cps[i]))
			continue;
		cps[out++] = IN_TABLE(stringprep_space, cps[i]) ? 0x20 : cps[i];
	}
	return out;
}

/* RFC 4013 sections 2.3 and 2.4 (RFC 3454 section 6). */
static int check_output(const uint32_t *cps, size_t n, const char **error_r)
{
	bool randal = false, lcat = false;

	for (size_t i = 0; i < n; i++) {
		if (IN_TABLE(stringprep_prohibited, cps[i])) {
			*error_r = "prohibited character";
			return -1;
		}
		if (IN_TABLE(stringprep_randalcat, cps[i]))
			randal = true;
		else if (IN_TABLE(stringprep_lcat, cps[i]))
			lcat = true;
	}
	if (!randal)
		return 0;
	if (lcat || !IN_TABLE(stringprep_randalcat, cps[0]) ||
	    !IN_TABLE(stringprep_randalcat, cps[n - 1])) {
		*error_r = "invalid mix of right-to-left and left-to-right text";
		return -1;
	}
	return 0;
}

static int check_assigned(const uint32_t *cps, size_t n, const char **error_r)
{
	for (size_t i = 0; i < n; i++) {
		if (IN_TABLE(stringprep_unassigned, cps[i])) {
			*error_r = "unassigned code point";
			return -1;
		}
	}
	return 0;
}

/* Normalise to NFKC and check the result; on success *out_r is UTF-8. */
static int normalize_and_check(const uint32_t *cps, size_t n, char **out_r, size_t *out_len_r,
			       const char **error_r)
{
	uint32_t *norm;
	size_t norm_len = 0, u8_len = 0;
	uint8_t *u8;

	if (n == 0) {
		*out_r = xstrdup("");
		*out_len_r = 0;
		return 0;
	}
	norm = u32_normalize(UNINORM_NFKC, cps, n, NULL, &norm_len);
	if (norm == NULL)
		hf_panic("u32_normalize failed");
	if (check_output(norm, norm_len, error_r) < 0) {
		u32_cleanse_free(&norm, norm_len);
		return -1;
	}
	/* Our own buffer, big enough for any encoding, so libunistring does
	 * not allocate (and we can return it with room for the NUL). */
	u8_len = norm_len * 4;
	*out_r = xmalloc(u8_len + 1);
	u8 = u32_to_u8(norm, norm_len, (uint8_t *)*out_r, &u8_len);
	u32_cleanse_free(&norm, norm_len);
	if (u8 != (uint8_t *)*out_r)
		hf_panic("u32_to_u8 failed");
	(*out_r)[u8_len] = '\0';
	*out_len_r = u8_len;
	return 0;
}

int saslprep(const char *in, size_t len, enum saslprep_kind kind, char **out_r, size_t *out_len_r,
	     const char **error_r)
{
	uint32_t *cps;
	size_t n, cap;
	int ret;

	if (len > SASLPREP_INPUT_MAX) {
		*error_r = "string too long";
		return -1;
	}
	if (is_printable_ascii(in, len)) {
		*out_r = xstrndup(in, len);
		*out_len_r = len;
		return 0;
	}
	if (decode_utf8(in, len, &cps, &n) < 0) {
		*error_r = "invalid UTF-8";
		return -1;
	}
	cap = len + 1;
	if (kind == SASLPREP_STORED && check_assigned(cps, n, error_r) < 0) {
		u32_cleanse_free(&cps, cap);
		return -1;
	}
	n = map_chars(cps, n);
	ret = normalize_and_check(cps, n, out_r, out_len_r, error_r);
	u32_cleanse_free(&cps, cap);
	return ret;
}
