/* tls-keeper.h — reload a certificate whose key only root may read.
 *
 * hafend drops root once it has bound its ports and loaded the certificate,
 * so a SIGHUP finds a supervisor and workers that cannot read a key such as
 * certbot's privkey.pem (mode 0600, root). The keeper is a small process
 * forked before the drop that stays root and does one thing on request:
 * read the configuration file again (root's file, so an unprivileged
 * process cannot point it elsewhere), read the certificate and key it
 * names, check that they load as a TLS context, and put them in memory
 * shared with the supervisor and the workers, who build their new contexts
 * from there. It holds no socket but its request line, and exits when the
 * supervisor closes it.
 */
#ifndef HAFEN_SERVER_TLS_KEEPER_H
#define HAFEN_SERVER_TLS_KEEPER_H

#include <sys/types.h>

struct tls_ctx;
struct tls_keeper;

/* Before dropping root: fork the keeper. config_path is the file it reads
 * again at each request (NULL: the initial cert_file and key_file stay).
 * close_fd(ctx) runs in the keeper first, to close what it must not hold
 * (the listening sockets). NULL with *error_r when it cannot start. */
struct tls_keeper *tls_keeper_start(const char *config_path, const char *cert_file,
				    const char *key_file, void (*close_fds)(void *ctx),
				    void *close_ctx, const char **error_r);

/* Supervisor, on SIGHUP: have the keeper read the files again; waits for it
 * (at most a few seconds). 0 when the shared copy is now the new pair,
 * -1 with *error_r (the keeper's message, or why it did not answer). */
int tls_keeper_refresh(struct tls_keeper *k, const char **error_r);

/* Supervisor and workers: replace *ctxp (tls_server_ctx_reload_pem) with a
 * context built from the shared copy. -1 with *error_r, *ctxp untouched. */
int tls_keeper_load(struct tls_keeper *k, struct tls_ctx **ctxp, const char **error_r);

/* In a worker: close the request line inherited from the supervisor, so
 * that only the supervisor asks, and the keeper sees the line close when
 * the supervisor ends. The shared copy stays for tls_keeper_load(). */
void tls_keeper_forget_line(struct tls_keeper *k);

/* The keeper's pid (for the supervisor's child reaping). */
pid_t tls_keeper_pid(const struct tls_keeper *k);

/* Supervisor, at exit: close the request line (the keeper exits), reap it,
 * unmap the shared copy. Workers leave theirs alone. *kp becomes NULL. */
void tls_keeper_stop(struct tls_keeper **kp);

#endif
