/* privileges.h — running as the unprivileged mail user: finding or
 * creating it, giving it the data directory, and dropping root. */
#ifndef HAFEN_SERVER_PRIVILEGES_H
#define HAFEN_SERVER_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>

struct run_as {
	bool active; /* we are root and will switch */
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* As root: find the user (creating a system user when missing). Not root:
 * active is false and nothing changes. -1 with *error_r on failure. */
int privileges_lookup(const char *user, struct run_as *ra, const char **error_r);
/* Make sure the data directory exists and belongs to the run-as user (or,
 * not as root, is writable by us). -1 with a one-line *error_r. */
int privileges_prepare_data_dir(const char *dir, const struct run_as *ra, const char **error_r);
/* Give path (recursively) to the run-as user: admin commands run as root
 * must not leave root-owned files the server cannot write. */
void privileges_chown_tree(const char *path, const struct run_as *ra);
/* Switch to the run-as user for good. */
int privileges_drop(const struct run_as *ra, const char **error_r);

#endif
