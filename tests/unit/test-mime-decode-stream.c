/* test-mime-decode-stream.c — decoding in pieces gives exactly what
 * mime_decode_transfer() gives for the whole input: every two-piece cut,
 * byte by byte, and pseudo-random piece sizes; long quoted-printable lines
 * are decoded before their end without holding them whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/mime-decode-stream.h"

struct sample {
	enum mime_cte cte;
	const char *in;
};

static const struct sample samples[] = {
	{MIME_CTE_BASE64, ""},
	{MIME_CTE_BASE64, "SGVsbG8sIHdvcmxkIQ=="},
	{MIME_CTE_BASE64, "SGVs\r\nbG8s\r\nIHdv\r\ncmxk\r\nIQ==\r\n"},
	{MIME_CTE_BASE64, "SGV sbG8\tsIHd*vcm!xkIQ"}, /* junk, no padding */
	{MIME_CTE_BASE64, "SGk=SGk=\r\nQQ==Qg"},      /* concatenated blobs */
	{MIME_CTE_BASE64, "=====A===B==C=D"},         /* stray pads */
	{MIME_CTE_BASE64, "QUJD\r\nREVG\r\nR0g"},
	{MIME_CTE_QP, ""},
	{MIME_CTE_QP, "Caf=C3=A9 cr=C3=A8me\r\n"},
	{MIME_CTE_QP, "soft =\r\nbreak and trailing   \t\r\nnext line=\r\n"},
	{MIME_CTE_QP, "bad =4 =ZZ =\r\n==41=3d=\nlf only  \nlast=20 "},
	{MIME_CTE_QP, "cr\rin line \r \r\n=\r\n\r\n"},
	{MIME_CTE_QP, "no line end at all ="},
	{MIME_CTE_7BIT, "plain\r\ntext\0with NUL"},
	{MIME_CTE_8BIT, "\xc3\xa9t\xc3\xa9\r\n"},
	{MIME_CTE_BINARY, "\x00\x01\x02\xff"},
};

static void whole(enum mime_cte cte, const void *in, size_t len, struct buf *out)
{
	const char *error;

	assert_int_equal(mime_decode_transfer(cte, in, len, out, &error), 0);
}

/* Feed in pieces of the sizes cuts[] gives, cycling; return the output. */
static void pieces(enum mime_cte cte, const char *in, size_t len, const size_t *cuts, size_t ncuts,
		   struct buf *out)
{
	struct mime_decode_stream *ds = mime_decode_stream_new(cte);
	size_t pos = 0;

	assert_non_null(ds);
	mime_decode_stream_feed(ds, in, 0, out); /* an empty piece changes nothing */
	for (size_t i = 0; pos < len; i++) {
		size_t n = cuts[i % ncuts];

		if (n > len - pos)
			n = len - pos;
		mime_decode_stream_feed(ds, in + pos, n, out);
		pos += n;
	}
	mime_decode_stream_finish(ds, out);
	mime_decode_stream_free(&ds);
	assert_null(ds);
}

static void check_equal(enum mime_cte cte, const char *in, size_t len)
{
	struct buf expect = BUF_INIT, got = BUF_INIT;
	static const size_t one[] = {1}, odd[] = {3, 7, 1, 64, 2, 1000, 5};

	whole(cte, in, len, &expect);
	for (size_t cut = 0; cut <= len; cut++) {
		size_t two[] = {cut > 0 ? cut : len + 1, len + 1};

		buf_reset(&got);
		pieces(cte, in, len, two, 2, &got);
		assert_int_equal(got.len, expect.len);
		assert_memory_equal(got.data, expect.data, expect.len);
		if (len > 512)
			cut += len / 97; /* sample the cuts of long inputs */
	}
	buf_reset(&got);
	pieces(cte, in, len, one, 1, &got);
	assert_int_equal(got.len, expect.len);
	assert_memory_equal(got.data, expect.data, expect.len);
	buf_reset(&got);
	pieces(cte, in, len, odd, sizeof(odd) / sizeof(odd[0]), &got);
	assert_int_equal(got.len, expect.len);
	assert_memory_equal(got.data, expect.data, expect.len);
	buf_free(&expect);
	buf_free(&got);
}

static void test_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		size_t len = strlen(samples[i].in);

		if (samples[i].cte == MIME_CTE_7BIT)
			len = 21; /* keeps the NUL and what follows it */
		if (samples[i].cte == MIME_CTE_BINARY)
			len = 4;
		check_equal(samples[i].cte, samples[i].in, len);
	}
}

static void test_unknown(void **state)
{
	(void)state;
	assert_null(mime_decode_stream_new(MIME_CTE_UNKNOWN));
}

/* Pseudo-random inputs from an alphabet that makes every special case
 * frequent: pads, escapes, whitespace, CR, LF. */
static void test_random(void **state)
{
	static const char alphabet[] = "AQz09+/==  \t\r\n\r\n3DFa-*";
	uint32_t seed = 12345;
	char in[300];

	(void)state;
	for (int round = 0; round < 400; round++) {
		size_t len = (size_t)(round % 300);

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		check_equal(MIME_CTE_BASE64, in, len);
		check_equal(MIME_CTE_QP, in, len);
	}
}

/* A quoted-printable line far longer than MIME_DECODE_STREAM_LINE: output
 * comes out before the line ends, and equals the whole decoding. */
static void test_long_qp_line(void **state)
{
	size_t len = 5 * MIME_DECODE_STREAM_LINE;
	char *in = malloc(len);
	struct mime_decode_stream *ds = mime_decode_stream_new(MIME_CTE_QP);
	struct buf out = BUF_INIT;
	static const char unit[] = "ab=41 \t=3D=\r==";

	(void)state;
	assert_non_null(in);
	for (size_t i = 0; i < len; i++)
		in[i] = unit[i % (sizeof(unit) - 1)];
	mime_decode_stream_feed(ds, in, 2 * MIME_DECODE_STREAM_LINE, &out);
	assert_true(out.len > MIME_DECODE_STREAM_LINE);
	mime_decode_stream_free(&ds);
	buf_free(&out);
	check_equal(MIME_CTE_QP, in, len);
	free(in);
}

/* A long run of whitespace cannot be cut; feeding it in many pieces must
 * still take linear time (each byte examined a bounded number of times). */
static void test_long_whitespace(void **state)
{
	size_t len = 8 * 1024 * 1024;
	char *in = malloc(len + 2);
	struct buf expect = BUF_INIT, got = BUF_INIT;
	static const size_t chunk[] = {4096};

	(void)state;
	assert_non_null(in);
	memset(in, ' ', len);
	in[len] = 'x';
	in[len + 1] = '\n';
	whole(MIME_CTE_QP, in, len + 2, &expect);
	pieces(MIME_CTE_QP, in, len + 2, chunk, 1, &got);
	assert_int_equal(got.len, expect.len);
	assert_memory_equal(got.data, expect.data, expect.len);
	buf_free(&expect);
	buf_free(&got);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),         cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_random),          cmocka_unit_test(test_long_qp_line),
		cmocka_unit_test(test_long_whitespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
