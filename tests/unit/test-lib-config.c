/* test-lib-config.c — unit tests for the config reader and LIST pattern matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/config.h"
#include "lib/wildmat.h"

static void test_config_parse(void **state)
{
	const char text[] = "# comment\n"
			    "data = /var/lib/hafen\n"
			    "  listen = imap=127.0.0.1:143   # trailing comment\n"
			    "listen=imaps=[::1]:993\n"
			    "\n"
			    "banner = \"  spaced # not a comment \"\r\n"
			    "empty =\n";
	struct config cfg;
	const char *error;

	assert_int_equal(config_parse("t.conf", text, strlen(text), &cfg, &error), 0);
	assert_int_equal(cfg.count, 5);
	assert_string_equal(cfg.entries[0].key, "data");
	assert_string_equal(cfg.entries[0].value, "/var/lib/hafen");
	assert_int_equal(cfg.entries[0].line, 2);
	assert_string_equal(cfg.entries[1].value, "imap=127.0.0.1:143");
	assert_string_equal(cfg.entries[2].value, "imaps=[::1]:993");
	assert_string_equal(cfg.entries[3].value, "  spaced # not a comment ");
	assert_string_equal(cfg.entries[4].value, "");
	assert_int_equal(cfg.entries[4].line, 7);
	config_free(&cfg);
}

static void test_config_errors(void **state)
{
	struct config cfg;
	const char *error;

	assert_int_equal(config_parse("t.conf", "a = 1\nno equals here\n", 21, &cfg, &error), -1);
	assert_string_equal(error, "t.conf:2: expected \"key = value\"");
	assert_int_equal(config_parse("t.conf", " = 1\n", 5, &cfg, &error), -1);
	assert_int_equal(config_parse("t.conf", "a = \"x\n", 7, &cfg, &error), -1);
	assert_int_equal(config_parse("t.conf", "a = b\0c\n", 8, &cfg, &error), -1);
	assert_int_equal(config_read("/nonexistent/hafen.conf", &cfg, &error), -1);
}

static void test_config_values(void **state)
{
	char err[128];
	uint64_t v;
	bool b;

	assert_int_equal(config_parse_bool("Yes", &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(config_parse_bool("off", &b, err, sizeof(err)), 0);
	assert_false(b);
	assert_int_equal(config_parse_bool("maybe", &b, err, sizeof(err)), -1);
	assert_int_equal(config_parse_size("64M", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(config_parse_size("512", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 512);
	assert_int_equal(config_parse_size("2g", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(config_parse_size("x", &v, err, sizeof(err)), -1);
	assert_int_equal(config_parse_size("M", &v, err, sizeof(err)), -1);
	assert_int_equal(config_parse_duration("30m", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1800);
	assert_int_equal(config_parse_duration("1d", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(config_parse_uint("10", 5, &v, err, sizeof(err)), -1);
	assert_int_equal(config_parse_uint("5", 5, &v, err, sizeof(err)), 0);
}

static bool m(const char *pattern, const char *name)
{
	return wildmat_match(pattern, strlen(pattern), name, strlen(name), '/');
}

static void test_wildmat(void **state)
{
	assert_true(m("*", "a/b/c"));
	assert_true(m("%", "abc"));
	assert_false(m("%", "a/b"));
	assert_true(m("a/%", "a/b"));
	assert_false(m("a/%", "a/b/c"));
	assert_true(m("a/*", "a/b/c"));
	assert_true(m("a*c", "abc"));
	assert_true(m("a*c", "a/b/c"));
	assert_false(m("a%c", "a/c"));
	assert_true(m("", ""));
	assert_false(m("", "a"));
	assert_true(m("INBOX", "INBOX"));
	assert_false(m("INBOX", "INBOX/x"));
	assert_true(m("%/%", "a/b"));
	/* Hostile pattern: must finish quickly (dynamic programming). */
	assert_false(m("*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
		       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(m("abcdefg", "abc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_values),
		cmocka_unit_test(test_wildmat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
