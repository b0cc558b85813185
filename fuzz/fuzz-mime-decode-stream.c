/* fuzz-mime-decode-stream.c — libFuzzer target for mime-decode-stream.c:
 * decoding in pieces must give exactly what mime_decode_transfer() gives
 * for the whole input (the oracle), whatever the input and the cuts.
 *
 * Input: byte 0 picks the encoding, byte 1 the piece sizes, the rest is
 * the encoded data. */
#include "lib/buf.h"
#include "mime/mime-decode-stream.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum mime_cte ctes[] = {MIME_CTE_BASE64, MIME_CTE_QP, MIME_CTE_7BIT,
					     MIME_CTE_BINARY};
	struct buf whole = BUF_INIT, streamed = BUF_INIT;
	struct mime_decode_stream *ds;
	const char *error;
	enum mime_cte cte;
	size_t pos, step;
	unsigned seed;

	if (size < 2)
		return 0;
	cte = ctes[data[0] % 4];
	seed = data[1];
	data += 2;
	size -= 2;
	check(mime_decode_transfer(cte, data, size, &whole, &error) == 0);
	ds = mime_decode_stream_new(cte);
	for (pos = 0; pos < size; pos += step) {
		/* Piece sizes from 1 byte to well past the long-line limit. */
		seed = seed * 1103515245u + 12345u;
		step = (seed >> 8) % 7 == 0 ? MIME_DECODE_STREAM_LINE + (seed >> 16) % 3000
					    : 1 + (seed >> 16) % 97;
		if (step > size - pos)
			step = size - pos;
		mime_decode_stream_feed(ds, data + pos, step, &streamed);
	}
	mime_decode_stream_finish(ds, &streamed);
	check(streamed.len == whole.len &&
	      (whole.len == 0 || memcmp(streamed.data, whole.data, whole.len) == 0));
	mime_decode_stream_free(&ds);
	buf_free(&whole);
	buf_free(&streamed);
	return 0;
}
