/* compress.c — raw DEFLATE streams with bounded output, a ratio guard and
 * parking of the zlib state (see compress.h). */
#include "compress.h"

#include "lib/err.h"
#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <zlib.h>

/* Output space reserved in the destination per inflate/deflate call. */
#define COMPRESS_CHUNK (16 * 1024)
/* A DEFLATE stream may refer this far back (RFC 1951 section 2). */
#define DEFLATE_MAX_WINDOW_BITS 15

/* zlib allocates through these, so its memory is counted per stream and
 * out of memory aborts like every other allocation in hafen. */
struct zmem {
	size_t bytes;
};

/* Each block starts with its size, kept in a max_align_t-sized header. */
#define ZHEADER sizeof(max_align_t)

static voidpf zmem_alloc(voidpf opaque, uInt items, uInt size)
{
	struct zmem *m = opaque;
	size_t n;
	unsigned char *p;

	if (size != 0 && items > (SIZE_MAX - ZHEADER) / size)
		hf_panic("compress: zlib asked for %u x %u bytes", items, size);
	n = (size_t)items * size;
	p = xmalloc(n + ZHEADER);
	memcpy(p, &n, sizeof(n));
	m->bytes += n;
	return p + ZHEADER;
}

static void zmem_free(voidpf opaque, voidpf ptr)
{
	struct zmem *m = opaque;
	unsigned char *p = (unsigned char *)ptr - ZHEADER;
	size_t n;

	memcpy(&n, p, sizeof(n));
	m->bytes -= n;
	free(p);
}

static void zmem_attach(z_stream *z, struct zmem *m)
{
	memset(z, 0, sizeof(*z));
	z->zalloc = zmem_alloc;
	z->zfree = zmem_free;
	z->opaque = m;
}

void compress_settings_init(struct compress_settings *set)
{
	set->level = COMPRESS_DEFAULT_LEVEL;
	set->window_bits = COMPRESS_DEFAULT_WINDOW_BITS;
	set->mem_level = COMPRESS_DEFAULT_MEM_LEVEL;
	set->max_ratio = COMPRESS_DEFAULT_MAX_RATIO;
}

int compress_settings_check(const struct compress_settings *set, const char **error_r)
{
	if (set->level < 0 || set->level > 9)
		*error_r = "compression level must be 0..9";
	else if (set->window_bits < 9 || set->window_bits > DEFLATE_MAX_WINDOW_BITS)
		*error_r = "compression window bits must be 9..15";
	else if (set->mem_level < 1 || set->mem_level > 9)
		*error_r = "compression memory level must be 1..9";
	else
		return 0;
	return -1;
}

/* ---- inflating ---- */

/* States: ACTIVE (z holds zlib's state), PARKED (no zlib state; history
 * holds what the peer may refer to), ENDED (the peer finished its stream:
 * no more input is allowed), FAILED (an error was reported). */
enum zin_state { ZIN_PARKED, ZIN_ACTIVE, ZIN_ENDED, ZIN_FAILED };

struct compress_in {
	z_stream z;
	struct zmem mem;
	enum zin_state state;
	unsigned max_ratio;
	unsigned char *history; /* PARKED: the last bytes inflated, oldest first */
	size_t history_len;
	uint64_t window_wire, window_plain; /* the ratio guard's current window */
	uint64_t total_wire, total_plain;
	/* The last inflate() filled all the room it had: it may hold more
	 * output (a long match, bits already read) that needs no new input. */
	bool more_out;
	/* The last inflate() that moved stopped at a byte-aligned block
	 * boundary: a fresh inflater could take over at the next byte. */
	bool boundary;
	char error[128];
};

struct compress_in *compress_in_new(const struct compress_settings *set)
{
	struct compress_settings defaults;
	struct compress_in *in = xcalloc(1, sizeof(*in));

	if (set == NULL) {
		compress_settings_init(&defaults);
		set = &defaults;
	}
	in->max_ratio = set->max_ratio;
	in->state = ZIN_PARKED; /* a parked stream with no history is a new one */
	return in;
}

static void zin_end(struct compress_in *in)
{
	if (in->state == ZIN_ACTIVE || in->state == ZIN_ENDED)
		inflateEnd(&in->z);
}

void compress_in_free(struct compress_in **inp)
{
	struct compress_in *in = *inp;

	if (in == NULL)
		return;
	*inp = NULL;
	zin_end(in);
	free(in->history);
	free(in);
}

static int zin_fail(struct compress_in *in, const char *what, const char **error_r)
{
	if (in->state != ZIN_FAILED) {
		zin_end(in);
		in->state = ZIN_FAILED;
	}
	snprintf(in->error, sizeof(in->error), "%s", what);
	*error_r = in->error;
	return -1;
}

/* Bring a parked stream back: a new raw inflater primed with the history. */
static int zin_unpark(struct compress_in *in, const char **error_r)
{
	zmem_attach(&in->z, &in->mem);
	if (inflateInit2(&in->z, -DEFLATE_MAX_WINDOW_BITS) != Z_OK)
		return zin_fail(in, "compressed input: cannot start zlib", error_r);
	in->state = ZIN_ACTIVE;
	if (in->history_len > 0 &&
	    inflateSetDictionary(&in->z, in->history, (uInt)in->history_len) != Z_OK)
		return zin_fail(in, "compressed input: cannot restore the history", error_r);
	free(in->history);
	in->history = NULL;
	in->history_len = 0;
	in->boundary = false;
	return 0;
}

/* The ratio guard, checked whenever a window of output is complete. */
static int zin_guard(struct compress_in *in, size_t wire, size_t plain, const char **error_r)
{
	char what[96];

	in->total_wire += wire;
	in->total_plain += plain;
	if (in->max_ratio == 0)
		return 0;
	in->window_wire += wire;
	in->window_plain += plain;
	if (in->window_plain < COMPRESS_RATIO_WINDOW)
		return 0;
	if (in->window_wire * in->max_ratio < in->window_plain) {
		snprintf(what, sizeof(what),
			 "compressed input expands more than %u:1 (a decompression bomb?)",
			 in->max_ratio);
		return zin_fail(in, what, error_r);
	}
	in->window_wire = in->window_plain = 0;
	return 0;
}

/* One inflate call from the first chain of src (or from zlib's own
 * state alone) into up to room bytes of dst. Returns 1 when it consumed
 * or produced anything, 0 when it could not, -1 on error. */
static int zin_step(struct compress_in *in, struct evbuffer *src, struct evbuffer *dst, size_t room,
		    size_t *produced_r, const char **error_r)
{
	static unsigned char none;
	struct evbuffer_iovec iv = {&none, 0}, ov;
	size_t used, made;
	int ret;

	if (evbuffer_peek(src, -1, NULL, &iv, 1) < 1 || iv.iov_len == 0) {
		iv.iov_base = &none;
		iv.iov_len = 0;
	}
	if (iv.iov_len == 0 && !in->more_out)
		return 0;
	if (iv.iov_len > 0 && in->state == ZIN_ENDED)
		return zin_fail(in, "compressed input: data after the end of the stream", error_r);
	if (in->state == ZIN_ENDED)
		return 0;
	if (room > COMPRESS_CHUNK)
		room = COMPRESS_CHUNK;
	if (evbuffer_reserve_space(dst, (ev_ssize_t)room, &ov, 1) < 1)
		hf_panic("compress: out of memory reserving output");
	in->z.next_in = iv.iov_base;
	in->z.avail_in = iv.iov_len > UINT_MAX ? UINT_MAX : (uInt)iv.iov_len;
	in->z.next_out = ov.iov_base;
	in->z.avail_out = (uInt)room;
	ret = inflate(&in->z, Z_SYNC_FLUSH);
	used = (size_t)(in->z.next_in - (Bytef *)iv.iov_base);
	made = room - in->z.avail_out;
	ov.iov_len = made;
	evbuffer_commit_space(dst, &ov, 1);
	if (used > 0)
		evbuffer_drain(src, used);
	*produced_r = made;
	in->more_out = made == room;
	/* zlib's data_type: 128 when it stopped at a block boundary, plus
	 * the count of unused bits (below 64). A flush by the peer (sync or
	 * full) ends byte-aligned there. A call that moved nothing says
	 * nothing new (zlib then clears the 128 while the position stays). */
	if (used > 0 || made > 0)
		in->boundary = (in->z.data_type & 128) && (in->z.data_type & 63) == 0;
	if (ret == Z_STREAM_END) {
		/* The peer ended its stream (a final block): what came with it
		 * is fine, anything after it is not. */
		in->state = ZIN_ENDED;
		in->more_out = false;
	} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
		char what[96];

		snprintf(what, sizeof(what), "compressed input is not valid DEFLATE data: %s",
			 in->z.msg != NULL ? in->z.msg : "error");
		return zin_fail(in, what, error_r);
	}
	if (zin_guard(in, used, made, error_r) < 0)
		return -1;
	return used > 0 || made > 0 ? 1 : 0;
}

int compress_in_run(struct compress_in *in, struct evbuffer *src, struct evbuffer *dst,
		    size_t max_out, size_t *produced_r, const char **error_r)
{
	size_t produced = 0;
	int ret = 0;

	if (produced_r != NULL)
		*produced_r = 0;
	if (in->state == ZIN_FAILED) {
		*error_r = in->error;
		return -1;
	}
	if (evbuffer_get_length(src) == 0 && !in->more_out)
		return 0;
	if (in->state == ZIN_PARKED && zin_unpark(in, error_r) < 0)
		return -1;
	while (produced < max_out) {
		size_t made = 0;

		ret = zin_step(in, src, dst, max_out - produced, &made, error_r);
		produced += made;
		if (ret <= 0)
			break;
	}
	if (produced_r != NULL)
		*produced_r = produced;
	return ret < 0 ? -1 : 0;
}

bool compress_in_park(struct compress_in *in)
{
	uInt len = 0;

	if (in->state == ZIN_PARKED)
		return true;
	if (in->state != ZIN_ACTIVE || in->more_out || !in->boundary)
		return false;
	if (inflateGetDictionary(&in->z, NULL, &len) != Z_OK)
		return false;
	in->history = len > 0 ? xmalloc(len) : NULL;
	if (len > 0 && inflateGetDictionary(&in->z, in->history, &len) != Z_OK) {
		free(in->history);
		in->history = NULL;
		return false;
	}
	in->history_len = len;
	inflateEnd(&in->z);
	in->state = ZIN_PARKED;
	return true;
}

size_t compress_in_memory(const struct compress_in *in)
{
	return in->mem.bytes + in->history_len;
}

void compress_in_totals(const struct compress_in *in, uint64_t *wire_r, uint64_t *plain_r)
{
	*wire_r = in->total_wire;
	*plain_r = in->total_plain;
}

/* ---- deflating ---- */

struct compress_out {
	z_stream z;
	struct zmem mem;
	bool active;
	bool failed;
	struct compress_settings set;
	uint64_t total_plain, total_wire;
};

struct compress_out *compress_out_new(const struct compress_settings *set)
{
	struct compress_out *out = xcalloc(1, sizeof(*out));

	if (set != NULL)
		out->set = *set;
	else
		compress_settings_init(&out->set);
	return out;
}

void compress_out_park(struct compress_out *out)
{
	if (out->active)
		deflateEnd(&out->z);
	out->active = false;
}

void compress_out_free(struct compress_out **outp)
{
	struct compress_out *out = *outp;

	if (out == NULL)
		return;
	*outp = NULL;
	compress_out_park(out);
	free(out);
}

/* Deflate what z holds as input (none for a flush) with flush mode
 * `flush`, until it took all input and, for a flush, emitted everything. */
static int zout_pump(struct compress_out *out, struct evbuffer *dst, int flush)
{
	struct evbuffer_iovec ov;
	int ret;

	do {
		if (evbuffer_reserve_space(dst, COMPRESS_CHUNK, &ov, 1) < 1)
			hf_panic("compress: out of memory reserving output");
		out->z.next_out = ov.iov_base;
		out->z.avail_out = COMPRESS_CHUNK;
		ret = deflate(&out->z, flush);
		ov.iov_len = COMPRESS_CHUNK - out->z.avail_out;
		out->total_wire += ov.iov_len;
		evbuffer_commit_space(dst, &ov, 1);
		if (ret != Z_OK && ret != Z_BUF_ERROR)
			return -1;
		/* Output space left over means deflate had nothing more to say. */
	} while (out->z.avail_out == 0 || out->z.avail_in > 0);
	return 0;
}

int compress_out_run(struct compress_out *out, struct evbuffer *src, struct evbuffer *dst,
		     const char **error_r)
{
	struct evbuffer_iovec iv;

	if (out->failed) {
		*error_r = "compressed output failed earlier";
		return -1;
	}
	if (evbuffer_get_length(src) == 0)
		return 0;
	if (!out->active) {
		zmem_attach(&out->z, &out->mem);
		/* Negative window bits: raw DEFLATE, no zlib header (RFC 4978 4). */
		if (deflateInit2(&out->z, out->set.level, Z_DEFLATED, -out->set.window_bits,
				 out->set.mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
			goto fail;
		out->active = true;
	}
	while (evbuffer_peek(src, -1, NULL, &iv, 1) >= 1 && iv.iov_len > 0) {
		size_t n = iv.iov_len > UINT_MAX ? UINT_MAX : iv.iov_len;

		out->z.next_in = iv.iov_base;
		out->z.avail_in = (uInt)n;
		if (zout_pump(out, dst, Z_NO_FLUSH) < 0)
			goto fail;
		out->total_plain += n;
		evbuffer_drain(src, n);
	}
	if (zout_pump(out, dst, Z_SYNC_FLUSH) < 0)
		goto fail;
	return 0;
fail:
	out->failed = true;
	compress_out_park(out);
	*error_r = "compressed output: zlib failed";
	return -1;
}

size_t compress_out_memory(const struct compress_out *out)
{
	return out->mem.bytes;
}

void compress_out_totals(const struct compress_out *out, uint64_t *plain_r, uint64_t *wire_r)
{
	*plain_r = out->total_plain;
	*wire_r = out->total_wire;
}
