/* supervisor.c — the supervisor process (see supervisor.h).
 *
 * States: STARTING (bind, drop privileges, fork) -> RUNNING (restart a
 * worker that dies, with a back-off if it keeps dying) -> STOPPING (SIGTERM
 * passed on; workers say BYE and exit; stragglers are killed after a
 * deadline). The supervisor holds the listening sockets for its whole life
 * so a restarted worker accepts on the same ones.
 */
#include "supervisor.h"
#include "privileges.h"
#include "tls-keeper.h"
#include "worker.h"
#include "auth/auth-guard.h"
#include "auth/userdb-cache.h"
#include "auth/userdb.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "net/listen.h"
#include "net/tls.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS        256
#define STOP_DEADLINE_SECS 5

static volatile sig_atomic_t got_term, got_hup, got_chld;

static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

struct tls_ctx *supervisor_tls(struct server_config *cfg, const char **error_r)
{
	if (cfg->tls_cert == NULL || cfg->tls_key == NULL) {
		char *dir = server_config_data_path(cfg, "tls");
		char *cert, *key;
		int ret = tls_selfsigned_ensure(dir, NULL, &cert, &key, error_r);

		free(dir);
		if (ret < 0)
			return NULL;
		server_config_set_str(&cfg->tls_cert, cert);
		server_config_set_str(&cfg->tls_key, key);
		free(cert);
		free(key);
	}
	return tls_server_ctx_new(cfg->tls_cert, cfg->tls_key, error_r);
}

static int bind_all(const struct server_config *cfg, const struct run_as *ra,
		    struct listen_set *set, const char **error_r)
{
	struct listen_options opts = LISTEN_OPTIONS_INIT;

	if (ra->active) {
		opts.unix_uid = ra->uid;
		opts.unix_gid = ra->gid;
	}
	for (size_t i = 0; i < cfg->listen_count; i++) {
		struct listen_spec spec;
		int ret;

		if (listen_spec_parse(cfg->listen[i], server_listen_protos, &spec, error_r) < 0)
			return -1;
		ret = listen_set_bind(set, &spec, &opts, error_r);
		listen_spec_clear(&spec);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static struct auth_guard *make_guard(const struct server_config *cfg, const char **error_r)
{
	struct auth_guard_settings set;

	auth_guard_settings_default(&set);
	set.delay_initial_ms = (uint32_t)cfg->auth_delay_ms;
	set.delay_max_ms = (uint32_t)cfg->auth_delay_max_ms;
	set.fail_window_secs = (uint32_t)cfg->auth_fail_window;
	set.fail_limit = (uint32_t)cfg->auth_fail_limit;
	set.block_secs = (uint32_t)cfg->auth_block_time;
	set.max_conns_per_addr = (uint32_t)cfg->max_conns_per_ip;
	set.max_conns_per_user = (uint32_t)cfg->max_sessions_per_user;
	set.exempt_loopback = cfg->auth_exempt_loopback;
	return auth_guard_new(&set, error_r);
}

/* After dropping root: can we reach what the workers need? Better one clear
 * line now than workers dying at every start. */
static int check_access(const struct server_config *cfg, const char **error_r)
{
	static char errbuf[600];
	char *path = server_config_data_path(cfg, "users.db");
	struct userdb *db;
	int ret = userdb_open(path, NULL, &db, error_r);

	if (ret != USERDB_OK) {
		snprintf(errbuf, sizeof(errbuf), "cannot use %s as uid %u: %s", path,
			 (unsigned)geteuid(), *error_r);
		*error_r = errbuf;
	}
	userdb_close(&db);
	free(path);
	return ret == USERDB_OK ? 0 : -1;
}

struct supervisor {
	struct server_config *cfg;
	struct listen_set listeners;
	struct tls_ctx *tls;
	struct worker_shared shared; /* guard and login cache, made before forking */
	pid_t pids[MAX_WORKERS];
	time_t started[MAX_WORKERS];
	unsigned nworkers;
};

static pid_t spawn(struct supervisor *sv, unsigned i)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("cannot start worker %u: %s", i, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGTERM, SIG_DFL);
		/* Until the worker's loop handles it, a SIGHUP must not kill it
		 * (it reads the current configuration anyway). */
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN); /* a terminal's ^C goes to the supervisor */
		signal(SIGCHLD, SIG_DFL);
		if (sv->shared.tls_keeper != NULL)
			tls_keeper_forget_line(sv->shared.tls_keeper);
		_exit(worker_run(i, sv->cfg, &sv->listeners, sv->tls, &sv->shared));
	}
	sv->pids[i] = pid;
	sv->started[i] = time(NULL);
	return pid;
}

static void signal_workers(struct supervisor *sv, int sig)
{
	for (unsigned i = 0; i < sv->nworkers; i++)
		if (sv->pids[i] > 0)
			kill(sv->pids[i], sig);
}

static void reap(struct supervisor *sv, bool restart)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (sv->shared.tls_keeper != NULL && pid == tls_keeper_pid(sv->shared.tls_keeper))
			log_error(
				"the TLS keeper (pid %d) ended; certificate reloads now fail until "
				"a restart",
				(int)pid);
		for (unsigned i = 0; i < sv->nworkers; i++) {
			if (sv->pids[i] != pid)
				continue;
			sv->pids[i] = 0;
			if (!restart)
				break;
			if (WIFSIGNALED(status))
				log_error("worker %u (pid %d) died from signal %d; restarting", i,
					  (int)pid, WTERMSIG(status));
			else
				log_error("worker %u (pid %d) exited with %d; restarting", i,
					  (int)pid, WEXITSTATUS(status));
			/* A worker that dies at once again and again must not spin. */
			if (time(NULL) - sv->started[i] < 1)
				sleep(1);
			spawn(sv, i);
			break;
		}
	}
}

static unsigned alive(const struct supervisor *sv)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sv->nworkers; i++)
		n += sv->pids[i] > 0;
	return n;
}

static void stop(struct supervisor *sv)
{
	time_t deadline = time(NULL) + STOP_DEADLINE_SECS;

	log_info("stopping: telling %u workers to finish", alive(sv));
	signal_workers(sv, SIGTERM);
	while (alive(sv) > 0 && time(NULL) < deadline) {
		struct timespec pause = {0, 50 * 1000 * 1000};

		nanosleep(&pause, NULL);
		reap(sv, false);
	}
	if (alive(sv) > 0) {
		log_warn("killing %u workers that did not finish in time", alive(sv));
		signal_workers(sv, SIGKILL);
		while (alive(sv) > 0 && waitpid(-1, NULL, 0) > 0)
			reap(sv, false);
		for (unsigned i = 0; i < sv->nworkers; i++)
			sv->pids[i] = 0;
	}
}

/* SIGHUP: the supervisor takes the new configuration and certificate as
 * well, so that a worker started later (after a crash) serves what the
 * running ones serve, not what the server started with. */
static void reload(struct supervisor *sv)
{
	const char *error, *note;
	int ret;

	if (server_config_reload(sv->cfg, &note, &error) < 0) {
		log_error("configuration not reloaded: %s", error);
		return;
	}
	log_set_level(sv->cfg->log_level);
	if (sv->tls == NULL || sv->cfg->tls_cert == NULL)
		return;
	if (sv->shared.tls_keeper != NULL)
		ret = tls_keeper_refresh(sv->shared.tls_keeper, &error) < 0
			      ? -1
			      : tls_keeper_load(sv->shared.tls_keeper, &sv->tls, &error);
	else
		ret = tls_server_ctx_reload(&sv->tls, sv->cfg->tls_cert, sv->cfg->tls_key, &error);
	if (ret < 0)
		log_error("TLS reload failed, keeping the old certificate: %s", error);
}

static void run_loop(struct supervisor *sv)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (unsigned i = 0; i < sv->nworkers; i++)
		spawn(sv, i);
	log_info("serving with %u workers", sv->nworkers);
	while (!got_term) {
		if (!got_hup && !got_chld)
			sigsuspend(&old);
		if (got_chld) {
			got_chld = 0;
			reap(sv, !got_term);
		}
		if (got_hup) {
			got_hup = 0;
			log_info(
				"SIGHUP: workers reload the configuration and the TLS certificate");
			reload(sv);
			signal_workers(sv, SIGHUP);
		}
	}
	stop(sv);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* In the TLS keeper, before it serves: it must not hold the ports. */
static void keeper_close_fds(void *ctx)
{
	struct supervisor *sv = ctx;

	listen_set_close(&sv->listeners, false);
}

static int start(struct supervisor *sv, struct server_config *cfg)
{
	struct run_as ra;
	const char *error;
	bool configured_cert;

	if (privileges_lookup(cfg->run_as, &ra, &error) < 0 ||
	    privileges_prepare_data_dir(cfg->data_dir, &ra, &error) < 0)
		goto fail;
	if (bind_all(cfg, &ra, &sv->listeners, &error) < 0)
		goto fail;
	/* Before dropping root: the certificate may be readable by root only. */
	configured_cert = cfg->tls_cert != NULL;
	sv->tls = supervisor_tls(cfg, &error);
	if (sv->tls == NULL)
		goto fail;
	/* And at every reload after it: a keeper that stays root reads it
	 * then. The self-signed pair in DATA/tls belongs to run_as anyway. */
	if (ra.active && configured_cert) {
		sv->shared.tls_keeper =
			tls_keeper_start(cfg->config_path, cfg->tls_cert, cfg->tls_key,
					 keeper_close_fds, sv, &error);
		if (sv->shared.tls_keeper == NULL)
			goto fail;
	}
	if (ra.active) {
		char *tls_dir = server_config_data_path(cfg, "tls");

		privileges_chown_tree(tls_dir, &ra);
		free(tls_dir);
	}
	sv->shared.guard = make_guard(cfg, &error);
	if (sv->shared.guard == NULL)
		goto fail;
	/* One login cache for all workers. Its TTL is fixed here: a reload
	 * that changes auth_cache_ttl takes effect at the next start. */
	sv->shared.login_cache = userdb_cache_new_shared(
		(uint32_t)(cfg->auth_cache_ttl > UINT32_MAX ? UINT32_MAX : cfg->auth_cache_ttl),
		&error);
	if ((sv->shared.login_cache == NULL && cfg->auth_cache_ttl > 0) ||
	    privileges_drop(&ra, &error) < 0 || check_access(cfg, &error) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "hafend: %s\n", error);
	return -1;
}

int supervisor_run(struct server_config *cfg)
{
	struct supervisor sv = {.cfg = cfg};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (start(&sv, cfg) < 0) {
		listen_set_close(&sv.listeners, true);
		tls_ctx_free(&sv.tls);
		auth_guard_free(&sv.shared.guard);
		userdb_cache_free(&sv.shared.login_cache);
		tls_keeper_stop(&sv.shared.tls_keeper);
		return 1;
	}
	sv.nworkers = cfg->workers > MAX_WORKERS ? MAX_WORKERS : cfg->workers;
	for (size_t i = 0; i < sv.listeners.count; i++)
		log_info("listening: %s %s", sv.listeners.items[i].proto,
			 sv.listeners.items[i].name);
	run_loop(&sv);
	listen_set_close(&sv.listeners, true);
	tls_ctx_free(&sv.tls);
	auth_guard_free(&sv.shared.guard);
	userdb_cache_free(&sv.shared.login_cache);
	tls_keeper_stop(&sv.shared.tls_keeper);
	log_info("stopped");
	return 0;
}
