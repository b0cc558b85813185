/* istring.c — IMAP string output (see istring.h). */
#include "istring.h"
#include "str.h"

bool istring_is_atom_char(unsigned char c)
{
	/* ATOM-CHAR = any CHAR except atom-specials:
	 * "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials */
	if (c <= 0x1f || c >= 0x7f)
		return false;
	switch (c) {
	case '(':
	case ')':
	case '{':
	case ' ':
	case '%':
	case '*':
	case '"':
	case '\\':
	case ']':
		return false;
	default:
		return true;
	}
}

bool istring_is_astring_char(unsigned char c)
{
	return c == ']' || istring_is_atom_char(c);
}

bool istring_needs_literal(const void *data, size_t len, unsigned flags)
{
	const unsigned char *p = data;
	bool eight_bit = false;

	if (len > ISTRING_QUOTED_MAX)
		return true;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\0' || p[i] == '\r' || p[i] == '\n')
			return true;
		if (p[i] >= 0x80)
			eight_bit = true;
	}
	if (eight_bit)
		return !(flags & ISTRING_UTF8) || !utf8_valid(data, len);
	return false;
}

static bool all_astring_chars(const unsigned char *p, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!istring_is_astring_char(p[i]))
			return false;
	/* NIL is an atom that means "no string": quote it. */
	return !str_eq_ci_n((const char *)p, len, "NIL");
}

void istring_append(struct buf *out, const void *data, size_t len, unsigned flags)
{
	const unsigned char *p = data;

	if (istring_needs_literal(data, len, flags)) {
		buf_append_byte(out, '{');
		buf_append_u64(out, len);
		buf_append_str(out, "}\r\n");
		buf_append(out, data, len);
		return;
	}
	if ((flags & ISTRING_ASTRING) && all_astring_chars(p, len)) {
		buf_append(out, data, len);
		return;
	}
	buf_reserve(out, len + 2);
	buf_append_byte(out, '"');
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			buf_append_byte(out, '\\');
		buf_append_byte(out, p[i]);
	}
	buf_append_byte(out, '"');
}

void istring_append_nstring(struct buf *out, const void *data, size_t len, unsigned flags)
{
	if (data == NULL)
		buf_append_str(out, "NIL");
	else
		istring_append(out, data, len, flags);
}
