/* test-imap-parser.c — the framer and parser API: pipelining, literal
 * decisions, limits, error recovery, raw lines, reset and streaming. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-imap-helpers.h"

#include "lib/mem.h"

#include <stdlib.h>
#include <time.h>

static struct imap_parser *server_parser(enum imap_limits_preset preset)
{
	struct imap_parser_limits l;

	imap_parser_limits_init(&l, preset);
	return imap_parser_new(IMAP_PARSER_SERVER, &l);
}

static void feed_str(struct imap_parser *p, const char *s)
{
	imap_parser_feed(p, s, strlen(s));
}

/* Expect a command of this kind and tag next. */
static void expect_command(struct imap_parser *p, enum imap_command_kind kind, const char *tag)
{
	struct parsed out;

	memset(&out, 0, sizeof(out));
	if (next_item(p, true, &out) != IMAP_PARSE_DONE) {
		fprintf(stderr, "expected %s, got result %d (%s)\n", tag, out.result, out.message);
		fail();
	}
	assert_int_equal(out.cmd->kind, kind);
	assert_string_equal(out.cmd->tag, tag);
	imap_command_free(&out.cmd);
}

static struct parsed expect_error(struct imap_parser *p, enum imap_parse_error_kind kind)
{
	struct parsed out;

	memset(&out, 0, sizeof(out));
	if (next_item(p, true, &out) != IMAP_PARSE_ERROR) {
		fprintf(stderr, "expected an error, got result %d\n", out.result);
		imap_command_free(&out.cmd);
		fail();
	}
	assert_int_equal(out.kind, kind);
	return out;
}

static void expect_more(struct imap_parser *p)
{
	struct imap_command *cmd;
	struct imap_parse_error err;

	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_MORE);
	assert_null(cmd);
}

static void test_pipelining_and_no_run_ahead(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_PREAUTH);

	feed_str(p, "a NOOP\r\nb CAPABILITY\r\n\r\nc LOGOUT\nd NO");
	expect_command(p, IMAP_CMD_NOOP, "a");
	/* The rest stays buffered until asked for. */
	assert_int_equal(imap_parser_pending(p), strlen("b CAPABILITY\r\n\r\nc LOGOUT\nd NO"));
	expect_command(p, IMAP_CMD_CAPABILITY, "b");
	expect_command(p, IMAP_CMD_LOGOUT, "c");
	expect_more(p);
	feed_str(p, "OP\r\ne NOOP\r\nf NO");
	expect_command(p, IMAP_CMD_NOOP, "d");
	expect_command(p, IMAP_CMD_NOOP, "e");
	/* Most of the buffer is consumed: feeding compacts it first. */
	feed_str(p, "OP\r\n");
	expect_command(p, IMAP_CMD_NOOP, "f");
	expect_more(p);
	assert_int_equal(imap_parser_pending(p), 0);
	imap_parser_free(&p);
	assert_null(p);
	imap_parser_free(&p);
}

static void test_literal_request(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_AUTH);
	const struct imap_literal_request *req;
	struct imap_command *cmd;
	struct imap_parse_error err;

	assert_null(imap_parser_literal_request(p));
	feed_str(p, "A7 UID REPLACE 3 box ~{5}\r\n");
	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_LITERAL);
	/* Asking again before deciding gives the same answer. */
	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_LITERAL);
	req = imap_parser_literal_request(p);
	assert_non_null(req);
	assert_string_equal(req->tag, "A7");
	assert_string_equal(req->command, "REPLACE");
	assert_true(req->uid);
	assert_int_equal(req->size, 5);
	assert_true(req->literal8);
	assert_true(req->sync);
	assert_int_equal(req->index, 0);
	assert_int_equal(imap_parser_literal_accept(p), 0);
	assert_int_equal(imap_parser_literal_accept(p), -1);
	expect_more(p);
	feed_str(p, "a\0b\r");
	imap_parser_feed(p, "a\0b\rx\r\n", 7);
	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_ERROR);
	imap_parser_free(&p);

	p = server_parser(IMAP_LIMITS_SERVER_AUTH);
	feed_str(p, "A8 APPEND box {3+}\r\nabc {2}\r\n");
	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_LITERAL);
	req = imap_parser_literal_request(p);
	assert_false(req->sync);
	assert_false(req->literal8);
	assert_string_equal(req->command, "APPEND");
	imap_parser_literal_accept(p);
	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_LITERAL);
	req = imap_parser_literal_request(p);
	assert_true(req->sync);
	assert_int_equal(req->index, 1);
	imap_parser_literal_accept(p);
	feed_str(p, "de\r\n");
	expect_command(p, IMAP_CMD_APPEND, "A8");
	imap_parser_free(&p);
}

static void test_literal_reject(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_AUTH);
	struct imap_command *cmd;
	struct imap_parse_error err;

	/* Synchronizing: the client sends nothing more of that command. */
	feed_str(p, "a APPEND box {100}\r\nb NOOP\r\n");
	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_LITERAL);
	imap_parser_literal_reject(p);
	expect_command(p, IMAP_CMD_NOOP, "b");

	/* Non-synchronizing: skip its bytes and the rest of the command,
	 * including a further literal. */
	feed_str(p, "c APPEND box {5+}\r\nhello (\\Seen) {3+}\r\nabc\r\nd NOOP\r\n");
	assert_int_equal(imap_parser_next_command(p, &cmd, &err), IMAP_PARSE_LITERAL);
	imap_parser_literal_reject(p);
	imap_parser_literal_reject(p);
	expect_command(p, IMAP_CMD_NOOP, "d");
	assert_int_equal(imap_parser_pending(p), 0);
	imap_parser_free(&p);
}

static void test_literal_limits(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_PREAUTH);
	struct imap_parser_limits l;
	struct parsed e;

	/* Over max_literal: the parser refuses before asking, tagged. */
	feed_str(p, "a1 LOGIN {9000}\r\nb NOOP\r\n");
	e = expect_error(p, IMAP_PERR_LITERAL_TOO_BIG);
	assert_string_equal(e.tag, "a1");
	expect_command(p, IMAP_CMD_NOOP, "b");
	/* Non-synchronizing too big: its bytes are skipped. */
	feed_str(p, "a2 LOGIN {9000+}\r\n");
	e = expect_error(p, IMAP_PERR_LITERAL_TOO_BIG);
	for (int i = 0; i < 9; i++) {
		char chunk[1000];

		memset(chunk, 'x', sizeof(chunk));
		imap_parser_feed(p, chunk, sizeof(chunk));
		expect_more(p);
	}
	feed_str(p, " y\r\nb NOOP\r\n");
	expect_command(p, IMAP_CMD_NOOP, "b");
	/* A size that does not fit in 64 bits. */
	feed_str(p, "a3 LOGIN {999999999999999999999}\r\nc NOOP\r\n");
	expect_error(p, IMAP_PERR_LITERAL_TOO_BIG);
	expect_command(p, IMAP_CMD_NOOP, "c");
	imap_parser_free(&p);

	/* Sum of literals held in memory. */
	imap_parser_limits_init(&l, IMAP_LIMITS_SERVER_PREAUTH);
	l.max_literal_total = 100;
	p = imap_parser_new(IMAP_PARSER_SERVER, &l);
	feed_str(p, "a4 LOGIN {60+}\r\n");
	for (int i = 0; i < 6; i++)
		feed_str(p, "0123456789");
	feed_str(p, " {60+}\r\n");
	e = expect_error(p, IMAP_PERR_LITERAL_TOO_BIG);
	assert_string_equal(e.tag, "a4");
	imap_parser_free(&p);

	/* LITERAL-: non-synchronizing literals above 4096 are refused. */
	imap_parser_limits_init(&l, IMAP_LIMITS_SERVER_AUTH);
	l.literal_minus = true;
	p = imap_parser_new(IMAP_PARSER_SERVER, &l);
	feed_str(p, "m1 APPEND x {4097+}\r\n");
	e = expect_error(p, IMAP_PERR_LITERAL_TOO_BIG);
	assert_string_equal(e.tag, "m1");
	imap_parser_reset(p);
	feed_str(p, "m2 APPEND x {4096+}\r\n");
	assert_int_equal(next_item(p, true, &e), IMAP_PARSE_MORE);
	imap_parser_free(&p);
}

static void test_set_limits_after_login(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_PREAUTH);
	struct imap_parser_limits l;
	char *msg = xmalloc(100000);
	struct parsed out;

	feed_str(p, "a APPEND x {100000}\r\n");
	expect_error(p, IMAP_PERR_LITERAL_TOO_BIG);
	imap_parser_limits_init(&l, IMAP_LIMITS_SERVER_AUTH);
	imap_parser_set_limits(p, &l);
	feed_str(p, "b APPEND x {100000}\r\n");
	memset(msg, 'm', 100000);
	imap_parser_feed(p, msg, 100000);
	feed_str(p, "\r\n");
	memset(&out, 0, sizeof(out));
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_DONE);
	assert_int_equal(out.cmd->u.append.messages[0].data.size, 100000);
	imap_command_free(&out.cmd);
	free(msg);
	imap_parser_free(&p);
}

static void test_line_too_long(void **state)
{
	struct imap_parser_limits l;
	struct imap_parser *p;
	struct parsed e;
	char line[300];

	imap_parser_limits_init(&l, IMAP_LIMITS_SERVER_AUTH);
	l.max_line = 100;
	p = imap_parser_new(IMAP_PARSER_SERVER, &l);
	memset(line, 'x', sizeof(line));
	feed_str(p, "t1 LOGIN ");
	imap_parser_feed(p, line, sizeof(line));
	/* The error comes at once, before the line ends. */
	e = expect_error(p, IMAP_PERR_LINE_TOO_LONG);
	assert_string_equal(e.tag, "t1");
	/* The rest of the line, with a non-synchronizing literal, is skipped. */
	imap_parser_feed(p, line, sizeof(line));
	feed_str(p, " {5+}\r\n12345 more\r\nt2 NOOP\r\n");
	expect_command(p, IMAP_CMD_NOOP, "t2");
	/* A synchronizing literal ends the skipped command. */
	imap_parser_feed(p, line, sizeof(line));
	feed_str(p, " {5}\r\nt3 NOOP\r\n");
	e = expect_error(p, IMAP_PERR_LINE_TOO_LONG);
	assert_false(e.has_tag);
	expect_command(p, IMAP_CMD_NOOP, "t3");
	/* Line ends within the same chunk. */
	imap_parser_feed(p, "t4 X ", 5);
	imap_parser_feed(p, line, sizeof(line));
	feed_str(p, "\r\nt5 NOOP\r\n");
	e = expect_error(p, IMAP_PERR_LINE_TOO_LONG);
	assert_string_equal(e.tag, "t4");
	expect_command(p, IMAP_CMD_NOOP, "t5");
	/* Lines after a literal count too. */
	feed_str(p, "t6 LOGIN {2}\r\n");
	assert_int_equal(next_item(p, true, &e), IMAP_PARSE_MORE);
	feed_str(p, "ab ");
	imap_parser_feed(p, line, 120);
	feed_str(p, "\r\nt7 NOOP\r\n");
	e = expect_error(p, IMAP_PERR_LINE_TOO_LONG);
	assert_string_equal(e.tag, "t6");
	expect_command(p, IMAP_CMD_NOOP, "t7");
	imap_parser_free(&p);
}

static void test_quotes_hide_literals(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_PREAUTH);
	struct parsed out;

	feed_str(p, "q1 LOGIN x \"a{5}\"\r\nq2 LOGIN x \"a\\\"{5}\"\r\nq3 NOOP\r\n");
	memset(&out, 0, sizeof(out));
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_DONE);
	assert_string_equal(out.cmd->u.login.password, "a{5}");
	imap_command_free(&out.cmd);
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_DONE);
	assert_string_equal(out.cmd->u.login.password, "a\"{5}");
	imap_command_free(&out.cmd);
	expect_command(p, IMAP_CMD_NOOP, "q3");
	/* An unterminated quote still ends at the line end. */
	feed_str(p, "q4 LOGIN x \"a{5}\r\nq5 NOOP\r\n");
	expect_error(p, IMAP_PERR_SYNTAX);
	expect_command(p, IMAP_CMD_NOOP, "q5");
	imap_parser_free(&p);
}

static void test_depth_and_items(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_AUTH);
	struct buf b = BUF_INIT;
	struct parsed e;

	buf_append_str(&b, "d1 SEARCH ");
	for (int i = 0; i < 40; i++)
		buf_append_byte(&b, '(');
	buf_append_str(&b, "ALL");
	for (int i = 0; i < 40; i++)
		buf_append_byte(&b, ')');
	buf_append_str(&b, "\r\nd2 SEARCH ");
	for (int i = 0; i < 10000; i++)
		buf_append_str(&b, "NOT ");
	buf_append_str(&b, "ALL\r\nd3 STORE 1 FLAGS (");
	for (int i = 0; i < 10001; i++)
		buf_append_str(&b, "a ");
	buf_append_str(&b, "b)\r\nd4 NOOP\r\n");
	imap_parser_feed(p, b.data, b.len);
	e = expect_error(p, IMAP_PERR_TOO_DEEP);
	assert_string_equal(e.tag, "d1");
	e = expect_error(p, IMAP_PERR_TOO_DEEP);
	assert_string_equal(e.tag, "d2");
	e = expect_error(p, IMAP_PERR_TOO_MANY_ITEMS);
	assert_string_equal(e.tag, "d3");
	expect_command(p, IMAP_CMD_NOOP, "d4");
	buf_free(&b);
	imap_parser_free(&p);
}

static void test_raw_lines_and_reset(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_AUTH);
	struct imap_parse_error err;
	const char *line;
	size_t len;
	char big[70000];

	feed_str(p,
		 "i1 IDLE\r\nDONE\r\ni2 AUTHENTICATE PLAIN\r\n\r\nAGZvbwBiYXI= {5}\r\ni3 NOOP\r\n");
	expect_command(p, IMAP_CMD_IDLE, "i1");
	imap_parser_expect_raw_line(p);
	assert_int_equal(imap_parser_next_raw_line(p, &line, &len, &err), IMAP_PARSE_DONE);
	assert_string_equal(line, "DONE");
	assert_int_equal(len, 4);
	expect_command(p, IMAP_CMD_AUTHENTICATE, "i2");
	/* Raw lines may be empty, and "{5}" at their end is no literal. */
	assert_int_equal(imap_parser_next_raw_line(p, &line, &len, &err), IMAP_PARSE_DONE);
	assert_int_equal(len, 0);
	assert_int_equal(imap_parser_next_raw_line(p, &line, &len, &err), IMAP_PARSE_DONE);
	assert_string_equal(line, "AGZvbwBiYXI= {5}");
	expect_command(p, IMAP_CMD_NOOP, "i3");
	assert_int_equal(imap_parser_next_raw_line(p, &line, &len, &err), IMAP_PARSE_MORE);
	feed_str(p, "DO");
	assert_int_equal(imap_parser_next_raw_line(p, &line, &len, &err), IMAP_PARSE_MORE);
	feed_str(p, "NE\r\n");
	assert_int_equal(imap_parser_next_raw_line(p, &line, &len, &err), IMAP_PARSE_DONE);
	assert_string_equal(line, "DONE");
	/* A raw line over the limit. */
	memset(big, 'A', sizeof(big));
	imap_parser_feed(p, big, sizeof(big));
	assert_int_equal(imap_parser_next_raw_line(p, &line, &len, &err), IMAP_PARSE_ERROR);
	assert_int_equal(err.kind, IMAP_PERR_LINE_TOO_LONG);
	feed_str(p, "A {5}\r\ni4 NOOP\r\n");
	expect_command(p, IMAP_CMD_NOOP, "i4");

	/* STARTTLS: what was pipelined behind it must never run. */
	feed_str(p, "s1 STARTTLS\r\ns2 LOGIN user pass\r\n");
	expect_command(p, IMAP_CMD_STARTTLS, "s1");
	assert_true(imap_parser_pending(p) > 0);
	imap_parser_reset(p);
	assert_int_equal(imap_parser_pending(p), 0);
	expect_more(p);
	feed_str(p, "s3 NOOP\r\n");
	expect_command(p, IMAP_CMD_NOOP, "s3");
	imap_parser_free(&p);
}

/* A literal sink that keeps data in memory and counts calls. */
struct sink_state {
	unsigned begins, writes, ends, releases;
	int fail_begin, fail_write_at, fail_end;
	struct buf data[8];
	size_t handles;
};

static void *sink_begin(void *ctx, uint64_t size, bool literal8)
{
	struct sink_state *st = ctx;

	if (st->fail_begin)
		return NULL;
	st->begins++;
	return &st->data[st->handles++ % 8];
}

static int sink_write(void *ctx, void *handle, const void *data, size_t len)
{
	struct sink_state *st = ctx;

	if (++st->writes == (unsigned)st->fail_write_at)
		return -1;
	buf_append(handle, data, len);
	return 0;
}

static int sink_end(void *ctx, void *handle)
{
	struct sink_state *st = ctx;

	st->ends++;
	return st->fail_end ? -1 : 0;
}

static void sink_release(void *ctx, void *handle)
{
	struct sink_state *st = ctx;

	st->releases++;
	buf_free(handle);
}

static struct imap_parser *sink_parser(struct sink_state *st)
{
	struct imap_literal_sink sink = {sink_begin, sink_write, sink_end, sink_release, st};
	struct imap_parser_limits l;
	struct imap_parser *p;

	imap_parser_limits_init(&l, IMAP_LIMITS_SERVER_AUTH);
	l.stream_threshold = 10;
	p = imap_parser_new(IMAP_PARSER_SERVER, &l);
	imap_parser_set_sink(p, &sink);
	return p;
}

static void test_streaming_sink(void **state)
{
	struct sink_state st;
	struct imap_parser *p;
	struct parsed out;
	const struct imap_literal *lit;

	memset(&st, 0, sizeof(st));
	p = sink_parser(&st);
	/* Small literals and non-APPEND strings stay in memory. */
	feed_str(p, "w1 APPEND box {4}\r\nsmal {20}\r\n0123456789");
	memset(&out, 0, sizeof(out));
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_MORE);
	feed_str(p, "abcdefghij\r\nw2 LOGIN {12}\r\nabcdefghijkl x\r\n");
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_DONE);
	assert_int_equal(st.begins, 1);
	assert_int_equal(st.ends, 1);
	lit = &out.cmd->u.append.messages[0].data;
	assert_non_null(lit->data);
	assert_null(lit->stream);
	lit = &out.cmd->u.append.messages[1].data;
	assert_null(lit->data);
	assert_int_equal(lit->size, 20);
	assert_non_null(lit->stream);
	assert_memory_equal(((struct buf *)lit->stream)->data, "0123456789abcdefghij", 20);
	assert_int_equal(st.releases, 0);
	imap_command_free(&out.cmd);
	assert_int_equal(st.releases, 1);
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_DONE);
	assert_string_equal(out.cmd->u.login.user, "abcdefghijkl");
	imap_command_free(&out.cmd);

	/* A write failure fails the command; the rest is skipped. */
	st.fail_write_at = st.writes + 1;
	feed_str(p, "w3 APPEND box {20+}\r\n0123456789");
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_ERROR);
	assert_int_equal(out.kind, IMAP_PERR_SINK);
	assert_string_equal(out.tag, "w3");
	feed_str(p, "abcdefghij {3+}\r\nabc\r\nw4 NOOP\r\n");
	expect_command(p, IMAP_CMD_NOOP, "w4");
	assert_int_equal(st.begins, st.releases);

	/* The sink refusing a literal: accept() says so, nothing is sent. */
	st.fail_begin = 1;
	feed_str(p, "w5 APPEND box {20}\r\nw6 NOOP\r\n");
	assert_int_equal(imap_parser_next_command(p, &out.cmd, NULL), IMAP_PARSE_LITERAL);
	assert_int_equal(imap_parser_literal_accept(p), -1);
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_ERROR);
	assert_int_equal(out.kind, IMAP_PERR_SINK);
	expect_command(p, IMAP_CMD_NOOP, "w6");
	st.fail_begin = 0;

	/* end() failing. */
	st.fail_end = 1;
	feed_str(p, "w7 APPEND box {10+}\r\n0123456789 more\r\nw8 NOOP\r\n");
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_ERROR);
	assert_int_equal(out.kind, IMAP_PERR_SINK);
	expect_command(p, IMAP_CMD_NOOP, "w8");
	st.fail_end = 0;

	/* A grammar error after streaming releases the handle. */
	feed_str(p, "w9 APPEND box {10+}\r\n0123456789 junk\r\n");
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_ERROR);
	assert_int_equal(out.kind, IMAP_PERR_SYNTAX);
	assert_int_equal(st.begins, st.releases);

	/* Freeing the parser in the middle of a literal releases it. */
	feed_str(p, "wa APPEND box {30+}\r\n0123456789");
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_MORE);
	imap_parser_free(&p);
	assert_int_equal(st.begins, st.releases);
	for (size_t i = 0; i < 8; i++)
		buf_free(&st.data[i]);
}

static void test_errors_without_tag(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_PREAUTH);
	struct parsed e;
	char tag[200];

	memset(tag, 't', sizeof(tag));
	imap_parser_feed(p, tag, sizeof(tag));
	feed_str(p, " NOOP\r\n* NOOP\r\nz NOOP\r\n");
	e = expect_error(p, IMAP_PERR_SYNTAX);
	assert_false(e.has_tag);
	e = expect_error(p, IMAP_PERR_SYNTAX);
	assert_false(e.has_tag);
	expect_command(p, IMAP_CMD_NOOP, "z");
	imap_parser_free(&p);
}

static void test_client_framing(void **state)
{
	struct imap_parser *p = imap_parser_new(IMAP_PARSER_CLIENT, NULL);
	struct imap_parser_limits l;
	struct parsed out;

	/* Text lines carry no literals, whatever their end looks like. */
	feed_str(p, "* OK [ALERT] disk {5}\r\n+ go ahead {3}\r\nA1 NO failed {2}\r\n"
		    "* 12 FETCH (BODY[] {5}\r\nhello)\r\n");
	memset(&out, 0, sizeof(out));
	assert_int_equal(next_item(p, false, &out), IMAP_PARSE_DONE);
	assert_int_equal(out.resp->u.status.code.kind, IMAP_CODE_ALERT);
	assert_string_equal(out.resp->u.status.text, "disk {5}");
	imap_response_free(&out.resp);
	assert_int_equal(next_item(p, false, &out), IMAP_PARSE_DONE);
	assert_int_equal(out.resp->kind, IMAP_RESP_CONTINUE);
	assert_string_equal(out.resp->u.text, "go ahead {3}");
	imap_response_free(&out.resp);
	assert_int_equal(next_item(p, false, &out), IMAP_PARSE_DONE);
	assert_string_equal(out.resp->tag, "A1");
	imap_response_free(&out.resp);
	assert_int_equal(next_item(p, false, &out), IMAP_PARSE_DONE);
	assert_int_equal(out.resp->kind, IMAP_RESP_FETCH);
	assert_memory_equal(out.resp->u.fetch.attrs[0].u.string.data, "hello", 5);
	imap_response_free(&out.resp);
	assert_int_equal(out.literal_requests, 0);

	/* Too big a literal from the server: skipped, then parsing goes on. */
	imap_parser_limits_init(&l, IMAP_LIMITS_CLIENT);
	l.max_literal = 4;
	imap_parser_set_limits(p, &l);
	feed_str(p, "* 1 FETCH (BODY[] {10}\r\n0123456789 UID 5)\r\n* 2 EXISTS\r\n");
	assert_int_equal(next_item(p, false, &out), IMAP_PARSE_ERROR);
	assert_int_equal(out.kind, IMAP_PERR_LITERAL_TOO_BIG);
	assert_string_equal(out.tag, "*");
	assert_int_equal(next_item(p, false, &out), IMAP_PARSE_DONE);
	assert_int_equal(out.resp->kind, IMAP_RESP_EXISTS);
	imap_response_free(&out.resp);
	imap_parser_free(&p);
}

static void test_bytewise_equals_whole(void **state)
{
	static const char wire[] = "x1 APPEND \"a b\" (\\Seen) {12}\r\nhello\r\nworld "
				   "~{3}\r\n\0\1\2\r\n";
	struct parsed a = parse_wire(wire, sizeof(wire) - 1, true, false, NULL);
	struct parsed b = parse_wire(wire, sizeof(wire) - 1, true, true, NULL);

	assert_int_equal(a.result, IMAP_PARSE_DONE);
	assert_int_equal(b.result, IMAP_PARSE_DONE);
	assert_int_equal(b.cmd->u.append.count, 2);
	assert_memory_equal(b.cmd->u.append.messages[0].data.data, "hello\r\nworld", 12);
	assert_memory_equal(b.cmd->u.append.messages[1].data.data, "\0\1\2", 3);
	assert_true(b.cmd->u.append.messages[1].data.literal8);
	parsed_free(&a);
	parsed_free(&b);
}

/* Time stays linear: many small strings in one long line, and a long
 * stream of pipelined commands fed in chunks. */
static void test_linear_time(void **state)
{
	struct imap_parser *p = server_parser(IMAP_LIMITS_SERVER_AUTH);
	struct buf b = BUF_INIT;
	struct parsed out;
	clock_t start = clock();
	size_t n = 0, off = 0;

	buf_append_str(&b, "h FETCH 1 (BODY[HEADER.FIELDS (");
	for (int i = 0; i < 9000; i++)
		buf_append_str(&b, i == 0 ? "\"a\"" : " \"a\"");
	buf_append_str(&b, ")])\r\n");
	imap_parser_feed(p, b.data, b.len);
	memset(&out, 0, sizeof(out));
	assert_int_equal(next_item(p, true, &out), IMAP_PARSE_DONE);
	assert_int_equal(out.cmd->u.fetch.items[0].section.fields.count, 9000);
	imap_command_free(&out.cmd);
	buf_reset(&b);
	for (int i = 0; i < 200000; i++)
		buf_printf(&b, "t%d UID FETCH 1:* (FLAGS)\r\n", i);
	while (off < b.len) {
		size_t chunk = b.len - off < 4096 ? b.len - off : 4096;

		imap_parser_feed(p, b.data + off, chunk);
		off += chunk;
		while (next_item(p, true, &out) == IMAP_PARSE_DONE) {
			imap_command_free(&out.cmd);
			n++;
		}
	}
	assert_int_equal(n, 200000);
	assert_int_equal(imap_parser_pending(p), 0);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 20.0);
	buf_free(&b);
	imap_parser_free(&p);
}

static void test_utf8_quoted(void **state)
{
	struct imap_parser_limits l;
	struct parsed out;
	static const char bad[] = "u LOGIN \"gr\xfc\xdf\" x\r\n";
	static const char good[] = "u LOGIN \"gr\xc3\xbc\" x\r\n";

	imap_parser_limits_init(&l, IMAP_LIMITS_SERVER_PREAUTH);
	/* Off: 8-bit bytes are taken as sent. */
	out = parse_wire(bad, strlen(bad), true, false, &l);
	assert_int_equal(out.result, IMAP_PARSE_DONE);
	parsed_free(&out);
	/* On (UTF8=ACCEPT): they must be UTF-8. */
	l.utf8 = true;
	out = parse_wire(bad, strlen(bad), true, false, &l);
	assert_int_equal(out.result, IMAP_PARSE_ERROR);
	assert_string_equal(out.tag, "u");
	out = parse_wire(good, strlen(good), true, true, &l);
	assert_int_equal(out.result, IMAP_PARSE_DONE);
	assert_string_equal(out.cmd->u.login.user, "gr\xc3\xbc");
	parsed_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelining_and_no_run_ahead),
		cmocka_unit_test(test_literal_request),
		cmocka_unit_test(test_literal_reject),
		cmocka_unit_test(test_literal_limits),
		cmocka_unit_test(test_set_limits_after_login),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_quotes_hide_literals),
		cmocka_unit_test(test_depth_and_items),
		cmocka_unit_test(test_raw_lines_and_reset),
		cmocka_unit_test(test_streaming_sink),
		cmocka_unit_test(test_errors_without_tag),
		cmocka_unit_test(test_client_framing),
		cmocka_unit_test(test_bytewise_equals_whole),
		cmocka_unit_test(test_linear_time),
		cmocka_unit_test(test_utf8_quoted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
