/* cli.c — the shared state of a hafen run (cli.h): accounts, the cache,
 * the connection and the offline rule, and small output helpers. */
#include "cli.h"

#include "imap/imap-mailbox.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hafen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERROR;
}

int cli_usage(const char *usage)
{
	fprintf(stderr, "usage: hafen %s\n", usage);
	return CLI_USAGE;
}

int cli_load_accounts(struct cli *cli)
{
	const char *err;

	if (cli->accounts_loaded)
		return 0;
	cli->config_path = account_config_path(cli->config_override);
	if (account_list_read(cli->config_path, &cli->accounts, &err) < 0) {
		cli_error("%s", err);
		return -1;
	}
	cli->accounts_loaded = true;
	return 0;
}

struct account *cli_account(struct cli *cli)
{
	if (cli->acct != NULL)
		return cli->acct;
	if (cli_load_accounts(cli) < 0)
		return NULL;
	cli->acct = account_find(&cli->accounts, cli->account_name);
	if (cli->acct == NULL) {
		if (cli->account_name != NULL)
			cli_error("no account named %s in %s", cli->account_name, cli->config_path);
		else
			cli_error("no account configured; add one with: hafen account add NAME"
				  " --host HOST --user USER");
	}
	return cli->acct;
}

struct store *cli_store(struct cli *cli)
{
	struct account *a = cli_account(cli);
	const char *err;
	char *dir;
	int ret;

	if (cli->store != NULL || a == NULL)
		return cli->store;
	dir = account_data_dir(a->name);
	ret = account_mkdirs(dir, &err);
	if (ret == 0) {
		ret = store_open(dir, STORE_OPEN_CREATE, &cli->store, &err);
		if (ret != STORE_OK)
			cli_error("cannot open the local cache %s: %s", dir, err);
		else if (store_client_init(cli->store) != STORE_OK) {
			cli_error("cannot prepare the local cache %s: %s", dir,
				  store_last_error(cli->store));
			store_close(&cli->store);
		}
	} else {
		cli_error("%s", err);
	}
	free(dir);
	return cli->store;
}

static int password_cb(void *ctx, char **password_r, const char **error_r)
{
	return account_password(ctx, password_r, error_r);
}

int cli_connect(struct cli *cli, bool *offline_r, const char **error_r)
{
	struct imapc_settings set = {0};
	struct sync_options opt = {.progress = cli->progress};
	struct account *a = cli_account(cli);

	*offline_r = false;
	if (a == NULL || cli_store(cli) == NULL) {
		*error_r = "no account or no local cache";
		return -1;
	}
	set.host = a->host;
	set.port = account_imap_port(a);
	set.tls = a->tls;
	set.user = a->user;
	set.password = password_cb;
	set.password_ctx = a;
	set.ca_file = a->ca_file;
	set.insecure = a->insecure;
	set.trace = cli->trace;
	set.ignore_caps = a->ignore_caps;
	if (imapc_connect(&set, &cli->imapc, offline_r, error_r) < 0)
		return -1;
	cli->sync = sync_new(cli->store, cli->imapc, a, &opt);
	return 0;
}

void cli_disconnect(struct cli *cli)
{
	sync_free(&cli->sync);
	imapc_free(&cli->imapc);
}

struct sync *cli_online(struct cli *cli)
{
	const char *err;
	bool offline;

	if (cli->sync != NULL || cli->connect_tried)
		return cli->sync;
	cli->connect_tried = true;
	if (cli_account(cli) == NULL || cli_store(cli) == NULL)
		return NULL;
	if (cli->offline) {
		fprintf(stderr, "hafen: offline (--offline): working from the local cache\n");
		return NULL;
	}
	if (cli_connect(cli, &offline, &err) < 0) {
		cli->connect_refused = !offline;
		/* A bad certificate or password is no network trouble: say so. */
		fprintf(stderr,
			offline ? "hafen: offline (%s): working from the local cache\n"
				: "hafen: not connected (%s); working from the local cache\n",
			err);
		return NULL;
	}
	/* Whatever was done offline goes to the server first. */
	if (sync_replay(cli->sync, &err) < 0)
		fprintf(stderr, "hafen: %s\n", err);
	return cli->sync;
}

void cli_push(struct cli *cli, const char *what)
{
	struct sync *s = cli_online(cli);
	uint64_t pending = 0;
	const char *err;

	if (s != NULL && sync_replay(s, &err) < 0)
		fprintf(stderr, "hafen: %s\n", err);
	if (cli->store != NULL)
		(void)store_client_journal_count(cli->store, &pending);
	if (pending == 0) {
		if (!cli->json && what != NULL)
			printf("%s\n", what);
	} else if (s == NULL) {
		fprintf(stderr,
			"hafen: %s%squeued for the server (%llu change%s pending, sent at"
			" the next sync)\n",
			what ? what : "", what ? " in the local cache; " : "",
			(unsigned long long)pending, pending == 1 ? "" : "s");
	} else {
		fprintf(stderr, "hafen: %s%s%llu change%s still pending (see hafen status)\n",
			what ? what : "", what ? "; " : "", (unsigned long long)pending,
			pending == 1 ? "" : "s");
	}
}

/* Bring one folder up to date (the folder list too when it is unknown). */
void cli_refresh_folder(struct cli *cli, const char *folder)
{
	struct store_client_folder f;
	struct sync *s = cli_online(cli);
	const char *err;
	bool known;

	if (s == NULL)
		return;
	known = store_client_folder_get(cli->store, folder, &f) == STORE_OK &&
		f.remote_name != NULL;
	if (known)
		store_client_folder_clear(&f);
	if ((!known && sync_folders(s, NULL, NULL, &err) < 0) || sync_folder(s, folder, &err) < 0)
		fprintf(stderr, "hafen: %s; showing the local cache\n", err);
}

void cli_close(struct cli *cli)
{
	cli_disconnect(cli);
	store_close(&cli->store);
	account_list_free(&cli->accounts);
	free(cli->config_path);
	cli->acct = NULL;
}

bool cli_parse_u32(const char *s, uint32_t *v_r)
{
	return str_to_u32(s, strlen(s), v_r);
}

int cli_find_message(struct cli *cli, const char *id, struct store_client_msg *m_r)
{
	uint64_t cid;
	int ret;

	if (!str_to_u64(id, strlen(id), INT64_MAX, &cid) || cid == 0)
		return cli_error("\"%s\" is not a message id (see hafen list)", id);
	ret = store_client_msg_by_cid(cli->store, (int64_t)cid, m_r);
	if (ret == STORE_ERR_NONEXISTENT)
		return cli_error("no message %s in the local cache (see hafen list)", id);
	if (ret != STORE_OK)
		return cli_error("local cache: %s", store_last_error(cli->store));
	return CLI_OK;
}

char *cli_folder_name(const char *name)
{
	char *p = xstrdup(name);

	imap_mailbox_inbox_normalize(p, '/');
	return p;
}

/* ---- output ---- */

void cli_json_str(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	buf_append_byte(out, '"');
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			buf_append_byte(out, '\\');
			buf_append_byte(out, *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_printf(out, "\\u%04x", *p);
		} else if (*p < 0x80) {
			buf_append_byte(out, *p);
		} else {
			size_t n = 1;

			while (p[n] >= 0x80 && p[n] < 0xc0 && n < 4)
				n++;
			if (utf8_valid(p, n))
				buf_append(out, p, n);
			else
				buf_append_str(out, "\\ufffd");
			p += n - 1;
		}
	}
	buf_append_byte(out, '"');
}

void cli_print(struct buf *out)
{
	if (out->len > 0)
		fwrite(out->data, 1, out->len, stdout);
	buf_free(out);
}
