/* imap-parser.c — the framer and the public parser API (see imap-parser.h).
 *
 * States of the framer, for the item in progress:
 *   LINE             reading a line into the item buffer
 *   DECISION         a literal was announced; waiting for accept/reject
 *   LITERAL          reading literal bytes into the item or the sink
 *   DISCARD_LINE     the item failed; skipping to the end of this line
 *   DISCARD_LITERAL  the item failed; skipping literal bytes the peer sends
 * Invariants: bytes before in_pos are consumed; the item buffer holds the
 * item's lines (the last line end stripped once complete) and in-memory
 * literal data, every literal recorded in lits; nothing is read past the
 * end of the current item before the caller asks for the next one.
 */
#include "imap-parser-private.h"
#include "lib/istring.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>

/* LITERAL- allows non-synchronizing literals up to this size (RFC 7888 section 5). */
#define LITERAL_MINUS_MAX 4096
#define MAX_COMMAND_NAME  32

enum frame_state {
	FRAME_LINE,
	FRAME_DECISION,
	FRAME_LITERAL,
	FRAME_DISCARD_LINE,
	FRAME_DISCARD_LITERAL,
};

enum frame_event {
	EV_MORE,
	EV_COMPLETE,
	EV_DECISION,
	EV_ERROR,
};

/* Literal announcement recogniser: "{" or "~{", digits, optional "+",
 * "}", optional CR, then LF — outside quoted strings. */
enum rec_state { REC_NONE, REC_TILDE, REC_BRACE, REC_DIGITS, REC_PLUS, REC_CLOSE, REC_CR };

struct line_scan {
	bool in_quote, escape;
	enum rec_state rec;
	bool tilde, plus, overflow;
	uint64_t value;
	size_t hdr; /* line offset of "{" or "~" */
};

struct imap_parser {
	enum imap_parser_side side;
	enum frame_state state;
	struct imap_parser_limits limits;
	struct imap_literal_sink sink;

	struct buf in;
	size_t in_pos;
	struct buf item;
	struct buf raw_line; /* the last raw line returned */

	unsigned lines;    /* complete lines of the current item */
	size_t line_bytes; /* bytes of the item outside literal data */
	size_t line_start; /* item offset of the current line */
	struct line_scan ls;

	struct imap_frame_lit *lits;
	size_t lit_count, lit_cap;
	struct imap_frame_lit cur; /* the literal being decided or read */
	uint64_t lit_left;
	uint64_t lit_mem;

	struct imap_literal_request request;
	struct imap_parse_error err;

	bool has_sink;
	bool raw_next;  /* the next item is a raw line */
	bool raw;       /* the current item is a raw line */
	bool text_item; /* client: first line is free text, no literals */
	bool head_done;
	bool has_tag, has_command, uid;
	bool err_pending;
	char tag[IMAP_PARSER_MAX_TAG + 1];
	char command[MAX_COMMAND_NAME + 1];
	char err_tag[IMAP_PARSER_MAX_TAG + 1];
	char err_command[MAX_COMMAND_NAME + 1];
};

void imap_parser_limits_init(struct imap_parser_limits *l, enum imap_limits_preset preset)
{
	memset(l, 0, sizeof(*l));
	switch (preset) {
	case IMAP_LIMITS_SERVER_PREAUTH:
		/* Before login a line carries a name, a password or a SASL
		 * message (under 2 KiB for every mechanism offered). */
		l->max_line = 8 * 1024;
		l->max_literal = 8 * 1024;
		l->max_literal_total = 16 * 1024;
		l->max_depth = 16;
		l->max_list_items = 256;
		break;
	case IMAP_LIMITS_SERVER_AUTH:
		l->max_line = 64 * 1024;
		l->max_literal = 64 * 1024 * 1024;
		l->max_literal_total = 64 * 1024 * 1024;
		l->stream_threshold = 1024 * 1024;
		l->max_depth = 32;
		l->max_list_items = 10000;
		break;
	case IMAP_LIMITS_CLIENT:
		l->max_line = 16 * 1024 * 1024;
		l->max_literal = 4ULL * 1024 * 1024 * 1024;
		l->max_literal_total = 256 * 1024 * 1024;
		l->stream_threshold = 1024 * 1024;
		l->max_depth = 128;
		l->max_list_items = 1000000;
		break;
	}
}

struct imap_parser *imap_parser_new(enum imap_parser_side side,
				    const struct imap_parser_limits *limits)
{
	struct imap_parser *p = xcalloc(1, sizeof(*p));

	p->side = side;
	if (limits != NULL)
		p->limits = *limits;
	else
		imap_parser_limits_init(&p->limits, side == IMAP_PARSER_SERVER
							    ? IMAP_LIMITS_SERVER_PREAUTH
							    : IMAP_LIMITS_CLIENT);
	return p;
}

void imap_parser_set_limits(struct imap_parser *p, const struct imap_parser_limits *limits)
{
	p->limits = *limits;
}

void imap_parser_set_sink(struct imap_parser *p, const struct imap_literal_sink *sink)
{
	p->has_sink = sink != NULL;
	if (sink != NULL)
		p->sink = *sink;
}

static void release_handles(struct imap_parser *p)
{
	for (size_t i = 0; i < p->lit_count; i++) {
		if (p->lits[i].handle != NULL)
			p->sink.release(p->sink.context, p->lits[i].handle);
		p->lits[i].handle = NULL;
	}
}

/* Forget the item in progress; the parser is between items afterwards. */
static void item_reset(struct imap_parser *p)
{
	buf_free(&p->item);
	p->state = FRAME_LINE;
	p->raw = false;
	p->lines = 0;
	p->line_bytes = 0;
	p->line_start = 0;
	memset(&p->ls, 0, sizeof(p->ls));
	p->text_item = false;
	p->lit_count = 0;
	if (p->lit_cap > 8) {
		xfree(&p->lits);
		p->lit_cap = 0;
	}
	p->lit_left = 0;
	p->lit_mem = 0;
	p->head_done = false;
	p->has_tag = p->has_command = p->uid = false;
	if (p->in_pos == p->in.len) {
		buf_free(&p->in);
		p->in_pos = 0;
	}
}

void imap_parser_free(struct imap_parser **pp)
{
	struct imap_parser *p = *pp;

	if (p == NULL)
		return;
	release_handles(p);
	buf_free(&p->in);
	buf_free(&p->item);
	buf_free(&p->raw_line);
	free(p->lits);
	free(p);
	*pp = NULL;
}

void imap_parser_reset(struct imap_parser *p)
{
	release_handles(p);
	p->in.len = 0;
	p->in_pos = 0;
	buf_free(&p->raw_line);
	p->err_pending = false;
	p->raw_next = false;
	item_reset(p);
}

size_t imap_parser_pending(const struct imap_parser *p)
{
	return p->in.len - p->in_pos + p->item.len;
}

void imap_parser_feed(struct imap_parser *p, const void *data, size_t len)
{
	/* Compact consumed input first, so the buffer never grows past what is
	 * still unread plus one chunk; moving at most half the buffer keeps
	 * the cost linear. */
	if (p->in_pos == p->in.len) {
		p->in.len = 0;
		p->in_pos = 0;
	} else if (p->in_pos > 0 && p->in_pos >= p->in.len / 2) {
		buf_consume(&p->in, p->in_pos);
		p->in_pos = 0;
	}
	buf_append(&p->in, data, len);
}

static bool is_tag_char(unsigned char c)
{
	return istring_is_astring_char(c) && c != '+';
}

/* Copy the next word (label characters) at *i into out, upper-cased. */
static bool head_word(const unsigned char *d, size_t len, size_t *i, char *out)
{
	size_t n = 0;

	while (*i < len && (ascii_isalpha(d[*i]) || ascii_isdigit(d[*i]) || d[*i] == '-' ||
			    d[*i] == '.' || d[*i] == '_')) {
		if (n == MAX_COMMAND_NAME)
			return false;
		out[n++] = (char)ascii_toupper(d[(*i)++]);
	}
	out[n] = '\0';
	return n > 0;
}

static bool is_cond_word(const char *w)
{
	return strcmp(w, "OK") == 0 || strcmp(w, "NO") == 0 || strcmp(w, "BAD") == 0 ||
	       strcmp(w, "BYE") == 0 || strcmp(w, "PREAUTH") == 0;
}

/* Read tag and command name from the start of the item (its first line,
 * possibly incomplete). For the client, also decide whether the first
 * line is free text. */
static void parse_head(struct imap_parser *p)
{
	const unsigned char *d = p->item.data;
	size_t len = p->item.len, i = 0, n;
	bool numbered;

	if (p->head_done)
		return;
	p->head_done = true;
	while (i < len && i <= IMAP_PARSER_MAX_TAG && is_tag_char(d[i]))
		i++;
	n = i;
	if (n == 0 && len > 0 && (d[0] == '*' || d[0] == '+'))
		n = i = 1;
	/* The tag must be followed by something we have seen: a tag cut
	 * short by the line limit is no tag. */
	if (n == 0 || n > IMAP_PARSER_MAX_TAG || i >= len ||
	    (d[i] != ' ' && d[i] != '\r' && d[i] != '\n'))
		return;
	if (p->side == IMAP_PARSER_CLIENT && d[0] == '+') {
		p->text_item = true;
		return;
	}
	memcpy(p->tag, d, n);
	p->tag[n] = '\0';
	/* A server tag never is "*" (an atom-special); the client keeps it. */
	p->has_tag = p->side == IMAP_PARSER_CLIENT || d[0] != '*';
	if (i >= len || d[i] != ' ')
		return;
	i++;
	if (!head_word(d, len, &i, p->command))
		return;
	numbered = p->side == IMAP_PARSER_CLIENT && ascii_isdigit((unsigned char)p->command[0]);
	if (numbered) {
		if (i >= len || d[i] != ' ')
			return;
		i++;
		if (!head_word(d, len, &i, p->command))
			return;
	}
	p->has_command = true;
	if (p->side == IMAP_PARSER_CLIENT) {
		/* Only "* OK"/"tag NO"... are status lines, whose text may end in
		 * what looks like a literal; "* 18 NO ..." is numbered data
		 * (parsed as unknown), where "{n}" is a literal. */
		p->text_item = !numbered && is_cond_word(p->command);
	} else if (strcmp(p->command, "UID") == 0 && i < len && d[i] == ' ') {
		i++;
		if (head_word(d, len, &i, p->command))
			p->uid = true;
		else
			strcpy(p->command, "UID");
	}
}

/* Record an error for the item in progress and drop what it holds. The
 * caller sets the state that skips the rest of it. */
static enum frame_event fail(struct imap_parser *p, enum imap_parse_error_kind kind,
			     const char *message)
{
	/* A raw line has no tag: the caller answers for the command that
	 * asked for it. */
	if (!p->raw)
		parse_head(p);
	p->err.kind = kind;
	p->err.message = message;
	p->err.tag = NULL;
	p->err.command = NULL;
	p->err.uid = p->uid;
	if (p->has_tag) {
		strcpy(p->err_tag, p->tag);
		p->err.tag = p->err_tag;
	}
	if (p->has_command) {
		strcpy(p->err_command, p->command);
		p->err.command = p->err_command;
	}
	release_handles(p);
	p->lit_count = 0;
	buf_free(&p->item);
	return EV_ERROR;
}

/* Skip the rest of a failed item from a literal announcement on: the
 * client sends a synchronizing literal only after "+", which it will not
 * get, so the command ends there (RFC 9051 section 4.3). */
static void discard_from_literal(struct imap_parser *p, uint64_t size, bool overflow, bool sync)
{
	if (sync && p->side == IMAP_PARSER_SERVER) {
		item_reset(p);
		return;
	}
	p->state = FRAME_DISCARD_LITERAL;
	p->lit_left = overflow ? UINT64_MAX : size;
	if (p->lit_left == 0) {
		p->state = FRAME_DISCARD_LINE;
		memset(&p->ls, 0, sizeof(p->ls));
	}
}

/* Feed n bytes of a line to the recogniser; stop after LF. Returns the
 * bytes used and sets *eol. offset is the line offset of data[0]. */
static size_t scan_line_bytes(struct line_scan *ls, const unsigned char *data, size_t n,
			      size_t offset, bool *eol)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = data[i];

		if (c == '\n') {
			*eol = true;
			return i + 1;
		}
		if (ls->in_quote) {
			if (ls->escape)
				ls->escape = false;
			else if (c == '\\')
				ls->escape = true;
			else if (c == '"')
				ls->in_quote = false;
			continue;
		}
		switch (c) {
		case '"':
			ls->in_quote = true;
			ls->rec = REC_NONE;
			break;
		case '~':
			ls->rec = REC_TILDE;
			ls->hdr = offset + i;
			break;
		case '{':
			ls->tilde = ls->rec == REC_TILDE;
			if (!ls->tilde)
				ls->hdr = offset + i;
			ls->rec = REC_BRACE;
			ls->value = 0;
			ls->overflow = false;
			ls->plus = false;
			break;
		case '+':
			ls->rec = ls->rec == REC_DIGITS ? REC_PLUS : REC_NONE;
			break;
		case '}':
			ls->rec =
				ls->rec == REC_DIGITS || ls->rec == REC_PLUS ? REC_CLOSE : REC_NONE;
			break;
		case '\r':
			ls->rec = ls->rec == REC_CLOSE ? REC_CR : REC_NONE;
			break;
		default:
			if (ascii_isdigit(c) && (ls->rec == REC_BRACE || ls->rec == REC_DIGITS)) {
				unsigned d = (unsigned)(c - '0');

				if (ls->value > (UINT64_MAX - d) / 10)
					ls->overflow = true;
				else
					ls->value = ls->value * 10 + d;
				ls->rec = REC_DIGITS;
			} else {
				ls->rec = REC_NONE;
			}
			break;
		}
		if (ls->rec == REC_PLUS)
			ls->plus = true;
	}
	*eol = false;
	return n;
}

static void new_line(struct imap_parser *p)
{
	memset(&p->ls, 0, sizeof(p->ls));
	p->line_start = p->item.len;
}

static bool stream_eligible(const struct imap_parser *p)
{
	if (!p->has_sink || p->limits.stream_threshold == 0 ||
	    p->cur.size < p->limits.stream_threshold || !p->has_command)
		return false;
	/* Only message data is streamed: APPEND/REPLACE messages on the
	 * server, FETCH data on the client. Other strings must be in memory. */
	if (p->side == IMAP_PARSER_SERVER)
		return strcmp(p->command, "APPEND") == 0 || strcmp(p->command, "REPLACE") == 0;
	return strcmp(p->command, "FETCH") == 0;
}

static enum frame_event finish_literal(struct imap_parser *p);

/* Start reading the accepted literal p->cur. */
static enum frame_event start_literal(struct imap_parser *p)
{
	if (p->cur.streamed) {
		p->cur.handle = p->sink.begin(p->sink.context, p->cur.size, p->cur.literal8);
		if (p->cur.handle == NULL) {
			enum frame_event ev = fail(p, IMAP_PERR_SINK, "Cannot store the literal");

			discard_from_literal(p, p->cur.size, false, p->cur.sync);
			return ev;
		}
	} else {
		p->lit_mem += p->cur.size;
	}
	if (p->lit_count == p->lit_cap) {
		p->lit_cap = p->lit_cap ? p->lit_cap * 2 : 4;
		p->lits = xreallocarray(p->lits, p->lit_cap, sizeof(*p->lits));
	}
	p->lits[p->lit_count++] = p->cur;
	p->cur.handle = NULL;
	p->state = FRAME_LITERAL;
	p->lit_left = p->lits[p->lit_count - 1].size;
	if (p->lit_left == 0)
		return finish_literal(p);
	return EV_MORE;
}

static enum frame_event finish_literal(struct imap_parser *p)
{
	struct imap_frame_lit *lit = &p->lits[p->lit_count - 1];

	if (lit->streamed && p->sink.end(p->sink.context, lit->handle) < 0) {
		enum frame_event ev = fail(p, IMAP_PERR_SINK, "Cannot store the literal");

		p->state = FRAME_DISCARD_LINE;
		memset(&p->ls, 0, sizeof(p->ls));
		return ev;
	}
	p->state = FRAME_LINE;
	new_line(p);
	return EV_MORE;
}

/* A line of a live item announced a literal: check it against the limits,
 * then ask the caller (server) or take it (client). */
static enum frame_event announce_literal(struct imap_parser *p)
{
	struct line_scan *ls = &p->ls;
	struct imap_frame_lit *cur = &p->cur;

	memset(cur, 0, sizeof(*cur));
	cur->hdr = p->line_start + ls->hdr;
	cur->data = p->item.len;
	cur->size = ls->value;
	cur->literal8 = ls->tilde;
	cur->sync = !ls->plus;
	if (ls->overflow || cur->size > p->limits.max_literal ||
	    (p->side == IMAP_PARSER_SERVER && p->limits.literal_minus && !cur->sync &&
	     cur->size > LITERAL_MINUS_MAX)) {
		enum frame_event ev = fail(p, IMAP_PERR_LITERAL_TOO_BIG, "Literal too big");

		discard_from_literal(p, cur->size, ls->overflow, cur->sync);
		return ev;
	}
	cur->streamed = stream_eligible(p);
	if (!cur->streamed && (p->lit_mem > p->limits.max_literal_total ||
			       cur->size > p->limits.max_literal_total - p->lit_mem)) {
		enum frame_event ev =
			fail(p, IMAP_PERR_LITERAL_TOO_BIG, "Literals too big in total");

		discard_from_literal(p, cur->size, false, cur->sync);
		return ev;
	}
	if (p->side == IMAP_PARSER_CLIENT)
		return start_literal(p);
	p->request.tag = p->has_tag ? p->tag : NULL;
	p->request.command = p->has_command ? p->command : NULL;
	p->request.uid = p->uid;
	p->request.size = cur->size;
	p->request.literal8 = cur->literal8;
	p->request.sync = cur->sync;
	p->request.index = (unsigned)p->lit_count;
	p->state = FRAME_DECISION;
	return EV_DECISION;
}

/* The line just stored ended (LF at the item's end). */
static enum frame_event line_end(struct imap_parser *p)
{
	bool literal = p->ls.rec == REC_CLOSE || p->ls.rec == REC_CR;
	size_t end = p->item.len - 1;

	p->lines++;
	if (p->lines == 1)
		parse_head(p);
	if (!p->raw && literal && !(p->lines == 1 && p->text_item))
		return announce_literal(p);
	/* Strip the line end: the item is complete. */
	if (end > p->line_start && p->item.data[end - 1] == '\r')
		end--;
	buf_truncate(&p->item, end);
	if (p->item.len == 0 && p->lines == 1 && !p->raw) {
		/* An empty line is no command; skip it quietly. */
		item_reset(p);
		return EV_MORE;
	}
	return EV_COMPLETE;
}

static enum frame_event read_line(struct imap_parser *p)
{
	const unsigned char *d = p->in.data + p->in_pos;
	size_t avail = p->in.len - p->in_pos, n, room;
	bool eol;

	n = scan_line_bytes(&p->ls, d, avail, p->item.len - p->line_start, &eol);
	p->in_pos += n;
	if (p->state == FRAME_DISCARD_LINE) {
		if (!eol)
			return EV_MORE;
		if (!p->raw && (p->ls.rec == REC_CLOSE || p->ls.rec == REC_CR) &&
		    !(p->lines == 0 && p->text_item)) {
			p->lines++;
			discard_from_literal(p, p->ls.value, p->ls.overflow, !p->ls.plus);
		} else {
			item_reset(p);
		}
		return EV_MORE;
	}
	/* New limits may have come in mid-item: never let room wrap. */
	room = p->line_bytes < p->limits.max_line ? p->limits.max_line - p->line_bytes : 0;
	if (n > room) {
		/* Keep the part that fits: the head gives the error its tag. */
		enum frame_event ev;

		buf_append(&p->item, d, room);
		ev = fail(p, IMAP_PERR_LINE_TOO_LONG, "Line too long");
		p->state = FRAME_DISCARD_LINE;
		if (eol) {
			/* The line ended within this chunk: finish the discard now. */
			if (!p->raw && (p->ls.rec == REC_CLOSE || p->ls.rec == REC_CR) &&
			    !(p->lines == 0 && p->text_item))
				discard_from_literal(p, p->ls.value, p->ls.overflow, !p->ls.plus);
			else
				item_reset(p);
		}
		return ev;
	}
	buf_append(&p->item, d, n);
	p->line_bytes += n;
	if (!eol)
		return EV_MORE;
	return line_end(p);
}

static enum frame_event read_literal(struct imap_parser *p)
{
	const unsigned char *d = p->in.data + p->in_pos;
	size_t avail = p->in.len - p->in_pos;
	size_t n = avail < p->lit_left ? avail : (size_t)p->lit_left;

	p->in_pos += n;
	p->lit_left -= n;
	if (p->state == FRAME_DISCARD_LITERAL) {
		if (p->lit_left == 0) {
			p->state = FRAME_DISCARD_LINE;
			memset(&p->ls, 0, sizeof(p->ls));
		}
		return EV_MORE;
	}
	if (p->lits[p->lit_count - 1].streamed) {
		if (n > 0 &&
		    p->sink.write(p->sink.context, p->lits[p->lit_count - 1].handle, d, n) < 0) {
			uint64_t left = p->lit_left;
			enum frame_event ev = fail(p, IMAP_PERR_SINK, "Cannot store the literal");

			p->state = FRAME_DISCARD_LITERAL;
			p->lit_left = left;
			if (left == 0) {
				p->state = FRAME_DISCARD_LINE;
				memset(&p->ls, 0, sizeof(p->ls));
			}
			return ev;
		}
	} else {
		buf_append(&p->item, d, n);
	}
	if (p->lit_left == 0)
		return finish_literal(p);
	return EV_MORE;
}

/* Run the framer until the item is complete, a decision or error is
 * due, or the input is used up. */
static enum frame_event frame(struct imap_parser *p)
{
	if (p->err_pending) {
		p->err_pending = false;
		return EV_ERROR;
	}
	for (;;) {
		enum frame_event ev;

		if (p->state == FRAME_DECISION)
			return EV_DECISION;
		if (p->in_pos == p->in.len) {
			if (p->item.len == 0 && p->lines == 0 && p->state == FRAME_LINE) {
				buf_free(&p->in);
				p->in_pos = 0;
			}
			return EV_MORE;
		}
		if (p->state == FRAME_LINE && p->lines == 0 && p->item.len == 0)
			p->raw = p->raw_next;
		if (p->state == FRAME_LINE || p->state == FRAME_DISCARD_LINE)
			ev = read_line(p);
		else
			ev = read_literal(p);
		if (ev != EV_MORE)
			return ev;
	}
}

const struct imap_literal_request *imap_parser_literal_request(const struct imap_parser *p)
{
	return p->state == FRAME_DECISION ? &p->request : NULL;
}

int imap_parser_literal_accept(struct imap_parser *p)
{
	if (p->state != FRAME_DECISION)
		return -1;
	if (start_literal(p) == EV_ERROR) {
		p->err_pending = true;
		return -1;
	}
	return 0;
}

void imap_parser_literal_reject(struct imap_parser *p)
{
	if (p->state != FRAME_DECISION)
		return;
	release_handles(p);
	p->lit_count = 0;
	discard_from_literal(p, p->cur.size, false, p->cur.sync);
	if (p->state == FRAME_DISCARD_LITERAL)
		buf_free(&p->item);
}

void imap_parser_expect_raw_line(struct imap_parser *p)
{
	p->raw_next = true;
}

static void error_from_scan(struct imap_parser *p, const struct imap_scan *s,
			    struct imap_parse_error *error_r)
{
	fail(p, s->error_kind, s->error != NULL ? s->error : "Syntax error");
	*error_r = p->err;
}

/* Hand the streamed literal handles over to the parsed item's arena. */
static struct imap_command_streams *take_streams(struct imap_parser *p, struct arena *arena)
{
	struct imap_command_streams *st = NULL;
	size_t n = 0;

	for (size_t i = 0; i < p->lit_count; i++)
		n += p->lits[i].handle != NULL;
	if (n == 0)
		return NULL;
	st = arena_zalloc(arena, sizeof(*st));
	st->sink = p->sink;
	st->handles = arena_alloc(arena, n * sizeof(void *));
	for (size_t i = 0; i < p->lit_count; i++) {
		if (p->lits[i].handle != NULL)
			st->handles[st->count++] = p->lits[i].handle;
		p->lits[i].handle = NULL;
	}
	return st;
}

static void item_done(struct imap_parser *p)
{
	item_reset(p);
}

/* Every next_* call: drop the last raw line, and say whether the item
 * about to be framed (or still on its first line) is a raw line. The
 * recogniser runs in both modes, so switching mid-line is safe. */
static void start_call(struct imap_parser *p, bool raw)
{
	buf_free(&p->raw_line);
	p->raw_next = raw;
	if (p->state == FRAME_LINE && p->lines == 0)
		p->raw = raw;
}

enum imap_parse_result imap_parser_next_command(struct imap_parser *p, struct imap_command **cmd_r,
						struct imap_parse_error *error_r)
{
	enum frame_event ev;
	struct imap_command *cmd;
	struct arena *arena;
	struct imap_scan s;

	*cmd_r = NULL;
	start_call(p, false);
	ev = frame(p);
	if (ev == EV_MORE)
		return IMAP_PARSE_MORE;
	if (ev == EV_DECISION)
		return IMAP_PARSE_LITERAL;
	if (ev == EV_ERROR) {
		*error_r = p->err;
		return IMAP_PARSE_ERROR;
	}
	arena = arena_new(p->item.len < 1024 ? 1024 : 0);
	cmd = arena_zalloc(arena, sizeof(*cmd));
	cmd->arena = arena;
	scan_init(&s, p->item.data, p->item.len, p->lits, p->lit_count, arena, &p->limits);
	if (p->raw || !imap_command_parse(&s, cmd)) {
		if (p->raw)
			scan_fail(&s, "Unexpected raw line");
		arena_free(&arena);
		error_from_scan(p, &s, error_r);
		item_done(p);
		return IMAP_PARSE_ERROR;
	}
	cmd->streams_ = take_streams(p, arena);
	item_done(p);
	*cmd_r = cmd;
	return IMAP_PARSE_DONE;
}

enum imap_parse_result imap_parser_next_response(struct imap_parser *p,
						 struct imap_response **resp_r,
						 struct imap_parse_error *error_r)
{
	enum frame_event ev;
	struct imap_response *resp;
	struct arena *arena;
	struct imap_scan s;

	*resp_r = NULL;
	start_call(p, false);
	ev = frame(p);
	if (ev == EV_MORE || ev == EV_DECISION)
		return IMAP_PARSE_MORE;
	if (ev == EV_ERROR) {
		*error_r = p->err;
		return IMAP_PARSE_ERROR;
	}
	arena = arena_new(p->item.len < 1024 ? 1024 : 0);
	resp = arena_zalloc(arena, sizeof(*resp));
	resp->arena = arena;
	scan_init(&s, p->item.data, p->item.len, p->lits, p->lit_count, arena, &p->limits);
	if (!imap_response_parse(&s, resp)) {
		arena_free(&arena);
		error_from_scan(p, &s, error_r);
		item_done(p);
		return IMAP_PARSE_ERROR;
	}
	resp->streams_ = take_streams(p, arena);
	item_done(p);
	*resp_r = resp;
	return IMAP_PARSE_DONE;
}

enum imap_parse_result imap_parser_next_raw_line(struct imap_parser *p, const char **line_r,
						 size_t *len_r, struct imap_parse_error *error_r)
{
	enum frame_event ev;

	start_call(p, true);
	ev = frame(p);
	if (ev == EV_MORE || ev == EV_DECISION)
		return IMAP_PARSE_MORE;
	p->raw_next = false;
	if (ev == EV_ERROR) {
		*error_r = p->err;
		return IMAP_PARSE_ERROR;
	}
	/* The line stays in raw_line until the next call. */
	p->raw_line = p->item;
	memset(&p->item, 0, sizeof(p->item));
	item_done(p);
	*line_r = buf_cstr(&p->raw_line);
	*len_r = p->raw_line.len;
	return IMAP_PARSE_DONE;
}
