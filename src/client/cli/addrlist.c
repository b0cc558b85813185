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

size_t addrlist_parse(const char *value, size_t len, struct buf *out)
{
	size_t count = 0, start = 0;
	int depth = 0;
	bool quoted = false, angle = false;
	char elem[1024];

	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? value[i] : ',';

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
		else if ((c == ',' || (c == ';' && !angle)) && depth == 0 && !angle) {
			size_t n = i - start;
			size_t k = 0;

			/* Drop comments before taking the address. */
			for (size_t j = start, d = 0; j < i && k < sizeof(elem); j++) {
				if (value[j] == '(')
					d++;
				else if (value[j] == ')' && d > 0)
					d--;
				else if (d == 0)
					elem[k++] = value[j];
			}
			(void)n;
			count += take(elem, k, out);
			start = i + 1;
		}
	}
	return count;
}
