/* mime-decode.c — content-transfer decoding: base64 and quoted-printable
 * (RFC 2045 6.7, 6.8), for BINARY[...], BINARY.SIZE and search text.
 *
 * Each decoder runs in one pass and can count instead of write (out NULL),
 * which is how the decoded size is known without holding the result.
 */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

enum mime_cte mime_cte_parse(const void *value, size_t len)
{
	static const struct {
		const char *name;
		enum mime_cte cte;
	} names[] = {
		{"7bit", MIME_CTE_7BIT},           {"8bit", MIME_CTE_8BIT},
		{"binary", MIME_CTE_BINARY},       {"base64", MIME_CTE_BASE64},
		{"quoted-printable", MIME_CTE_QP},
	};
	const unsigned char *s = value;
	size_t start = 0, end;

	if (s == NULL)
		return MIME_CTE_7BIT;
	while (start < len && (ascii_isspace(s[start]) || s[start] == '('))
		if (s[start] == '(')
			mime_skip_comment(s, len, &start);
		else
			start++;
	end = start;
	while (end < len && !ascii_isspace(s[end]) && s[end] != '(' && s[end] != ';')
		end++;
	if (end == start)
		return MIME_CTE_7BIT;
	for (size_t i = 0; i < HF_N_ELEMENTS(names); i++)
		if (str_eq_ci_n((const char *)s + start, end - start, names[i].name))
			return names[i].cte;
	return MIME_CTE_UNKNOWN;
}

/* The base64 alphabet (RFC 4648 4): value + 1, 0 for other bytes. */
static const unsigned char b64_table[256] = {
	['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
	['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
	['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
	['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
	['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
	['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
	['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
	['/'] = 64,
};

/* Emit the complete bytes of a partial quantum of q sextets. */
static uint64_t b64_flush(uint32_t acc, unsigned q, struct buf *out)
{
	unsigned char b[2];
	unsigned n = q == 3 ? 2 : q == 2 ? 1 : 0;

	if (n == 0)
		return 0;
	acc <<= 6 * (4 - q);
	b[0] = (unsigned char)(acc >> 16);
	b[1] = (unsigned char)(acc >> 8);
	if (out != NULL)
		buf_append(out, b, n);
	return n;
}

/* RFC 2045 6.8: characters outside the alphabet are ignored; '=' ends a
 * quantum. Decoding then goes on, so concatenated base64 blobs (a common
 * defect) decode as each would alone. A missing pad decodes what it can. */
static uint64_t b64_decode(const unsigned char *s, size_t len, struct buf *out)
{
	uint64_t n = 0;
	uint32_t acc = 0;
	unsigned q = 0;

	if (out != NULL)
		buf_reserve(out, len / 4 * 3 + 3);
	for (size_t i = 0; i < len; i++) {
		unsigned v = b64_table[s[i]];

		if (v == 0) {
			if (s[i] == '=' && q > 0) {
				n += b64_flush(acc, q, out);
				acc = 0;
				q = 0;
			}
			continue;
		}
		acc = (acc << 6) | (v - 1);
		if (++q == 4) {
			if (out != NULL) {
				unsigned char b[3] = {(unsigned char)(acc >> 16),
						      (unsigned char)(acc >> 8),
						      (unsigned char)acc};

				buf_append(out, b, 3);
			}
			n += 3;
			acc = 0;
			q = 0;
		}
	}
	return n + b64_flush(acc, q, out);
}

/* Bytes a run of q alphabet characters decodes to. */
static uint64_t b64_run_bytes(uint64_t q)
{
	static const unsigned partial[4] = {0, 0, 1, 2};

	return q / 4 * 3 + partial[q % 4];
}

/* b64_decode(s, len, NULL) without the bit work: BINARY.SIZE of a large
 * attachment costs one table lookup per byte. */
static uint64_t b64_count(const unsigned char *s, size_t len)
{
	uint64_t n = 0, q = 0;

	for (size_t i = 0; i < len; i++) {
		if (b64_table[s[i]] != 0) {
			q++;
		} else if (s[i] == '=' && q % 4 != 0) {
			n += b64_run_bytes(q);
			q = 0;
		}
	}
	return n + b64_run_bytes(q);
}

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)ascii_tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode one line's content (no line end, trailing whitespace removed). */
static uint64_t qp_line(const unsigned char *s, size_t len, struct buf *out)
{
	uint64_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		int hi, lo;

		if (c == '=' && i + 2 < len && (hi = hex_digit(s[i + 1])) >= 0 &&
		    (lo = hex_digit(s[i + 2])) >= 0) {
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		/* Malformed "=" sequences are kept as they are (RFC 2045 6.7
		 * note 1: a robust decoder passes them through). */
		if (out != NULL)
			buf_append_byte(out, c);
		n++;
	}
	return n;
}

static uint64_t qp_decode(const unsigned char *s, size_t len, struct buf *out)
{
	uint64_t n = 0;
	size_t pos = 0;

	if (out != NULL)
		buf_reserve(out, len);
	while (pos < len) {
		const unsigned char *lf = memchr(s + pos, '\n', len - pos);
		size_t next = lf != NULL ? (size_t)(lf - s) + 1 : len;
		size_t end = lf != NULL ? next - 1 : len;
		bool crlf = lf != NULL && end > pos && s[end - 1] == '\r';

		if (crlf)
			end--;
		/* Rule 3: trailing whitespace was added in transport. */
		while (end > pos && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			end--;
		if (end > pos && s[end - 1] == '=') {
			n += qp_line(s + pos, end - pos - 1, out); /* soft line break */
		} else {
			n += qp_line(s + pos, end - pos, out);
			if (lf != NULL) {
				if (out != NULL)
					buf_append_str(out, crlf ? "\r\n" : "\n");
				n += crlf ? 2 : 1;
			}
		}
		pos = next;
	}
	return n;
}

static uint64_t decode_any(enum mime_cte cte, const unsigned char *s, size_t len, struct buf *out)
{
	switch (cte) {
	case MIME_CTE_BASE64:
		return out != NULL ? b64_decode(s, len, out) : b64_count(s, len);
	case MIME_CTE_QP:
		return qp_decode(s, len, out);
	default:
		if (out != NULL)
			buf_append(out, s, len);
		return len;
	}
}

int mime_decode_transfer(enum mime_cte cte, const void *in, size_t len, struct buf *out,
			 const char **error_r)
{
	if (cte == MIME_CTE_UNKNOWN) {
		*error_r = "unknown content-transfer-encoding";
		return -1;
	}
	decode_any(cte, in, len, out);
	return 0;
}

int mime_decoded_size(enum mime_cte cte, const void *in, size_t len, uint64_t *size_r)
{
	if (cte == MIME_CTE_UNKNOWN)
		return -1;
	*size_r = decode_any(cte, in, len, NULL);
	return 0;
}
