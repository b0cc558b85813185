/* config.c — "key = value" configuration files (see config.h). */
#include "config.h"
#include "err.h"
#include "mem.h"
#include "str.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CONFIG_MAX_SIZE (1024 * 1024)

static char errbuf[512];

static const char *trim(char *s, char **end)
{
	while (*s == ' ' || *s == '\t')
		s++;
	*end = s + strlen(s);
	while (*end > s && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
		(*end)--;
	**end = '\0';
	return s;
}

/* Strip a comment that starts at a '#' after whitespace, outside quotes. */
static void strip_comment(char *s)
{
	bool quoted = false;

	for (char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static int parse_line(const char *name, unsigned lineno, char *line, struct config *cfg)
{
	char *eq, *end;
	const char *key, *value;
	size_t vlen;

	strip_comment(line);
	key = trim(line, &end);
	if (*key == '\0')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL) {
		snprintf(errbuf, sizeof(errbuf), "%s:%u: expected \"key = value\"", name, lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(line, &end);
	value = trim(eq + 1, &end);
	if (*key == '\0') {
		snprintf(errbuf, sizeof(errbuf), "%s:%u: missing key before '='", name, lineno);
		return -1;
	}
	vlen = strlen(value);
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
		value++;
		vlen -= 2;
	} else if (vlen > 0 && (value[0] == '"' || value[vlen - 1] == '"')) {
		snprintf(errbuf, sizeof(errbuf), "%s:%u: unbalanced quote", name, lineno);
		return -1;
	}
	cfg->entries = xreallocarray(cfg->entries, cfg->count + 1, sizeof(*cfg->entries));
	cfg->entries[cfg->count].key = xstrdup(key);
	cfg->entries[cfg->count].value = xstrndup(value, vlen);
	cfg->entries[cfg->count].line = lineno;
	cfg->count++;
	return 0;
}

int config_parse(const char *name, const char *text, size_t len, struct config *cfg_r,
		 const char **error_r)
{
	unsigned lineno = 0;
	size_t pos = 0;

	memset(cfg_r, 0, sizeof(*cfg_r));
	cfg_r->path = xstrdup(name);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *line = xstrndup(text + pos, n);
		int ret;

		lineno++;
		if (memchr(text + pos, '\0', n) != NULL) {
			snprintf(errbuf, sizeof(errbuf), "%s:%u: NUL byte", name, lineno);
			ret = -1;
		} else {
			ret = parse_line(name, lineno, line, cfg_r);
		}
		free(line);
		if (ret < 0) {
			config_free(cfg_r);
			*error_r = errbuf;
			return -1;
		}
		pos += n + (nl != NULL);
	}
	return 0;
}

int config_read(const char *path, struct config *cfg_r, const char **error_r)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t len;
	int ret;

	if (f == NULL) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s", path, strerror(errno));
		*error_r = errbuf;
		return -1;
	}
	text = xmalloc(CONFIG_MAX_SIZE + 1);
	len = fread(text, 1, CONFIG_MAX_SIZE + 1, f);
	if (ferror(f) || len > CONFIG_MAX_SIZE) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s", path,
			 ferror(f) ? "read error" : "file larger than 1 MiB");
		fclose(f);
		free(text);
		*error_r = errbuf;
		return -1;
	}
	fclose(f);
	ret = config_parse(path, text, len, cfg_r, error_r);
	free(text);
	return ret;
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->count; i++) {
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

int config_parse_bool(const char *value, bool *out, char *err, size_t errsize)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < HF_N_ELEMENTS(yes); i++) {
		if (str_casecmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (str_casecmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	snprintf(err, errsize, "expected yes or no, not \"%s\"", value);
	return -1;
}

int config_parse_uint(const char *value, uint64_t max, uint64_t *out, char *err, size_t errsize)
{
	if (!str_to_u64(value, strlen(value), max, out)) {
		snprintf(err, errsize, "expected a number up to %llu, not \"%s\"",
			 (unsigned long long)max, value);
		return -1;
	}
	return 0;
}

static int parse_scaled(const char *value, const char *suffixes, const uint64_t *scale,
			uint64_t *out, char *err, size_t errsize, const char *what)
{
	size_t len = strlen(value);
	uint64_t mult = 1, n;
	const char *s;

	if (len > 0 &&
	    (s = strchr(suffixes, ascii_tolower((unsigned char)value[len - 1]))) != NULL &&
	    *s != '\0') {
		mult = scale[s - suffixes];
		len--;
	}
	if (!str_to_u64(value, len, UINT64_MAX / mult, &n)) {
		snprintf(err, errsize, "expected %s, not \"%s\"", what, value);
		return -1;
	}
	*out = n * mult;
	return 0;
}

int config_parse_size(const char *value, uint64_t *out, char *err, size_t errsize)
{
	static const uint64_t scale[] = {1024, 1024 * 1024, 1024 * 1024 * 1024};

	return parse_scaled(value, "kmg", scale, out, err, errsize,
			    "a size such as 512, 64K, 10M or 2G");
}

int config_parse_duration(const char *value, uint64_t *out, char *err, size_t errsize)
{
	static const uint64_t scale[] = {1, 60, 3600, 86400};

	return parse_scaled(value, "smhd", scale, out, err, errsize,
			    "a duration such as 30, 30s, 5m, 2h or 1d");
}
