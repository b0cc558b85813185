/* cmd-move.c — hafen move ID FOLDER and hafen delete ID [--expunge]: the
 * message moves in the cache at once (keeping its id), the server follows
 * (UID MOVE, or COPY and expunge). delete moves to the Trash folder (the
 * one marked \Trash, else "Trash", made when missing); a message already
 * in the Trash, or --expunge, is removed for good. */
#include "cli.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

static int move_to(struct cli *cli, const struct store_client_msg *m, const char *dest)
{
	int ret = store_client_local_move(cli->store, m->mailbox_id, m->uid, dest, true, NULL);

	if (ret == STORE_ERR_NONEXISTENT)
		return cli_error("no folder %s (see hafen folders)", dest);
	if (ret != STORE_OK)
		return cli_error("%s", store_last_error(cli->store));
	return CLI_OK;
}

int cmd_move(struct cli *cli, int argc, char **argv)
{
	struct store_client_msg m;
	char *dest, what[300];
	int ret;

	if (argc != 3)
		return cli_usage("move ID FOLDER");
	if (cli_store(cli) == NULL || cli_find_message(cli, argv[1], &m) != CLI_OK)
		return CLI_ERROR;
	dest = cli_folder_name(argv[2]);
	ret = move_to(cli, &m, dest);
	if (ret == CLI_OK) {
		snprintf(what, sizeof(what), "moved to %s", dest);
		cli_push(cli, what);
	}
	free(dest);
	store_client_msg_clear(&m);
	return ret;
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	struct store_client_msg m;
	bool expunge = argc == 3 && strcmp(argv[2], "--expunge") == 0;
	struct store_mailbox mb = {0};
	char *trash = NULL;
	int ret = CLI_OK;

	if (argc != 2 && !expunge)
		return cli_usage("delete ID [--expunge]");
	if (cli_store(cli) == NULL || cli_find_message(cli, argv[1], &m) != CLI_OK)
		return CLI_ERROR;
	if (!expunge) {
		trash = cli_special_folder(cli, STORE_USE_TRASH, "Trash");
		if (trash == NULL)
			ret = CLI_ERROR;
		else if (store_mailbox_get_by_id(cli->store, m.mailbox_id, &mb) == STORE_OK &&
			 strcmp(mb.name, trash) == 0)
			expunge = true;
	}
	if (ret == CLI_OK && expunge) {
		if (store_client_local_expunge(cli->store, m.mailbox_id, m.uid, true) != STORE_OK)
			ret = cli_error("%s", store_last_error(cli->store));
		else
			cli_push(cli, "deleted for good");
	} else if (ret == CLI_OK) {
		ret = move_to(cli, &m, trash);
		if (ret == CLI_OK)
			cli_push(cli, "moved to the trash");
	}
	store_mailbox_clear(&mb);
	free(trash);
	store_client_msg_clear(&m);
	return ret;
}
