/* search-stream.c — a SEARCH, ESEARCH, SORT or THREAD line written in
 * chunks: the command yields while the connection's output is above its
 * high-water mark and goes on when it drained, so a result over a large
 * mailbox never sits whole in the output buffer. */
#include "search-private.h"
#include "lib/mem.h"

/* Bytes of body produced before the output is checked again. */
#define STREAM_CHUNK 8192

struct search_stream *search_stream_new(const char *done)
{
	struct search_stream *st = xcalloc(1, sizeof(*st));

	st->done = done;
	return st;
}

void search_stream_free(struct search_stream *st)
{

	buf_free(&st->head);
	rangeset_free(&st->set);
	free(st->list);
	buf_free(&st->text);
	buf_free(&st->tail);
	free(st);
}

static void stream_free(void *p)
{
	search_stream_free(p);
}

static void number(struct buf *out, uint32_t lo, uint32_t hi)
{
	if (lo == hi)
		buf_printf(out, "%u", lo);
	else
		buf_printf(out, "%u:%u", lo, hi);
}

static bool set_compact(struct search_stream *st, struct buf *out)
{
	while (st->pos < st->set.count && out->len < STREAM_CHUNK) {
		if (st->pos > 0)
			buf_append_byte(out, ',');
		number(out, st->set.r[st->pos].lo, st->set.r[st->pos].hi);
		st->pos++;
	}
	return st->pos == st->set.count;
}

static bool set_list(struct search_stream *st, struct buf *out)
{
	while (st->pos < st->set.count && out->len < STREAM_CHUNK) {
		const struct range *r = &st->set.r[st->pos];

		if (st->next < r->lo)
			st->next = r->lo;
		buf_printf(out, " %u", (uint32_t)st->next);
		if (st->next >= r->hi) {
			st->pos++;
			st->next = 0;
		} else {
			st->next++;
		}
	}
	return st->pos == st->set.count;
}

static bool list(struct search_stream *st, struct buf *out)
{
	while (st->pos < st->count && out->len < STREAM_CHUNK)
		buf_printf(out, " %u", st->list[st->pos++]);
	return st->pos == st->count;
}

/* RFC 5267 3.2: ranges in an ESORT result ascend, so only runs of
 * consecutive increasing numbers become "a:b"; the order is kept. */
static bool list_compact(struct search_stream *st, struct buf *out)
{
	while (st->pos < st->count && out->len < STREAM_CHUNK) {
		size_t end = st->pos;

		while (end + 1 < st->count && st->list[end] != UINT32_MAX &&
		       st->list[end + 1] == st->list[end] + 1)
			end++;
		if (st->pos > 0)
			buf_append_byte(out, ',');
		number(out, st->list[st->pos], st->list[end]);
		st->pos = end + 1;
	}
	return st->pos == st->count;
}

static bool text(struct search_stream *st, struct buf *out)
{
	size_t n = st->text.len - st->pos;

	if (n == 0)
		return true;
	if (n > STREAM_CHUNK)
		n = STREAM_CHUNK;
	buf_append(out, st->text.data + st->pos, n);
	st->pos += n;
	return st->pos == st->text.len;
}

/* Append the next piece of the body; true when the body is complete. */
static bool body_chunk(struct search_stream *st, struct buf *out)
{
	switch (st->form) {
	case SEARCH_BODY_SET_COMPACT:
		return set_compact(st, out);
	case SEARCH_BODY_SET_LIST:
		return set_list(st, out);
	case SEARCH_BODY_LIST:
		return list(st, out);
	case SEARCH_BODY_LIST_COMPACT:
		return list_compact(st, out);
	case SEARCH_BODY_TEXT:
		return text(st, out);
	case SEARCH_BODY_NONE:
		break;
	}
	return true;
}

static enum cmd_result stream_resume(struct imap_session *s, struct imap_command *cmd)
{
	struct search_stream *st = s->run.state;
	struct buf chunk = BUF_INIT;
	bool done = false;

	(void)cmd;
	if (!st->head_sent) {
		session_write(s, st->head.data, st->head.len);
		st->head_sent = true;
	}
	while (!done) {
		buf_reset(&chunk);
		done = body_chunk(st, &chunk);
		if (chunk.len > 0)
			session_write(s, chunk.data, chunk.len);
		if (!done && session_output_full(s)) {
			buf_free(&chunk);
			return CMD_SUSPEND;
		}
	}
	buf_free(&chunk);
	buf_append_str(&st->tail, "\r\n");
	session_write(s, st->tail.data, st->tail.len);
	session_tagged(s, IMAP_COND_OK, NULL, "%s", st->done);
	return CMD_DONE;
}

enum cmd_result search_stream_run(struct imap_session *s, struct search_stream *st)
{
	s->run.state = st;
	s->run.free_state = stream_free;
	s->run.resume = stream_resume;
	return stream_resume(s, s->run.cmd);
}
