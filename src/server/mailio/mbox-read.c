/* mbox-read.c — the incremental mbox splitter (see mbox-read.h).
 *
 * Bytes go into msg as they come; each line is classified as soon as
 * enough of it is seen: a From_ line (it starts "From " and its first
 * MBOX_FROM_MAX bytes hold a date), a quoted From line (mboxrd: '>'+ then
 * "From ", one '>' is taken out), or content. A From_ line ends the
 * message before it; the rest of that line is skipped. Past max_message
 * the message is too big: its bytes are dropped as they come and only the
 * start of the current line is kept, so memory stays bounded.
 *
 * Invariants: msg holds the message's content before line_start, then the
 * kept part of the current line; line_len counts all its bytes so far. */
#include "mbox-read.h"
#include "lib/mem.h"

#include <string.h>

#define SENDER_MAX 256

enum line_class { LINE_UNDECIDED, LINE_CONTENT, LINE_FROM };

struct head {
	struct mbox_from from;
	char sender[SENDER_MAX];
	uint64_t offset;
	bool crlf; /* its From_ line ended with CRLF */
};

struct mbox_reader {
	enum mbox_format format;
	size_t max;
	struct buf msg;
	size_t line_start, line_len;
	enum line_class line_class;
	bool started, too_big, reset_next, failed, cr_before_nl;
	unsigned char last_byte;
	struct head cur, next, out;
	uint64_t pos, line_offset;
};

struct mbox_reader *mbox_reader_new(enum mbox_format format, size_t max_message)
{
	struct mbox_reader *r = xcalloc(1, sizeof(*r));

	r->format = format;
	r->max = max_message;
	return r;
}

void mbox_reader_free(struct mbox_reader **rp)
{
	if (*rp == NULL)
		return;
	buf_free(&(*rp)->msg);
	xfree(rp);
}

static void set_head(struct head *h, const unsigned char *line, size_t len, uint64_t offset)
{
	const char *p = (const char *)line + 5, *end = (const char *)line + len;
	size_t n = 0;

	/* The sender as written up to the first space (quotes kept). */
	while (p + n < end && p[n] != ' ' && p[n] != '\r' && p[n] != '\n' && n < SENDER_MAX - 1)
		n++;
	memcpy(h->sender, p, n);
	h->sender[n] = '\0';
	h->offset = offset;
}

static bool is_from_line(const unsigned char *line, size_t len, struct mbox_from *from_r)
{
	size_t n;

	if (len < 5 || memcmp(line, "From ", 5) != 0)
		return false;
	n = len - 5;
	while (n > 0 && (line[5 + n - 1] == '\n' || line[5 + n - 1] == '\r'))
		n--;
	return mbox_from_parse((const char *)line + 5, n, from_r) == 0;
}

/* Decide what the current line is, once enough of it is known. complete:
 * the whole line is in (or the input ended). */
static enum line_class classify(struct mbox_reader *r, bool complete)
{
	const unsigned char *line = r->msg.data + r->line_start;
	size_t kept = r->msg.len - r->line_start, q = 0;

	if (!r->started && kept >= 1 && line[0] != 'F')
		return LINE_CONTENT;
	if (kept >= 1 && line[0] == 'F') {
		if (kept < 5 && !complete)
			return memcmp(line, "From ", kept) == 0 ? LINE_UNDECIDED : LINE_CONTENT;
		if (kept >= 5 && memcmp(line, "From ", 5) == 0 && !complete &&
		    kept < MBOX_FROM_MAX + 5)
			return LINE_UNDECIDED;
		return is_from_line(line, kept, &r->next.from) ? LINE_FROM : LINE_CONTENT;
	}
	if (r->format != MBOX_MBOXRD || r->too_big)
		return kept == 0 && !complete ? LINE_UNDECIDED : LINE_CONTENT;
	while (q < kept && line[q] == '>')
		q++;
	if (q == 0)
		return kept == 0 && !complete ? LINE_UNDECIDED : LINE_CONTENT;
	if (kept - q < 5 && !complete)
		return memcmp(line + q, "From ", kept - q) == 0 ? LINE_UNDECIDED : LINE_CONTENT;
	if (kept - q >= 5 && memcmp(line + q, "From ", 5) == 0) {
		/* mboxrd: take one '>' away. */
		memmove(r->msg.data + r->line_start, line + 1, kept - 1);
		buf_truncate(&r->msg, r->msg.len - 1);
	}
	return LINE_CONTENT;
}

/* The message before the current line, without the separator line end. */
static void take_message(struct mbox_reader *r, struct mbox_message *msg_r)
{
	size_t len = r->line_start;

	if (len > 0 && r->msg.data[len - 1] == '\n') {
		len--;
		if (r->cur.crlf && len > 0 && r->msg.data[len - 1] == '\r')
			len--;
	}
	r->out = r->cur;
	memset(msg_r, 0, sizeof(*msg_r));
	msg_r->too_big = r->too_big || len > r->max;
	msg_r->data = msg_r->too_big ? (const unsigned char *)"" : r->msg.data;
	msg_r->len = msg_r->too_big ? 0 : len;
	msg_r->from = r->out.from;
	msg_r->sender = r->out.sender;
	msg_r->offset = r->out.offset;
	r->reset_next = true;
}

/* A From_ line begins. Returns 1 when it ends a message (*msg_r set). */
static int from_line(struct mbox_reader *r, struct mbox_message *msg_r)
{
	set_head(&r->next, r->msg.data + r->line_start, r->msg.len - r->line_start, r->line_offset);
	if (!r->started) {
		r->started = true;
		r->cur = r->next;
		return 0;
	}
	take_message(r, msg_r);
	r->cur = r->next;
	return 1;
}

static int reader_fail(struct mbox_reader *r, const char **error_r)
{
	*error_r = "not an mbox file: it does not start with a From_ line";
	r->failed = true;
	return -1;
}

/* Before the first From_ line only blank lines may come. */
static bool blank_so_far(const struct mbox_reader *r)
{
	const unsigned char *line = r->msg.data + r->line_start;
	size_t kept = r->msg.len - r->line_start;

	return kept == 0 || (kept == 1 && (line[0] == '\n' || line[0] == '\r')) ||
	       (kept == 2 && line[0] == '\r' && line[1] == '\n');
}

/* A line is complete (or, at the end of input, what there is of it). */
static void end_line(struct mbox_reader *r)
{
	if (r->line_class == LINE_FROM) {
		r->cur.crlf = r->cr_before_nl;
		/* Only the From_ line's own bytes were kept: drop them. */
		buf_truncate(&r->msg, r->line_start);
	} else if (!r->started || r->too_big) {
		buf_reset(&r->msg);
	}
	r->line_start = r->msg.len;
	r->line_len = 0;
	r->line_class = LINE_UNDECIDED;
}

/* After more of the current line arrived: classify it, enforce limits.
 * Returns 1 when a From_ line ended a message, -1 on an error. */
static int line_grew(struct mbox_reader *r, bool complete, struct mbox_message *msg_r,
		     const char **error_r)
{
	size_t kept = r->msg.len - r->line_start;

	if (r->line_class == LINE_UNDECIDED) {
		r->line_class = classify(r, complete);
		if (r->line_class == LINE_FROM && from_line(r, msg_r) == 1)
			return 1;
		/* A run of '>' longer than any From_ line is content. */
		if (r->line_class == LINE_UNDECIDED && kept > MBOX_FROM_MAX + 5 &&
		    (!r->started || r->msg.len > r->max + 2))
			r->line_class = LINE_CONTENT;
	}
	if (!r->started && r->line_class == LINE_CONTENT && !blank_so_far(r))
		return reader_fail(r, error_r);
	if (r->line_class == LINE_FROM) {
		/* The date is read; the rest of the line is not needed. */
		buf_truncate(&r->msg, r->line_start);
	} else if (r->line_class == LINE_CONTENT && r->started && r->msg.len > r->max + 2) {
		r->too_big = true;
	}
	if (r->too_big && r->line_class == LINE_CONTENT) {
		buf_reset(&r->msg);
		r->line_start = 0;
	}
	return 0;
}

static void reset_if_taken(struct mbox_reader *r)
{
	if (!r->reset_next)
		return;
	r->reset_next = false;
	r->too_big = false;
	buf_reset(&r->msg);
	r->line_start = 0;
}

int mbox_reader_feed(struct mbox_reader *r, const void *data, size_t len, size_t *used_r,
		     struct mbox_message *msg_r, const char **error_r)
{
	const unsigned char *p = data, *end = p + len;

	*used_r = 0;
	if (r->failed)
		return reader_fail(r, error_r);
	reset_if_taken(r);
	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		const unsigned char *stop = nl != NULL ? nl + 1 : end;
		int ret;

		if (r->line_len == 0)
			r->line_offset = r->pos;
		if (nl != NULL)
			r->cr_before_nl = nl > p ? nl[-1] == '\r' : r->last_byte == '\r';
		buf_append(&r->msg, p, (size_t)(stop - p));
		r->line_len += (size_t)(stop - p);
		r->pos += (uint64_t)(stop - p);
		r->last_byte = stop[-1];
		p = stop;
		ret = line_grew(r, nl != NULL, msg_r, error_r);
		if (ret < 0)
			return -1;
		if (nl != NULL)
			end_line(r);
		if (ret == 1) {
			*used_r = (size_t)(p - (const unsigned char *)data);
			return 1;
		}
	}
	*used_r = len;
	return 0;
}

int mbox_reader_finish(struct mbox_reader *r, struct mbox_message *msg_r, const char **error_r)
{
	int ret;

	if (r->failed)
		return reader_fail(r, error_r);
	reset_if_taken(r);
	if (r->line_len > 0) {
		r->cr_before_nl = false;
		ret = line_grew(r, true, msg_r, error_r);
		if (ret < 0)
			return -1;
		end_line(r);
		/* A last From_ line without a line end: its (empty) message
		 * comes at the next call. */
		if (ret == 1)
			return 1;
	}
	if (!r->started)
		return 0;
	r->started = false;
	take_message(r, msg_r);
	return 1;
}
