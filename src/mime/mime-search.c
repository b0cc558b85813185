/* mime-search.c — the searchable text of a message (SEARCH TEXT, BODY,
 * HEADER from the store's full-text index) and its PREVIEW (RFC 8970). */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

#define PREVIEW_CHARS   200
#define PREVIEW_RAW_MAX (64 * 1024)

/* Append UTF-8 text with control bytes but tab and LF as spaces, at most
 * until out->len reaches `limit`, never cutting a character. Returns
 * false once the limit is reached. */
static bool append_clean(struct buf *out, const unsigned char *s, size_t len, size_t limit)
{
	size_t n = len, start = out->len;
	bool room = true;

	if (out->len >= limit)
		return false;
	if (n > limit - out->len) {
		n = limit - out->len;
		while (n > 0 && (s[n] & 0xc0) == 0x80)
			n--;
		room = false;
	}
	buf_append(out, s, n);
	for (size_t i = start; i < out->len; i++) {
		unsigned char c = out->data[i];

		if ((c < 32 && c != '\t' && c != '\n') || c == 127)
			out->data[i] = ' ';
	}
	return room;
}

static bool part_is_text(const struct mime_part *part)
{
	return !part->is_multipart && !part->opaque && part->message == NULL &&
	       strcmp(part->type, "text") == 0;
}

/* The text of a text part as UTF-8, from at most raw_max encoded bytes. */
static void part_text(const struct mime_part *part, size_t raw_max, struct buf *out)
{
	struct buf decoded = BUF_INIT, utf8 = BUF_INIT;
	size_t raw_len = part->body_len < raw_max ? part->body_len : raw_max;
	const unsigned char *raw = part->data + part->body_off;
	const char *err;

	if (mime_decode_transfer(part->cte, raw, raw_len, &decoded, &err) < 0)
		buf_append(&decoded, raw, raw_len); /* unknown encoding: as it is */
	mime_charset_to_utf8(mime_part_param(part, "charset"), decoded.data, decoded.len, &utf8);
	if (strcmp(part->subtype, "html") == 0)
		mime_html_to_text(utf8.data, utf8.len, out);
	else
		buf_append(out, utf8.data, utf8.len);
	buf_free(&decoded);
	buf_free(&utf8);
}

static bool append_fields(const struct mime_part *part, struct buf *out, size_t limit)
{
	struct buf b = BUF_INIT;
	bool room = true;

	for (size_t i = 0; i < part->field_count && room; i++) {
		const struct mime_field *f = &part->fields[i];

		buf_reset(&b);
		mime_utf8_sanitize(f->name, f->name_len, true, &b);
		buf_append_str(&b, ": ");
		mime_header_decode(f->raw + f->value_offset, f->raw_len - f->value_offset, &b);
		buf_append_byte(&b, '\n');
		room = append_clean(out, b.data, b.len, limit);
	}
	buf_free(&b);
	return room;
}

/* Depth-first over the parts; returns false once the limit is reached. */
static bool collect_body(const struct mime_part *part, struct buf *out, size_t limit)
{
	if (part->is_multipart) {
		for (const struct mime_part *c = part->children; c != NULL; c = c->next)
			if (!collect_body(c, out, limit))
				return false;
		return true;
	}
	if (part->message != NULL)
		return append_fields(part->message, out, limit) &&
		       collect_body(part->message, out, limit);
	if (part_is_text(part)) {
		struct buf text = BUF_INIT;
		size_t room = limit > out->len ? limit - out->len : 0;
		/* Enough encoded bytes for the room left: base64 and QP grow by
		 * at most 3x, HTML markup by anything, so it gets more. */
		size_t factor = strcmp(part->subtype, "html") == 0 ? 16 : 4;
		size_t raw_max = room > SIZE_MAX / factor - 64 ? SIZE_MAX : room * factor + 64;
		bool ok;

		part_text(part, raw_max, &text);
		buf_append_byte(&text, '\n');
		ok = append_clean(out, text.data, text.len, limit);
		buf_free(&text);
		return ok;
	}
	return true;
}

void mime_search_text(const struct mime_message *msg, struct buf *headers_out, struct buf *body_out)
{
	if (headers_out != NULL) {
		size_t limit = headers_out->len + msg->limits.max_search_header_bytes;

		(void)append_fields(msg->root, headers_out, limit);
	}
	if (body_out != NULL) {
		size_t limit = body_out->len + msg->limits.max_search_body_bytes;

		(void)collect_body(msg->root, body_out, limit);
	}
}

static bool is_attachment(const struct mime_part *part)
{
	const unsigned char *v;
	size_t len, i = 0;

	if (!mime_part_known_value(part, MIME_H_CONTENT_DISPOSITION, &v, &len))
		return false;
	while (i < len && ascii_isspace(v[i]))
		i++;
	return len - i >= 10 && str_has_prefix_ci((const char *)v + i, len - i, "attachment");
}

/* The first inline text part of this subtype, not looking inside
 * attached messages. */
static const struct mime_part *find_text(const struct mime_part *part, const char *subtype)
{
	if (part->is_multipart) {
		for (const struct mime_part *c = part->children; c != NULL; c = c->next) {
			const struct mime_part *t = find_text(c, subtype);

			if (t != NULL)
				return t;
		}
		return NULL;
	}
	if (part_is_text(part) && strcmp(part->subtype, subtype) == 0 && !is_attachment(part))
		return part;
	return NULL;
}

static bool is_unicode_space(const unsigned char *s, size_t len, size_t *n_r)
{
	if (ascii_isspace(s[0]) || s[0] == '\f' || s[0] == '\v') {
		*n_r = 1;
		return true;
	}
	if (len >= 2 && s[0] == 0xc2 && s[1] == 0xa0) { /* NBSP */
		*n_r = 2;
		return true;
	}
	return false;
}

void mime_preview(const struct mime_message *msg, struct buf *out)
{
	const struct mime_part *part = find_text(msg->root, "plain");
	struct buf text = BUF_INIT;
	size_t chars = 0, i = 0;
	bool space = false;

	if (part == NULL)
		part = find_text(msg->root, "html");
	if (part == NULL)
		return;
	part_text(part, PREVIEW_RAW_MAX, &text);
	while (i < text.len && chars < PREVIEW_CHARS) {
		const unsigned char *s = text.data + i;
		size_t n = 1;

		if (is_unicode_space(s, text.len - i, &n) || *s < 32 || *s == 127) {
			space = true;
			i += n;
			continue;
		}
		if (space && chars > 0) {
			buf_append_byte(out, ' ');
			if (++chars == PREVIEW_CHARS)
				break;
		}
		space = false;
		/* The text is valid UTF-8: a lead byte says the length. */
		n = *s < 0x80 ? 1 : *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;
		if (n > text.len - i)
			break;
		buf_append(out, s, n);
		chars++;
		i += n;
	}
	buf_free(&text);
}
