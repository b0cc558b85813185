/* str.h — small string helpers: ASCII case folding, strict number parsing.
 *
 * IMAP and MIME keywords are ASCII and compared case-insensitively without
 * regard to the C locale; these helpers never consult the locale.
 */
#ifndef HAFEN_LIB_STR_H
#define HAFEN_LIB_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline int ascii_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline int ascii_toupper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

static inline bool ascii_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool ascii_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool ascii_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Compare like strcasecmp, ASCII only. */
int str_casecmp(const char *a, const char *b);
/* Compare a counted string against a NUL-terminated one, ASCII case-insensitively. */
bool str_eq_ci_n(const char *s, size_t n, const char *lit);
bool str_has_prefix_ci(const char *s, size_t n, const char *prefix);
/* Find needle in haystack, ASCII case-insensitively; NULL when absent. */
const char *str_find_ci(const char *hay, size_t hay_len, const char *needle, size_t needle_len);
/* Find the first occurrence of a byte string (memmem without the GNU extension). */
const void *mem_find(const void *hay, size_t hay_len, const void *needle, size_t needle_len);
void str_lower_inplace(char *s);
void str_upper_inplace(char *s);

/* Parse all n bytes as a decimal number without sign, leading '+' or
 * whitespace; false on anything else or on a value above max. */
bool str_to_u64(const char *s, size_t n, uint64_t max, uint64_t *value_r);
bool str_to_u32(const char *s, size_t n, uint32_t *value_r);

/* Is s (n bytes) valid UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF)? */
bool utf8_valid(const void *s, size_t n);
/* Do all n bytes fall in 0x01..0x7f? */
bool str_is_ascii7(const void *s, size_t n);

#endif
