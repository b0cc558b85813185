/* istring.h — write a byte string in IMAP's string syntax (RFC 9051 section 4.3).
 *
 * Shared by the IMAP formatter (src/imap) and the ENVELOPE/BODYSTRUCTURE
 * writer (src/mime), which both must choose correctly between a quoted
 * string and a literal: CR, LF and NUL never fit in a quoted string, and
 * 8-bit bytes fit only once the client enabled UTF8=ACCEPT and the bytes
 * are valid UTF-8 (RFC 9051 section 4.3, RFC 6855 section 3).
 */
#ifndef HAFEN_LIB_ISTRING_H
#define HAFEN_LIB_ISTRING_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

enum istring_flags {
	/* 8-bit bytes that form valid UTF-8 may be sent in a quoted string. */
	ISTRING_UTF8 = 1 << 0,
	/* An astring: write an atom when every byte is an ASTRING-CHAR. */
	ISTRING_ASTRING = 1 << 1,
};

/* Strings longer than this are written as literals even when they could be quoted. */
#define ISTRING_QUOTED_MAX 1024

/* Would this string need a literal under these flags? */
bool istring_needs_literal(const void *data, size_t len, unsigned flags);
/* Append data as quoted string or literal ({n}CRLF bytes). */
void istring_append(struct buf *out, const void *data, size_t len, unsigned flags);
/* As istring_append, but NULL data writes NIL. */
void istring_append_nstring(struct buf *out, const void *data, size_t len, unsigned flags);
/* Is c an ATOM-CHAR (RFC 9051 formal syntax)? */
bool istring_is_atom_char(unsigned char c);
/* Is c an ASTRING-CHAR (ATOM-CHAR or resp-specials ']')? */
bool istring_is_astring_char(unsigned char c);

#endif
