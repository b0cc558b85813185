/* test-mime-parse.c — the structure parser: boundaries, nesting, limits,
 * hostile input, section paths and the part index.
 *
 * mime_parse() takes a whole message (the store has it on disk), so
 * instead of feeding bytes one at a time every prefix of a message is
 * parsed: each cut point is a place where real mail may end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mime/mime.h"

static char *body_of(struct arena *a, const char *msg, size_t len)
{
	struct mime_message *m = mime_parse(a, msg, len, NULL);
	struct buf out = BUF_INIT;
	char *s;

	mime_write_bodystructure(m, &out, false);
	s = arena_strdup(a, buf_cstr(&out));
	buf_free(&out);
	return s;
}

/* LF-only text; each case is also run with CRLF, which changes only sizes. */
struct structure_case {
	const char *msg;
	const char *body_lf;
	const char *body_crlf;
};

static void to_crlf(const char *s, struct buf *out)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			buf_append_byte(out, '\r');
		buf_append_byte(out, (unsigned char)*s);
	}
}

static void test_structures(void **state)
{
	static const struct structure_case cases[] = {
		/* the line end before a boundary belongs to it */
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nab\n--b--\n",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 2 1) \"MIXED\")",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 2 1) "
		 "\"MIXED\")"},
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nab\n\n--b--\n",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3 1) \"MIXED\")",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 4 1) "
		 "\"MIXED\")"},
		/* "--b x" is no boundary line; "--bx" neither */
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--b x\n--bx\n--b--\n",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 2) "
		 "\"MIXED\")",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 11 2) "
		 "\"MIXED\")"},
		/* a boundary in quotes with spaces, RFC 2046 5.1.1 bchars */
		{"Content-Type: multipart/mixed; boundary=\"a b:c\"\n\n--a b:c\n\nx\n--a b:c--",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1) \"MIXED\")",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1) "
		 "\"MIXED\")"},
		/* an empty boundary is no boundary: an invalid Content-Type */
		{"Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nx\n",
		 "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 6 3)",
		 "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 9 3)"},
		/* a boundary that never appears: one empty part, BODY[1] exists */
		{"Content-Type: multipart/mixed; boundary=x\n\n--y\n",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) \"MIXED\")",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) "
		 "\"MIXED\")"},
		/* a boundary line right at the end, without line end */
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1)(\"TEXT\" "
		 "\"PLAIN\" "
		 "(\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) \"MIXED\")",
		 "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1)(\"TEXT\" "
		 "\"PLAIN\" "
		 "(\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) \"MIXED\")"},
		/* the same boundary nested: the innermost wins */
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; "
		 "boundary=b\n\n--b\n\nx\n--b--\n--b--\n",
		 "(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1) "
		 "\"MIXED\") "
		 "\"MIXED\")",
		 "(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1) "
		 "\"MIXED\") "
		 "\"MIXED\")"},
		/* a message/rfc822 inside a message/rfc822 */
		{"Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nSubject: "
		 "x\n\nhi\n",
		 "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 45 (NIL NIL NIL NIL NIL NIL NIL NIL "
		 "NIL "
		 "NIL) (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 15 (NIL \"x\" NIL NIL NIL NIL "
		 "NIL NIL "
		 "NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3 1) 3) "
		 "5)",
		 "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 50 (NIL NIL NIL NIL NIL NIL NIL NIL "
		 "NIL "
		 "NIL) (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 18 (NIL \"x\" NIL NIL NIL NIL "
		 "NIL NIL "
		 "NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 4 1) 3) "
		 "5)"},
		/* an mbox "From " line counts only first in the top header */
		{"Subject: s\nFrom x\n\nbody\n",
		 "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 13 3)",
		 "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 16 3)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *a = arena_new(0);
		struct buf crlf = BUF_INIT;
		const char *got = body_of(a, cases[i].msg, strlen(cases[i].msg));

		if (strcmp(got, cases[i].body_lf) != 0)
			fail_msg("case %zu (LF): %s", i, got);
		to_crlf(cases[i].msg, &crlf);
		got = body_of(a, (const char *)crlf.data, crlf.len);
		if (strcmp(got, cases[i].body_crlf) != 0)
			fail_msg("case %zu (CRLF): %s", i, got);
		buf_free(&crlf);
		arena_free(&a);
	}
}

static void check_part_bounds(const struct mime_part *part, size_t len)
{
	struct mime_part_info i;

	mime_part_get_info(part, &i);
	assert_true(i.header_offset + i.header_size <= i.body_offset);
	assert_true(i.body_offset + i.body_size <= len);
	for (const struct mime_part *c = mime_part_first_child(part); c != NULL;
	     c = mime_part_next(c)) {
		struct mime_part_info ci;

		mime_part_get_info(c, &ci);
		assert_true(ci.header_offset >= i.body_offset);
		assert_true(ci.body_offset + ci.body_size <= i.body_offset + i.body_size);
		check_part_bounds(c, len);
	}
	if (mime_part_message(part) != NULL)
		check_part_bounds(mime_part_message(part), len);
}

static const char nested_msg[] =
	"From: a@b\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
	"pre\r\n--o\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n"
	"--i\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
	"a=3Db\r\n--i\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--i--\r\n"
	"--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\nContent-Type: multipart/mixed;"
	" boundary=z\r\n\r\n--z\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n--z--\r\n"
	"--o--\r\nepi\r\n";

/* Every prefix is a message too: nothing may read past it. */
static void test_every_prefix(void **state)
{
	size_t len = strlen(nested_msg);

	for (size_t cut = 0; cut <= len; cut++) {
		struct arena *a = arena_new(0);
		/* A copy of exactly cut bytes, so ASan sees any overread. */
		char *copy = arena_memdup(a, nested_msg, cut);
		struct mime_message *m = mime_parse(a, copy, cut, NULL);
		struct buf out = BUF_INIT;

		check_part_bounds(mime_message_root(m), cut);
		mime_write_bodystructure(m, &out, true);
		mime_write_envelope(m, &out);
		mime_part_index_write(m, &out);
		mime_search_text(m, &out, &out);
		mime_preview(m, &out);
		buf_free(&out);
		arena_free(&a);
	}
}

static void test_sections(void **state)
{
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, nested_msg, strlen(nested_msg), NULL);
	struct buf index = BUF_INIT;
	static const struct {
		uint32_t path[4];
		size_t depth;
		const char *type;
	} cases[] = {
		{{0}, 0, "multipart"}, {{1}, 1, "multipart"}, {{1, 1}, 2, "text"},
		{{1, 2}, 2, "text"},   {{2}, 1, "message"},   {{2, 1}, 2, "text"},
		{{1, 3}, 2, NULL},     {{3}, 1, NULL},        {{0}, 1, NULL},
		{{1, 1, 1}, 3, NULL},  {{2, 1, 1}, 3, NULL},  {{2, 2}, 2, NULL},
	};

	mime_part_index_write(m, &index);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mime_part *p =
			mime_message_find_part(m, cases[i].path, cases[i].depth);
		struct mime_part_info info;
		int r = mime_part_index_find(index.data, index.len, cases[i].path, cases[i].depth,
					     &info);

		if (cases[i].type == NULL) {
			assert_null(p);
			assert_int_equal(r, -1);
		} else {
			assert_non_null(p);
			assert_string_equal(mime_part_type(p), cases[i].type);
			assert_int_equal(r, 0);
		}
	}
	/* 2.1 is the text part of the multipart inside the attached message */
	{
		static const uint32_t p21[] = {2, 1};
		struct mime_part_info info;

		assert_int_equal(mime_part_index_find(index.data, index.len, p21, 2, &info), 0);
		assert_int_equal(info.cte, MIME_CTE_BASE64);
		assert_true(info.decoded_size_known);
		assert_int_equal(info.decoded_size, 2);
		assert_memory_equal(nested_msg + info.body_offset, "aGk=", 4);
	}
	buf_free(&index);
	arena_free(&a);
}

static void test_single_part_sections(void **state)
{
	static const char msg[] = "Subject: s\r\n\r\nbody\r\n";
	static const uint32_t one[] = {1}, one_one[] = {1, 1}, two[] = {2};
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, msg, strlen(msg), NULL);
	const struct mime_part *root = mime_message_root(m);
	struct buf out = BUF_INIT;

	/* RFC 9051 6.4.5: a non-multipart message has part 1 = its body */
	assert_ptr_equal(mime_message_find_part(m, one, 1), root);
	assert_null(mime_message_find_part(m, one_one, 2));
	assert_null(mime_message_find_part(m, two, 1));
	assert_string_equal(mime_part_param(root, "CHARSET"), "US-ASCII");
	assert_null(mime_part_param(root, "name"));
	assert_null(mime_part_message(root));
	assert_int_equal(mime_message_part_count(m), 1);
	mime_part_write_bodystructure(root, &out, true);
	assert_string_equal(buf_cstr(&out),
			    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
			    "\"7BIT\" 6 1 NIL NIL NIL NIL)");
	buf_free(&out);
	arena_free(&a);
}

static void test_part_envelope(void **state)
{
	static const uint32_t two[] = {2}, one_one[] = {1, 1};
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, nested_msg, strlen(nested_msg), NULL);
	struct buf out = BUF_INIT;

	assert_int_equal(mime_part_write_envelope(mime_message_find_part(m, two, 1), &out), 0);
	assert_string_equal(buf_cstr(&out), "(NIL \"in\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	assert_int_equal(mime_part_write_envelope(mime_message_find_part(m, one_one, 2), &out), -1);
	buf_reset(&out);
	assert_int_equal(mime_part_write_envelope(mime_message_root(m), &out), 0);
	assert_string_equal(buf_cstr(&out),
			    "(NIL NIL ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) "
			    "((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL)");
	buf_free(&out);
	arena_free(&a);
}

static void test_deep_nesting(void **state)
{
	struct buf msg = BUF_INIT, out = BUF_INIT;
	struct arena *a = arena_new(0);
	struct mime_message *m;
	const struct mime_part *p;
	int depth = 0;

	/* 1000 nested multiparts, none closed */
	for (int i = 0; i < 1000; i++)
		buf_printf(&msg, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i,
			   i);
	buf_append_str(&msg, "\ndeep\n");
	m = mime_parse(a, msg.data, msg.len, NULL);
	for (p = mime_message_root(m); mime_part_first_child(p) != NULL;
	     p = mime_part_first_child(p))
		depth++;
	assert_int_equal(depth, 100);
	assert_string_equal(mime_part_type(p), "multipart"); /* declared type kept */
	mime_write_bodystructure(m, &out, true);
	assert_non_null(strstr(buf_cstr(&out), "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL"));
	buf_reset(&msg);
	buf_reset(&out);

	/* 1000 nested messages */
	for (int i = 0; i < 1000; i++)
		buf_append_str(&msg, "Content-Type: message/rfc822\n\n");
	m = mime_parse(a, msg.data, msg.len, NULL);
	/* depths 0..100, each part the root of the message above it */
	assert_int_equal(mime_message_part_count(m), 101);
	mime_write_bodystructure(m, &out, false);
	buf_free(&msg);
	buf_free(&out);
	arena_free(&a);
}

static void test_part_limit(void **state)
{
	struct buf msg = BUF_INIT, out = BUF_INIT;
	struct arena *a = arena_new(0);
	struct mime_limits limits;
	struct mime_message *m;
	size_t children = 0;

	buf_append_str(&msg, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (int i = 0; i < 20000; i++)
		buf_append_str(&msg, "--b\n\nx\n");
	buf_append_str(&msg, "--b--\n");
	m = mime_parse(a, msg.data, msg.len, NULL);
	assert_int_equal(mime_message_part_count(m), 10000);
	mime_limits_default(&limits);
	limits.max_parts = 10;
	m = mime_parse(a, msg.data, msg.len, &limits);
	for (const struct mime_part *c = mime_part_first_child(mime_message_root(m)); c != NULL;
	     c = mime_part_next(c))
		children++;
	assert_int_equal(children, 9);
	mime_part_index_write(m, &out);
	limits.max_parts = 0; /* taken as 1: the root */
	m = mime_parse(a, msg.data, msg.len, &limits);
	assert_int_equal(mime_message_part_count(m), 1);
	buf_reset(&out);
	mime_write_bodystructure(m, &out, false);
	assert_string_equal(buf_cstr(&out),
			    "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" "
			    "140006)");
	buf_free(&msg);
	buf_free(&out);
	arena_free(&a);
}

static void test_many_dash_lines(void **state)
{
	struct buf msg = BUF_INIT;
	struct arena *a = arena_new(0);
	struct mime_message *m;

	/* 100 open boundaries of the same length as a million dash lines:
	 * each line costs at most one comparison per level. */
	for (int i = 0; i < 100; i++)
		buf_printf(&msg, "Content-Type: multipart/mixed; boundary=\"bb%03d\"\n\n--bb%03d\n",
			   i, i);
	for (int i = 0; i < 100000; i++)
		buf_append_str(&msg, "--bb999\n");
	m = mime_parse(a, msg.data, msg.len, NULL);
	assert_int_equal(mime_message_part_count(m), 101);
	buf_free(&msg);
	arena_free(&a);
}

static void test_garbage(void **state)
{
	static const char garbage[] = "\0\0\xff\r\r\n:\n\t\n--\n\xc3(";
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, garbage, sizeof(garbage) - 1, NULL);
	struct buf out = BUF_INIT;

	assert_int_equal(mime_part_field_count(mime_message_root(m)), 0);
	mime_write_bodystructure(m, &out, false);
	assert_string_equal(buf_cstr(&out),
			    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
			    "\"7BIT\" 15 5)");
	m = mime_parse(a, NULL, 0, NULL);
	assert_int_equal(mime_message_part_count(m), 1);
	buf_free(&out);
	arena_free(&a);
}

static void test_index_malformed(void **state)
{
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, nested_msg, strlen(nested_msg), NULL);
	struct buf index = BUF_INIT;
	struct mime_part_info info;
	static const uint32_t p12[] = {1, 2};

	mime_part_index_write(m, &index);
	assert_int_equal(mime_part_index_find(index.data, index.len, p12, 2, &info), 0);
	for (size_t cut = 0; cut < index.len; cut++)
		(void)mime_part_index_find(index.data, cut, p12, 2, &info);
	assert_int_equal(mime_part_index_find("XXXX", 4, NULL, 0, &info), -1);
	assert_int_equal(mime_part_index_find("HP", 2, NULL, 0, &info), -1);
	/* a varint that never ends, and a child count that cannot fit */
	assert_int_equal(mime_part_index_find("HPI1\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
					      15, NULL, 0, &info),
			 -1);
	assert_int_equal(
		mime_part_index_find("HPI1\x01\x00\x00\x00\x00\x00\x00\x7f", 12, p12, 1, &info),
		-1);
	/* corrupt every byte in turn: refused or answered, never a crash */
	for (size_t i = 4; i < index.len; i++) {
		unsigned char saved = index.data[i];

		index.data[i] = 0xff;
		(void)mime_part_index_find(index.data, index.len, p12, 2, &info);
		index.data[i] = saved;
	}
	buf_free(&index);
	arena_free(&a);
}

static void test_filenames(void **state)
{
	static const struct {
		const char *hdr;
		const char *name;
	} cases[] = {
		{"Content-Disposition: attachment; filename=\"a b.pdf\"\r\n", "a b.pdf"},
		{"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.txt\r\n",
		 "\xe2\x82\xac.txt"},
		{"Content-Disposition: attachment; filename*0*=iso-8859-1'de'%FC;"
		 " filename*1=ber.txt; filename=plain.txt\r\n",
		 "\xc3\xbc"
		 "ber.txt"},
		{"Content-Disposition: attachment; filename*=%41%zz\r\n", "A%zz"},
		{"Content-Type: image/gif; name=\"=?utf-8?q?b=C3=BCd.gif?=\"\r\n", "b\xc3\xbc"
										   "d.gif"},
		{"Content-Type: text/plain; name*=x-bogus''%FF\r\n", "\xef\xbf\xbd"},
		{"Content-Disposition: inline\r\n", NULL},
		{"Subject: none\r\n", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *a = arena_new(0);
		struct buf msg = BUF_INIT;
		struct mime_message *m;
		const char *name;

		buf_printf(&msg, "%s\r\nbody", cases[i].hdr);
		m = mime_parse(a, msg.data, msg.len, NULL);
		name = mime_part_filename(mime_message_root(m), a);
		if (cases[i].name == NULL)
			assert_null(name);
		else
			assert_string_equal(name, cases[i].name);
		buf_free(&msg);
		arena_free(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structures),    cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_sections),      cmocka_unit_test(test_single_part_sections),
		cmocka_unit_test(test_part_envelope), cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_part_limit),    cmocka_unit_test(test_many_dash_lines),
		cmocka_unit_test(test_garbage),       cmocka_unit_test(test_index_malformed),
		cmocka_unit_test(test_filenames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
