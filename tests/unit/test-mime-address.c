/* test-mime-address.c — address lists as ENVELOPE writes them, the first
 * address for SORT, and msg-id extraction for THREAD. */
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

struct addr_case {
	const char *value;
	const char *env;
};

static void test_envelope_addresses(void **state)
{
	static const struct addr_case cases[] = {
		{"a@example.com", "((NIL NIL \"a\" \"example.com\"))"},
		{"Alice <a@example.com>", "((\"Alice\" NIL \"a\" \"example.com\"))"},
		{"\"Doe, J.\" <j@x.example>, b@y.example",
		 "((\"Doe, J.\" NIL \"j\" \"x.example\")(NIL NIL \"b\" \"y.example\"))"},
		{"\"quote \\\" and \\\\\" <q@x>", "((\"quote \\\" and \\\\\" NIL \"q\" \"x\"))"},
		{"a@b (Real Name)", "((\"Real Name\" NIL \"a\" \"b\"))"},
		{"Name (c1) <a@b> (c2)", "((\"Name\" NIL \"a\" \"b\"))"},
		{"<a@b> (after)", "((\"after\" NIL \"a\" \"b\"))"},
		{"\"\" <a@b>", "((NIL NIL \"a\" \"b\"))"},
		{"<@r1.example,@r2.example:u@h>",
		 "((NIL \"@r1.example,@r2.example\" \"u\" \"h\"))"},
		{"\"local part\"@example.com", "((NIL NIL \"local part\" \"example.com\"))"},
		{"first . last @ example . com", "((NIL NIL \"first.last\" \"example.com\"))"},
		{"u@[10.0.0.1]", "((NIL NIL \"u\" \"[10.0.0.1]\"))"},
		{"group: a@b, c@d;",
		 "((NIL NIL \"group\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")"
		 "(NIL NIL NIL NIL))"},
		{"undisclosed-recipients:;",
		 "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))"},
		{"g: a@b", "((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL))"},
		{"g1: a@b;, g2:;", "((NIL NIL \"g1\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL)"
				   "(NIL NIL \"g2\" NIL)(NIL NIL NIL NIL))"},
		{"=?utf-8?q?J=C3=B6rg?= <j@x>", "((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"x\"))"},
		{"John Q. Public <jqp@x>", "((\"John Q. Public\" NIL \"jqp\" \"x\"))"},
		{"", "NIL"},
		{" , ,", "NIL"},
		{"<>", "((NIL NIL \"\" \"\"))"},
		{"<postmaster>", "((NIL NIL \"postmaster\" \"\"))"},
		{"just words", "((NIL NIL \"just words\" \"\"))"},
		{"a@b, > stray, c@d",
		 "((NIL NIL \"a\" \"b\")(NIL NIL \"stray\" \"\")(NIL NIL \"c\" \"d\"))"},
		{"a@b; c@d", "((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\"))"},
		/* a nested group is not allowed: the words before it are kept */
		{"g: a: b@c;", "((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"\")(NIL NIL NIL NIL))"},
		{"\"unterminated <a@b>", "((NIL NIL \"unterminated <a@b>\" \"\"))"},
		{"(unterminated comment a@b", "NIL"},
		{"<a@b", "((NIL NIL \"a\" \"b\"))"},
		{"J\xc3\xb6rg <j@x>", "(({5}\r\nJ\xc3\xb6rg NIL \"j\" \"x\"))"},
		{"a@b\r\n\t, c@d", "((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\"))"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *a = arena_new(0);
		struct buf msg = BUF_INIT, out = BUF_INIT, want = BUF_INIT;
		struct mime_message *m;

		buf_printf(&msg, "To: %s\r\n\r\n", cases[i].value);
		m = mime_parse(a, msg.data, msg.len, NULL);
		mime_write_envelope(m, &out);
		buf_printf(&want, "(NIL NIL NIL NIL NIL %s NIL NIL NIL NIL)", cases[i].env);
		if (strcmp(buf_cstr(&out), buf_cstr(&want)) != 0)
			fail_msg("case %zu: %s\n got %s\nwant %s", i, cases[i].value,
				 buf_cstr(&out), buf_cstr(&want));
		buf_free(&msg);
		buf_free(&out);
		buf_free(&want);
		arena_free(&a);
	}
}

static void test_envelope_defaults(void **state)
{
	static const char msg[] =
		"From: a@b\r\nSender: s@b\r\nReply-To: ,\r\nCc: c@d\r\nBcc: e@f\r\n"
		"Date: x\r\nSubject: \xc3\xa9\r\nIn-Reply-To: <p@q>\r\n"
		"Message-ID: <m@n>\r\n\r\n";
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, msg, strlen(msg), NULL);
	struct buf out = BUF_INIT;

	mime_write_envelope(m, &out);
	assert_string_equal(
		buf_cstr(&out),
		"(\"x\" {2}\r\n\xc3\xa9 ((NIL NIL \"a\" \"b\")) ((NIL NIL \"s\" \"b\")) "
		"((NIL NIL \"a\" \"b\")) NIL ((NIL NIL \"c\" \"d\")) ((NIL NIL \"e\" \"f\")) "
		"\"<p@q>\" \"<m@n>\")");
	assert_int_equal(mime_part_write_envelope(mime_message_root(m), &out), 0);
	buf_free(&out);
	arena_free(&a);
}

static void test_address_token_cap(void **state)
{
	struct buf msg = BUF_INIT, out = BUF_INIT;
	struct arena *a = arena_new(0);
	size_t count = 0;

	buf_append_str(&msg, "To: ");
	for (int i = 0; i < 50000; i++)
		buf_append_str(&msg, "a@b, ");
	buf_append_str(&msg, "\r\n\r\n");
	mime_write_envelope(mime_parse(a, msg.data, msg.len, NULL), &out);
	for (const char *p = buf_cstr(&out); (p = strstr(p, "\"a\" \"b\"")) != NULL; p++)
		count++;
	/* four tokens an address: the list is cut at 100 000 tokens */
	assert_int_equal(count, 25000);
	buf_free(&msg);
	buf_free(&out);
	arena_free(&a);
}

static void test_first_address(void **state)
{
	struct arena *a = arena_new(0);
	struct mime_sort_address addr;
	static const char v1[] = "group:; =?utf-8?q?J=C3=B6rg?= <joerg@example.de>, b@c";

	assert_int_equal(mime_first_address(a, v1, strlen(v1), &addr), 0);
	assert_string_equal(addr.mailbox, "joerg");
	assert_string_equal(addr.host, "example.de");
	assert_string_equal(addr.display_name, "J\xc3\xb6rg");
	assert_int_equal(mime_first_address(a, "x@y", 3, &addr), 0);
	assert_string_equal(addr.display_name, "");
	assert_int_equal(mime_first_address(a, "g:;", 3, &addr), -1);
	assert_int_equal(mime_first_address(a, "", 0, &addr), -1);
	arena_free(&a);
}

struct msgid_case {
	const char *value;
	size_t count;
	const char *ids[3];
};

static void test_msgids(void **state)
{
	static const struct msgid_case cases[] = {
		{"<a@b>", 1, {"<a@b>"}},
		{" <a@b>\r\n <c@d> <e@f>", 3, {"<a@b>", "<c@d>", "<e@f>"}},
		{"<a@b> (comment <x@y>) \"quoted <q@r>\" <c@d>", 2, {"<a@b>", "<c@d>"}},
		{"<a b@c> <> <<d@e>", 1, {"<d@e>"}},
		{"garbage", 0, {NULL}},
		{"<unterminated@x", 0, {NULL}},
		{"<no-at-sign>", 1, {"<no-at-sign>"}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *a = arena_new(0);
		const char **ids;
		size_t n = mime_msgids_parse(a, cases[i].value, strlen(cases[i].value), &ids);

		assert_int_equal(n, cases[i].count);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(ids[k], cases[i].ids[k]);
		arena_free(&a);
	}
}

static void test_thread_ids(void **state)
{
	static const char m1[] = "Message-ID: junk <own@x>\r\nIn-Reply-To: <p@x> <q@x>\r\n"
				 "References: <a@x>\r\n <b@x>\r\n\r\n";
	static const char m2[] = "In-Reply-To: (c) <p@x> <q@x>\r\nReferences: none\r\n\r\n";
	struct arena *a = arena_new(0);
	struct mime_thread_ids ids;

	mime_thread_ids(mime_parse(a, m1, strlen(m1), NULL), a, &ids);
	assert_string_equal(ids.message_id, "<own@x>");
	assert_int_equal(ids.reference_count, 2);
	assert_string_equal(ids.references[0], "<a@x>");
	assert_string_equal(ids.references[1], "<b@x>");
	mime_thread_ids(mime_parse(a, m2, strlen(m2), NULL), a, &ids);
	assert_null(ids.message_id);
	assert_int_equal(ids.reference_count, 1);
	assert_string_equal(ids.references[0], "<p@x>");
	mime_thread_ids(mime_parse(a, "", 0, NULL), a, &ids);
	assert_null(ids.message_id);
	assert_int_equal(ids.reference_count, 0);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_addresses),
		cmocka_unit_test(test_envelope_defaults),
		cmocka_unit_test(test_address_token_cap),
		cmocka_unit_test(test_first_address),
		cmocka_unit_test(test_msgids),
		cmocka_unit_test(test_thread_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
