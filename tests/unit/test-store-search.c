/* test-store-search.c — SEARCH and SORT in the store: text keys with IMAP's
 * case-insensitive substring semantics, flags, dates, sizes, boolean
 * combinations; SORT keys and their tie-breaking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "store/store-search.h"
#include "store/store.h"
#include "store-test-util.h"

struct fixture {
	char dir[256];
	struct store *s;
	int64_t inbox;
};

/* 1..6, in this order. */
static const char *const corpus[] = {
	"From: Alice Example <alice@example.org>\r\nTo: bob@example.net\r\n"
	"Subject: Quarterly report\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n"
	"X-Mailer: FooMail 1.0\r\n\r\nThe numbers look GOOD this quarter.\r\n",
	"From: Bob <bob@example.net>\r\nTo: alice@example.org\r\nCc: carol@example.com\r\n"
	"Subject: Re: Quarterly report\r\nDate: Tue, 3 Jan 2023 09:00:00 -0500\r\n\r\n"
	"Agreed, good numbers.\r\n",
	"From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>\r\nTo: alice@example.org\r\n"
	"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=\r\n"
	"Date: Wed, 4 Jan 2023 12:00:00 +0100\r\nMIME-Version: 1.0\r\n"
	"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
	"\r\nSch=C3=B6ne Gr=C3=BC=C3=9Fe!\r\n",
	"From: carol@example.com\r\nTo: bob@example.net\r\nSubject: lunch?\r\n"
	"Date: Thu, 5 Jan 2023 12:30:00 +0000\r\n\r\nzq\r\n",
	"From: Dave <dave@example.com>\r\nTo: alice@example.org\r\nSubject: Fwd: lunch?\r\n"
	"Date: Fri, 6 Jan 2023 08:00:00 +0000\r\nX-Mailer: BarMail\r\n\r\n"
	"Forwarding a very long body text that makes this message the largest one of all the "
	"messages in this little corpus, by a comfortable margin.\r\n",
	"Subject: no sender at all\r\n\r\n100% of it\r\n",
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct store_mailbox mb;
	const char *error;
	const char *kw[] = {"$Important"};

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
	for (size_t i = 0; i < HF_N_ELEMENTS(corpus); i++) {
		struct store_parsed *p = store_parsed_new(corpus[i], strlen(corpus[i]));
		struct store_new_message m = {
			.msg = p,
			.flags = i % 2 ? STORE_FLAG_SEEN : 0,
			.keywords = kw,
			.keyword_count = i == 2 ? 1 : 0,
			.internaldate = 1672531200 + (int64_t)(5 - i) * 86400, /* reverse order */
		};
		uint32_t v, uid;

		assert_int_equal(store_append(f->s, "INBOX", &m, 1, &v, &uid), STORE_OK);
		store_parsed_free(&p);
	}
	assert_int_equal(store_mailbox_get(f->s, "INBOX", &mb), STORE_OK);
	f->inbox = mb.id;
	store_mailbox_clear(&mb);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->s);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static const char *run(struct fixture *f, const struct store_search_key *k)
{
	static char out[256];
	struct rangeset r = RANGESET_INIT;
	struct buf b = BUF_INIT;

	assert_int_equal(store_search(f->s, f->inbox, k, &r, NULL), STORE_OK);
	rangeset_write(&r, &b);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	rangeset_free(&r);
	return out;
}

static const char *text(struct fixture *f, enum store_search_op op, const char *str)
{
	struct store_search_key k = {.op = op, .str = str};

	return run(f, &k);
}

static void test_text_keys(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(text(f, STORE_SEARCH_FROM, "ALICE"), "1");
	assert_string_equal(text(f, STORE_SEARCH_FROM, "example.com"), "4:5");
	assert_string_equal(text(f, STORE_SEARCH_TO, "alice@"), "2:3,5");
	assert_string_equal(text(f, STORE_SEARCH_CC, "carol"), "2");
	assert_string_equal(text(f, STORE_SEARCH_SUBJECT, "quarterly REPORT"), "1:2");
	/* Encoded words are decoded, and case folding is Unicode-aware. */
	assert_string_equal(text(f, STORE_SEARCH_SUBJECT, "GRÜSSE"), "3");
	assert_string_equal(text(f, STORE_SEARCH_FROM, "müller"), "3");
	assert_string_equal(text(f, STORE_SEARCH_BODY, "schöne"), "3");
	assert_string_equal(text(f, STORE_SEARCH_BODY, "good"), "1:2");
	assert_string_equal(text(f, STORE_SEARCH_BODY, "quarterly"), "");
	assert_string_equal(text(f, STORE_SEARCH_TEXT, "quarterly"), "1:2");
	/* Needles under three characters scan instead of using trigrams. */
	assert_string_equal(text(f, STORE_SEARCH_BODY, "ZQ"), "4");
	assert_string_equal(text(f, STORE_SEARCH_BODY, "%"), "6");
	assert_string_equal(text(f, STORE_SEARCH_SUBJECT, ""), "1:6");
	/* FTS syntax in the needle is data, not query language. */
	assert_string_equal(text(f, STORE_SEARCH_BODY, "\"good\" OR numbers"), "");
	assert_string_equal(text(f, STORE_SEARCH_BODY, "*"), "");
}

static void test_header_key(void **state)
{
	struct fixture *f = *state;
	struct store_search_key k = {.op = STORE_SEARCH_HEADER, .field = "X-Mailer", .str = "mail"};

	assert_string_equal(run(f, &k), "1,5");
	k.str = "foo";
	assert_string_equal(run(f, &k), "1");
	k.str = "";
	assert_string_equal(run(f, &k), "1,5");
	k.field = "Cc";
	assert_string_equal(run(f, &k), "2");
	k.field = "Subject";
	k.str = "mail"; /* only the Subject field counts, not the X-Mailer one */
	assert_string_equal(run(f, &k), "");
}

static void test_flags_sizes_dates(void **state)
{
	struct fixture *f = *state;
	struct store_search_key k = {.op = STORE_SEARCH_FLAGS_SET, .flags = STORE_FLAG_SEEN};

	assert_string_equal(run(f, &k), "2,4,6");
	k.op = STORE_SEARCH_FLAGS_UNSET;
	assert_string_equal(run(f, &k), "1,3,5");
	k = (struct store_search_key){.op = STORE_SEARCH_KEYWORD, .str = "$important"};
	assert_string_equal(run(f, &k), "3");
	k.op = STORE_SEARCH_UNKEYWORD;
	assert_string_equal(run(f, &k), "1:2,4:6");
	k = (struct store_search_key){.op = STORE_SEARCH_LARGER, .num = 200};
	assert_string_equal(run(f, &k), "3,5");
	k.op = STORE_SEARCH_SMALLER;
	k.num = 100;
	assert_string_equal(run(f, &k), "6");
	/* Internal dates: message i arrived on 2023-01-01 + (5 - i) days. */
	k = (struct store_search_key){.op = STORE_SEARCH_ON, .num = 19358}; /* 2023-01-01 */
	assert_string_equal(run(f, &k), "6");
	k.op = STORE_SEARCH_SINCE;
	k.num = 19361;
	assert_string_equal(run(f, &k), "1:3");
	k.op = STORE_SEARCH_BEFORE;
	assert_string_equal(run(f, &k), "4:6");
	/* Sent dates, in each Date: header's own zone; no Date: uses the internal date. */
	k.op = STORE_SEARCH_SENTON;
	k.num = 19360; /* 2023-01-03 */
	assert_string_equal(run(f, &k), "2");
	k.op = STORE_SEARCH_SENTSINCE;
	k.num = 19362; /* 2023-01-05 */
	assert_string_equal(run(f, &k), "4:5");
	k.op = STORE_SEARCH_YOUNGER;
	k.num = 60;
	assert_string_equal(run(f, &k), "");
	k.op = STORE_SEARCH_OLDER;
	assert_string_equal(run(f, &k), "1:6");
}

static void test_boolean_and_sets(void **state)
{
	struct fixture *f = *state;
	struct rangeset uids = RANGESET_INIT, big = RANGESET_INIT;
	struct store_search_key a = {.op = STORE_SEARCH_FROM, .str = "example.com"};
	struct store_search_key b = {.op = STORE_SEARCH_FLAGS_SET, .flags = STORE_FLAG_SEEN};
	struct store_search_key and = {.op = STORE_SEARCH_AND, .child = &a};
	struct store_search_key or = {.op = STORE_SEARCH_OR, .child = &a};
	struct store_search_key not = {.op = STORE_SEARCH_NOT, .child = &b};
	struct store_search_key u = {.op = STORE_SEARCH_UIDS, .uids = &uids};
	struct store_search_key empty = {.op = STORE_SEARCH_AND};
	uint64_t highest;
	struct rangeset r = RANGESET_INIT;

	a.next = &b;
	assert_string_equal(run(f, &and), "4");
	assert_string_equal(run(f, & or), "2,4:6");
	assert_string_equal(run(f, &not ), "1,3,5");
	assert_string_equal(run(f, &empty), "1:6");
	rangeset_add_range(&uids, 2, 3);
	rangeset_add(&uids, 6);
	assert_string_equal(run(f, &u), "2:3,6");
	/* Many ranges go through the set function instead of SQL text. */
	for (uint32_t i = 1; i < 200; i += 2)
		rangeset_add(&big, i);
	u.uids = &big;
	assert_string_equal(run(f, &u), "1,3,5");
	u.op = STORE_SEARCH_MODSEQ;
	u.num = 0;
	assert_int_equal(store_search(f->s, f->inbox, &u, &r, &highest), STORE_OK);
	assert_int_equal(rangeset_count(&r), 6);
	assert_true(highest > 0);
	rangeset_free(&uids);
	rangeset_free(&big);
	rangeset_free(&r);
}

static const char *sorted(struct fixture *f, enum store_sort_key key, bool reverse)
{
	static char out[64];
	struct store_sort_criterion c[2] = {{key, reverse}, {STORE_SORT_ARRIVAL, false}};
	uint32_t *uids;
	size_t n, len = 0;

	assert_int_equal(store_sort(f->s, f->inbox, NULL, c, 1, &uids, &n), STORE_OK);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%u", i ? " " : "",
					uids[i]);
	free(uids);
	return out;
}

static void test_sort(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(sorted(f, STORE_SORT_ARRIVAL, false), "6 5 4 3 2 1");
	assert_string_equal(sorted(f, STORE_SORT_SIZE, true), "3 5 1 2 4 6");
	/* Base subjects: "Re: Quarterly report" sorts as "Quarterly report",
	 * "Fwd: lunch?" as "lunch?"; ties keep sequence order. */
	assert_string_equal(sorted(f, STORE_SORT_SUBJECT, false), "3 4 5 6 1 2");
	/* addr-mailbox of the first From; none sorts first. */
	assert_string_equal(sorted(f, STORE_SORT_FROM, false), "6 1 2 4 5 3");
	assert_string_equal(sorted(f, STORE_SORT_DATE, false), "6 1 2 3 4 5");
	/* DISPLAYFROM: display name, else the address. */
	assert_string_equal(sorted(f, STORE_SORT_DISPLAYFROM, false), "6 1 2 4 5 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_sizes_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boolean_and_sets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
