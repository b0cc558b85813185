/* admin-user.c — `hafend user add|passwd|del|list|quota --data DIR [NAME]`.
 * The password comes from standard input when it is not a terminal, else
 * it is asked twice without echo. With --hash, add and passwd take a crypt
 * hash instead (Dovecot's "{SHA512-CRYPT}$6$..." form too, see
 * password_import): the same way, so it never shows in the process list. */
#include "admin.h"
#include "server/privileges.h"
#include "server/user-store.h"
#include "auth/userdb.h"
#include "lib/config.h"
#include "lib/mem.h"
#include "store/store.h"

#include <errno.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD_MAX 1024

static int read_line(FILE *in, char *buf, size_t size)
{
	size_t len;

	if (fgets(buf, (int)size, in) == NULL)
		return -1;
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return (int)len;
}

static int prompt(const char *text, char *buf, size_t size)
{
	struct termios old, quiet;
	int ret;

	/* Echo off before the prompt: TCSAFLUSH drops input typed before it,
	 * which must not include an answer to the prompt. */
	tcgetattr(STDIN_FILENO, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fputs(text, stderr);
	fflush(stderr);
	ret = read_line(stdin, buf, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return ret;
}

/* The new password into buf; -1 after saying what went wrong. */
static int get_password(char *buf, size_t size)
{
	char again[PASSWORD_MAX + 2];
	int len;

	if (!isatty(STDIN_FILENO)) {
		len = read_line(stdin, buf, size);
		if (len <= 0) {
			fprintf(stderr, "hafend: no password on standard input\n");
			return -1;
		}
		return len;
	}
	len = prompt("New password: ", buf, size);
	if (len <= 0 || prompt("Repeat it: ", again, sizeof(again)) < 0 ||
	    strcmp(buf, again) != 0) {
		fprintf(stderr, "hafend: %s\n", len <= 0 ? "empty password" : "passwords differ");
		OPENSSL_cleanse(again, sizeof(again));
		return -1;
	}
	OPENSSL_cleanse(again, sizeof(again));
	return len;
}

/* An imported hash into buf: one line, asked once without echo on a
 * terminal (it is not a password, but whoever has it can try to crack it). */
static int get_hash(char *buf, size_t size)
{
	int len = isatty(STDIN_FILENO) ? prompt("Hash: ", buf, size) : read_line(stdin, buf, size);

	if (len <= 0) {
		fprintf(stderr, "hafend: no hash on standard input\n");
		return -1;
	}
	return len;
}

/* The password, or with --hash the imported hash, into buf. */
static int get_secret(bool hash, char *buf, size_t size)
{
	return hash ? get_hash(buf, size) : get_password(buf, size);
}

struct admin_ctx {
	struct server_config cfg;
	struct run_as ra;
	struct userdb *db;
};

static int open_db(struct admin_ctx *a)
{
	char *path = server_config_data_path(&a->cfg, "users.db");
	struct userdb_settings set;
	const char *error;
	int ret;

	/* New SCRAM keys get the iteration count the server uses for its
	 * decoys, or the count in server-first would tell which users exist. */
	userdb_settings_default(&set);
	set.scram_iterations = (uint32_t)a->cfg.scram_iterations;

	if (privileges_lookup(a->cfg.run_as, &a->ra, &error) < 0 ||
	    privileges_prepare_data_dir(a->cfg.data_dir, &a->ra, &error) < 0) {
		fprintf(stderr, "hafend: %s\n", error);
		free(path);
		return EX_CONFIG_;
	}
	ret = userdb_open(path, &set, &a->db, &error);
	if (ret != USERDB_OK)
		fprintf(stderr, "hafend: %s\n", error);
	else
		privileges_chown_tree(path, &a->ra);
	free(path);
	return ret == USERDB_OK ? 0 : EX_TEMPFAIL_;
}

static int fail(int err, const char *error)
{
	fprintf(stderr, "hafend: %s\n", error);
	return err == USERDB_ERR_NOT_FOUND                             ? EX_NOUSER_
	       : err == USERDB_ERR_INVALID || err == USERDB_ERR_EXISTS ? EX_DATAERR_
								       : EX_TEMPFAIL_;
}

static int cmd_add(struct admin_ctx *a, const char *name, bool hash)
{
	char password[PASSWORD_MAX + 2], canon[USERDB_NAME_MAX + 1], *dir;
	const char *error;
	int len, ret;

	if (userdb_name_normalize(name, strlen(name), canon, &error) < 0)
		return fail(USERDB_ERR_INVALID, error);
	len = get_secret(hash, password, sizeof(password));
	if (len < 0)
		return EX_DATAERR_;
	ret = hash ? userdb_add_hashed(a->db, canon, password, &error)
		   : userdb_add(a->db, canon, password, (size_t)len, &error);
	OPENSSL_cleanse(password, sizeof(password));
	if (ret != USERDB_OK)
		return fail(ret, error);
	if (user_store_provision(a->cfg.data_dir, canon, &error) < 0) {
		fprintf(stderr, "hafend: user %s added, but the mail store failed: %s\n", canon,
			error);
		return EX_TEMPFAIL_;
	}
	dir = server_config_data_path(&a->cfg, "users");
	privileges_chown_tree(dir, &a->ra);
	free(dir);
	printf("user %s added\n", canon);
	return 0;
}

static int cmd_passwd(struct admin_ctx *a, const char *name, bool hash)
{
	char password[PASSWORD_MAX + 2];
	const char *error;
	struct userdb_user u;
	int len, ret;

	ret = userdb_get(a->db, name, &u, &error);
	if (ret != USERDB_OK)
		return fail(ret, error);
	len = get_secret(hash, password, sizeof(password));
	if (len < 0)
		return EX_DATAERR_;
	ret = hash ? userdb_set_hash(a->db, name, password, &error)
		   : userdb_set_password(a->db, name, password, (size_t)len, &error);
	OPENSSL_cleanse(password, sizeof(password));
	if (ret != USERDB_OK)
		return fail(ret, error);
	printf("password of %s changed\n", u.name);
	return 0;
}

/* The mail is kept aside rather than destroyed: deleting a user must not
 * be the way mail gets lost by a typo. */
static int cmd_del(struct admin_ctx *a, const char *name)
{
	struct userdb_user u;
	const char *error;
	char *dir, *attic, aside[4096];
	int ret = userdb_get(a->db, name, &u, &error);

	if (ret != USERDB_OK)
		return fail(ret, error);
	ret = userdb_delete(a->db, u.name, &error);
	if (ret != USERDB_OK)
		return fail(ret, error);
	dir = user_store_dir_path(a->cfg.data_dir, u.name);
	attic = server_config_data_path(&a->cfg, "deleted");
	mkdir(attic, 0700);
	privileges_chown_tree(attic, &a->ra);
	snprintf(aside, sizeof(aside), "%s/%s.%ld", attic, u.name, (long)time(NULL));
	if (rename(dir, aside) == 0)
		printf("user %s deleted; mail kept in %s\n", u.name, aside);
	else
		printf("user %s deleted\n", u.name);
	free(dir);
	free(attic);
	return 0;
}

static int print_user(void *ctx, const struct userdb_user *u)
{
	(void)ctx;
	printf("%s%s\n", u->name, u->disabled ? " (disabled)" : "");
	return 0;
}

static int cmd_list(struct admin_ctx *a)
{
	const char *error;
	int ret = userdb_list(a->db, print_user, NULL, &error);

	return ret == USERDB_OK ? 0 : fail(ret, error);
}

static int open_store(struct admin_ctx *a, const char *user, struct store **s_r)
{
	char *dir = user_store_dir_path(a->cfg.data_dir, user);
	const char *error;
	int ret = store_open(dir, 0, s_r, &error);

	free(dir);
	if (ret != STORE_OK)
		fprintf(stderr, "hafend: %s\n", error);
	return ret == STORE_OK ? 0 : EX_TEMPFAIL_;
}

static const char *limit_text(uint64_t v, char *buf, size_t size)
{
	if (v == 0)
		return "unlimited";
	snprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}

/* quota NAME [--storage SIZE] [--messages N]: set or show (RFC 9208). */
static int cmd_quota(struct admin_ctx *a, const char *name, int argc, char **argv)
{
	struct userdb_user u;
	struct store *s;
	struct store_quota q;
	uint64_t storage, messages;
	char err[128];
	const char *error;
	int ret = userdb_get(a->db, name, &u, &error);

	if (ret != USERDB_OK)
		return fail(ret, error);
	if ((ret = open_store(a, u.name, &s)) != 0)
		return ret;
	store_quota_get(s, &q);
	storage = q.bytes_limit;
	messages = q.messages_limit;
	for (int i = 0; i < argc; i++) {
		bool st = strcmp(argv[i], "--storage") == 0;

		if ((!st && strcmp(argv[i], "--messages") != 0) || i + 1 >= argc ||
		    (st ? config_parse_size(argv[i + 1], &storage, err, sizeof(err))
			: config_parse_uint(argv[i + 1], UINT32_MAX, &messages, err, sizeof(err))) <
			    0) {
			fprintf(stderr, "hafend user quota: %s\n",
				i + 1 < argc ? err : "expected --storage SIZE or --messages N");
			store_close(&s);
			return EX_USAGE_;
		}
		i++;
	}
	if (argc > 0 && (store_quota_set_limits(s, storage, messages) != STORE_OK ||
			 userdb_set_quota(a->db, u.name, storage, messages, &error) != USERDB_OK)) {
		fprintf(stderr, "hafend: cannot set the quota of %s\n", u.name);
		store_close(&s);
		return EX_TEMPFAIL_;
	}
	store_quota_get(s, &q);
	printf("%s: %llu bytes in %llu messages; limits: storage %s, messages %s\n", u.name,
	       (unsigned long long)q.bytes_used, (unsigned long long)q.messages_used,
	       limit_text(q.bytes_limit, err, sizeof(err)),
	       limit_text(q.messages_limit, err + 64, sizeof(err) - 64));
	store_close(&s);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: hafend user add|passwd|del|list|quota --data DIR [NAME]\n"
			"       hafend user add|passwd --hash --data DIR NAME  (a crypt hash on "
			"standard input)\n");
	return EX_USAGE_;
}

/* Take --hash out of argv, wherever it is; true when it was there. */
static bool take_hash_option(int *argc, char **argv)
{
	bool found = false;
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--hash") == 0)
			found = true;
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	return found;
}

/* Run one verb on an open database; name is non-NULL for all but list. */
static int run_verb(struct admin_ctx *a, const char *verb, const char *name, int argc, char **argv,
		    bool hash)
{
	if (strcmp(verb, "add") == 0)
		return cmd_add(a, name, hash);
	if (strcmp(verb, "passwd") == 0)
		return cmd_passwd(a, name, hash);
	if (strcmp(verb, "del") == 0)
		return cmd_del(a, name);
	if (strcmp(verb, "quota") == 0)
		return cmd_quota(a, name, argc, argv);
	return cmd_list(a);
}

int admin_user(int argc, char **argv)
{
	static const char *const verbs[] = {"add", "passwd", "del", "list", "quota"};
	struct admin_ctx a;
	const char *verb, *name;
	bool known = false, hash;
	int ret = admin_common_options(&argc, argv, &a.cfg);

	memset(&a.ra, 0, sizeof(a.ra));
	a.db = NULL;
	hash = take_hash_option(&argc, argv);
	verb = argc > 1 ? argv[1] : NULL;
	name = argc > 2 ? argv[2] : NULL;
	for (size_t i = 0; verb != NULL && i < HF_N_ELEMENTS(verbs); i++)
		known = known || strcmp(verb, verbs[i]) == 0;
	if (ret == 0 && verb != NULL && !known) {
		fprintf(stderr, "hafend user: unknown action \"%s\"\n", verb);
		ret = EX_USAGE_;
	}
	if (ret == 0 && (verb == NULL || (strcmp(verb, "list") != 0 && name == NULL)))
		ret = usage();
	/* add and passwd take nothing after NAME; --hash only they take. */
	if (ret == 0 && (strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) && argc > 3) {
		fprintf(stderr, "hafend user: unexpected \"%s\"\n", argv[3]);
		ret = usage();
	}
	if (ret == 0 && hash && strcmp(verb, "add") != 0 && strcmp(verb, "passwd") != 0) {
		fprintf(stderr, "hafend user: --hash goes with add or passwd\n");
		ret = usage();
	}
	if (ret == 0)
		ret = open_db(&a);
	if (ret == 0 && verb != NULL)
		ret = run_verb(&a, verb, name, argc - 3, argv + 3, hash);
	userdb_close(&a.db);
	server_config_free(&a.cfg);
	return ret;
}
