/* cli.h — what every hafen subcommand shares: the global options, the
 * chosen account, its local cache, and the connection, opened lazily.
 *
 * Online and offline: cli_online() connects once per run. When the
 * server cannot be reached (or --offline was given) it says so on stderr
 * once and returns NULL, and the command works from the cache; changes
 * are journalled and replayed by the next command that gets online
 * (cli_push) or by "hafen sync". */
#ifndef HAFEN_CLIENT_CLI_H
#define HAFEN_CLIENT_CLI_H

#include "client/account/account.h"
#include "client/sync/sync.h"
#include "lib/buf.h"
#include "lib/err.h"

#include <stdbool.h>
#include <stdint.h>

struct cli {
	/* global options */
	const char *config_override;
	const char *account_name;
	bool json;
	bool offline;
	bool trace;
	bool progress;
	/* loaded on demand */
	char *config_path;
	struct account_list accounts;
	bool accounts_loaded;
	struct account *acct;
	struct store *store;
	struct imapc *imapc;
	struct sync *sync;
	bool connect_tried;
	bool connect_refused; /* reached, but refused us: not an offline case */
};

/* Exit codes. */
#define CLI_OK    0
#define CLI_ERROR 1
#define CLI_USAGE 2

typedef int cli_cmd_fn(struct cli *cli, int argc, char **argv);

/* "hafen: ..." on stderr; returns CLI_ERROR. */
int cli_error(const char *fmt, ...) HF_PRINTF(1, 2);
int cli_usage(const char *usage);

/* The configuration file read, and the account picked (--account, the
 * command's ACCOUNT argument, "default =", or the first). */
int cli_load_accounts(struct cli *cli);
struct account *cli_account(struct cli *cli);
/* The account's local cache, opened (and created) on first use. */
struct store *cli_store(struct cli *cli);
/* Connect now (cli->imapc, cli->sync). -1 with *error_r; *offline_r
 * tells an unreachable server from a refusal. */
int cli_connect(struct cli *cli, bool *offline_r, const char **error_r);
void cli_disconnect(struct cli *cli);
/* A sync handle on a live connection, or NULL when offline (said once).
 * The first connection of a run replays the journal before anything else. */
struct sync *cli_online(struct cli *cli);
/* When online, bring one folder up to date (and the folder list when the
 * folder is not known yet); otherwise do nothing. */
void cli_refresh_folder(struct cli *cli, const char *folder);
/* Replay the journal when online; say what happened to the user's change
 * (what NULL: say nothing unless it stays queued). */
void cli_push(struct cli *cli, const char *what);
void cli_close(struct cli *cli);

/* Parse "N" as an unsigned number; false when it is not one. */
bool cli_parse_u32(const char *s, uint32_t *v_r);
/* A message by its id as "hafen list" shows it. */
int cli_find_message(struct cli *cli, const char *id, struct store_client_msg *m_r);
/* The whole text of m into out, downloading the body first when it is
 * not cached (online only). CLI_OK, or CLI_ERROR after saying why. */
int cli_message_body(struct cli *cli, const struct store_client_msg *m, struct buf *out);
/* The local folder name for what the user typed (INBOX in any case). */
char *cli_folder_name(const char *name);

/* outbox.c: the folder with this special use, else fallback (created
 * and journalled when missing); malloc'ed, NULL after saying why. */
char *cli_special_folder(struct cli *cli, unsigned use, const char *fallback);
/* Queue msg for SMTP and its copy for Sent; replayed at once when online. */
int cli_queue_send(struct cli *cli, const struct buf *msg);
/* Save msg as a draft. */
int cli_save_draft(struct cli *cli, const struct buf *msg);

/* JSON string to out (quotes and escapes included; invalid UTF-8 is
 * replaced, control characters escaped). */
void cli_json_str(struct buf *out, const char *s);
/* Print and free out. */
void cli_print(struct buf *out);

/* The subcommands (one file each under cli/). */
int cmd_account(struct cli *cli, int argc, char **argv);
int cmd_sync(struct cli *cli, int argc, char **argv);
int cmd_folders(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_read(struct cli *cli, int argc, char **argv);
int cmd_attachment(struct cli *cli, int argc, char **argv);
int cmd_flag(struct cli *cli, int argc, char **argv);
int cmd_move(struct cli *cli, int argc, char **argv);
int cmd_delete(struct cli *cli, int argc, char **argv);
int cmd_search(struct cli *cli, int argc, char **argv);
int cmd_mkdir(struct cli *cli, int argc, char **argv);
int cmd_rmdir(struct cli *cli, int argc, char **argv);
int cmd_rename(struct cli *cli, int argc, char **argv);
int cmd_compose(struct cli *cli, int argc, char **argv);
int cmd_reply(struct cli *cli, int argc, char **argv);
int cmd_forward(struct cli *cli, int argc, char **argv);
int cmd_send(struct cli *cli, int argc, char **argv);
int cmd_watch(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);

#endif
