/* mbox-meta.c — mbox bookkeeping header fields and record writing (see
 * mbox-meta.h). */
#include "mbox-meta.h"
#include "mailio-text.h"
#include "lib/str.h"
#include "store/store.h"

#include <string.h>

static const char *const bookkeeping[] = {"Status", "X-Status", "X-Keywords",
					  "X-UID",  "X-IMAP",   "X-IMAPbase"};

struct field {
	const unsigned char *start; /* the field's first line */
	size_t len;                 /* with continuation lines and line ends */
	size_t name_len;
	const unsigned char *value; /* after ':' */
	size_t value_len;           /* without the final line end */
};

/* The next header field at *pos, or false at the end of the header. */
static bool next_field(const unsigned char *p, size_t len, size_t *pos, struct field *f_r)
{
	size_t i = *pos, end;
	const unsigned char *colon;

	if (i >= len || p[i] == '\n' || (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n'))
		return false;
	end = i;
	do {
		const unsigned char *nl = memchr(p + end, '\n', len - end);

		end = nl != NULL ? (size_t)(nl - p) + 1 : len;
	} while (end < len && (p[end] == ' ' || p[end] == '\t'));
	f_r->start = p + i;
	f_r->len = end - i;
	colon = memchr(p + i, ':', end - i);
	f_r->name_len = colon != NULL ? (size_t)(colon - (p + i)) : 0;
	f_r->value = colon != NULL ? colon + 1 : p + end;
	f_r->value_len = (size_t)(p + end - f_r->value);
	while (f_r->value_len > 0 &&
	       (f_r->value[f_r->value_len - 1] == '\n' || f_r->value[f_r->value_len - 1] == '\r'))
		f_r->value_len--;
	*pos = end;
	return true;
}

static bool field_is(const struct field *f, const char *name)
{
	return f->name_len == strlen(name) &&
	       str_has_prefix_ci((const char *)f->start, f->name_len, name);
}

static bool has_letter(const struct field *f, char c)
{
	return memchr(f->value, c, f->value_len) != NULL;
}

static void status_flags(const struct field *f, struct mbox_meta *m)
{
	if (field_is(f, "Status") && has_letter(f, 'R'))
		m->flags |= STORE_FLAG_SEEN;
	if (!field_is(f, "X-Status"))
		return;
	m->flags |= has_letter(f, 'A') ? STORE_FLAG_ANSWERED : 0;
	m->flags |= has_letter(f, 'F') ? STORE_FLAG_FLAGGED : 0;
	m->flags |= has_letter(f, 'T') ? STORE_FLAG_DRAFT : 0;
	m->flags |= has_letter(f, 'D') ? STORE_FLAG_DELETED : 0;
}

/* Keywords separated by spaces, tabs or commas, appended space-separated. */
static void add_keywords(struct buf *kw, const unsigned char *v, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = 0;

		while (i < len &&
		       (v[i] == ' ' || v[i] == '\t' || v[i] == ',' || v[i] == '\r' || v[i] == '\n'))
			i++;
		while (i + n < len && v[i + n] != ' ' && v[i + n] != '\t' && v[i + n] != ',' &&
		       v[i + n] != '\r' && v[i + n] != '\n')
			n++;
		if (n == 0)
			break;
		if (kw->len > 0)
			buf_append_byte(kw, ' ');
		buf_append(kw, v + i, n);
		i += n;
	}
}

/* Thunderbird: 0x1 read, 0x2 replied, 0x4 marked, 0x8 expunged. */
static unsigned mozilla_flags(const struct field *f)
{
	unsigned v = 0, n = 0;

	for (size_t i = 0; i < f->value_len && n < 8; i++) {
		int c = ascii_tolower(f->value[i]);

		if (c == ' ' || c == '\t')
			continue;
		if (!ascii_isdigit(c) && (c < 'a' || c > 'f'))
			return 0;
		v = v * 16 + (unsigned)(ascii_isdigit(c) ? c - '0' : c - 'a' + 10);
		n++;
	}
	return ((v & 1) ? STORE_FLAG_SEEN : 0) | ((v & 2) ? STORE_FLAG_ANSWERED : 0) |
	       ((v & 4) ? STORE_FLAG_FLAGGED : 0) | ((v & 8) ? STORE_FLAG_DELETED : 0);
}

static bool is_bookkeeping(const struct field *f)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(bookkeeping); i++)
		if (field_is(f, bookkeeping[i]))
			return true;
	return false;
}

void mbox_meta_extract(const void *data, size_t len, struct buf *out, struct mbox_meta *meta_r)
{
	const unsigned char *p = data;
	struct buf moz_kw = BUF_INIT;
	struct field f;
	size_t pos = 0, copied = 0;
	unsigned moz = 0;
	bool own = false, x_imap = false, internal = false;

	if (len == 0)
		return;
	while (next_field(p, len, &pos, &f)) {
		if (field_is(&f, "X-Mozilla-Status"))
			moz = mozilla_flags(&f);
		else if (field_is(&f, "X-Mozilla-Keys"))
			add_keywords(&moz_kw, f.value, f.value_len);
		else if (field_is(&f, "Subject"))
			internal = str_find_ci((const char *)f.value, f.value_len,
					       "FOLDER INTERNAL DATA", 20) != NULL;
		if (!is_bookkeeping(&f))
			continue;
		own = own || field_is(&f, "Status") || field_is(&f, "X-Status");
		x_imap = x_imap || field_is(&f, "X-IMAP");
		status_flags(&f, meta_r);
		if (field_is(&f, "X-Keywords"))
			add_keywords(&meta_r->keywords, f.value, f.value_len);
		/* Copy what came before this field, skip the field. */
		buf_append(out, p + copied, (size_t)(f.start - p) - copied);
		copied = (size_t)(f.start - p) + f.len;
	}
	buf_append(out, p + copied, len - copied);
	/* Thunderbird's fields count only in a file with none of the classic
	 * ones (ours always has Status). */
	if (!own && meta_r->keywords.len == 0) {
		meta_r->flags |= moz;
		buf_append(&meta_r->keywords, moz_kw.data, moz_kw.len);
	}
	meta_r->pseudo = x_imap && internal;
	buf_free(&moz_kw);
}

void mbox_meta_clear(struct mbox_meta *meta)
{
	buf_free(&meta->keywords);
	meta->flags = 0;
	meta->pseudo = false;
}

const char *mbox_meta_return_path(const void *data, size_t len, size_t *len_r)
{
	struct field f;
	size_t pos = 0;

	*len_r = 0;
	while (next_field(data, len, &pos, &f)) {
		const unsigned char *lt, *gt;

		if (!field_is(&f, "Return-Path"))
			continue;
		lt = memchr(f.value, '<', f.value_len);
		gt = lt != NULL ? memchr(lt, '>', f.value_len - (size_t)(lt - f.value)) : NULL;
		if (gt == NULL)
			return NULL;
		*len_r = (size_t)(gt - lt - 1);
		return (const char *)lt + 1;
	}
	return NULL;
}

static void write_meta(unsigned flags, const char *keywords, const char *eol, struct buf *out)
{
	buf_printf(out, "Status: %sO%s", (flags & STORE_FLAG_SEEN) ? "R" : "", eol);
	if ((flags & (STORE_FLAG_ANSWERED | STORE_FLAG_FLAGGED | STORE_FLAG_DRAFT |
		      STORE_FLAG_DELETED)) != 0)
		buf_printf(out, "X-Status: %s%s%s%s%s", (flags & STORE_FLAG_ANSWERED) ? "A" : "",
			   (flags & STORE_FLAG_FLAGGED) ? "F" : "",
			   (flags & STORE_FLAG_DRAFT) ? "T" : "",
			   (flags & STORE_FLAG_DELETED) ? "D" : "", eol);
	if (keywords != NULL && keywords[0] != '\0')
		buf_printf(out, "X-Keywords: %s%s", keywords, eol);
}

/* Does this line (at p, n bytes to the end of the data) need a '>'? */
static bool needs_quote(const unsigned char *p, size_t n, enum mbox_format format)
{
	size_t q = 0;

	if (format == MBOX_MBOXRD)
		while (q < n && p[q] == '>')
			q++;
	return n - q >= 5 && memcmp(p + q, "From ", 5) == 0;
}

static void write_quoted(const unsigned char *p, size_t len, enum mbox_format format,
			 struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		const unsigned char *nl = memchr(p + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - p) + 1 : len;

		if (needs_quote(p + i, len - i, format))
			buf_append_byte(out, '>');
		buf_append(out, p + i, end - i);
		i = end;
	}
}

void mbox_write_record(const void *data, size_t len, unsigned flags, const char *keywords,
		       int64_t date, int tz, enum mbox_format format, struct buf *out)
{
	const unsigned char *p = data;
	struct buf body = BUF_INIT;
	bool lf = mailio_lf_reversible(data, len);
	size_t sender_len;
	const char *sender = mbox_meta_return_path(data, len, &sender_len);

	mbox_from_write(sender != NULL ? sender : "", sender_len, date, tz, out);
	/* A message starting with white space would have it read as part of
	 * our field: then it goes without (it has no valid header anyway). */
	if (len == 0 || (p[0] != ' ' && p[0] != '\t'))
		write_meta(flags, keywords, lf ? "\n" : "\r\n", &body);
	if (lf)
		mailio_to_lf(data, len, &body);
	else
		buf_append(&body, data, len);
	write_quoted(body.data, body.len, format, out);
	buf_append_byte(out, '\n');
	buf_free(&body);
}
