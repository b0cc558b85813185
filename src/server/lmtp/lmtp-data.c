/* lmtp-data.c — DATA's end line and dot-unstuffing (see lmtp-data.h). */
#include "lmtp-data.h"

#include <string.h>

void lmtp_data_init(struct lmtp_data *d, struct buf *out, uint64_t max)
{
	d->state = LMTP_DATA_BOL;
	d->size = 0;
	d->max = max;
	d->out = out;
}

static void emit(struct lmtp_data *d, const void *p, size_t n)
{
	/* Keep the first max bytes, however the input was cut. */
	if (d->size < d->max)
		buf_append(d->out, p, n < d->max - d->size ? n : (size_t)(d->max - d->size));
	d->size += n;
	if (d->size > d->max)
		d->size = d->max + 1; /* sticky: too big stays too big, no overflow */
}

bool lmtp_data_too_big(const struct lmtp_data *d)
{
	return d->size > d->max;
}

int lmtp_data_feed(struct lmtp_data *d, const void *in, size_t len, size_t *used_r)
{
	const unsigned char *p = in;
	size_t i = 0;

	while (i < len) {
		const unsigned char *nl;
		size_t n;

		switch (d->state) {
		case LMTP_DATA_BOL:
			if (p[i] == '.') {
				d->state = LMTP_DATA_DOT;
				i++;
			} else {
				d->state = LMTP_DATA_MID;
			}
			break;
		case LMTP_DATA_MID:
			nl = memchr(p + i, '\n', len - i);
			n = nl != NULL ? (size_t)(nl - (p + i)) + 1 : len - i;
			emit(d, p + i, n);
			i += n;
			if (nl != NULL)
				d->state = LMTP_DATA_BOL;
			break;
		case LMTP_DATA_DOT:
			if (p[i] == '\n') {
				*used_r = i + 1;
				return 1;
			}
			if (p[i] == '\r') {
				d->state = LMTP_DATA_DOT_CR;
				i++;
			} else {
				/* ".text": the dot was added for transparency */
				d->state = LMTP_DATA_MID;
			}
			break;
		case LMTP_DATA_DOT_CR:
			if (p[i] == '\n') {
				*used_r = i + 1;
				return 1;
			}
			emit(d, "\r", 1);
			d->state = LMTP_DATA_MID;
			break;
		}
	}
	*used_r = len;
	return 0;
}
