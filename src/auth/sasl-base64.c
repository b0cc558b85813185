/* sasl-base64.c — strict base64 encoding and decoding (see sasl-base64.h). */
#include "auth/sasl-base64.h"

#include <openssl/crypto.h>
#include <stdint.h>

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t sasl_base64_encoded_len(size_t n)
{
	return (n / 3 + (n % 3 != 0)) * 4;
}

size_t sasl_base64_decoded_max(size_t n)
{
	return n / 4 * 3;
}

void sasl_base64_encode(const void *src, size_t n, struct buf *out)
{
	const unsigned char *p = src;
	unsigned char *o;
	size_t i;

	buf_reserve(out, sasl_base64_encoded_len(n));
	o = out->data + out->len;
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = (unsigned char)b64_alphabet[v >> 18];
		*o++ = (unsigned char)b64_alphabet[(v >> 12) & 63];
		*o++ = (unsigned char)b64_alphabet[(v >> 6) & 63];
		*o++ = (unsigned char)b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		*o++ = (unsigned char)b64_alphabet[v >> 18];
		*o++ = (unsigned char)b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < n ? (unsigned char)b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	out->len = (size_t)(o - out->data);
}

/* Value of a base64 character, or -1. Branches on the character, which is
 * not secret here: secrets travel inside the decoded bytes, not in which
 * alphabet range a character falls. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode one group of four characters into 1..3 bytes; -1 when invalid.
 * Padding is allowed only in the last group (last is true). */
static int decode_quad(const unsigned char *q, int last, unsigned char *o, size_t *n_r)
{
	int v[4];
	int pad = 0;

	for (int i = 0; i < 4; i++) {
		if (q[i] == '=' && last && i >= 2) {
			pad++;
			v[i] = 0;
			continue;
		}
		if (pad > 0)
			return -1; /* data after '=' */
		v[i] = b64_value(q[i]);
		if (v[i] < 0)
			return -1;
	}
	/* RFC 4648 section 3.5: the pad bits of a canonical encoding are
	 * zero; we reject the others, so every byte string has one encoding. */
	if ((pad == 1 && (v[2] & 3) != 0) || (pad == 2 && (v[1] & 15) != 0))
		return -1;
	uint32_t w =
		(uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
	o[0] = (unsigned char)(w >> 16);
	o[1] = (unsigned char)(w >> 8);
	o[2] = (unsigned char)w;
	*n_r = 3 - (size_t)pad;
	return 0;
}

int sasl_base64_decode(const char *src, size_t n, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t start = out->len, got;
	unsigned char *o;

	if (n % 4 != 0)
		return -1;
	buf_reserve(out, sasl_base64_decoded_max(n));
	o = out->data + out->len;
	for (size_t i = 0; i < n; i += 4) {
		if (decode_quad(p + i, i + 4 == n, o, &got) < 0) {
			OPENSSL_cleanse(out->data + start, (size_t)(o - (out->data + start)));
			return -1;
		}
		o += got;
	}
	out->len = (size_t)(o - out->data);
	return 0;
}

void sasl_buf_cleanse_free(struct buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}
