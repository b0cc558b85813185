/* supervisor.h — `hafend serve`: bind, drop privileges, run and watch the
 * worker processes, pass on SIGHUP, stop cleanly on SIGTERM. */
#ifndef HAFEN_SERVER_SUPERVISOR_H
#define HAFEN_SERVER_SUPERVISOR_H

#include "server-config.h"

/* Returns the process exit code. Problems a shell user must fix (a port in
 * use, an unreadable certificate, a data directory with the wrong owner)
 * are one line on stderr and a non-zero code. */
int supervisor_run(struct server_config *cfg);

/* The certificate and key to use: the configured ones, or a self-signed
 * pair generated into DATA/tls (cfg gets those paths). NULL with *error_r. */
struct tls_ctx;
struct tls_ctx *supervisor_tls(struct server_config *cfg, const char **error_r);

#endif
