/* str.c — locale-independent string helpers (see str.h). */
#include "str.h"

#include <string.h>

int str_casecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	int d;

	for (;; p++, q++) {
		d = ascii_tolower(*p) - ascii_tolower(*q);
		if (d != 0 || *p == '\0')
			return d;
	}
}

bool str_eq_ci_n(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lit[i] == '\0' ||
		    ascii_tolower((unsigned char)s[i]) != ascii_tolower((unsigned char)lit[i]))
			return false;
	}
	return lit[n] == '\0';
}

bool str_has_prefix_ci(const char *s, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++) {
		if (i >= n ||
		    ascii_tolower((unsigned char)s[i]) != ascii_tolower((unsigned char)prefix[i]))
			return false;
	}
	return true;
}

const char *str_find_ci(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
	size_t i, j;

	if (needle_len == 0)
		return hay;
	if (needle_len > hay_len)
		return NULL;
	for (i = 0; i + needle_len <= hay_len; i++) {
		for (j = 0; j < needle_len; j++) {
			if (ascii_tolower((unsigned char)hay[i + j]) !=
			    ascii_tolower((unsigned char)needle[j]))
				break;
		}
		if (j == needle_len)
			return hay + i;
	}
	return NULL;
}

const void *mem_find(const void *hay, size_t hay_len, const void *needle, size_t needle_len)
{
	const unsigned char *h = hay, *n = needle, *p, *end;

	if (needle_len == 0)
		return hay;
	if (needle_len > hay_len)
		return NULL;
	end = h + hay_len - needle_len + 1;
	for (p = h; p < end; p++) {
		p = memchr(p, n[0], (size_t)(end - p));
		if (p == NULL)
			return NULL;
		if (memcmp(p, n, needle_len) == 0)
			return p;
	}
	return NULL;
}

void str_lower_inplace(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)ascii_tolower((unsigned char)*s);
}

void str_upper_inplace(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)ascii_toupper((unsigned char)*s);
}

bool str_to_u64(const char *s, size_t n, uint64_t max, uint64_t *value_r)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (!ascii_isdigit((unsigned char)s[i]))
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*value_r = v;
	return true;
}

bool str_to_u32(const char *s, size_t n, uint32_t *value_r)
{
	uint64_t v;

	if (!str_to_u64(s, n, UINT32_MAX, &v))
		return false;
	*value_r = (uint32_t)v;
	return true;
}

bool utf8_valid(const void *data, size_t n)
{
	const unsigned char *s = data, *end;

	if (n == 0)
		return true; /* data may be NULL: no arithmetic on it */
	end = s + n;

	while (s < end) {
		unsigned char c = *s;
		size_t len;
		uint32_t cp, min;

		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if ((size_t)(end - s) < len)
			return false;
		for (size_t i = 1; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += len;
	}
	return true;
}

bool str_is_ascii7(const void *data, size_t n)
{
	const unsigned char *s = data;

	for (size_t i = 0; i < n; i++)
		if (s[i] == 0 || s[i] > 0x7f)
			return false;
	return true;
}
