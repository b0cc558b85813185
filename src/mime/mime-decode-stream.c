/* mime-decode-stream.c — content-transfer decoding in pieces (see
 * mime-decode-stream.h).
 *
 * Rather than a second decoder that could drift from mime_decode_transfer(),
 * the input is cut where decoding the two sides apart gives the same bytes
 * as decoding them together, and each finished piece goes through
 * mime_decode_transfer() itself:
 *   base64: after a complete 4-character quantum, or after a "=" that
 *           ended a partial one (RFC 2045 6.8; the decoder resets there);
 *   quoted-printable: after a line feed (the decoder works line by line,
 *           RFC 2045 6.7), or inside a long line after a byte that is not
 *           whitespace (trailing whitespace is dropped at a line end), not
 *           CR (part of a line end) and not "=" with the two bytes before
 *           the cut not "=" either (a soft line break or "=XX" escape).
 */
#include "mime-decode-stream.h"

#include "lib/mem.h"

#include <string.h>

struct mime_decode_stream {
	enum mime_cte cte;
	/* Input not decoded yet: base64 alphabet characters of an unfinished
	 * quantum (at most 3), or the unfinished quoted-printable line. */
	struct buf pending;
	/* Quoted-printable: no cut is possible in pending[0..checked), so a
	 * long line of whitespace is not scanned again at every feed. */
	size_t checked;
};

struct mime_decode_stream *mime_decode_stream_new(enum mime_cte cte)
{
	struct mime_decode_stream *ds;

	if (cte == MIME_CTE_UNKNOWN)
		return NULL;
	ds = xcalloc(1, sizeof(*ds));
	ds->cte = cte;
	return ds;
}

void mime_decode_stream_free(struct mime_decode_stream **dsp)
{
	struct mime_decode_stream *ds = *dsp;

	if (ds == NULL)
		return;
	buf_free(&ds->pending);
	free(ds);
	*dsp = NULL;
}

static void decode(enum mime_cte cte, const void *in, size_t len, struct buf *out)
{
	const char *error;

	if (len > 0)
		(void)mime_decode_transfer(cte, in, len, out, &error); /* known cte: cannot fail */
}

static bool b64_alphabet(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

static void b64_feed(struct mime_decode_stream *ds, const unsigned char *in, size_t len,
		     struct buf *out)
{
	size_t q = ds->pending.len, first = 0, cut = 0;

	for (size_t i = 0; i < len; i++) {
		if (b64_alphabet(in[i]))
			q++;
		else if (in[i] != '=' || q == 0)
			continue;
		else
			q = 0; /* a pad ends the partial quantum */
		if (q == 4)
			q = 0;
		if (q == 0) {
			cut = i + 1;
			if (first == 0)
				first = cut;
		}
	}
	if (cut > 0) {
		/* The pending quantum completes at the first cut; the rest up
		 * to the last cut decodes without a copy. */
		buf_append(&ds->pending, in, first);
		decode(MIME_CTE_BASE64, ds->pending.data, ds->pending.len, out);
		buf_reset(&ds->pending);
		decode(MIME_CTE_BASE64, in + first, cut - first, out);
	}
	/* Only alphabet characters matter after the cut: the others are
	 * ignored by the decoder, and a "=" there has no quantum to end. */
	for (size_t i = cut; i < len; i++)
		if (b64_alphabet(in[i]))
			buf_append_byte(&ds->pending, in[i]);
}

/* The largest p in (from, len] where a quoted-printable line may be cut,
 * 0 if none. */
static size_t qp_safe_cut(const unsigned char *s, size_t len, size_t from)
{
	for (size_t p = len; p >= 2 && p > from; p--) {
		unsigned char c = s[p - 1];

		if (c != ' ' && c != '\t' && c != '\r' && c != '=' && s[p - 2] != '=')
			return p;
	}
	return 0;
}

static void qp_feed(struct mime_decode_stream *ds, const unsigned char *in, size_t len,
		    struct buf *out)
{
	const unsigned char *first = memchr(in, '\n', len), *last;
	size_t cut;

	if (first == NULL) {
		buf_append(&ds->pending, in, len);
	} else {
		/* The pending line ends at the first LF; the whole lines after
		 * it decode without a copy. */
		last = memrchr(in, '\n', len);
		buf_append(&ds->pending, in, (size_t)(first - in) + 1);
		decode(MIME_CTE_QP, ds->pending.data, ds->pending.len, out);
		buf_reset(&ds->pending);
		ds->checked = 0;
		decode(MIME_CTE_QP, first + 1, (size_t)(last - first), out);
		buf_append(&ds->pending, last + 1, len - (size_t)(last + 1 - in));
	}
	if (ds->pending.len <= MIME_DECODE_STREAM_LINE)
		return;
	cut = qp_safe_cut((const unsigned char *)ds->pending.data, ds->pending.len, ds->checked);
	if (cut > 0) {
		decode(MIME_CTE_QP, ds->pending.data, cut, out);
		buf_consume(&ds->pending, cut);
	}
	/* Every position left is one where no cut was possible. */
	ds->checked = ds->pending.len;
}

void mime_decode_stream_feed(struct mime_decode_stream *ds, const void *in, size_t len,
			     struct buf *out)
{
	if (len == 0)
		return;
	switch (ds->cte) {
	case MIME_CTE_BASE64:
		b64_feed(ds, in, len, out);
		break;
	case MIME_CTE_QP:
		qp_feed(ds, in, len, out);
		break;
	default:
		buf_append(out, in, len);
		break;
	}
}

void mime_decode_stream_finish(struct mime_decode_stream *ds, struct buf *out)
{
	decode(ds->cte, ds->pending.data, ds->pending.len, out);
	buf_reset(&ds->pending);
	ds->checked = 0;
}
