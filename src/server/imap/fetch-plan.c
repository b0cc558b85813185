/* fetch-plan.c — turn the parsed FETCH items into a plan: which body
 * section each names in the store's terms, which database columns the
 * whole request needs, and whether it sets \Seen. Asking the store only
 * for what the items need is what lets a list view be answered from the
 * database alone (DESIGN.md, "Data flow"). */
#include "fetch-private.h"
#include "lib/mem.h"

#include <string.h>

static enum store_section_kind section_kind(enum imap_section_text text)
{
	switch (text) {
	case IMAP_SECTION_HEADER:
		return STORE_SECTION_HEADER;
	case IMAP_SECTION_HEADER_FIELDS:
		return STORE_SECTION_HEADER_FIELDS;
	case IMAP_SECTION_HEADER_FIELDS_NOT:
		return STORE_SECTION_HEADER_FIELDS_NOT;
	case IMAP_SECTION_TEXT:
		return STORE_SECTION_TEXT;
	case IMAP_SECTION_MIME:
		return STORE_SECTION_MIME;
	case IMAP_SECTION_NONE:
		break;
	}
	return STORE_SECTION_ALL;
}

static void set_section(struct fetch_item *it, const struct imap_section *sec, bool binary)
{
	it->sec.part = sec->parts;
	it->sec.depth = sec->part_count;
	it->sec.kind = section_kind(sec->text);
	it->sec.fields = sec->fields.items;
	it->sec.field_count = sec->fields.count;
	it->sec.binary = binary;
}

/* RFC 3501 6.4.5: RFC822 is BODY[], RFC822.HEADER is BODY.PEEK[HEADER],
 * RFC822.TEXT is BODY[TEXT]; they differ only in the response's name. */
static void set_rfc822(struct fetch_item *it, enum store_section_kind kind)
{
	it->body = true;
	it->sec.kind = kind;
}

/* Which columns a body item needs. */
static void body_needs(const struct fetch_item *it, struct fetch_plan *plan)
{
	if (store_section_cached(&it->sec)) {
		plan->want |= STORE_WANT_HEADERS;
		return;
	}
	/* The whole message is bytes 0..RFC822.SIZE: no part index needed. */
	if (!(it->sec.depth == 0 && it->sec.kind == STORE_SECTION_ALL))
		plan->want |= STORE_WANT_PARTS;
}

static void plan_item(struct fetch_plan *plan, struct fetch_item *it)
{
	const struct imap_fetch_item *req = it->req;

	switch (req->kind) {
	case IMAP_FETCH_ENVELOPE:
		plan->want |= STORE_WANT_ENVELOPE;
		return;
	case IMAP_FETCH_BODYSTRUCTURE:
		plan->want |= STORE_WANT_BODYSTRUCTURE;
		return;
	case IMAP_FETCH_BODY:
		plan->want |= STORE_WANT_BODY;
		return;
	case IMAP_FETCH_PREVIEW:
		plan->want |= STORE_WANT_PREVIEW;
		return;
	case IMAP_FETCH_UID:
		plan->has_uid = true;
		return;
	case IMAP_FETCH_FLAGS:
		plan->has_flags = true;
		return;
	case IMAP_FETCH_MODSEQ:
		plan->has_modseq = true;
		return;
	case IMAP_FETCH_RFC822:
		set_rfc822(it, STORE_SECTION_ALL);
		plan->sets_seen = true;
		break;
	case IMAP_FETCH_RFC822_HEADER:
		set_rfc822(it, STORE_SECTION_HEADER);
		break;
	case IMAP_FETCH_RFC822_TEXT:
		set_rfc822(it, STORE_SECTION_TEXT);
		plan->sets_seen = true;
		break;
	case IMAP_FETCH_BODY_SECTION:
	case IMAP_FETCH_BINARY:
		it->body = true;
		set_section(it, &req->section, req->kind == IMAP_FETCH_BINARY);
		it->partial = req->has_partial;
		it->origin = req->partial_offset;
		it->length = req->partial_length;
		plan->sets_seen |= !req->peek;
		break;
	case IMAP_FETCH_BINARY_SIZE:
		plan->sections++;
		set_section(it, &req->section, true);
		if (it->sec.depth > 0)
			plan->want |= STORE_WANT_PARTS;
		return;
	default:
		return;
	}
	plan->sections++;
	body_needs(it, plan);
}

void fetch_plan_build(const struct imap_cmd_fetch *f, struct fetch_plan *plan_r)
{
	memset(plan_r, 0, sizeof(*plan_r));
	plan_r->items = xcalloc(f->count > 0 ? f->count : 1, sizeof(*plan_r->items));
	plan_r->count = f->count;
	for (size_t i = 0; i < f->count; i++) {
		plan_r->items[i].req = &f->items[i];
		plan_item(plan_r, &plan_r->items[i]);
	}
}

void fetch_plan_free(struct fetch_plan *plan)
{
	xfree(&plan->items);
	plan->count = 0;
}
