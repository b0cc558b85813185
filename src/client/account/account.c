/* account.c — reading, checking and writing the accounts of the client's
 * configuration file (account.h). */
#include "account.h"

#include "lib/config.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static __thread char errbuf[512];

bool account_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!ascii_isalpha(name[i]) && !ascii_isdigit(name[i]) && name[i] != '.' &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

void account_clear(struct account *a)
{
	free(a->name);
	free(a->host);
	free(a->user);
	free(a->password_command);
	free(a->ca_file);
	free(a->smtp_host);
	free(a->smtp_user);
	free(a->from);
	free(a->ignore_caps);
	memset(a, 0, sizeof(*a));
}

void account_list_free(struct account_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		account_clear(&list->items[i]);
	free(list->items);
	free(list->default_name);
	memset(list, 0, sizeof(*list));
}

static int parse_tls(const char *value, enum imapc_tls *tls_r)
{
	if (strcmp(value, "implicit") == 0)
		*tls_r = IMAPC_TLS_IMPLICIT;
	else if (strcmp(value, "starttls") == 0)
		*tls_r = IMAPC_TLS_STARTTLS;
	else if (strcmp(value, "none") == 0)
		*tls_r = IMAPC_TLS_NONE;
	else
		return -1;
	return 0;
}

const char *account_tls_name(enum imapc_tls tls)
{
	return tls == IMAPC_TLS_IMPLICIT   ? "implicit"
	       : tls == IMAPC_TLS_STARTTLS ? "starttls"
					   : "none";
}

static int parse_port(const char *value, uint16_t *port_r)
{
	uint32_t v;

	if (!str_to_u32(value, strlen(value), &v) || v == 0 || v > 65535)
		return -1;
	*port_r = (uint16_t)v;
	return 0;
}

/* none | all | recent:Nd (N days, 1..36500) */
static int parse_bodies(struct account *a, const char *value)
{
	uint32_t days;
	size_t n = strlen(value);

	if (strcmp(value, "none") == 0) {
		a->bodies = ACCOUNT_BODIES_NONE;
	} else if (strcmp(value, "all") == 0) {
		a->bodies = ACCOUNT_BODIES_ALL;
	} else if (strncmp(value, "recent:", 7) == 0 && n > 8 && value[n - 1] == 'd' &&
		   str_to_u32(value + 7, n - 8, &days) && days > 0 && days <= 36500) {
		a->bodies = ACCOUNT_BODIES_RECENT;
		a->bodies_days = days;
	} else {
		return -1;
	}
	return 0;
}

const char *account_bodies_name(const struct account *a, char *buf, size_t size)
{
	if (a->bodies == ACCOUNT_BODIES_RECENT) {
		snprintf(buf, size, "recent:%ud", a->bodies_days);
		return buf;
	}
	return a->bodies == ACCOUNT_BODIES_ALL ? "all" : "none";
}

static int set_string(char **field, const char *value)
{
	/* Values are written back to the file; a line break cannot be. */
	if (strpbrk(value, "\r\n\"") != NULL)
		return -1;
	free(*field);
	*field = xstrdup(value);
	return 0;
}

int account_set(struct account *a, const char *key, const char *value, const char **error_r)
{
	int r = 0;

	if (strcmp(key, "host") == 0 || strcmp(key, "smtp_host") == 0)
		r = value[0] == '\0' || strpbrk(value, " /\t") != NULL
			    ? -1
			    : set_string(key[0] == 'h' ? &a->host : &a->smtp_host, value);
	else if (strcmp(key, "port") == 0)
		r = parse_port(value, &a->port);
	else if (strcmp(key, "smtp_port") == 0)
		r = parse_port(value, &a->smtp_port);
	else if (strcmp(key, "tls") == 0)
		r = parse_tls(value, &a->tls);
	else if (strcmp(key, "smtp_tls") == 0)
		r = parse_tls(value, &a->smtp_tls);
	else if (strcmp(key, "user") == 0)
		r = value[0] == '\0' ? -1 : set_string(&a->user, value);
	else if (strcmp(key, "smtp_user") == 0)
		r = set_string(&a->smtp_user, value);
	else if (strcmp(key, "password_command") == 0)
		r = set_string(&a->password_command, value);
	else if (strcmp(key, "ca_file") == 0)
		r = set_string(&a->ca_file, value);
	else if (strcmp(key, "from") == 0)
		r = set_string(&a->from, value);
	else if (strcmp(key, "ignore_caps") == 0)
		r = set_string(&a->ignore_caps, value);
	else if (strcmp(key, "insecure") == 0)
		r = config_parse_bool(value, &a->insecure, errbuf, sizeof(errbuf));
	else if (strcmp(key, "bodies") == 0)
		r = parse_bodies(a, value);
	else {
		snprintf(errbuf, sizeof(errbuf), "unknown setting \"%s\"", key);
		*error_r = errbuf;
		return -1;
	}
	if (r < 0) {
		snprintf(errbuf, sizeof(errbuf), "bad value for %s: \"%s\"", key, value);
		*error_r = errbuf;
	}
	return r;
}

static int check_complete(const struct account *a, const char *path, const char **error_r)
{
	if (a->host == NULL || a->user == NULL) {
		snprintf(errbuf, sizeof(errbuf), "%s: account %s needs host and user", path,
			 a->name);
		*error_r = errbuf;
		return -1;
	}
	return 0;
}

static int apply_entries(const char *path, const struct config *cfg, struct account_list *list,
			 const char **error_r)
{
	struct account *cur = NULL;
	const char *err;

	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];
		struct account fresh = {0};

		if (strcmp(e->key, "account") == 0) {
			if (cur != NULL && check_complete(cur, path, error_r) < 0)
				return -1;
			fresh.name = xstrdup(e->value);
			fresh.tls = fresh.smtp_tls = IMAPC_TLS_IMPLICIT;
			if (!account_name_valid(e->value) ||
			    account_list_add(list, &fresh, &err) < 0) {
				account_clear(&fresh);
				snprintf(errbuf, sizeof(errbuf),
					 "%s:%u: bad or repeated account name \"%s\"", path,
					 e->line, e->value);
				*error_r = errbuf;
				return -1;
			}
			cur = &list->items[list->count - 1];
		} else if (strcmp(e->key, "default") == 0 && cur == NULL) {
			free(list->default_name);
			list->default_name = xstrdup(e->value);
		} else if (cur == NULL || account_set(cur, e->key, e->value, &err) < 0) {
			char why[256]; /* err may point into errbuf */

			snprintf(why, sizeof(why), "%s",
				 cur == NULL ? "settings before the first \"account = NAME\""
					     : err);
			snprintf(errbuf, sizeof(errbuf), "%s:%u: %s", path, e->line, why);
			*error_r = errbuf;
			return -1;
		}
	}
	return cur != NULL ? check_complete(cur, path, error_r) : 0;
}

int account_list_read(const char *path, struct account_list *list_r, const char **error_r)
{
	struct config cfg;
	const char *err;
	int ret;

	memset(list_r, 0, sizeof(*list_r));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (config_read(path, &cfg, &err) < 0) {
		snprintf(errbuf, sizeof(errbuf), "%s", err);
		*error_r = errbuf;
		return -1;
	}
	ret = apply_entries(path, &cfg, list_r, error_r);
	config_free(&cfg);
	if (ret < 0)
		account_list_free(list_r);
	return ret;
}

struct account *account_find(struct account_list *list, const char *name)
{
	if (name == NULL)
		name = list->default_name;
	if (name == NULL)
		return list->count > 0 ? &list->items[0] : NULL;
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0)
			return &list->items[i];
	return NULL;
}

int account_list_add(struct account_list *list, struct account *a, const char **error_r)
{
	for (size_t i = 0; i < list->count; i++) {
		if (strcmp(list->items[i].name, a->name) == 0) {
			snprintf(errbuf, sizeof(errbuf), "account %s exists already", a->name);
			*error_r = errbuf;
			return -1;
		}
	}
	list->items = xreallocarray(list->items, list->count + 1, sizeof(*list->items));
	list->items[list->count++] = *a;
	memset(a, 0, sizeof(*a));
	return 0;
}

int account_list_del(struct account_list *list, const char *name, const char **error_r)
{
	for (size_t i = 0; i < list->count; i++) {
		if (strcmp(list->items[i].name, name) != 0)
			continue;
		account_clear(&list->items[i]);
		memmove(&list->items[i], &list->items[i + 1],
			(list->count - i - 1) * sizeof(*list->items));
		list->count--;
		if (list->default_name != NULL && strcmp(list->default_name, name) == 0)
			xfree(&list->default_name);
		return 0;
	}
	snprintf(errbuf, sizeof(errbuf), "no account named %s", name);
	*error_r = errbuf;
	return -1;
}

uint16_t account_imap_port(const struct account *a)
{
	return a->port ? a->port : a->tls == IMAPC_TLS_IMPLICIT ? 993 : 143;
}

uint16_t account_smtp_port(const struct account *a)
{
	return a->smtp_port ? a->smtp_port : a->smtp_tls == IMAPC_TLS_IMPLICIT ? 465 : 587;
}

/* ---- writing ---- */

static void put(struct buf *b, const char *key, const char *value)
{
	bool quote;

	if (value == NULL)
		return;
	/* lib/config.h: quotes keep surrounding spaces and '#'. */
	quote = value[0] == ' ' || value[0] == '\t' || strchr(value, '#') != NULL ||
		(value[0] != '\0' && (value[strlen(value) - 1] == ' '));
	buf_printf(b, "%s = %s%s%s\n", key, quote ? "\"" : "", value, quote ? "\"" : "");
}

static void write_account(struct buf *b, const struct account *a)
{
	char tmp[32];

	buf_printf(b, "\naccount = %s\n", a->name);
	put(b, "host", a->host);
	if (a->port)
		buf_printf(b, "port = %u\n", a->port);
	put(b, "tls", account_tls_name(a->tls));
	put(b, "user", a->user);
	put(b, "password_command", a->password_command);
	put(b, "ca_file", a->ca_file);
	if (a->insecure)
		put(b, "insecure", "yes");
	put(b, "bodies", account_bodies_name(a, tmp, sizeof(tmp)));
	put(b, "from", a->from);
	put(b, "ignore_caps", a->ignore_caps);
	put(b, "smtp_host", a->smtp_host);
	if (a->smtp_port)
		buf_printf(b, "smtp_port = %u\n", a->smtp_port);
	if (a->smtp_host != NULL)
		put(b, "smtp_tls", account_tls_name(a->smtp_tls));
	put(b, "smtp_user", a->smtp_user);
}

static int write_file(const char *path, const struct buf *b, const char **error_r)
{
	char *tmp = xmalloc(strlen(path) + 8);
	int fd, ret = -1;

	sprintf(tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, b->data, b->len) == (ssize_t)b->len && fsync(fd) == 0 &&
	    close(fd) == 0) {
		fd = -1;
		ret = rename(tmp, path);
	}
	if (ret < 0) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s", path, strerror(errno));
		*error_r = errbuf;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

int account_list_write(const char *path, const struct account_list *list, const char **error_r)
{
	struct buf b = BUF_INIT;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int ret = 0;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		ret = account_mkdirs(dir, error_r);
	}
	free(dir);
	buf_append_str(&b, "# hafen accounts (docs/client.md). Written by \"hafen account\";\n"
			   "# comments here are not kept. Passwords are never stored here.\n");
	if (list->default_name != NULL)
		put(&b, "default", list->default_name);
	for (size_t i = 0; i < list->count; i++)
		write_account(&b, &list->items[i]);
	if (ret == 0)
		ret = write_file(path, &b, error_r);
	buf_free(&b);
	return ret;
}
