/* cmd-list.c — hafen list [FOLDER] [--unread] [--limit N] [--threads]:
 * one line per message from the cache, brought up to date first when the
 * server is reachable. */
#include "cli.h"
#include "summary.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "list [FOLDER] [--unread] [--limit N] [--threads]";

static void print(struct cli *cli, const struct summary *v, size_t n, size_t from)
{
	struct buf out = BUF_INIT;

	if (cli->json)
		buf_append_byte(&out, '[');
	for (size_t i = from; i < n; i++) {
		if (cli->json) {
			if (i > from)
				buf_append_byte(&out, ',');
			summary_json(&out, &v[i]);
		} else {
			summary_line(&out, &v[i], false);
		}
	}
	if (cli->json)
		buf_append_str(&out, "]\n");
	cli_print(&out);
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct summary *v = NULL;
	const char *folder_arg = "INBOX";
	bool unread = false, threads = false;
	uint32_t limit = 0;
	size_t n = 0, k = 0;
	char *folder;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--unread") == 0)
			unread = true;
		else if (strcmp(argv[i], "--threads") == 0)
			threads = true;
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			if (!cli_parse_u32(argv[++i], &limit))
				return cli_usage(usage);
		} else if (argv[i][0] != '-')
			folder_arg = argv[i];
		else
			return cli_usage(usage);
	}
	if (cli_store(cli) == NULL)
		return CLI_ERROR;
	folder = cli_folder_name(folder_arg);
	cli_refresh_folder(cli, folder);
	ret = summary_list(cli->store, folder, NULL, &v, &n);
	if (ret != STORE_OK) {
		ret = cli_error("%s: %s", folder,
				ret == STORE_ERR_NONEXISTENT ? "no such folder (see hafen folders)"
							     : store_last_error(cli->store));
		free(folder);
		return ret;
	}
	for (size_t i = 0; i < n; i++) {
		if (unread && (v[i].flags & STORE_FLAG_SEEN))
			summary_clear(&v[i]);
		else
			v[k++] = v[i];
	}
	summary_sort(v, k, threads);
	print(cli, v, k, limit > 0 && k > limit ? k - limit : 0);
	summary_free_all(v, k);
	free(folder);
	return CLI_OK;
}
