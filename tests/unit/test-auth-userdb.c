/* test-auth-userdb.c — the user database: lifecycle, names, quotas,
 * imported hashes and their upgrade, SCRAM through the SASL callbacks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/sasl-client.h"
#include "auth/sasl-server.h"
#include "auth/userdb-sasl.h"
#include "auth/userdb.h"
#include "lib/err.h"
#include "lib/log.h"

struct fixture {
	char dir[64];
	char path[96];
	struct userdb *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *error = NULL;

	strcpy(f->dir, "/tmp/hafen-userdb-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/users.db", f->dir);
	if (userdb_open(f->path, NULL, &f->db, &error) != 0)
		fail_msg("open: %s", error);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	userdb_close(&f->db);
	assert_null(f->db);
	userdb_close(&f->db);
	for (size_t i = 0; i < 3; i++) {
		static const char *const suffix[] = {"", "-wal", "-shm"};

		snprintf(path, sizeof(path), "%s%s", f->path, suffix[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static int verify(struct userdb *db, const char *name, const char *password)
{
	char user[USERDB_NAME_MAX + 1];
	const char *error = NULL;

	return userdb_verify_password(db, name, password, strlen(password), user, &error);
}

static void test_lifecycle(void **state)
{
	struct fixture *f = *state;
	char user[USERDB_NAME_MAX + 1];
	struct userdb_user u;
	const char *error = NULL;

	assert_int_equal(userdb_add(f->db, "Alice@Example.org", "pencil", 6, &error), 0);
	assert_int_equal(userdb_add(f->db, "alice@example.org", "other", 5, &error),
			 USERDB_ERR_EXISTS);
	assert_string_equal(error, "user already exists");
	assert_int_equal(userdb_add(f->db, "ALICE@EXAMPLE.ORG", NULL, 0, &error),
			 USERDB_ERR_EXISTS);
	assert_int_equal(userdb_get(f->db, "alice@example.org", &u, &error), 0);
	assert_string_equal(u.name, "alice@example.org");
	assert_true(u.has_password);
	assert_true(u.has_scram);
	assert_string_equal(u.scheme, "yescrypt");
	assert_false(u.disabled);
	assert_true(u.created > 1600000000);

	assert_int_equal(
		userdb_verify_password(f->db, "ALICE@example.org", "pencil", 6, user, &error), 0);
	assert_string_equal(user, "alice@example.org");
	assert_int_equal(verify(f->db, "alice@example.org", "Pencil"), USERDB_ERR_DENIED);
	assert_int_equal(verify(f->db, "alice@example.org", ""), USERDB_ERR_DENIED);
	assert_int_equal(verify(f->db, "bob@example.org", "pencil"), USERDB_ERR_NOT_FOUND);
	assert_int_equal(verify(f->db, "../etc", "pencil"), USERDB_ERR_NOT_FOUND);

	assert_int_equal(userdb_set_password(f->db, "alice@example.org", "crayon", 6, &error), 0);
	assert_int_equal(verify(f->db, "alice@example.org", "pencil"), USERDB_ERR_DENIED);
	assert_int_equal(verify(f->db, "alice@example.org", "crayon"), 0);
	assert_int_equal(userdb_set_password(f->db, "nobody", "crayon", 6, &error),
			 USERDB_ERR_NOT_FOUND);

	assert_int_equal(userdb_delete(f->db, "alice@EXAMPLE.org", &error), 0);
	assert_int_equal(verify(f->db, "alice@example.org", "crayon"), USERDB_ERR_NOT_FOUND);
	assert_int_equal(userdb_delete(f->db, "alice@example.org", &error), USERDB_ERR_NOT_FOUND);
	assert_int_equal(userdb_get(f->db, "alice@example.org", &u, &error), USERDB_ERR_NOT_FOUND);
	assert_string_equal(userdb_strerror(USERDB_ERR_NOT_FOUND), "no such user");

	/* A user without a password cannot log in. */
	assert_int_equal(userdb_add(f->db, "carol", NULL, 0, &error), 0);
	assert_int_equal(userdb_get(f->db, "carol", &u, &error), 0);
	assert_false(u.has_password);
	assert_false(u.has_scram);
	assert_string_equal(u.scheme, "");
	assert_int_equal(verify(f->db, "carol", ""), USERDB_ERR_DENIED);
	assert_int_equal(verify(f->db, "carol", "x"), USERDB_ERR_DENIED);
}

struct name_case {
	const char *in;
	const char *out; /* NULL: invalid */
};

static void test_names(void **state)
{
	static const struct name_case cases[] = {
		{"a", "a"},
		{"Alice@Example.ORG", "alice@example.org"},
		{"a.b-c_d+e@f", "a.b-c_d+e@f"},
		{"0", "0"},
		{"_x", "_x"},
		{"+tag", "+tag"},
		{"x.", "x."},
		{"", NULL},
		{".alice", NULL},
		{"-alice", NULL},
		{"a..b", NULL},
		{"..", NULL},
		{"a/b", NULL},
		{"a b", NULL},
		{"a\tb", NULL},
		{"\xc3\xa4", NULL},
		{"a%b", NULL},
		{"a:b", NULL},
		{"a\\b", NULL},
		{"a,b", NULL},
	};
	struct fixture *f = *state;
	char out[USERDB_NAME_MAX + 1], longname[USERDB_NAME_MAX + 2];
	const char *error = NULL;

	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		int ret = userdb_name_normalize(cases[i].in, strlen(cases[i].in), out, &error);

		if (cases[i].out == NULL) {
			if (ret != -1)
				fail_msg("case %zu accepted", i);
			assert_int_equal(userdb_add(f->db, cases[i].in, "pencil", 6, &error),
					 USERDB_ERR_INVALID);
			continue;
		}
		if (ret != 0)
			fail_msg("case %zu rejected: %s", i, error);
		assert_string_equal(out, cases[i].out);
	}
	memset(longname, 'a', sizeof(longname));
	assert_int_equal(userdb_name_normalize(longname, USERDB_NAME_MAX, out, &error), 0);
	assert_int_equal(userdb_name_normalize(longname, USERDB_NAME_MAX + 1, out, &error), -1);
	longname[USERDB_NAME_MAX] = '\0';
	assert_int_equal(userdb_add(f->db, longname, NULL, 0, &error), 0);
	assert_int_equal(userdb_name_normalize("a\0b", 3, out, &error), -1);
}

static int collect(void *context, const struct userdb_user *u)
{
	char *names = context;

	strcat(names, u->name);
	strcat(names, " ");
	return strcmp(u->name, "stop") == 0;
}

static void test_list(void **state)
{
	static const char *const names[] = {
		"carol", "alice@example.org", "Bob", "bob2", "alice", "stop", "zed"};
	struct fixture *f = *state;
	const char *error = NULL;
	char listed[256] = "";

	assert_int_equal(userdb_list(f->db, collect, listed, &error), 0);
	assert_string_equal(listed, "");
	for (size_t i = 0; i < HF_N_ELEMENTS(names); i++)
		assert_int_equal(userdb_add(f->db, names[i], NULL, 0, &error), 0);
	/* Sorted by name; the callback stops the walk at "stop". */
	assert_int_equal(userdb_list(f->db, collect, listed, &error), 0);
	assert_string_equal(listed, "alice alice@example.org bob bob2 carol stop ");
}

static void test_quota_and_disabled(void **state)
{
	struct fixture *f = *state;
	struct scram_keys keys;
	char user[USERDB_NAME_MAX + 1];
	uint64_t storage = 1, messages = 1;
	struct userdb_user u;
	const char *error = NULL;

	assert_int_equal(userdb_add(f->db, "dave", "pencil", 6, &error), 0);
	assert_int_equal(userdb_get_quota(f->db, "dave", &storage, &messages, &error), 0);
	assert_true(storage == 0 && messages == 0);
	assert_int_equal(userdb_set_quota(f->db, "Dave", 1ULL << 40, 100000, &error), 0);
	assert_int_equal(userdb_get_quota(f->db, "dave", &storage, &messages, &error), 0);
	assert_true(storage == 1ULL << 40 && messages == 100000);
	assert_int_equal(userdb_set_quota(f->db, "dave", UINT64_MAX, 0, &error),
			 USERDB_ERR_INVALID);
	assert_int_equal(userdb_set_quota(f->db, "nobody", 1, 1, &error), USERDB_ERR_NOT_FOUND);
	assert_int_equal(userdb_get_quota(f->db, "nobody", &storage, &messages, &error),
			 USERDB_ERR_NOT_FOUND);

	assert_int_equal(userdb_set_disabled(f->db, "dave", true, &error), 0);
	assert_int_equal(userdb_get(f->db, "dave", &u, &error), 0);
	assert_true(u.disabled);
	assert_int_equal(verify(f->db, "dave", "pencil"), USERDB_ERR_DENIED);
	assert_int_equal(userdb_get_scram(f->db, "dave", &keys, user, &error), USERDB_ERR_DENIED);
	assert_int_equal(userdb_set_disabled(f->db, "dave", false, &error), 0);
	assert_int_equal(verify(f->db, "dave", "pencil"), 0);
	assert_int_equal(userdb_get_scram(f->db, "dave", &keys, user, &error), 0);
	assert_int_equal(keys.iterations, SCRAM_ITERATIONS_DEFAULT);
	assert_int_equal(keys.salt_len, SCRAM_SALT_LEN);
	assert_string_equal(user, "dave");
	assert_int_equal(userdb_set_disabled(f->db, "nobody", true, &error), USERDB_ERR_NOT_FOUND);
}

static void test_passwords_are_prepared(void **state)
{
	struct fixture *f = *state;
	const char *error = NULL;

	/* Set in NFC, typed in NFD: SASLprep makes them the same. */
	assert_int_equal(userdb_add(f->db, "erin", "p\xc3\xa4ss", 5, &error), 0);
	assert_int_equal(verify(f->db, "erin", "pa\xcc\x88ss"), 0);
	assert_int_equal(verify(f->db, "erin", "p\xc3\xa4ss"), 0);
	assert_int_equal(verify(f->db, "erin", "pass"), USERDB_ERR_DENIED);
	/* A non-ASCII space is mapped to SPACE (RFC 4013 section 2.1). */
	assert_int_equal(userdb_set_password(f->db, "erin", "a b", 3, &error), 0);
	assert_int_equal(verify(f->db, "erin",
				"a\xc2\xa0"
				"b"),
			 0);
	/* Passwords SASLprep rejects are refused when set. */
	assert_int_equal(userdb_set_password(f->db, "erin", "a\tb", 3, &error), USERDB_ERR_INVALID);
	assert_non_null(strstr(error, "prohibited"));
	assert_int_equal(userdb_set_password(f->db, "erin", "", 0, &error), USERDB_ERR_INVALID);
	assert_int_equal(userdb_set_password(f->db, "erin", "\xc2\xad", 2, &error),
			 USERDB_ERR_INVALID);
	assert_int_equal(userdb_add(f->db, "frank", "\xc8\xa1", 2, &error), USERDB_ERR_INVALID);
	assert_int_equal(verify(f->db, "erin", "a b"), 0);
}

/* Run a SCRAM exchange against the database; returns 1, -1 or -2
 * (client refused), and the server-first salt in salt_r. */
static int scram_login(struct userdb *db, const char *name, const char *password, char *salt_r)
{
	struct sasl_client_settings cset = {
		.authcid = name, .password = password, .password_len = strlen(password)};
	const char *error = NULL;
	struct sasl_server *s =
		sasl_server_new("SCRAM-SHA-256", NULL, &userdb_sasl_callbacks, db, &error);
	struct sasl_client *c = sasl_client_new("SCRAM-SHA-256", &cset, &error);
	const unsigned char *cout, *sout;
	size_t clen, slen;
	int ret;

	assert_non_null(s);
	assert_non_null(c);
	assert_true(sasl_client_initial(c, &cout, &clen));
	ret = sasl_server_step(s, cout, clen, &sout, &slen, &error);
	if (ret == 0 && salt_r != NULL) {
		const char *p = strstr((const char *)sout, ",s=");

		snprintf(salt_r, 64, "%.*s", (int)strcspn(p + 3, ","), p + 3);
	}
	while (ret == 0) {
		if (sasl_client_step(c, sout, slen, &cout, &clen, &error) < 0) {
			ret = -2;
			break;
		}
		ret = sasl_server_step(s, cout, clen, &sout, &slen, &error);
	}
	if (ret == 1) {
		char lower[USERDB_NAME_MAX + 1];

		assert_int_equal(sasl_client_finish(c, NULL, 0, &error), 0);
		for (size_t i = 0; i <= strlen(name); i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		assert_string_equal(sasl_server_user(s), lower);
	}
	sasl_server_free(&s);
	sasl_client_free(&c);
	return ret;
}

static void test_scram_through_callbacks(void **state)
{
	struct fixture *f = *state;
	char salt1[64], salt2[64], salt3[64];
	const char *error = NULL;

	assert_int_equal(userdb_add(f->db, "gina", "pencil", 6, &error), 0);
	assert_int_equal(scram_login(f->db, "gina", "pencil", NULL), 1);
	assert_int_equal(scram_login(f->db, "GINA", "pencil", NULL), 1);
	assert_int_equal(scram_login(f->db, "gina", "pencil!", NULL), -1);
	/* Unknown users get the same salt every time, also after reopening,
	 * and every spelling of the name gets the same one. */
	assert_int_equal(scram_login(f->db, "nobody", "pencil", salt1), -1);
	assert_int_equal(scram_login(f->db, "NoBody", "pencil", salt2), -1);
	assert_string_equal(salt1, salt2);
	userdb_close(&f->db);
	assert_int_equal(userdb_open(f->path, NULL, &f->db, &error), 0);
	assert_int_equal(scram_login(f->db, "nobody", "pencil", salt3), -1);
	assert_string_equal(salt1, salt3);
	assert_int_equal(scram_login(f->db, "somebody-else", "pencil", salt3), -1);
	assert_string_not_equal(salt1, salt3);
	/* A disabled user looks the same as an unknown one. */
	assert_int_equal(userdb_set_disabled(f->db, "gina", true, &error), 0);
	assert_int_equal(scram_login(f->db, "gina", "pencil", NULL), -1);
	/* LOGIN command through the same callbacks. */
	char user[SASL_USER_MAX + 1];

	assert_int_equal(userdb_set_disabled(f->db, "gina", false, &error), 0);
	assert_int_equal(sasl_server_check_login(&userdb_sasl_callbacks, f->db, "Gina", 4, "pencil",
						 6, user),
			 SASL_FAIL_NONE);
	assert_string_equal(user, "gina");
	assert_int_equal(
		sasl_server_check_login(&userdb_sasl_callbacks, f->db, "gina", 4, "x", 1, user),
		SASL_FAIL_CREDENTIALS);
}

static const char sha512_hash[] =
	"{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OT"
	"LiBFdcbYEdFCoEOfaS35inz1";

static void test_import_and_upgrade(void **state)
{
	struct fixture *f = *state;
	struct scram_keys keys;
	char user[USERDB_NAME_MAX + 1];
	struct userdb_user u;
	const char *error = NULL;

	assert_int_equal(userdb_add_hashed(f->db, "gina", sha512_hash, &error), 0);
	assert_int_equal(userdb_add_hashed(f->db, "gina", sha512_hash, &error), USERDB_ERR_EXISTS);
	assert_int_equal(userdb_add_hashed(f->db, "hank", "{PLAIN}secret", &error),
			 USERDB_ERR_INVALID);
	assert_int_equal(userdb_get(f->db, "gina", &u, &error), 0);
	assert_string_equal(u.scheme, "SHA512-CRYPT");
	assert_false(u.has_scram);
	/* No SCRAM keys: SCRAM fails cleanly, PLAIN/LOGIN work. */
	assert_int_equal(userdb_get_scram(f->db, "gina", &keys, user, &error), USERDB_ERR_DENIED);
	assert_int_equal(scram_login(f->db, "gina", "Hello world!", NULL), -1);
	assert_int_equal(verify(f->db, "gina", "hello world!"), USERDB_ERR_DENIED);
	assert_int_equal(userdb_get(f->db, "gina", &u, &error), 0);
	assert_string_equal(u.scheme, "SHA512-CRYPT");
	assert_int_equal(verify(f->db, "gina", "Hello world!"), 0);
	/* The successful login upgraded the hash and added SCRAM keys. */
	assert_int_equal(userdb_get(f->db, "gina", &u, &error), 0);
	assert_string_equal(u.scheme, "yescrypt");
	assert_true(u.has_scram);
	assert_int_equal(verify(f->db, "gina", "Hello world!"), 0);
	assert_int_equal(scram_login(f->db, "gina", "Hello world!", NULL), 1);

	/* set_hash replaces the password and drops the SCRAM keys. */
	assert_int_equal(userdb_set_hash(f->db, "gina", sha512_hash + 14, &error), 0);
	assert_int_equal(userdb_get(f->db, "gina", &u, &error), 0);
	assert_false(u.has_scram);
	assert_int_equal(userdb_set_hash(f->db, "gina", "$6$saltstring", &error),
			 USERDB_ERR_INVALID);
	assert_int_equal(userdb_set_hash(f->db, "nobody", sha512_hash, &error),
			 USERDB_ERR_NOT_FOUND);
}

static void test_import_without_upgrade(void **state)
{
	struct fixture *f = *state;
	struct userdb_settings set;
	struct userdb_user u;
	const char *error = NULL;
	char *raw_hash;

	userdb_close(&f->db);
	userdb_settings_default(&set);
	set.upgrade_hashes = false;
	set.scram_iterations = 4096;
	assert_int_equal(userdb_open(f->path, &set, &f->db, &error), 0);
	assert_int_equal(userdb_add_hashed(f->db, "gina", sha512_hash, &error), 0);
	assert_int_equal(verify(f->db, "gina", "Hello world!"), 0);
	assert_int_equal(userdb_get(f->db, "gina", &u, &error), 0);
	assert_string_equal(u.scheme, "SHA512-CRYPT");
	/* Another server hashed the raw bytes of a password SASLprep would
	 * reject (a tab): the raw bytes are tried for imported hashes. */
	assert_int_equal(password_hash_with("$6$", "a\tb", 3, &raw_hash, &error), 0);
	assert_int_equal(userdb_add_hashed(f->db, "hank", raw_hash, &error), 0);
	assert_int_equal(verify(f->db, "hank", "a\tb"), 0);
	assert_int_equal(verify(f->db, "hank", "a b"), USERDB_ERR_DENIED);
	free(raw_hash);
	/* ...and one that SASLprep changes (NFKC of U+2168 is "IX"). */
	assert_int_equal(password_hash_with("$6$", "\xe2\x85\xa8", 3, &raw_hash, &error), 0);
	assert_int_equal(userdb_add_hashed(f->db, "ivan", raw_hash, &error), 0);
	assert_int_equal(verify(f->db, "ivan", "\xe2\x85\xa8"), 0);
	free(raw_hash);
	/* Our own hashes are of the prepared password only. */
	assert_int_equal(userdb_add(f->db, "jill", "\xe2\x85\xa8", 3, &error), 0);
	assert_int_equal(verify(f->db, "jill", "IX"), 0);
	assert_int_equal(userdb_get(f->db, "jill", &u, &error), 0);
	assert_true(u.has_scram);
	/* Raising the iteration count: with upgrades on, the next login
	 * remakes the SCRAM keys. */
	struct scram_keys keys;
	char user[USERDB_NAME_MAX + 1];

	userdb_close(&f->db);
	set.upgrade_hashes = true;
	set.scram_iterations = 5000;
	assert_int_equal(userdb_open(f->path, &set, &f->db, &error), 0);
	assert_int_equal(userdb_get_scram(f->db, "jill", &keys, user, &error), 0);
	assert_int_equal(keys.iterations, 4096);
	assert_int_equal(verify(f->db, "jill", "IX"), 0);
	assert_int_equal(userdb_get_scram(f->db, "jill", &keys, user, &error), 0);
	assert_int_equal(keys.iterations, 5000);
	assert_int_equal(scram_login(f->db, "Jill", "IX", NULL), 1);
	assert_int_equal(scram_login(f->db, "jill", "\xe2\x85\xa8", NULL), 1);
	/* Iteration counts outside the SCRAM range are refused. */
	userdb_close(&f->db);
	set.scram_iterations = 100;
	assert_int_equal(userdb_open(f->path, &set, &f->db, &error), USERDB_ERR_INVALID);
	assert_null(f->db);
	assert_int_equal(userdb_open(f->path, NULL, &f->db, &error), 0);
}

static void test_file_and_processes(void **state)
{
	struct fixture *f = *state;
	char wal[128];
	struct userdb_user u;
	struct stat st;
	const char *error = NULL;
	pid_t pid;
	int status;

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(userdb_add(f->db, "kate", NULL, 0, &error), 0);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Another process opens its own handle and writes; we see it. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct userdb *db;

		if (userdb_open(f->path, NULL, &db, &error) != 0 ||
		    userdb_add(db, "liam", NULL, 0, &error) != 0)
			_exit(1);
		userdb_close(&db);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(userdb_get(f->db, "liam", &u, &error), 0);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	struct userdb *db = NULL;
	const char *error = NULL;
	sqlite3 *sql;

	assert_int_equal(userdb_open("/nonexistent-dir/users.db", NULL, &db, &error),
			 USERDB_ERR_DB);
	assert_non_null(strstr(error, "/nonexistent-dir/users.db"));
	assert_null(db);
	/* A database from a newer version is not touched. */
	userdb_close(&f->db);
	assert_int_equal(sqlite3_open(f->path, &sql), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sql, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(sql);
	assert_int_equal(userdb_open(f->path, NULL, &db, &error), USERDB_ERR_DB);
	assert_non_null(strstr(error, "schema version 7"));
	/* Not a database at all. */
	FILE *fp = fopen(f->path, "w");

	fputs("this is not an SQLite database, just text that is long enough to matter", fp);
	fclose(fp);
	char path[128];

	snprintf(path, sizeof(path), "%s-wal", f->path);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", f->path);
	unlink(path);
	assert_int_equal(userdb_open(f->path, NULL, &db, &error), USERDB_ERR_DB);
	assert_null(db);
}

static void test_db_errors(void **state)
{
	struct fixture *f = *state;
	struct userdb_settings set;
	char user[SASL_USER_MAX + 1];
	struct scram_keys keys;
	const char *error = NULL;
	struct userdb_user u;
	sqlite3 *other;

	for (int e = USERDB_OK; e >= USERDB_ERR_DB; e--)
		assert_true(strlen(userdb_strerror(e)) > 0);
	assert_string_equal(userdb_strerror(1), "unknown error");
	assert_int_equal(userdb_add(f->db, "mona", "pencil", 6, &error), 0);
	/* Another process holds the write lock and we will not wait. */
	userdb_close(&f->db);
	userdb_settings_default(&set);
	set.busy_timeout_ms = 0;
	assert_int_equal(userdb_open(f->path, &set, &f->db, &error), 0);
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(userdb_add(f->db, "nina", NULL, 0, &error), USERDB_ERR_DB);
	assert_non_null(strstr(error, "locked"));
	assert_int_equal(userdb_set_quota(f->db, "mona", 1, 1, &error), USERDB_ERR_DB);
	/* Readers still get through (WAL). */
	assert_int_equal(verify(f->db, "mona", "pencil"), 0);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	/* A broken database is a temporary failure for the SASL server. */
	assert_int_equal(sqlite3_exec(other, "DROP TABLE users", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(verify(f->db, "mona", "pencil"), USERDB_ERR_DB);
	assert_int_equal(userdb_get_scram(f->db, "mona", &keys, user, &error), USERDB_ERR_DB);
	assert_int_equal(userdb_get(f->db, "mona", &u, &error), USERDB_ERR_DB);
	assert_int_equal(userdb_list(f->db, collect, NULL, &error), USERDB_ERR_DB);
	assert_int_equal(userdb_delete(f->db, "mona", &error), USERDB_ERR_DB);
	assert_int_equal(sasl_server_check_login(&userdb_sasl_callbacks, f->db, "mona", 4, "pencil",
						 6, user),
			 SASL_FAIL_TEMP);
	assert_int_equal(scram_login(f->db, "mona", "pencil", NULL), -1);
}

/* A cached login must never outlive a password change, a disabled account,
 * or stand in for a different password. */
static void test_login_cache(void **state)
{
	struct fixture *f = *state;
	const char *error;
	struct userdb *other;

	assert_int_equal(userdb_add(f->db, "cached", "first", 5, &error), 0);
	assert_int_equal(verify(f->db, "cached", "first"), 0);
	assert_int_equal(verify(f->db, "cached", "first"), 0); /* from the cache */
	assert_int_equal(verify(f->db, "cached", "second"), USERDB_ERR_DENIED);
	/* Changed in another process: the stored hash differs, the cache is bypassed. */
	assert_int_equal(userdb_open(f->path, NULL, &other, &error), 0);
	assert_int_equal(userdb_set_password(other, "cached", "second", 6, &error), 0);
	assert_int_equal(verify(f->db, "cached", "first"), USERDB_ERR_DENIED);
	assert_int_equal(verify(f->db, "cached", "second"), 0);
	assert_int_equal(verify(f->db, "cached", "second"), 0);
	assert_int_equal(userdb_set_disabled(other, "cached", true, &error), 0);
	assert_int_equal(verify(f->db, "cached", "second"), USERDB_ERR_DENIED);
	userdb_close(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_and_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passwords_are_prepared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scram_through_callbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_and_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_without_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_and_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_cache, setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
