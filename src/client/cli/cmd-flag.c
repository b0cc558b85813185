/* cmd-flag.c — hafen flag ID [+|-]FLAG...: set (+, the default) or clear
 * (-) flags: seen (read), answered (replied), flagged (star), deleted,
 * draft, or any keyword. Journalled, and sent at once when online. */
#include "cli.h"

#include "lib/istring.h"
#include "lib/str.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned flag;
} names[] = {
	{"seen", STORE_FLAG_SEEN},         {"read", STORE_FLAG_SEEN},
	{"answered", STORE_FLAG_ANSWERED}, {"replied", STORE_FLAG_ANSWERED},
	{"flagged", STORE_FLAG_FLAGGED},   {"flag", STORE_FLAG_FLAGGED},
	{"star", STORE_FLAG_FLAGGED},      {"deleted", STORE_FLAG_DELETED},
	{"draft", STORE_FLAG_DRAFT},
};

static bool keyword_valid(const char *k)
{
	if (k[0] == '\0' || k[0] == '\\' || strlen(k) > 200)
		return false;
	for (const char *p = k; *p != '\0'; p++)
		if (!istring_is_atom_char((unsigned char)*p))
			return false;
	return true;
}

/* Parse one argument into the masks and keyword lists. */
static int parse_one(const char *arg, unsigned *add, unsigned *remove, struct buf *kw_add,
		     struct buf *kw_remove)
{
	bool minus = arg[0] == '-';
	const char *name = (arg[0] == '+' || arg[0] == '-') ? arg + 1 : arg;
	struct buf *kw = minus ? kw_remove : kw_add;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (str_casecmp(name, names[i].name) == 0 ||
		    (name[0] == '\\' && str_casecmp(name + 1, names[i].name) == 0)) {
			*(minus ? remove : add) |= names[i].flag;
			return CLI_OK;
		}
	}
	if (!keyword_valid(name))
		return cli_error("\"%s\" is not a flag or keyword", name);
	if (kw->len > 0)
		buf_append_byte(kw, ' ');
	buf_append_str(kw, name);
	return CLI_OK;
}

int cmd_flag(struct cli *cli, int argc, char **argv)
{
	struct buf kw_add = BUF_INIT, kw_remove = BUF_INIT;
	struct store_client_msg m;
	unsigned add = 0, remove = 0;
	int ret = CLI_OK;

	if (argc < 3)
		return cli_usage(
			"flag ID [+|-]FLAG... (seen, answered, flagged, deleted, draft, or a"
			" keyword)");
	for (int i = 2; i < argc && ret == CLI_OK; i++)
		ret = parse_one(argv[i], &add, &remove, &kw_add, &kw_remove);
	if (ret == CLI_OK &&
	    (cli_store(cli) == NULL || cli_find_message(cli, argv[1], &m) != CLI_OK))
		ret = CLI_ERROR;
	if (ret == CLI_OK) {
		if (store_client_local_flags(cli->store, m.mailbox_id, m.uid, add, remove,
					     buf_cstr(&kw_add), buf_cstr(&kw_remove),
					     true) != STORE_OK)
			ret = cli_error("local cache: %s", store_last_error(cli->store));
		else
			cli_push(cli, "flags changed");
		store_client_msg_clear(&m);
	}
	buf_free(&kw_add);
	buf_free(&kw_remove);
	return ret;
}
