/* cmd-search.c — hafen search [--folder F] TERM...: the query language of
 * query.h, answered by the server's SEARCH when online (each folder
 * brought up to date first, so every match is in the cache to show), by
 * the cache's own search offline. */
#include "cli.h"
#include "query.h"
#include "summary.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

struct results {
	struct summary *v;
	size_t n;
};

static void add_results(struct results *r, struct summary *v, size_t n)
{
	if (n == 0) {
		free(v);
		return;
	}
	r->v = xreallocarray(r->v, r->n + n + 1, sizeof(*r->v));
	memcpy(r->v + r->n, v, n * sizeof(*v));
	r->n += n;
	free(v);
}

static int search_folder(struct cli *cli, const char *folder, const struct query *q,
			 struct results *r)
{
	struct arena *a = arena_new(0);
	struct rangeset uids = RANGESET_INIT;
	struct sync *s = cli->sync;
	struct summary *v = NULL;
	const char *err;
	size_t n = 0;
	int ret = CLI_OK;

	if (s != NULL) {
		struct imap_search_key *keys;
		size_t nkeys;

		query_to_imap(q, a, &keys, &nkeys);
		if (sync_folder(s, folder, &err) < 0 ||
		    sync_search(s, folder, keys, nkeys, &uids, &err) < 0)
			ret = cli_error("%s: %s", folder, err);
	} else {
		struct store_mailbox mb = {0};

		if (store_mailbox_get(cli->store, folder, &mb) != STORE_OK ||
		    store_search(cli->store, mb.id, query_to_store(q, a), &uids, NULL) != STORE_OK)
			ret = cli_error("%s: %s", folder, store_last_error(cli->store));
		store_mailbox_clear(&mb);
	}
	if (ret == CLI_OK && !rangeset_is_empty(&uids)) {
		if (summary_list(cli->store, folder, &uids, &v, &n) == STORE_OK)
			add_results(r, v, n);
	}
	rangeset_free(&uids);
	arena_free(&a);
	return ret;
}

static int collect_folder(void *ctx, const struct store_client_folder *f)
{
	struct buf *names = ctx;

	if (!f->noselect) {
		buf_append_str(names, f->name);
		buf_append_byte(names, '\0');
	}
	return 0;
}

static void print(struct cli *cli, const struct results *r)
{
	struct buf out = BUF_INIT;

	if (cli->json)
		buf_append_byte(&out, '[');
	for (size_t i = 0; i < r->n; i++) {
		if (cli->json) {
			if (i > 0)
				buf_append_byte(&out, ',');
			summary_json(&out, &r->v[i]);
		} else {
			summary_line(&out, &r->v[i], true);
		}
	}
	if (cli->json)
		buf_append_str(&out, "]\n");
	cli_print(&out);
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
	struct results r = {NULL, 0};
	struct buf names = BUF_INIT;
	struct query q;
	const char *err;
	char *only = NULL;
	int first = 1;

	if (argc >= 3 && strcmp(argv[1], "--folder") == 0) {
		only = cli_folder_name(argv[2]);
		first = 3;
	}
	if (argc <= first)
		return cli_usage("search [--folder F] TERM... (see docs/client.md)");
	if (query_parse(argc - first, argv + first, &q, &err) < 0) {
		free(only);
		return cli_error("%s", err);
	}
	if (q.folder != NULL && only == NULL)
		only = cli_folder_name(q.folder);
	if (cli_store(cli) == NULL) {
		query_free(&q);
		free(only);
		return CLI_ERROR;
	}
	if (cli_online(cli) != NULL && sync_folders(cli->sync, NULL, NULL, &err) < 0)
		fprintf(stderr, "hafen: %s\n", err);
	if (only != NULL) {
		buf_append_str(&names, only);
		buf_append_byte(&names, '\0');
	} else {
		(void)store_client_folder_list(cli->store, collect_folder, &names);
	}
	for (size_t off = 0; off < names.len; off += strlen((char *)names.data + off) + 1)
		(void)search_folder(cli, (char *)names.data + off, &q, &r);
	summary_sort(r.v, r.n, false);
	print(cli, &r);
	summary_free_all(r.v, r.n);
	buf_free(&names);
	query_free(&q);
	free(only);
	return CLI_OK;
}
