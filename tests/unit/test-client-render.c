/* test-client-render.c — what "hafen read" shows: the text part chosen
 * (plain over HTML in an alternative), HTML turned into readable text,
 * charsets converted, attachments numbered and decoded, file names made
 * safe; hostile structure never crashes it.
 *
 * src/client is not part of libhafen, so its sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/cli/html-text.c"
#include "client/cli/render.c"

#include <string.h>

static char *text_of(const char *msg)
{
	struct render r;
	struct buf out = BUF_INIT;

	render_open(&r, msg, strlen(msg));
	render_text(&r, &out);
	render_close(&r);
	return buf_detach(&out, NULL);
}

static void test_plain_and_charset(void **state)
{
	char *t = text_of(
		"Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe=\r\n aus Wien\r\n");

	assert_string_equal(t, "Grüße aus Wien\n");
	free(t);
	t = text_of("Subject: no body\r\n\r\n");
	assert_string_equal(t, "");
	free(t);
}

static void test_alternative_prefers_plain(void **state)
{
	static const char msg[] = "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
				  "Content-Type: text/html\r\n\r\n<p>html</p>\r\n--b\r\n"
				  "Content-Type: text/plain\r\n\r\nplain\r\n--b--\r\n";
	struct render r;

	render_open(&r, msg, strlen(msg));
	assert_false(r.text_is_html);
	assert_int_equal(r.natt, 0); /* the other form is no attachment */
	render_close(&r);
}

static const struct {
	const char *html;
	const char *text;
} html_cases[] = {
	{"<p>one</p><p>two</p>", "one\n\ntwo\n"},
	{"a<br>b<BR/>c", "a\nb\nc\n"},
	{"<ul><li>x</li><li>y</li></ul>", "* x\n* y\n"},
	{"<a href=\"https://e.org/\">site</a>", "site <https://e.org/>\n"},
	{"<a href=\"https://e.org/\">https://e.org/</a>", "https://e.org/\n"},
	{"<a href='mailto:a@b'>mail me</a>", "mail me\n"},
	{"<head><title>T</title><style>p{x}</style></head><body>seen</body>", "seen\n"},
	{"<script>alert(1)</script>ok<!-- hidden -->", "ok\n"},
	{"&lt;tag&gt; &amp; &quot;q&quot; &#233;&#x263A; &nbsp;x &bogus;",
	 "<tag> & \"q\" é☺  x &bogus;\n"}, /* nbsp kept */
	{"many    spaces\n\n\nand\tlines", "many spaces and lines\n"},
	{"<pre>  keep\n    this</pre>", "  keep\n    this\n"},
	{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc\n"},
	{"<unclosed", "\n"},
	{"text <b>bold</b> end", "text bold end\n"},
	{"&#0; &#x110000; &#99999999999;", "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\n"},
};

static void test_html(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(html_cases); i++) {
		struct buf out = BUF_INIT;

		html_to_text(html_cases[i].html, strlen(html_cases[i].html), &out);
		if (strcmp(buf_cstr(&out), html_cases[i].text) != 0)
			fail_msg("case %zu: got \"%s\"", i, buf_cstr(&out));
		buf_free(&out);
	}
}

static void test_attachments(void **state)
{
	static const char msg[] =
		"From: a@b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
		"Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
		"Content-Type: text/plain; name=\"../../etc/passwd\"\r\n"
		"Content-Disposition: attachment\r\n\r\nnot a path\r\n--b\r\n"
		"Content-Type: image/png\r\nContent-Transfer-Encoding: "
		"base64\r\n\r\niVBORw0K\r\n--b\r\n"
		"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: "
		"x-unknown\r\n\r\nzz\r\n"
		"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner "
		"body\r\n--b--\r\n";
	struct render r;
	struct buf out = BUF_INIT, v = BUF_INIT;
	const char *err;

	render_open(&r, msg, strlen(msg));
	render_text(&r, &out);
	assert_string_equal(buf_cstr(&out), "see attached\n");
	assert_int_equal(r.natt, 4);
	assert_string_equal(r.att[0].filename, "passwd");
	assert_string_equal(r.att[1].filename, "part-2");
	assert_string_equal(r.att[1].type, "image/png");
	assert_int_equal(r.att[1].size, 6);
	buf_reset(&out);
	assert_int_equal(render_attachment_data(&r, 2, &out, &err), 0);
	assert_memory_equal(out.data, "\x89PNG\r\n", 6);
	buf_reset(&out);
	assert_int_equal(render_attachment_data(&r, 3, &out, &err), -1);
	assert_int_equal(render_attachment_data(&r, 4, &out, &err), 0);
	assert_non_null(strstr(buf_cstr(&out), "Subject: inner"));
	assert_int_equal(render_attachment_data(&r, 0, &out, &err), -1);
	assert_int_equal(render_attachment_data(&r, 5, &out, &err), -1);
	render_header(&r, "From", &v);
	assert_string_equal(buf_cstr(&v), "a@b");
	buf_reset(&v);
	render_header(&r, "X-Absent", &v);
	assert_int_equal(v.len, 0);
	render_close(&r);
	buf_free(&out);
	buf_free(&v);
}

static void test_hostile(void **state)
{
	/* deep nesting, a missing boundary, NUL bytes, an HTML-only leaf */
	struct buf msg = BUF_INIT, out = BUF_INIT;
	struct render r;

	for (int i = 0; i < 500; i++)
		buf_printf(&msg, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i,
			   i);
	buf_append_str(&msg, "Content-Type: text/html\r\n\r\n<p>deep\0</p>");
	render_open(&r, msg.data, msg.len);
	render_text(&r, &out);
	render_close(&r);
	buf_free(&msg);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_charset),
		cmocka_unit_test(test_alternative_prefers_plain),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
