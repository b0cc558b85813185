/* account.h — hafen's accounts: the configuration file that lists them,
 * where each account's local cache lives, and how its password is found.
 *
 * The file (docs/client.md) is lib/config.h's "key = value" format; an
 * "account = NAME" line starts an account and the keys after it belong to
 * it. Passwords are never in it: password_command names a program whose
 * first line of output is the password, or hafen asks on the terminal.
 *
 * Paths (first match wins):
 *   config  --config FILE; $HAFEN_HOME/config; $XDG_CONFIG_HOME/hafen/config;
 *           ~/.config/hafen/config
 *   cache   $HAFEN_HOME/data/NAME; $XDG_DATA_HOME/hafen/NAME;
 *           ~/.local/share/hafen/NAME
 */
#ifndef HAFEN_CLIENT_ACCOUNT_H
#define HAFEN_CLIENT_ACCOUNT_H

#include "client/imapc/imapc.h"

#include <stdbool.h>
#include <stdint.h>

enum account_bodies {
	ACCOUNT_BODIES_NONE,   /* bodies only when a message is read */
	ACCOUNT_BODIES_RECENT, /* and of messages younger than bodies_days */
	ACCOUNT_BODIES_ALL,
};

struct account {
	char *name;
	char *host;
	uint16_t port; /* 0: 993 for implicit TLS, 143 otherwise */
	enum imapc_tls tls;
	char *user;
	char *password_command;
	char *ca_file;
	bool insecure;
	enum account_bodies bodies;
	unsigned bodies_days;
	char *smtp_host;    /* NULL: no sending */
	uint16_t smtp_port; /* 0: 465 for implicit TLS, 587 otherwise */
	enum imapc_tls smtp_tls;
	char *smtp_user;   /* NULL: user */
	char *from;        /* NULL: user, when it is an address */
	char *ignore_caps; /* capabilities to treat as absent ("QRESYNC CONDSTORE"), or NULL */
};

struct account_list {
	struct account *items;
	size_t count;
	char *default_name; /* "default = NAME", or NULL: the first account */
};

/* Account names: 1-64 characters of [A-Za-z0-9._-], not starting with '.'. */
bool account_name_valid(const char *name);

/* Read the file; a missing file is an empty list. -1 with *error_r naming
 * the file and line on a syntax error or an unknown key. */
int account_list_read(const char *path, struct account_list *list_r, const char **error_r);
/* Write the whole list (temporary file, fsync, rename; mode 0600). */
int account_list_write(const char *path, const struct account_list *list, const char **error_r);
void account_list_free(struct account_list *list);

/* By name, or the default one for NULL; NULL when not found. */
struct account *account_find(struct account_list *list, const char *name);
/* Take over *a (zeroed afterwards); -1 when the name is taken. */
int account_list_add(struct account_list *list, struct account *a, const char **error_r);
/* -1 when there is no such account. */
int account_list_del(struct account_list *list, const char *name, const char **error_r);
void account_clear(struct account *a);

/* Set one key from its text (the config file and the command line share
 * this). -1 with a message in *error_r. */
int account_set(struct account *a, const char *key, const char *value, const char **error_r);

uint16_t account_imap_port(const struct account *a);
uint16_t account_smtp_port(const struct account *a);
const char *account_tls_name(enum imapc_tls tls);
const char *account_bodies_name(const struct account *a, char *buf, size_t size);

/* The paths above, malloc'ed. config_override: --config or NULL. */
char *account_config_path(const char *config_override);
char *account_data_dir(const char *name);
/* mkdir -p with mode 0700. */
int account_mkdirs(const char *path, const char **error_r);

/* The password: the first line of password_command's output (run with
 * /bin/sh -c, 30 s at most), else asked on /dev/tty without echo.
 * Returns 0 with a malloc'ed password, or -1 with *error_r. */
int account_password(const struct account *a, char **password_r, const char **error_r);

#endif
