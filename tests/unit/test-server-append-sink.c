/* test-server-append-sink.c — hafend's literal sink for APPEND, driven by a
 * real server parser: large literals land in unnamed files and map back
 * byte for byte, small ones stay in memory, every handle is released
 * whether the command completes, fails or the parser goes away, and no
 * file is ever left in the directory.
 *
 * src/server is not part of libhafen, so the sink's source is built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/imap/append-sink.c"

#include "imap/imap-command.h"
#include "store-test-util.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

struct fixture {
	char dir[256];
	char msg_dir[300];
	struct append_sink *sink;
	struct imap_parser *parser;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct imap_parser_limits limits;

	test_tmpdir(f->dir, sizeof(f->dir));
	snprintf(f->msg_dir, sizeof(f->msg_dir), "%s/msg", f->dir);
	assert_int_equal(mkdir(f->msg_dir, 0700), 0);
	f->sink = append_sink_new(f->dir, 64 * 1024 * 1024);
	imap_parser_limits_init(&limits, IMAP_LIMITS_SERVER_AUTH);
	limits.max_literal = limits.max_literal_total = 4ULL * 1024 * 1024 * 1024;
	f->parser = imap_parser_new(IMAP_PARSER_SERVER, NULL);
	append_sink_attach(f->sink, f->parser, &limits);
	assert_int_equal(limits.stream_threshold, APPEND_SINK_THRESHOLD);
	imap_parser_set_limits(f->parser, &limits);
	*state = f;
	return 0;
}

static size_t dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	imap_parser_free(&f->parser);
	assert_int_equal(append_sink_live_bytes(f->sink), 0);
	append_sink_free(&f->sink);
	assert_null(f->sink);
	/* Unnamed files: nothing was ever visible in the directory. */
	assert_int_equal(dir_entries(f->msg_dir), 0);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

/* A message of n bytes with a recognisable pattern. */
static char *make_message(size_t n, unsigned seed)
{
	char *m = malloc(n);

	for (size_t i = 0; i < n; i++)
		m[i] = (char)('a' + (i * 7 + seed) % 26);
	return m;
}

/* Feed bytes in pieces of at most chunk, accepting literals as they come;
 * returns the final result and the command. */
static enum imap_parse_result feed_all(struct imap_parser *p, const char *data, size_t len,
				       size_t chunk, struct imap_command **cmd_r)
{
	struct imap_parse_error err;
	enum imap_parse_result r = IMAP_PARSE_MORE;
	size_t off = 0;

	*cmd_r = NULL;
	for (;;) {
		r = imap_parser_next_command(p, cmd_r, &err);
		if (r == IMAP_PARSE_LITERAL) {
			/* A refusal shows as the error of the next call. */
			(void)imap_parser_literal_accept(p);
			continue;
		}
		if (r != IMAP_PARSE_MORE)
			return r;
		if (off == len)
			return r;
		{
			size_t n = len - off < chunk ? len - off : chunk;

			imap_parser_feed(p, data + off, n);
			off += n;
		}
	}
}

static void check_literal(const struct imap_literal *lit, const char *want, size_t len,
			  bool streamed)
{
	const void *data;
	size_t size;
	const char *error;

	assert_int_equal(lit->size, len);
	if (!streamed) {
		assert_null(lit->stream);
		assert_memory_equal(lit->data, want, len);
		return;
	}
	assert_null(lit->data);
	assert_non_null(lit->stream);
	assert_int_equal(append_sink_map(lit->stream, &data, &size, &error), 0);
	assert_int_equal(size, len);
	assert_memory_equal(data, want, len);
	/* Mapping again gives the same view. */
	assert_int_equal(append_sink_map(lit->stream, &data, &size, &error), 0);
	assert_memory_equal(data, want, len);
}

/* One large and one small message in one MULTIAPPEND, fed at several
 * chunk sizes including byte by byte, so every resume point is crossed. */
static void test_multiappend_streams_large_only(void **state)
{
	static const size_t chunks[] = {1, 7, 4096, 1 << 20};
	struct fixture *f = *state;
	size_t big_len = APPEND_SINK_THRESHOLD + 1234, small_len = 1000;
	char *big = make_message(big_len, 1), *small = make_message(small_len, 2);
	struct buf wire = BUF_INIT;

	buf_printf(&wire, "a1 APPEND INBOX (\\Seen) {%zu}\r\n", big_len);
	buf_append(&wire, big, big_len);
	buf_printf(&wire, " {%zu+}\r\n", small_len);
	buf_append(&wire, small, small_len);
	buf_append_str(&wire, "\r\n");
	for (size_t c = 0; c < HF_N_ELEMENTS(chunks); c++) {
		struct imap_command *cmd;

		assert_int_equal(
			feed_all(f->parser, (const char *)wire.data, wire.len, chunks[c], &cmd),
			IMAP_PARSE_DONE);
		assert_int_equal(cmd->u.append.count, 2);
		assert_int_equal(append_sink_live_bytes(f->sink), big_len);
		check_literal(&cmd->u.append.messages[0].data, big, big_len, true);
		check_literal(&cmd->u.append.messages[1].data, small, small_len, false);
		imap_command_free(&cmd);
		assert_int_equal(append_sink_live_bytes(f->sink), 0);
	}
	buf_free(&wire);
	free(big);
	free(small);
}

/* A literal8 (~{n}) of binary data with NUL bytes is streamed as well. */
static void test_literal8_binary(void **state)
{
	struct fixture *f = *state;
	size_t len = APPEND_SINK_THRESHOLD;
	char *data = make_message(len, 3);
	struct buf wire = BUF_INIT;
	struct imap_command *cmd;

	for (size_t i = 0; i < len; i += 1000)
		data[i] = '\0';
	buf_printf(&wire, "b APPEND INBOX ~{%zu+}\r\n", len);
	buf_append(&wire, data, len);
	buf_append_str(&wire, "\r\n");
	assert_int_equal(feed_all(f->parser, (const char *)wire.data, wire.len, 65536, &cmd),
			 IMAP_PARSE_DONE);
	assert_true(cmd->u.append.messages[0].data.literal8);
	check_literal(&cmd->u.append.messages[0].data, data, len, true);
	imap_command_free(&cmd);
	buf_free(&wire);
	free(data);
}

/* The connection goes away in the middle of a literal: the parser's free
 * releases the handle (teardown checks nothing is live or left). */
static void test_parser_freed_mid_literal(void **state)
{
	struct fixture *f = *state;
	struct imap_command *cmd;
	size_t len = APPEND_SINK_THRESHOLD * 2;
	char *data = make_message(len / 2, 4);
	struct buf wire = BUF_INIT;

	buf_printf(&wire, "c APPEND INBOX {%zu}\r\n", len);
	buf_append(&wire, data, len / 2);
	assert_int_equal(feed_all(f->parser, (const char *)wire.data, wire.len, 8192, &cmd),
			 IMAP_PARSE_MORE);
	assert_int_equal(append_sink_live_bytes(f->sink), len);
	buf_free(&wire);
	free(data);
}

/* A command that fails after its literal was streamed releases it. */
static void test_failed_command_releases(void **state)
{
	struct fixture *f = *state;
	struct imap_command *cmd;
	size_t len = APPEND_SINK_THRESHOLD;
	char *data = make_message(len, 5);
	struct buf wire = BUF_INIT;

	/* A second message without its literal: a syntax error after the first. */
	buf_printf(&wire, "d APPEND INBOX {%zu+}\r\n", len);
	buf_append(&wire, data, len);
	buf_append_str(&wire, " (\\Seen) garbage\r\ne NOOP\r\n");
	assert_int_equal(feed_all(f->parser, (const char *)wire.data, wire.len, 100000, &cmd),
			 IMAP_PARSE_ERROR);
	assert_int_equal(append_sink_live_bytes(f->sink), 0);
	assert_int_equal(feed_all(f->parser, "", 0, 1, &cmd), IMAP_PARSE_DONE);
	assert_int_equal(cmd->kind, IMAP_CMD_NOOP);
	imap_command_free(&cmd);
	buf_free(&wire);
	free(data);
}

/* Above the per-session total, the literal is refused before any byte is
 * sent: the parser reports a sink error and goes on with the next command. */
static void test_refused_above_total(void **state)
{
	struct fixture *f = *state;
	struct imap_parse_error err;
	struct imap_command *cmd = NULL;
	char line[128];

	snprintf(line, sizeof(line), "e APPEND INBOX {%llu}\r\n",
		 (unsigned long long)APPEND_SINK_MAX_TOTAL + 1);
	imap_parser_feed(f->parser, line, strlen(line));
	assert_int_equal(imap_parser_next_command(f->parser, &cmd, &err), IMAP_PARSE_LITERAL);
	assert_int_equal(imap_parser_literal_accept(f->parser), -1);
	assert_int_equal(imap_parser_next_command(f->parser, &cmd, &err), IMAP_PARSE_ERROR);
	assert_int_equal(err.kind, IMAP_PERR_SINK);
	assert_string_equal(err.tag, "e");
	assert_int_equal(append_sink_live_bytes(f->sink), 0);
	assert_int_equal(feed_all(f->parser, "f NOOP\r\n", 8, 8, &cmd), IMAP_PARSE_DONE);
	assert_string_equal(cmd->tag, "f");
	imap_command_free(&cmd);
}

/* A directory that cannot hold files refuses the literal. */
static void test_unusable_directory(void **state)
{
	struct fixture *f = *state;
	struct append_sink *sink = append_sink_new("/nonexistent/hafen", 1024);
	void *h = sink_begin(sink, 1000, false);

	(void)f;
	assert_null(h);
	assert_int_equal(append_sink_live_bytes(sink), 0);
	append_sink_free(&sink);
	append_sink_free(&sink);
}

/* Writing past the announced size, or ending short, fails. */
static void test_size_mismatch(void **state)
{
	struct fixture *f = *state;
	void *h = sink_begin(f->sink, 10, false);
	const void *data;
	size_t size;
	const char *error;

	assert_non_null(h);
	assert_int_equal(sink_write(f->sink, h, "12345", 5), 0);
	assert_int_equal(sink_end(f->sink, h), -1);
	assert_int_equal(append_sink_map(h, &data, &size, &error), -1);
	assert_int_equal(sink_write(f->sink, h, "123456", 6), -1);
	assert_int_equal(sink_write(f->sink, h, "12345", 5), 0);
	assert_int_equal(sink_end(f->sink, h), 0);
	assert_int_equal(append_sink_map(h, &data, &size, &error), 0);
	assert_memory_equal(data, "1234512345", 10);
	sink_release(f->sink, h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_multiappend_streams_large_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_literal8_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parser_freed_mid_literal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_command_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_above_total, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unusable_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_mismatch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
