/* imap-parser-private.h — internals shared by the parser's files: the
 * framed item with its literal table, and the scanner (token reader) the
 * command and response grammars are written with. Not for use outside
 * src/imap.
 */
#ifndef HAFEN_IMAP_PARSER_PRIVATE_H
#define HAFEN_IMAP_PARSER_PRIVATE_H

#include "imap-parser.h"

#include "lib/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One literal of a framed item. Offsets are into the item's bytes: hdr is
 * where "{" or "~{" starts, data where the literal bytes start (after the
 * line end). A streamed literal has no bytes in the item. */
struct imap_frame_lit {
	size_t hdr;
	size_t data;
	uint64_t size;
	bool literal8;
	bool sync;
	bool streamed;
	void *handle;
};

/* The streamed literal handles a parsed command or response holds, and the
 * sink to release them through (allocated in its arena). */
struct imap_command_streams {
	struct imap_literal_sink sink;
	void **handles;
	size_t count;
};

/* Release every handle (command and response freeing). */
void imap_streams_release(struct imap_command_streams *st);

/* Scanner over one complete item. Functions return true on success; on
 * failure they set error (the first one wins) and return false, so a
 * grammar function is a chain of "if (!scan_x(s)) return false". */
struct imap_scan {
	const unsigned char *data;
	size_t len;
	size_t pos;
	const struct imap_frame_lit *lits;
	size_t lit_count;
	size_t lit_next;
	struct arena *arena;
	unsigned depth;
	unsigned max_depth;
	unsigned max_items;
	bool utf8;
	enum imap_parse_error_kind error_kind;
	const char *error;
};

/* A saved position, to try one reading and fall back to another. */
struct scan_mark {
	size_t pos, lit_next;
	unsigned depth;
	const char *error;
	enum imap_parse_error_kind error_kind;
};

static inline struct scan_mark scan_mark(const struct imap_scan *s)
{
	struct scan_mark m = {s->pos, s->lit_next, s->depth, s->error, s->error_kind};

	return m;
}

static inline void scan_restore(struct imap_scan *s, const struct scan_mark *m)
{
	s->pos = m->pos;
	s->lit_next = m->lit_next;
	s->depth = m->depth;
	s->error = m->error;
	s->error_kind = m->error_kind;
}

void scan_init(struct imap_scan *s, const unsigned char *data, size_t len,
	       const struct imap_frame_lit *lits, size_t lit_count, struct arena *arena,
	       const struct imap_parser_limits *limits);
/* Record an error (keeps the first); returns false. */
bool scan_fail(struct imap_scan *s, const char *message);
bool scan_fail_kind(struct imap_scan *s, enum imap_parse_error_kind kind, const char *message);

bool scan_eol(const struct imap_scan *s);
/* Next byte, or -1 at the end of the item. */
int scan_peek(const struct imap_scan *s);
/* Expect exactly one SP (RFC 9051 section 9 note 2). */
bool scan_sp(struct imap_scan *s);
bool scan_char(struct imap_scan *s, char c);
/* Consume c when it is next; no error otherwise. */
bool scan_try_char(struct imap_scan *s, char c);
/* Consume one SP when it is followed by c; no error otherwise. */
bool scan_sp_if_next(struct imap_scan *s, char c);
/* The item must end here. */
bool scan_end(struct imap_scan *s);
/* Is a literal announced at the current position? */
bool scan_at_literal(const struct imap_scan *s);

/* 1*ATOM-CHAR, pointing into the item (not NUL-terminated). */
bool scan_atom(struct imap_scan *s, const char **atom_r, size_t *len_r);
/* As scan_atom, copied into the arena and NUL-terminated. */
bool scan_atom_dup(struct imap_scan *s, const char **atom_r);
/* tag = 1*<any ASTRING-CHAR except "+">, at most IMAP_PARSER_MAX_TAG. */
bool scan_tag(struct imap_scan *s, const char **tag_r);
/* list-mailbox = 1*list-char / string (atom chars, "]", "%", "*"). */
bool scan_list_mailbox(struct imap_scan *s, const char **str_r);
/* 1*ASTRING-CHAR (atom chars plus "]"). */
bool scan_astring_chars(struct imap_scan *s, const char **str_r, size_t *len_r);
/* A label: letters, digits, "-", "_", ".", ":" (command names, fetch
 * items, search keys, options, response codes); not NUL-terminated. */
bool scan_label(struct imap_scan *s, const char **label_r, size_t *len_r);
/* Consume a label equal to kw (case-insensitive) that is followed by a
 * non-label byte; false without error when it is not there. */
bool scan_keyword(struct imap_scan *s, const char *kw);
/* Peek whether a keyword comes next, without consuming. */
bool scan_peek_keyword(const struct imap_scan *s, const char *kw);

/* Strings, copied into the arena and NUL-terminated. These refuse NUL
 * bytes (and literal8) unless noted. */
bool scan_quoted(struct imap_scan *s, const char **str_r, size_t *len_r);
bool scan_string(struct imap_scan *s, const char **str_r);
bool scan_astring(struct imap_scan *s, const char **str_r);
/* string or NIL (NULL). */
bool scan_nstring(struct imap_scan *s, const char **str_r);
/* A literal or literal8 with its bytes; streamed ones give data NULL and
 * the handle. */
bool scan_literal(struct imap_scan *s, bool allow_literal8, const char **data_r, uint64_t *size_r,
		  void **stream_r, bool *literal8_r);
/* nstring or literal8 (FETCH BINARY data): any bytes, with length. */
bool scan_nstring_bytes(struct imap_scan *s, bool allow_literal8, const char **data_r,
			uint64_t *len_r, void **stream_r, bool *literal8_r);
/* Is "NIL" next (as a whole atom)? Consumes it when it is. */
bool scan_nil(struct imap_scan *s);

/* number (32-bit), nz-number, number64 (63-bit), nz-number64. */
bool scan_number(struct imap_scan *s, uint32_t *n_r);
bool scan_nz_number(struct imap_scan *s, uint32_t *n_r);
bool scan_number64(struct imap_scan *s, uint64_t *n_r);
bool scan_nz_number64(struct imap_scan *s, uint64_t *n_r);
/* A sequence set atom (flags from imap-seqset.h). */
bool scan_seqset(struct imap_scan *s, unsigned flags, struct imap_seqset *set_r);

/* "(" and ")" with the depth limit. */
bool scan_list_open(struct imap_scan *s);
bool scan_list_close(struct imap_scan *s);
/* Count one more item of a list: fails past max_list_items. */
bool scan_list_item(struct imap_scan *s, size_t *count);
/* Enter/leave one level of grammar recursion (NOT, OR, nested bodies). */
bool scan_enter(struct imap_scan *s);
void scan_leave(struct imap_scan *s);

/* flag: "\" atom or atom (keyword); "\*" only when allow_star. */
bool scan_flag(struct imap_scan *s, bool allow_star, const char **flag_r);
/* flag-list "(" [flag *(SP flag)] ")" */
bool scan_flag_list(struct imap_scan *s, bool allow_star, struct imap_strlist *flags_r);
/* date (optionally quoted) and the quoted date-time. */
bool scan_date(struct imap_scan *s, struct imap_date *date_r);
bool scan_datetime(struct imap_scan *s, struct imap_datetime *dt_r);
/* The rest of the item as text (TEXT-CHAR and 8-bit, no CR/LF/NUL). */
bool scan_text(struct imap_scan *s, const char **text_r);
/* A generic value: NIL, atom, string, literal8, or a nested list. */
bool scan_value(struct imap_scan *s, struct imap_value *value_r);
/* tagged-ext-val: a generic value that is an atom or a list. */
bool scan_tagged_ext_val(struct imap_scan *s, struct imap_value *value_r);

/* Growable array in the arena: the old copy is abandoned, so total memory
 * stays below twice the final size. */
void *scan_grow(struct imap_scan *s, void *array, size_t count, size_t *cap, size_t elem_size);
/* Append one string to a list under construction. */
struct strlist_builder {
	const char **items;
	size_t count, cap;
};
void strlist_add(struct imap_scan *s, struct strlist_builder *b, const char *str);
struct imap_strlist strlist_finish(struct strlist_builder *b);

/* Grammar pieces shared by commands and responses. */
bool imap_parse_section(struct imap_scan *s, bool binary, struct imap_section *section_r);
bool imap_parse_fetch_item(struct imap_scan *s, bool response, struct imap_fetch_item *item_r);
bool imap_parse_status_item(struct imap_scan *s, unsigned *item_r);
bool imap_parse_partial_range(struct imap_scan *s, int64_t *first_r, int64_t *last_r);
bool imap_parse_charset(struct imap_scan *s, const char **charset_r);
bool imap_parse_search_program(struct imap_scan *s, bool charset_required,
			       struct imap_search_options *opts);
bool imap_parse_search_return(struct imap_scan *s, struct imap_search_options *opts);
bool imap_parse_fetch_items(struct imap_scan *s, struct imap_fetch_item **items_r, size_t *count_r);

/* Command argument parsers, one per family; each starts after the
 * command name and stops at the end of its arguments. */
bool imap_cmd_parse_select(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_create(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_list(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_lsub(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_status(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_append(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_replace(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_fetch(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_store(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_search(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_sort(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_thread(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_notify(struct imap_scan *s, struct imap_command *cmd);
bool imap_cmd_parse_setquota(struct imap_scan *s, struct imap_command *cmd);

/* Response data parsers, each starting after the response name. */
bool imap_resp_parse_list(struct imap_scan *s, struct imap_response *resp);
bool imap_resp_parse_status_data(struct imap_scan *s, struct imap_response *resp);
bool imap_resp_parse_esearch(struct imap_scan *s, struct imap_response *resp);
bool imap_resp_parse_namespace(struct imap_scan *s, struct imap_response *resp);
bool imap_resp_parse_thread(struct imap_scan *s, struct imap_response *resp);
bool imap_resp_parse_fetch(struct imap_scan *s, struct imap_response *resp);
bool imap_parse_objectid(struct imap_scan *s, const char **id_r);

/* Grammars: parse a whole framed item. */
bool imap_command_parse(struct imap_scan *s, struct imap_command *cmd);
bool imap_response_parse(struct imap_scan *s, struct imap_response *resp);

#endif
