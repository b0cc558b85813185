/* tls-keeper.c — the root process that re-reads the certificate and key on
 * request (see tls-keeper.h). */
#include "tls-keeper.h"
#include "server-config.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/shared-mutex.h"
#include "net/tls.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long the supervisor waits for the keeper's answer. */
#define KEEPER_ANSWER_MS 10000
#define KEEPER_NAME_MAX  1024

/* The copy every server process sees: written by the keeper, read by the
 * supervisor and the workers, under a process-shared, robust mutex. */
struct keeper_shared {
	pthread_mutex_t lock;
	bool ok; /* the last refresh succeeded: the pair below is new */
	char error[512];
	char cert_name[KEEPER_NAME_MAX], key_name[KEEPER_NAME_MAX];
	size_t cert_len, key_len;
	char cert[TLS_PEM_MAX], key[TLS_PEM_MAX];
};

struct tls_keeper {
	struct keeper_shared *sh;
	int fd; /* the supervisor's end of the request line */
	pid_t pid;
};

static void shared_lock(struct keeper_shared *sh)
{
	if (shared_mutex_lock(&sh->lock, "tls keeper")) {
		/* Died while copying: the pair may be half written. */
		sh->ok = false;
		snprintf(sh->error, sizeof(sh->error), "the TLS keeper died while copying");
	}
}

static void publish_error(struct keeper_shared *sh, const char *error)
{
	shared_lock(sh);
	sh->ok = false;
	snprintf(sh->error, sizeof(sh->error), "%s", error);
	shared_mutex_unlock(&sh->lock);
}

static void publish(struct keeper_shared *sh, const struct tls_pem_pair *pem)
{
	shared_lock(sh);
	OPENSSL_cleanse(sh->key, sh->key_len);
	snprintf(sh->cert_name, sizeof(sh->cert_name), "%s", pem->cert_name);
	snprintf(sh->key_name, sizeof(sh->key_name), "%s", pem->key_name);
	memcpy(sh->cert, pem->cert, pem->cert_len);
	memcpy(sh->key, pem->key, pem->key_len);
	sh->cert_len = pem->cert_len;
	sh->key_len = pem->key_len;
	sh->ok = true;
	sh->error[0] = '\0';
	shared_mutex_unlock(&sh->lock);
}

/* In the keeper: the files the configuration names now, read as root and
 * checked by building a context from them, into the shared copy. */
static void keeper_refresh(struct keeper_shared *sh, const char *config_path, const char *cert_file,
			   const char *key_file)
{
	struct server_config cfg;
	struct tls_pem_pair pem;
	struct tls_ctx *ctx;
	const char *error;

	server_config_defaults(&cfg);
	if (config_path != NULL) {
		if (server_config_load(&cfg, config_path, &error) < 0) {
			publish_error(sh, error);
			server_config_free(&cfg);
			return;
		}
		cert_file = cfg.tls_cert;
		key_file = cfg.tls_key;
	}
	if (cert_file == NULL || key_file == NULL) {
		publish_error(sh, "tls_cert and tls_key are no longer set");
	} else if (tls_pem_pair_read(cert_file, key_file, &pem, &error) < 0) {
		publish_error(sh, error);
	} else {
		ctx = tls_server_ctx_new_pem(&pem, &error);
		if (ctx == NULL)
			publish_error(sh, error);
		else
			publish(sh, &pem);
		tls_ctx_free(&ctx);
		tls_pem_pair_clear(&pem);
	}
	server_config_free(&cfg);
}

static void keeper_main(struct keeper_shared *sh, int fd, const char *config_path,
			const char *cert_file, const char *key_file)
{
	char req;

	/* `pkill -HUP hafend` and Ctrl-C reach the whole group; the keeper
	 * answers only its line, and ends when the supervisor closes it. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_NAME, "hafend-tls", 0, 0, 0);
	for (;;) {
		ssize_t n = read(fd, &req, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		keeper_refresh(sh, config_path, cert_file, key_file);
		while (write(fd, "d", 1) < 0 && errno == EINTR)
			;
	}
}

struct tls_keeper *tls_keeper_start(const char *config_path, const char *cert_file,
				    const char *key_file, void (*close_fds)(void *ctx),
				    void *close_ctx, const char **error_r)
{
	struct tls_keeper *k;
	struct keeper_shared *sh;
	int fds[2];
	pid_t pid;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		*error_r = "TLS keeper: cannot map shared memory";
		return NULL;
	}
	if (shared_mutex_init(&sh->lock) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
		munmap(sh, sizeof(*sh));
		*error_r = "TLS keeper: cannot set up its lock or its line";
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		munmap(sh, sizeof(*sh));
		*error_r = "TLS keeper: fork failed";
		return NULL;
	}
	if (pid == 0) {
		close(fds[0]);
		if (close_fds != NULL)
			close_fds(close_ctx);
		keeper_main(sh, fds[1], config_path, cert_file, key_file);
	}
	close(fds[1]);
	k = xcalloc(1, sizeof(*k));
	k->sh = sh;
	k->fd = fds[0];
	k->pid = pid;
	return k;
}

int tls_keeper_refresh(struct tls_keeper *k, const char **error_r)
{
	static char error[sizeof(((struct keeper_shared *)0)->error)];
	struct pollfd pfd = {.fd = k->fd, .events = POLLIN};
	char reply;
	int ret;

	if (k->fd < 0 || write(k->fd, "r", 1) != 1) {
		*error_r = "the TLS keeper is gone (restart hafend)";
		return -1;
	}
	do
		ret = poll(&pfd, 1, KEEPER_ANSWER_MS);
	while (ret < 0 && errno == EINTR);
	if (ret <= 0 || read(k->fd, &reply, 1) != 1) {
		*error_r = ret == 0 ? "the TLS keeper did not answer" : "the TLS keeper is gone";
		return -1;
	}
	shared_lock(k->sh);
	ret = k->sh->ok ? 0 : -1;
	snprintf(error, sizeof(error), "%s", k->sh->error);
	shared_mutex_unlock(&k->sh->lock);
	if (ret < 0)
		*error_r = error;
	return ret;
}

int tls_keeper_load(struct tls_keeper *k, struct tls_ctx **ctxp, const char **error_r)
{
	struct keeper_shared *sh = k->sh;
	struct tls_pem_pair pem;
	int ret;

	memset(&pem, 0, sizeof(pem));
	shared_lock(sh);
	if (sh->ok) {
		pem.cert_name = xstrdup(sh->cert_name);
		pem.key_name = xstrdup(sh->key_name);
		pem.cert = xmemdup(sh->cert, sh->cert_len);
		pem.key = xmemdup(sh->key, sh->key_len);
		pem.cert_len = sh->cert_len;
		pem.key_len = sh->key_len;
	}
	shared_mutex_unlock(&sh->lock);
	if (pem.cert == NULL) {
		*error_r = "no certificate from the TLS keeper";
		return -1;
	}
	ret = tls_server_ctx_reload_pem(ctxp, &pem, error_r);
	tls_pem_pair_clear(&pem);
	return ret;
}

void tls_keeper_forget_line(struct tls_keeper *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

pid_t tls_keeper_pid(const struct tls_keeper *k)
{
	return k->pid;
}

void tls_keeper_stop(struct tls_keeper **kp)
{
	struct tls_keeper *k = *kp;

	if (k == NULL)
		return;
	*kp = NULL;
	close(k->fd);
	(void)waitpid(k->pid, NULL, 0);
	OPENSSL_cleanse(k->sh->key, sizeof(k->sh->key));
	munmap(k->sh, sizeof(*k->sh));
	free(k);
}
