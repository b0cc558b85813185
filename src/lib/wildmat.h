/* wildmat.h — IMAP LIST pattern matching (RFC 9051 6.3.9): '*' matches any
 * run of characters, '%' any run without the hierarchy delimiter.
 *
 * Dynamic programming over the name, so hostile patterns such as
 * "*a*a*a*a*b" cost O(pattern x name), never exponential time. Patterns
 * are matched byte-wise; folding INBOX's case is the caller's business.
 */
#ifndef HAFEN_LIB_WILDMAT_H
#define HAFEN_LIB_WILDMAT_H

#include <stdbool.h>
#include <stddef.h>

bool wildmat_match(const char *pattern, size_t plen, const char *name, size_t nlen, char delim);

#endif
