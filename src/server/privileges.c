/* privileges.c — the run-as user (see privileges.h). */
#include "privileges.h"
#include "lib/log.h"

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char errbuf[512];

static int create_system_user(const char *user)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("useradd", "useradd", "--system", "--no-create-home", "--home-dir",
		       "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", user,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	log_info("created system user %s", user);
	return 0;
}

int privileges_lookup(const char *user, struct run_as *ra, const char **error_r)
{
	struct passwd *pw;

	memset(ra, 0, sizeof(*ra));
	if (geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (pw == NULL && create_system_user(user) == 0)
		pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(errbuf, sizeof(errbuf),
			 "run_as user \"%s\" does not exist and could not be created", user);
		*error_r = errbuf;
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(errbuf, sizeof(errbuf), "run_as user \"%s\" is root; choose another",
			 user);
		*error_r = errbuf;
		return -1;
	}
	ra->active = true;
	ra->uid = pw->pw_uid;
	ra->gid = pw->pw_gid;
	snprintf(ra->name, sizeof(ra->name), "%s", user);
	return 0;
}

int privileges_prepare_data_dir(const char *dir, const struct run_as *ra, const char **error_r)
{
	struct stat sb;

	if (stat(dir, &sb) < 0) {
		if (errno != ENOENT || mkdir(dir, 0700) < 0 || stat(dir, &sb) < 0) {
			snprintf(errbuf, sizeof(errbuf), "data directory %s cannot be created: %s",
				 dir, strerror(errno));
			*error_r = errbuf;
			return -1;
		}
		if (ra->active && chown(dir, ra->uid, ra->gid) < 0) {
			snprintf(errbuf, sizeof(errbuf), "data directory %s: chown: %s", dir,
				 strerror(errno));
			*error_r = errbuf;
			return -1;
		}
		return 0;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(errbuf, sizeof(errbuf), "data directory %s is not a directory", dir);
		*error_r = errbuf;
		return -1;
	}
	/* A directory root made for us (by hand, by a test, by make demo) is
	 * given to the mail user; one owned by somebody else is a mistake. */
	if (ra->active && sb.st_uid == 0) {
		log_info("giving %s to user %s", dir, ra->name);
		privileges_chown_tree(dir, ra);
		return 0;
	}
	if (ra->active && sb.st_uid != ra->uid) {
		snprintf(errbuf, sizeof(errbuf),
			 "data directory %s is owned by uid %u, not by %s (uid %u): run "
			 "\"chown -R %s: %s\"",
			 dir, (unsigned)sb.st_uid, ra->name, (unsigned)ra->uid, ra->name, dir);
		*error_r = errbuf;
		return -1;
	}
	if (!ra->active && access(dir, R_OK | W_OK | X_OK) < 0) {
		snprintf(errbuf, sizeof(errbuf), "data directory %s is not writable by uid %u", dir,
			 (unsigned)geteuid());
		*error_r = errbuf;
		return -1;
	}
	return 0;
}

static uid_t walk_uid;
static gid_t walk_gid;

static int chown_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (lchown(path, walk_uid, walk_gid) < 0)
		log_warn("chown %s: %s", path, strerror(errno));
	return 0;
}

void privileges_chown_tree(const char *path, const struct run_as *ra)
{
	if (!ra->active)
		return;
	walk_uid = ra->uid;
	walk_gid = ra->gid;
	nftw(path, chown_one, 16, FTW_PHYS);
}

int privileges_drop(const struct run_as *ra, const char **error_r)
{
	if (!ra->active)
		return 0;
	if (setgroups(1, &ra->gid) < 0 || setgid(ra->gid) < 0 || setuid(ra->uid) < 0) {
		snprintf(errbuf, sizeof(errbuf), "cannot switch to user %s: %s", ra->name,
			 strerror(errno));
		*error_r = errbuf;
		return -1;
	}
	/* Make sure there is no way back. */
	if (setuid(0) == 0) {
		snprintf(errbuf, sizeof(errbuf), "dropping root did not stick");
		*error_r = errbuf;
		return -1;
	}
	return 0;
}
