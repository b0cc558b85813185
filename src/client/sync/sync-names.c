/* sync-names.c — local folder names ('/' delimiter) and the server's
 * (its own delimiter), both ways. */
#include "sync.h"

#include "lib/mem.h"

#include <string.h>

char *sync_local_name(const char *remote, char delimiter)
{
	char *p;

	if (delimiter != '/' && delimiter != 0 && strchr(remote, '/') != NULL)
		return NULL;
	p = xstrdup(remote);
	if (delimiter != 0 && delimiter != '/')
		for (char *q = p; *q != '\0'; q++)
			if (*q == delimiter)
				*q = '/';
	return p;
}

char *sync_remote_name(const char *local, char delimiter)
{
	char *p;

	if (delimiter != '/' && delimiter != 0 && strchr(local, delimiter) != NULL)
		return NULL;
	p = xstrdup(local);
	if (delimiter != 0 && delimiter != '/')
		for (char *q = p; *q != '\0'; q++)
			if (*q == '/')
				*q = delimiter;
	return p;
}
