/* imap-resp-parse-fetch.c — the FETCH response: msg-att items, ENVELOPE
 * and BODY/BODYSTRUCTURE trees (RFC 9051 section 9: msg-att, envelope,
 * body; RFC 3516 BINARY; RFC 7162 MODSEQ; RFC 8474; RFC 8514; RFC 8970).
 * Body nesting is bounded by max_depth through the list depth count.
 */
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

/* address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")" */
static bool parse_address(struct imap_scan *s, struct imap_address *a)
{
	return scan_list_open(s) && scan_nstring(s, &a->name) && scan_sp(s) &&
	       scan_nstring(s, &a->adl) && scan_sp(s) && scan_nstring(s, &a->mailbox) &&
	       scan_sp(s) && scan_nstring(s, &a->host) && scan_list_close(s);
}

/* "(" 1*address ")" / nil; servers that put SP between addresses, or
 * send "()", are tolerated. */
static bool parse_address_list(struct imap_scan *s, struct imap_address_list *list)
{
	struct imap_address *addrs = NULL;
	size_t cap = 0, items = 0;

	if (scan_nil(s))
		return true;
	if (!scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (list->count > 0)
			(void)scan_try_char(s, ' ');
		if (!scan_list_item(s, &items))
			return false;
		addrs = scan_grow(s, addrs, list->count, &cap, sizeof(*addrs));
		if (!parse_address(s, &addrs[list->count]))
			return false;
		list->count++;
	}
	scan_leave(s);
	list->addrs = addrs;
	return true;
}

static bool parse_envelope(struct imap_scan *s, const struct imap_envelope **env_r)
{
	struct imap_envelope *e = arena_zalloc(s->arena, sizeof(*e));

	*env_r = e;
	return scan_list_open(s) && scan_nstring(s, &e->date) && scan_sp(s) &&
	       scan_nstring(s, &e->subject) && scan_sp(s) && parse_address_list(s, &e->from) &&
	       scan_sp(s) && parse_address_list(s, &e->sender) && scan_sp(s) &&
	       parse_address_list(s, &e->reply_to) && scan_sp(s) && parse_address_list(s, &e->to) &&
	       scan_sp(s) && parse_address_list(s, &e->cc) && scan_sp(s) &&
	       parse_address_list(s, &e->bcc) && scan_sp(s) && scan_nstring(s, &e->in_reply_to) &&
	       scan_sp(s) && scan_nstring(s, &e->message_id) && scan_list_close(s);
}

/* body-fld-param = "(" string SP string *(SP string SP string) ")" / nil */
static bool parse_params(struct imap_scan *s, struct imap_body_params *p)
{
	struct imap_body_param *items = NULL;
	size_t cap = 0, n = 0;

	if (scan_nil(s))
		return true;
	if (!scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (p->count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &n))
			return false;
		items = scan_grow(s, items, p->count, &cap, sizeof(*items));
		if (!scan_string(s, &items[p->count].name) || !scan_sp(s) ||
		    !scan_string(s, &items[p->count].value))
			return false;
		p->count++;
	}
	scan_leave(s);
	p->items = items;
	return true;
}

/* body-fld-dsp = "(" string SP body-fld-param ")" / nil */
static bool parse_disposition(struct imap_scan *s, struct imap_body_disposition *d)
{
	if (scan_nil(s))
		return true;
	return scan_list_open(s) && scan_string(s, &d->type) && scan_sp(s) &&
	       parse_params(s, &d->params) && scan_list_close(s);
}

/* body-fld-lang = nstring / "(" string *(SP string) ")" */
static bool parse_language(struct imap_scan *s, struct imap_body_language *l)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t n = 0;
	const char *str;

	if (scan_peek(s) != '(' || scan_at_literal(s)) {
		if (!scan_nstring(s, &str))
			return false;
		if (str != NULL)
			strlist_add(s, &b, str);
		l->langs = strlist_finish(&b);
		return true;
	}
	if (!scan_list_open(s))
		return false;
	do {
		if (n > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &n) || !scan_string(s, &str))
			return false;
		strlist_add(s, &b, str);
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	l->langs = strlist_finish(&b);
	l->list = true;
	return true;
}

/* Extension data after the first extension field: [SP dsp [SP lang [SP
 * loc *(SP body-extension)]]]. */
static bool parse_body_ext_tail(struct imap_scan *s, struct imap_body *b)
{
	struct imap_value *ext = NULL;
	size_t cap = 0, items = 0;

	if (!scan_try_char(s, ' '))
		return true;
	if (!parse_disposition(s, &b->disposition))
		return false;
	b->ext_count = 2;
	if (!scan_try_char(s, ' '))
		return true;
	if (!parse_language(s, &b->language))
		return false;
	b->ext_count = 3;
	if (!scan_try_char(s, ' '))
		return true;
	if (!scan_nstring(s, &b->location))
		return false;
	b->ext_count = 4;
	while (scan_try_char(s, ' ')) {
		if (!scan_list_item(s, &items))
			return false;
		ext = scan_grow(s, ext, b->extension_count, &cap, sizeof(*ext));
		if (!scan_value(s, &ext[b->extension_count]))
			return false;
		b->extension_count++;
	}
	b->extensions = ext;
	return true;
}

static bool parse_body(struct imap_scan *s, struct imap_body *b);

/* body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart] */
static bool parse_multipart(struct imap_scan *s, struct imap_body *b)
{
	struct imap_body *parts = NULL;
	size_t cap = 0, items = 0;

	b->kind = IMAP_BODY_MULTIPART;
	while (scan_peek(s) == '(') {
		if (!scan_list_item(s, &items))
			return false;
		parts = scan_grow(s, parts, b->part_count, &cap, sizeof(*parts));
		memset(&parts[b->part_count], 0, sizeof(*parts));
		if (!parse_body(s, &parts[b->part_count]))
			return false;
		b->part_count++;
		(void)scan_sp_if_next(s, '(');
	}
	b->parts = parts;
	if (!scan_sp(s) || !scan_string(s, &b->subtype))
		return false;
	if (!scan_try_char(s, ' '))
		return true;
	if (!parse_params(s, &b->params))
		return false;
	b->ext_count = 1;
	return parse_body_ext_tail(s, b);
}

/* body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
 * body-fld-enc SP body-fld-octets */
static bool parse_body_fields(struct imap_scan *s, struct imap_body *b)
{
	return parse_params(s, &b->params) && scan_sp(s) && scan_nstring(s, &b->id) && scan_sp(s) &&
	       scan_nstring(s, &b->description) && scan_sp(s) && scan_nstring(s, &b->encoding) &&
	       scan_sp(s) && scan_number(s, &b->octets);
}

static bool is_message_rfc822(const struct imap_body *b)
{
	return str_casecmp(b->type, "MESSAGE") == 0 &&
	       (str_casecmp(b->subtype, "RFC822") == 0 || str_casecmp(b->subtype, "GLOBAL") == 0);
}

static bool parse_message_tail(struct imap_scan *s, struct imap_body *b)
{
	struct imap_body *inner = arena_zalloc(s->arena, sizeof(*inner));

	b->kind = IMAP_BODY_MESSAGE;
	b->body = inner;
	return parse_envelope(s, &b->envelope) && scan_sp(s) && parse_body(s, inner) &&
	       scan_sp(s) && scan_number64(s, &b->lines);
}

/* body-type-1part = (body-type-basic / body-type-msg / body-type-text)
 * [SP body-ext-1part] */
static bool parse_single_part(struct imap_scan *s, struct imap_body *b)
{
	if (!scan_string(s, &b->type) || !scan_sp(s) || !scan_string(s, &b->subtype) ||
	    !scan_sp(s) || !parse_body_fields(s, b))
		return false;
	b->kind = IMAP_BODY_BASIC;
	if (str_casecmp(b->type, "TEXT") == 0) {
		b->kind = IMAP_BODY_TEXT;
		if (!scan_sp(s) || !scan_number64(s, &b->lines))
			return false;
	} else if (is_message_rfc822(b) && scan_sp_if_next(s, '(')) {
		/* A MESSAGE/RFC822 without envelope (seen from broken servers)
		 * is read as a basic part. */
		if (!parse_message_tail(s, b))
			return false;
	}
	if (!scan_try_char(s, ' '))
		return true;
	if (!scan_nstring(s, &b->md5))
		return false;
	b->ext_count = 1;
	return parse_body_ext_tail(s, b);
}

static bool parse_body(struct imap_scan *s, struct imap_body *b)
{
	bool ok;

	if (!scan_list_open(s))
		return false;
	if (scan_peek(s) == '(')
		ok = parse_multipart(s, b);
	else
		ok = parse_single_part(s, b);
	return ok && scan_list_close(s);
}

static bool parse_body_value(struct imap_scan *s, struct imap_fetch_attr *attr)
{
	struct imap_body *b = arena_zalloc(s->arena, sizeof(*b));

	attr->u.body = b;
	return parse_body(s, b);
}

/* "(" objectid ")", or NIL where allowed (THREADID). */
static bool parse_objectid_paren(struct imap_scan *s, bool allow_nil, const char **id_r)
{
	if (allow_nil && scan_nil(s)) {
		*id_r = NULL;
		return true;
	}
	return scan_list_open(s) && imap_parse_objectid(s, id_r) && scan_list_close(s);
}

static bool parse_string_value(struct imap_scan *s, bool literal8, struct imap_fetch_attr *attr)
{
	return scan_nstring_bytes(s, literal8, &attr->u.string.data, &attr->u.string.len,
				  &attr->u.string.stream, &attr->u.string.literal8);
}

static bool parse_attr_value(struct imap_scan *s, struct imap_fetch_attr *attr)
{
	switch (attr->item.kind) {
	case IMAP_FETCH_FLAGS:
		return scan_flag_list(s, false, &attr->u.flags);
	case IMAP_FETCH_INTERNALDATE:
		return scan_datetime(s, &attr->u.date);
	case IMAP_FETCH_RFC822_SIZE:
	case IMAP_FETCH_BINARY_SIZE:
		return scan_number64(s, &attr->u.number);
	case IMAP_FETCH_UID: {
		uint32_t uid;

		if (!scan_nz_number(s, &uid))
			return false;
		attr->u.number = uid;
		return true;
	}
	case IMAP_FETCH_MODSEQ:
		/* "MODSEQ" SP "(" permsg-modsequence ")" (RFC 7162) */
		return scan_list_open(s) && scan_number64(s, &attr->u.number) && scan_list_close(s);
	case IMAP_FETCH_ENVELOPE:
		return parse_envelope(s, &attr->u.envelope);
	case IMAP_FETCH_BODY:
	case IMAP_FETCH_BODYSTRUCTURE:
		return parse_body_value(s, attr);
	case IMAP_FETCH_BINARY:
		return parse_string_value(s, true, attr);
	case IMAP_FETCH_BODY_SECTION:
	case IMAP_FETCH_RFC822:
	case IMAP_FETCH_RFC822_HEADER:
	case IMAP_FETCH_RFC822_TEXT:
	case IMAP_FETCH_PREVIEW:
		return parse_string_value(s, false, attr);
	case IMAP_FETCH_EMAILID:
		return parse_objectid_paren(s, false, &attr->u.objectid);
	case IMAP_FETCH_THREADID:
		return parse_objectid_paren(s, true, &attr->u.objectid);
	case IMAP_FETCH_SAVEDATE:
		if (scan_nil(s)) {
			attr->u.savedate.nil = true;
			return true;
		}
		return scan_datetime(s, &attr->u.savedate.date);
	}
	return scan_fail(s, "Unknown fetch item");
}

/* nz-number SP "FETCH" SP "(" msg-att *(SP msg-att) ")" — after "FETCH". */
bool imap_resp_parse_fetch(struct imap_scan *s, struct imap_response *resp)
{
	struct imap_resp_fetch *f = &resp->u.fetch;
	struct imap_fetch_attr *attrs = NULL;
	size_t cap = 0, items = 0;

	if (!scan_sp(s) || !scan_list_open(s))
		return false;
	do {
		if (f->count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		attrs = scan_grow(s, attrs, f->count, &cap, sizeof(*attrs));
		memset(&attrs[f->count], 0, sizeof(*attrs));
		if (!imap_parse_fetch_item(s, true, &attrs[f->count].item) || !scan_sp(s) ||
		    !parse_attr_value(s, &attrs[f->count]))
			return false;
		f->count++;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	f->attrs = attrs;
	return true;
}
