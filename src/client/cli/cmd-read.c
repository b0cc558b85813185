/* cmd-read.c — hafen read ID: the message's header fields, its text (an
 * HTML-only message as text), the list of attachments; the body is
 * downloaded the first time and read from the cache afterwards. Marks the
 * message read (journalled like any flag change). Also the shared
 * "get the body" step of attachment, reply and forward. */
#include "cli.h"
#include "render.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int cli_message_body(struct cli *cli, const struct store_client_msg *m, struct buf *out)
{
	struct sync *s;
	const char *err;

	if (!m->has_body) {
		s = cli_online(cli);
		if (s == NULL)
			return cli_error("message %lld has not been downloaded yet, and the server"
					 " cannot be reached",
					 (long long)m->cid);
		if (sync_fetch_body(s, m->mailbox_id, m->uid, &err) < 0)
			return cli_error("%s", err);
	}
	if (sync_read_cached(cli->store, m->cid, out, &err) < 0)
		return cli_error("%s", err);
	return CLI_OK;
}

static const char *const shown[] = {"From", "To", "Cc", "Date", "Subject"};

static void print_text(struct cli *cli, const struct render *r, int64_t cid)
{
	struct buf out = BUF_INIT, v = BUF_INIT;

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		buf_reset(&v);
		render_header(r, shown[i], &v);
		if (v.len > 0)
			buf_printf(&out, "%s: %s\n", shown[i], buf_cstr(&v));
	}
	buf_append_byte(&out, '\n');
	render_text(r, &out);
	if (r->natt > 0)
		buf_append_str(&out, "\nAttachments (hafen attachment ID N [PATH]):\n");
	for (size_t i = 0; i < r->natt; i++)
		buf_printf(&out, "  [%zu] %s (%s, %llu bytes)\n", i + 1, r->att[i].filename,
			   r->att[i].type, (unsigned long long)r->att[i].size);
	buf_free(&v);
	cli_print(&out);
	(void)cid;
}

static void print_json(const struct render *r, int64_t cid)
{
	struct buf out = BUF_INIT, v = BUF_INIT;

	buf_printf(&out, "{\"id\":%lld", (long long)cid);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		buf_reset(&v);
		render_header(r, shown[i], &v);
		buf_printf(&out, ",\"%c%s\":", shown[i][0] + 32, shown[i] + 1);
		cli_json_str(&out, buf_cstr(&v));
	}
	buf_reset(&v);
	render_text(r, &v);
	buf_append_str(&out, ",\"text\":");
	cli_json_str(&out, buf_cstr(&v));
	buf_append_str(&out, ",\"attachments\":[");
	for (size_t i = 0; i < r->natt; i++) {
		buf_printf(&out, "%s{\"n\":%zu,\"filename\":", i ? "," : "", i + 1);
		cli_json_str(&out, r->att[i].filename);
		buf_append_str(&out, ",\"type\":");
		cli_json_str(&out, r->att[i].type);
		buf_printf(&out, ",\"size\":%llu}", (unsigned long long)r->att[i].size);
	}
	buf_append_str(&out, "]}\n");
	buf_free(&v);
	cli_print(&out);
}

int cmd_read(struct cli *cli, int argc, char **argv)
{
	struct store_client_msg m;
	struct buf data = BUF_INIT;
	struct render r;
	bool mark = true;
	int ret;

	if (argc == 3 && strcmp(argv[2], "--no-mark") == 0)
		mark = false;
	else if (argc != 2)
		return cli_usage("read ID [--no-mark]");
	if (cli_store(cli) == NULL || cli_find_message(cli, argv[1], &m) != CLI_OK)
		return CLI_ERROR;
	ret = cli_message_body(cli, &m, &data);
	if (ret == CLI_OK) {
		render_open(&r, data.data, data.len);
		if (cli->json)
			print_json(&r, m.cid);
		else
			print_text(cli, &r, m.cid);
		render_close(&r);
		fflush(stdout);
	}
	if (ret == CLI_OK && mark && !(m.flags & STORE_FLAG_SEEN)) {
		if (store_client_local_flags(cli->store, m.mailbox_id, m.uid, STORE_FLAG_SEEN, 0,
					     NULL, NULL, true) != STORE_OK)
			ret = cli_error("local cache: %s", store_last_error(cli->store));
		else
			cli_push(cli, NULL);
	}
	buf_free(&data);
	store_client_msg_clear(&m);
	return ret;
}
