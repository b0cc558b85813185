/* test-client-account.c — the client's accounts: the configuration file
 * read and written back the same, every bad key and value refused with
 * its line, XDG and HAFEN_HOME paths, and password_command (first line,
 * failures, and no waiting forever). Also the folder-name mapping
 * between '/' and a server's delimiter.
 *
 * src/client is not part of libhafen, so its sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/account/account-password.c"
#include "client/account/account-paths.c"
#include "client/account/account.c"
#include "client/sync/sync-names.c"

#include "store-test-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char dir[256];
static char path[300];

static int setup(void **state)
{
	test_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/conf/hafen/config", dir);
	return 0;
}

static int teardown(void **state)
{
	test_rmtree(dir);
	return 0;
}

static void write_text(const char *text)
{
	const char *err;
	char d[300];
	FILE *f;

	snprintf(d, sizeof(d), "%s/conf/hafen", dir);
	assert_int_equal(account_mkdirs(d, &err), 0);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_read_write_roundtrip(void **state)
{
	struct account_list l, again;
	struct account *a;
	const char *err;
	struct stat st;

	write_text(
		"default = home\n\naccount = work\nhost = imap.example.org\nuser = me@x\n"
		"password_command = \"pass show mail/work # not a comment\"\nbodies = recent:30d\n"
		"smtp_host = smtp.example.org\nsmtp_tls = starttls\n"
		"account = home\nhost = 127.0.0.1\nport = 1143\ntls = none\nuser = me\n"
		"insecure = yes\nbodies = all\nfrom = Me <me@x>\nignore_caps = QRESYNC, "
		"CONDSTORE\n");
	assert_int_equal(account_list_read(path, &l, &err), 0);
	assert_int_equal(l.count, 2);
	a = account_find(&l, NULL);
	assert_string_equal(a->name, "home");
	assert_int_equal(account_imap_port(a), 1143);
	assert_int_equal(a->tls, IMAPC_TLS_NONE);
	assert_true(a->insecure);
	assert_int_equal(a->bodies, ACCOUNT_BODIES_ALL);
	a = account_find(&l, "work");
	assert_string_equal(a->password_command, "pass show mail/work # not a comment");
	assert_int_equal(a->bodies, ACCOUNT_BODIES_RECENT);
	assert_int_equal(a->bodies_days, 30);
	assert_int_equal(account_imap_port(a), 993);
	assert_int_equal(account_smtp_port(a), 587);
	assert_null(account_find(&l, "nobody"));
	assert_int_equal(account_list_write(path, &l, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(account_list_read(path, &again, &err), 0);
	assert_int_equal(again.count, 2);
	assert_string_equal(account_find(&again, "work")->password_command,
			    "pass show mail/work # not a comment");
	assert_string_equal(account_find(&again, NULL)->name, "home");
	assert_string_equal(account_find(&again, NULL)->ignore_caps, "QRESYNC, CONDSTORE");
	assert_null(account_find(&again, "work")->ignore_caps);
	account_list_free(&again);
	assert_int_equal(account_list_del(&l, "home", &err), 0);
	assert_string_equal(account_find(&l, NULL)->name, "work");
	assert_int_equal(account_list_del(&l, "home", &err), -1);
	account_list_free(&l);
}

static const struct {
	const char *text;
	const char *error; /* part of the message */
} bad[] = {
	{"host = x\n", "before the first"},
	{"account = a\nhost = x\n", "needs host and user"},
	{"account = a\nhost = x\nuser = u\ncolour = blue\n", ":4: unknown setting"},
	{"account = a\nhost = x\nuser = u\nport = 70000\n", "bad value for port"},
	{"account = a\nhost = x\nuser = u\ntls = sometimes\n", "bad value for tls"},
	{"account = a\nhost = x\nuser = u\nbodies = recent:0d\n", "bad value for bodies"},
	{"account = a\nhost = x\nuser = u\nbodies = recent:30\n", "bad value for bodies"},
	{"account = a\nhost = x y\nuser = u\n", "bad value for host"},
	{"account = ../a\nhost = x\nuser = u\n", "bad or repeated"},
	{"account = a\nhost = x\nuser = u\naccount = a\nhost = x\nuser = u\n", "bad or repeated"},
	{"account = a\nhost = x\nuser = u\ninsecure = maybe\n", "bad value for insecure"},
	{"no equals sign\n", "key = value"},
};

static void test_bad_files(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(bad); i++) {
		struct account_list l;
		const char *err;

		write_text(bad[i].text);
		if (account_list_read(path, &l, &err) != -1)
			fail_msg("case %zu accepted", i);
		if (strstr(err, bad[i].error) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].error);
	}
}

static void test_missing_file_is_empty(void **state)
{
	struct account_list l;
	const char *err;

	assert_int_equal(account_list_read("/nonexistent/hafen/config", &l, &err), 0);
	assert_int_equal(l.count, 0);
	assert_null(account_find(&l, NULL));
	account_list_free(&l);
}

static void test_names(void **state)
{
	static const char *const good[] = {"work", "a.b_c-d", "X1"};
	static const char *const bad_names[] = {
		"",    ".hidden",
		"a/b", "a b",
		"ä",   "0123456789012345678901234567890123456789012345678901234567890123456789"};

	for (size_t i = 0; i < HF_N_ELEMENTS(good); i++)
		assert_true(account_name_valid(good[i]));
	for (size_t i = 0; i < HF_N_ELEMENTS(bad_names); i++)
		assert_false(account_name_valid(bad_names[i]));
}

static void test_paths(void **state)
{
	char *p;

	setenv("HAFEN_HOME", "/h", 1);
	p = account_config_path(NULL);
	assert_string_equal(p, "/h/config");
	free(p);
	p = account_data_dir("work");
	assert_string_equal(p, "/h/data/work");
	free(p);
	p = account_config_path("/etc/other");
	assert_string_equal(p, "/etc/other");
	free(p);
	unsetenv("HAFEN_HOME");
	setenv("XDG_CONFIG_HOME", "/x/c", 1);
	setenv("XDG_DATA_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/me", 1);
	p = account_config_path(NULL);
	assert_string_equal(p, "/x/c/hafen/config");
	free(p);
	p = account_data_dir("work");
	assert_string_equal(p, "/home/me/.local/share/hafen/work");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = account_config_path(NULL);
	assert_string_equal(p, "/home/me/.config/hafen/config");
	free(p);
	unsetenv("XDG_DATA_HOME");
}

static void test_password_command(void **state)
{
	struct account a = {.user = "u", .host = "h"};
	const char *err;
	char *pw = NULL;

	a.password_command = "printf 'secret one\\nsecond line\\n'";
	assert_int_equal(account_password(&a, &pw, &err), 0);
	assert_string_equal(pw, "secret one");
	free(pw);
	a.password_command = "printf 'no newline'";
	assert_int_equal(account_password(&a, &pw, &err), 0);
	assert_string_equal(pw, "no newline");
	free(pw);
	a.password_command = "exit 3";
	assert_int_equal(account_password(&a, &pw, &err), -1);
	assert_non_null(strstr(err, "failed"));
	a.password_command = "true";
	assert_int_equal(account_password(&a, &pw, &err), -1);
	a.password_command = "head -c 10000 /dev/zero";
	assert_int_equal(account_password(&a, &pw, &err), -1);
	assert_non_null(strstr(err, "too long"));
}

static void test_folder_names(void **state)
{
	static const struct {
		const char *remote;
		char delim;
		const char *local; /* NULL: cannot be kept */
	} cases[] = {
		{"INBOX", '/', "INBOX"}, {"INBOX.Sent", '.', "INBOX/Sent"},
		{"a/b", '/', "a/b"},     {"a/b", '.', NULL},
		{"flat", 0, "flat"},     {"Lists.hafen.dev", '.', "Lists/hafen/dev"},
	};

	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		char *local = sync_local_name(cases[i].remote, cases[i].delim), *back;

		if (cases[i].local == NULL) {
			assert_null(local);
			continue;
		}
		assert_string_equal(local, cases[i].local);
		back = sync_remote_name(local, cases[i].delim);
		assert_string_equal(back, cases[i].remote);
		free(local);
		free(back);
	}
	assert_null(sync_remote_name("has.dot", '.'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_write_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test(test_missing_file_is_empty),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_password_command),
		cmocka_unit_test(test_folder_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
