/* cmd-folders.c — hafen folders: every folder with its unread and total
 * counts. Online the folder list is mirrored first and the counts are the
 * server's (STATUS); offline they are the cache's. */
#include "cli.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

struct folder_row {
	char *name;
	uint32_t messages, unseen;
	unsigned special_use;
	bool noselect;
};

struct folder_rows {
	struct folder_row *v;
	size_t count;
};

static struct folder_row *row_add(struct folder_rows *r, const char *name)
{
	struct folder_row *row;

	r->v = xreallocarray(r->v, r->count + 1, sizeof(*r->v));
	row = &r->v[r->count++];
	memset(row, 0, sizeof(*row));
	row->name = xstrdup(name);
	return row;
}

static struct folder_row *row_find(struct folder_rows *r, const char *name)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

static int from_cache(void *ctx, const struct store_client_folder *f)
{
	struct folder_row *row = row_add(ctx, f->name);

	row->messages = f->messages;
	row->unseen = f->unseen;
	row->special_use = f->special_use;
	row->noselect = f->noselect;
	return 0;
}

static void from_server(void *ctx, const char *name, uint32_t messages, uint32_t unseen)
{
	struct folder_row *row = row_find(ctx, name);

	if (row != NULL) {
		row->messages = messages;
		row->unseen = unseen;
	}
}

struct server_counts {
	char **names;
	uint32_t *messages, *unseen;
	size_t count;
};

static void collect_server(void *ctx, const char *name, uint32_t messages, uint32_t unseen)
{
	struct server_counts *sc = ctx;

	sc->names = xreallocarray(sc->names, sc->count + 1, sizeof(*sc->names));
	sc->messages = xreallocarray(sc->messages, sc->count + 1, sizeof(*sc->messages));
	sc->unseen = xreallocarray(sc->unseen, sc->count + 1, sizeof(*sc->unseen));
	sc->names[sc->count] = xstrdup(name);
	sc->messages[sc->count] = messages;
	sc->unseen[sc->count] = unseen;
	sc->count++;
}

static void print_rows(struct cli *cli, const struct folder_rows *r)
{
	struct buf out = BUF_INIT;

	if (cli->json)
		buf_append_byte(&out, '[');
	for (size_t i = 0; i < r->count; i++) {
		const struct folder_row *row = &r->v[i];
		struct buf use = BUF_INIT;

		store_special_use_write(row->special_use, &use);
		if (cli->json) {
			buf_append_str(&out, i ? ",{\"name\":" : "{\"name\":");
			cli_json_str(&out, row->name);
			buf_printf(&out,
				   ",\"unread\":%u,\"total\":%u,\"special_use\":", row->unseen,
				   row->messages);
			cli_json_str(&out, buf_cstr(&use));
			buf_append_byte(&out, '}');
		} else {
			buf_printf(&out, "%-30s %6u unread %7u total%s%s\n", row->name, row->unseen,
				   row->messages, use.len ? "  " : "", buf_cstr(&use));
		}
		buf_free(&use);
	}
	if (cli->json)
		buf_append_str(&out, "]\n");
	cli_print(&out);
}

int cmd_folders(struct cli *cli, int argc, char **argv)
{
	struct server_counts sc = {NULL, NULL, NULL, 0};
	struct folder_rows rows = {NULL, 0};
	struct store *store;
	struct sync *s;
	const char *err;
	int ret;

	if (argc > 1)
		return cli_usage("folders");
	store = cli_store(cli);
	if (store == NULL)
		return CLI_ERROR;
	s = cli_online(cli);
	if (s != NULL && sync_folders(s, collect_server, &sc, &err) < 0)
		fprintf(stderr, "hafen: %s; showing the local cache\n", err);
	ret = store_client_folder_list(store, from_cache, &rows);
	if (ret != STORE_OK)
		return cli_error("local cache: %s", store_last_error(store));
	for (size_t i = 0; i < sc.count; i++) {
		from_server(&rows, sc.names[i], sc.messages[i], sc.unseen[i]);
		free(sc.names[i]);
	}
	print_rows(cli, &rows);
	for (size_t i = 0; i < rows.count; i++)
		free(rows.v[i].name);
	free(rows.v);
	free(sc.names);
	free(sc.messages);
	free(sc.unseen);
	return CLI_OK;
}
