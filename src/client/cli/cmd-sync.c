/* cmd-sync.c — hafen sync [ACCOUNT] [--folder F] [--no-bodies]: the
 * two-way sync of sync.h, with a summary of what changed. */
#include "cli.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

static void summary(struct cli *cli, const struct sync_stats *st, bool ok)
{
	struct buf out = BUF_INIT;

	if (cli->json) {
		buf_printf(&out,
			   "{\"ok\":%s,\"folders\":%u,\"folders_new\":%u,\"folders_gone\":%u,"
			   "\"folders_renamed\":%u,\"added\":%llu,\"expunged\":%llu,"
			   "\"flags_changed\":%llu,\"bodies\":%llu,\"replayed\":%u,"
			   "\"replay_failed\":%u,\"dropped\":%u,\"uidvalidity_resets\":%u}\n",
			   ok ? "true" : "false", st->folders, st->folders_new, st->folders_gone,
			   st->folders_renamed, (unsigned long long)st->added,
			   (unsigned long long)st->expunged, (unsigned long long)st->flags_changed,
			   (unsigned long long)st->bodies, st->replayed, st->replay_failed,
			   st->dropped, st->uidvalidity_resets);
	} else {
		buf_printf(&out,
			   "%s %u folder%s: %llu new, %llu removed, %llu flag change%s, %llu"
			   " bod%s; %u local change%s sent",
			   ok ? "synced" : "partly synced", st->folders,
			   st->folders == 1 ? "" : "s", (unsigned long long)st->added,
			   (unsigned long long)st->expunged, (unsigned long long)st->flags_changed,
			   st->flags_changed == 1 ? "" : "s", (unsigned long long)st->bodies,
			   st->bodies == 1 ? "y" : "ies", st->replayed,
			   st->replayed == 1 ? "" : "s");
		if (st->replay_failed > 0)
			buf_printf(&out, ", %u kept (see hafen status)", st->replay_failed);
		buf_append_byte(&out, '\n');
	}
	cli_print(&out);
}

int cmd_sync(struct cli *cli, int argc, char **argv)
{
	struct sync *s;
	const char *err;
	char *folder = NULL;
	int ret = CLI_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--folder") == 0 && i + 1 < argc)
			folder = cli_folder_name(argv[++i]);
		else if (strcmp(argv[i], "--no-bodies") == 0)
			continue;
		else if (argv[i][0] != '-' && cli->account_name == NULL)
			cli->account_name = argv[i];
		else {
			free(folder);
			return cli_usage("sync [ACCOUNT] [--folder FOLDER] [--no-bodies]");
		}
	}
	s = cli_online(cli);
	if (s == NULL) {
		free(folder);
		return CLI_ERROR; /* cli_online said why */
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--no-bodies") == 0)
			sync_options(s)->no_bodies = true;
	sync_options(s)->folder = folder;
	if (sync_run(s, &err) < 0)
		ret = cli_error("sync stopped: %s", err);
	summary(cli, sync_stats(s), ret == CLI_OK);
	free(folder);
	return ret;
}
