/* test-store-parsed-prefix.c — a parsed message with header lines put in
 * front (store_parsed_prefixed, mime_part_index_shift) must equal the
 * parse of the longer message from scratch, field by field, for plain,
 * multipart, nested and odd messages; bad prefixes and indexes are
 * refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store-parsed-prefix.h"
#include "store/store-parsed.h"
#include "store/store.h"
#include "lib/mem.h"
#include "mime/mime-index-shift.h"

#include <stdio.h>
#include <string.h>

static const char *const messages[] = {
	/* the shape of every delivery: Return-Path and Received first */
	"Return-Path: <a@example.org>\r\nReceived: from x by y; Thu, 1 Jan 2026 00:00:00 +0000\r\n"
	"From: Alice <a@example.org>\r\nTo: b@example.org\r\nSubject: hi\r\n"
	"Message-ID: <1@x>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\nHello\r\n",
	"Return-Path: <>\r\nSubject: no body\r\n",
	"Return-Path: <>\r\nSubject: empty body\r\n\r\n",
	"Return-Path: <>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n"
	"Subject: multi\r\nIn-Reply-To: <0@x>\r\nReferences: <a@x> <0@x>\r\n\r\n"
	"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\n"
	"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/alternative;"
	" boundary=c\r\n\r\n--c\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--c--\r\n"
	"\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
	"\r\naGVsbG8=\r\n--b--\r\nepilogue\r\n",
	"Return-Path: <x@y>\r\nSubject: =?utf-8?q?=C3=A9t=C3=A9?=\r\n "
	"folded\r\n\tagain\r\n\r\nbody",
	"Return-Path: <x@y>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n",
};

static const char *const prefixes[] = {
	"Delivered-To: bob@example.org\r\n",
	"Delivered-To: b\r\nX-Two: lines\r\n",
	"X-Folded: one\r\n two\r\n",
};

static void assert_buf_eq(const struct buf *a, const struct buf *b, const char *what)
{
	if (a->len != b->len || (a->len > 0 && memcmp(a->data, b->data, a->len) != 0)) {
		fprintf(stderr, "%s differs: [%.*s] vs [%.*s]\n", what, (int)a->len,
			a->data ? (const char *)a->data : "", (int)b->len,
			b->data ? (const char *)b->data : "");
		fail();
	}
}

static void assert_str_eq_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void compare(const struct store_parsed *a, const struct store_parsed *b)
{
	assert_int_equal(a->size, b->size);
	assert_memory_equal(a->data, b->data, a->size);
	assert_buf_eq(&a->envelope, &b->envelope, "envelope");
	assert_buf_eq(&a->bodystructure, &b->bodystructure, "bodystructure");
	assert_buf_eq(&a->body, &b->body, "body");
	assert_buf_eq(&a->parts, &b->parts, "part index");
	assert_buf_eq(&a->headers, &b->headers, "list headers");
	assert_int_equal(a->has_sent_date, b->has_sent_date);
	assert_int_equal(a->sent_date, b->sent_date);
	assert_str_eq_null(a->message_id, b->message_id);
	assert_int_equal(a->reference_count, b->reference_count);
	for (size_t i = 0; i < a->reference_count; i++)
		assert_string_equal(a->references[i], b->references[i]);
	assert_str_eq_null(a->sort_subject, b->sort_subject);
	assert_str_eq_null(a->sort_from, b->sort_from);
	assert_str_eq_null(a->display_from, b->display_from);
	assert_str_eq_null(a->preview, b->preview);
	assert_buf_eq(&a->fts_subject, &b->fts_subject, "fts subject");
	assert_buf_eq(&a->fts_headers, &b->fts_headers, "fts headers");
	assert_buf_eq(&a->fts_body, &b->fts_body, "fts body");
}

static void test_prefixed_equals_fresh_parse(void **state)
{
	(void)state;
	for (size_t m = 0; m < HF_N_ELEMENTS(messages); m++) {
		for (size_t k = 0; k < HF_N_ELEMENTS(prefixes); k++) {
			size_t plen = strlen(prefixes[k]), mlen = strlen(messages[m]);
			char *joined = xmalloc(plen + mlen);
			struct store_parsed *base = store_parsed_new(messages[m], mlen);
			struct store_parsed *derived =
				store_parsed_prefixed(base, prefixes[k], plen);
			struct store_parsed *fresh;

			memcpy(joined, prefixes[k], plen);
			memcpy(joined + plen, messages[m], mlen);
			fresh = store_parsed_new(joined, plen + mlen);
			assert_non_null(derived);
			/* the base may go first: the result owns everything */
			store_parsed_free(&base);
			compare(derived, fresh);
			store_parsed_free(&derived);
			store_parsed_free(&fresh);
			free(joined);
		}
	}
}

static void test_bad_prefix_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"Delivered-To: x",
		"Delivered-To: x\n",
		"A: b\r\rC: d\r\n",
		" X: y\r\n",
		"A: b\nC: d\r\n",
		"\r\n",
	};
	struct store_parsed *base = store_parsed_new(messages[0], strlen(messages[0]));

	(void)state;
	for (size_t i = 0; i < HF_N_ELEMENTS(bad); i++)
		assert_null(store_parsed_prefixed(base, bad[i], strlen(bad[i])));
	assert_null(store_parsed_prefixed(base, "A: b\0c\r\n", 8));
	store_parsed_free(&base);
}

static void test_index_shift_malformed(void **state)
{
	struct buf out = BUF_INIT;
	static const unsigned char truncated[] = {'H', 'P', 'I', '1', 0, 0, 0, 0x80};
	static const unsigned char overflow[] = {'H',  'P',  'I',  '1',  0,    0,    0,    0xff,
						 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						 0x01, 0,    0,    0,    0,    0};

	(void)state;
	assert_int_equal(mime_part_index_shift("XXXX", 4, 1, &out), -1);
	assert_int_equal(mime_part_index_shift("HPI1", 4, 1, &out), -1);
	assert_int_equal(mime_part_index_shift("HP", 2, 1, &out), -1);
	assert_int_equal(mime_part_index_shift(truncated, sizeof(truncated), 1, &out), -1);
	assert_int_equal(mime_part_index_shift(overflow, sizeof(overflow), 2, &out), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixed_equals_fresh_parse),
		cmocka_unit_test(test_bad_prefix_refused),
		cmocka_unit_test(test_index_shift_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
