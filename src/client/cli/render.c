/* render.c — a message made readable (render.h). */
#include "render.h"

#include "html-text.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "mime/mime.h"

#include <stdio.h>
#include <string.h>

static void field_value(const struct mime_field *f, const char **v_r, size_t *n_r)
{
	*v_r = (const char *)f->raw + f->value_offset;
	*n_r = f->raw_len - f->value_offset;
}

void render_header(const struct render *r, const char *name, struct buf *out)
{
	const struct mime_field *f = mime_part_find_field(mime_message_root(r->msg), name);
	const char *v;
	size_t n;

	if (f == NULL)
		return;
	field_value(f, &v, &n);
	mime_header_decode(v, n, out);
}

void render_header_raw(const struct render *r, const char *name, struct buf *out)
{
	const struct mime_field *f = mime_part_find_field(mime_message_root(r->msg), name);
	const char *v;
	size_t n;

	if (f == NULL)
		return;
	field_value(f, &v, &n);
	mime_value_unfold(v, n, out);
}

static bool is_attachment(const struct mime_part *p, struct arena *a)
{
	const struct mime_field *f = mime_part_find_field(p, "Content-Disposition");
	const char *v;
	size_t n;

	if (f != NULL) {
		field_value(f, &v, &n);
		while (n > 0 && ascii_isspace((unsigned char)*v)) {
			v++;
			n--;
		}
		if (str_has_prefix_ci(v, n, "attachment"))
			return true;
	}
	if (mime_part_filename(p, a) != NULL)
		return true;
	return strcmp(mime_part_type(p), "text") != 0;
}

static void add_attachment(struct render *r, const struct mime_part *p)
{
	struct mime_part_info info;
	struct render_attachment *att;
	const char *name = mime_part_filename(p, r->arena);

	mime_part_get_info(p, &info);
	r->att = xreallocarray(r->att, r->natt + 1, sizeof(*r->att));
	att = &r->att[r->natt++];
	att->part = p;
	att->size = info.decoded_size_known ? info.decoded_size : info.body_size;
	att->type = xmalloc(strlen(mime_part_type(p)) + strlen(mime_part_subtype(p)) + 2);
	sprintf(att->type, "%s/%s", mime_part_type(p), mime_part_subtype(p));
	if (name != NULL && name[0] != '\0') {
		/* Never a path: only the last component, never "." or "..". */
		const char *slash = strrchr(name, '/');

		name = slash ? slash + 1 : name;
	}
	if (name == NULL || name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "part-%zu", r->natt);
		att->filename = xstrdup(tmp);
	} else {
		att->filename = xstrdup(name);
	}
}

/* Depth-first: the first plain (else html) text part that is not an
 * attachment is the text; every other leaf and every encapsulated
 * message is an attachment. Inside multipart/alternative only the chosen
 * part counts; the other forms of the same text are not attachments. */
static void walk(struct render *r, const struct mime_part *p, bool alternative, int depth)
{
	const struct mime_part *c;

	if (depth > 64)
		return;
	if (mime_part_first_child(p) != NULL) {
		bool alt = strcmp(mime_part_subtype(p), "alternative") == 0;

		for (c = mime_part_first_child(p); c != NULL; c = mime_part_next(c))
			walk(r, c, alt, depth + 1);
		return;
	}
	if (mime_part_message(p) == NULL && !is_attachment(p, r->arena)) {
		bool html = strcmp(mime_part_subtype(p), "html") == 0;
		bool plain = strcmp(mime_part_subtype(p), "plain") == 0;

		if (r->text_part == NULL || (r->text_is_html && plain && alternative)) {
			r->text_part = p;
			r->text_is_html = html;
			return;
		}
		if (alternative)
			return;
	}
	add_attachment(r, p);
}

void render_open(struct render *r, const void *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->arena = arena_new(0);
	r->data = data;
	r->len = len;
	r->msg = mime_parse(r->arena, data, len, NULL);
	walk(r, mime_message_root(r->msg), false, 0);
}

void render_close(struct render *r)
{
	for (size_t i = 0; i < r->natt; i++) {
		free(r->att[i].filename);
		free(r->att[i].type);
	}
	free(r->att);
	arena_free(&r->arena);
	memset(r, 0, sizeof(*r));
}

static int decode_part(const struct render *r, const struct mime_part *p, struct buf *out,
		       const char **error_r)
{
	struct mime_part_info info;

	mime_part_get_info(p, &info);
	if (info.body_offset + info.body_size > r->len) {
		*error_r = "part outside the message";
		return -1;
	}
	return mime_decode_transfer(info.cte, r->data + info.body_offset, (size_t)info.body_size,
				    out, error_r);
}

void render_text(const struct render *r, struct buf *out)
{
	struct buf raw = BUF_INIT, utf8 = BUF_INIT;
	const char *err;

	if (r->text_part == NULL) {
		buf_append_str(out, "(this message has no text part)\n");
		return;
	}
	if (decode_part(r, r->text_part, &raw, &err) < 0) {
		buf_printf(out, "(cannot decode the text: %s)\n", err);
		buf_free(&raw);
		return;
	}
	mime_charset_to_utf8(mime_part_param(r->text_part, "charset"), raw.data, raw.len, &utf8);
	if (r->text_is_html) {
		html_to_text((const char *)utf8.data, utf8.len, out);
	} else {
		/* CRLF to LF for the terminal. */
		for (size_t i = 0; i < utf8.len; i++)
			if (!(utf8.data[i] == '\r' && i + 1 < utf8.len && utf8.data[i + 1] == '\n'))
				buf_append_byte(out, utf8.data[i]);
		if (out->len > 0 && out->data[out->len - 1] != '\n')
			buf_append_byte(out, '\n');
	}
	buf_free(&raw);
	buf_free(&utf8);
}

int render_attachment_data(const struct render *r, size_t n, struct buf *out, const char **error_r)
{
	const struct mime_part *p;

	if (n == 0 || n > r->natt) {
		*error_r = "no such attachment";
		return -1;
	}
	p = r->att[n - 1].part;
	if (mime_part_message(p) != NULL) {
		/* message/rfc822: the encapsulated message as it is. */
		struct mime_part_info info;

		mime_part_get_info(p, &info);
		buf_append(out, r->data + info.body_offset, (size_t)info.body_size);
		return 0;
	}
	return decode_part(r, p, out, error_r);
}
