/* worker.c — a worker process: accept on the inherited listeners, run the
 * sessions on one libevent loop, push store changes, reload TLS on SIGHUP,
 * drain on SIGTERM. */
#include "worker.h"
#include "tls-keeper.h"
#include "user-store.h"
#include "imap/imap-session.h"
#include "lmtp/lmtp-session.h"
#include "lmtp/lmtp-stores.h"
#include "auth/userdb.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "net/acceptor.h"
#include "net/conn.h"
#include "net/listen.h"
#include "net/tls.h"
#include "store/store-watch.h"

#include <event2/event.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* How long SIGTERM waits for sessions to say goodbye and flush. */
#define DRAIN_MSECS 3000

struct listener_ctx {
	struct worker *w;
	const char *proto;
	struct acceptor *acceptor;
};

static void on_watch(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	user_stores_dispatch(ctx);
}

int worker_init(struct worker *w, unsigned index, struct server_config *cfg, struct tls_ctx *tls,
		const struct worker_shared *shared, const char **error_r)
{
	struct userdb_settings uset;
	char *path;
	int ret;

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->cfg = cfg;
	w->tls = tls;
	w->guard = shared != NULL ? shared->guard : NULL;
	w->tls_keeper = shared != NULL ? shared->tls_keeper : NULL;
	w->base = event_base_new();
	if (w->base == NULL) {
		*error_r = "cannot create an event loop";
		return -1;
	}
	w->conns = conn_set_new(w->base);
	userdb_settings_default(&uset);
	uset.scram_iterations = (uint32_t)cfg->scram_iterations;
	uset.cache_ttl_secs =
		(uint32_t)(cfg->auth_cache_ttl > UINT32_MAX ? UINT32_MAX : cfg->auth_cache_ttl);
	uset.upgrade_hashes = cfg->auth_upgrade_hashes;
	uset.shared_cache = shared != NULL ? shared->login_cache : NULL;
	path = server_config_data_path(cfg, "users.db");
	ret = userdb_open(path, &uset, &w->userdb, error_r);
	free(path);
	if (ret != 0)
		return -1;
	if (store_watcher_new(&w->watcher, error_r) < 0)
		return -1;
	w->watch_event =
		event_new(w->base, store_watcher_fd(w->watcher), EV_READ | EV_PERSIST, on_watch, w);
	event_add(w->watch_event, NULL);
	return 0;
}

void worker_deinit(struct worker *w)
{
	lmtp_stores_clear();
	conn_set_free(&w->conns);
	user_stores_close_all(w);
	if (w->watch_event != NULL)
		event_free(w->watch_event);
	store_watcher_free(&w->watcher);
	userdb_close(&w->userdb);
	if (w->base != NULL)
		event_base_free(w->base);
	w->base = NULL;
}

static void on_accepted(int fd, const struct sockaddr *peer, socklen_t peer_len, void *ctx)
{
	struct listener_ctx *l = ctx;

	if (l->w->stopping) {
		close(fd);
		return;
	}
	if (strcmp(l->proto, "imap") == 0 || strcmp(l->proto, "imaps") == 0)
		imap_session_new(l->w, fd, peer, peer_len, strcmp(l->proto, "imaps") == 0);
	else if (strcmp(l->proto, "lmtp") == 0)
		lmtp_session_new(l->w, fd, peer, peer_len);
	else
		close(fd);
}

static void drained(void *ctx)
{
	struct worker *w = ctx;

	event_base_loopexit(w->base, NULL);
}

static void on_sigterm(evutil_socket_t sig, short what, void *ctx)
{
	struct listener_ctx *ls = ctx;
	struct worker *w = ls[0].w;

	(void)sig;
	(void)what;
	if (w->stopping)
		return;
	w->stopping = true;
	for (size_t i = 0; ls[i].w != NULL; i++)
		acceptor_free(&ls[i].acceptor);
	conn_set_drain(w->conns, DRAIN_MSECS, drained, w);
}

static void on_sighup(evutil_socket_t sig, short what, void *ctx)
{
	struct worker *w = ctx;
	const char *error, *note;

	(void)sig;
	(void)what;
	if (server_config_reload(w->cfg, &note, &error) < 0) {
		log_error("worker %u: configuration not reloaded: %s", w->index, error);
	} else {
		log_set_level(w->cfg->log_level);
		if (note != NULL && w->index == 0)
			log_warn("configuration reloaded; %s", note);
	}
	if (w->tls == NULL || w->cfg->tls_cert == NULL)
		return;
	/* The supervisor had the keeper read the files before it passed the
	 * SIGHUP on; a worker cannot read a root-only key itself. */
	if ((w->tls_keeper != NULL ? tls_keeper_load(w->tls_keeper, &w->tls, &error)
				   : tls_server_ctx_reload(&w->tls, w->cfg->tls_cert,
							   w->cfg->tls_key, &error)) < 0)
		log_error("worker %u: TLS reload failed, keeping the old certificate: %s", w->index,
			  error);
	else
		log_info("worker %u: TLS certificate reloaded", w->index);
}

int worker_run(unsigned index, struct server_config *cfg, struct listen_set *listeners,
	       struct tls_ctx *tls, const struct worker_shared *shared)
{
	static const struct acceptor_callbacks acb = {.accepted = on_accepted};
	struct listener_ctx *ls = xcalloc(listeners->count + 1, sizeof(*ls));
	struct worker w;
	struct event *term, *hup;
	const char *error;

	signal(SIGPIPE, SIG_IGN);
	if (worker_init(&w, index, cfg, tls, shared, &error) < 0) {
		log_error("worker %u: %s", index, error);
		free(ls);
		return 1;
	}
	for (size_t i = 0; i < listeners->count; i++) {
		ls[i].w = &w;
		ls[i].proto = listeners->items[i].proto;
		ls[i].acceptor = acceptor_new(w.base, listeners->items[i].fd, &acb, &ls[i]);
	}
	term = evsignal_new(w.base, SIGTERM, on_sigterm, ls);
	hup = evsignal_new(w.base, SIGHUP, on_sighup, &w);
	event_add(term, NULL);
	event_add(hup, NULL);
	event_base_dispatch(w.base);
	for (size_t i = 0; i < listeners->count; i++)
		acceptor_free(&ls[i].acceptor);
	event_free(term);
	event_free(hup);
	free(ls);
	worker_deinit(&w);
	return 0;
}
