/* imap-utf7.h — modified UTF-7 mailbox names (RFC 3501 section 5.1.3).
 *
 * IMAP4rev1 clients see mailbox names in modified UTF-7; hafen keeps names
 * in UTF-8 and converts at the protocol edge. Decoding is strict: only the
 * one canonical encoding of a name is accepted, so two different wire names
 * can never map to the same mailbox. Rejected are: bytes outside 0x20-0x7e
 * written raw; a printable ASCII character (including "&") inside a shifted
 * run ("&AGE-" for "a"); an empty run other than "&-"; a run not closed by
 * "-"; two runs back to back that should have been one ("&AOQ-&AOQ-");
 * non-zero or superfluous padding bits; unpaired surrogates; U+0000.
 */
#ifndef HAFEN_IMAP_UTF7_H
#define HAFEN_IMAP_UTF7_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Append the modified UTF-7 form of a UTF-8 name to out. Returns 0, or -1
 * when the input is not valid UTF-8 or contains NUL (out is left as it was). */
int imap_utf7_encode(const char *utf8, size_t len, struct buf *out, const char **error_r);
/* Append the UTF-8 form of a modified UTF-7 name to out. Returns 0, or -1
 * with a reason when the input is not canonical modified UTF-7 (out is left
 * as it was). */
int imap_utf7_decode(const char *mutf7, size_t len, struct buf *out, const char **error_r);
/* Is this canonical modified UTF-7? */
bool imap_utf7_is_valid(const char *mutf7, size_t len);
/* Does a UTF-8 name need encoding at all (any byte outside 0x20-0x7e, or "&")? */
bool imap_utf7_needs_encoding(const char *utf8, size_t len);

#endif
