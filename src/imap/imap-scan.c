/* imap-scan.c — the token reader under the command and response grammars
 * (see imap-parser-private.h). It works on one complete framed item, so it
 * never waits for input: running out of bytes is a syntax error.
 */
#include "imap-parser-private.h"
#include "lib/istring.h"
#include "lib/str.h"

#include <string.h>

void scan_init(struct imap_scan *s, const unsigned char *data, size_t len,
	       const struct imap_frame_lit *lits, size_t lit_count, struct arena *arena,
	       const struct imap_parser_limits *limits)
{
	memset(s, 0, sizeof(*s));
	s->data = data;
	s->len = len;
	s->lits = lits;
	s->lit_count = lit_count;
	s->arena = arena;
	s->max_depth = limits->max_depth;
	s->max_items = limits->max_list_items;
	s->utf8 = limits->utf8;
}

bool scan_fail_kind(struct imap_scan *s, enum imap_parse_error_kind kind, const char *message)
{
	if (s->error == NULL) {
		s->error = message;
		s->error_kind = kind;
	}
	return false;
}

bool scan_fail(struct imap_scan *s, const char *message)
{
	return scan_fail_kind(s, IMAP_PERR_SYNTAX, message);
}

bool scan_eol(const struct imap_scan *s)
{
	return s->pos >= s->len;
}

int scan_peek(const struct imap_scan *s)
{
	return s->pos < s->len ? s->data[s->pos] : -1;
}

bool scan_at_literal(const struct imap_scan *s)
{
	return s->lit_next < s->lit_count && s->lits[s->lit_next].hdr == s->pos;
}

bool scan_char(struct imap_scan *s, char c)
{
	if (scan_peek(s) != (unsigned char)c || scan_at_literal(s)) {
		static const char *const msgs[] = {
			"Expected \"(\"", "Expected \")\"",    "Expected \"[\"",
			"Expected \"]\"", "Expected \"<\"",    "Expected \">\"",
			"Expected \".\"", "Expected \"\\\"\"", "Unexpected character"};
		const char *set = "()[]<>.\"";
		const char *hit = strchr(set, c);

		return scan_fail(s, msgs[hit != NULL ? (size_t)(hit - set) : 8]);
	}
	s->pos++;
	return true;
}

bool scan_try_char(struct imap_scan *s, char c)
{
	if (scan_peek(s) != (unsigned char)c || scan_at_literal(s))
		return false;
	s->pos++;
	return true;
}

bool scan_sp(struct imap_scan *s)
{
	if (scan_peek(s) != ' ')
		return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Expected a single space");
	s->pos++;
	if (scan_peek(s) == ' ')
		return scan_fail(s, "Expected a single space");
	return true;
}

bool scan_sp_if_next(struct imap_scan *s, char c)
{
	if (s->pos + 1 >= s->len || s->data[s->pos] != ' ' ||
	    s->data[s->pos + 1] != (unsigned char)c)
		return false;
	s->pos++;
	if (c == '(' && scan_at_literal(s)) {
		s->pos--;
		return false;
	}
	return true;
}

bool scan_end(struct imap_scan *s)
{
	if (!scan_eol(s))
		return scan_fail(s, scan_peek(s) == ' ' ? "Unexpected extra arguments"
							: "Unexpected character");
	return true;
}

static bool run_of(struct imap_scan *s, bool (*accept)(unsigned char), const char **start_r,
		   size_t *len_r)
{
	size_t start = s->pos, stop = s->len;

	/* A literal announcement is never part of a token. */
	if (s->lit_next < s->lit_count && s->lits[s->lit_next].hdr < stop)
		stop = s->lits[s->lit_next].hdr;
	while (s->pos < stop && accept(s->data[s->pos]))
		s->pos++;
	*start_r = (const char *)s->data + start;
	*len_r = s->pos - start;
	return *len_r > 0;
}

static bool is_atom_char(unsigned char c)
{
	return istring_is_atom_char(c);
}

static bool is_astring_char(unsigned char c)
{
	return istring_is_astring_char(c);
}

static bool is_label_char(unsigned char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c) || c == '-' || c == '_' || c == '.' || c == ':';
}

bool scan_atom(struct imap_scan *s, const char **atom_r, size_t *len_r)
{
	if (!run_of(s, is_atom_char, atom_r, len_r))
		return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Expected an atom");
	return true;
}

bool scan_atom_dup(struct imap_scan *s, const char **atom_r)
{
	const char *a;
	size_t n;

	if (!scan_atom(s, &a, &n))
		return false;
	*atom_r = arena_strndup(s->arena, a, n);
	return true;
}

static bool is_tag_char(unsigned char c)
{
	return istring_is_astring_char(c) && c != '+';
}

bool scan_tag(struct imap_scan *s, const char **tag_r)
{
	const char *t;
	size_t n;

	if (!run_of(s, is_tag_char, &t, &n) || n > IMAP_PARSER_MAX_TAG)
		return scan_fail(s, "Invalid tag");
	*tag_r = arena_strndup(s->arena, t, n);
	return true;
}

static bool is_list_char(unsigned char c)
{
	return istring_is_astring_char(c) || c == '%' || c == '*';
}

bool scan_list_mailbox(struct imap_scan *s, const char **str_r)
{
	const char *a;
	size_t n;

	if ((scan_peek(s) == '"' && !scan_at_literal(s)) || scan_at_literal(s))
		return scan_string(s, str_r);
	if (!run_of(s, is_list_char, &a, &n))
		return scan_fail(s,
				 scan_eol(s) ? "Missing arguments" : "Expected a mailbox pattern");
	*str_r = arena_strndup(s->arena, a, n);
	return true;
}

bool scan_astring_chars(struct imap_scan *s, const char **str_r, size_t *len_r)
{
	if (!run_of(s, is_astring_char, str_r, len_r))
		return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Expected an astring");
	return true;
}

bool scan_label(struct imap_scan *s, const char **label_r, size_t *len_r)
{
	if (!run_of(s, is_label_char, label_r, len_r))
		return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Expected a keyword");
	return true;
}

static size_t label_len_at(const struct imap_scan *s)
{
	size_t i = s->pos;

	while (i < s->len && is_label_char(s->data[i]))
		i++;
	return i - s->pos;
}

bool scan_peek_keyword(const struct imap_scan *s, const char *kw)
{
	size_t n = label_len_at(s);

	return n > 0 && !scan_at_literal(s) && str_eq_ci_n((const char *)s->data + s->pos, n, kw);
}

bool scan_keyword(struct imap_scan *s, const char *kw)
{
	if (!scan_peek_keyword(s, kw))
		return false;
	s->pos += strlen(kw);
	return true;
}

bool scan_nil(struct imap_scan *s)
{
	size_t i = s->pos;

	if (scan_at_literal(s) || s->len - i < 3 ||
	    !str_eq_ci_n((const char *)s->data + i, 3, "NIL"))
		return false;
	/* "NIL" must be the whole atom: "NILS" is an atom, not NIL. */
	if (i + 3 < s->len && is_atom_char(s->data[i + 3]))
		return false;
	s->pos += 3;
	return true;
}

/* Find the closing quote and the unescaped length; 0 on a bad string. */
static bool quoted_extent(struct imap_scan *s, size_t *end_r, size_t *len_r)
{
	size_t n = 0;

	for (size_t i = s->pos + 1; i < s->len; i++) {
		unsigned char c = s->data[i];

		if (c == '"') {
			*end_r = i;
			*len_r = n;
			return true;
		}
		if (c == '\\') {
			if (i + 1 >= s->len || (s->data[i + 1] != '"' && s->data[i + 1] != '\\'))
				return scan_fail(s, "Bad escape in quoted string");
			i++;
		} else if (c == '\0' || c == '\r' || c == '\n') {
			return scan_fail(s, "Invalid character in quoted string");
		}
		n++;
	}
	return scan_fail(s, "Unterminated quoted string");
}

bool scan_quoted(struct imap_scan *s, const char **str_r, size_t *len_r)
{
	size_t end, len, n = 0;
	char *out;

	if (scan_peek(s) != '"' || scan_at_literal(s))
		return scan_fail(s, "Expected a quoted string");
	if (!quoted_extent(s, &end, &len))
		return false;
	out = arena_alloc(s->arena, len + 1);
	for (size_t i = s->pos + 1; i < end; i++) {
		if (s->data[i] == '\\')
			i++;
		out[n++] = (char)s->data[i];
	}
	out[n] = '\0';
	if (s->utf8 && !utf8_valid(out, n))
		return scan_fail(s, "Quoted string is not valid UTF-8");
	s->pos = end + 1;
	*str_r = out;
	*len_r = n;
	return true;
}

bool scan_literal(struct imap_scan *s, bool allow_literal8, const char **data_r, uint64_t *size_r,
		  void **stream_r, bool *literal8_r)
{
	const struct imap_frame_lit *lit;

	if (!scan_at_literal(s))
		return scan_fail(s, "Expected a literal");
	lit = &s->lits[s->lit_next];
	if (lit->literal8 && !allow_literal8)
		return scan_fail(s, "literal8 is not allowed here");
	s->lit_next++;
	s->pos = lit->data;
	*size_r = lit->size;
	*literal8_r = lit->literal8;
	*stream_r = lit->handle;
	if (lit->streamed) {
		*data_r = NULL;
		return true;
	}
	*data_r = arena_strndup(s->arena, (const char *)s->data + lit->data, (size_t)lit->size);
	s->pos += (size_t)lit->size;
	return true;
}

/* A literal used as a plain string: in memory and without NUL. */
static bool scan_literal_string(struct imap_scan *s, const char **str_r)
{
	const char *data;
	uint64_t size;
	void *stream;
	bool lit8;

	if (!scan_literal(s, false, &data, &size, &stream, &lit8))
		return false;
	if (data == NULL)
		return scan_fail_kind(s, IMAP_PERR_LITERAL_TOO_BIG, "Literal too large here");
	if (memchr(data, '\0', (size_t)size) != NULL)
		return scan_fail(s, "NUL in literal");
	*str_r = data;
	return true;
}

bool scan_string(struct imap_scan *s, const char **str_r)
{
	size_t len;

	if (scan_peek(s) == '"' && !scan_at_literal(s))
		return scan_quoted(s, str_r, &len);
	if (scan_at_literal(s))
		return scan_literal_string(s, str_r);
	return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Expected a string");
}

bool scan_astring(struct imap_scan *s, const char **str_r)
{
	const char *a;
	size_t n;

	if ((scan_peek(s) == '"' && !scan_at_literal(s)) || scan_at_literal(s))
		return scan_string(s, str_r);
	if (!scan_astring_chars(s, &a, &n))
		return false;
	*str_r = arena_strndup(s->arena, a, n);
	return true;
}

bool scan_nstring(struct imap_scan *s, const char **str_r)
{
	if (scan_nil(s)) {
		*str_r = NULL;
		return true;
	}
	return scan_string(s, str_r);
}

bool scan_nstring_bytes(struct imap_scan *s, bool allow_literal8, const char **data_r,
			uint64_t *len_r, void **stream_r, bool *literal8_r)
{
	size_t len;

	*stream_r = NULL;
	*literal8_r = false;
	if (scan_nil(s)) {
		*data_r = NULL;
		*len_r = 0;
		return true;
	}
	if (scan_at_literal(s))
		return scan_literal(s, allow_literal8, data_r, len_r, stream_r, literal8_r);
	if (!scan_quoted(s, data_r, &len))
		return false;
	*len_r = len;
	return true;
}

static bool is_digit(unsigned char c)
{
	return ascii_isdigit(c);
}

static bool scan_digits(struct imap_scan *s, uint64_t max, bool nonzero, uint64_t *n_r)
{
	const char *d;
	size_t n;

	if (!run_of(s, is_digit, &d, &n))
		return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Expected a number");
	if (nonzero && d[0] == '0')
		return scan_fail(s, "Expected a non-zero number");
	if (!str_to_u64(d, n, max, n_r))
		return scan_fail(s, "Number out of range");
	return true;
}

bool scan_number(struct imap_scan *s, uint32_t *n_r)
{
	uint64_t v;

	if (!scan_digits(s, UINT32_MAX, false, &v))
		return false;
	*n_r = (uint32_t)v;
	return true;
}

bool scan_nz_number(struct imap_scan *s, uint32_t *n_r)
{
	uint64_t v;

	if (!scan_digits(s, UINT32_MAX, true, &v))
		return false;
	*n_r = (uint32_t)v;
	return true;
}

bool scan_number64(struct imap_scan *s, uint64_t *n_r)
{
	return scan_digits(s, INT64_MAX, false, n_r);
}

bool scan_nz_number64(struct imap_scan *s, uint64_t *n_r)
{
	return scan_digits(s, INT64_MAX, true, n_r);
}

static bool is_seqset_char(unsigned char c)
{
	return ascii_isdigit(c) || c == ':' || c == ',' || c == '*' || c == '$';
}

bool scan_seqset(struct imap_scan *s, unsigned flags, struct imap_seqset *set_r)
{
	const char *str;
	size_t n;

	if (!run_of(s, is_seqset_char, &str, &n))
		return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Expected a sequence set");
	if (!imap_seqset_parse(s->arena, str, n, flags, set_r))
		return scan_fail(s, "Invalid sequence set");
	return true;
}

bool scan_enter(struct imap_scan *s)
{
	if (++s->depth > s->max_depth)
		return scan_fail_kind(s, IMAP_PERR_TOO_DEEP, "Too deeply nested");
	return true;
}

void scan_leave(struct imap_scan *s)
{
	s->depth--;
}

bool scan_list_open(struct imap_scan *s)
{
	if (!scan_char(s, '('))
		return false;
	return scan_enter(s);
}

bool scan_list_close(struct imap_scan *s)
{
	if (!scan_char(s, ')'))
		return false;
	scan_leave(s);
	return true;
}

bool scan_list_item(struct imap_scan *s, size_t *count)
{
	if (++*count > s->max_items)
		return scan_fail_kind(s, IMAP_PERR_TOO_MANY_ITEMS, "Too many items in a list");
	return true;
}

bool scan_flag(struct imap_scan *s, bool allow_star, const char **flag_r)
{
	const char *a;
	size_t n;

	if (!scan_try_char(s, '\\'))
		return scan_atom_dup(s, flag_r);
	if (scan_peek(s) == '*') {
		if (!allow_star)
			return scan_fail(s, "\\* is not a flag here");
		s->pos++;
		*flag_r = "\\*";
		return true;
	}
	if (!scan_atom(s, &a, &n))
		return scan_fail(s, "Invalid flag");
	*flag_r = arena_printf(s->arena, "\\%.*s", (int)n, a);
	return true;
}

bool scan_flag_list(struct imap_scan *s, bool allow_star, struct imap_strlist *flags_r)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	if (!scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		const char *flag;

		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !scan_flag(s, allow_star, &flag))
			return false;
		strlist_add(s, &b, flag);
	}
	scan_leave(s);
	*flags_r = strlist_finish(&b);
	return true;
}

static bool is_date_char(unsigned char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c) || c == '-';
}

bool scan_date(struct imap_scan *s, struct imap_date *date_r)
{
	const char *d;
	size_t n;
	bool quoted = scan_try_char(s, '"');

	if (!run_of(s, is_date_char, &d, &n) || !imap_date_parse(d, n, date_r))
		return scan_fail(s, "Invalid date");
	if (quoted && !scan_char(s, '"'))
		return false;
	return true;
}

bool scan_datetime(struct imap_scan *s, struct imap_datetime *dt_r)
{
	const char *str;
	size_t n;

	if (scan_peek(s) != '"' || scan_at_literal(s))
		return scan_fail(s, "Expected a quoted date-time");
	if (!scan_quoted(s, &str, &n))
		return false;
	if (!imap_datetime_parse(str, n, dt_r))
		return scan_fail(s, "Invalid date-time");
	return true;
}

bool scan_text(struct imap_scan *s, const char **text_r)
{
	size_t start = s->pos;

	for (; s->pos < s->len; s->pos++) {
		unsigned char c = s->data[s->pos];

		if (c == '\0' || c == '\r' || c == '\n')
			return scan_fail(s, "Invalid character in text");
	}
	*text_r = arena_strndup(s->arena, (const char *)s->data + start, s->len - start);
	return true;
}

static bool is_generic_atom_char(unsigned char c)
{
	/* Generic data is lenient: anything up to a delimiter. */
	return c > ' ' && c != '(' && c != ')' && c != '"' && c != 0x7f && c != '{';
}

static bool scan_value_list(struct imap_scan *s, struct imap_value *value_r)
{
	struct imap_value *items = NULL;
	size_t count = 0, cap = 0, n = 0;

	if (!scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &n))
			return false;
		items = scan_grow(s, items, count, &cap, sizeof(*items));
		if (!scan_value(s, &items[count]))
			return false;
		count++;
	}
	scan_leave(s);
	value_r->kind = IMAP_VALUE_LIST;
	value_r->items = items;
	value_r->count = count;
	return true;
}

bool scan_value(struct imap_scan *s, struct imap_value *value_r)
{
	const char *str = NULL;
	size_t n;

	memset(value_r, 0, sizeof(*value_r));
	if (scan_at_literal(s)) {
		uint64_t size;
		void *stream;
		bool lit8;

		if (!scan_literal(s, true, &str, &size, &stream, &lit8))
			return false;
		if (str == NULL)
			return scan_fail_kind(s, IMAP_PERR_LITERAL_TOO_BIG,
					      "Literal too large here");
		value_r->kind = lit8 ? IMAP_VALUE_BINARY : IMAP_VALUE_STRING;
		value_r->str = str;
		value_r->len = (size_t)size;
		return true;
	}
	if (scan_peek(s) == '(')
		return scan_value_list(s, value_r);
	if (scan_peek(s) == '"') {
		value_r->kind = IMAP_VALUE_STRING;
		return scan_quoted(s, &value_r->str, &value_r->len);
	}
	if (scan_nil(s)) {
		value_r->kind = IMAP_VALUE_NIL;
		return true;
	}
	if (!run_of(s, is_generic_atom_char, &str, &n))
		return scan_fail(s, scan_eol(s) ? "Missing arguments" : "Unexpected character");
	value_r->kind = IMAP_VALUE_ATOM;
	value_r->str = arena_strndup(s->arena, str, n);
	value_r->len = n;
	return true;
}

bool scan_tagged_ext_val(struct imap_scan *s, struct imap_value *value_r)
{
	if (!scan_value(s, value_r))
		return false;
	if (value_r->kind != IMAP_VALUE_ATOM && value_r->kind != IMAP_VALUE_LIST)
		return scan_fail(s, "Expected an atom or a list");
	return true;
}

void *scan_grow(struct imap_scan *s, void *array, size_t count, size_t *cap, size_t elem_size)
{
	size_t new_cap;

	if (count < *cap)
		return array;
	new_cap = *cap == 0 ? 4 : *cap * 2;
	array = arena_realloc(s->arena, array, *cap * elem_size, new_cap * elem_size);
	*cap = new_cap;
	return array;
}

void strlist_add(struct imap_scan *s, struct strlist_builder *b, const char *str)
{
	b->items = scan_grow(s, b->items, b->count, &b->cap, sizeof(*b->items));
	b->items[b->count++] = str;
}

struct imap_strlist strlist_finish(struct strlist_builder *b)
{
	struct imap_strlist list = {b->items, b->count};

	return list;
}
