/* admin.h — hafend's subcommands, one file each (git's builtin/ pattern).
 * Each takes argc/argv after the subcommand name and returns the exit code. */
#ifndef HAFEN_SERVER_ADMIN_H
#define HAFEN_SERVER_ADMIN_H

#include "server/server-config.h"

int admin_serve(int argc, char **argv);
int admin_user(int argc, char **argv);
int admin_check(int argc, char **argv);
int admin_imap(int argc, char **argv);
int admin_deliver(int argc, char **argv);
int admin_import(int argc, char **argv);
int admin_export(int argc, char **argv);
int admin_config(int argc, char **argv);

/* Options every subcommand shares: -c FILE, --data DIR, --log-level L.
 * Consumes them from argv (compacting it) and loads the config.
 * Returns 0, or prints the problem and returns the exit code to use; cfg
 * is then already freed (server_config_free on it again is harmless). */
int admin_common_options(int *argc, char **argv, struct server_config *cfg);

/* sysexits(3) codes the admin commands use. */
#define EX_USAGE_    64
#define EX_DATAERR_  65
#define EX_NOINPUT_  66
#define EX_NOUSER_   67
#define EX_SOFTWARE_ 70
#define EX_TEMPFAIL_ 75
#define EX_CONFIG_   78

#endif
