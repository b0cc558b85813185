/* mime-imap.c — ENVELOPE, BODY and BODYSTRUCTURE in IMAP syntax
 * (RFC 9051 7.5.2 and the formal syntax in section 9; RFC 3501 7.4.2).
 *
 * Strings go through istring_append() without ISTRING_UTF8, so the output
 * suits every client: 8-bit and CR/LF bytes make a literal. NUL bytes,
 * which no IMAP string may hold, are written as U+FFFD.
 */
#include "mime-private.h"

#include "lib/istring.h"
#include "lib/str.h"

#include <assert.h>
#include <string.h>

static void write_string(struct buf *out, const char *s, size_t len)
{
	struct buf tmp = BUF_INIT;

	if (memchr(s, '\0', len) == NULL) {
		istring_append(out, s, len, 0);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0')
			buf_append_str(&tmp, MIME_UTF8_REPLACEMENT);
		else
			buf_append_byte(&tmp, (unsigned char)s[i]);
	}
	istring_append(out, tmp.data, tmp.len, 0);
	buf_free(&tmp);
}

static void write_nstring(struct buf *out, const char *s)
{
	if (s == NULL)
		buf_append_str(out, "NIL");
	else
		write_string(out, s, strlen(s));
}

static void write_upper(struct buf *out, const char *s)
{
	struct buf tmp = BUF_INIT;

	buf_append_str(&tmp, s);
	str_upper_inplace(buf_cstr(&tmp));
	write_string(out, (const char *)tmp.data, tmp.len);
	buf_free(&tmp);
}

/* The unfolded value of a known field as an nstring: NIL when absent. */
static void write_field(struct buf *out, const struct mime_part *part, enum mime_hdr h)
{
	const unsigned char *v;
	size_t len;
	struct buf tmp = BUF_INIT;

	if (!mime_part_known_value(part, h, &v, &len)) {
		buf_append_str(out, "NIL");
		return;
	}
	mime_value_unfold(v, len, &tmp);
	write_string(out, tmp.data != NULL ? (const char *)tmp.data : "", tmp.len);
	buf_free(&tmp);
}

static size_t field_addresses(struct arena *a, const struct mime_part *part, enum mime_hdr h,
			      struct mime_address **addrs_r)
{
	const unsigned char *v;
	size_t len;

	if (!mime_part_known_value(part, h, &v, &len))
		return 0;
	return mime_address_list_parse(a, v, len, addrs_r);
}

/* env-from etc.: "(" 1*address ")" / nil, address = "(" name adl mailbox host ")" */
static void write_addresses(struct buf *out, const struct mime_address *addrs, size_t n)
{
	if (n == 0) {
		buf_append_str(out, "NIL");
		return;
	}
	buf_append_byte(out, '(');
	for (size_t i = 0; i < n; i++) {
		const struct mime_address *a = &addrs[i];

		buf_append_byte(out, '(');
		if (a->group_end) {
			buf_append_str(out, "NIL NIL NIL NIL)");
			continue;
		}
		write_nstring(out, a->name);
		buf_append_byte(out, ' ');
		write_nstring(out, a->route);
		buf_append_byte(out, ' ');
		write_nstring(out, a->mailbox);
		buf_append_byte(out, ' ');
		/* RFC 9051 7.5.2: NIL host marks a group start. */
		write_nstring(out, a->group_start ? NULL : a->host);
		buf_append_byte(out, ')');
	}
	buf_append_byte(out, ')');
}

static void write_envelope(struct buf *out, const struct mime_part *root)
{
	static const enum mime_hdr addr_fields[] = {MIME_H_FROM, MIME_H_SENDER, MIME_H_REPLY_TO,
						    MIME_H_TO,   MIME_H_CC,     MIME_H_BCC};
	struct arena *a = arena_new(0);
	struct mime_address *from = NULL;
	size_t from_n = 0;

	buf_append_byte(out, '(');
	write_field(out, root, MIME_H_DATE);
	buf_append_byte(out, ' ');
	write_field(out, root, MIME_H_SUBJECT);
	for (size_t i = 0; i < HF_N_ELEMENTS(addr_fields); i++) {
		struct mime_address *addrs = NULL;
		size_t n = field_addresses(a, root, addr_fields[i], &addrs);

		if (addr_fields[i] == MIME_H_FROM) {
			from = addrs;
			from_n = n;
		} else if (n == 0 &&
			   (addr_fields[i] == MIME_H_SENDER || addr_fields[i] == MIME_H_REPLY_TO)) {
			/* RFC 9051 7.5.2: absent or empty Sender and Reply-To
			 * are set to From. */
			addrs = from;
			n = from_n;
		}
		buf_append_byte(out, ' ');
		write_addresses(out, addrs, n);
	}
	buf_append_byte(out, ' ');
	write_field(out, root, MIME_H_IN_REPLY_TO);
	buf_append_byte(out, ' ');
	write_field(out, root, MIME_H_MESSAGE_ID);
	buf_append_byte(out, ')');
	arena_free(&a);
}

void mime_write_envelope(const struct mime_message *msg, struct buf *out)
{
	write_envelope(out, msg->root);
}

int mime_part_write_envelope(const struct mime_part *part, struct buf *out)
{
	if (part->message != NULL)
		part = part->message;
	else if (!part->is_msg_root)
		return -1;
	write_envelope(out, part);
	return 0;
}

/* body-fld-param: "(" string SP string *(SP string SP string) ")" / nil */
static void write_params(struct buf *out, const struct mime_param *params, uint32_t n)
{
	if (n == 0) {
		buf_append_str(out, "NIL");
		return;
	}
	buf_append_byte(out, '(');
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0)
			buf_append_byte(out, ' ');
		write_upper(out, params[i].name);
		buf_append_byte(out, ' ');
		write_string(out, params[i].value, params[i].value_len);
	}
	buf_append_byte(out, ')');
}

/* body-fld-dsp: "(" string SP body-fld-param ")" / nil */
static void write_disposition(struct buf *out, struct arena *a, const struct mime_part *part)
{
	const unsigned char *v;
	size_t len;
	struct mime_ctype d;

	if (!mime_part_known_value(part, MIME_H_CONTENT_DISPOSITION, &v, &len)) {
		buf_append_str(out, "NIL");
		return;
	}
	mime_ctype_parse(a, v, len, false, 200, &d);
	if (!d.valid) {
		buf_append_str(out, "NIL");
		return;
	}
	buf_append_byte(out, '(');
	write_upper(out, d.type);
	buf_append_byte(out, ' ');
	write_params(out, d.params, d.param_count);
	buf_append_byte(out, ')');
}

/* body-fld-lang: nstring / "(" string *(SP string) ")"; RFC 3282 tags
 * separated by commas, comments allowed. */
static void write_language(struct buf *out, const struct mime_part *part)
{
	const unsigned char *v;
	size_t len, pos = 0, count = 0;
	struct buf list = BUF_INIT;
	const unsigned char *first = NULL;
	size_t first_len = 0;

	if (!mime_part_known_value(part, MIME_H_CONTENT_LANGUAGE, &v, &len)) {
		buf_append_str(out, "NIL");
		return;
	}
	while (pos < len) {
		size_t start;

		if (ascii_isspace(v[pos]) || v[pos] == ',') {
			pos++;
			continue;
		}
		if (v[pos] == '(') {
			mime_skip_comment(v, len, &pos);
			continue;
		}
		start = pos;
		while (pos < len && !ascii_isspace(v[pos]) && v[pos] != ',' && v[pos] != '(')
			pos++;
		if (count++ == 0) {
			first = v + start;
			first_len = pos - start;
		}
		buf_append_byte(&list, count > 1 ? ' ' : '(');
		write_string(&list, (const char *)v + start, pos - start);
	}
	if (count == 0)
		buf_append_str(out, "NIL");
	else if (count == 1)
		write_string(out, (const char *)first, first_len);
	else {
		buf_append(out, list.data, list.len);
		buf_append_byte(out, ')');
	}
	buf_free(&list);
}

/* The Content-Transfer-Encoding as body-fld-enc. */
static void write_encoding(struct buf *out, const struct mime_part *part)
{
	static const char *const names[] = {"7BIT", "8BIT", "BINARY", "BASE64", "QUOTED-PRINTABLE"};
	const unsigned char *v;
	size_t len, start = 0, end;
	struct buf tmp = BUF_INIT;

	if (part->cte != MIME_CTE_UNKNOWN) {
		buf_printf(out, "\"%s\"", names[part->cte]);
		return;
	}
	/* An unknown encoding is sent as its first word, uppercased. */
	(void)mime_part_known_value(part, MIME_H_CONTENT_TRANSFER_ENCODING, &v, &len);
	while (start < len && (ascii_isspace(v[start]) || v[start] == '(')) {
		if (v[start] == '(')
			mime_skip_comment(v, len, &start);
		else
			start++;
	}
	for (end = start; end < len && !ascii_isspace(v[end]) && v[end] != '(' && v[end] != ';';
	     end++)
		buf_append_byte(&tmp, (unsigned char)ascii_toupper(v[end]));
	write_string(out, tmp.data != NULL ? (const char *)tmp.data : "", tmp.len);
	buf_free(&tmp);
}

static void write_extension(struct buf *out, struct arena *a, const struct mime_part *part)
{
	buf_append_byte(out, ' ');
	write_disposition(out, a, part);
	buf_append_byte(out, ' ');
	write_language(out, part);
	buf_append_byte(out, ' ');
	write_field(out, part, MIME_H_CONTENT_LOCATION);
}

static void write_part(struct buf *out, struct arena *a, const struct mime_part *part,
		       bool extended);

static void write_multipart(struct buf *out, struct arena *a, const struct mime_part *part,
			    bool extended)
{
	/* The parser gives every multipart at least one part. */
	assert(part->children != NULL);
	buf_append_byte(out, '(');
	for (const struct mime_part *c = part->children; c != NULL; c = c->next)
		write_part(out, a, c, extended);
	buf_append_byte(out, ' ');
	write_upper(out, part->subtype);
	if (extended) {
		buf_append_byte(out, ' ');
		write_params(out, part->params, part->param_count);
		write_extension(out, a, part);
	}
	buf_append_byte(out, ')');
}

static void write_part(struct buf *out, struct arena *a, const struct mime_part *part,
		       bool extended)
{
	if (part->is_multipart) {
		write_multipart(out, a, part, extended);
		return;
	}
	buf_append_byte(out, '(');
	if (part->opaque) {
		buf_append_str(out, "\"APPLICATION\" \"OCTET-STREAM\" NIL");
	} else {
		write_upper(out, part->type);
		buf_append_byte(out, ' ');
		write_upper(out, part->subtype);
		buf_append_byte(out, ' ');
		write_params(out, part->params, part->param_count);
	}
	buf_append_byte(out, ' ');
	write_field(out, part, MIME_H_CONTENT_ID);
	buf_append_byte(out, ' ');
	write_field(out, part, MIME_H_CONTENT_DESCRIPTION);
	buf_append_byte(out, ' ');
	write_encoding(out, part);
	buf_printf(out, " %zu", part->body_len);
	if (part->message != NULL) {
		buf_append_byte(out, ' ');
		write_envelope(out, part->message);
		buf_append_byte(out, ' ');
		write_part(out, a, part->message, extended);
		buf_printf(out, " %llu", (unsigned long long)part->body_lines);
	} else if (!part->opaque && strcmp(part->type, "text") == 0) {
		buf_printf(out, " %llu", (unsigned long long)part->body_lines);
	}
	if (extended) {
		buf_append_byte(out, ' ');
		write_field(out, part, MIME_H_CONTENT_MD5);
		write_extension(out, a, part);
	}
	buf_append_byte(out, ')');
}

void mime_part_write_bodystructure(const struct mime_part *part, struct buf *out, bool extended)
{
	struct arena *a = arena_new(0);

	write_part(out, a, part, extended);
	arena_free(&a);
}

void mime_write_bodystructure(const struct mime_message *msg, struct buf *out, bool extended)
{
	mime_part_write_bodystructure(msg->root, out, extended);
}
