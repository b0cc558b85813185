/* worker.h — one worker process: a libevent loop serving thousands of
 * connections, with what its sessions share (configuration, TLS, the user
 * database, the brute-force guard, open user stores, change notification). */
#ifndef HAFEN_SERVER_WORKER_H
#define HAFEN_SERVER_WORKER_H

#include "server-config.h"

#include <stdbool.h>

struct event_base;
struct tls_ctx;
struct auth_guard;
struct userdb;
struct userdb_cache;
struct tls_keeper;
struct conn_set;
struct store_watcher;
struct user_store;
struct listen_set;

struct worker {
	unsigned index;
	struct server_config *cfg;
	struct event_base *base;
	struct tls_ctx *tls;           /* NULL when TLS is unavailable */
	struct auth_guard *guard;      /* shared by all workers */
	struct tls_keeper *tls_keeper; /* NULL: reload from the files */
	struct userdb *userdb;         /* this process's handle */
	struct conn_set *conns;
	struct store_watcher *watcher;
	struct event *watch_event;
	struct user_store *users; /* open user stores, a list */
	/* The entries whose handle is open while every session holding
	 * them waits in IDLE (user-store.c), most recently used first: at
	 * most USER_STORE_IDLE_OPEN_MAX stay open. */
	struct user_store *idle_first, *idle_last;
	unsigned idle_count;
	struct event *idle_trim; /* closes the least recently used */
	bool stopping;
	bool single_session; /* hafend imap --stdio: exit with the session */
};

/* What the supervisor makes in shared memory before it forks the workers,
 * so they all see the same: the brute-force guard and the login cache
 * (userdb-cache.h). Either may be NULL (off, or a single process). */
struct worker_shared {
	struct auth_guard *guard;
	struct userdb_cache *login_cache;
	/* Started as root with a configured certificate: where a reload
	 * takes the new certificate and key from (tls-keeper.h). */
	struct tls_keeper *tls_keeper;
};

/* Run a worker on the inherited listeners until SIGTERM; returns the exit code. */
int worker_run(unsigned index, struct server_config *cfg, struct listen_set *listeners,
	       struct tls_ctx *tls, const struct worker_shared *shared);

/* Set up the parts a session needs without listeners (hafend imap --stdio,
 * tests): event base, user database, watcher. shared may be NULL. Returns 0
 * or -1 with *error_r. */
int worker_init(struct worker *w, unsigned index, struct server_config *cfg, struct tls_ctx *tls,
		const struct worker_shared *shared, const char **error_r);
void worker_deinit(struct worker *w);

#endif
