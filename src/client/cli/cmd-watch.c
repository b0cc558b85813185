/* cmd-watch.c — hafen watch [ACCOUNT] [--folder F] [--count N]
 * [--timeout SECONDS]: IDLE on a folder (INBOX by default) and print one
 * line per new message as it arrives (its headers go to the cache on the
 * way). A lost connection is retried with exponential backoff, 1 s up to
 * 5 minutes. --count and --timeout end the watch (for scripts). */
#include "cli.h"
#include "summary.h"

#include "lib/mem.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WATCH_BACKOFF_MAX 300

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct watch {
	struct cli *cli;
	char *folder;
	uint32_t count, printed;
	time_t deadline;
	bool new_mail;
	uint32_t next_uid; /* print messages from this UID on */
};

static void watch_untagged(void *ctx, const struct imap_response *resp)
{
	struct watch *w = ctx;

	if (resp->kind == IMAP_RESP_EXISTS)
		w->new_mail = true;
}

static bool done(const struct watch *w)
{
	return stop_requested || (w->count > 0 && w->printed >= w->count) ||
	       (w->deadline != 0 && time(NULL) >= w->deadline);
}

/* Sync the folder and print what arrived since next_uid. */
static int catch_up(struct watch *w, bool print)
{
	struct store_client_folder f;
	struct rangeset uids = RANGESET_INIT;
	struct summary *v = NULL;
	struct buf out = BUF_INIT;
	const char *err;
	size_t n = 0;

	if (sync_folder(w->cli->sync, w->folder, &err) < 0)
		return cli_error("%s", err);
	if (print && w->next_uid > 0)
		rangeset_add_range(&uids, w->next_uid, STORE_CLIENT_PLACEHOLDER_MIN - 1);
	if (print && w->next_uid > 0 &&
	    summary_list(w->cli->store, w->folder, &uids, &v, &n) == STORE_OK) {
		summary_sort(v, n, false);
		for (size_t i = 0; i < n && !(w->count > 0 && w->printed >= w->count); i++) {
			if (w->cli->json) {
				summary_json(&out, &v[i]);
				buf_append_byte(&out, '\n');
			} else {
				summary_line(&out, &v[i], false);
			}
			w->printed++;
		}
		cli_print(&out);
		fflush(stdout);
		summary_free_all(v, n);
	}
	rangeset_free(&uids);
	if (store_client_folder_get(w->cli->store, w->folder, &f) == STORE_OK) {
		w->next_uid = f.uidnext;
		store_client_folder_clear(&f);
	}
	return CLI_OK;
}

/* One connection's life: catch up, then IDLE until mail or trouble. */
static int watch_connected(struct watch *w, bool first)
{
	const char *err;

	if (first && sync_folders(w->cli->sync, NULL, NULL, &err) < 0)
		return cli_error("%s", err);
	if (catch_up(w, !first) != CLI_OK)
		return CLI_ERROR;
	imapc_set_handler(w->cli->imapc, watch_untagged, w);
	while (!done(w) && imapc_is_connected(w->cli->imapc)) {
		w->new_mail = false;
		/* The sync may have found nothing to do and opened nothing. */
		if (sync_open(w->cli->sync, w->folder, &err) < 0)
			return cli_error("%s", err);
		if (imapc_idle_start(w->cli->imapc, &err) < 0)
			return cli_error("%s", err);
		while (!w->new_mail && !done(w) && imapc_idling(w->cli->imapc))
			imapc_poll(w->cli->imapc, 1000);
		if (imapc_is_connected(w->cli->imapc) && imapc_idle_stop(w->cli->imapc, &err) < 0)
			return cli_error("%s", err);
		if (w->new_mail && catch_up(w, true) != CLI_OK)
			return CLI_ERROR;
	}
	return imapc_is_connected(w->cli->imapc) ? CLI_OK : CLI_ERROR;
}

static void backoff_sleep(struct watch *w, unsigned seconds)
{
	for (unsigned i = 0; i < seconds && !done(w); i++)
		sleep(1);
}

int cmd_watch(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "watch [ACCOUNT] [--folder F] [--count N] [--timeout SECONDS]";
	struct watch w = {.cli = cli};
	uint32_t timeout = 0;
	unsigned backoff = 1;
	bool first = true;
	int ret = CLI_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--folder") == 0 && i + 1 < argc) {
			free(w.folder);
			w.folder = cli_folder_name(argv[++i]);
		} else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			if (!cli_parse_u32(argv[++i], &w.count))
				return cli_usage(usage);
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			if (!cli_parse_u32(argv[++i], &timeout))
				return cli_usage(usage);
		} else if (argv[i][0] != '-' && cli->account_name == NULL) {
			cli->account_name = argv[i];
		} else {
			return cli_usage(usage);
		}
	}
	if (w.folder == NULL)
		w.folder = xstrdup("INBOX");
	w.deadline = timeout ? time(NULL) + timeout : 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (cli_store(cli) == NULL) {
		free(w.folder);
		return CLI_ERROR;
	}
	while (!done(&w)) {
		const char *err;
		bool offline;

		if (cli_connect(cli, &offline, &err) < 0) {
			fprintf(stderr, "hafen: %s; trying again in %u s\n", err, backoff);
		} else {
			backoff = 1;
			(void)sync_replay(cli->sync, &err);
			if (watch_connected(&w, first) == CLI_OK || done(&w)) {
				cli_disconnect(cli);
				break;
			}
			first = false;
			fprintf(stderr, "hafen: connection lost; reconnecting in %u s\n", backoff);
		}
		cli_disconnect(cli);
		backoff_sleep(&w, backoff);
		backoff = backoff * 2 > WATCH_BACKOFF_MAX ? WATCH_BACKOFF_MAX : backoff * 2;
	}
	free(w.folder);
	return ret;
}
