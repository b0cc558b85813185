/* test-client-compose.c — writing mail: envelope addresses from header
 * values, the editable template read back (byte by byte changes do not
 * matter), built messages that Python's and our own MIME parser read
 * back, RFC 2047 words that never split a character, quoted-printable
 * for long or 8-bit text, and "hafen send"'s envelope and Bcc removal.
 *
 * src/client is not part of libhafen, so its sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/cli/addrlist.c"
#include "client/cli/compose.c"

#include <string.h>

static const struct {
	const char *value;
	const char *addrs;
} addr_cases[] = {
	{"a@x", "a@x\n"},
	{"Ann <a@x>, b@y (Bob)", "a@x\nb@y\n"},
	{"\"Doe, John\" <j@d.org>", "j@d.org\n"},
	{"team: a@x, b@y;, c@z", "a@x\nb@y\nc@z\n"},
	{"undisclosed-recipients:;", ""},
	{"(comment, with comma) <q@w>", "q@w\n"},
	{"not an address, x@y", "x@y\n"},
	{"", ""},
	{",,,", ""},
	{"<a@x>,<b@y>", "a@x\nb@y\n"},
};

static void test_addrlist(void **state)
{
	struct buf empty = BUF_INIT;

	/* An empty buffer's data is NULL: no addresses, no pointer arithmetic. */
	assert_int_equal(addrlist_parse((const char *)empty.data, empty.len, &empty), 0);
	for (size_t i = 0; i < HF_N_ELEMENTS(addr_cases); i++) {
		struct buf out = BUF_INIT;
		size_t n = addrlist_parse(addr_cases[i].value, strlen(addr_cases[i].value), &out);
		size_t lines = 0;

		for (size_t k = 0; k < out.len; k++)
			lines += out.data[k] == '\n';
		if (strcmp(buf_cstr(&out), addr_cases[i].addrs) != 0 || n != lines)
			fail_msg("case %zu: got \"%s\"", i, buf_cstr(&out));
		buf_free(&out);
	}
}

/* Reply-All: each address once, oneself and the reply's To left out. */
static const struct {
	const char *seen, *to, *cc, *expect;
} merge_cases[] = {
	{"me@x", "Me <me@x>, Ann <a@x>", "b@y", "Ann <a@x>, b@y"},
	{"me@x\nann@x", "ANN@x, \"Doe, Bob\" <b@y>", "", "\"Doe, Bob\" <b@y>"},
	{"", "a@x, A@X, <a@x>", "a@x (again)", "a@x"},
	{"me@x", "ME@X", "", ""},
	{"", "Team: a@x, b@y;", "c@z", "Team: a@x, b@y;, c@z"},
	{"", "undisclosed, ,", "b@y (Bob, Jr)", "b@y (Bob, Jr)"},
	{"", "", "", ""},
};

static void test_reply_all_merge(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(merge_cases); i++) {
		struct buf seen = BUF_INIT, out = BUF_INIT;

		buf_append_str(&seen, merge_cases[i].seen);
		if (seen.len > 0)
			buf_append_byte(&seen, '\n');
		(void)addrlist_merge(merge_cases[i].to, &seen, &out);
		(void)addrlist_merge(merge_cases[i].cc, &seen, &out);
		if (strcmp(buf_cstr(&out), merge_cases[i].expect) != 0)
			fail_msg("case %zu: got \"%s\"", i, buf_cstr(&out));
		buf_free(&seen);
		buf_free(&out);
	}
}

static void set(struct buf *b, const char *v)
{
	buf_reset(b);
	buf_append_str(b, v);
	buf_cstr(b);
}

static void test_template_roundtrip(void **state)
{
	struct draft d = {0}, back = {0};
	struct buf text = BUF_INIT;
	const char *err;

	set(&d.from, "Me <me@example.org>");
	set(&d.to, "you@example.org");
	set(&d.subject, "Re: hello");
	set(&d.in_reply_to, "<a@b>");
	set(&d.references, "<z@b> <a@b>");
	set(&d.body, "\n\nOn Monday, you wrote:\n> hi\n");
	compose_template(&d, &text);
	assert_non_null(strstr(buf_cstr(&text), "In-Reply-To: <a@b>\n"));
	/* the user edits: a folded To line, a Cc, text on top */
	buf_reset(&text);
	buf_append_str(&text,
		       "From: Me <me@example.org>\nTo: you@example.org,\n  other@example.org\n"
		       "Cc:   c@example.org  \nSubject: Re: hello\nIn-Reply-To: <a@b>\n"
		       "X-Unknown: kept out\n\nThanks!\n> hi\n");
	assert_int_equal(compose_parse((char *)text.data, text.len, &back, &err), 0);
	assert_string_equal(buf_cstr(&back.to), "you@example.org,   other@example.org");
	assert_string_equal(buf_cstr(&back.cc), "c@example.org");
	assert_string_equal(buf_cstr(&back.subject), "Re: hello");
	assert_int_equal(back.references.len, 0); /* removed by the user */
	assert_string_equal(buf_cstr(&back.body), "Thanks!\n> hi\n");
	buf_reset(&text);
	buf_append_str(&text, "no header here\n");
	assert_int_equal(compose_parse((char *)text.data, text.len, &back, &err), -1);
	buf_free(&text);
	draft_free(&d);
	draft_free(&back);
}

/* A built message read back with our MIME parser. */
static void check_field(struct mime_message *msg, const char *name, const char *want)
{
	struct buf v = BUF_INIT;
	const struct mime_field *f = mime_part_find_field(mime_message_root(msg), name);

	assert_non_null(f);
	mime_header_decode(f->raw + f->value_offset, f->raw_len - f->value_offset, &v);
	assert_string_equal(buf_cstr(&v), want);
	buf_free(&v);
}

static void test_build_utf8(void **state)
{
	struct draft d = {0};
	struct buf msg = BUF_INIT, text = BUF_INIT;
	struct arena *a = arena_new(0);
	struct mime_message *m;
	const struct mime_part *root;
	struct mime_part_info info;
	/* 40 two-byte characters: the encoded words must split between them */
	char subject[200] = "";

	for (int i = 0; i < 40; i++)
		strcat(subject, "é");
	set(&d.from, "Jürgen Groß <jg@example.org>");
	set(&d.to, "a@example.org, Zoë <z@example.org>");
	set(&d.bcc, "hidden@example.org");
	set(&d.subject, subject);
	set(&d.body, "Grüße\nline two with trailing space \n");
	compose_build(&d, &msg);
	assert_true(str_is_ascii7(msg.data, msg.len));
	m = mime_parse(a, msg.data, msg.len, NULL);
	check_field(m, "Subject", subject);
	check_field(m, "From", "Jürgen Groß <jg@example.org>");
	check_field(m, "To", "a@example.org, Zoë <z@example.org>");
	check_field(m, "Bcc", "hidden@example.org");
	assert_non_null(mime_part_find_field(mime_message_root(m), "Message-ID"));
	assert_non_null(strstr(buf_cstr(&msg), "@example.org>\r\n"));
	root = mime_message_root(m);
	assert_string_equal(mime_part_param(root, "charset"), "utf-8");
	mime_part_get_info(root, &info);
	assert_int_equal(info.cte, MIME_CTE_QP);
	assert_int_equal(mime_decode_transfer(info.cte, (char *)msg.data + info.body_offset,
					      info.body_size, &text, NULL),
			 0);
	assert_string_equal(buf_cstr(&text), "Grüße\r\nline two with trailing space \r\n");
	/* every line of the message fits SMTP's limit */
	for (size_t i = 0, col = 0; i < msg.len; i++, col++) {
		if (msg.data[i] == '\n')
			col = 0;
		assert_true(col < 998);
	}
	buf_free(&text);
	buf_free(&msg);
	arena_free(&a);
	draft_free(&d);
}

static void test_build_forward(void **state)
{
	static const char orig[] = "From: x@y\r\nSubject: orig\r\n\r\nthe original\r\n";
	struct draft d = {0};
	struct buf msg = BUF_INIT, text = BUF_INIT;
	struct arena *a = arena_new(0);
	const struct mime_part *root, *second;
	struct mime_message *m;

	set(&d.from, "me@example.org");
	set(&d.to, "you@example.org");
	set(&d.subject, "Fwd: orig");
	set(&d.body, "have a look\n");
	buf_append_str(&d.attach, orig);
	compose_build(&d, &msg);
	m = mime_parse(a, msg.data, msg.len, NULL);
	root = mime_message_root(m);
	assert_string_equal(mime_part_subtype(root), "mixed");
	second = mime_part_next(mime_part_first_child(root));
	assert_non_null(second);
	assert_non_null(mime_part_message(second));
	(void)text;
	buf_free(&msg);
	arena_free(&a);
	draft_free(&d);
}

static void test_prepare_send(void **state)
{
	static const char plain[] = "From: Me <me@example.org>\nTo: a@x, b@y\nBcc: secret@z\n"
				    "Subject: s\n\nbody\n";
	static const char complete[] = "From: me@example.org\r\nTo: a@x\r\nCc: c@x\r\n"
				       "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
				       "Message-ID: <fixed@example.org>\r\n\r\nbody\r\n";
	struct buf out = BUF_INIT, env = BUF_INIT;
	const char *err;

	assert_int_equal(compose_prepare_send(plain, strlen(plain), &out, &env, &err), 0);
	assert_string_equal(buf_cstr(&env), "me@example.org\na@x\nb@y\nsecret@z\n");
	assert_null(strstr(buf_cstr(&out), "Bcc"));
	assert_null(strstr(buf_cstr(&out), "secret"));
	assert_non_null(strstr(buf_cstr(&out), "Date: "));
	assert_non_null(strstr(buf_cstr(&out), "Message-ID: <"));
	assert_non_null(strstr(buf_cstr(&out), "\r\nbody\n"));
	buf_reset(&out);
	buf_reset(&env);
	assert_int_equal(compose_prepare_send(complete, strlen(complete), &out, &env, &err), 0);
	assert_string_equal(buf_cstr(&out), complete); /* nothing to add */
	assert_string_equal(buf_cstr(&env), "me@example.org\na@x\nc@x\n");
	buf_reset(&out);
	buf_reset(&env);
	assert_int_equal(compose_prepare_send("To: a@x\n\nb\n", 10, &out, &env, &err), -1);
	assert_int_equal(compose_prepare_send("From: a@x\n\nb\n", 12, &out, &env, &err), -1);
	assert_int_equal(compose_prepare_send("", 0, &out, &env, &err), -1);
	buf_free(&out);
	buf_free(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addrlist),           cmocka_unit_test(test_reply_all_merge),
		cmocka_unit_test(test_template_roundtrip), cmocka_unit_test(test_build_utf8),
		cmocka_unit_test(test_build_forward),      cmocka_unit_test(test_prepare_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
