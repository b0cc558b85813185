/* mime-index.c — the part index BLOB: every part's offsets, sizes, line
 * count, encoding and decoded size, so FETCH BODY[section] and BINARY
 * need no re-parse.
 *
 * Format (version 1): the 4 bytes "HPI1", then one record per part in
 * pre-order, the encapsulated message of a message/rfc822 part being that
 * part's single child. A record is a sequence of LEB128 unsigned varints:
 *   flags (1 multipart, 2 message, 4 decoded size known), cte,
 *   header offset, header size, body offset, body size, body lines,
 *   [decoded size when flag 4], child count.
 * The reader checks every varint and count against the blob's length.
 */
#include "mime-private.h"

#include <string.h>

#define INDEX_MAGIC "HPI1"
#define F_MULTIPART 1u
#define F_MESSAGE   2u
#define F_DECODED   4u

static void put_varint(struct buf *out, uint64_t v)
{
	while (v >= 0x80) {
		buf_append_byte(out, (unsigned char)(v | 0x80));
		v >>= 7;
	}
	buf_append_byte(out, (unsigned char)v);
}

static void write_record(struct buf *out, const struct mime_part *part)
{
	struct mime_part_info info;
	unsigned flags = 0;

	mime_part_get_info(part, &info);
	flags |= info.multipart ? F_MULTIPART : 0;
	flags |= info.message ? F_MESSAGE : 0;
	flags |= info.decoded_size_known ? F_DECODED : 0;
	put_varint(out, flags);
	put_varint(out, info.cte);
	put_varint(out, info.header_offset);
	put_varint(out, info.header_size);
	put_varint(out, info.body_offset);
	put_varint(out, info.body_size);
	put_varint(out, info.body_lines);
	if (info.decoded_size_known)
		put_varint(out, info.decoded_size);
	put_varint(out, part->message != NULL ? 1 : part->is_multipart ? part->child_count : 0);
	if (part->message != NULL)
		write_record(out, part->message);
	for (const struct mime_part *c = part->children; c != NULL; c = c->next)
		write_record(out, c);
}

void mime_part_index_write(const struct mime_message *msg, struct buf *out)
{
	buf_append(out, INDEX_MAGIC, 4);
	write_record(out, msg->root);
}

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

struct record {
	struct mime_part_info info;
	uint64_t children;
	size_t next; /* offset of the first child, or of what follows */
};

static bool read_record(const unsigned char *blob, size_t len, size_t pos, struct record *r)
{
	struct cursor c = {blob, len, pos, false};
	uint64_t flags;

	memset(r, 0, sizeof(*r));
	flags = get_varint(&c);
	r->info.cte = (enum mime_cte)get_varint(&c);
	r->info.header_offset = get_varint(&c);
	r->info.header_size = get_varint(&c);
	r->info.body_offset = get_varint(&c);
	r->info.body_size = get_varint(&c);
	r->info.body_lines = get_varint(&c);
	r->info.multipart = (flags & F_MULTIPART) != 0;
	r->info.message = (flags & F_MESSAGE) != 0;
	r->info.decoded_size_known = (flags & F_DECODED) != 0;
	if (r->info.decoded_size_known)
		r->info.decoded_size = get_varint(&c);
	r->children = get_varint(&c);
	r->next = c.pos;
	/* Every record takes at least 8 bytes: more children cannot fit. */
	return !c.bad && r->info.cte <= MIME_CTE_UNKNOWN && r->children <= len / 8 &&
	       (!r->info.message || r->children == 1);
}

/* The offset after the subtree whose root record is at pos, or 0. */
static size_t skip_subtree(const unsigned char *blob, size_t len, size_t pos)
{
	uint64_t remaining = 1;

	while (remaining > 0) {
		struct record r;

		if (!read_record(blob, len, pos, &r))
			return 0;
		remaining += r.children - 1;
		pos = r.next;
	}
	return pos;
}

/* The record of child k (1-based) of the record at pos, or 0. */
static size_t child_at(const unsigned char *blob, size_t len, const struct record *r, uint32_t k)
{
	size_t pos = r->next;

	if (k == 0 || k > r->children)
		return 0;
	for (uint32_t i = 1; i < k && pos != 0; i++)
		pos = skip_subtree(blob, len, pos);
	return pos;
}

int mime_part_index_find(const void *blob, size_t len, const uint32_t *section, size_t depth,
			 struct mime_part_info *info_r)
{
	const unsigned char *b = blob;
	size_t pos = 4;
	bool at_message = true;
	struct record r, inner;

	if (len < 4 || memcmp(b, INDEX_MAGIC, 4) != 0)
		return -1;
	for (size_t i = 0; i < depth; i++) {
		if (!read_record(b, len, pos, &r))
			return -1;
		if (r.info.multipart) {
			pos = child_at(b, len, &r, section[i]);
			at_message = false;
		} else if (at_message) {
			if (section[i] != 1)
				return -1;
			at_message = false;
		} else if (r.info.message) {
			/* n.k of a message/rfc822 part: part k of the message in it */
			pos = r.next;
			at_message = true;
			i--;
		} else {
			return -1;
		}
		if (pos == 0)
			return -1;
	}
	if (!read_record(b, len, pos, &r))
		return -1;
	if (r.info.message) {
		if (!read_record(b, len, r.next, &inner))
			return -1;
		r.info.msg_header_offset = inner.info.header_offset;
		r.info.msg_header_size = inner.info.header_size;
		r.info.msg_body_offset = inner.info.body_offset;
		r.info.msg_body_size = inner.info.body_size;
	}
	memcpy(info_r, &r.info, sizeof(*info_r)); /* padding too, for memcmp users */
	return 0;
}
