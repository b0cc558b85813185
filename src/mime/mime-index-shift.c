/* mime-index-shift.c — move a part index behind prepended header lines
 * (see mime-index-shift.h). It reads and writes the version 1 format that
 * mime-index.c documents; test-mime-index-shift.c checks the result
 * against indexing the longer message from scratch, so a change of that
 * format cannot go unnoticed. */
#include "mime-index-shift.h"

#include <stdbool.h>
#include <string.h>

#define INDEX_MAGIC "HPI1"
#define F_DECODED   4u
/* flags, cte, header offset, header size, body offset, body size, lines,
 * [decoded size], child count */
#define FIELDS_MAX 9

struct cursor {
	const unsigned char *p;
	size_t len, pos;
	bool bad;
};

static uint64_t get_varint(struct cursor *c)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (c->pos >= c->len) {
			c->bad = true;
			return 0;
		}
		b = c->p[c->pos++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	c->bad = true;
	return 0;
}

static void put_varint(struct buf *out, uint64_t v)
{
	while (v >= 0x80) {
		buf_append_byte(out, (unsigned char)(v | 0x80));
		v >>= 7;
	}
	buf_append_byte(out, (unsigned char)v);
}

/* One record: read its fields, shift them, write them. */
static bool shift_record(struct cursor *c, bool root, uint64_t delta, struct buf *out)
{
	uint64_t f[FIELDS_MAX];
	size_t n = 7;

	for (size_t i = 0; i < n; i++)
		f[i] = get_varint(c);
	if (f[0] & F_DECODED)
		f[n++] = get_varint(c);
	f[n++] = get_varint(c);
	if (c->bad || f[2] > UINT64_MAX - delta || f[3] > UINT64_MAX - delta ||
	    f[4] > UINT64_MAX - delta)
		return false;
	/* The root header starts at 0 and takes the new lines in; every
	 * other header and every body moves behind them. */
	if (root)
		f[3] += delta;
	else
		f[2] += delta;
	f[4] += delta;
	for (size_t i = 0; i < n; i++)
		put_varint(out, f[i]);
	return true;
}

int mime_part_index_shift(const void *blob, size_t len, uint64_t delta, struct buf *out)
{
	struct cursor c = {blob, len, 4, false};
	size_t start = out->len;

	if (len < 4 || memcmp(blob, INDEX_MAGIC, 4) != 0)
		return -1;
	buf_append(out, INDEX_MAGIC, 4);
	/* Records are stored one after another in pre-order. */
	for (bool root = true; c.pos < len; root = false) {
		if (!shift_record(&c, root, delta, out)) {
			buf_truncate(out, start);
			return -1;
		}
	}
	if (c.pos == 4) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}
