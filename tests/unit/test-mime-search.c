/* test-mime-search.c — search text, PREVIEW and the HTML stripper. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mime/mime.h"

static const char msg[] = "From: =?utf-8?q?J=C3=B6rg?= <j@example.de>\r\n"
			  "Subject: =?iso-8859-1?q?Gr=FC=DFe?=\r\n"
			  "Content-Type: multipart/mixed; boundary=b\r\n"
			  "\r\n"
			  "--b\r\n"
			  "Content-Type: multipart/alternative; boundary=a\r\n"
			  "\r\n"
			  "--a\r\n"
			  "Content-Type: text/plain; charset=iso-8859-1\r\n"
			  "Content-Transfer-Encoding: quoted-printable\r\n"
			  "\r\n"
			  "Sch=F6ne   Gr=FC=DFe,\r\n"
			  "\tnew line\x01here\r\n"
			  "--a\r\n"
			  "Content-Type: text/html; charset=utf-8\r\n"
			  "Content-Transfer-Encoding: base64\r\n"
			  "\r\n"
			  "PHA+SFRNTCAmYW1wOyB0ZXh0PC9wPjxzY3JpcHQ+aGlkZGVuPC9zY3JpcHQ+\r\n"
			  "--a--\r\n"
			  "--b\r\n"
			  "Content-Type: application/octet-stream\r\n"
			  "\r\n"
			  "binary stuff\r\n"
			  "--b\r\n"
			  "Content-Type: message/rfc822\r\n"
			  "\r\n"
			  "Subject: inner subject\r\n"
			  "\r\n"
			  "inner text\r\n"
			  "--b--\r\n";

static void test_search_text(void **state)
{
	struct arena *a = arena_new(0);
	struct mime_message *m = mime_parse(a, msg, strlen(msg), NULL);
	struct buf headers = BUF_INIT, body = BUF_INIT;

	mime_search_text(m, &headers, &body);
	assert_string_equal(buf_cstr(&headers), "From: J\xc3\xb6rg <j@example.de>\n"
						"Subject: Gr\xc3\xbc\xc3\x9f"
						"e\n"
						"Content-Type: multipart/mixed; boundary=b\n");
	/* CR and other controls read as spaces; <p> and </p> as line ends */
	assert_string_equal(buf_cstr(&body), "Sch\xc3\xb6ne   Gr\xc3\xbc\xc3\x9f"
					     "e, \n"
					     "\tnew line here\n"
					     "\nHTML & text\n\n"
					     "Subject: inner subject\n"
					     "inner text\n");
	mime_search_text(m, NULL, NULL);
	buf_free(&headers);
	buf_free(&body);
	arena_free(&a);
}

static void test_search_limits(void **state)
{
	struct arena *a = arena_new(0);
	struct buf big = BUF_INIT, headers = BUF_INIT, body = BUF_INIT;
	struct mime_limits limits;
	struct mime_message *m;

	buf_append_str(&big, "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	for (int i = 0; i < 1000; i++)
		buf_append_str(&big, "\xe2\x82\xac"); /* 3-byte characters */
	mime_limits_default(&limits);
	limits.max_search_body_bytes = 100;
	limits.max_search_header_bytes = 5;
	m = mime_parse(a, big.data, big.len, &limits);
	mime_search_text(m, &headers, &body);
	assert_int_equal(body.len, 99); /* never a cut character */
	assert_int_equal(headers.len, 5);
	buf_free(&big);
	buf_free(&headers);
	buf_free(&body);
	arena_free(&a);
}

struct preview_case {
	const char *msg;
	const char *preview;
};

static void test_preview(void **state)
{
	static const struct preview_case cases[] = {
		{"Subject: x\r\n\r\n  Hello\r\n\r\n  world \r\n", "Hello world"},
		{"Content-Type: text/html\r\n\r\n<p>Hi&nbsp;<b>there</b></p><p>you</p>",
		 "Hi there you"},
		{"Content-Type: image/png\r\n\r\nxx", ""},
		{"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: "
		 "text/plain\r\n"
		 "Content-Disposition: attachment\r\n\r\nattached\r\n--b\r\nContent-Type: "
		 "text/html\r\n\r\n"
		 "<i>inline html</i>\r\n--b--\r\n",
		 "inline html"},
		{"Content-Type: text/plain; charset=utf-8\r\n\r\n\xc3\xa9\xc2\xa0\xc3\xa9",
		 "\xc3\xa9 \xc3\xa9"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *a = arena_new(0);
		struct mime_message *m = mime_parse(a, cases[i].msg, strlen(cases[i].msg), NULL);
		struct buf out = BUF_INIT;

		mime_preview(m, &out);
		assert_string_equal(buf_cstr(&out), cases[i].preview);
		buf_free(&out);
		arena_free(&a);
	}
}

static void test_preview_length(void **state)
{
	struct buf msg2 = BUF_INIT, out = BUF_INIT;
	struct arena *a = arena_new(0);
	struct mime_message *m;
	size_t chars = 0;

	buf_append_str(&msg2, "Content-Type: text/plain; charset=utf-8\r\n\r\n");
	for (int i = 0; i < 300; i++)
		buf_append_str(&msg2, "\xc3\xa9 ");
	m = mime_parse(a, msg2.data, msg2.len, NULL);
	mime_preview(m, &out);
	for (size_t i = 0; i < out.len; i++)
		chars += (out.data[i] & 0xc0) != 0x80;
	assert_int_equal(chars, 200);
	buf_free(&msg2);
	buf_free(&out);
	arena_free(&a);
}

static void test_html(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{"<b>bold</b> &amp; &lt;x&gt; &quot;q&quot; &apos;", "bold & <x> \"q\" '"},
		{"&#65;&#x42;&#x20ac;&#0;&#xd800;", "AB\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd"},
		{"&unknown; & alone &#; &#x;", "&unknown; & alone &#; &#x;"},
		{"a<!-- <b>comment</b> -->b<!-- open", "ab"},
		{"<style>p{}</style>x<SCRIPT>evil()</script >y<script>never closed", "xy"},
		{"<p>one<br>two</p><div>three", "\none\ntwo\n\nthree"},
		{"<unclosed tag", ""},
		{"<", ""},
		{"x &copy; &euro;&hellip;", "x \xc2\xa9 \xe2\x82\xac\xe2\x80\xa6"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf msg3 = BUF_INIT, body = BUF_INIT, want = BUF_INIT;
		struct arena *a = arena_new(0);
		struct mime_message *m;

		buf_printf(&msg3, "Content-Type: text/html; charset=utf-8\r\n\r\n%s", cases[i].in);
		m = mime_parse(a, msg3.data, msg3.len, NULL);
		mime_search_text(m, NULL, &body);
		buf_printf(&want, "%s\n", cases[i].out);
		assert_string_equal(buf_cstr(&body), buf_cstr(&want));
		buf_free(&msg3);
		buf_free(&body);
		buf_free(&want);
		arena_free(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_text), cmocka_unit_test(test_search_limits),
		cmocka_unit_test(test_preview),     cmocka_unit_test(test_preview_length),
		cmocka_unit_test(test_html),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
