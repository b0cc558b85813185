/* main.c — hafend: the IMAP server and its administration commands. */
#include "admin/admin.h"
#include "lib/log.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"serve", admin_serve,
	 "serve [-c FILE] [--data DIR] [--listen PROTO=ADDR:PORT]... [--workers N] [--syslog]"},
	{"user", admin_user, "user add|passwd|del|list|quota --data DIR [NAME] [--hash]"},
	{"check", admin_check, "check --data DIR [--repair] [USER]"},
	{"imap", admin_imap, "imap --stdio --data DIR --user NAME"},
	{"deliver", admin_deliver,
	 "deliver --data DIR [-f SENDER] [-a ADDRESS] [-m MAILBOX] USER < message"},
	{"import", admin_import,
	 "import --data DIR USER maildir|mbox PATH [--mbox-format mboxrd|mboxo]"},
	{"export", admin_export,
	 "export --data DIR USER --format maildir|mbox PATH [--utf8-names]"},
	{"config", admin_config, "config [-c FILE] [--data DIR]"},
};

static int usage(FILE *out, int code)
{
	fprintf(out, "usage: hafend COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  hafend %s\n", commands[i].help);
	fprintf(out, "\nEvery command takes -c FILE (config) and --data DIR. See docs/admin.md.\n");
	return code;
}

int main(int argc, char **argv)
{
	log_set_ident("hafend");
	if (argc < 2)
		return usage(stderr, 64);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "hafend: unknown command \"%s\"\n", argv[1]);
	return usage(stderr, 64);
}
