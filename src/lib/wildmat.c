/* wildmat.c — LIST pattern matching by dynamic programming (see wildmat.h). */
#include "wildmat.h"
#include "mem.h"

#include <string.h>

/* Run the DP; returns the final row (row[j] = pattern matches name[0..j)).
 * The caller frees the row. */
static bool *match_row(const char *p, size_t plen, const char *name, size_t nlen, char delim)
{
	bool *row = xcalloc(nlen + 1, sizeof(bool));
	size_t literal = 0;

	for (size_t i = 0; i < plen; i++)
		if (p[i] != '*' && p[i] != '%')
			literal++;
	row[0] = true;
	if (literal > nlen) {
		/* More literal characters than the name has: nothing matches. */
		memset(row, 0, nlen + 1);
		return row;
	}
	for (size_t i = 0; i < plen; i++) {
		char c = p[i];

		if (c == '*') {
			for (size_t j = 1; j <= nlen; j++)
				row[j] = row[j] || row[j - 1];
		} else if (c == '%') {
			for (size_t j = 1; j <= nlen; j++)
				row[j] = row[j] || (row[j - 1] && name[j - 1] != delim);
		} else {
			for (size_t j = nlen; j >= 1; j--)
				row[j] = row[j - 1] && name[j - 1] == c;
			row[0] = false;
		}
	}
	return row;
}

bool wildmat_match(const char *pattern, size_t plen, const char *name, size_t nlen, char delim)
{
	bool *row = match_row(pattern, plen, name, nlen, delim);
	bool ok = row[nlen];

	free(row);
	return ok;
}
