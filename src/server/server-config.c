/* server-config.c — defaults, the config file's keys and their parsing. */
#include "server-config.h"
#include "lib/config.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "net/listen.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum key_type { KEY_STR, KEY_BOOL, KEY_UINT, KEY_SIZE, KEY_DURATION, KEY_LISTEN, KEY_LOGLEVEL };

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	uint64_t max; /* KEY_UINT */
};

#define F(field) offsetof(struct server_config, field)

static const struct key keys[] = {
	{"data_dir", KEY_STR, F(data_dir), 0},
	{"listen", KEY_LISTEN, 0, 0},
	{"workers", KEY_UINT, F(workers), 256},
	{"run_as", KEY_STR, F(run_as), 0},
	{"tls_cert", KEY_STR, F(tls_cert), 0},
	{"tls_key", KEY_STR, F(tls_key), 0},
	{"log_level", KEY_LOGLEVEL, F(log_level), 0},
	{"syslog", KEY_BOOL, F(syslog), 0},
	{"hostname", KEY_STR, F(hostname), 0},
	{"append_limit", KEY_SIZE, F(append_limit), 0},
	{"max_line", KEY_SIZE, F(max_line), 0},
	{"preauth_timeout", KEY_DURATION, F(preauth_timeout), 0},
	{"autologout", KEY_DURATION, F(autologout), 0},
	{"idle_timeout", KEY_DURATION, F(idle_timeout), 0},
	{"idle_keepalive", KEY_DURATION, F(idle_keepalive), 0},
	{"imap_admins", KEY_STR, F(imap_admins), 0},
	{"notify_max_mailboxes", KEY_UINT, F(notify_max_mailboxes), 1000000},
	{"auth_delay_ms", KEY_UINT, F(auth_delay_ms), 60000},
	{"auth_delay_max_ms", KEY_UINT, F(auth_delay_max_ms), 600000},
	{"auth_fail_window", KEY_DURATION, F(auth_fail_window), 0},
	{"auth_fail_limit", KEY_UINT, F(auth_fail_limit), 1000000},
	{"auth_block_time", KEY_DURATION, F(auth_block_time), 0},
	{"max_connections_per_ip", KEY_UINT, F(max_conns_per_ip), 1000000},
	{"max_sessions_per_user", KEY_UINT, F(max_sessions_per_user), 1000000},
	{"auth_exempt_loopback", KEY_BOOL, F(auth_exempt_loopback), 0},
	{"loopback_is_secure", KEY_BOOL, F(loopback_is_secure), 0},
	{"scram_iterations", KEY_UINT, F(scram_iterations), 10000000},
	{"auth_cache_ttl", KEY_DURATION, F(auth_cache_ttl), 0},
	{"auth_upgrade_hashes", KEY_BOOL, F(auth_upgrade_hashes), 0},
	{"local_domains", KEY_STR, F(local_domains), 0},
	{"recipient_delimiter", KEY_STR, F(recipient_delimiter), 0},
	{"lmtp_max_recipients", KEY_UINT, F(lmtp_max_recipients), 100000},
	{"lmtp_max_message_size", KEY_SIZE, F(lmtp_max_message_size), 0},
	{"lmtp_timeout", KEY_DURATION, F(lmtp_timeout), 0},
	{"lmtp_quota_tempfail", KEY_BOOL, F(lmtp_quota_tempfail), 0},
};

void server_config_set_str(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

void server_config_defaults(struct server_config *cfg)
{
	char host[256] = "localhost";
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	cfg->data_dir = xstrdup("/var/lib/hafen");
	/* A worker blocks while SQLite commits and fsyncs, so a few workers
	 * per core keep the CPUs busy (the IMAP benchmark doubled its
	 * throughput going from one to four per core). */
	cfg->workers = cpus > 0 ? (unsigned)(cpus > 16 ? 64 : 4 * cpus) : 4;
	cfg->run_as = xstrdup("hafen");
	cfg->log_level = LOG_LEVEL_INFO;
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "localhost");
	cfg->hostname = xstrdup(host);
	cfg->append_limit = 64ull << 20;
	cfg->max_line = 64 * 1024;
	cfg->preauth_timeout = 60;
	cfg->autologout = 30 * 60;
	cfg->idle_timeout = 30 * 60;
	cfg->idle_keepalive = 2 * 60;
	cfg->notify_max_mailboxes = 10000; /* NOTIFY_MAX_MAILBOXES */
	cfg->auth_delay_ms = 500;
	cfg->auth_delay_max_ms = 15000;
	cfg->auth_fail_window = 300;
	cfg->auth_fail_limit = 10;
	cfg->auth_block_time = 900;
	cfg->max_conns_per_ip = 100;
	cfg->max_sessions_per_user = 50;
	cfg->auth_exempt_loopback = true;
	cfg->loopback_is_secure = true;
	cfg->scram_iterations = 4096;
	cfg->auth_cache_ttl = 3600;
	cfg->auth_upgrade_hashes = true;
	cfg->local_domains = xstrdup("");
	cfg->imap_admins = xstrdup("");
	cfg->recipient_delimiter = xstrdup("+");
	cfg->lmtp_max_recipients = 100;
	cfg->lmtp_max_message_size = 64ull << 20;
	cfg->lmtp_timeout = 5 * 60;
	cfg->lmtp_quota_tempfail = false;
}

void server_config_clear_listen(struct server_config *cfg)
{
	for (size_t i = 0; i < cfg->listen_count; i++)
		xfree(&cfg->listen[i]);
	cfg->listen_count = 0;
}

void server_config_free(struct server_config *cfg)
{
	server_config_clear_listen(cfg);
	for (size_t i = 0; i < HF_N_ELEMENTS(keys); i++)
		if (keys[i].type == KEY_STR)
			xfree((char **)((char *)cfg + keys[i].offset));
	xfree(&cfg->config_path);
}

const char *const server_listen_protos[] = {"imap", "imaps", "lmtp", NULL};

/* The spec is checked here, so a bad one is reported with its file and
 * line (or as the --listen value), not later at bind time. */
int server_config_add_listen(struct server_config *cfg, const char *spec, const char **error_r)
{
	struct listen_spec parsed;

	if (cfg->listen_count == SERVER_MAX_LISTEN) {
		*error_r = "too many listen entries (at most 32)";
		return -1;
	}
	if (listen_spec_parse(spec, server_listen_protos, &parsed, error_r) < 0)
		return -1;
	listen_spec_clear(&parsed);
	cfg->listen[cfg->listen_count++] = xstrdup(spec);
	return 0;
}

void server_config_default_listen(struct server_config *cfg)
{
	const char *error;

	if (cfg->listen_count == 0) {
		server_config_add_listen(cfg, "imap=127.0.0.1:143", &error);
		server_config_add_listen(cfg, "imaps=127.0.0.1:993", &error);
	}
}

/* v in the largest unit that divides it exactly: "64M", "30m", "7". */
static void write_scaled(FILE *out, uint64_t v, const uint64_t *units, const char *suffixes)
{
	for (size_t i = 0; suffixes[i] != '\0'; i++) {
		if (v != 0 && v % units[i] == 0) {
			fprintf(out, "%llu%c", (unsigned long long)(v / units[i]), suffixes[i]);
			return;
		}
	}
	fprintf(out, "%llu", (unsigned long long)v);
}

/* Quoted when the file format would otherwise change it: spaces at either
 * end are trimmed, a '#' may start a comment, a '"' at either end is a
 * quote (lib/config.c). */
static void write_string(FILE *out, const char *v)
{
	size_t n = strlen(v);
	bool quote = n > 0 && (strchr(" \t\"", v[0]) != NULL || strchr(" \t\"", v[n - 1]) != NULL ||
			       strchr(v, '#') != NULL);

	fprintf(out, quote ? "\"%s\"" : "%s", v);
}

void server_config_write(const struct server_config *cfg, FILE *out)
{
	static const uint64_t sizes[] = {1024ull * 1024 * 1024, 1024 * 1024, 1024};
	static const uint64_t secs[] = {86400, 3600, 60, 1};
	static const char *const levels[] = {"error", "warn", "info", "debug"};

	for (size_t i = 0; i < HF_N_ELEMENTS(keys); i++) {
		const struct key *k = &keys[i];
		const void *field = (const char *)cfg + k->offset;

		if (k->type == KEY_LISTEN) {
			for (size_t j = 0; j < cfg->listen_count; j++)
				fprintf(out, "listen = %s\n", cfg->listen[j]);
			continue;
		}
		if (k->type == KEY_STR && *(char *const *)field == NULL) {
			fprintf(out, "# %s is not set\n", k->name);
			continue;
		}
		fprintf(out, "%s = ", k->name);
		switch (k->type) {
		case KEY_STR:
			write_string(out, *(char *const *)field);
			break;
		case KEY_BOOL:
			fputs(*(const bool *)field ? "yes" : "no", out);
			break;
		case KEY_LOGLEVEL:
			fputs(levels[*(const enum log_level *)field], out);
			break;
		case KEY_UINT:
			fprintf(out, "%llu",
				(unsigned long long)(k->offset == F(workers)
							     ? cfg->workers
							     : *(const uint64_t *)field));
			break;
		case KEY_SIZE:
			write_scaled(out, *(const uint64_t *)field, sizes, "GMK");
			break;
		case KEY_DURATION:
			write_scaled(out, *(const uint64_t *)field, secs, "dhms");
			break;
		case KEY_LISTEN:
			break;
		}
		fputc('\n', out);
	}
}

char *server_config_data_path(const struct server_config *cfg, const char *rel)
{
	size_t n = strlen(cfg->data_dir) + strlen(rel) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", cfg->data_dir, rel);
	return p;
}

static int apply(struct server_config *cfg, const struct key *k, const char *value, char *err,
		 size_t errsize)
{
	void *field = (char *)cfg + k->offset;
	uint64_t v;
	bool b;
	enum log_level level;
	const char *error;

	switch (k->type) {
	case KEY_STR:
		server_config_set_str(field, value);
		return 0;
	case KEY_LISTEN:
		if (server_config_add_listen(cfg, value, &error) < 0) {
			snprintf(err, errsize, "%s", error);
			return -1;
		}
		return 0;
	case KEY_BOOL:
		if (config_parse_bool(value, &b, err, errsize) < 0)
			return -1;
		*(bool *)field = b;
		return 0;
	case KEY_LOGLEVEL:
		if (!log_level_parse(value, &level)) {
			snprintf(err, errsize, "expected error, warn, info or debug, not \"%s\"",
				 value);
			return -1;
		}
		*(enum log_level *)field = level;
		return 0;
	case KEY_UINT:
		if (config_parse_uint(value, k->max, &v, err, errsize) < 0)
			return -1;
		break;
	case KEY_SIZE:
		if (config_parse_size(value, &v, err, errsize) < 0)
			return -1;
		break;
	case KEY_DURATION:
		if (config_parse_duration(value, &v, err, errsize) < 0)
			return -1;
		break;
	}
	if (k->offset == F(workers)) {
		if (v == 0) {
			snprintf(err, errsize, "must be at least 1");
			return -1;
		}
		cfg->workers = (unsigned)v;
	} else {
		*(uint64_t *)field = v;
	}
	return 0;
}

int server_config_load(struct server_config *cfg, const char *path, const char **error_r)
{
	static char errbuf[600];
	struct config file;
	bool listen_seen = false;

	if (config_read(path, &file, error_r) < 0)
		return -1;
	for (size_t i = 0; i < file.count; i++) {
		const struct config_entry *e = &file.entries[i];
		const struct key *k = NULL;
		char err[256];

		for (size_t j = 0; j < HF_N_ELEMENTS(keys) && k == NULL; j++)
			if (strcmp(keys[j].name, e->key) == 0)
				k = &keys[j];
		if (k == NULL) {
			snprintf(errbuf, sizeof(errbuf), "%s:%u: unknown setting \"%s\"", path,
				 e->line, e->key);
			goto fail;
		}
		/* The file's listen entries replace the built-in ones. */
		if (k->type == KEY_LISTEN && !listen_seen) {
			server_config_clear_listen(cfg);
			listen_seen = true;
		}
		if (apply(cfg, k, e->value, err, sizeof(err)) < 0) {
			snprintf(errbuf, sizeof(errbuf), "%s:%u: %s: %s", path, e->line, e->key,
				 err);
			goto fail;
		}
	}
	server_config_set_str(&cfg->config_path, path);
	config_free(&file);
	return 0;
fail:
	config_free(&file);
	*error_r = errbuf;
	return -1;
}

static bool listen_changed(const struct server_config *a, const struct server_config *b)
{
	if (a->listen_count != b->listen_count)
		return true;
	for (size_t i = 0; i < a->listen_count; i++) {
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return true;
	}
	return false;
}

/* The keys a reload cannot apply (they shaped the listeners, the processes,
 * the shared tables or the user database handles at the start) and that
 * differ in fresh: "name, name take effect at the next restart", or NULL. */
static const char *restart_note(const struct server_config *cfg, const struct server_config *fresh)
{
	static char note[512];
	const struct {
		const char *name;
		bool changed;
	} fixed[] = {
		{"listen", listen_changed(cfg, fresh)},
		{"data_dir", strcmp(fresh->data_dir, cfg->data_dir) != 0},
		{"workers", fresh->workers != cfg->workers},
		{"run_as", strcmp(fresh->run_as, cfg->run_as) != 0},
		{"syslog", fresh->syslog != cfg->syslog},
		/* A delivery in flight may hold the string (deliver-batch.c). */
		{"hostname", strcmp(fresh->hostname, cfg->hostname) != 0},
		{"auth_delay_ms", fresh->auth_delay_ms != cfg->auth_delay_ms},
		{"auth_delay_max_ms", fresh->auth_delay_max_ms != cfg->auth_delay_max_ms},
		{"auth_fail_window", fresh->auth_fail_window != cfg->auth_fail_window},
		{"auth_fail_limit", fresh->auth_fail_limit != cfg->auth_fail_limit},
		{"auth_block_time", fresh->auth_block_time != cfg->auth_block_time},
		{"auth_exempt_loopback", fresh->auth_exempt_loopback != cfg->auth_exempt_loopback},
		{"max_connections_per_ip", fresh->max_conns_per_ip != cfg->max_conns_per_ip},
		{"max_sessions_per_user",
		 fresh->max_sessions_per_user != cfg->max_sessions_per_user},
		{"scram_iterations", fresh->scram_iterations != cfg->scram_iterations},
		{"auth_cache_ttl", fresh->auth_cache_ttl != cfg->auth_cache_ttl},
		{"auth_upgrade_hashes", fresh->auth_upgrade_hashes != cfg->auth_upgrade_hashes},
	};
	size_t len = 0, n = 0;

	for (size_t i = 0; i < HF_N_ELEMENTS(fixed); i++) {
		if (fixed[i].changed)
			len += (size_t)snprintf(note + len, sizeof(note) - len, "%s%s",
						n++ > 0 ? ", " : "", fixed[i].name);
	}
	if (n == 0)
		return NULL;
	snprintf(note + len, sizeof(note) - len, " %s at the next restart",
		 n == 1 ? "takes effect" : "take effect");
	return note;
}

int server_config_reload(struct server_config *cfg, const char **note_r, const char **error_r)
{
	struct server_config fresh;

	*note_r = NULL;
	if (cfg->config_path == NULL)
		return 0;
	server_config_defaults(&fresh);
	if (server_config_load(&fresh, cfg->config_path, error_r) < 0) {
		server_config_free(&fresh);
		return -1;
	}
	*note_r = restart_note(cfg, &fresh);
	cfg->log_level = fresh.log_level;
	if (fresh.tls_cert != NULL) {
		server_config_set_str(&cfg->tls_cert, fresh.tls_cert);
		server_config_set_str(&cfg->tls_key, fresh.tls_key);
	}
	cfg->append_limit = fresh.append_limit;
	cfg->max_line = fresh.max_line;
	cfg->preauth_timeout = fresh.preauth_timeout;
	cfg->autologout = fresh.autologout;
	cfg->idle_timeout = fresh.idle_timeout;
	cfg->idle_keepalive = fresh.idle_keepalive;
	cfg->notify_max_mailboxes = fresh.notify_max_mailboxes;
	cfg->loopback_is_secure = fresh.loopback_is_secure;
	server_config_set_str(&cfg->local_domains, fresh.local_domains);
	server_config_set_str(&cfg->imap_admins, fresh.imap_admins);
	server_config_set_str(&cfg->recipient_delimiter, fresh.recipient_delimiter);
	cfg->lmtp_max_recipients = fresh.lmtp_max_recipients;
	cfg->lmtp_max_message_size = fresh.lmtp_max_message_size;
	cfg->lmtp_timeout = fresh.lmtp_timeout;
	cfg->lmtp_quota_tempfail = fresh.lmtp_quota_tempfail;
	server_config_free(&fresh);
	return 0;
}
