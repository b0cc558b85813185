/* userdb-name.c — which user names are allowed, and their one spelling.
 * Names become directory names under DATA/users/, so the rules keep them
 * harmless there: no '/', no leading '.' or '-', no "..". */
#include "auth/userdb.h"

#include "lib/str.h"

#include <string.h>

static bool name_char_ok(char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c) || c == '.' || c == '-' || c == '_' ||
	       c == '+' || c == '@';
}

int userdb_name_normalize(const char *name, size_t len, char out_r[USERDB_NAME_MAX + 1],
			  const char **error_r)
{
	if (len == 0) {
		*error_r = "empty user name";
		return -1;
	}
	if (len > USERDB_NAME_MAX) {
		*error_r = "user name longer than 255 bytes";
		return -1;
	}
	if (name[0] == '.' || name[0] == '-') {
		*error_r = "user name starts with '.' or '-'";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!name_char_ok(name[i])) {
			*error_r = "user name may only contain letters, digits and .-_+@";
			return -1;
		}
		if (name[i] == '.' && i + 1 < len && name[i + 1] == '.') {
			*error_r = "user name contains \"..\"";
			return -1;
		}
		out_r[i] = (char)ascii_tolower((unsigned char)name[i]);
	}
	out_r[len] = '\0';
	return 0;
}
