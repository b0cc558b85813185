/* server-config.h — hafend's settings: defaults, the config file, and the
 * command-line overrides. docs/config.md documents every key. */
#ifndef HAFEN_SERVER_CONFIG_H
#define HAFEN_SERVER_CONFIG_H

#include "lib/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SERVER_MAX_LISTEN 32

struct server_config {
	char *config_path; /* NULL when none was read */
	char *data_dir;
	char *listen[SERVER_MAX_LISTEN];
	size_t listen_count;
	unsigned workers;
	char *run_as;
	char *tls_cert, *tls_key; /* NULL: DATA/tls/ self-signed */
	enum log_level log_level;
	bool syslog;
	char *hostname;
	/* IMAP */
	uint64_t append_limit;         /* bytes; APPENDLIMIT */
	uint64_t max_line;             /* bytes of a command line after login */
	uint64_t preauth_timeout;      /* seconds */
	uint64_t autologout;           /* seconds outside IDLE */
	uint64_t idle_timeout;         /* seconds in IDLE (at least 29 min, RFC 2177) */
	uint64_t idle_keepalive;       /* seconds between "* OK Still here" */
	char *imap_admins;             /* space-separated user names that may SETQUOTA */
	uint64_t notify_max_mailboxes; /* NOTIFY: mailboxes one session may watch */
	/* Authentication and limits (src/auth/auth-guard.h) */
	uint64_t auth_delay_ms, auth_delay_max_ms;
	uint64_t auth_fail_window, auth_fail_limit, auth_block_time;
	uint64_t max_conns_per_ip, max_sessions_per_user;
	bool auth_exempt_loopback;
	bool loopback_is_secure; /* plaintext logins allowed from 127/8 and ::1 */
	uint64_t scram_iterations;
	uint64_t auth_cache_ttl;  /* seconds a successful password check is remembered */
	bool auth_upgrade_hashes; /* rehash imported hashes at the first login */
	/* Delivery (LMTP, hafend deliver) */
	char *local_domains; /* space-separated; "" means the host name and localhost */
	char *recipient_delimiter;
	uint64_t lmtp_max_recipients;   /* RCPT TO per transaction */
	uint64_t lmtp_max_message_size; /* bytes; SIZE and the DATA/BDAT limit */
	uint64_t lmtp_timeout;          /* seconds a client may stay silent */
	bool lmtp_quota_tempfail;       /* over quota: 452 4.2.2, not 552 5.2.2 */
};

/* Fill with the defaults (docs/config.md). */
void server_config_defaults(struct server_config *cfg);
void server_config_free(struct server_config *cfg);
/* Read a config file over the current values. -1 with *error_r naming the
 * file and line (static buffer) on an unknown key or bad value. */
int server_config_load(struct server_config *cfg, const char *path, const char **error_r);
/* SIGHUP: re-read the file cfg was loaded from and take over the settings
 * that can change while running (log level, TLS files, IMAP limits and
 * timeouts). What shaped the processes at the start (listeners, data_dir,
 * workers, run_as, the auth and connection limits...) needs a restart:
 * each such setting that changed is named in *note_r (static text, or
 * NULL). Returns
 * 0, or -1 with *error_r when the file is now invalid (nothing changes). */
int server_config_reload(struct server_config *cfg, const char **note_r, const char **error_r);
/* Add a listener spec (replacing those from the file at the first call
 * after from_command_line is set). -1 with *error_r when the spec does not
 * parse (listen_spec_parse) or there are too many. */
int server_config_add_listen(struct server_config *cfg, const char *spec, const char **error_r);
/* No listener configured: IMAP on 127.0.0.1:143 and IMAPS on :993. */
void server_config_default_listen(struct server_config *cfg);
/* Every setting as "key = value" lines a configuration file takes, in
 * docs/config.md's order: sizes and durations in their largest exact unit,
 * an unset string as a comment. Reading the output back gives the same. */
void server_config_write(const struct server_config *cfg, FILE *out);
/* The protocols a listen spec may name ("imap", "imaps", "lmtp"), NULL-ended. */
extern const char *const server_listen_protos[];
void server_config_clear_listen(struct server_config *cfg);
/* Set a string setting, freeing the old value. */
void server_config_set_str(char **field, const char *value);
/* A path under the data directory (caller frees). */
char *server_config_data_path(const struct server_config *cfg, const char *rel);

#endif
