/* mime-parse.c — the one-pass structure parser: header blocks, multipart
 * boundaries, encapsulated messages, offsets and line counts.
 *
 * The parser walks the message line by line exactly once. It keeps a stack
 * of the boundaries of the multiparts it is inside; a line that starts
 * with "--" is compared with them innermost first, and a match ends every
 * part nested deeper than the multipart it belongs to (RFC 2046 5.1.2:
 * an outer boundary closes inner parts whose close delimiter is missing).
 * A line costs O(1) plus, when it starts with "--", O(depth) comparisons,
 * so the whole parse is linear in the message size for a bounded depth.
 *
 * Invariants: p->pos is always at the start of a line; p->lfs counts the
 * LF bytes before p->pos; p->hit is the stack level of the boundary line
 * at p->pos when the last scan stopped at one, else -1.
 */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

#define MIME_DEPTH_CAP 1000 /* recursion bound whatever the caller asks */

struct boundary {
	const char *s;
	size_t len;
};

struct parser {
	struct mime_message *msg;
	struct arena *a;
	const unsigned char *data;
	size_t len;
	size_t pos;
	uint64_t lfs;
	struct boundary *bounds;
	size_t nbounds, bounds_cap;
	int hit;
	bool hit_close;
};

void mime_limits_default(struct mime_limits *limits_r)
{
	limits_r->max_depth = 100;
	limits_r->max_parts = 10000;
	limits_r->max_header_fields = 50000;
	limits_r->max_params = 200;
	limits_r->max_search_header_bytes = 256 * 1024;
	limits_r->max_search_body_bytes = 1024 * 1024;
}

/* The start of the line after the one at pos. */
static size_t line_next(const struct parser *p, size_t pos, bool *has_lf_r)
{
	const unsigned char *lf = memchr(p->data + pos, '\n', p->len - pos);

	*has_lf_r = lf != NULL;
	return lf != NULL ? (size_t)(lf - p->data) + 1 : p->len;
}

static void advance(struct parser *p, size_t next, bool has_lf)
{
	p->pos = next;
	p->lfs += has_lf;
}

/* RFC 2046 5.1.1: a boundary line is "--" boundary, "--" more for the
 * close delimiter, then only optional whitespace. Returns the stack level
 * of the innermost matching boundary, or -1. */
static int boundary_at(const struct parser *p, size_t pos, size_t next, bool *close_r)
{
	const unsigned char *s = p->data + pos + 2;
	size_t n;

	if (p->nbounds == 0 || next - pos < 3 || p->data[pos] != '-' || p->data[pos + 1] != '-')
		return -1;
	n = next - pos - 2;
	while (n > 0 && ascii_isspace(s[n - 1]))
		n--;
	for (size_t j = p->nbounds; j-- > 0;) {
		const struct boundary *b = &p->bounds[j];

		if (n == b->len && memcmp(s, b->s, n) == 0) {
			*close_r = false;
			return (int)j;
		}
		if (n == b->len + 2 && memcmp(s, b->s, b->len) == 0 && s[n - 2] == '-' &&
		    s[n - 1] == '-') {
			*close_r = true;
			return (int)j;
		}
	}
	return -1;
}

static void count_rest(struct parser *p)
{
	const unsigned char *q = p->data + p->pos, *end = p->data + p->len;

	while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		p->lfs++;
		q++;
	}
	p->pos = p->len;
}

/* Move to the next boundary line of any level (staying on the current
 * line when it is one) or to the end of the data. */
static void skip_to_boundary(struct parser *p)
{
	p->hit = -1;
	if (p->nbounds == 0) {
		count_rest(p);
		return;
	}
	while (p->pos < p->len) {
		bool has_lf;
		size_t next = line_next(p, p->pos, &has_lf);
		int level = boundary_at(p, p->pos, next, &p->hit_close);

		if (level >= 0) {
			p->hit = level;
			return;
		}
		advance(p, next, has_lf);
	}
}

static struct mime_part *part_new(struct parser *p, struct mime_part *parent)
{
	struct mime_part *part = arena_zalloc(p->a, sizeof(*part));

	part->parent = parent;
	part->data = p->data;
	p->msg->part_count++;
	return part;
}

static void child_append(struct mime_part *parent, struct mime_part *child)
{
	if (parent->last_child == NULL)
		parent->children = child;
	else
		parent->last_child->next = child;
	parent->last_child = child;
	parent->child_count++;
}

static void field_add(struct parser *p, struct mime_part *part, size_t start, size_t end,
		      size_t name_len, size_t value_off)
{
	struct mime_field f = {
		.name = (const char *)p->data + start,
		.name_len = name_len,
		.raw = p->data + start,
		.raw_len = end - start,
		.value_offset = value_off,
	};
	enum mime_hdr h = mime_hdr_lookup(f.name, name_len);

	if (p->msg->field_count < p->msg->limits.max_header_fields) {
		if (part->field_count == part->field_cap) {
			size_t cap = part->field_cap ? part->field_cap * 2 : 8;

			part->fields = arena_realloc(p->a, part->fields,
						     part->field_cap * sizeof(f), cap * sizeof(f));
			part->field_cap = cap;
		}
		part->fields[part->field_count++] = f;
		p->msg->field_count++;
	}
	if (h == MIME_H_COUNT)
		return;
	if (part->known == NULL)
		part->known = arena_zalloc(p->a, sizeof(*part->known) * MIME_H_COUNT);
	if (part->known[h].name == NULL)
		part->known[h] = f;
}

/* Read the header block at p->pos. It ends after a blank line, before a
 * line that is neither a field nor a continuation (the body starts there,
 * as it does in most parsers), before a boundary line, or at the end. An
 * mbox "From " line first in the message is skipped, not taken as body. */
static void parse_header(struct parser *p, struct mime_part *part, bool top)
{
	size_t field = SIZE_MAX, name_len = 0, value_off = 0;
	bool first = true;

	while (p->pos < p->len) {
		bool has_lf, close;
		size_t next = line_next(p, p->pos, &has_lf);
		unsigned char c = p->data[p->pos];
		size_t nl;

		if (boundary_at(p, p->pos, next, &close) >= 0)
			break;
		if (c == '\n' || (c == '\r' && next - p->pos == 2 && has_lf)) {
			if (field != SIZE_MAX)
				field_add(p, part, field, p->pos, name_len, value_off);
			advance(p, next, has_lf);
			return;
		}
		nl = (c == ' ' || c == '\t') ? 0 : mime_field_name_len(p->data, p->pos, next);
		if (nl > 0) {
			if (field != SIZE_MAX)
				field_add(p, part, field, p->pos, name_len, value_off);
			field = p->pos;
			name_len = nl;
			/* Names hold no ':', so the first one ends the name. */
			value_off = (size_t)((const unsigned char *)memchr(p->data + p->pos, ':',
									   next - p->pos) -
					     p->data) -
				    p->pos + 1;
		} else if (c != ' ' && c != '\t' &&
			   !(first && top && next - p->pos > 5 &&
			     memcmp(p->data + p->pos, "From ", 5) == 0)) {
			break;
		}
		first = false;
		advance(p, next, has_lf);
	}
	if (field != SIZE_MAX)
		field_add(p, part, field, p->pos, name_len, value_off);
}

/* RFC 2045 5.2: no (valid) Content-Type is text/plain; charset=us-ascii. */
static void set_default_type(struct mime_part *part)
{
	static struct mime_param charset = {"charset", "US-ASCII", 8};

	part->type = "text";
	part->subtype = "plain";
	part->params = &charset;
	part->param_count = 1;
	part->default_type = true;
}

static bool has_boundary(const struct mime_ctype *ct)
{
	for (uint32_t i = 0; i < ct->param_count; i++)
		if (strcmp(ct->params[i].name, "boundary") == 0)
			return ct->params[i].value_len > 0;
	return false;
}

static void set_content_type(struct parser *p, struct mime_part *part, bool digest_child)
{
	const unsigned char *v;
	size_t len;
	struct mime_ctype ct;

	if (mime_part_known_value(part, MIME_H_CONTENT_TRANSFER_ENCODING, &v, &len))
		part->cte = mime_cte_parse(v, len);
	if (mime_part_known_value(part, MIME_H_CONTENT_TYPE, &v, &len)) {
		mime_ctype_parse(p->a, v, len, true, p->msg->limits.max_params, &ct);
		/* A multipart without its required boundary (RFC 2046 5.1.1)
		 * is as invalid as a field that does not parse. */
		if (ct.valid && (strcmp(ct.type, "multipart") != 0 || has_boundary(&ct))) {
			part->type = ct.type;
			part->subtype = ct.subtype;
			part->params = ct.params;
			part->param_count = ct.param_count;
		}
	}
	if (part->type == NULL && digest_child) {
		/* RFC 2046 5.1.5 */
		part->type = "message";
		part->subtype = "rfc822";
	} else if (part->type == NULL) {
		set_default_type(part);
	}
	part->is_multipart = strcmp(part->type, "multipart") == 0;
	part->is_message =
		strcmp(part->type, "message") == 0 &&
		(strcmp(part->subtype, "rfc822") == 0 || strcmp(part->subtype, "global") == 0);
}

static void parse_entity(struct parser *p, struct mime_part *part, uint32_t depth,
			 bool digest_child);

static void boundary_push(struct parser *p, const char *s)
{
	if (p->nbounds == p->bounds_cap) {
		size_t cap = p->bounds_cap ? p->bounds_cap * 2 : 8;

		p->bounds = arena_realloc(p->a, p->bounds, p->bounds_cap * sizeof(*p->bounds),
					  cap * sizeof(*p->bounds));
		p->bounds_cap = cap;
	}
	p->bounds[p->nbounds].s = s;
	p->bounds[p->nbounds++].len = strlen(s);
}

static void parse_multipart(struct parser *p, struct mime_part *part, uint32_t depth)
{
	const char *boundary = mime_part_param(part, "boundary");
	bool digest = strcmp(part->subtype, "digest") == 0, closed = false;
	int level;

	boundary_push(p, boundary);
	level = (int)p->nbounds - 1;
	skip_to_boundary(p); /* the preamble */
	while (p->hit == level) {
		bool has_lf;
		size_t next = line_next(p, p->pos, &has_lf);

		closed = p->hit_close;
		advance(p, next, has_lf);
		if (closed)
			break;
		if (p->msg->part_count >= p->msg->limits.max_parts) {
			/* Past the limit the bytes stay in this part's body. */
			skip_to_boundary(p);
			continue;
		}
		struct mime_part *child = part_new(p, part);

		child_append(part, child);
		parse_entity(p, child, depth + 1, digest);
	}
	p->nbounds--;
	if (part->children == NULL) {
		/* No boundary line found: body-type-mpart needs a body, and
		 * BODY[1] should name what BODYSTRUCTURE shows, so there is
		 * one empty text/plain part where the body starts. */
		struct mime_part *empty = part_new(p, part);

		empty->hdr_off = empty->body_off = part->body_off;
		set_default_type(empty);
		child_append(part, empty);
	}
	if (closed)
		skip_to_boundary(p); /* the epilogue, up to an outer boundary */
}

/* Set the body's end from where the scan stopped: the line end before a
 * boundary line belongs to the boundary (RFC 2046 5.1.1), and may even
 * cut the header block short. */
static void finish_body(struct parser *p, struct mime_part *part, uint64_t body_lfs)
{
	size_t end = p->pos;
	uint64_t lfs = p->lfs;

	if (p->hit >= 0 && end > part->hdr_off && p->data[end - 1] == '\n') {
		end--;
		lfs--;
		if (end > part->hdr_off && p->data[end - 1] == '\r')
			end--;
	}
	if (end < part->body_off) {
		part->hdr_len = end - part->hdr_off;
		part->body_off = end;
		part->body_len = 0;
		part->body_lines = 0;
		return;
	}
	part->body_len = end - part->body_off;
	part->body_lines = lfs - body_lfs;
	if (part->body_len > 0 && p->data[end - 1] != '\n')
		part->body_lines++;
}

static void parse_entity(struct parser *p, struct mime_part *part, uint32_t depth,
			 bool digest_child)
{
	const struct mime_limits *l = &p->msg->limits;
	uint64_t body_lfs;

	part->hdr_off = p->pos;
	parse_header(p, part, depth == 0);
	part->hdr_len = p->pos - part->hdr_off;
	part->body_off = p->pos;
	body_lfs = p->lfs;
	set_content_type(p, part, digest_child);
	if ((part->is_multipart || part->is_message) &&
	    (depth >= l->max_depth || p->msg->part_count >= l->max_parts)) {
		part->opaque = true;
		part->is_multipart = part->is_message = false;
	}
	if (part->is_multipart) {
		parse_multipart(p, part, depth);
	} else if (part->is_message) {
		part->message = part_new(p, part);
		part->message->is_msg_root = true;
		parse_entity(p, part->message, depth + 1, false);
	} else {
		skip_to_boundary(p);
	}
	finish_body(p, part, body_lfs);
}

struct mime_message *mime_parse(struct arena *a, const void *data, size_t len,
				const struct mime_limits *limits_or_NULL)
{
	struct mime_message *msg = arena_zalloc(a, sizeof(*msg));
	struct parser p = {.msg = msg, .a = a, .data = data, .len = len, .hit = -1};

	if (limits_or_NULL != NULL)
		msg->limits = *limits_or_NULL;
	else
		mime_limits_default(&msg->limits);
	if (msg->limits.max_depth > MIME_DEPTH_CAP)
		msg->limits.max_depth = MIME_DEPTH_CAP;
	if (msg->limits.max_parts == 0)
		msg->limits.max_parts = 1;
	msg->data = data != NULL ? data : (const unsigned char *)"";
	p.data = msg->data;
	msg->len = len;
	msg->arena = a;
	msg->root = part_new(&p, NULL);
	msg->root->is_msg_root = true;
	parse_entity(&p, msg->root, 0, false);
	return msg;
}
