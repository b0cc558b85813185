/* imap-write-fetch.c — FETCH response items, ENVELOPE and BODY/BODYSTRUCTURE
 * in wire form (mirror of imap-resp-parse-fetch.c). INTEROP.md point 10:
 * this is where clients break, so every nstring goes through the string
 * writer and group addresses keep their NIL host.
 */
#include "imap-write-private.h"

#include <string.h>

static void w_address_list(struct imap_writer *w, const struct imap_address_list *list)
{
	if (list->count == 0) {
		w_str(w, "NIL");
		return;
	}
	w_byte(w, '(');
	for (size_t i = 0; i < list->count; i++) {
		const struct imap_address *a = &list->addrs[i];

		w_byte(w, '(');
		w_nstring(w, a->name);
		w_byte(w, ' ');
		w_nstring(w, a->adl);
		w_byte(w, ' ');
		w_nstring(w, a->mailbox);
		w_byte(w, ' ');
		w_nstring(w, a->host);
		w_byte(w, ')');
	}
	w_byte(w, ')');
}

void w_envelope(struct imap_writer *w, const struct imap_envelope *e)
{
	w_byte(w, '(');
	w_nstring(w, e->date);
	w_byte(w, ' ');
	w_nstring(w, e->subject);
	w_byte(w, ' ');
	w_address_list(w, &e->from);
	w_byte(w, ' ');
	w_address_list(w, &e->sender);
	w_byte(w, ' ');
	w_address_list(w, &e->reply_to);
	w_byte(w, ' ');
	w_address_list(w, &e->to);
	w_byte(w, ' ');
	w_address_list(w, &e->cc);
	w_byte(w, ' ');
	w_address_list(w, &e->bcc);
	w_byte(w, ' ');
	w_nstring(w, e->in_reply_to);
	w_byte(w, ' ');
	w_nstring(w, e->message_id);
	w_byte(w, ')');
}

static void w_plain_string(struct imap_writer *w, const char *s)
{
	w_string(w, s, strlen(s), false);
}

static void w_params(struct imap_writer *w, const struct imap_body_params *p)
{
	if (p->count == 0) {
		w_str(w, "NIL");
		return;
	}
	w_byte(w, '(');
	for (size_t i = 0; i < p->count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		w_plain_string(w, p->items[i].name);
		w_byte(w, ' ');
		w_plain_string(w, p->items[i].value);
	}
	w_byte(w, ')');
}

static void w_disposition(struct imap_writer *w, const struct imap_body_disposition *d)
{
	if (d->type == NULL) {
		w_str(w, "NIL");
		return;
	}
	w_byte(w, '(');
	w_plain_string(w, d->type);
	w_byte(w, ' ');
	w_params(w, &d->params);
	w_byte(w, ')');
}

static void w_language(struct imap_writer *w, const struct imap_body_language *l)
{
	if (!l->list) {
		w_nstring(w, l->langs.count > 0 ? l->langs.items[0] : NULL);
		return;
	}
	w_byte(w, '(');
	for (size_t i = 0; i < l->langs.count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		w_plain_string(w, l->langs.items[i]);
	}
	w_byte(w, ')');
}

/* Extension fields from the disposition on, as many as ext_count says. */
static void w_body_ext_tail(struct imap_writer *w, const struct imap_body *b)
{
	if (b->ext_count < 2)
		return;
	w_byte(w, ' ');
	w_disposition(w, &b->disposition);
	if (b->ext_count < 3)
		return;
	w_byte(w, ' ');
	w_language(w, &b->language);
	if (b->ext_count < 4)
		return;
	w_byte(w, ' ');
	w_nstring(w, b->location);
	for (size_t i = 0; i < b->extension_count; i++) {
		w_byte(w, ' ');
		w_value(w, &b->extensions[i]);
	}
}

static void w_multipart(struct imap_writer *w, const struct imap_body *b, bool ext)
{
	for (size_t i = 0; i < b->part_count; i++)
		w_body(w, &b->parts[i], ext);
	w_byte(w, ' ');
	w_plain_string(w, b->subtype);
	if (!ext || b->ext_count == 0)
		return;
	w_byte(w, ' ');
	w_params(w, &b->params);
	w_body_ext_tail(w, b);
}

static void w_single_part(struct imap_writer *w, const struct imap_body *b, bool ext)
{
	w_plain_string(w, b->type);
	w_byte(w, ' ');
	w_plain_string(w, b->subtype);
	w_byte(w, ' ');
	w_params(w, &b->params);
	w_byte(w, ' ');
	w_nstring(w, b->id);
	w_byte(w, ' ');
	w_nstring(w, b->description);
	w_byte(w, ' ');
	/* body-fld-enc is a string, never NIL; RFC 2045's default. */
	w_plain_string(w, b->encoding != NULL ? b->encoding : "7BIT");
	w_byte(w, ' ');
	w_u64(w, b->octets);
	if (b->kind == IMAP_BODY_MESSAGE) {
		w_byte(w, ' ');
		w_envelope(w, b->envelope);
		w_byte(w, ' ');
		w_body(w, b->body, ext);
	}
	if (b->kind == IMAP_BODY_TEXT || b->kind == IMAP_BODY_MESSAGE) {
		w_byte(w, ' ');
		w_u64(w, b->lines);
	}
	if (!ext || b->ext_count == 0)
		return;
	w_byte(w, ' ');
	w_nstring(w, b->md5);
	w_body_ext_tail(w, b);
}

void w_body(struct imap_writer *w, const struct imap_body *b, bool ext)
{
	w_byte(w, '(');
	if (b->kind == IMAP_BODY_MULTIPART)
		w_multipart(w, b, ext);
	else
		w_single_part(w, b, ext);
	w_byte(w, ')');
}

static void w_attr_string(struct imap_writer *w, const struct imap_fetch_attr *attr)
{
	const char *data = attr->u.string.data;
	size_t len = (size_t)attr->u.string.len;

	if (data == NULL) {
		w_str(w, "NIL");
	} else if (attr->u.string.literal8) {
		w_literal_header(w, len, true);
		buf_append(w->buf, data, len);
	} else {
		w_string(w, data, len, false);
	}
}

void w_fetch_attr(struct imap_writer *w, const struct imap_fetch_attr *attr)
{
	w_fetch_item(w, &attr->item, true);
	w_byte(w, ' ');
	switch (attr->item.kind) {
	case IMAP_FETCH_FLAGS:
		w_flag_list(w, &attr->u.flags);
		break;
	case IMAP_FETCH_INTERNALDATE:
		w_datetime(w, &attr->u.date);
		break;
	case IMAP_FETCH_RFC822_SIZE:
	case IMAP_FETCH_BINARY_SIZE:
	case IMAP_FETCH_UID:
		w_u64(w, attr->u.number);
		break;
	case IMAP_FETCH_MODSEQ:
		w_byte(w, '(');
		w_u64(w, attr->u.number);
		w_byte(w, ')');
		break;
	case IMAP_FETCH_ENVELOPE:
		w_envelope(w, attr->u.envelope);
		break;
	case IMAP_FETCH_BODY:
	case IMAP_FETCH_BODYSTRUCTURE:
		w_body(w, attr->u.body, attr->item.kind == IMAP_FETCH_BODYSTRUCTURE);
		break;
	case IMAP_FETCH_EMAILID:
	case IMAP_FETCH_THREADID:
		if (attr->u.objectid == NULL) {
			w_str(w, "NIL");
		} else {
			w_byte(w, '(');
			w_str(w, attr->u.objectid);
			w_byte(w, ')');
		}
		break;
	case IMAP_FETCH_SAVEDATE:
		if (attr->u.savedate.nil)
			w_str(w, "NIL");
		else
			w_datetime(w, &attr->u.savedate.date);
		break;
	default:
		w_attr_string(w, attr);
		break;
	}
}
