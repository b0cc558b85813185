/* compress.h — raw DEFLATE streams (RFC 1951) for a connection's
 * compression layer (IMAP COMPRESS=DEFLATE, RFC 4978), over evbuffers.
 *
 * compress_in inflates what the peer sent, never producing more than the
 * caller has room for (its input limit), so a small packet that inflates
 * to gigabytes costs no memory beyond that room; a ratio guard ends input
 * that keeps expanding like a decompression bomb. compress_out deflates
 * a batch of output and ends it with a sync flush, so every byte written
 * reaches the peer (RFC 4978 section 4).
 *
 * Both can give back their zlib state while the connection is quiet
 * ("park"): the deflater simply ends (after a sync flush the next block
 * may start without history; the peer's inflater does not care), the
 * inflater keeps only the history the peer may still refer to (at most
 * 32 KiB, usually far less: what the peer sent so far) and continues from
 * it later. A parked stream holds no zlib memory.
 *
 * Memory: zlib's allocations are counted (compress_*_memory); they go
 * through xmalloc, so out of memory aborts as everywhere in hafen.
 */
#ifndef HAFEN_NET_COMPRESS_H
#define HAFEN_NET_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* Defaults, chosen by measuring IMAP responses (FETCH ENVELOPE lists and
 * message text): level 1 compresses them to 16-35 % at the lowest CPU
 * cost (RFC 4978 section 4 suggests 1-5); a 8 KiB window with memLevel 6
 * costs 64 KiB while compressing (zlib's defaults: 256 KiB) and loses
 * about 1-3 points of ratio. The peer's window is not ours to choose: the
 * inflater always has the 32 KiB a DEFLATE stream may refer to. */
#define COMPRESS_DEFAULT_LEVEL       1
#define COMPRESS_DEFAULT_WINDOW_BITS 13
#define COMPRESS_DEFAULT_MEM_LEVEL   6
/* The ratio guard: within each COMPRESS_RATIO_WINDOW bytes of inflated
 * output, input expanding more than this many times is refused. DEFLATE
 * cannot exceed about 1032:1; mail and IMAP commands stay below 20:1;
 * only long runs of one byte come near the limit. 0 disables the guard. */
#define COMPRESS_DEFAULT_MAX_RATIO 256
#define COMPRESS_RATIO_WINDOW      (1024 * 1024)

struct compress_settings {
	int level;          /* 0..9 (0 stores without compressing) */
	int window_bits;    /* 9..15: the deflater's window is 2^bits bytes */
	int mem_level;      /* 1..9: hash table and block buffer size */
	unsigned max_ratio; /* see COMPRESS_DEFAULT_MAX_RATIO; 0: no guard */
};

/* Fill in the defaults above. */
void compress_settings_init(struct compress_settings *set);
/* 0, or -1 with *error_r when a value is out of its range. */
int compress_settings_check(const struct compress_settings *set, const char **error_r);

/* ---- inflating what the peer sends ---- */

struct compress_in;

struct compress_in *compress_in_new(const struct compress_settings *set);
/* Accepts NULL; *inp becomes NULL. */
void compress_in_free(struct compress_in **inp);
/* Inflate bytes of src (drained as they are used) into dst, adding at
 * most max_out bytes; *produced_r (may be NULL) gets how many. Returns 0
 * (src may still hold bytes when max_out was reached), or -1 with
 * *error_r for data that is not DEFLATE, bytes after the end of the
 * stream, or input beyond the ratio guard; the stream is then unusable. */
int compress_in_run(struct compress_in *in, struct evbuffer *src, struct evbuffer *dst,
		    size_t max_out, size_t *produced_r, const char **error_r);
/* Give back the zlib state if the stream is at a block boundary with no
 * bits pending (where a peer's flush leaves it); keep the history. True
 * when the stream is parked afterwards. Call only with src empty. */
bool compress_in_park(struct compress_in *in);
/* Bytes held now: zlib's allocations, or the saved history when parked. */
size_t compress_in_memory(const struct compress_in *in);
/* Totals: compressed bytes taken, inflated bytes produced. */
void compress_in_totals(const struct compress_in *in, uint64_t *wire_r, uint64_t *plain_r);

/* ---- deflating what we send ---- */

struct compress_out;

struct compress_out *compress_out_new(const struct compress_settings *set);
void compress_out_free(struct compress_out **outp);
/* Deflate all of src (drained) into dst and end with Z_SYNC_FLUSH, so
 * the peer can inflate everything sent so far. An empty src adds
 * nothing. Returns 0, or -1 with *error_r (zlib refused: a bug). */
int compress_out_run(struct compress_out *out, struct evbuffer *src, struct evbuffer *dst,
		     const char **error_r);
/* Give back the zlib state; the next run starts a fresh block without
 * history. Always possible between runs. */
void compress_out_park(struct compress_out *out);
size_t compress_out_memory(const struct compress_out *out);
/* Totals: bytes taken, compressed bytes produced. */
void compress_out_totals(const struct compress_out *out, uint64_t *plain_r, uint64_t *wire_r);

#endif
