/* imap-mailbox.c — INBOX normalisation and LIST pattern matching (see imap-mailbox.h).
 *
 * The matcher is a bit-parallel NFA: state bit i means "the first i pattern
 * bytes are matched". Runs of wildcards are collapsed first ("%*" is "*",
 * "%%" is "%"), so a wildcard is never followed by another and the empty
 * match of a wildcard is one shift of the state vector.
 */
#include "imap-mailbox.h"
#include "imap-utf7.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <stdint.h>
#include <string.h>

bool imap_mailbox_is_inbox(const char *name)
{
	return str_casecmp(name, "INBOX") == 0;
}

bool imap_mailbox_inbox_normalize(char *name, char sep)
{
	if (!str_has_prefix_ci(name, strlen(name), "INBOX"))
		return false;
	if (name[5] != '\0' && (sep == '\0' || name[5] != sep))
		return false;
	memcpy(name, "INBOX", 5);
	return true;
}

/* Net-Unicode minus what RFC 9755 section 3 bars from mailbox names; the
 * input is valid UTF-8. */
static bool name_chars_allowed(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return false;
		/* C1 controls are U+0080-U+009F: 0xC2 0x80-0x9F. */
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] <= 0x9f)
			return false;
		/* U+2028 and U+2029: 0xE2 0x80 0xA8/0xA9. */
		if (s[i] == 0xe2 && i + 2 < n && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
			return false;
	}
	return true;
}

int imap_mailbox_name_from_wire(const char *wire, bool utf8, struct buf *out, const char **error_r)
{
	size_t start = out->len, len = strlen(wire);

	if (utf8) {
		if (!utf8_valid(wire, len)) {
			*error_r = "Mailbox name is not valid UTF-8";
			return -1;
		}
		buf_append(out, wire, len);
	} else if (imap_utf7_decode(wire, len, out, error_r) < 0) {
		return -1;
	}
	if (!name_chars_allowed(out->data + start, out->len - start)) {
		buf_truncate(out, start);
		*error_r = "Mailbox name contains a control character";
		return -1;
	}
	return 0;
}

int imap_mailbox_name_to_wire(const char *name, bool utf8, struct buf *out, const char **error_r)
{
	size_t len = strlen(name);

	if (!utf8)
		return imap_utf7_encode(name, len, out, error_r);
	if (!utf8_valid(name, len)) {
		*error_r = "Mailbox name is not valid UTF-8";
		return -1;
	}
	buf_append(out, name, len);
	return 0;
}

struct imap_list_pattern {
	size_t words;  /* 64-bit words per state vector */
	size_t states; /* compiled pattern length + 1 */
	char sep;
	int16_t index[256];  /* byte -> row in masks, -1 when absent from pattern */
	uint64_t *masks;     /* per byte: bit j+1 where pattern[j] is that byte */
	uint64_t *eps;       /* bit j where pattern[j] is a wildcard */
	uint64_t *loop_star; /* bit j+1 after a "*" */
	uint64_t *loop_pct;  /* bit j+1 after a "%" */
};

static void bit_set(uint64_t *v, size_t bit)
{
	v[bit / 64] |= (uint64_t)1 << (bit % 64);
}

/* Collapse wildcard runs; returns the compiled length written to out. */
static size_t compile_pattern(const char *pattern, size_t len, char sep, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = pattern[i];

		/* Without a hierarchy "%" cannot stop anywhere: it is "*". */
		if (c == '%' && sep == '\0')
			c = '*';
		if ((c == '*' || c == '%') && n > 0 && (out[n - 1] == '*' || out[n - 1] == '%')) {
			if (c == '*')
				out[n - 1] = '*';
			continue;
		}
		out[n++] = c;
	}
	return n;
}

int imap_list_pattern_new(const char *pattern, size_t len, char sep,
			  struct imap_list_pattern **pattern_r, const char **error_r)
{
	struct imap_list_pattern *p;
	size_t n, rows = 0;
	char *comp;

	if (len > IMAP_LIST_PATTERN_MAX || memchr(pattern, '\0', len) != NULL) {
		*error_r = len > IMAP_LIST_PATTERN_MAX ? "LIST pattern too long"
						       : "NUL in LIST pattern";
		return -1;
	}
	comp = xmalloc(len + 1);
	n = compile_pattern(pattern, len, sep, comp);
	p = xcalloc(1, sizeof(*p));
	p->sep = sep;
	p->states = n + 1;
	p->words = (p->states + 63) / 64;
	memset(p->index, 0xff, sizeof(p->index));
	for (size_t j = 0; j < n; j++) {
		unsigned char c = (unsigned char)comp[j];

		if (c != '*' && c != '%' && p->index[c] < 0)
			p->index[c] = (int16_t)rows++;
	}
	/* One allocation: byte rows, then eps, loop_star, loop_pct. */
	p->masks = xcalloc((rows + 3) * p->words, sizeof(uint64_t));
	p->eps = p->masks + rows * p->words;
	p->loop_star = p->eps + p->words;
	p->loop_pct = p->loop_star + p->words;
	for (size_t j = 0; j < n; j++) {
		unsigned char c = (unsigned char)comp[j];

		if (c == '*' || c == '%') {
			bit_set(p->eps, j);
			bit_set(c == '*' ? p->loop_star : p->loop_pct, j + 1);
		} else {
			bit_set(p->masks + (size_t)p->index[c] * p->words, j + 1);
		}
	}
	free(comp);
	*pattern_r = p;
	return 0;
}

void imap_list_pattern_free(struct imap_list_pattern **pattern)
{
	if (*pattern == NULL)
		return;
	free((*pattern)->masks);
	free(*pattern);
	*pattern = NULL;
}

/* s |= (s & eps) << 1: the empty match of each wildcard. */
static void closure(const struct imap_list_pattern *p, uint64_t *s)
{
	uint64_t carry = 0;

	for (size_t w = 0; w < p->words; w++) {
		uint64_t e = s[w] & p->eps[w];

		s[w] |= (e << 1) | carry;
		carry = e >> 63;
	}
}

static const uint64_t *byte_mask(const struct imap_list_pattern *p, unsigned char c)
{
	return p->index[c] < 0 ? NULL : p->masks + (size_t)p->index[c] * p->words;
}

/* Advance the state vector s over one name byte; alt is the byte's other
 * case when INBOX letters are compared case-insensitively (else == c). */
static bool step(const struct imap_list_pattern *p, uint64_t *s, unsigned char c, unsigned char alt)
{
	const uint64_t *m1 = byte_mask(p, c), *m2 = alt != c ? byte_mask(p, alt) : NULL;
	bool pct = p->sep == '\0' || c != (unsigned char)p->sep;
	uint64_t carry = 0, any = 0;

	for (size_t w = 0; w < p->words; w++) {
		uint64_t shifted = (s[w] << 1) | carry, mask = 0, next;

		carry = s[w] >> 63;
		if (m1 != NULL)
			mask |= m1[w];
		if (m2 != NULL)
			mask |= m2[w];
		next = (shifted & mask) | (s[w] & p->loop_star[w]);
		if (pct)
			next |= s[w] & p->loop_pct[w];
		s[w] = next;
	}
	closure(p, s);
	for (size_t w = 0; w < p->words; w++)
		any |= s[w];
	return any != 0;
}

static bool accepts(const struct imap_list_pattern *p, const uint64_t *s)
{
	size_t last = p->states - 1;

	return (s[last / 64] >> (last % 64)) & 1;
}

unsigned imap_list_pattern_match(const struct imap_list_pattern *p, const char *name)
{
	uint64_t small[4], *s = p->words <= 4 ? small : xcalloc(p->words, sizeof(uint64_t));
	size_t len = strlen(name), inbox_len = 0;
	unsigned result = IMAP_LIST_MATCH_NO;
	bool alive = true;

	memset(s, 0, p->words * sizeof(uint64_t));
	s[0] = 1;
	closure(p, s);
	if (str_has_prefix_ci(name, len, "INBOX") &&
	    (len == 5 || (p->sep != '\0' && name[5] == p->sep)))
		inbox_len = 5;
	for (size_t i = 0; i < len && alive; i++) {
		unsigned char c = (unsigned char)name[i];
		unsigned char alt = i < inbox_len ? (unsigned char)ascii_tolower(c) : c;

		if (alt == c && i < inbox_len)
			alt = (unsigned char)ascii_toupper(c);
		alive = step(p, s, c, alt);
	}
	if (alive && accepts(p, s))
		result |= IMAP_LIST_MATCH_YES;
	if (alive && p->sep != '\0' && step(p, s, (unsigned char)p->sep, (unsigned char)p->sep))
		result |= IMAP_LIST_MATCH_CHILDREN;
	if (s != small)
		free(s);
	return result;
}
