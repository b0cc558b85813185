/* fuzz-mbox-read.c — the mbox reader and the bookkeeping field parser fed
 * hostile files, and the writer checked against the reader.
 *
 * Input: one control byte, then data. Bit 0 picks mboxo; bits 1-3 the
 * size of the pieces fed (1, 2, 3, 7, 64, 4096 bytes, or all at once);
 * bit 4 a small message limit (64 bytes). Bit 5 turns the data into a
 * stored message instead (CRLF line ends), writes it as an mbox record
 * with a flag set from bits 6-7, reads it back and checks that the same
 * bytes and flags come out (mboxrd; mboxo only when no line looks quoted).
 * Memory and time stay bounded whatever the input. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/mailio/mailio-text.c"
#include "server/mailio/mbox-from.c"
#include "server/mailio/mbox-meta.c"
#include "server/mailio/mbox-read.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t pieces[] = {1, 2, 3, 7, 64, 4096, 0, 0};

static void check_message(const struct mbox_message *m, size_t max)
{
	struct mbox_meta meta;
	struct buf out = BUF_INIT;

	if (m->too_big ? m->len != 0 : m->len > max)
		abort();
	memset(&meta, 0, sizeof(meta));
	mbox_meta_extract(m->data, m->len, &out, &meta);
	if (out.len > m->len)
		abort();
	mbox_meta_clear(&meta);
	buf_free(&out);
}

static void read_file(const uint8_t *data, size_t size, enum mbox_format fmt, size_t step,
		      size_t max)
{
	struct mbox_reader *r = mbox_reader_new(fmt, max);
	struct mbox_message m;
	const char *error;
	size_t pos = 0, used;
	int ret = 0;

	while (pos < size && ret >= 0) {
		size_t n = step == 0 || size - pos < step ? size - pos : step;

		ret = mbox_reader_feed(r, data + pos, n, &used, &m, &error);
		if (ret == 1)
			check_message(&m, max);
		if (ret >= 0 && used > n)
			abort();
		pos += used;
	}
	while (ret >= 0 && (ret = mbox_reader_finish(r, &m, &error)) == 1)
		check_message(&m, max);
	mbox_reader_free(&r);
}

static bool looks_quoted(const struct buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if ((i == 0 || b->data[i - 1] == '\n') && b->data[i] == '>')
			return true;
	return false;
}

/* A stored message written as a record and read back is the same. */
static void write_read(const uint8_t *data, size_t size, enum mbox_format fmt, unsigned flags)
{
	struct buf stored = BUF_INIT, file = BUF_INIT, back = BUF_INIT, crlf = BUF_INIT;
	struct mbox_reader *r = mbox_reader_new(MBOX_MBOXRD, size * 2 + 1024);
	struct mbox_message m;
	struct mbox_meta meta;
	const char *error;
	size_t used;
	int got = 0;

	mailio_to_crlf(data, size, &stored);
	mbox_write_record(stored.data, stored.len, flags, "", 1000000000, 60, fmt, &file);
	memset(&meta, 0, sizeof(meta));
	if (mbox_reader_feed(r, file.data, file.len, &used, &m, &error) != 0 ||
	    (got = mbox_reader_finish(r, &m, &error)) != 1 || m.from.time != 1000000000)
		abort();
	mbox_meta_extract(m.data, m.len, &back, &meta);
	mailio_to_crlf(back.data, back.len, &crlf);
	/* A message starting with white space carries no flag fields, and its
	 * own bookkeeping fields are taken out like ours: only the clean
	 * cases must come back exactly. */
	if (stored.len > 0 && stored.data[0] != ' ' && stored.data[0] != '\t' &&
	    back.len + 64 > m.len && (fmt == MBOX_MBOXRD || !looks_quoted(&stored))) {
		struct buf check = BUF_INIT;
		struct mbox_meta own;

		memset(&own, 0, sizeof(own));
		mbox_meta_extract(stored.data, stored.len, &check, &own);
		if (check.len == stored.len &&
		    (crlf.len != stored.len || memcmp(crlf.data, stored.data, crlf.len) != 0 ||
		     meta.flags != flags))
			abort();
		mbox_meta_clear(&own);
		buf_free(&check);
	}
	mbox_meta_clear(&meta);
	mbox_reader_free(&r);
	buf_free(&stored);
	buf_free(&file);
	buf_free(&back);
	buf_free(&crlf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flag_sets[] = {0, 1, 6, 31};
	uint8_t ctl;

	if (size < 1)
		return 0;
	if (getenv("TZ") == NULL) {
		setenv("TZ", "UTC", 1);
		tzset();
	}
	ctl = data[0];
	data++;
	size--;
	if (ctl & 0x20)
		write_read(data, size, (ctl & 1) ? MBOX_MBOXO : MBOX_MBOXRD, flag_sets[ctl >> 6]);
	else
		read_file(data, size, (ctl & 1) ? MBOX_MBOXO : MBOX_MBOXRD, pieces[(ctl >> 1) & 7],
			  (ctl & 0x10) ? 64 : 1 << 20);
	return 0;
}
