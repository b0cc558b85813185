/* test-server-lmtp.c — LMTP command lines (verbs, paths, parameters, the
 * reply for each kind of bad line) and the DATA stream (end line,
 * dot-unstuffing, bare LF, size limit), the latter fed whole, byte by
 * byte and in every two-piece split so every resume point is exercised.
 *
 * src/server is not part of libhafen, so the sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/lmtp/lmtp-command.c"
#include "server/lmtp/lmtp-data.c"

#include <stdio.h>

static void test_commands_ok(void **state)
{
	static const struct {
		const char *line;
		enum lmtp_verb verb;
		const char *arg;
		uint64_t size;
		enum lmtp_body body;
	} cases[] = {
		{"LHLO mx.example.org", LMTP_CMD_LHLO, "mx.example.org", 0, 0},
		{"lhlo [127.0.0.1]", LMTP_CMD_LHLO, "[127.0.0.1]", 0, 0},
		{"MAIL FROM:<a@b.org>", LMTP_CMD_MAIL, "a@b.org", 0, 0},
		{"mail from: <a@b.org>", LMTP_CMD_MAIL, "a@b.org", 0, 0},
		{"MAIL FROM:<>", LMTP_CMD_MAIL, "", 0, 0},
		{"MAIL FROM:<a@b.org> SIZE=1000 BODY=8BITMIME", LMTP_CMD_MAIL, "a@b.org", 1000,
		 LMTP_BODY_8BITMIME},
		{"MAIL FROM:<a@b.org>  body=7bit", LMTP_CMD_MAIL, "a@b.org", 0, LMTP_BODY_7BIT},
		{"MAIL FROM:<@relay.org,@r2.org:a@b.org>", LMTP_CMD_MAIL, "a@b.org", 0, 0},
		{"MAIL FROM:<\"a b>c\"@b.org>", LMTP_CMD_MAIL, "\"a b>c\"@b.org", 0, 0},
		{"MAIL FROM:<x@[192.0.2.1]>", LMTP_CMD_MAIL, "x@[192.0.2.1]", 0, 0},
		{"RCPT TO:<alice+lists@example.org>", LMTP_CMD_RCPT, "alice+lists@example.org", 0,
		 0},
		{"RCPT TO:<Postmaster>", LMTP_CMD_RCPT, "Postmaster", 0, 0},
		{"RCPT TO:<a.b-c@x-y.example>", LMTP_CMD_RCPT, "a.b-c@x-y.example", 0, 0},
		{"DATA", LMTP_CMD_DATA, "", 0, 0},
		{"RSET", LMTP_CMD_RSET, "", 0, 0},
		{"NOOP", LMTP_CMD_NOOP, "", 0, 0},
		{"NOOP anything at all", LMTP_CMD_NOOP, "", 0, 0},
		{"QUIT", LMTP_CMD_QUIT, "", 0, 0},
		{"VRFY alice", LMTP_CMD_VRFY, "", 0, 0},
		{"HELP", LMTP_CMD_HELP, "", 0, 0},
	};
	struct lmtp_command cmd;
	struct lmtp_reply r;

	(void)state;
	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		int ret = lmtp_command_parse(cases[i].line, strlen(cases[i].line), &cmd, &r);

		if (ret != 0)
			fprintf(stderr, "%s: %u %s\n", cases[i].line, r.code, r.text);
		assert_int_equal(ret, 0);
		assert_int_equal(cmd.verb, cases[i].verb);
		assert_string_equal(cmd.arg, cases[i].arg);
		assert_int_equal(cmd.size, cases[i].size);
		assert_int_equal(cmd.has_size, cases[i].size > 0);
		assert_int_equal(cmd.body, cases[i].body);
	}
}

static void test_commands_bad(void **state)
{
	static const struct {
		const char *line;
		unsigned code;
		const char *enhanced;
	} cases[] = {
		{"", 500, "5.5.1"},
		{"XYZZY", 500, "5.5.1"},
		{"HELO x", 500, "5.5.1"},
		{"EHLO x", 500, "5.5.1"},
		{"LHLO", 501, "5.5.4"},
		{"LHLO a b", 501, "5.5.4"},
		{"LHLO \xc3\xa9", 501, "5.5.4"},
		{"MAIL", 501, "5.5.4"},
		{"MAIL TO:<a@b>", 501, "5.5.4"},
		{"MAIL FROM:a@b.org", 501, "5.1.7"},
		{"MAIL FROM:<a@b.org", 501, "5.1.7"},
		{"MAIL FROM:<a@>", 501, "5.1.7"},
		{"MAIL FROM:<a>", 501, "5.1.7"},
		{"MAIL FROM:<a..b@c>", 501, "5.1.7"},
		{"MAIL FROM:<a@-b.org>", 501, "5.1.7"},
		{"MAIL FROM:<a@b-.org>", 501, "5.1.7"},
		{"MAIL FROM:<a@b..org>", 501, "5.1.7"},
		{"MAIL FROM:<\xc3\xa9@b.org>", 501, "5.1.7"},
		{"MAIL FROM:<\"unterminated@b.org>", 501, "5.1.7"},
		{"MAIL FROM:<@relay a@b.org>", 501, "5.1.7"},
		{"MAIL FROM:<a@b.org>x", 501, "5.5.4"},
		{"MAIL FROM:<a@b.org> SIZE", 501, "5.5.4"},
		{"MAIL FROM:<a@b.org> SIZE=", 501, "5.5.4"},
		{"MAIL FROM:<a@b.org> SIZE=12a", 501, "5.5.4"},
		{"MAIL FROM:<a@b.org> SIZE=123456789012345678901", 501, "5.5.4"},
		{"MAIL FROM:<a@b.org> SIZE=1 SIZE=2", 501, "5.5.4"},
		{"MAIL FROM:<a@b.org> BODY=BINARYMIME", 555, "5.5.4"},
		{"MAIL FROM:<a@b.org> BODY", 501, "5.5.4"},
		{"MAIL FROM:<a@b.org> SMTPUTF8", 555, "5.5.4"},
		{"MAIL FROM:<a@b.org> SIZEX=1", 555, "5.5.4"},
		{"RCPT TO:<>", 501, "5.1.3"},
		{"RCPT TO:<a@b> NOTIFY=NEVER", 555, "5.5.4"},
		{"RCPT FROM:<a@b>", 501, "5.5.4"},
		{"RCPT TO:<a b@c>", 501, "5.1.3"},
		{"DATA x", 501, "5.5.4"},
		{"QUIT now", 501, "5.5.4"},
		{"BDAT", 501, "5.5.4"},
		{"BDAT x", 501, "5.5.4"},
		{"BDAT 10 FIRST", 501, "5.5.4"},
		{"BDAT 10 LAST x", 501, "5.5.4"},
		{"BDAT 123456789012345678901", 501, "5.5.4"},
	};
	struct lmtp_command cmd;
	struct lmtp_reply r;

	(void)state;
	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		int ret = lmtp_command_parse(cases[i].line, strlen(cases[i].line), &cmd, &r);

		if (ret == 0 || r.code != cases[i].code)
			fprintf(stderr, "%s: %d %u\n", cases[i].line, ret, r.code);
		assert_int_equal(ret, -1);
		assert_int_equal(r.code, cases[i].code);
		assert_string_equal(r.enhanced, cases[i].enhanced);
		assert_non_null(r.text);
	}
	/* a NUL inside the line */
	assert_int_equal(lmtp_command_parse("NOOP\0x", 6, &cmd, &r), -1);
	assert_int_equal(r.code, 500);
}

static void test_bdat(void **state)
{
	struct lmtp_command cmd;
	struct lmtp_reply r;

	(void)state;
	assert_int_equal(lmtp_command_parse("BDAT 1000", 9, &cmd, &r), 0);
	assert_int_equal(cmd.verb, LMTP_CMD_BDAT);
	assert_int_equal(cmd.chunk_size, 1000);
	assert_false(cmd.last);
	assert_int_equal(lmtp_command_parse("bdat 0 last", 11, &cmd, &r), 0);
	assert_int_equal(cmd.chunk_size, 0);
	assert_true(cmd.last);
}

static void test_mailbox_valid(void **state)
{
	(void)state;
	assert_true(lmtp_mailbox_valid("a@b", 3, false));
	assert_false(lmtp_mailbox_valid("a", 1, false));
	assert_true(lmtp_mailbox_valid("a", 1, true));
	assert_true(lmtp_mailbox_valid("\"a\\\"b\"@c", 8, false));
	assert_false(lmtp_mailbox_valid("\"a\"x@c", 6, false));
	assert_false(lmtp_mailbox_valid(".a@c", 4, false));
	assert_false(lmtp_mailbox_valid("a.@c", 4, false));
	assert_false(lmtp_mailbox_valid("a@[]", 4, false));
	assert_true(lmtp_mailbox_valid("a@[IPv6:::1]", 12, false));
	assert_false(lmtp_mailbox_valid("", 0, true));
}

/* ---- DATA ---- */

struct data_case {
	const char *in;
	const char *out;
	size_t rest; /* bytes left after the end line */
};

static const struct data_case data_cases[] = {
	{"Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\r\n\r\nbody\r\n", 0},
	{".\r\n", "", 0},
	{"a\r\n..b\r\n...\r\n.\r\nQUIT\r\n", "a\r\n.b\r\n..\r\n", 6},
	{"bare\nlf\n.\nNOOP\n", "bare\nlf\n", 5},
	{"x\r\n.\rz\r\n.\r\n", "x\r\n\rz\r\n", 0},
	{"x\r\n..\r\n.\r\n", "x\r\n.\r\n", 0},
	{"no.dot\r\n .\r\n.\r\n", "no.dot\r\n .\r\n", 0},
	{"a\r\n.\r\n.\r\n", "a\r\n", 3},
};

/* Feed `in` in the given pieces; check output and where it stopped. */
static void run_split(const struct data_case *c, const size_t *cuts, size_t ncuts)
{
	struct buf out = BUF_INIT;
	struct lmtp_data d;
	size_t len = strlen(c->in), pos = 0, used;
	int ret = 0;

	lmtp_data_init(&d, &out, 1 << 20);
	for (size_t k = 0; k <= ncuts && ret == 0; k++) {
		size_t end = k < ncuts ? cuts[k] : len;

		if (end < pos)
			continue;
		ret = lmtp_data_feed(&d, c->in + pos, end - pos, &used);
		pos += used;
	}
	assert_int_equal(ret, 1);
	assert_int_equal(len - pos, c->rest);
	assert_int_equal(out.len, strlen(c->out));
	assert_memory_equal(out.data ? (const char *)out.data : "", c->out, out.len);
	assert_false(lmtp_data_too_big(&d));
	buf_free(&out);
}

static void test_data_stream(void **state)
{
	(void)state;
	for (size_t i = 0; i < HF_N_ELEMENTS(data_cases); i++) {
		const struct data_case *c = &data_cases[i];
		size_t len = strlen(c->in), cuts[1024];

		run_split(c, NULL, 0);
		for (size_t k = 0; k < len; k++)
			cuts[k] = k + 1;
		run_split(c, cuts, len); /* byte by byte */
		for (size_t k = 0; k <= len; k++) {
			cuts[0] = k;
			run_split(c, cuts, 1); /* every two-piece split */
		}
	}
}

static void test_data_incomplete_and_limit(void **state)
{
	struct buf out = BUF_INIT;
	struct lmtp_data d;
	size_t used;
	const char *big = "0123456789\r\n0123456789\r\n.\r\n";

	(void)state;
	lmtp_data_init(&d, &out, 100);
	assert_int_equal(lmtp_data_feed(&d, "abc\r\n.", 6, &used), 0);
	assert_int_equal(used, 6);
	assert_int_equal(lmtp_data_feed(&d, "\r", 1, &used), 0);
	assert_int_equal(lmtp_data_feed(&d, "\n", 1, &used), 1);
	assert_int_equal(used, 1);
	buf_reset(&out);
	lmtp_data_init(&d, &out, 15);
	assert_int_equal(lmtp_data_feed(&d, big, strlen(big), &used), 1);
	assert_true(lmtp_data_too_big(&d));
	assert_true(out.len <= 15);
	buf_reset(&out);
	lmtp_data_init(&d, &out, 24);
	assert_int_equal(lmtp_data_feed(&d, big, strlen(big), &used), 1);
	assert_false(lmtp_data_too_big(&d));
	assert_int_equal(out.len, 24);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_ok),
		cmocka_unit_test(test_commands_bad),
		cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_mailbox_valid),
		cmocka_unit_test(test_data_stream),
		cmocka_unit_test(test_data_incomplete_and_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
