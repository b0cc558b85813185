/* bench-userdb.c — the benchmark's user import for hafend: read lines
 * "NAME HASH" (a Dovecot-style hash such as {SHA512-CRYPT}$6$...) from
 * standard input and add each user to DATA/users.db with that hash, or
 * replace the hash of an existing user, through userdb_add_hashed() and
 * userdb_set_hash(), as `hafend user add|passwd --hash` do one user per
 * process; this does all of them in one, add or replace alike. Run it as
 * the user hafend runs as, so the database files belong to that user.
 *
 *   bench-userdb DATA_DIR < users.txt
 */
#include "auth/userdb.h"

#include <stdio.h>
#include <string.h>

static int import_line(struct userdb *db, char *line, unsigned lineno)
{
	char *hash = strchr(line, ' ');
	const char *error;
	int ret;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0')
		return 0; /* an empty line */
	if (hash == NULL) {
		fprintf(stderr, "bench-userdb: line %u: expected NAME HASH\n", lineno);
		return -1;
	}
	*hash++ = '\0';
	ret = userdb_add_hashed(db, line, hash, &error);
	if (ret == USERDB_ERR_EXISTS)
		ret = userdb_set_hash(db, line, hash, &error);
	if (ret != USERDB_OK) {
		fprintf(stderr, "bench-userdb: %s: %s\n", line, error);
		return -1;
	}
	return 1;
}

int main(int argc, char **argv)
{
	char path[4096], line[1024];
	struct userdb *db;
	const char *error;
	unsigned lineno = 0, users = 0;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-userdb DATA_DIR < lines of NAME HASH\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/users.db", argv[1]);
	if (userdb_open(path, NULL, &db, &error) != USERDB_OK) {
		fprintf(stderr, "bench-userdb: %s: %s\n", path, error);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		int ret = import_line(db, line, ++lineno);

		if (ret < 0)
			status = 1;
		users += ret > 0;
	}
	userdb_close(&db);
	fprintf(stderr, "bench-userdb: %u users in %s\n", users, path);
	return status;
}
