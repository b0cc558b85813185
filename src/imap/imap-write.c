/* imap-write.c — the formatter's building blocks: strings, literals, text,
 * flags, sets, sections and fetch item names (see imap-write.h).
 */
#include "imap-write-private.h"
#include "lib/istring.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>

/* RFC 7888 section 5: LITERAL- allows {n+} up to this size. */
#define LITERAL_MINUS_MAX 4096

struct imap_writer imap_writer_response(struct buf *out, unsigned flags)
{
	struct imap_writer w = {out, flags, NULL};

	return w;
}

void w_str(struct imap_writer *w, const char *s)
{
	buf_append_str(w->buf, s);
}

void w_byte(struct imap_writer *w, char c)
{
	buf_append_byte(w->buf, (unsigned char)c);
}

void w_u64(struct imap_writer *w, uint64_t n)
{
	buf_append_u64(w->buf, n);
}

static void add_mark(struct imap_command_output *out, enum imap_write_mark_kind kind, uint64_t size,
		     void *stream)
{
	if (out->mark_count == out->mark_cap) {
		out->mark_cap = out->mark_cap ? out->mark_cap * 2 : 4;
		out->marks = xreallocarray(out->marks, out->mark_cap, sizeof(*out->marks));
	}
	out->marks[out->mark_count].offset = out->buf.len;
	out->marks[out->mark_count].kind = kind;
	out->marks[out->mark_count].size = size;
	out->marks[out->mark_count].stream = stream;
	out->mark_count++;
}

void w_literal_header(struct imap_writer *w, uint64_t size, bool literal8)
{
	bool nonsync = w->cmd != NULL &&
		       ((w->flags & IMAP_WRITE_LITERAL_PLUS) ||
			((w->flags & IMAP_WRITE_LITERAL_MINUS) && size <= LITERAL_MINUS_MAX));

	if (literal8)
		w_byte(w, '~');
	w_byte(w, '{');
	w_u64(w, size);
	w_str(w, nonsync ? "+}\r\n" : "}\r\n");
	if (w->cmd != NULL && !nonsync)
		add_mark(w->cmd, IMAP_MARK_CONTINUATION, 0, NULL);
}

/* For streamed APPEND data: the caller inserts the bytes at this point. */
void w_stream_mark(struct imap_writer *w, uint64_t size, void *stream)
{
	add_mark(w->cmd, IMAP_MARK_STREAM, size, stream);
}

static unsigned istring_flags(const struct imap_writer *w, bool astring)
{
	return ((w->flags & IMAP_WRITE_UTF8) ? ISTRING_UTF8 : 0) | (astring ? ISTRING_ASTRING : 0);
}

void w_string(struct imap_writer *w, const char *data, size_t len, bool astring)
{
	unsigned flags = istring_flags(w, astring);

	if (istring_needs_literal(data, len, flags)) {
		w_literal_header(w, len, false);
		buf_append(w->buf, data, len);
		return;
	}
	istring_append(w->buf, data, len, flags);
}

void w_astring(struct imap_writer *w, const char *s)
{
	w_string(w, s, strlen(s), true);
}

void w_nstring(struct imap_writer *w, const char *s)
{
	if (s == NULL)
		w_str(w, "NIL");
	else
		w_string(w, s, strlen(s), false);
}

static bool all_chars(const char *s, bool (*ok)(unsigned char))
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!ok((unsigned char)*s))
			return false;
	return true;
}

static bool is_atom_char(unsigned char c)
{
	return istring_is_atom_char(c);
}

static bool is_list_char(unsigned char c)
{
	return istring_is_astring_char(c) || c == '%' || c == '*';
}

void w_charset(struct imap_writer *w, const char *s)
{
	/* charset = atom / quoted: never a literal. */
	if (all_chars(s, is_atom_char))
		w_str(w, s);
	else
		w_quoted(w, s);
}

void w_list_mailbox(struct imap_writer *w, const char *s)
{
	if (all_chars(s, is_list_char) && str_casecmp(s, "NIL") != 0)
		w_str(w, s);
	else
		w_string(w, s, strlen(s), false);
}

void w_quoted(struct imap_writer *w, const char *s)
{
	w_byte(w, '"');
	for (; *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n')
			continue;
		if (*s == '"' || *s == '\\')
			w_byte(w, '\\');
		w_byte(w, *s);
	}
	w_byte(w, '"');
}

void w_text(struct imap_writer *w, const char *text)
{
	for (; *text != '\0'; text++)
		w_byte(w, *text == '\r' || *text == '\n' ? ' ' : *text);
}

void w_flag_list(struct imap_writer *w, const struct imap_strlist *flags)
{
	w_byte(w, '(');
	for (size_t i = 0; i < flags->count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		w_str(w, flags->items[i]);
	}
	w_byte(w, ')');
}

/* *(SP atom) */
void w_strlist_atoms(struct imap_writer *w, const struct imap_strlist *list)
{
	for (size_t i = 0; i < list->count; i++) {
		w_byte(w, ' ');
		w_str(w, list->items[i]);
	}
}

void w_seqset(struct imap_writer *w, const struct imap_seqset *set)
{
	imap_seqset_write(w->buf, set);
}

void w_section(struct imap_writer *w, const struct imap_section *sec)
{
	static const char *const texts[] = {
		[IMAP_SECTION_NONE] = "",
		[IMAP_SECTION_HEADER] = "HEADER",
		[IMAP_SECTION_HEADER_FIELDS] = "HEADER.FIELDS",
		[IMAP_SECTION_HEADER_FIELDS_NOT] = "HEADER.FIELDS.NOT",
		[IMAP_SECTION_TEXT] = "TEXT",
		[IMAP_SECTION_MIME] = "MIME",
	};

	w_byte(w, '[');
	for (size_t i = 0; i < sec->part_count; i++) {
		if (i > 0)
			w_byte(w, '.');
		w_u64(w, sec->parts[i]);
	}
	if (sec->text != IMAP_SECTION_NONE) {
		if (sec->part_count > 0)
			w_byte(w, '.');
		w_str(w, texts[sec->text]);
	}
	if (sec->text == IMAP_SECTION_HEADER_FIELDS ||
	    sec->text == IMAP_SECTION_HEADER_FIELDS_NOT) {
		w_str(w, " (");
		for (size_t i = 0; i < sec->fields.count; i++) {
			if (i > 0)
				w_byte(w, ' ');
			w_astring(w, sec->fields.items[i]);
		}
		w_byte(w, ')');
	}
	w_byte(w, ']');
}

void w_fetch_item(struct imap_writer *w, const struct imap_fetch_item *item, bool response)
{
	w_str(w, imap_fetch_kind_name(item->kind));
	if (item->peek && !response)
		w_str(w, ".PEEK");
	switch (item->kind) {
	case IMAP_FETCH_BODY_SECTION:
	case IMAP_FETCH_BINARY:
		w_section(w, &item->section);
		if (item->has_partial) {
			w_byte(w, '<');
			w_u64(w, item->partial_offset);
			if (!response) {
				w_byte(w, '.');
				w_u64(w, item->partial_length);
			}
			w_byte(w, '>');
		}
		break;
	case IMAP_FETCH_BINARY_SIZE:
		w_section(w, &item->section);
		break;
	case IMAP_FETCH_PREVIEW:
		if (item->preview_lazy && !response)
			w_str(w, " (LAZY)");
		break;
	default:
		break;
	}
}

void w_datetime(struct imap_writer *w, const struct imap_datetime *dt)
{
	imap_datetime_write(w->buf, dt);
}

void w_value(struct imap_writer *w, const struct imap_value *v)
{
	switch (v->kind) {
	case IMAP_VALUE_NIL:
		w_str(w, "NIL");
		break;
	case IMAP_VALUE_ATOM:
		buf_append(w->buf, v->str, v->len);
		break;
	case IMAP_VALUE_STRING:
		w_string(w, v->str, v->len, false);
		break;
	case IMAP_VALUE_BINARY:
		w_literal_header(w, v->len, true);
		buf_append(w->buf, v->str, v->len);
		break;
	case IMAP_VALUE_LIST:
		w_byte(w, '(');
		for (size_t i = 0; i < v->count; i++) {
			if (i > 0)
				w_byte(w, ' ');
			w_value(w, &v->items[i]);
		}
		w_byte(w, ')');
		break;
	}
}

void w_partial_range(struct imap_writer *w, int64_t first, int64_t last)
{
	buf_printf(w->buf, "%lld:%lld", (long long)first, (long long)last);
}

void w_id_params(struct imap_writer *w, const struct imap_id_params *id)
{
	if (!id->list) {
		w_str(w, "NIL");
		return;
	}
	w_byte(w, '(');
	for (size_t i = 0; i < id->count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		w_string(w, id->params[i].key, strlen(id->params[i].key), false);
		w_byte(w, ' ');
		w_nstring(w, id->params[i].value);
	}
	w_byte(w, ')');
}

void w_status_items(struct imap_writer *w, unsigned items)
{
	bool first = true;

	w_byte(w, '(');
	for (unsigned i = 0; i < IMAP_STATUS_ITEM_COUNT; i++) {
		if (!(items & (1u << i)))
			continue;
		if (!first)
			w_byte(w, ' ');
		w_str(w, imap_status_item_name(1u << i));
		first = false;
	}
	w_byte(w, ')');
}

/* Public pieces (response side). */

void imap_write_astring(struct buf *out, const char *str, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	w_astring(&w, str);
}

void imap_write_string(struct buf *out, const char *data, size_t len, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	w_string(&w, data, len, false);
}

void imap_write_nstring(struct buf *out, const char *str, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	w_nstring(&w, str);
}

void imap_write_literal_header(struct buf *out, uint64_t size, bool literal8)
{
	struct imap_writer w = imap_writer_response(out, 0);

	w_literal_header(&w, size, literal8);
}

void imap_write_text(struct buf *out, const char *text)
{
	struct imap_writer w = imap_writer_response(out, 0);

	w_text(&w, text);
}

void imap_write_flag_list(struct buf *out, const struct imap_strlist *flags)
{
	struct imap_writer w = imap_writer_response(out, 0);

	w_flag_list(&w, flags);
}

void imap_write_section(struct buf *out, const struct imap_section *section, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	w_section(&w, section);
}

void imap_write_fetch_item_name(struct buf *out, const struct imap_fetch_item *item, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	w_fetch_item(&w, item, true);
}

void imap_write_envelope(struct buf *out, const struct imap_envelope *env, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	w_envelope(&w, env);
}

void imap_write_body(struct buf *out, const struct imap_body *body, bool extensible, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	w_body(&w, body, extensible);
}

void imap_write_resp_code(struct buf *out, const struct imap_resp_code *code)
{
	struct imap_writer w = imap_writer_response(out, 0);

	w_resp_code(&w, code);
}
