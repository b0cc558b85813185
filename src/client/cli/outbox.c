/* outbox.c — where outgoing mail goes: sending queues the message for
 * SMTP and its copy for Sent in one journalled append (replayed at once
 * when online); drafts go to Drafts. Also finds special folders. */
#include "cli.h"
#include "compose.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

struct special_find {
	unsigned use;
	char *name;
};

static int find_special(void *ctx, const struct store_client_folder *f)
{
	struct special_find *sf = ctx;

	if ((f->special_use & sf->use) && sf->name == NULL)
		sf->name = xstrdup(f->name);
	return 0;
}

char *cli_special_folder(struct cli *cli, unsigned use, const char *fallback)
{
	struct special_find sf = {use, NULL};
	struct store_mailbox mb = {0};

	(void)store_client_folder_list(cli->store, find_special, &sf);
	if (sf.name != NULL)
		return sf.name;
	if (store_mailbox_get(cli->store, fallback, &mb) == STORE_OK) {
		store_mailbox_clear(&mb);
		return xstrdup(fallback);
	}
	if (store_client_local_folder(cli->store, STORE_JOURNAL_CREATE, fallback, NULL, true) !=
	    STORE_OK) {
		cli_error("cannot create %s: %s", fallback, store_last_error(cli->store));
		return NULL;
	}
	return xstrdup(fallback);
}

int cli_save_draft(struct cli *cli, const struct buf *msg)
{
	char *folder = cli_special_folder(cli, STORE_USE_DRAFTS, "Drafts");
	int ret = folder == NULL ? CLI_ERROR : CLI_OK;

	if (ret == CLI_OK && store_client_local_append(cli->store, folder, msg->data, msg->len,
						       STORE_FLAG_SEEN | STORE_FLAG_DRAFT, NULL, 0,
						       NULL, NULL) != STORE_OK)
		ret = cli_error("%s", store_last_error(cli->store));
	if (ret == CLI_OK)
		cli_push(cli, "saved to drafts");
	free(folder);
	return ret;
}

int cli_queue_send(struct cli *cli, const struct buf *msg)
{
	struct buf out = BUF_INIT, env = BUF_INIT;
	const char *err;
	char *folder;
	int ret;

	if (cli_account(cli) == NULL)
		return CLI_ERROR;
	if (cli->acct->smtp_host == NULL)
		return cli_error("account %s has no SMTP server (hafen account add --smtp-host)",
				 cli->acct->name);
	if (compose_prepare_send(msg->data, msg->len, &out, &env, &err) < 0) {
		buf_free(&out);
		buf_free(&env);
		return cli_error("%s", err);
	}
	folder = cli_special_folder(cli, STORE_USE_SENT, "Sent");
	ret = folder == NULL ? CLI_ERROR : CLI_OK;
	if (ret == CLI_OK &&
	    store_client_local_append(cli->store, folder, out.data, out.len, STORE_FLAG_SEEN,
				      env.data, env.len, NULL, NULL) != STORE_OK)
		ret = cli_error("%s", store_last_error(cli->store));
	if (ret == CLI_OK)
		cli_push(cli, "sent");
	free(folder);
	buf_free(&out);
	buf_free(&env);
	return ret;
}
