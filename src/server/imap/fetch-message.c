/* fetch-message.c — one message's FETCH items: located before the
 * response starts, then written as the client reads (see fetch-private.h).
 * Shared by FETCH (cmd-fetch.c) and NOTIFY's FETCH of new messages
 * (notify-fetch.c), which add their own head and tail. */
#include "fetch-private.h"
#include "imap/imap-write.h"
#include "lib/mem.h"

#include <string.h>

void fetch_message_init(struct fetch_message *fm)
{
	memset(fm, 0, sizeof(*fm));
	fm->file.fd = -1;
}

void fetch_message_start(struct fetch_message *fm, const struct fetch_plan *plan)
{
	fm->plan = plan;
	fm->bodies = xcalloc(plan->count + 1, sizeof(*fm->bodies));
	fm->binary_sizes = xcalloc(plan->count + 1, sizeof(*fm->binary_sizes));
}

void fetch_message_clear(struct fetch_message *fm)
{
	for (size_t i = 0; fm->bodies != NULL && i < fm->plan->count; i++)
		fetch_body_clear(&fm->bodies[i]);
	fetch_file_close(&fm->file);
	fm->file.kept = 0;
	fm->file.m = NULL;
	fm->next = 0;
	fm->sending = false;
}

void fetch_message_free(struct fetch_message *fm)
{
	fetch_message_clear(fm);
	buf_free(&fm->file.scratch);
	free(fm->bodies);
	free(fm->binary_sizes);
	fetch_message_init(fm);
}

enum fetch_body_result fetch_message_prepare(struct fetch_message *fm, const struct store_msg *m,
					     int *err_r)
{
	enum fetch_body_result res = FETCH_BODY_OK;

	*err_r = STORE_OK;
	fm->file.m = m;
	for (size_t i = 0; i < fm->plan->count && res == FETCH_BODY_OK; i++) {
		const struct fetch_item *it = &fm->plan->items[i];

		if (it->body)
			res = fetch_body_prepare(&fm->file, it, &fm->bodies[i], err_r);
		else if (it->req->kind == IMAP_FETCH_BINARY_SIZE)
			res = fetch_body_binary_size(&fm->file, it, &fm->binary_sizes[i], err_r);
	}
	return res;
}

static void flush_out(struct imap_session *s)
{
	session_write(s, s->out.data, s->out.len);
	buf_reset(&s->out);
}

/* The name and literal header of body item i; the bytes follow. */
static void write_body_head(struct imap_session *s, struct fetch_message *fm, size_t i)
{
	const struct fetch_item *it = &fm->plan->items[i];
	const struct fetch_body *b = &fm->bodies[i];

	if (it->req->kind == IMAP_FETCH_BODY_SECTION || it->req->kind == IMAP_FETCH_BINARY)
		imap_write_fetch_item_name(&s->out, it->req, 0);
	else
		buf_append_str(&s->out, imap_fetch_kind_name(it->req->kind));
	buf_append_byte(&s->out, ' ');
	if (b->size == 0)
		buf_append_str(&s->out, "\"\"");
	else
		imap_write_literal_header(&s->out, b->size, b->literal8);
}

static void write_item(struct imap_session *s, struct fetch_message *fm, size_t i)
{
	const struct fetch_item *it = &fm->plan->items[i];

	if (it->req->kind == IMAP_FETCH_BINARY_SIZE) {
		imap_write_fetch_item_name(&s->out, it->req, 0);
		buf_printf(&s->out, " %llu", (unsigned long long)fm->binary_sizes[i]);
	} else {
		fetch_attr_write(s, &s->out, it, fm->file.m);
	}
}

int fetch_message_write(struct imap_session *s, struct fetch_message *fm)
{
	for (;;) {
		if (fm->sending) {
			int ret = fetch_send_body(s, &fm->file, &fm->bodies[fm->next - 1]);

			if (ret <= 0)
				return ret;
			fm->sending = false;
		}
		if (fm->next == fm->plan->count)
			return 1;
		size_t i = fm->next++;

		if (i > 0)
			buf_append_byte(&s->out, ' ');
		if (!fm->plan->items[i].body) {
			write_item(s, fm, i);
			continue;
		}
		write_body_head(s, fm, i);
		flush_out(s);
		fm->sending = true;
	}
}
