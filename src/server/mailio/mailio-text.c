/* mailio-text.c — line end conversions (see mailio-text.h). */
#include "mailio-text.h"

#include <string.h>

void mailio_to_crlf(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data, *end;

	if (len == 0)
		return;
	end = p + len;
	buf_reserve(out, len);
	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL) {
			buf_append(out, p, (size_t)(end - p));
			break;
		}
		buf_append(out, p, (size_t)(nl - p));
		if (nl == (const unsigned char *)data || nl[-1] != '\r')
			buf_append_byte(out, '\r');
		buf_append_byte(out, '\n');
		p = nl + 1;
	}
}

bool mailio_lf_reversible(const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i == 0 || p[i - 1] != '\r' || (i >= 2 && p[i - 2] == '\r'))
			return false;
	}
	return true;
}

void mailio_to_lf(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data, *end;

	if (len == 0)
		return;
	end = p + len;
	buf_reserve(out, len);
	while (p < end) {
		const unsigned char *cr = memchr(p, '\r', (size_t)(end - p));

		if (cr == NULL) {
			buf_append(out, p, (size_t)(end - p));
			break;
		}
		buf_append(out, p, (size_t)(cr - p));
		if (cr + 1 < end && cr[1] == '\n') {
			buf_append_byte(out, '\n');
			p = cr + 2;
		} else {
			buf_append_byte(out, '\r');
			p = cr + 1;
		}
	}
}
