/* cmd-account.c — hafen account add|list|del: the accounts in the
 * configuration file. Passwords are never written there. */
#include "cli.h"

#include "lib/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char add_usage[] =
	"account add NAME --host HOST [--port N] [--tls implicit|starttls|none] --user USER\n"
	"       [--password-command CMD] [--ca-file FILE] [--insecure]\n"
	"       [--bodies none|all|recent:Nd] [--from ADDRESS]\n"
	"       [--smtp-host HOST] [--smtp-port N] [--smtp-tls implicit|starttls|none]"
	" [--smtp-user USER] [--ignore-caps \"CAP ...\"]";

/* Command-line option -> configuration key. */
static const struct {
	const char *option, *key;
} add_options[] = {
	{"--host", "host"},
	{"--port", "port"},
	{"--tls", "tls"},
	{"--user", "user"},
	{"--password-command", "password_command"},
	{"--ca-file", "ca_file"},
	{"--bodies", "bodies"},
	{"--from", "from"},
	{"--smtp-host", "smtp_host"},
	{"--smtp-port", "smtp_port"},
	{"--smtp-tls", "smtp_tls"},
	{"--smtp-user", "smtp_user"},
	{"--ignore-caps", "ignore_caps"},
};

static int parse_add(struct account *a, int argc, char **argv)
{
	const char *err;

	for (int i = 2; i < argc; i++) {
		size_t k;

		if (strcmp(argv[i], "--insecure") == 0) {
			a->insecure = true;
			continue;
		}
		for (k = 0; k < sizeof(add_options) / sizeof(add_options[0]); k++)
			if (strcmp(argv[i], add_options[k].option) == 0)
				break;
		if (k == sizeof(add_options) / sizeof(add_options[0]) || i + 1 >= argc)
			return cli_usage(add_usage);
		if (account_set(a, add_options[k].key, argv[++i], &err) < 0)
			return cli_error("%s", err);
	}
	if (a->host == NULL || a->user == NULL)
		return cli_usage(add_usage);
	return CLI_OK;
}

static int account_add(struct cli *cli, int argc, char **argv)
{
	struct account a = {0};
	const char *err;
	int ret;

	if (argc < 2 || !account_name_valid(argv[1]))
		return argc < 2 ? cli_usage(add_usage)
				: cli_error("bad account name \"%s\" (letters, digits, . _ -)",
					    argv[1]);
	a.name = xstrdup(argv[1]);
	a.tls = a.smtp_tls = IMAPC_TLS_IMPLICIT;
	ret = parse_add(&a, argc, argv);
	if (ret == CLI_OK && a.tls == IMAPC_TLS_NONE)
		fprintf(stderr, "hafen: tls none: allowed only to a server on this machine\n");
	if (ret == CLI_OK && account_list_add(&cli->accounts, &a, &err) < 0)
		ret = cli_error("%s", err);
	if (ret == CLI_OK && account_list_write(cli->config_path, &cli->accounts, &err) < 0)
		ret = cli_error("%s", err);
	if (ret == CLI_OK && !cli->json)
		printf("added account %s to %s\n", argv[1], cli->config_path);
	account_clear(&a);
	return ret;
}

static void list_json(const struct account_list *l, struct buf *out)
{
	char tmp[32];

	buf_append_byte(out, '[');
	for (size_t i = 0; i < l->count; i++) {
		const struct account *a = &l->items[i];

		buf_append_str(out, i ? ",{\"name\":" : "{\"name\":");
		cli_json_str(out, a->name);
		buf_append_str(out, ",\"host\":");
		cli_json_str(out, a->host);
		buf_printf(out, ",\"port\":%u,\"tls\":", account_imap_port(a));
		cli_json_str(out, account_tls_name(a->tls));
		buf_append_str(out, ",\"user\":");
		cli_json_str(out, a->user);
		buf_append_str(out, ",\"bodies\":");
		cli_json_str(out, account_bodies_name(a, tmp, sizeof(tmp)));
		buf_append_str(out, ",\"smtp_host\":");
		if (a->smtp_host)
			cli_json_str(out, a->smtp_host);
		else
			buf_append_str(out, "null");
		buf_printf(out, ",\"default\":%s}",
			   a == account_find((struct account_list *)l, NULL) ? "true" : "false");
	}
	buf_append_str(out, "]\n");
}

static int account_list(struct cli *cli)
{
	struct account_list *l = &cli->accounts;
	struct buf out = BUF_INIT;
	char tmp[32];

	if (cli->json) {
		list_json(l, &out);
	} else if (l->count == 0) {
		buf_printf(&out, "no accounts in %s\n", cli->config_path);
	}
	for (size_t i = 0; !cli->json && i < l->count; i++) {
		const struct account *a = &l->items[i];

		buf_printf(&out, "%s%s  %s@%s:%u (%s), bodies %s%s%s\n", a->name,
			   a == account_find(l, NULL) ? " (default)" : "", a->user, a->host,
			   account_imap_port(a), account_tls_name(a->tls),
			   account_bodies_name(a, tmp, sizeof(tmp)), a->smtp_host ? ", smtp " : "",
			   a->smtp_host ? a->smtp_host : "");
	}
	cli_print(&out);
	return CLI_OK;
}

/* rm -r of the account's cache directory (our own files only). */
static int remove_tree(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return unlinkat(parent, name, 0);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)remove_tree(dirfd(d), de->d_name);
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR);
}

static int account_del(struct cli *cli, int argc, char **argv)
{
	const char *err;
	char *dir;
	int ret;

	if (argc != 2)
		return cli_usage("account del NAME");
	if (account_list_del(&cli->accounts, argv[1], &err) < 0)
		return cli_error("%s", err);
	if (account_list_write(cli->config_path, &cli->accounts, &err) < 0)
		return cli_error("%s", err);
	dir = account_data_dir(argv[1]);
	ret = remove_tree(AT_FDCWD, dir);
	if (!cli->json)
		printf("removed account %s%s%s\n", argv[1], ret == 0 ? " and its local cache " : "",
		       ret == 0 ? dir : "");
	free(dir);
	return CLI_OK;
}

int cmd_account(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("account add|list|del ...");
	if (cli_load_accounts(cli) < 0)
		return CLI_ERROR;
	if (strcmp(argv[1], "add") == 0)
		return account_add(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return account_list(cli);
	if (strcmp(argv[1], "del") == 0)
		return account_del(cli, argc - 1, argv + 1);
	return cli_usage("account add|list|del ...");
}
