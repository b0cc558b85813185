/* test-net-compress.c — the DEFLATE streams (compress.h) against zlib used
 * directly as the peer, fed whole and byte by byte; and COMPRESS on
 * connections (conn.h): both directions over plain TCP and TLS, a raw
 * socket peer with its own zlib, partial reads, bombs, the input limit on
 * inflated bytes, parking, flow control and closing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <zlib.h>

#include "test-net-util.h"

#include "lib/log.h"
#include "net/compress.h"

static struct tn_cert cert;

static int group_setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LEVEL_ERROR);
	tn_cert_make(&cert);
	return 0;
}

static int group_teardown(void **state)
{
	tn_cert_remove(&cert);
	return 0;
}

/* ---- a reference peer: zlib used directly ---- */

struct peer_z {
	z_stream def, inf;
};

static void peer_init(struct peer_z *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(deflateInit2(&p->def, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	assert_int_equal(inflateInit2(&p->inf, -15), Z_OK);
}

static void peer_end(struct peer_z *p)
{
	deflateEnd(&p->def);
	inflateEnd(&p->inf);
}

/* Deflate data with the given flush into out (appended). */
static void peer_deflate(struct peer_z *p, const void *data, size_t len, int flush, struct buf *out)
{
	unsigned char chunk[4096];

	p->def.next_in = (Bytef *)data;
	p->def.avail_in = (uInt)len;
	do {
		p->def.next_out = chunk;
		p->def.avail_out = sizeof(chunk);
		assert_true(deflate(&p->def, flush) != Z_STREAM_ERROR);
		buf_append(out, chunk, sizeof(chunk) - p->def.avail_out);
	} while (p->def.avail_out == 0 || p->def.avail_in > 0);
}

/* Inflate everything of data into out (appended). */
static void peer_inflate(struct peer_z *p, const void *data, size_t len, struct buf *out)
{
	unsigned char chunk[4096];
	int ret;

	p->inf.next_in = (Bytef *)data;
	p->inf.avail_in = (uInt)len;
	do {
		p->inf.next_out = chunk;
		p->inf.avail_out = sizeof(chunk);
		ret = inflate(&p->inf, Z_SYNC_FLUSH);
		assert_true(ret == Z_OK || ret == Z_BUF_ERROR || ret == Z_STREAM_END);
		buf_append(out, chunk, sizeof(chunk) - p->inf.avail_out);
	} while (p->inf.avail_out == 0 || p->inf.avail_in > 0);
}

/* IMAP-looking text with repeats far back and near, so the window is used. */
static void make_text(struct buf *b, size_t len, unsigned seed)
{
	static const char *const words[] = {
		"FETCH",  "UID",   "FLAGS", "(\\Seen)", "ENVELOPE", "NIL", "\"example.org\"",
		"BODY[]", "alice", "bob",   "{42}",     "\r\n",     "* ",  "OK"};

	while (b->len < len) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 7 == 0)
			buf_printf(b, "%u", seed % 100000);
		else
			buf_append_str(b, words[(seed >> 8) % HF_N_ELEMENTS(words)]);
		buf_append_byte(b, ' ');
	}
	buf_truncate(b, len);
}

static void evbuf_to_buf(struct evbuffer *e, struct buf *b)
{
	size_t n = evbuffer_get_length(e);

	buf_reserve(b, n);
	evbuffer_remove(e, b->data + b->len, n);
	b->len += n;
}

/* ---- compress_in ---- */

/* Inflate `wire` with compress_in, feeding `feed` bytes at a time with at
 * most `room` bytes of output per call; parking after every flush point
 * (flush_at lists wire offsets) when `park` is set. */
static void inflate_all(const struct buf *wire, size_t feed, size_t room, const size_t *flush_at,
			size_t nflush, bool park, struct buf *plain)
{
	struct compress_in *in = compress_in_new(NULL);
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	const char *error;
	size_t pos = 0, next_flush = 0;

	while (pos < wire->len || evbuffer_get_length(src) > 0) {
		size_t n = wire->len - pos < feed ? wire->len - pos : feed, made;

		if (next_flush < nflush && pos + n > flush_at[next_flush])
			n = flush_at[next_flush] - pos;
		evbuffer_add(src, wire->data + pos, n);
		pos += n;
		do {
			assert_int_equal(compress_in_run(in, src, dst, room, &made, &error), 0);
			assert_true(made <= room);
			evbuf_to_buf(dst, plain);
		} while (made > 0);
		assert_int_equal(evbuffer_get_length(src), 0);
		if (next_flush < nflush && pos == flush_at[next_flush]) {
			next_flush++;
			if (park) {
				assert_true(compress_in_park(in));
				assert_true(compress_in_memory(in) <= 32768);
			}
		}
	}
	compress_in_free(&in);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void test_in_matches_zlib(void **state)
{
	static const size_t feeds[] = {1, 3, 100, 4096, 1 << 20};
	static const size_t rooms[] = {1, 7, 16384, 1 << 20};
	struct buf text = BUF_INIT, wire = BUF_INIT;
	size_t flush_at[8], nflush = 0;
	struct peer_z p;

	/* Eight "commands", each flushed as a client does. */
	make_text(&text, 160000, 7);
	peer_init(&p);
	for (size_t i = 0; i < 8; i++) {
		peer_deflate(&p, text.data + i * 20000, 20000, Z_SYNC_FLUSH, &wire);
		flush_at[nflush++] = wire.len;
	}
	peer_end(&p);
	for (size_t f = 0; f < HF_N_ELEMENTS(feeds); f++) {
		for (size_t r = 0; r < HF_N_ELEMENTS(rooms); r++) {
			for (int park = 0; park <= 1; park++) {
				struct buf plain = BUF_INIT;

				if (feeds[f] == 1 && rooms[r] > 7 && park)
					continue; /* slow and covered by the others */
				inflate_all(&wire, feeds[f], rooms[r], flush_at, nflush, park,
					    &plain);
				assert_int_equal(plain.len, text.len);
				assert_memory_equal(plain.data, text.data, text.len);
				buf_free(&plain);
			}
		}
	}
	buf_free(&text);
	buf_free(&wire);
}

/* Parking keeps exactly the history the peer may refer to. */
static void test_in_park_history(void **state)
{
	struct compress_in *in = compress_in_new(NULL);
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct buf wire = BUF_INIT, text = BUF_INIT;
	struct peer_z p;
	const char *error;

	peer_init(&p);
	/* Nothing yet: a new stream is parked and holds nothing. */
	assert_true(compress_in_park(in));
	assert_int_equal(compress_in_memory(in), 0);

	peer_deflate(&p, "a1 NOOP\r\n", 9, Z_SYNC_FLUSH, &wire);
	evbuffer_add(src, wire.data, wire.len);
	assert_int_equal(compress_in_run(in, src, dst, 1000, NULL, &error), 0);
	assert_true(compress_in_memory(in) > 32768); /* zlib's state and window */
	assert_true(compress_in_park(in));
	assert_int_equal(compress_in_memory(in), 9);

	/* The next command refers back to the first: the history is needed. */
	buf_reset(&wire);
	peer_deflate(&p, "a2 NOOP\r\na1 NOOP\r\n", 18, Z_SYNC_FLUSH, &wire);
	evbuffer_add(src, wire.data, wire.len);
	assert_int_equal(compress_in_run(in, src, dst, 1000, NULL, &error), 0);
	evbuf_to_buf(dst, &text);
	assert_string_equal(buf_cstr(&text), "a1 NOOP\r\na2 NOOP\r\na1 NOOP\r\n");

	/* Half a flush marker: not at a boundary, no parking. */
	buf_reset(&wire);
	peer_deflate(&p, "a3 NOOP\r\n", 9, Z_SYNC_FLUSH, &wire);
	evbuffer_add(src, wire.data, wire.len - 2);
	assert_int_equal(compress_in_run(in, src, dst, 1000, NULL, &error), 0);
	assert_false(compress_in_park(in));
	evbuffer_add(src, wire.data + wire.len - 2, 2);
	assert_int_equal(compress_in_run(in, src, dst, 1000, NULL, &error), 0);
	assert_true(compress_in_park(in));

	/* A long session keeps at most the 32 KiB window. */
	buf_reset(&text);
	make_text(&text, 100000, 3);
	buf_reset(&wire);
	peer_deflate(&p, text.data, text.len, Z_SYNC_FLUSH, &wire);
	evbuffer_add(src, wire.data, wire.len);
	while (evbuffer_get_length(src) > 0) {
		assert_int_equal(compress_in_run(in, src, dst, 65536, NULL, &error), 0);
		evbuffer_drain(dst, evbuffer_get_length(dst));
	}
	assert_true(compress_in_park(in));
	assert_int_equal(compress_in_memory(in), 32768);

	peer_end(&p);
	compress_in_free(&in);
	compress_in_free(&in); /* NULL is fine */
	evbuffer_free(src);
	evbuffer_free(dst);
	buf_free(&wire);
	buf_free(&text);
}

/* One run never produces more than asked, however much the input expands;
 * output zlib holds back (a long match) comes without new input. */
static void test_in_bounded_output(void **state)
{
	struct compress_settings set;
	struct compress_in *in;
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct buf wire = BUF_INIT;
	unsigned char *zeros = xcalloc(1, 4 << 20);
	struct peer_z p;
	const char *error;
	size_t made, total = 0;

	compress_settings_init(&set);
	set.max_ratio = 0;
	in = compress_in_new(&set);
	peer_init(&p);
	peer_deflate(&p, zeros, 4 << 20, Z_SYNC_FLUSH, &wire);
	peer_end(&p);
	assert_true(wire.len < 8192);
	evbuffer_add(src, wire.data, wire.len);
	for (;;) {
		assert_int_equal(compress_in_run(in, src, dst, 1000, &made, &error), 0);
		assert_true(made <= 1000);
		assert_int_equal(evbuffer_get_length(dst), made);
		evbuffer_drain(dst, made);
		total += made;
		if (made == 0)
			break;
	}
	assert_int_equal(total, 4 << 20);
	assert_int_equal(evbuffer_get_length(src), 0);
	compress_in_free(&in);
	evbuffer_free(src);
	evbuffer_free(dst);
	buf_free(&wire);
	free(zeros);
}

static void test_in_ratio_guard(void **state)
{
	struct compress_in *in = compress_in_new(NULL);
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct buf wire = BUF_INIT, text = BUF_INIT;
	unsigned char *zeros = xcalloc(1, 16 << 20);
	struct peer_z p;
	const char *error = NULL;
	size_t total = 0, made;
	int ret;

	/* Text compresses a few times: far below the guard. */
	make_text(&text, 3 << 20, 11);
	peer_init(&p);
	peer_deflate(&p, text.data, text.len, Z_SYNC_FLUSH, &wire);
	evbuffer_add(src, wire.data, wire.len);
	while ((ret = compress_in_run(in, src, dst, 65536, &made, &error)) == 0 && made > 0)
		evbuffer_drain(dst, made);
	assert_int_equal(ret, 0);

	/* 16 MiB of zeros is about 16 KiB: refused within the first MiBs. */
	buf_reset(&wire);
	peer_deflate(&p, zeros, 16 << 20, Z_SYNC_FLUSH, &wire);
	peer_end(&p);
	evbuffer_add(src, wire.data, wire.len);
	while ((ret = compress_in_run(in, src, dst, 65536, &made, &error)) == 0 && made > 0) {
		total += made;
		evbuffer_drain(dst, made);
	}
	assert_int_equal(ret, -1);
	assert_non_null(strstr(error, "expands more than 256:1"));
	assert_true(total < 4 << 20);
	/* And it stays failed. */
	assert_int_equal(compress_in_run(in, src, dst, 10, NULL, &error), -1);
	assert_false(compress_in_park(in));
	compress_in_free(&in);
	evbuffer_free(src);
	evbuffer_free(dst);
	buf_free(&wire);
	buf_free(&text);
	free(zeros);
}

static void test_in_bad_data(void **state)
{
	struct compress_in *in = compress_in_new(NULL);
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct buf wire = BUF_INIT;
	struct peer_z p;
	const char *error;

	/* Block type 3 does not exist (RFC 1951 3.2.3). */
	evbuffer_add(src, "\xff\xff\xff\xff", 4);
	assert_int_equal(compress_in_run(in, src, dst, 100, NULL, &error), -1);
	assert_non_null(strstr(error, "not valid DEFLATE"));
	compress_in_free(&in);

	/* The peer ends its stream; anything after that is an error. */
	in = compress_in_new(NULL);
	evbuffer_drain(src, evbuffer_get_length(src));
	peer_init(&p);
	peer_deflate(&p, "a LOGOUT\r\n", 10, Z_FINISH, &wire);
	peer_end(&p);
	evbuffer_add(src, wire.data, wire.len);
	assert_int_equal(compress_in_run(in, src, dst, 100, NULL, &error), 0);
	assert_int_equal(evbuffer_get_length(dst), 10);
	evbuffer_add(src, "x", 1);
	assert_int_equal(compress_in_run(in, src, dst, 100, NULL, &error), -1);
	assert_non_null(strstr(error, "after the end"));
	compress_in_free(&in);
	evbuffer_free(src);
	evbuffer_free(dst);
	buf_free(&wire);
}

/* ---- compress_out ---- */

static void test_out_roundtrip_and_park(void **state)
{
	static const int levels[] = {0, 1, 6, 9};
	static const int windows[] = {9, 13, 15};

	for (size_t l = 0; l < HF_N_ELEMENTS(levels); l++) {
		for (size_t w = 0; w < HF_N_ELEMENTS(windows); w++) {
			struct compress_settings set;
			struct compress_out *out;
			struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
			struct buf text = BUF_INIT, wire = BUF_INIT, plain = BUF_INIT;
			const char *error;
			struct peer_z p;
			uint64_t a, b;
			size_t pos = 0;

			compress_settings_init(&set);
			set.level = levels[l];
			set.window_bits = windows[w];
			assert_int_equal(compress_settings_check(&set, &error), 0);
			out = compress_out_new(&set);
			make_text(&text, 300000, 5);
			peer_init(&p);
			assert_int_equal(compress_out_run(out, src, dst, &error), 0);
			assert_int_equal(evbuffer_get_length(dst), 0); /* nothing to say */
			for (unsigned i = 0; pos < text.len; i++) {
				size_t n = 1 + (i * 7919u) % 40000;

				if (n > text.len - pos)
					n = text.len - pos;
				evbuffer_add(src, text.data + pos, n);
				pos += n;
				assert_int_equal(compress_out_run(out, src, dst, &error), 0);
				assert_int_equal(evbuffer_get_length(src), 0);
				/* Every batch is complete on its own: the peer has
				 * all of it without waiting for more. */
				buf_reset(&wire);
				evbuf_to_buf(dst, &wire);
				peer_inflate(&p, wire.data, wire.len, &plain);
				assert_int_equal(plain.len, pos);
				if (i % 3 == 0) {
					compress_out_park(out);
					assert_int_equal(compress_out_memory(out), 0);
				} else {
					assert_true(compress_out_memory(out) > 0);
				}
			}
			assert_memory_equal(plain.data, text.data, text.len);
			compress_out_totals(out, &a, &b);
			assert_int_equal(a, text.len);
			if (levels[l] > 0)
				assert_true(b < text.len / 2);
			peer_end(&p);
			compress_out_free(&out);
			compress_out_free(&out);
			evbuffer_free(src);
			evbuffer_free(dst);
			buf_free(&text);
			buf_free(&wire);
			buf_free(&plain);
		}
	}
}

static void test_settings_check(void **state)
{
	struct compress_settings set;
	const char *error;

	compress_settings_init(&set);
	assert_int_equal(compress_settings_check(&set, &error), 0);
	set.level = 10;
	assert_int_equal(compress_settings_check(&set, &error), -1);
	set.level = 1;
	set.window_bits = 8;
	assert_int_equal(compress_settings_check(&set, &error), -1);
	set.window_bits = 16;
	assert_int_equal(compress_settings_check(&set, &error), -1);
	set.window_bits = 12;
	set.mem_level = 0;
	assert_int_equal(compress_settings_check(&set, &error), -1);
	set.mem_level = 10;
	assert_int_equal(compress_settings_check(&set, &error), -1);
}

/* ---- connections ---- */

/* A session that starts compressing when it reads the line "COMPRESS"
 * (and answers "OK" first, uncompressed), then echoes or discards. */
struct zsess {
	struct conn *conn;
	struct buf in;
	bool compressing;
	bool echo;
	bool discard;      /* consume and drop everything */
	bool consume_none; /* consume nothing (an endless line) */
	size_t max_seen;   /* the most inflated bytes waiting at once */
	bool closed;
	enum conn_close_reason reason;
	char detail[256];
	unsigned drains;
	struct compress_settings *set;
};

static void zs_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	struct zsess *s = ctx;
	size_t n = evbuffer_get_length(input);
	const char *error;

	if (n > s->max_seen)
		s->max_seen = n;
	if (s->consume_none)
		return;
	if (s->discard) {
		evbuffer_drain(input, n);
		return;
	}
	if (!s->compressing) {
		struct evbuffer_ptr p = evbuffer_search(input, "COMPRESS\r\n", 10, NULL);

		if (p.pos < 0)
			return;
		evbuffer_drain(input, (size_t)p.pos + 10);
		conn_write(conn, "OK\r\n", 4);
		assert_int_equal(conn_start_compress(conn, s->set, &error), 0);
		s->compressing = true;
		/* Nothing more from this buffer: it is the wire's. */
		return;
	}
	buf_reserve(&s->in, n);
	evbuffer_remove(input, s->in.data + s->in.len, n);
	if (s->echo)
		conn_write(conn, s->in.data + s->in.len, n);
	s->in.len += n;
}

static void zs_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
		      void *ctx)
{
	struct zsess *s = ctx;

	s->closed = true;
	s->reason = reason;
	snprintf(s->detail, sizeof(s->detail), "%s", detail ? detail : "");
}

static void zs_drained(struct conn *conn, void *ctx)
{
	((struct zsess *)ctx)->drains++;
}

static const struct conn_callbacks zs_callbacks = {
	.input = zs_input, .closed = zs_closed, .output_drained = zs_drained};

/* A server conn over an accepted socket and a plain socket for the peer. */
struct zpair {
	struct event_base *base;
	int lfd;
	int peer_fd; /* the test's raw socket */
	struct zsess srv;
	struct tls_ctx *tls;
};

static void zpair_open(struct zpair *zp, bool tls_server)
{
	unsigned port;
	struct conn_settings set = {0};
	const char *error;
	int fd;

	memset(zp, 0, sizeof(*zp));
	zp->base = event_base_new();
	zp->lfd = tn_listen(AF_INET, &port);
	zp->peer_fd = tn_connect(AF_INET, port, false);
	while ((fd = accept4(zp->lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		usleep(1000);
	if (tls_server) {
		zp->tls = tls_server_ctx_new(cert.cert, cert.key, &error);
		assert_non_null(zp->tls);
		set.tls = zp->tls;
	}
	zp->srv.conn = conn_new(zp->base, fd, &set, &zs_callbacks, &zp->srv, &error);
	assert_non_null(zp->srv.conn);
}

static void zpair_close(struct zpair *zp)
{
	conn_free(&zp->srv.conn);
	buf_free(&zp->srv.in);
	if (zp->peer_fd >= 0)
		close(zp->peer_fd);
	close(zp->lfd);
	tls_ctx_free(&zp->tls);
	tn_run_for(zp->base, 10);
	event_base_free(zp->base);
}

/* Read what is available from the raw peer socket into b (non-blocking
 * beyond `msecs`); returns false on EOF. */
static bool peer_read(int fd, struct buf *b, unsigned msecs)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char chunk[65536];
	ssize_t n;

	if (poll(&pfd, 1, (int)msecs) <= 0)
		return true;
	n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
	if (n == 0)
		return false;
	if (n > 0)
		buf_append(b, chunk, (size_t)n);
	return true;
}

static void peer_send(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/* Run the loop and read the peer side until `want` plain bytes inflated. */
static void pump_until(struct zpair *zp, struct peer_z *p, struct buf *wire, size_t *used,
		       struct buf *plain, size_t want, unsigned msecs)
{
	uint64_t end = tn_now_ms() + msecs;

	while (plain->len < want && tn_now_ms() < end) {
		tn_run_for(zp->base, 5);
		if (!peer_read(zp->peer_fd, wire, 5))
			break;
		if (wire->len > *used) {
			peer_inflate(p, wire->data + *used, wire->len - *used, plain);
			*used = wire->len;
		}
	}
}

/* Start COMPRESS on the plain pair: the peer sends the command and takes
 * the uncompressed "OK" line. */
static void zpair_start(struct zpair *zp)
{
	struct buf got = BUF_INIT;
	uint64_t end = tn_now_ms() + 3000;

	peer_send(zp->peer_fd, "COMPRESS\r\n", 10);
	while (got.len < 4 && tn_now_ms() < end) {
		tn_run_for(zp->base, 5);
		peer_read(zp->peer_fd, &got, 5);
	}
	assert_int_equal(got.len, 4);
	assert_memory_equal(got.data, "OK\r\n", 4);
	assert_true(conn_is_compressed(zp->srv.conn));
	buf_free(&got);
}

/* A raw peer with zlib: commands flushed one by one, fed to the socket a
 * few bytes at a time (partial reads), echoed back compressed. */
static void test_conn_raw_peer_echo(void **state)
{
	struct zpair zp;
	struct peer_z p;
	struct buf wire = BUF_INIT, back = BUF_INIT, plain = BUF_INIT, sent = BUF_INIT;
	struct conn_compress_stats st;
	size_t used = 0;
	const char *error;

	zpair_open(&zp, false);
	zp.srv.echo = true;
	assert_false(conn_is_compressed(zp.srv.conn));
	zpair_start(&zp);
	assert_int_equal(conn_start_compress(zp.srv.conn, NULL, &error), -1);
	assert_string_equal(error, "compression is already active");
	peer_init(&p);
	for (unsigned i = 0; i < 50; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "a%u UID FETCH 1:* (FLAGS ENVELOPE)\r\n", i);

		buf_append(&sent, line, (size_t)n);
		buf_reset(&wire);
		peer_deflate(&p, line, (size_t)n, Z_SYNC_FLUSH, &wire);
		for (size_t off = 0; off < wire.len; off += 3) {
			peer_send(zp.peer_fd, wire.data + off,
				  wire.len - off < 3 ? wire.len - off : 3);
			if (i % 10 == 0)
				tn_run_for(zp.base, 1);
		}
	}
	pump_until(&zp, &p, &back, &used, &plain, sent.len, 5000);
	assert_int_equal(plain.len, sent.len);
	assert_memory_equal(plain.data, sent.data, sent.len);
	assert_int_equal(zp.srv.in.len, sent.len);
	conn_compress_stats(zp.srv.conn, &st);
	assert_int_equal(st.in_plain, sent.len);
	assert_int_equal(st.out_plain, sent.len);
	assert_true(st.in_wire > 0 && st.out_wire > 0);
	/* Compression over TLS would have to be below it: refused. */
	{
		struct tls_ctx *t = tls_server_ctx_new(cert.cert, cert.key, &error);

		assert_int_equal(conn_start_tls(zp.srv.conn, t, NULL, NULL, &error), -1);
		tls_ctx_free(&t);
	}
	peer_end(&p);
	zpair_close(&zp);
	buf_free(&wire);
	buf_free(&back);
	buf_free(&plain);
	buf_free(&sent);
}

/* Compressed bytes right behind the command in the same packet are read
 * through the inflater (an eager client). */
static void test_conn_compressed_bytes_in_same_packet(void **state)
{
	struct zpair zp;
	struct peer_z p;
	struct buf wire = BUF_INIT, back = BUF_INIT, plain = BUF_INIT;
	size_t used = 0;

	zpair_open(&zp, false);
	zp.srv.echo = true;
	peer_init(&p);
	buf_append_str(&wire, "COMPRESS\r\n");
	peer_deflate(&p, "a1 NOOP\r\n", 9, Z_SYNC_FLUSH, &wire);
	peer_send(zp.peer_fd, wire.data, wire.len);
	/* "OK\r\n" comes plain, then the compressed echo. */
	while (back.len < 4) {
		tn_run_for(zp.base, 5);
		peer_read(zp.peer_fd, &back, 5);
	}
	assert_memory_equal(back.data, "OK\r\n", 4);
	used = 4;
	pump_until(&zp, &p, &back, &used, &plain, 9, 3000);
	assert_int_equal(plain.len, 9);
	assert_memory_equal(plain.data, "a1 NOOP\r\n", 9);
	peer_end(&p);
	zpair_close(&zp);
	buf_free(&wire);
	buf_free(&back);
	buf_free(&plain);
}

/* Two conns of ours talk compressed both ways, over TLS: the client side
 * starts compressing after reading the OK. */
struct zclient {
	struct conn *conn;
	struct buf in;
	bool compressing;
	bool tls_ready;
	bool closed;
};

static void zc_input(struct conn *conn, struct evbuffer *input, void *ctx)
{
	struct zclient *c = ctx;
	size_t n = evbuffer_get_length(input);
	const char *error;

	if (!c->compressing) {
		if (n < 4)
			return;
		evbuffer_drain(input, 4);
		assert_int_equal(conn_start_compress(conn, NULL, &error), 0);
		c->compressing = true;
		return;
	}
	buf_reserve(&c->in, n);
	evbuffer_remove(input, c->in.data + c->in.len, n);
	c->in.len += n;
}

static void zc_closed(struct conn *conn, enum conn_close_reason reason, const char *detail,
		      void *ctx)
{
	((struct zclient *)ctx)->closed = true;
}

static void zc_tls_ready(struct conn *conn, void *ctx)
{
	((struct zclient *)ctx)->tls_ready = true;
}

static const struct conn_callbacks zc_callbacks = {
	.input = zc_input, .closed = zc_closed, .tls_ready = zc_tls_ready};

static void conns_both_ways(bool tls)
{
	struct event_base *base = event_base_new();
	unsigned port;
	int lfd = tn_listen(AF_INET, &port), fd;
	struct zsess srv = {.echo = true};
	struct zclient cl = {0};
	struct conn_settings sset = {0}, cset = {0};
	struct tls_client_settings tcs = {.no_system_store = true, .insecure = true};
	struct tls_ctx *stls = NULL, *ctls = NULL;
	struct buf text = BUF_INIT;
	const char *error;
	uint64_t end;

	if (tls) {
		stls = tls_server_ctx_new(cert.cert, cert.key, &error);
		ctls = tls_client_ctx_new(&tcs, &error);
		assert_non_null(stls);
		assert_non_null(ctls);
		sset.tls = stls;
		cset.tls = ctls;
	}
	cl.conn =
		conn_new(base, tn_connect(AF_INET, port, true), &cset, &zc_callbacks, &cl, &error);
	assert_non_null(cl.conn);
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		usleep(1000);
	srv.conn = conn_new(base, fd, &sset, &zs_callbacks, &srv, &error);
	assert_non_null(srv.conn);
	if (tls) {
		/* Not before the handshake is done. */
		assert_int_equal(conn_start_compress(cl.conn, NULL, &error), -1);
		tn_run_until(base, &cl.tls_ready, 5000);
		assert_true(cl.tls_ready);
	}
	conn_write(cl.conn, "COMPRESS\r\n", 10);
	end = tn_now_ms() + 5000;
	while (!cl.compressing && tn_now_ms() < end)
		tn_run_for(base, 5);
	assert_true(cl.compressing && srv.compressing);
	make_text(&text, 2 << 20, 9);
	for (size_t off = 0; off < text.len; off += 100000)
		conn_write(cl.conn, text.data + off,
			   text.len - off < 100000 ? text.len - off : 100000);
	end = tn_now_ms() + 20000;
	while (cl.in.len < text.len && tn_now_ms() < end && !cl.closed)
		tn_run_for(base, 5);
	assert_int_equal(cl.in.len, text.len);
	assert_memory_equal(cl.in.data, text.data, text.len);
	assert_false(srv.closed);
	/* Then the client closes politely; the server sees the end. */
	conn_close_after_flush(cl.conn);
	end = tn_now_ms() + 5000;
	while (!srv.closed && tn_now_ms() < end)
		tn_run_for(base, 5);
	assert_true(srv.closed);
	conn_free(&cl.conn);
	conn_free(&srv.conn);
	buf_free(&cl.in);
	buf_free(&srv.in);
	buf_free(&text);
	close(lfd);
	tls_ctx_free(&stls);
	tls_ctx_free(&ctls);
	tn_run_for(base, 10);
	event_base_free(base);
}

static void test_conn_both_ways_plain(void **state)
{
	conns_both_ways(false);
}

static void test_conn_both_ways_tls(void **state)
{
	conns_both_ways(true);
}

/* A bomb: 64 MiB of one byte in about 64 KiB. The session reads and drops
 * everything (as a parser drops an overlong line): the ratio guard closes
 * the conn long before the end, never holding more than the input limit. */
static void test_conn_bomb_ratio_guard(void **state)
{
	struct zpair zp;
	struct peer_z p;
	struct buf wire = BUF_INIT;
	unsigned char *bytes = xmalloc(1 << 20);
	uint64_t end;

	memset(bytes, 'x', 1 << 20);
	zpair_open(&zp, false);
	zpair_start(&zp);
	zp.srv.discard = true;
	peer_init(&p);
	for (int i = 0; i < 64; i++)
		peer_deflate(&p, bytes, 1 << 20, Z_NO_FLUSH, &wire);
	peer_deflate(&p, "", 0, Z_SYNC_FLUSH, &wire);
	assert_true(wire.len < 128 * 1024);
	peer_send(zp.peer_fd, wire.data, wire.len);
	end = tn_now_ms() + 5000;
	while (!zp.srv.closed && tn_now_ms() < end)
		tn_run_for(zp.base, 5);
	assert_true(zp.srv.closed);
	assert_int_equal(zp.srv.reason, CONN_CLOSE_ERROR);
	assert_non_null(strstr(zp.srv.detail, "decompression bomb"));
	assert_true(zp.srv.max_seen <= CONN_DEFAULT_INPUT_LIMIT);
	peer_end(&p);
	zpair_close(&zp);
	buf_free(&wire);
	free(bytes);
}

/* Without the guard the whole bomb is inflated, in chunks the input limit
 * bounds; a session that consumes nothing is closed at the limit. */
static void test_conn_bomb_bounded(void **state)
{
	struct compress_settings set;
	struct zpair zp;
	struct peer_z p;
	struct buf wire = BUF_INIT;
	unsigned char *bytes = xmalloc(1 << 20);
	struct conn_compress_stats st;
	uint64_t end;

	memset(bytes, 'x', 1 << 20);
	compress_settings_init(&set);
	set.max_ratio = 0;
	for (int none = 0; none <= 1; none++) {
		zpair_open(&zp, false);
		zp.srv.set = &set;
		zpair_start(&zp);
		zp.srv.discard = !none;
		conn_set_input_limit(zp.srv.conn, 8192);
		zp.srv.consume_none = none;
		peer_init(&p);
		buf_reset(&wire);
		for (int i = 0; i < 32; i++)
			peer_deflate(&p, bytes, 1 << 20, Z_NO_FLUSH, &wire);
		peer_deflate(&p, "", 0, Z_SYNC_FLUSH, &wire);
		peer_send(zp.peer_fd, wire.data, wire.len);
		end = tn_now_ms() + 10000;
		if (none) {
			while (!zp.srv.closed && tn_now_ms() < end)
				tn_run_for(zp.base, 5);
			assert_true(zp.srv.closed);
			assert_string_equal(zp.srv.detail,
					    "input limit reached with nothing consumed");
		} else {
			do {
				tn_run_for(zp.base, 5);
				conn_compress_stats(zp.srv.conn, &st);
			} while (st.in_plain < (32u << 20) && tn_now_ms() < end);
			assert_int_equal(st.in_plain, 32u << 20);
			assert_false(zp.srv.closed);
		}
		assert_true(zp.srv.max_seen <= 8192);
		peer_end(&p);
		zpair_close(&zp);
	}
	buf_free(&wire);
	free(bytes);
}

/* Garbage after COMPRESS closes the conn with the reason. */
static void test_conn_garbage(void **state)
{
	struct zpair zp;
	uint64_t end;

	zpair_open(&zp, false);
	zpair_start(&zp);
	peer_send(zp.peer_fd, "\xff\xff\xff\xff", 4);
	end = tn_now_ms() + 3000;
	while (!zp.srv.closed && tn_now_ms() < end)
		tn_run_for(zp.base, 5);
	assert_true(zp.srv.closed);
	assert_int_equal(zp.srv.reason, CONN_CLOSE_ERROR);
	assert_non_null(strstr(zp.srv.detail, "not valid DEFLATE"));
	zpair_close(&zp);
}

/* After a pause the zlib state is given back; traffic then goes on, the
 * peer's references to earlier text still resolve. */
static void test_conn_park_and_continue(void **state)
{
	struct zpair zp;
	struct peer_z p;
	struct buf wire = BUF_INIT, back = BUF_INIT, plain = BUF_INIT;
	struct conn_compress_stats st;
	size_t used = 0;

	zpair_open(&zp, false);
	zp.srv.echo = true;
	zpair_start(&zp);
	conn_set_compress_park(zp.srv.conn, 50);
	peer_init(&p);
	peer_deflate(&p, "a1 SELECT INBOX\r\n", 17, Z_SYNC_FLUSH, &wire);
	peer_send(zp.peer_fd, wire.data, wire.len);
	pump_until(&zp, &p, &back, &used, &plain, 17, 3000);
	assert_int_equal(plain.len, 17);
	conn_compress_stats(zp.srv.conn, &st);
	assert_true(st.memory > 32768);
	tn_run_for(zp.base, 150);
	conn_compress_stats(zp.srv.conn, &st);
	assert_int_equal(st.memory, 17); /* the history the peer may use */
	buf_reset(&wire);
	peer_deflate(&p, "a2 SELECT INBOX\r\n", 17, Z_SYNC_FLUSH, &wire);
	peer_send(zp.peer_fd, wire.data, wire.len);
	pump_until(&zp, &p, &back, &used, &plain, 34, 3000);
	assert_int_equal(plain.len, 34);
	assert_memory_equal(plain.data, "a1 SELECT INBOX\r\na2 SELECT INBOX\r\n", 34);
	/* 0 turns parking off. */
	conn_set_compress_park(zp.srv.conn, 0);
	peer_end(&p);
	zpair_close(&zp);
	buf_free(&wire);
	buf_free(&back);
	buf_free(&plain);
}

/* A long response written while the output is full, to a peer that reads
 * slowly: the session is told when to go on, all bytes arrive. */
static void test_conn_flow_control_and_close(void **state)
{
	struct zpair zp;
	struct peer_z p;
	struct buf back = BUF_INIT, plain = BUF_INIT, text = BUF_INIT;
	size_t used = 0, pos = 0, max_pending = 0;
	uint64_t end;
	bool eof = false;

	zpair_open(&zp, false);
	zpair_start(&zp);
	peer_init(&p);
	make_text(&text, 8 << 20, 21);
	end = tn_now_ms() + 30000;
	while (!eof && tn_now_ms() < end) {
		while (pos < text.len && !conn_output_full(zp.srv.conn)) {
			size_t n = text.len - pos < 16384 ? text.len - pos : 16384;

			conn_write(zp.srv.conn, text.data + pos, n);
			pos += n;
			if (pos == text.len)
				conn_close_after_flush(zp.srv.conn);
		}
		if (conn_output_pending(zp.srv.conn) > max_pending)
			max_pending = conn_output_pending(zp.srv.conn);
		tn_run_for(zp.base, 2);
		eof = !peer_read(zp.peer_fd, &back, 2);
		if (back.len > used) {
			peer_inflate(&p, back.data + used, back.len - used, &plain);
			used = back.len;
		}
	}
	assert_true(eof);
	/* The server lingers until the peer closes too. */
	close(zp.peer_fd);
	zp.peer_fd = -1;
	tn_run_for(zp.base, 50);
	assert_int_equal(plain.len, text.len);
	assert_memory_equal(plain.data, text.data, text.len);
	assert_true(zp.srv.drains > 0);
	assert_true(max_pending <= CONN_DEFAULT_OUTPUT_HIGH + 16384);
	assert_true(zp.srv.closed);
	assert_int_equal(zp.srv.reason, CONN_CLOSE_DONE);
	peer_end(&p);
	zpair_close(&zp);
	buf_free(&back);
	buf_free(&plain);
	buf_free(&text);
}

/* Inflated bytes the session left waiting are delivered again when it
 * resumes input; while paused, nothing is delivered. */
static void test_conn_pause_resume(void **state)
{
	struct zpair zp;
	struct peer_z p;
	struct buf wire = BUF_INIT;

	zpair_open(&zp, false);
	zpair_start(&zp);
	zp.srv.consume_none = true;
	peer_init(&p);
	peer_deflate(&p, "a1 NOOP\r\n", 9, Z_SYNC_FLUSH, &wire);
	peer_send(zp.peer_fd, wire.data, wire.len);
	tn_run_for(zp.base, 100);
	assert_int_equal(zp.srv.in.len, 0);
	assert_int_equal(conn_input_pending(zp.srv.conn), 9);
	zp.srv.consume_none = false;
	conn_input_pause(zp.srv.conn);
	buf_reset(&wire);
	peer_deflate(&p, "a2 NOOP\r\n", 9, Z_SYNC_FLUSH, &wire);
	peer_send(zp.peer_fd, wire.data, wire.len);
	tn_run_for(zp.base, 100);
	assert_int_equal(zp.srv.in.len, 0);
	conn_input_resume(zp.srv.conn);
	tn_run_for(zp.base, 100);
	assert_int_equal(zp.srv.in.len, 18);
	assert_memory_equal(zp.srv.in.data, "a1 NOOP\r\na2 NOOP\r\n", 18);
	assert_int_equal(conn_input_pending(zp.srv.conn), 0);
	peer_end(&p);
	zpair_close(&zp);
	buf_free(&wire);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_matches_zlib),
		cmocka_unit_test(test_in_park_history),
		cmocka_unit_test(test_in_bounded_output),
		cmocka_unit_test(test_in_ratio_guard),
		cmocka_unit_test(test_in_bad_data),
		cmocka_unit_test(test_out_roundtrip_and_park),
		cmocka_unit_test(test_settings_check),
		cmocka_unit_test(test_conn_raw_peer_echo),
		cmocka_unit_test(test_conn_compressed_bytes_in_same_packet),
		cmocka_unit_test(test_conn_both_ways_plain),
		cmocka_unit_test(test_conn_both_ways_tls),
		cmocka_unit_test(test_conn_bomb_ratio_guard),
		cmocka_unit_test(test_conn_bomb_bounded),
		cmocka_unit_test(test_conn_garbage),
		cmocka_unit_test(test_conn_park_and_continue),
		cmocka_unit_test(test_conn_flow_control_and_close),
		cmocka_unit_test(test_conn_pause_resume),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
