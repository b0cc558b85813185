/* mime-filename.c — an attachment's file name as UTF-8, from RFC 2231
 * encoded parameters or, as real mail often has it, RFC 2047 words. */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)ascii_tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 2231 4: charset "'" [language] "'" %-encoded value. */
static void decode_extended(const char *v, size_t len, struct buf *out)
{
	const char *q1 = memchr(v, '\'', len), *q2;
	char charset[64] = "";
	struct buf raw = BUF_INIT;
	size_t i;

	q2 = q1 != NULL ? memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - v)) : NULL;
	if (q2 == NULL) {
		q2 = v - 1; /* no charset part: the whole value is encoded text */
	} else if ((size_t)(q1 - v) < sizeof(charset)) {
		memcpy(charset, v, (size_t)(q1 - v));
		charset[q1 - v] = '\0';
	}
	for (i = (size_t)(q2 + 1 - v); i < len; i++) {
		if (v[i] == '%' && i + 2 < len && hexval((unsigned char)v[i + 1]) >= 0 &&
		    hexval((unsigned char)v[i + 2]) >= 0) {
			buf_append_byte(&raw, (unsigned char)(hexval((unsigned char)v[i + 1]) * 16 +
							      hexval((unsigned char)v[i + 2])));
			i += 2;
		} else {
			buf_append_byte(&raw, (unsigned char)v[i]);
		}
	}
	mime_charset_to_utf8(charset, raw.data, raw.len, out);
	buf_free(&raw);
}

static bool param_decoded(const struct mime_param *params, uint32_t n, const char *name,
			  struct buf *out)
{
	size_t name_len = strlen(name);

	/* RFC 2231 says the encoded form wins when both are present. */
	for (uint32_t i = 0; i < n; i++)
		if (strncmp(params[i].name, name, name_len) == 0 &&
		    strcmp(params[i].name + name_len, "*") == 0) {
			decode_extended(params[i].value, params[i].value_len, out);
			return true;
		}
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(params[i].name, name) == 0) {
			mime_header_decode(params[i].value, params[i].value_len, out);
			return true;
		}
	return false;
}

const char *mime_part_filename(const struct mime_part *part, struct arena *a)
{
	struct buf out = BUF_INIT, clean = BUF_INIT;
	const unsigned char *v;
	size_t len;
	bool found = false;
	const char *r = NULL;

	if (mime_part_known_value(part, MIME_H_CONTENT_DISPOSITION, &v, &len)) {
		struct mime_ctype d;

		mime_ctype_parse(a, v, len, false, 200, &d);
		found = d.valid && param_decoded(d.params, d.param_count, "filename", &out);
	}
	if (!found && !part->default_type)
		found = param_decoded(part->params, part->param_count, "name", &out);
	if (found) {
		mime_utf8_sanitize(out.data, out.len, true, &clean);
		r = arena_strndup(a, clean.data != NULL ? (const char *)clean.data : "", clean.len);
	}
	buf_free(&out);
	buf_free(&clean);
	return r;
}
