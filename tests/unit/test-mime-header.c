/* test-mime-header.c — header fields: iteration, lookup, unfolding, RFC 2047
 * decoding, the HEADER.FIELDS writer and the list-view fields. */
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

static const char msg1[] = "Received: from a\r\n"
			   "\tby b\r\n"
			   "From: Alice <alice@example.com>\r\n"
			   "Subject : folded\r\n"
			   " subject\r\n"
			   "X-Empty:\r\n"
			   "to: bob@example.org\n"
			   "Received: second\r\n"
			   "\r\n"
			   "body\r\n";

static void test_fields(void **state)
{
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, msg1, strlen(msg1), NULL);
	const struct mime_part *root = mime_message_root(m);
	static const char *const names[] = {"Received", "From", "Subject",
					    "X-Empty",  "to",   "Received"};
	const struct mime_field *f;

	assert_int_equal(mime_part_field_count(root), 6);
	for (size_t i = 0; i < 6; i++) {
		f = mime_part_field(root, i);
		assert_int_equal(f->name_len, strlen(names[i]));
		assert_memory_equal(f->name, names[i], f->name_len);
	}
	assert_null(mime_part_field(root, 6));
	f = mime_part_field(root, 0);
	assert_int_equal(f->raw_len, strlen("Received: from a\r\n\tby b\r\n"));
	assert_int_equal(f->value_offset, strlen("Received:"));
	f = mime_part_find_field(root, "SUBJECT");
	assert_non_null(f);
	assert_memory_equal(f->raw, "Subject : folded\r\n subject\r\n", f->raw_len);
	assert_int_equal(f->value_offset, strlen("Subject :"));
	f = mime_part_find_field(root, "received");
	assert_memory_equal(f->raw, "Received: from", 14);
	f = mime_part_find_field(root, "TO");
	assert_memory_equal(f->raw, "to: bob@example.org\n", f->raw_len);
	assert_null(mime_part_find_field(root, "X-Missing"));
	assert_null(mime_part_find_field(root, "Cc"));
	arena_free(&a);
}

static void test_field_limit(void **state)
{
	struct buf msg = BUF_INIT;
	struct arena *a = arena_new(0);
	struct mime_limits limits;
	struct mime_message *m;
	const struct mime_part *root;

	/* 10 000 fields, then the ones that matter: the well-known fields
	 * still work past the limit of remembered fields. */
	for (int i = 0; i < 10000; i++)
		buf_printf(&msg, "X-Field-%d: value %d\r\n", i, i);
	buf_append_str(&msg, "Subject: last\r\nContent-Type: text/html\r\n\r\nbody");
	mime_limits_default(&limits);
	limits.max_header_fields = 100;
	m = mime_parse(a, msg.data, msg.len, &limits);
	root = mime_message_root(m);
	assert_int_equal(mime_part_field_count(root), 100);
	assert_non_null(mime_part_find_field(root, "subject"));
	assert_string_equal(mime_part_subtype(root), "html");
	assert_null(mime_part_find_field(root, "X-Field-9999"));
	assert_non_null(mime_part_find_field(root, "X-Field-99"));
	m = mime_parse(a, msg.data, msg.len, NULL);
	assert_int_equal(mime_part_field_count(mime_message_root(m)), 10002);
	buf_free(&msg);
	arena_free(&a);
}

struct unfold_case {
	const char *in;
	const char *out;
};

static void test_unfold(void **state)
{
	static const struct unfold_case cases[] = {
		{" simple\r\n", "simple"},
		{"  a\r\n b\r\n\tc  \r\n", "a b\tc"},
		{"a\n b", "a b"},
		{"a\rb", "a\rb"}, /* a lone CR is no line break */
		{"", ""},
		{" \r\n \r\n", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		mime_value_unfold(cases[i].in, strlen(cases[i].in), &out);
		assert_string_equal(buf_cstr(&out), cases[i].out);
		buf_free(&out);
	}
}

static void test_header_decode(void **state)
{
	static const struct unfold_case cases[] = {
		{"plain text", "plain text"},
		{" =?UTF-8?Q?caf=C3=A9?=\r\n", "caf\xc3\xa9"},
		{"=?iso-8859-1?q?caf=E9_au_lait?=", "caf\xc3\xa9 au lait"},
		{"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
		 " =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
		 "If you can read this you understand the example."},
		/* RFC 2047 section 8 examples */
		{"(=?ISO-8859-1?Q?a?=)", "(a)"},
		{"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
		/* a character split over two words */
		{"=?UTF-8?B?8J+Y?= =?UTF-8?B?gA==?=", "\xf0\x9f\x98\x80"},
		{"=?utf-8*en?q?lang?=", "lang"},
		{"=?KOI8-R?B?98HTyczJyg==?=",
		 "\xd0\x92\xd0\xb0\xd1\x81\xd0\xb8\xd0\xbb\xd0\xb8\xd0\xb9"},
		{"=?x-unknown?q?a=FFb?=", "a\xef\xbf\xbd"
					  "b"},
		{"not =?encoded", "not =?encoded"},
		{"=?utf-8?x?bad-enc?=", "=?utf-8?x?bad-enc?="},
		{"=?utf-8?q?has space?=", "=?utf-8?q?has space?="},
		{"=?"
		 "?q?nocharset?=",
		 "=?"
		 "?q?nocharset?="},
		{"word=?utf-8?q?glued?=word", "wordgluedword"},
		{"=?utf-8?q?a?= plain =?utf-8?q?b?=", "a plain b"},
		{"raw \xc3\xa9 utf8", "raw \xc3\xa9 utf8"},
		{"raw \xe9 latin1", "raw \xef\xbf\xbd latin1"},
		{"nul\0byte", "nul\xef\xbf\xbd"
			      "byte"},
		{"=?utf-8?q?nul=00?=", "nul\xef\xbf\xbd"},
		{"=?utf-8?b?\x3f\x3f\x3f\x3f=", ""},
		{"tab\there", "tab here"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		size_t len = strlen(cases[i].in);

		if (strcmp(cases[i].in, "nul") == 0) /* the case with a NUL inside */
			len = 8;
		mime_header_decode(cases[i].in, len, &out);
		assert_string_equal(buf_cstr(&out), cases[i].out);
		buf_free(&out);
	}
}

static void test_header_decode_hostile(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	/* Many "=?" with no end: each is tried once, in linear time. */
	for (int i = 0; i < 20000; i++)
		buf_append_str(&in, "=?utf-8?q?aaaa");
	mime_header_decode(in.data, in.len, &out);
	assert_int_equal(out.len, in.len);
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 20000; i++)
		buf_append_str(&in, "=?=?=?");
	mime_header_decode(in.data, in.len, &out);
	assert_int_equal(out.len, in.len);
	buf_free(&in);
	buf_free(&out);
}

struct fields_case {
	const char *names[3];
	size_t count;
	bool exclude;
	const char *out;
};

static void test_write_fields(void **state)
{
	static const char hdr[] = "From: a@b\r\n"
				  "Subject: one\r\n"
				  " two\r\n"
				  "X-A: 1\n"
				  "subject: again\r\n"
				  "\r\n";
	static const struct fields_case cases[] = {
		{{"SUBJECT"}, 1, false, "Subject: one\r\n two\r\nsubject: again\r\n\r\n"},
		{{"from", "x-a"}, 2, false, "From: a@b\r\nX-A: 1\n\r\n"},
		{{"subject"}, 1, true, "From: a@b\r\nX-A: 1\n\r\n"},
		{{"nothing"}, 1, false, "\r\n"},
		{{NULL},
		 0,
		 true,
		 "From: a@b\r\nSubject: one\r\n two\r\nX-A: 1\nsubject: again\r\n\r\n"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		mime_header_write_fields(hdr, strlen(hdr), cases[i].names, cases[i].count,
					 cases[i].exclude, &out);
		assert_string_equal(buf_cstr(&out), cases[i].out);
		buf_free(&out);
	}
}

static void test_write_fields_cut_block(void **state)
{
	static const char *const names[] = {"b"};
	struct buf out = BUF_INIT;

	/* A block cut by a boundary ends without its line end. */
	mime_header_write_fields("A: 1\r\nB: 2", 10, names, 1, false, &out);
	assert_string_equal(buf_cstr(&out), "B: 2\r\n\r\n");
	buf_reset(&out);
	mime_header_write_fields(" orphan\r\nnot a field\r\nB:x\r\n", 27, names, 1, true, &out);
	assert_string_equal(buf_cstr(&out), "\r\n");
	buf_free(&out);
}

static void test_list_fields(void **state)
{
	static const char msg[] = "From: =?utf-8?q?J=C3=B6rg?= <j@example.de>\r\n"
				  "Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n"
				  "  folded\r\n"
				  "X-Priority: 1 (Highest)\r\n"
				  "List-Id: <list.example.org>\r\n"
				  "Subject: second\r\n"
				  "\r\n";
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, msg, strlen(msg), NULL);
	struct mime_list_value v[MIME_LIST_FIELD_COUNT];

	mime_list_fields(m, a, v);
	assert_true(v[MIME_LIST_FROM].present);
	assert_string_equal(v[MIME_LIST_FROM].raw, "=?utf-8?q?J=C3=B6rg?= <j@example.de>");
	assert_string_equal(v[MIME_LIST_FROM].decoded, "J\xc3\xb6rg <j@example.de>");
	assert_string_equal(v[MIME_LIST_SUBJECT].raw, "=?utf-8?q?gr=C3=BC=C3=9Fe?=  folded");
	assert_string_equal(v[MIME_LIST_SUBJECT].decoded, "gr\xc3\xbc\xc3\x9f"
							  "e  folded");
	assert_int_equal(v[MIME_LIST_SUBJECT].decoded_len, strlen(v[MIME_LIST_SUBJECT].decoded));
	assert_string_equal(v[MIME_LIST_X_PRIORITY].raw, "1 (Highest)");
	assert_string_equal(v[MIME_LIST_LIST_ID].decoded, "<list.example.org>");
	assert_false(v[MIME_LIST_TO].present);
	assert_string_equal(v[MIME_LIST_TO].raw, "");
	assert_string_equal(v[MIME_LIST_TO].decoded, "");
	assert_string_equal(mime_list_field_name(MIME_LIST_REPLY_TO), "Reply-To");
	assert_string_equal(mime_list_field_name(MIME_LIST_IMPORTANCE), "Importance");
	assert_null(mime_list_field_name(MIME_LIST_FIELD_COUNT));
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_field_limit),
		cmocka_unit_test(test_unfold),
		cmocka_unit_test(test_header_decode),
		cmocka_unit_test(test_header_decode_hostile),
		cmocka_unit_test(test_write_fields),
		cmocka_unit_test(test_write_fields_cut_block),
		cmocka_unit_test(test_list_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
