/* store-parsed-prefix.c — derive the parse of prefix + message from the
 * parse of the message (see store-parsed-prefix.h). Header lines in front
 * change nothing the store caches except the part offsets (shifted), the
 * size and the header search text; ENVELOPE, BODYSTRUCTURE, the list-view
 * header lines and the sort and thread keys come from fields a delivery
 * header (Delivered-To:) is not one of. */
#include "store-parsed-prefix.h"
#include "store-parsed.h"
#include "store-search.h"
#include "lib/mem.h"
#include "mime/mime-index-shift.h"

#include <string.h>

#define PREFIX_MAX (64 * 1024)

static bool prefix_valid(const char *prefix, size_t len)
{
	if (len < 2 || len > PREFIX_MAX || prefix[len - 2] != '\r' || prefix[len - 1] != '\n')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (prefix[i] == '\0')
			return false;
		if (prefix[i] == '\r' && (i + 1 == len || prefix[i + 1] != '\n'))
			return false;
		if (prefix[i] == '\n' && (i == 0 || prefix[i - 1] != '\r'))
			return false;
	}
	/* A line that starts with white space continues the one before:
	 * the first cannot. */
	return prefix[0] != ' ' && prefix[0] != '\t' && prefix[0] != '\r';
}

static void copy_buf(struct buf *to, const struct buf *from)
{
	if (from->len > 0)
		buf_append(to, from->data, from->len);
}

static const char *copy_str(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

/* The prefix as mime_search_text() writes fields, "Name: value\n" with
 * folded lines joined, case-folded, then the base's header text. */
static void fill_fts_headers(struct store_parsed *p, const struct store_parsed *base,
			     const char *prefix, size_t len)
{
	struct buf plain = BUF_INIT;
	char *folded;
	size_t flen;

	for (size_t i = 0; i < len; i++) {
		if (prefix[i] == '\r' && i + 2 < len &&
		    (prefix[i + 2] == ' ' || prefix[i + 2] == '\t'))
			i++;
		else if (prefix[i] != '\r')
			buf_append_byte(&plain, (unsigned char)prefix[i]);
	}
	folded = store_search_fold((const char *)buf_cstr(&plain), plain.len, &flen);
	buf_append(&p->fts_headers, folded, flen);
	free(folded);
	buf_free(&plain);
	copy_buf(&p->fts_headers, &base->fts_headers);
}

static void copy_keys(struct store_parsed *p, const struct store_parsed *base)
{
	p->has_sent_date = base->has_sent_date;
	p->sent_date = base->sent_date;
	p->sent_tz = base->sent_tz;
	p->message_id = copy_str(p->arena, base->message_id);
	p->references = arena_alloc(p->arena, (base->reference_count + 1) * sizeof(*p->references));
	for (size_t i = 0; i < base->reference_count; i++)
		p->references[i] = arena_strdup(p->arena, base->references[i]);
	p->reference_count = base->reference_count;
	p->sort_subject = copy_str(p->arena, base->sort_subject);
	p->sort_from = copy_str(p->arena, base->sort_from);
	p->sort_to = copy_str(p->arena, base->sort_to);
	p->sort_cc = copy_str(p->arena, base->sort_cc);
	p->display_from = copy_str(p->arena, base->display_from);
	p->display_to = copy_str(p->arena, base->display_to);
	p->preview = copy_str(p->arena, base->preview);
}

struct store_parsed *store_parsed_prefixed(const struct store_parsed *base, const char *prefix,
					   size_t len)
{
	struct store_parsed *p;

	if (base->size == 0 || !prefix_valid(prefix, len))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	if (mime_part_index_shift(base->parts.data, base->parts.len, len, &p->parts) < 0) {
		free(p);
		return NULL;
	}
	p->arena = arena_new(4096);
	p->size = len + base->size;
	p->data = xmalloc(p->size + 1);
	memcpy(p->data, prefix, len);
	memcpy(p->data + len, base->data, base->size);
	p->data[p->size] = '\0';
	copy_buf(&p->envelope, &base->envelope);
	copy_buf(&p->bodystructure, &base->bodystructure);
	copy_buf(&p->body, &base->body);
	copy_buf(&p->headers, &base->headers);
	copy_keys(p, base);
	copy_buf(&p->fts_from, &base->fts_from);
	copy_buf(&p->fts_to, &base->fts_to);
	copy_buf(&p->fts_cc, &base->fts_cc);
	copy_buf(&p->fts_bcc, &base->fts_bcc);
	copy_buf(&p->fts_subject, &base->fts_subject);
	fill_fts_headers(p, base, prefix, len);
	copy_buf(&p->fts_body, &base->fts_body);
	return p;
}
