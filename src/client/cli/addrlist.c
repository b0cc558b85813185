/* addrlist.c — envelope addresses from address-list header values
 * (addrlist.h). Commas inside quoted strings, comments and angle
 * brackets do not split. */
#include "addrlist.h"

#include "lib/str.h"

#include <string.h>

/* Trim and append one element's address: the part in <>, else the whole. */
static size_t take(const char *p, size_t n, struct buf *out)
{
	const char *lt = memchr(p, '<', n), *gt;
	const char *colon;

	if (lt != NULL && (gt = memchr(lt, '>', (size_t)(p + n - lt))) != NULL) {
		p = lt + 1;
		n = (size_t)(gt - p);
	} else if ((colon = memchr(p, ':', n)) != NULL) {
		/* "group: a@b" — the first member follows the colon. */
		n -= (size_t)(colon + 1 - p);
		p = colon + 1;
	}
	while (n > 0 && (ascii_isspace((unsigned char)*p) || *p == ';')) {
		p++;
		n--;
	}
	while (n > 0 && (ascii_isspace((unsigned char)p[n - 1]) || p[n - 1] == ';'))
		n--;
	if (n == 0 || memchr(p, '@', n) == NULL || memchr(p, ' ', n) != NULL)
		return 0;
	buf_append(out, p, n);
	buf_append_byte(out, '\n');
	return 1;
}

/* Where the element starting at value[start] ends: at the next ',' (or
 * ';' closing a group) outside quoted strings, comments and <>, or at len. */
static size_t element_end(const char *value, size_t len, size_t start)
{
	int depth = 0;
	bool quoted = false, angle = false;

	for (size_t i = start; i < len; i++) {
		char c = value[i];

		if (quoted) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (c == '<')
			angle = true;
		else if (c == '>')
			angle = false;
		else if ((c == ',' || c == ';') && depth == 0 && !angle)
			return i;
	}
	return len;
}

/* The address of one element, comments dropped; 1 if it has one. */
static size_t element_address(const char *p, size_t n, struct buf *out)
{
	char elem[1024];
	size_t k = 0;

	for (size_t j = 0, d = 0; j < n && k < sizeof(elem); j++) {
		if (p[j] == '(')
			d++;
		else if (p[j] == ')' && d > 0)
			d--;
		else if (d == 0)
			elem[k++] = p[j];
	}
	if (k == 0)
		return 0; /* only a comment, or nothing */
	return take(elem, k, out);
}

size_t addrlist_parse(const char *value, size_t len, struct buf *out)
{
	size_t count = 0;

	if (len == 0)
		return 0; /* value may be NULL then (an empty buffer) */
	for (size_t start = 0; start <= len;) {
		size_t end = element_end(value, len, start);

		count += element_address(value + start, end - start, out);
		start = end + 1;
	}
	return count;
}

static bool same_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_tolower((unsigned char)a[i]) != ascii_tolower((unsigned char)b[i]))
			return false;
	return true;
}

/* Is the last line of list (from mark on) one of the lines before mark? */
static bool in_list_before(const struct buf *list, size_t mark)
{
	const char *p = (const char *)list->data, *end = p + mark;
	const char *addr = p + mark;
	size_t n = list->len - mark - 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len == n && same_ci(p, addr, n))
			return true;
		p += len + 1;
	}
	return false;
}

size_t addrlist_merge(const char *value, struct buf *seen, struct buf *out)
{
	size_t added = 0;

	if (memchr(value, ':', strlen(value)) != NULL) {
		/* A group is kept whole: splitting it would break its syntax. */
		if (out->len > 0)
			buf_append_str(out, ", ");
		buf_append_str(out, value);
		(void)addrlist_parse(value, strlen(value), seen);
		return 1;
	}
	for (size_t start = 0, len = strlen(value); start < len;) {
		size_t end = element_end(value, len, start), mark = seen->len;
		const char *p = value + start;
		size_t n = end - start;

		start = end + 1;
		while (n > 0 && ascii_isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n > 0 && ascii_isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0 || element_address(p, n, seen) == 0)
			continue;
		if (in_list_before(seen, mark)) {
			seen->len = mark;
			continue;
		}
		if (out->len > 0)
			buf_append_str(out, ", ");
		buf_append(out, p, n);
		added++;
	}
	buf_cstr(out);
	return added;
}
