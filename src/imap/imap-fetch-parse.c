/* imap-fetch-parse.c — section specs, fetch items, and the FETCH and STORE
 * commands (RFC 9051 section 9: fetch, section, partial, store; RFC 7162
 * modifiers; RFC 9394 PARTIAL).
 */
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

static const char *const fetch_names[] = {
	[IMAP_FETCH_FLAGS] = "FLAGS",
	[IMAP_FETCH_INTERNALDATE] = "INTERNALDATE",
	[IMAP_FETCH_RFC822_SIZE] = "RFC822.SIZE",
	[IMAP_FETCH_RFC822] = "RFC822",
	[IMAP_FETCH_RFC822_HEADER] = "RFC822.HEADER",
	[IMAP_FETCH_RFC822_TEXT] = "RFC822.TEXT",
	[IMAP_FETCH_ENVELOPE] = "ENVELOPE",
	[IMAP_FETCH_BODY] = "BODY",
	[IMAP_FETCH_BODYSTRUCTURE] = "BODYSTRUCTURE",
	[IMAP_FETCH_UID] = "UID",
	[IMAP_FETCH_BODY_SECTION] = "BODY",
	[IMAP_FETCH_BINARY] = "BINARY",
	[IMAP_FETCH_BINARY_SIZE] = "BINARY.SIZE",
	[IMAP_FETCH_MODSEQ] = "MODSEQ",
	[IMAP_FETCH_EMAILID] = "EMAILID",
	[IMAP_FETCH_THREADID] = "THREADID",
	[IMAP_FETCH_SAVEDATE] = "SAVEDATE",
	[IMAP_FETCH_PREVIEW] = "PREVIEW",
};

const char *imap_fetch_kind_name(enum imap_fetch_kind kind)
{
	return (unsigned)kind < HF_N_ELEMENTS(fetch_names) ? fetch_names[kind] : "";
}

/* header-list = "(" header-fld-name *(SP header-fld-name) ")" */
static bool parse_header_list(struct imap_scan *s, struct imap_strlist *fields_r)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	if (!scan_sp(s) || !scan_list_open(s))
		return false;
	do {
		const char *name;

		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !scan_astring(s, &name))
			return false;
		strlist_add(s, &b, name);
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	*fields_r = strlist_finish(&b);
	return true;
}

static bool parse_section_text(struct imap_scan *s, struct imap_section *sec)
{
	if (scan_keyword(s, "HEADER.FIELDS.NOT"))
		sec->text = IMAP_SECTION_HEADER_FIELDS_NOT;
	else if (scan_keyword(s, "HEADER.FIELDS"))
		sec->text = IMAP_SECTION_HEADER_FIELDS;
	else if (scan_keyword(s, "HEADER"))
		sec->text = IMAP_SECTION_HEADER;
	else if (scan_keyword(s, "TEXT"))
		sec->text = IMAP_SECTION_TEXT;
	else if (sec->part_count > 0 && scan_keyword(s, "MIME"))
		sec->text = IMAP_SECTION_MIME;
	else
		return scan_fail(s, "Invalid section");
	if (sec->text == IMAP_SECTION_HEADER_FIELDS || sec->text == IMAP_SECTION_HEADER_FIELDS_NOT)
		return parse_header_list(s, &sec->fields);
	return true;
}

bool imap_parse_section(struct imap_scan *s, bool binary, struct imap_section *sec)
{
	uint32_t *parts = NULL;
	size_t cap = 0;

	memset(sec, 0, sizeof(*sec));
	if (!scan_char(s, '['))
		return false;
	if (scan_try_char(s, ']'))
		return true;
	/* section-part = nz-number *("." nz-number), then "." section-text. */
	while (ascii_isdigit(scan_peek(s))) {
		uint32_t n;

		if (!scan_nz_number(s, &n))
			return false;
		parts = scan_grow(s, parts, sec->part_count, &cap, sizeof(*parts));
		parts[sec->part_count++] = n;
		sec->parts = parts;
		if (sec->part_count > s->max_items)
			return scan_fail_kind(s, IMAP_PERR_TOO_MANY_ITEMS, "Section too deep");
		if (!scan_try_char(s, '.'))
			return scan_char(s, ']');
	}
	if (binary)
		return scan_fail(s, "Invalid binary section");
	return parse_section_text(s, sec) && scan_char(s, ']');
}

/* Command: "<" number64 "." nz-number64 ">"; response: "<" number ">". */
static bool parse_partial(struct imap_scan *s, bool response, struct imap_fetch_item *item)
{
	if (!scan_try_char(s, '<'))
		return true;
	item->has_partial = true;
	if (response) {
		uint32_t origin;

		if (!scan_number(s, &origin))
			return false;
		item->partial_offset = origin;
		return scan_char(s, '>');
	}
	return scan_number64(s, &item->partial_offset) && scan_char(s, '.') &&
	       scan_nz_number64(s, &item->partial_length) && scan_char(s, '>');
}

static bool parse_preview_mods(struct imap_scan *s, struct imap_fetch_item *item)
{
	size_t count = 0;

	/* "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"] (RFC 8970). */
	if (!scan_sp_if_next(s, '('))
		return true;
	if (!scan_list_open(s))
		return false;
	do {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count))
			return false;
		if (!scan_keyword(s, "LAZY"))
			return scan_fail(s, "Unknown PREVIEW modifier");
		item->preview_lazy = true;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	return true;
}

static const struct {
	const char *name;
	enum imap_fetch_kind kind;
	bool peek;
} simple_items[] = {
	{"FLAGS", IMAP_FETCH_FLAGS, false},
	{"INTERNALDATE", IMAP_FETCH_INTERNALDATE, false},
	{"RFC822.SIZE", IMAP_FETCH_RFC822_SIZE, false},
	{"RFC822.HEADER", IMAP_FETCH_RFC822_HEADER, false},
	{"RFC822.TEXT", IMAP_FETCH_RFC822_TEXT, false},
	{"RFC822", IMAP_FETCH_RFC822, false},
	{"ENVELOPE", IMAP_FETCH_ENVELOPE, false},
	{"BODYSTRUCTURE", IMAP_FETCH_BODYSTRUCTURE, false},
	{"UID", IMAP_FETCH_UID, false},
	{"MODSEQ", IMAP_FETCH_MODSEQ, false},
	{"EMAILID", IMAP_FETCH_EMAILID, false},
	{"THREADID", IMAP_FETCH_THREADID, false},
	{"SAVEDATE", IMAP_FETCH_SAVEDATE, false},
	{"PREVIEW", IMAP_FETCH_PREVIEW, false},
	{"BODY.PEEK", IMAP_FETCH_BODY_SECTION, true},
	{"BODY", IMAP_FETCH_BODY, false},
	{"BINARY.PEEK", IMAP_FETCH_BINARY, true},
	{"BINARY.SIZE", IMAP_FETCH_BINARY_SIZE, false},
	{"BINARY", IMAP_FETCH_BINARY, false},
};

bool imap_parse_fetch_item(struct imap_scan *s, bool response, struct imap_fetch_item *item)
{
	size_t i;

	memset(item, 0, sizeof(*item));
	for (i = 0; i < HF_N_ELEMENTS(simple_items) && !scan_keyword(s, simple_items[i].name); i++)
		;
	if (i == HF_N_ELEMENTS(simple_items))
		return scan_fail(s, "Unknown fetch item");
	item->kind = simple_items[i].kind;
	item->peek = simple_items[i].peek;
	if (item->peek && response)
		return scan_fail(s, "PEEK in a response");
	if (item->kind == IMAP_FETCH_BODY && scan_peek(s) == '[')
		item->kind = IMAP_FETCH_BODY_SECTION;
	switch (item->kind) {
	case IMAP_FETCH_BODY_SECTION:
		return imap_parse_section(s, false, &item->section) &&
		       parse_partial(s, response, item);
	case IMAP_FETCH_BINARY:
		return imap_parse_section(s, true, &item->section) &&
		       parse_partial(s, response, item);
	case IMAP_FETCH_BINARY_SIZE:
		return imap_parse_section(s, true, &item->section);
	case IMAP_FETCH_PREVIEW:
		return response || parse_preview_mods(s, item);
	default:
		return true;
	}
}

bool imap_parse_fetch_items(struct imap_scan *s, struct imap_fetch_item **items_r, size_t *count_r)
{
	struct imap_fetch_item *items = NULL;
	size_t count = 0, cap = 0, n = 0;

	if (!scan_list_open(s))
		return false;
	do {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &n))
			return false;
		items = scan_grow(s, items, count, &cap, sizeof(*items));
		if (!imap_parse_fetch_item(s, false, &items[count]))
			return false;
		count++;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	*items_r = items;
	*count_r = count;
	return true;
}

static void expand_macro(struct imap_scan *s, struct imap_cmd_fetch *f)
{
	static const enum imap_fetch_kind kinds[] = {IMAP_FETCH_FLAGS, IMAP_FETCH_INTERNALDATE,
						     IMAP_FETCH_RFC822_SIZE, IMAP_FETCH_ENVELOPE,
						     IMAP_FETCH_BODY};
	size_t n = f->macro == IMAP_FETCH_MACRO_FAST ? 3 : f->macro == IMAP_FETCH_MACRO_ALL ? 4 : 5;

	f->items = arena_zalloc(s->arena, n * sizeof(*f->items));
	for (size_t i = 0; i < n; i++)
		f->items[i].kind = kinds[i];
	f->count = n;
}

/* partial-range = nz-number ":" nz-number / "-" nz-number ":" "-" nz-number */
static bool parse_partial_range(struct imap_scan *s, int64_t *first_r, int64_t *last_r)
{
	bool neg1 = scan_try_char(s, '-'), neg2;
	uint32_t a, b;

	if (!scan_nz_number(s, &a) || !scan_char(s, ':'))
		return false;
	neg2 = scan_try_char(s, '-');
	if (!scan_nz_number(s, &b))
		return false;
	if (neg1 != neg2)
		return scan_fail(s, "Invalid PARTIAL range");
	*first_r = neg1 ? -(int64_t)a : a;
	*last_r = neg2 ? -(int64_t)b : b;
	return true;
}

bool imap_parse_partial_range(struct imap_scan *s, int64_t *first_r, int64_t *last_r)
{
	return parse_partial_range(s, first_r, last_r);
}

static bool parse_fetch_modifier(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_fetch *f = &cmd->u.fetch;

	if (scan_keyword(s, "CHANGEDSINCE")) {
		f->has_changedsince = true;
		return scan_sp(s) && scan_number64(s, &f->changedsince);
	}
	if (scan_keyword(s, "VANISHED")) {
		if (!cmd->uid)
			return scan_fail(s, "VANISHED needs UID FETCH");
		f->vanished = true;
		return true;
	}
	if (scan_keyword(s, "PARTIAL")) {
		f->has_partial = true;
		return scan_sp(s) && parse_partial_range(s, &f->partial_first, &f->partial_last);
	}
	return scan_fail(s, "Unknown FETCH modifier");
}

static bool parse_fetch_modifiers(struct imap_scan *s, struct imap_command *cmd)
{
	size_t count = 0;

	if (!scan_list_open(s))
		return false;
	do {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !parse_fetch_modifier(s, cmd))
			return false;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	/* RFC 7162 section 3.2.6: VANISHED only together with CHANGEDSINCE. */
	if (cmd->u.fetch.vanished && !cmd->u.fetch.has_changedsince)
		return scan_fail(s, "VANISHED needs CHANGEDSINCE");
	return true;
}

/* FETCH sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
 * "(" fetch-att *(SP fetch-att) ")") [SP "(" fetch-modifier ... ")"] */
bool imap_cmd_parse_fetch(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_fetch *f = &cmd->u.fetch;

	if (!scan_sp(s) ||
	    !scan_seqset(s, IMAP_SEQSET_ALLOW_STAR | IMAP_SEQSET_ALLOW_DOLLAR, &f->set) ||
	    !scan_sp(s))
		return false;
	if (scan_keyword(s, "ALL"))
		f->macro = IMAP_FETCH_MACRO_ALL;
	else if (scan_keyword(s, "FAST"))
		f->macro = IMAP_FETCH_MACRO_FAST;
	else if (scan_keyword(s, "FULL"))
		f->macro = IMAP_FETCH_MACRO_FULL;
	if (f->macro != IMAP_FETCH_MACRO_NONE) {
		expand_macro(s, f);
	} else if (scan_peek(s) == '(') {
		f->items_list = true;
		if (!imap_parse_fetch_items(s, &f->items, &f->count))
			return false;
	} else {
		f->items = arena_zalloc(s->arena, sizeof(*f->items));
		f->count = 1;
		if (!imap_parse_fetch_item(s, false, &f->items[0]))
			return false;
	}
	if (scan_eol(s))
		return true;
	return scan_sp(s) && parse_fetch_modifiers(s, cmd);
}

static bool parse_store_modifiers(struct imap_scan *s, struct imap_cmd_store *st)
{
	size_t count = 0;

	if (!scan_list_open(s))
		return false;
	do {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count))
			return false;
		if (!scan_keyword(s, "UNCHANGEDSINCE"))
			return scan_fail(s, "Unknown STORE modifier");
		if (st->has_unchangedsince)
			return scan_fail(s, "UNCHANGEDSINCE given twice");
		st->has_unchangedsince = true;
		if (!scan_sp(s) || !scan_number64(s, &st->unchangedsince))
			return false;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	return true;
}

/* flag *(SP flag), to the end of the command. */
static bool parse_bare_flags(struct imap_scan *s, struct imap_strlist *flags_r)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	do {
		const char *flag;

		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !scan_flag(s, false, &flag))
			return false;
		strlist_add(s, &b, flag);
	} while (!scan_eol(s));
	*flags_r = strlist_finish(&b);
	return true;
}

/* STORE sequence-set [store-modifiers] SP (["+" / "-"] "FLAGS" [".SILENT"])
 * SP (flag-list / (flag *(SP flag))) */
bool imap_cmd_parse_store(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_store *st = &cmd->u.store;

	if (!scan_sp(s) ||
	    !scan_seqset(s, IMAP_SEQSET_ALLOW_STAR | IMAP_SEQSET_ALLOW_DOLLAR, &st->set) ||
	    !scan_sp(s))
		return false;
	if (scan_peek(s) == '(' && (!parse_store_modifiers(s, st) || !scan_sp(s)))
		return false;
	if (scan_try_char(s, '+'))
		st->mode = IMAP_STORE_ADD;
	else if (scan_try_char(s, '-'))
		st->mode = IMAP_STORE_REMOVE;
	if (scan_keyword(s, "FLAGS.SILENT"))
		st->silent = true;
	else if (!scan_keyword(s, "FLAGS"))
		return scan_fail(s, "Expected FLAGS, +FLAGS or -FLAGS");
	if (!scan_sp(s))
		return false;
	if (scan_peek(s) == '(') {
		st->flags_list = true;
		return scan_flag_list(s, false, &st->flags);
	}
	return parse_bare_flags(s, &st->flags);
}
