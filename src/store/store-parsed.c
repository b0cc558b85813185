/* store-parsed.c — parse a message once (src/mime) and compute everything
 * the store caches for it: the IMAP structures, the part index, the
 * list-view header lines, sort and thread keys, preview and search text. */
#include "store-parsed.h"
#include "store-search.h"
#include "store.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "mime/mime.h"

#include <string.h>

/* The header fields whose raw lines are cached for list views: what
 * Thunderbird (which adds Newsgroups), K-9 (X-K9mail-Identity,
 * Chat-Version), Apple Mail and mutt ask for when they list a folder, so
 * a list view never opens a message file. */
static const char *const list_field_names[] = {
	"From",         "To",       "Cc",         "Bcc",         "Reply-To",   "Sender",
	"Subject",      "Date",     "Message-ID", "In-Reply-To", "References", "Content-Type",
	"List-Id",      "Priority", "X-Priority", "Importance",  "Newsgroups", "X-K9mail-Identity",
	"Chat-Version",
};

/* Bare LF becomes CRLF: IMAP serves messages with CRLF line ends, and
 * RFC822.SIZE must count the bytes BODY[] will send. */
static char *normalize(const void *data, size_t len, size_t *len_r)
{
	const unsigned char *p = data;
	size_t bare = 0;
	char *out, *q;

	for (size_t i = 0; i < len; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			bare++;
	out = xmalloc(len + bare + 1);
	if (bare == 0) {
		memcpy(out, data, len);
	} else {
		q = out;
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
				*q++ = '\r';
			*q++ = (char)p[i];
		}
	}
	out[len + bare] = '\0';
	*len_r = len + bare;
	return out;
}

static void fold_into(struct buf *out, const char *text, size_t len)
{
	size_t flen;
	char *folded = store_search_fold(text, len, &flen);

	buf_append(out, folded, flen);
	free(folded);
}

static const char *first_address(struct arena *a, const struct mime_list_value *v, bool display)
{
	struct mime_sort_address addr;

	if (!v->present || mime_first_address(a, v->raw, v->raw_len, &addr) < 0)
		return NULL;
	if (!display)
		return addr.mailbox;
	/* RFC 5957 section 3: the display name, else the address itself. */
	if (addr.display_name[0] != '\0')
		return addr.display_name;
	return addr.host[0] ? arena_printf(a, "%s@%s", addr.mailbox, addr.host) : addr.mailbox;
}

/* In-Reply-To first, then References from the nearest ancestor back. */
static void thread_refs(struct store_parsed *p, const struct mime_list_value *v)
{
	const char **irt = NULL, **refs = NULL;
	size_t nirt = 0, nrefs = 0;

	if (v[MIME_LIST_IN_REPLY_TO].present)
		nirt = mime_msgids_parse(p->arena, v[MIME_LIST_IN_REPLY_TO].raw,
					 v[MIME_LIST_IN_REPLY_TO].raw_len, &irt);
	if (v[MIME_LIST_REFERENCES].present)
		nrefs = mime_msgids_parse(p->arena, v[MIME_LIST_REFERENCES].raw,
					  v[MIME_LIST_REFERENCES].raw_len, &refs);
	p->references = arena_alloc(p->arena, (nirt + nrefs + 1) * sizeof(*p->references));
	for (size_t i = 0; i < nirt && i < 1; i++)
		p->references[p->reference_count++] = irt[i];
	for (size_t i = nrefs; i > 0; i--)
		p->references[p->reference_count++] = refs[i - 1];
}

static void fill_list_values(struct store_parsed *p, const struct mime_message *msg)
{
	struct mime_list_value v[MIME_LIST_FIELD_COUNT];
	const struct mime_list_value *date, *subject, *mid;
	struct buf base = BUF_INIT;

	mime_list_fields(msg, p->arena, v);
	date = &v[MIME_LIST_DATE];
	p->has_sent_date = date->present && mime_parse_date(date->raw, date->raw_len, &p->sent_date,
							    &p->sent_tz) == 0;
	mid = &v[MIME_LIST_MESSAGE_ID];
	if (mid->present) {
		const char **ids;

		if (mime_msgids_parse(p->arena, mid->raw, mid->raw_len, &ids) > 0)
			p->message_id = ids[0];
	}
	thread_refs(p, v);
	subject = &v[MIME_LIST_SUBJECT];
	mime_base_subject(subject->decoded, subject->decoded_len, &base, NULL);
	p->sort_subject = arena_strndup(p->arena, base.data ? (char *)base.data : "", base.len);
	buf_free(&base);
	p->sort_from = first_address(p->arena, &v[MIME_LIST_FROM], false);
	p->sort_to = first_address(p->arena, &v[MIME_LIST_TO], false);
	p->sort_cc = first_address(p->arena, &v[MIME_LIST_CC], false);
	p->display_from = first_address(p->arena, &v[MIME_LIST_FROM], true);
	p->display_to = first_address(p->arena, &v[MIME_LIST_TO], true);
	fold_into(&p->fts_from, v[MIME_LIST_FROM].decoded, v[MIME_LIST_FROM].decoded_len);
	fold_into(&p->fts_to, v[MIME_LIST_TO].decoded, v[MIME_LIST_TO].decoded_len);
	fold_into(&p->fts_cc, v[MIME_LIST_CC].decoded, v[MIME_LIST_CC].decoded_len);
	fold_into(&p->fts_bcc, v[MIME_LIST_BCC].decoded, v[MIME_LIST_BCC].decoded_len);
	fold_into(&p->fts_subject, subject->decoded, subject->decoded_len);
}

static void fill_texts(struct store_parsed *p, const struct mime_message *msg)
{
	struct buf headers = BUF_INIT, body = BUF_INIT, preview = BUF_INIT;

	mime_search_text(msg, &headers, &body);
	fold_into(&p->fts_headers, headers.data ? (char *)headers.data : "", headers.len);
	fold_into(&p->fts_body, body.data ? (char *)body.data : "", body.len);
	mime_preview(msg, &preview);
	p->preview = arena_strndup(p->arena, preview.data ? (char *)preview.data : "", preview.len);
	buf_free(&headers);
	buf_free(&body);
	buf_free(&preview);
}

static bool has_bare_lf(const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return true;
	return false;
}

/* Everything the store caches, from p->data (CRLF line ends). */
static void parse_data(struct store_parsed *p)
{
	const struct mime_message *msg;
	struct mime_part_info root;

	p->arena = arena_new(16 * 1024);
	msg = mime_parse(p->arena, p->data, p->size, NULL);
	mime_write_envelope(msg, &p->envelope);
	mime_write_bodystructure(msg, &p->bodystructure, true);
	mime_write_bodystructure(msg, &p->body, false);
	mime_part_index_write(msg, &p->parts);
	mime_part_get_info(mime_message_root(msg), &root);
	mime_header_write_fields(p->data + root.header_offset, root.header_size, list_field_names,
				 HF_N_ELEMENTS(list_field_names), false, &p->headers);
	fill_list_values(p, msg);
	fill_texts(p, msg);
}

struct store_parsed *store_parsed_new(const void *data, size_t len)
{
	struct store_parsed *p = xcalloc(1, sizeof(*p));

	p->data = normalize(data, len, &p->size);
	parse_data(p);
	return p;
}

struct store_parsed *store_parsed_new_mapped(const void *data, size_t len)
{
	struct store_parsed *p;

	if (len == 0 || has_bare_lf(data, len))
		return store_parsed_new(data, len);
	p = xcalloc(1, sizeof(*p));
	/* Only read from here on (the parser is length-bounded). */
	p->data = (char *)(uintptr_t)data;
	p->size = len;
	p->borrowed = true;
	parse_data(p);
	return p;
}

void store_parsed_free(struct store_parsed **pp)
{
	struct store_parsed *p = *pp;

	if (p == NULL)
		return;
	buf_free(&p->envelope);
	buf_free(&p->bodystructure);
	buf_free(&p->body);
	buf_free(&p->parts);
	buf_free(&p->headers);
	buf_free(&p->fts_from);
	buf_free(&p->fts_to);
	buf_free(&p->fts_cc);
	buf_free(&p->fts_bcc);
	buf_free(&p->fts_subject);
	buf_free(&p->fts_headers);
	buf_free(&p->fts_body);
	arena_free(&p->arena);
	if (!p->borrowed)
		free(p->data);
	free(p);
	*pp = NULL;
}

size_t store_parsed_size(const struct store_parsed *p)
{
	return p->size;
}

bool store_parsed_caches_fields(const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		bool found = false;

		for (size_t j = 0; j < HF_N_ELEMENTS(list_field_names) && !found; j++)
			found = str_casecmp(names[i], list_field_names[j]) == 0;
		if (!found)
			return false;
	}
	return true;
}
