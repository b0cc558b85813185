/* sasl-base64.h — strict base64 (RFC 4648 section 4) for SASL exchanges.
 *
 * IMAP, POP3 and ManageSieve carry SASL challenges and responses in base64
 * (RFC 9051 section 6.2.2, RFC 5034 section 4, RFC 5804 section 2.1), and
 * SCRAM carries salts, proofs and signatures in it (RFC 5802 section 7).
 * The decoder is strict on purpose: only the standard alphabet, padding to
 * a multiple of four, no whitespace. A client that sends anything else gets
 * a clear error instead of a guess.
 */
#ifndef HAFEN_AUTH_SASL_BASE64_H
#define HAFEN_AUTH_SASL_BASE64_H

#include "lib/buf.h"

#include <stddef.h>

/* Length of the encoding of n bytes (padding included). */
size_t sasl_base64_encoded_len(size_t n);
/* Largest number of bytes n characters of base64 can decode to. */
size_t sasl_base64_decoded_max(size_t n);

/* Append the base64 encoding of n bytes to out. */
void sasl_base64_encode(const void *src, size_t n, struct buf *out);

/* Decode n characters and append the bytes to out. Room for the result is
 * reserved once before writing, so secret bytes are never left behind in a
 * buffer that realloc() abandoned (callers that hold passwords rely on it).
 * Returns 0, or -1 when the input is not canonical padded base64 (out is
 * then unchanged in length). Empty input decodes to nothing. */
int sasl_base64_decode(const char *src, size_t n, struct buf *out);

/* Wipe every byte the buffer owns (its whole capacity) and free it. */
void sasl_buf_cleanse_free(struct buf *b);

#endif
