/* test-store-section-cached.c — store_section_cached(): which sections the
 * list-view header cache answers, and that such a section is read without
 * the part index or the message file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "store/store.h"
#include "store-test-util.h"

static const char *const list_fields[] = {"From", "to", "SUBJECT", "Date", "Message-ID"};
static const char *const odd_fields[] = {"From", "X-Not-Cached"};
static const uint32_t part1[] = {1};

static void test_which_sections(void **state)
{
	static const struct {
		struct store_section sec;
		bool cached;
	} cases[] = {
		{{NULL, 0, STORE_SECTION_HEADER_FIELDS, list_fields, 5, false}, true},
		{{NULL, 0, STORE_SECTION_HEADER_FIELDS, list_fields, 1, false}, true},
		{{NULL, 0, STORE_SECTION_HEADER_FIELDS, odd_fields, 2, false}, false},
		{{NULL, 0, STORE_SECTION_HEADER_FIELDS_NOT, list_fields, 5, false}, false},
		{{part1, 1, STORE_SECTION_HEADER_FIELDS, list_fields, 5, false}, false},
		{{NULL, 0, STORE_SECTION_HEADER, NULL, 0, false}, false},
		{{NULL, 0, STORE_SECTION_ALL, NULL, 0, false}, false},
		{{NULL, 0, STORE_SECTION_TEXT, NULL, 0, false}, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(store_section_cached(&cases[i].sec), cases[i].cached);
}

static const char message[] = "From: Alice <alice@example.org>\r\n"
			      "To: bob@example.org\r\n"
			      "X-Other: not cached\r\n"
			      "Subject: cached\r\n"
			      "\r\n"
			      "Body text.\r\n";

static void append_one(struct store *s)
{
	struct store_parsed *p = store_parsed_new(message, strlen(message));
	struct store_new_message nm = {.msg = p};
	uint32_t uidvalidity, uid;

	assert_int_equal(store_append(s, "INBOX", &nm, 1, &uidvalidity, &uid), STORE_OK);
	store_parsed_free(&p);
}

/* With only STORE_WANT_HEADERS (no part index) and the message file gone,
 * a cached section still reads; an uncached one cannot. */
static void test_read_without_file(void **state)
{
	char dir[256], cmd[600];
	const char *error;
	struct store *s;
	struct store_mailbox mb;
	struct store_fetch *f;
	const struct store_msg *m;
	struct buf out = BUF_INIT;
	struct store_section cached = {NULL, 0, STORE_SECTION_HEADER_FIELDS, list_fields, 3, false};
	struct store_section other = {NULL, 0, STORE_SECTION_HEADER_FIELDS, odd_fields, 2, false};

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	assert_int_equal(store_open(dir, STORE_OPEN_CREATE, &s, &error), STORE_OK);
	append_one(s);
	snprintf(cmd, sizeof(cmd), "find '%s/msg' -type f -delete", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
	assert_int_equal(store_fetch_begin(s, mb.id, NULL, STORE_WANT_HEADERS, &f), STORE_OK);
	assert_int_equal(store_fetch_next(f, &m), 1);
	assert_null(m->part_index);
	assert_int_equal(store_section_read(s, m, &cached, &out), STORE_OK);
	assert_string_equal(buf_cstr(&out), "From: Alice <alice@example.org>\r\n"
					    "To: bob@example.org\r\n"
					    "Subject: cached\r\n"
					    "\r\n");
	buf_reset(&out);
	assert_int_not_equal(store_section_read(s, m, &other, &out), STORE_OK);
	store_fetch_end(&f);
	store_mailbox_clear(&mb);
	buf_free(&out);
	store_close(&s);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_sections),
		cmocka_unit_test(test_read_without_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
