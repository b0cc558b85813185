/* fuzz-net-inflate.c — the inflater of COMPRESS=DEFLATE (src/net/compress.c)
 * fed hostile compressed input in pieces, with small output room and
 * parking between pieces, checked against zlib inflating the same bytes
 * in one go: the output must be the same bytes, never more than the room
 * asked for, and parking must never change what comes out.
 *
 * Input: one control byte, then the compressed bytes. Bits 0-1 pick the
 * output room per call (1, 7, 300, 16384), bits 2-3 the piece size (1, 3,
 * 61, everything), bit 4 tries to park after every piece. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "net/compress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Enough to exercise long matches without slow runs. */
#define OUT_CAP (1 << 18)

/* zlib alone: the expected output (up to OUT_CAP bytes). */
static size_t reference(const uint8_t *in, size_t len, uint8_t *out)
{
	z_stream z;
	size_t made;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		abort();
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = OUT_CAP;
	(void)inflate(&z, Z_SYNC_FLUSH);
	made = OUT_CAP - z.avail_out;
	inflateEnd(&z);
	return made;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t rooms[] = {1, 7, 300, 16384};
	static const size_t pieces[] = {1, 3, 61, SIZE_MAX};
	static uint8_t *want, *got;
	struct compress_settings set;
	struct compress_in *in;
	struct evbuffer *src, *dst;
	size_t room, piece, want_len, got_len = 0, pos = 1;
	bool park, failed = false;
	const char *error;

	if (size < 1)
		return 0;
	if (want == NULL) {
		want = malloc(OUT_CAP);
		got = malloc(OUT_CAP + 16384);
	}
	room = rooms[data[0] & 3];
	piece = pieces[(data[0] >> 2) & 3];
	park = (data[0] & 16) != 0;
	want_len = reference(data + 1, size - 1, want);

	compress_settings_init(&set);
	set.max_ratio = 0; /* zlib has no guard: compare like with like */
	in = compress_in_new(&set);
	src = evbuffer_new();
	dst = evbuffer_new();
	while (!failed && got_len < OUT_CAP && (pos < size || evbuffer_get_length(src) > 0)) {
		size_t n = size - pos < piece ? size - pos : piece, made;

		evbuffer_add(src, data + pos, n);
		pos += n;
		do {
			if (compress_in_run(in, src, dst, room, &made, &error) < 0) {
				failed = true;
				break;
			}
			if (made > room || evbuffer_get_length(dst) != made)
				abort();
			evbuffer_remove(dst, got + got_len, made);
			got_len += made;
		} while (made > 0 && got_len < OUT_CAP);
		if (park && !failed && evbuffer_get_length(src) == 0)
			(void)compress_in_park(in);
		if (n == 0)
			break;
	}
	/* What came out is what zlib makes of the same bytes. */
	if (got_len > OUT_CAP)
		got_len = OUT_CAP;
	if (got_len > want_len || memcmp(got, want, got_len) != 0)
		abort();
	/* Without an error, everything zlib made came out too. */
	if (!failed && got_len < OUT_CAP && got_len != want_len)
		abort();
	compress_in_free(&in);
	evbuffer_free(src);
	evbuffer_free(dst);
	return 0;
}
