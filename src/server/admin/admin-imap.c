/* admin-imap.c — `hafend imap --stdio --data DIR --user NAME`: a
 * pre-authenticated IMAP session on standard input and output, for
 * tunnels (ssh) and clients that run a command (mutt's tunnel, mbsync's
 * Tunnel, offlineimap's preauthtunnel). */
#include "admin.h"
#include "server/imap/imap-session.h"
#include "server/privileges.h"
#include "server/worker.h"
#include "auth/userdb.h"
#include "lib/log.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int admin_imap(int argc, char **argv)
{
	struct server_config cfg;
	struct worker w;
	struct userdb_user u;
	struct run_as ra;
	const char *user = NULL, *error;
	bool stdio = false;
	int ret = admin_common_options(&argc, argv, &cfg);

	for (int i = 1; ret == 0 && i < argc; i++) {
		if (strcmp(argv[i], "--stdio") == 0)
			stdio = true;
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else
			ret = EX_USAGE_;
	}
	if (ret == 0 && (!stdio || user == NULL))
		ret = EX_USAGE_;
	if (ret != 0) {
		if (ret == EX_USAGE_)
			fprintf(stderr, "usage: hafend imap --stdio --data DIR --user NAME\n");
		server_config_free(&cfg);
		return ret;
	}
	signal(SIGPIPE, SIG_IGN);
	log_set_ident("hafend-imap");
	/* Started as root (a tunnel from mbsync or ssh as root): become the
	 * mail user first, or the files we write are unreadable to the daemon. */
	if (privileges_lookup(cfg.run_as, &ra, &error) < 0 || privileges_drop(&ra, &error) < 0) {
		fprintf(stderr, "hafend: %s\n", error);
		server_config_free(&cfg);
		return EX_CONFIG_;
	}
	if (worker_init(&w, 0, &cfg, NULL, NULL, &error) < 0 ||
	    userdb_get(w.userdb, user, &u, &error) != USERDB_OK) {
		fprintf(stderr, "hafend: %s\n", error);
		worker_deinit(&w);
		server_config_free(&cfg);
		return EX_NOUSER_;
	}
	w.single_session = true;
	if (imap_session_new_stdio(&w, STDIN_FILENO, STDOUT_FILENO, u.name) != NULL)
		event_base_dispatch(w.base);
	worker_deinit(&w);
	server_config_free(&cfg);
	return 0;
}
