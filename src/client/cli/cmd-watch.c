/* cmd-watch.c — hafen watch [ACCOUNT] [--folder F] [--count N]
 * [--timeout SECONDS]: IDLE on a folder (INBOX by default) and print one
 * line per new message as it arrives (its headers go to the cache on the
 * way). Without --folder, on a server with NOTIFY (RFC 5465), new mail in
 * every other personal folder is reported too (except Sent, Drafts,
 * Trash, Junk and All). A lost connection is retried with exponential
 * backoff, 1 s up to 5 minutes. --count and --timeout end the watch. */
#include "cli.h"
#include "summary.h"

#include "lib/mem.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WATCH_BACKOFF_MAX 300
/* Folders with news remembered between two catch-ups; past this, every
 * folder is compared (memory stays bounded whatever the server sends). */
#define WATCH_CHANGED_MAX 64
/* Folders whose new mail is not news: our own copies, and the bins. */
#define WATCH_QUIET_USES                                                                           \
	(STORE_USE_SENT | STORE_USE_DRAFTS | STORE_USE_TRASH | STORE_USE_JUNK | STORE_USE_ALL)

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
	uint32_t next_uid;                /* print messages from this UID on */
	bool all_folders;                 /* no --folder: NOTIFY for the others when offered */
	bool notify;                      /* NOTIFY is set on this connection */
	char *changed[WATCH_CHANGED_MAX]; /* other folders with news (local names) */
	size_t nchanged;
	bool overflow;
};

static void changed_clear(struct watch *w)
{
	while (w->nchanged > 0)
		free(w->changed[--w->nchanged]);
	w->overflow = false;
}

/* A NOTIFY event: "* STATUS name (...)" for a mailbox not selected. */
static void note_status(struct watch *w, const char *wire)
{
	char *local = sync_local_from_wire(w->cli->sync, wire);

	if (local == NULL)
		return;
	w->new_mail = true;
	if (strcmp(local, w->folder) == 0) {
		free(local);
		return;
	}
	for (size_t i = 0; i < w->nchanged; i++) {
		if (strcmp(w->changed[i], local) == 0) {
			free(local);
			return;
		}
	}
	if (w->nchanged == WATCH_CHANGED_MAX) {
		w->overflow = true;
		free(local);
		return;
	}
	w->changed[w->nchanged++] = local;
}

static void watch_untagged(void *ctx, const struct imap_response *resp)
{
	struct watch *w = ctx;

	if (resp->kind == IMAP_RESP_EXISTS)
		w->new_mail = true;
	else if (resp->kind == IMAP_RESP_STATUS_DATA && w->notify)
		note_status(w, resp->u.status_data.mailbox);
}

static bool done(const struct watch *w)
{
	return stop_requested || (w->count > 0 && w->printed >= w->count) ||
	       (w->deadline != 0 && time(NULL) >= w->deadline);
}

/* Sync one folder, print what it has from UID from on (0: print nothing),
 * and set *uidnext_r (may be NULL) to where the next news will start. */
static int catch_up_folder(struct watch *w, const char *folder, uint32_t from, bool show_folder,
			   uint32_t *uidnext_r)
{
	struct store_client_folder f;
	struct rangeset uids = RANGESET_INIT;
	struct summary *v = NULL;
	struct buf out = BUF_INIT;
	const char *err;
	size_t n = 0;

	if (sync_folder(w->cli->sync, folder, &err) < 0)
		return cli_error("%s", err);
	if (from > 0)
		rangeset_add_range(&uids, from, STORE_CLIENT_PLACEHOLDER_MIN - 1);
	if (from > 0 && summary_list(w->cli->store, folder, &uids, &v, &n) == STORE_OK) {
		summary_sort(v, n, false);
		for (size_t i = 0; i < n && !(w->count > 0 && w->printed >= w->count); i++) {
			if (w->cli->json) {
				summary_json(&out, &v[i]);
				buf_append_byte(&out, '\n');
			} else {
				summary_line(&out, &v[i], show_folder);
			}
			w->printed++;
		}
		cli_print(&out);
		fflush(stdout);
		summary_free_all(v, n);
	}
	rangeset_free(&uids);
	if (uidnext_r != NULL && store_client_folder_get(w->cli->store, folder, &f) == STORE_OK) {
		*uidnext_r = f.uidnext;
		store_client_folder_clear(&f);
	}
	return CLI_OK;
}

static int catch_up(struct watch *w, bool print)
{
	return catch_up_folder(w, w->folder, print ? w->next_uid : 0, false, &w->next_uid);
}

/* Where a folder's news starts (its UIDNEXT as last synced); false when
 * the folder is unknown here or its mail is not news. */
static bool news_start(struct watch *w, const char *name, uint32_t *from_r, bool *known_r)
{
	struct store_client_folder f;
	bool news;

	*known_r = store_client_folder_get(w->cli->store, name, &f) == STORE_OK;
	if (!*known_r)
		return false;
	news = !f.noselect && (f.special_use & WATCH_QUIET_USES) == 0;
	*from_r = f.uidnext > 0 ? f.uidnext : 1;
	store_client_folder_clear(&f);
	return news;
}

/* Folder-wide sync steps, with NOTIFY's own STATUS events muted: their
 * LIST-STATUS would name every folder as news. */
static int quiet_sync(struct watch *w, bool full, const char **error_r)
{
	bool notify = w->notify;
	int ret;

	w->notify = false;
	ret = full ? sync_run(w->cli->sync, error_r)
		   : sync_folders(w->cli->sync, NULL, NULL, error_r);
	w->notify = notify;
	return ret;
}

/* The other folders NOTIFY named: sync each and print its new mail. A
 * folder not known here (new on the server) brings the folder list up
 * to date first, once. */
static int catch_up_others(struct watch *w)
{
	bool mirrored = false;
	const char *err;

	if (w->overflow) {
		/* Too many at once: sync everything, print nothing. */
		changed_clear(w);
		return quiet_sync(w, true, &err) < 0 ? cli_error("%s", err) : CLI_OK;
	}
	while (w->nchanged > 0 && !done(w)) {
		char *name = w->changed[--w->nchanged];
		uint32_t from = 1;
		bool known, news = news_start(w, name, &from, &known);
		int ret = CLI_OK;

		if (!known && !mirrored) {
			mirrored = true;
			if (quiet_sync(w, false, &err) < 0)
				ret = cli_error("%s", err);
			else
				news = news_start(w, name, &from, &known);
		}
		if (ret == CLI_OK && news) {
			sync_hints_clear(w->cli->sync);
			ret = catch_up_folder(w, name, from, true, NULL);
		}
		free(name);
		if (ret != CLI_OK)
			return ret;
	}
	return CLI_OK;
}

/* NOTIFY SET (selected (MessageNew MessageExpunge)) (personal (MessageNew
 * MessageExpunge)): EXISTS for the selected folder as with IDLE, STATUS
 * for the others (RFC 5465 5.2 wants MessageExpunge with MessageNew). */
static void notify_set(struct watch *w)
{
	static const struct imap_notify_event events[] = {{"MessageNew", NULL, 0},
							  {"MessageExpunge", NULL, 0}};
	const struct imap_notify_group groups[] = {
		{.filter = IMAP_NOTIFY_SELECTED, .events = events, .event_count = 2},
		{.filter = IMAP_NOTIFY_PERSONAL, .events = events, .event_count = 2},
	};
	struct imap_command cmd = {.kind = IMAP_CMD_NOTIFY};
	const char *err;
	char delim;

	w->notify = false;
	if (!w->all_folders || !imapc_has_cap(w->cli->imapc, "NOTIFY"))
		return;
	if (sync_delimiter(w->cli->sync, &delim, &err) < 0)
		return;
	cmd.u.notify.groups = groups;
	cmd.u.notify.group_count = 2;
	/* A server that refuses leaves us with IDLE on one folder. */
	w->notify = imapc_run(w->cli->imapc, &cmd, NULL, NULL, NULL, &err) == 0;
}

/* One connection's life: catch up, then IDLE until mail or trouble. */
static int watch_connected(struct watch *w, bool first)
{
	const char *err;

	if (first && sync_folders(w->cli->sync, NULL, NULL, &err) < 0)
		return cli_error("%s", err);
	if (catch_up(w, !first) != CLI_OK)
		return CLI_ERROR;
	/* From here on, news makes us open a folder whatever the first
	 * LIST-STATUS said about it. */
	sync_hints_clear(w->cli->sync);
	imapc_set_handler(w->cli->imapc, watch_untagged, w);
	notify_set(w);
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
		if (catch_up_others(w) != CLI_OK)
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
	w.all_folders = w.folder == NULL;
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
		changed_clear(&w); /* the next sync brings what they announced */
		backoff_sleep(&w, backoff);
		backoff = backoff * 2 > WATCH_BACKOFF_MAX ? WATCH_BACKOFF_MAX : backoff * 2;
	}
	changed_clear(&w);
	free(w.folder);
	return ret;
}
