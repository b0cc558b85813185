/* cmd-folder-ops.c — hafen mkdir FOLDER, rmdir FOLDER, rename FROM TO:
 * done in the cache at once, journalled, and sent when online. Folder
 * names use '/' as the hierarchy delimiter whatever the server uses. */
#include "cli.h"

#include "lib/mem.h"

#include <stdio.h>

static int folder_op(struct cli *cli, enum store_journal_kind kind, const char *name,
		     const char *target, const char *done)
{
	char *a = cli_folder_name(name), *b = target ? cli_folder_name(target) : NULL;
	int ret = CLI_OK;

	if (cli_store(cli) == NULL) {
		ret = CLI_ERROR;
	} else if (store_client_local_folder(cli->store, kind, a, b, true) != STORE_OK) {
		ret = cli_error("%s", store_last_error(cli->store));
	} else {
		char what[600];

		snprintf(what, sizeof(what), "%s %s%s%s", done, a, b ? " to " : "", b ? b : "");
		cli_push(cli, what);
	}
	free(a);
	free(b);
	return ret;
}

int cmd_mkdir(struct cli *cli, int argc, char **argv)
{
	if (argc != 2)
		return cli_usage("mkdir FOLDER");
	return folder_op(cli, STORE_JOURNAL_CREATE, argv[1], NULL, "created");
}

int cmd_rmdir(struct cli *cli, int argc, char **argv)
{
	if (argc != 2)
		return cli_usage("rmdir FOLDER");
	return folder_op(cli, STORE_JOURNAL_DELETE, argv[1], NULL, "deleted");
}

int cmd_rename(struct cli *cli, int argc, char **argv)
{
	if (argc != 3)
		return cli_usage("rename FROM TO");
	return folder_op(cli, STORE_JOURNAL_RENAME, argv[1], argv[2], "renamed");
}
