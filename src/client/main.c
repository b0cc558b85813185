/* main.c — hafen, the mail client: global options and the subcommand
 * table (one file per subcommand under cli/). */
#include "cli/cli.h"

#include "lib/log.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	cli_cmd_fn *fn;
	const char *help;
} commands[] = {
	{"account", cmd_account, "add|list|del     manage accounts"},
	{"sync", cmd_sync, "[ACCOUNT]         two-way sync with the server"},
	{"folders", cmd_folders, "                  folders with unread/total counts"},
	{"list", cmd_list, "[FOLDER]          messages of a folder"},
	{"read", cmd_read, "ID                show a message (and mark it read)"},
	{"attachment", cmd_attachment, "ID N [PATH]       save an attachment"},
	{"flag", cmd_flag, "ID [+|-]FLAG...   change flags"},
	{"move", cmd_move, "ID FOLDER         move a message"},
	{"delete", cmd_delete, "ID [--expunge]    move to Trash (or remove for good)"},
	{"search", cmd_search, "QUERY...          search (server when online, cache offline)"},
	{"mkdir", cmd_mkdir, "FOLDER            create a folder"},
	{"rmdir", cmd_rmdir, "FOLDER            delete a folder"},
	{"rename", cmd_rename, "FROM TO           rename a folder"},
	{"compose", cmd_compose, "                  write a new message"},
	{"reply", cmd_reply, "ID [--all]        reply to a message"},
	{"forward", cmd_forward, "ID                forward a message"},
	{"send", cmd_send, "FILE|-            send a message file"},
	{"watch", cmd_watch, "[ACCOUNT]         print a line for each new message"},
	{"status", cmd_status, "                  pending changes and last sync"},
};

static void help(FILE *out)
{
	fputs("usage: hafen [--config FILE] [--account NAME] [--json] [--offline] [--trace]"
	      " COMMAND [ARGS]\n\ncommands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].help);
	fputs("\nSee docs/client.md for the configuration file and every option.\n", out);
}

/* Global options may come before or after the command; they are taken
 * out of argv, which keeps the rest in order. Returns the new argc, or -1
 * on a missing option argument. */
static int take_global_options(struct cli *cli, int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			cli->json = true;
		} else if (strcmp(a, "--offline") == 0) {
			cli->offline = true;
		} else if (strcmp(a, "--trace") == 0) {
			cli->trace = true;
		} else if (strcmp(a, "--config") == 0 || strcmp(a, "--account") == 0 ||
			   strcmp(a, "-a") == 0) {
			if (i + 1 >= argc)
				return -1;
			if (strcmp(a, "--config") == 0)
				cli->config_override = argv[++i];
			else
				cli->account_name = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	int ret = CLI_USAGE;

	signal(SIGPIPE, SIG_IGN);
	log_set_ident("hafen");
	log_set_level(LOG_LEVEL_WARN);
	argc = take_global_options(&cli, argc, argv);
	if (argc < 0) {
		help(stderr);
		return CLI_USAGE;
	}
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	cli.progress = isatty(STDERR_FILENO) && !cli.json;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			ret = commands[i].fn(&cli, argc - 1, argv + 1);
			break;
		}
		if (i + 1 == sizeof(commands) / sizeof(commands[0])) {
			fprintf(stderr, "hafen: unknown command \"%s\"\n", argv[1]);
			help(stderr);
		}
	}
	cli_close(&cli);
	curl_global_cleanup();
	return ret;
}
