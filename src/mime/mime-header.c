/* mime-header.c — header field access: the well-known field table, lookup,
 * unfolding, the HEADER.FIELDS writer and the list-view fields. */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

static const char *const hdr_names[MIME_H_COUNT] = {
	[MIME_H_DATE] = "Date",
	[MIME_H_SUBJECT] = "Subject",
	[MIME_H_FROM] = "From",
	[MIME_H_SENDER] = "Sender",
	[MIME_H_REPLY_TO] = "Reply-To",
	[MIME_H_TO] = "To",
	[MIME_H_CC] = "Cc",
	[MIME_H_BCC] = "Bcc",
	[MIME_H_IN_REPLY_TO] = "In-Reply-To",
	[MIME_H_MESSAGE_ID] = "Message-ID",
	[MIME_H_REFERENCES] = "References",
	[MIME_H_CONTENT_TYPE] = "Content-Type",
	[MIME_H_CONTENT_TRANSFER_ENCODING] = "Content-Transfer-Encoding",
	[MIME_H_CONTENT_ID] = "Content-ID",
	[MIME_H_CONTENT_DESCRIPTION] = "Content-Description",
	[MIME_H_CONTENT_DISPOSITION] = "Content-Disposition",
	[MIME_H_CONTENT_LANGUAGE] = "Content-Language",
	[MIME_H_CONTENT_LOCATION] = "Content-Location",
	[MIME_H_CONTENT_MD5] = "Content-MD5",
	[MIME_H_LIST_ID] = "List-Id",
	[MIME_H_PRIORITY] = "Priority",
	[MIME_H_X_PRIORITY] = "X-Priority",
	[MIME_H_IMPORTANCE] = "Importance",
};

static const enum mime_hdr list_hdrs[MIME_LIST_FIELD_COUNT] = {
	[MIME_LIST_FROM] = MIME_H_FROM,
	[MIME_LIST_TO] = MIME_H_TO,
	[MIME_LIST_CC] = MIME_H_CC,
	[MIME_LIST_BCC] = MIME_H_BCC,
	[MIME_LIST_REPLY_TO] = MIME_H_REPLY_TO,
	[MIME_LIST_SENDER] = MIME_H_SENDER,
	[MIME_LIST_SUBJECT] = MIME_H_SUBJECT,
	[MIME_LIST_DATE] = MIME_H_DATE,
	[MIME_LIST_MESSAGE_ID] = MIME_H_MESSAGE_ID,
	[MIME_LIST_IN_REPLY_TO] = MIME_H_IN_REPLY_TO,
	[MIME_LIST_REFERENCES] = MIME_H_REFERENCES,
	[MIME_LIST_CONTENT_TYPE] = MIME_H_CONTENT_TYPE,
	[MIME_LIST_LIST_ID] = MIME_H_LIST_ID,
	[MIME_LIST_PRIORITY] = MIME_H_PRIORITY,
	[MIME_LIST_X_PRIORITY] = MIME_H_X_PRIORITY,
	[MIME_LIST_IMPORTANCE] = MIME_H_IMPORTANCE,
};

enum mime_hdr mime_hdr_lookup(const char *name, size_t len)
{
	/* Every well-known name is 2..25 bytes; the length check first keeps
	 * this cheap for the thousands of other fields a message may carry. */
	if (len < 2 || len > 25)
		return MIME_H_COUNT;
	for (int h = 0; h < MIME_H_COUNT; h++) {
		if (str_eq_ci_n(name, len, hdr_names[h]))
			return (enum mime_hdr)h;
	}
	return MIME_H_COUNT;
}

const char *mime_list_field_name(enum mime_list_field f)
{
	if ((unsigned)f >= MIME_LIST_FIELD_COUNT)
		return NULL;
	return hdr_names[list_hdrs[f]];
}

bool mime_part_known_value(const struct mime_part *part, enum mime_hdr h,
			   const unsigned char **value_r, size_t *len_r)
{
	const struct mime_field *f;

	if (part->known == NULL || part->known[h].name == NULL)
		return false;
	f = &part->known[h];
	*value_r = f->raw + f->value_offset;
	*len_r = f->raw_len - f->value_offset;
	return true;
}

size_t mime_part_field_count(const struct mime_part *part)
{
	return part->field_count;
}

const struct mime_field *mime_part_field(const struct mime_part *part, size_t i)
{
	return i < part->field_count ? &part->fields[i] : NULL;
}

const struct mime_field *mime_part_find_field(const struct mime_part *part, const char *name)
{
	size_t len = strlen(name);
	enum mime_hdr h = mime_hdr_lookup(name, len);

	if (h != MIME_H_COUNT)
		return part->known != NULL && part->known[h].name != NULL ? &part->known[h] : NULL;
	for (size_t i = 0; i < part->field_count; i++) {
		const struct mime_field *f = &part->fields[i];

		if (str_eq_ci_n(f->name, f->name_len, name))
			return f;
	}
	return NULL;
}

/* Append the unfolded value; NUL becomes U+FFFD when asked. Unfolding
 * (RFC 5322 2.2.3) removes every CR and LF of a line break; the WSP that
 * follows stays. A lone CR inside a line is kept. */
static void unfold_append(const unsigned char *v, size_t len, bool nul_to_fffd, struct buf *out)
{
	size_t start = 0, end = len;

	while (start < end && ascii_isspace(v[start]))
		start++;
	while (end > start && ascii_isspace(v[end - 1]))
		end--;
	buf_reserve(out, end - start);
	for (size_t i = start; i < end; i++) {
		unsigned char c = v[i];

		if (c == '\n' || (c == '\r' && i + 1 < end && v[i + 1] == '\n'))
			continue;
		if (c == '\0' && nul_to_fffd)
			buf_append_str(out, MIME_UTF8_REPLACEMENT);
		else
			buf_append_byte(out, c);
	}
}

void mime_value_unfold(const void *value, size_t len, struct buf *out)
{
	unfold_append(value, len, false, out);
}

char *mime_unfold_dup(struct arena *a, const void *value, size_t len, bool nul_to_fffd,
		      size_t *len_r)
{
	struct buf b = BUF_INIT;
	char *s;

	unfold_append(value, len, nul_to_fffd, &b);
	s = arena_strndup(a, (const char *)b.data, b.len);
	if (len_r != NULL)
		*len_r = b.len;
	buf_free(&b);
	return s;
}

/* The end of the field starting at h[pos]: past its continuation lines. */
static size_t field_end(const unsigned char *h, size_t len, size_t pos)
{
	for (;;) {
		const unsigned char *lf = memchr(h + pos, '\n', len - pos);

		if (lf == NULL)
			return len;
		pos = (size_t)(lf - h) + 1;
		if (pos >= len || (h[pos] != ' ' && h[pos] != '\t'))
			return pos;
	}
}

size_t mime_field_name_len(const unsigned char *h, size_t pos, size_t line_end)
{
	size_t i = pos, name_end;

	while (i < line_end && h[i] > 32 && h[i] < 127 && h[i] != ':')
		i++;
	name_end = i;
	while (i < line_end && (h[i] == ' ' || h[i] == '\t'))
		i++;
	if (name_end == pos || i >= line_end || h[i] != ':')
		return 0;
	return name_end - pos;
}

static bool name_listed(const unsigned char *name, size_t len, const char *const *names,
			size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (str_eq_ci_n((const char *)name, len, names[i]))
			return true;
	return false;
}

void mime_header_write_fields(const void *header, size_t len, const char *const *names,
			      size_t count, bool exclude, struct buf *out)
{
	const unsigned char *h = header;
	size_t pos = 0;

	while (pos < len) {
		size_t end = field_end(h, len, pos);
		size_t name_len = mime_field_name_len(h, pos, end);

		if (name_len > 0 && name_listed(h + pos, name_len, names, count) != exclude) {
			buf_append(out, h + pos, end - pos);
			/* The last field of a block cut short may lack its line end. */
			if (h[end - 1] != '\n')
				buf_append_str(out, "\r\n");
		}
		pos = end;
	}
	buf_append_str(out, "\r\n");
}

void mime_list_fields(const struct mime_message *msg, struct arena *a,
		      struct mime_list_value values_r[MIME_LIST_FIELD_COUNT])
{
	struct buf b = BUF_INIT;

	for (int f = 0; f < MIME_LIST_FIELD_COUNT; f++) {
		struct mime_list_value *v = &values_r[f];
		const unsigned char *value;
		size_t len;

		memset(v, 0, sizeof(*v));
		v->raw = v->decoded = "";
		if (!mime_part_known_value(msg->root, list_hdrs[f], &value, &len))
			continue;
		v->present = true;
		v->raw = mime_unfold_dup(a, value, len, true, &v->raw_len);
		buf_reset(&b);
		mime_header_decode(value, len, &b);
		v->decoded = arena_strndup(a, (const char *)b.data, b.len);
		v->decoded_len = b.len;
	}
	buf_free(&b);
}
