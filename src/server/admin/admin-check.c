/* admin-check.c — `hafend check --data DIR [--repair] [USER]`: verify (and
 * with --repair, rebuild) one user's store or every user's. */
#include "admin.h"
#include "server/privileges.h"
#include "server/user-store.h"
#include "auth/userdb.h"
#include "store/store-check.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_line(void *ctx, const char *line)
{
	printf("  %s: %s\n", (const char *)ctx, line);
}

static int check_one(const struct server_config *cfg, const struct run_as *ra, const char *user,
		     bool repair)
{
	struct store_check_options opt = {.repair = repair,
					  .grace_seconds = STORE_CHECK_GRACE_SECONDS,
					  .log = print_line,
					  .log_ctx = (void *)user};
	struct store_check_report r;
	char *dir = user_store_dir_path(cfg->data_dir, user);
	int ret = store_check(dir, &opt, &r);

	if (repair)
		privileges_chown_tree(dir, ra);
	free(dir);
	printf("%s: %llu files checked, %llu missing, %llu wrong size, %llu counters fixed,"
	       " %llu orphans and %llu temporary files removed%s%s\n",
	       user, (unsigned long long)r.files_checked, (unsigned long long)r.missing_files,
	       (unsigned long long)r.size_mismatches, (unsigned long long)r.counters_fixed,
	       (unsigned long long)r.orphans_removed, (unsigned long long)r.temp_removed,
	       r.quota_fixed ? ", quota fixed" : "", r.rebuilt ? ", database rebuilt" : "");
	if (ret != STORE_OK)
		printf("%s: check failed: %s%s\n", user, store_strerror(ret),
		       repair ? "" : " (try --repair)");
	return ret == STORE_OK && (repair || (r.missing_files == 0 && r.size_mismatches == 0)) ? 0
											       : 1;
}

struct each {
	const struct server_config *cfg;
	const struct run_as *ra;
	bool repair;
	int worst;
};

static int check_listed(void *ctx, const struct userdb_user *u)
{
	struct each *e = ctx;

	if (check_one(e->cfg, e->ra, u->name, e->repair) != 0)
		e->worst = 1;
	return 0;
}

int admin_check(int argc, char **argv)
{
	struct server_config cfg;
	struct run_as ra;
	struct userdb *db = NULL;
	struct each e = {&cfg, &ra, false, 0};
	const char *user = NULL, *error;
	char *path;
	int ret = admin_common_options(&argc, argv, &cfg);

	for (int i = 1; ret == 0 && i < argc; i++) {
		if (strcmp(argv[i], "--repair") == 0)
			e.repair = true;
		else if (argv[i][0] != '-' && user == NULL)
			user = argv[i];
		else {
			fprintf(stderr, "usage: hafend check --data DIR [--repair] [USER]\n");
			ret = EX_USAGE_;
		}
	}
	if (ret == 0 && privileges_lookup(cfg.run_as, &ra, &error) < 0) {
		fprintf(stderr, "hafend: %s\n", error);
		ret = EX_CONFIG_;
	}
	if (ret == 0 && user != NULL) {
		ret = check_one(&cfg, &ra, user, e.repair);
	} else if (ret == 0) {
		path = server_config_data_path(&cfg, "users.db");
		if (userdb_open(path, NULL, &db, &error) != USERDB_OK) {
			fprintf(stderr, "hafend: %s\n", error);
			ret = EX_TEMPFAIL_;
		} else {
			userdb_list(db, check_listed, &e, &error);
			ret = e.worst;
		}
		free(path);
	}
	userdb_close(&db);
	server_config_free(&cfg);
	return ret;
}
