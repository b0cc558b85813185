/* fetch-send.c — send the bytes of a body item into the connection's
 * output a chunk at a time, stopping when the output is above its
 * high-water mark, so a FETCH of any size costs a bounded amount of
 * memory (STYLE.md, "Protocol code"). File ranges are read straight into
 * the output buffer; BINARY of an encoded part goes through the streaming
 * decoder. */
#include "fetch-private.h"
#include "lib/log.h"
#include "mime/mime-decode-stream.h"
#include "net/conn.h"

#include <event2/buffer.h>
#include <string.h>

static size_t chunk(uint64_t left)
{
	return left < FETCH_CHUNK ? (size_t)left : FETCH_CHUNK;
}

static int send_mem(struct imap_session *s, struct fetch_file *f, struct fetch_body *b)
{
	size_t n = chunk(b->size - b->sent);

	if (b->rebuild != NULL && b->mem.len != b->size && fetch_body_rebuild(f, b) < 0)
		return -1;
	session_write(s, b->mem.data + b->sent, n);
	b->sent += n;
	/* A rebuilt result goes as soon as it is sent. */
	if (b->rebuild != NULL && b->sent == b->size)
		buf_free(&b->mem);
	return 0;
}

/* Read the next chunk of the file range into the output, without a copy. */
static int send_file(struct imap_session *s, struct fetch_file *f, struct fetch_body *b)
{
	struct evbuffer *out = conn_output(s->conn);
	struct evbuffer_iovec vec;
	size_t n = chunk(b->size - b->sent);

	if (out == NULL || evbuffer_reserve_space(out, (ev_ssize_t)n, &vec, 1) < 1)
		return -1;
	if (fetch_file_pread(f, vec.iov_base, n, b->offset + b->sent) < 0)
		return -1;
	vec.iov_len = n;
	if (evbuffer_commit_space(out, &vec, 1) < 0)
		return -1;
	b->sent += n;
	return 0;
}

/* Decode until some output of the window is ready; -1 when the input ran
 * out before the size the part index promised. */
static int decode_more(struct fetch_file *f, struct fetch_body *b)
{
	while (b->dec.len == 0) {
		size_t n;

		if (b->raw_pos > b->raw_size)
			return -1;
		n = chunk(b->raw_size - b->raw_pos);
		if (b->ds == NULL)
			b->ds = mime_decode_stream_new(b->cte);
		if (n > 0) {
			buf_reserve(&f->scratch, FETCH_CHUNK);
			if (fetch_file_pread(f, f->scratch.data, n, b->offset + b->raw_pos) < 0)
				return -1;
			mime_decode_stream_feed(b->ds, f->scratch.data, n, &b->dec);
			b->raw_pos += n;
		} else {
			mime_decode_stream_finish(b->ds, &b->dec);
			b->raw_pos++; /* past the end: the input is finished */
		}
		if (b->skipped < b->skip && b->dec.len > 0) {
			uint64_t drop = b->skip - b->skipped;

			if (drop > b->dec.len)
				drop = b->dec.len;
			buf_consume(&b->dec, (size_t)drop);
			b->skipped += drop;
		}
	}
	return 0;
}

static int send_decoded(struct imap_session *s, struct fetch_file *f, struct fetch_body *b)
{
	size_t n;

	if (decode_more(f, b) < 0) {
		log_error("fetch: message %s uid %u: decoded part shorter than its index says",
			  f->m->emailid, f->m->uid);
		return -1;
	}
	n = b->dec.len < b->size - b->sent ? b->dec.len : (size_t)(b->size - b->sent);
	session_write(s, b->dec.data, n);
	buf_consume(&b->dec, n);
	b->sent += n;
	return 0;
}

int fetch_send_body(struct imap_session *s, struct fetch_file *f, struct fetch_body *b)
{
	while (b->sent < b->size) {
		int ret;

		if (session_output_full(s))
			return 0;
		switch (b->src) {
		case FETCH_SRC_MEM:
			ret = send_mem(s, f, b);
			break;
		case FETCH_SRC_FILE:
			ret = send_file(s, f, b);
			break;
		default:
			ret = send_decoded(s, f, b);
			break;
		}
		if (ret < 0)
			return -1;
	}
	return 1;
}
