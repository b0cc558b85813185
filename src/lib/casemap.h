/* casemap.h — the i;unicode-casemap collation (RFC 5051), which SORT and
 * THREAD (RFC 5256 section 7) use to compare and order strings.
 *
 * A string is prepared as "titlecased canonicalized UTF-8": each code
 * point mapped to its simple titlecase form, then decomposed to NFKD;
 * prepared strings compare as octets (i;octet). A string that is not
 * valid UTF-8 is used unchanged, as RFC 5051 step (1)(b) says. Never
 * consults the C locale.
 */
#ifndef HAFEN_LIB_CASEMAP_H
#define HAFEN_LIB_CASEMAP_H

#include "buf.h"

#include <stddef.h>

/* Append the prepared form of s (len bytes, may hold NUL) to out. */
void casemap_append(struct buf *out, const char *s, size_t len);

/* Compare a and b under i;unicode-casemap: negative, 0 or positive as a
 * sorts before, equal to or after b. Pure ASCII input takes a fast path
 * that allocates nothing. */
int casemap_compare(const char *a, size_t alen, const char *b, size_t blen);

#endif
