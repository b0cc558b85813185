/* account-paths.c — where the configuration file and each account's
 * local cache live (XDG base directories, HAFEN_HOME for tests). */
#include "account.h"

#include "lib/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static __thread char errbuf[512];

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* $VAR when set to an absolute path (the XDG spec ignores relative ones). */
static const char *env_dir(const char *var)
{
	const char *v = getenv(var);

	return v != NULL && v[0] == '/' ? v : NULL;
}

static const char *home(void)
{
	const char *h = getenv("HOME");

	return h != NULL && h[0] != '\0' ? h : "/";
}

char *account_config_path(const char *config_override)
{
	const char *d;
	char *base, *p;

	if (config_override != NULL)
		return xstrdup(config_override);
	if ((d = env_dir("HAFEN_HOME")) != NULL)
		return join(d, "config");
	if ((d = env_dir("XDG_CONFIG_HOME")) != NULL)
		return join(d, "hafen/config");
	base = join(home(), ".config");
	p = join(base, "hafen/config");
	free(base);
	return p;
}

char *account_data_dir(const char *name)
{
	const char *d;
	char *base, *p;

	if ((d = env_dir("HAFEN_HOME")) != NULL) {
		base = join(d, "data");
	} else if ((d = env_dir("XDG_DATA_HOME")) != NULL) {
		base = join(d, "hafen");
	} else {
		char *local = join(home(), ".local/share");

		base = join(local, "hafen");
		free(local);
	}
	p = join(base, name);
	free(base);
	return p;
}

int account_mkdirs(const char *path, const char **error_r)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; ret == 0; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			snprintf(errbuf, sizeof(errbuf), "%s: %s", p, strerror(errno));
			*error_r = errbuf;
			ret = -1;
		}
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return ret;
}
