/* admin-export.c — `hafend export --data DIR USER --format maildir|mbox
 * PATH`: write every mailbox of a user out as Maildir++ or an mbox tree
 * (src/server/mailio/export.h). Run again into the same Maildir, it
 * writes only what is missing. */
#include "admin-mailio.h"
#include "server/mailio/export.h"
#include "server/mailio/mailio-creds.h"
#include "auth/userdb.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT_USAGE                                                                               \
	"usage: hafend export --data DIR USER --format maildir|mbox PATH [--utf8-names]"           \
	" [--mbox-format mboxrd|mboxo] [--progress|--no-progress]\n"

struct export_args {
	const char *user, *format, *path;
	struct export_options opt;
	int progress;
};

static int parse_args(int argc, char **argv, struct export_args *a)
{
	const char **pos[] = {&a->user, &a->path};
	size_t npos = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			a->format = argv[++i];
		} else if (strcmp(argv[i], "--mbox-format") == 0 && i + 1 < argc) {
			if (admin_parse_mbox_format(argv[++i], &a->opt.mbox_format) < 0)
				return -1;
		} else if (strcmp(argv[i], "--utf8-names") == 0) {
			a->opt.utf8_names = true;
		} else if (strcmp(argv[i], "--progress") == 0 ||
			   strcmp(argv[i], "--no-progress") == 0) {
			a->progress = argv[i][2] == 'p';
		} else if (argv[i][0] != '-' && npos < HF_N_ELEMENTS(pos)) {
			*pos[npos++] = argv[i];
		} else {
			return -1;
		}
	}
	if (npos != HF_N_ELEMENTS(pos) || a->format == NULL ||
	    (strcmp(a->format, "maildir") != 0 && strcmp(a->format, "mbox") != 0))
		return -1;
	return 0;
}

static int run(struct store *s, struct export_args *a, const char *user)
{
	struct export_stats st;
	const char *error;
	int store_err = STORE_OK, ret;

	a->opt.report = stdout;
	if (a->progress == 1 || (a->progress < 0 && isatty(STDERR_FILENO)))
		a->opt.progress = stderr;
	ret = strcmp(a->format, "maildir") == 0
		      ? export_maildir(s, a->path, &a->opt, &st, &store_err, &error)
		      : export_mbox(s, a->path, &a->opt, &st, &store_err, &error);
	printf("%s: %llu messages exported from %llu mailboxes", user,
	       (unsigned long long)st.exported, (unsigned long long)st.mailboxes);
	if (st.present > 0)
		printf(", %llu already there", (unsigned long long)st.present);
	if (st.keywords_dropped > 0)
		printf(", %llu keywords Maildir could not hold",
		       (unsigned long long)st.keywords_dropped);
	printf("\n");
	if (ret == 0)
		return 0;
	fprintf(stderr, "hafend export: %s\n", error);
	return store_err != STORE_OK ? EX_TEMPFAIL_ : EX_CANTCREAT_;
}

int admin_export(int argc, char **argv)
{
	struct server_config cfg;
	struct export_args a;
	struct userdb_user u;
	struct run_as ra;
	struct store *s = NULL;
	char *path;
	struct userdb *db = NULL;
	const char *error;
	int ret = admin_common_options(&argc, argv, &cfg);

	memset(&a, 0, sizeof(a));
	a.progress = -1;
	if (ret == 0 && parse_args(argc, argv, &a) < 0) {
		fputs(EXPORT_USAGE, stderr);
		ret = EX_USAGE_;
	}
	if (ret == 0)
		ret = admin_mailio_start(&cfg, &ra);
	if (ret == 0) {
		path = server_config_data_path(&cfg, "users.db");
		if (userdb_open(path, NULL, &db, &error) != USERDB_OK ||
		    userdb_get(db, a.user, &u, &error) != USERDB_OK) {
			fprintf(stderr, "hafend: %s\n", error);
			ret = db != NULL ? EX_NOUSER_ : EX_TEMPFAIL_;
		}
		userdb_close(&db);
		free(path);
	}
	if (ret == 0)
		ret = admin_open_user_store(&cfg, u.name, &s);
	if (ret == 0)
		ret = run(s, &a, u.name);
	store_close(&s);
	mailio_creds_done();
	server_config_free(&cfg);
	return ret;
}
