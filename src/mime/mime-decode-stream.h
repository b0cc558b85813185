/* mime-decode-stream.h — content-transfer decoding fed in pieces, so a
 * large base64 or quoted-printable part can be sent as BINARY[...] (RFC
 * 3516) a chunk at a time instead of being decoded whole in memory.
 *
 * The output is byte for byte what mime_decode_transfer() (mime.h) gives
 * for the whole input at once, however the input is cut into pieces.
 *
 * Memory: a decoder keeps only the input it cannot decode yet. For base64
 * that is at most 3 bytes (an unfinished quantum). For quoted-printable it
 * is the unfinished line, and a line longer than MIME_DECODE_STREAM_LINE
 * is decoded up to a point where cutting cannot change the result (a byte
 * that is not whitespace, CR or part of an "=XX" escape), so only a line
 * made entirely of whitespace and "=" can make it grow beyond that.
 */
#ifndef HAFEN_MIME_DECODE_STREAM_H
#define HAFEN_MIME_DECODE_STREAM_H

#include "mime.h"

#include "lib/buf.h"

#include <stddef.h>

/* Above this many bytes of an unfinished quoted-printable line, decode
 * what can safely be decoded of it already. */
#define MIME_DECODE_STREAM_LINE 4096

struct mime_decode_stream;

/* A decoder for cte; NULL for MIME_CTE_UNKNOWN (RFC 3516: UNKNOWN-CTE).
 * 7bit, 8bit and binary pass the input through. */
struct mime_decode_stream *mime_decode_stream_new(enum mime_cte cte);
/* Free; *dsp becomes NULL. Accepts NULL. */
void mime_decode_stream_free(struct mime_decode_stream **dsp);

/* Take in[0..len), the input following what was fed before, and append to
 * out every byte of output that is already certain. */
void mime_decode_stream_feed(struct mime_decode_stream *ds, const void *in, size_t len,
			     struct buf *out);
/* The input ended: append the rest of the output. The decoder is then
 * empty and may start over with a new input. */
void mime_decode_stream_finish(struct mime_decode_stream *ds, struct buf *out);

#endif
