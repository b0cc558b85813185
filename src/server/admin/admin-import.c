/* admin-import.c — `hafend import --data DIR USER maildir|mbox PATH`: bring
 * a Maildir (Maildir++ or a tree of maildirs) or an mbox file or tree into
 * a user's store. Safe to run again: what is already there is skipped
 * (src/server/mailio/import.h says how, and why a crash loses nothing). */
#include "admin-mailio.h"
#include "server/mailio/import.h"
#include "server/mailio/mailio-creds.h"
#include "server/privileges.h"
#include "server/user-store.h"
#include "auth/userdb.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMPORT_USAGE                                                                               \
	"usage: hafend import --data DIR USER maildir|mbox PATH [--mbox-format mboxrd|mboxo]"      \
	" [--progress|--no-progress]\n"

struct import_args {
	const char *user, *format, *path;
	enum mbox_format mbox_format;
	int progress; /* -1: when standard error is a terminal */
};

int admin_parse_mbox_format(const char *value, enum mbox_format *format_r)
{
	if (strcmp(value, "mboxrd") == 0)
		*format_r = MBOX_MBOXRD;
	else if (strcmp(value, "mboxo") == 0)
		*format_r = MBOX_MBOXO;
	else
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv, struct import_args *a)
{
	const char **pos[] = {&a->user, &a->format, &a->path};
	size_t npos = 0;

	a->mbox_format = MBOX_MBOXRD;
	a->progress = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mbox-format") == 0 && i + 1 < argc) {
			if (admin_parse_mbox_format(argv[++i], &a->mbox_format) < 0)
				return -1;
		} else if (strcmp(argv[i], "--progress") == 0 ||
			   strcmp(argv[i], "--no-progress") == 0) {
			a->progress = argv[i][2] == 'p';
		} else if (argv[i][0] != '-' && npos < HF_N_ELEMENTS(pos)) {
			*pos[npos++] = argv[i];
		} else {
			return -1;
		}
	}
	if (npos != HF_N_ELEMENTS(pos) ||
	    (strcmp(a->format, "maildir") != 0 && strcmp(a->format, "mbox") != 0))
		return -1;
	return 0;
}

static int run(struct store *s, const struct server_config *cfg, const struct import_args *a,
	       const char *user)
{
	struct import_options opt = {cfg->append_limit, a->mbox_format, stdout, NULL};
	const struct import_stats *st;
	struct importer *im;
	const char *error;
	int ret;

	if (a->progress == 1 || (a->progress < 0 && isatty(STDERR_FILENO)))
		opt.progress = stderr;
	im = importer_new(s, &opt);
	ret = strcmp(a->format, "maildir") == 0 ? import_maildir(im, a->path, &error)
						: import_mbox(im, a->path, &error);
	if (ret == 0)
		ret = importer_finish(im, &error);
	st = importer_stats(im);
	printf("%s: %llu messages imported into %llu mailboxes (%llu created), %llu already"
	       " there, %llu skipped\n",
	       user, (unsigned long long)st->imported, (unsigned long long)st->mailboxes,
	       (unsigned long long)st->created, (unsigned long long)st->present,
	       (unsigned long long)st->skipped);
	if (ret < 0) {
		fprintf(stderr, "hafend import: %s: %s\n", a->path, error);
		ret = importer_store_error(im) != STORE_OK ? EX_TEMPFAIL_ : EX_NOINPUT_;
	} else {
		ret = st->skipped > 0 ? EX_DATAERR_ : 0;
	}
	importer_free(&im);
	return ret;
}

/* The user's canonical name, after checking it exists. */
static int find_user(const struct server_config *cfg, const char *name, struct userdb_user *u)
{
	char *path = server_config_data_path(cfg, "users.db");
	struct userdb *db = NULL;
	const char *error;
	int ret = userdb_open(path, NULL, &db, &error);

	if (ret == USERDB_OK)
		ret = userdb_get(db, name, u, &error);
	if (ret != USERDB_OK)
		fprintf(stderr, "hafend: %s\n", error);
	userdb_close(&db);
	free(path);
	return ret == USERDB_OK ? 0 : ret == USERDB_ERR_NOT_FOUND ? EX_NOUSER_ : EX_TEMPFAIL_;
}

int admin_open_user_store(const struct server_config *cfg, const char *user, struct store **s_r)
{
	char *dir = user_store_dir_path(cfg->data_dir, user);
	const char *error;
	int ret = user_store_provision(cfg->data_dir, user, &error);

	if (ret == 0 && store_open(dir, 0, s_r, &error) != STORE_OK)
		ret = -1;
	if (ret < 0)
		fprintf(stderr, "hafend: %s\n", error);
	free(dir);
	return ret < 0 ? EX_TEMPFAIL_ : 0;
}

int admin_mailio_start(const struct server_config *cfg, struct run_as *ra)
{
	const char *error;

	if (privileges_lookup(cfg->run_as, ra, &error) < 0 ||
	    privileges_prepare_data_dir(cfg->data_dir, ra, &error) < 0 ||
	    mailio_creds_init(ra, &error) < 0) {
		fprintf(stderr, "hafend: %s\n", error);
		return EX_CONFIG_;
	}
	return 0;
}

int admin_import(int argc, char **argv)
{
	struct server_config cfg;
	struct import_args a = {NULL, NULL, NULL, MBOX_MBOXRD, -1};
	struct userdb_user u;
	struct run_as ra;
	struct store *s = NULL;
	int ret = admin_common_options(&argc, argv, &cfg);

	if (ret == 0 && parse_args(argc, argv, &a) < 0) {
		fputs(IMPORT_USAGE, stderr);
		ret = EX_USAGE_;
	}
	if (ret == 0)
		ret = admin_mailio_start(&cfg, &ra);
	if (ret == 0)
		ret = find_user(&cfg, a.user, &u);
	if (ret == 0)
		ret = admin_open_user_store(&cfg, u.name, &s);
	if (ret == 0)
		ret = run(s, &cfg, &a, u.name);
	store_close(&s);
	mailio_creds_done();
	server_config_free(&cfg);
	return ret;
}
