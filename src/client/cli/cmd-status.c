/* cmd-status.c — hafen status: the changes waiting in the journal (with
 * why a kept one failed) and when each folder was last synced. Never
 * connects. */
#include "cli.h"

#include "lib/arena.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void when(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0) {
		snprintf(buf, size, "never");
		return;
	}
	localtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

struct status_ctx {
	struct cli *cli;
	struct buf *out;
	int64_t last_sync;
	size_t n;
};

static int folder_cb(void *ctx, const struct store_client_folder *f)
{
	struct status_ctx *sc = ctx;
	char t[32];

	if (f->synced_at > sc->last_sync)
		sc->last_sync = f->synced_at;
	when(f->synced_at, t, sizeof(t));
	if (sc->cli->json) {
		buf_append_str(sc->out, sc->n++ ? ",{\"name\":" : "{\"name\":");
		cli_json_str(sc->out, f->name);
		buf_printf(sc->out, ",\"synced_at\":%lld,\"uidvalidity\":%u,\"messages\":%u}",
			   (long long)f->synced_at, f->uidvalidity, f->messages);
	} else {
		buf_printf(sc->out, "  %-30s last synced %s\n", f->name, t);
	}
	return 0;
}

static void entry_line(struct cli *cli, struct buf *out, const struct store_journal_entry *e,
		       size_t n)
{
	if (cli->json) {
		buf_printf(out, "%s{\"id\":%lld,\"kind\":\"%s\",\"folder\":", n ? "," : "",
			   (long long)e->id, store_journal_kind_name(e->kind));
		cli_json_str(out, e->mailbox);
		buf_printf(out, ",\"message\":%lld,\"target\":", (long long)e->cid);
		if (e->target != NULL)
			cli_json_str(out, e->target);
		else
			buf_append_str(out, "null");
		buf_printf(out, ",\"attempts\":%u,\"error\":", e->attempts);
		if (e->last_error != NULL)
			cli_json_str(out, e->last_error);
		else
			buf_append_str(out, "null");
		buf_append_byte(out, '}');
		return;
	}
	buf_printf(out, "  #%lld %-7s %s", (long long)e->id, store_journal_kind_name(e->kind),
		   e->mailbox);
	if (e->target != NULL)
		buf_printf(out, " -> %s", e->target);
	if (e->cid != 0)
		buf_printf(out, " (message %lld)", (long long)e->cid);
	if (e->attempts > 0)
		buf_printf(out, ", failed %u time%s: %s", e->attempts, e->attempts == 1 ? "" : "s",
			   e->last_error ? e->last_error : "");
	buf_append_byte(out, '\n');
}

static int journal(struct cli *cli, struct buf *out, size_t *count_r)
{
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	int64_t after = 0;
	int r;

	*count_r = 0;
	while ((r = store_client_journal_next(cli->store, after, a, &e)) == 1) {
		entry_line(cli, out, &e, (*count_r)++);
		after = e.id;
		arena_clear(a);
	}
	arena_free(&a);
	return r;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct buf out = BUF_INIT, folders = BUF_INIT;
	struct status_ctx sc = {cli, &folders, 0, 0};
	size_t pending = 0;
	char t[32];

	if (argc > 1)
		return cli_usage("status");
	if (cli_store(cli) == NULL)
		return CLI_ERROR;
	if (cli->json)
		buf_append_str(&out, "{\"pending\":[");
	if (journal(cli, &out, &pending) < 0 ||
	    store_client_folder_list(cli->store, folder_cb, &sc) != STORE_OK) {
		buf_free(&out);
		buf_free(&folders);
		return cli_error("local cache: %s", store_last_error(cli->store));
	}
	when(sc.last_sync, t, sizeof(t));
	if (cli->json) {
		buf_printf(&out, "],\"account\":");
		cli_json_str(&out, cli->acct->name);
		buf_printf(&out, ",\"last_sync\":%lld,\"folders\":[%s]}\n", (long long)sc.last_sync,
			   buf_cstr(&folders));
	} else {
		struct buf head = BUF_INIT;

		buf_printf(&head, "account %s (%s@%s), last sync %s\n%zu pending change%s%s\n",
			   cli->acct->name, cli->acct->user, cli->acct->host, t, pending,
			   pending == 1 ? "" : "s", pending ? ":" : "");
		buf_append(&head, out.data, out.len);
		buf_printf(&head, "folders:\n%s", buf_cstr(&folders));
		buf_free(&out);
		out = head;
	}
	buf_free(&folders);
	cli_print(&out);
	return CLI_OK;
}
