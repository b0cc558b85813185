/* test-store-search-files.c — search keys and SORT orders that read the
 * files table (EMAILID, THREADID, SENT*, SORT by header fields) alone and
 * mixed with keys that do not, since the query joins files only when a
 * key or the order needs it. */
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
	char emailid[3][64];
	char threadid[3][64];
};

/* UIDs 1..3: a thread of two, and a message on its own. */
static const char *const corpus[] = {
	"From: Ann <ann@example.org>\r\nSubject: budget\r\nMessage-ID: <a1@example.org>\r\n"
	"Date: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\nfirst draft of the budget\r\n",
	"From: Bea <bea@example.org>\r\nSubject: Re: budget\r\nMessage-ID: <b2@example.org>\r\n"
	"In-Reply-To: <a1@example.org>\r\nDate: Wed, 4 Jan 2023 10:00:00 +0000\r\n\r\n"
	"the budget looks fine\r\n",
	"From: Cid <cid@example.org>\r\nSubject: lunch\r\nMessage-ID: <c3@example.org>\r\n"
	"Date: Tue, 3 Jan 2023 10:00:00 +0000\r\n\r\nlunch at noon\r\n",
};

static void remember_ids(struct fixture *f)
{
	struct store_fetch *fe;
	const struct store_msg *m;
	int i = 0;

	assert_int_equal(store_fetch_begin(f->s, f->inbox, NULL, 0, &fe), STORE_OK);
	while (store_fetch_next(fe, &m) == 1 && i < 3) {
		snprintf(f->emailid[i], sizeof(f->emailid[i]), "%s", m->emailid);
		snprintf(f->threadid[i], sizeof(f->threadid[i]), "%s", m->threadid);
		i++;
	}
	store_fetch_end(&fe);
	assert_int_equal(i, 3);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct store_mailbox mb;
	const char *error;

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
	for (size_t i = 0; i < HF_N_ELEMENTS(corpus); i++) {
		struct store_parsed *p = store_parsed_new(corpus[i], strlen(corpus[i]));
		struct store_new_message m = {.msg = p, .internaldate = 1672531200 + (int64_t)i};
		uint32_t v, uid;

		assert_int_equal(store_append(f->s, "INBOX", &m, 1, &v, &uid), STORE_OK);
		store_parsed_free(&p);
	}
	assert_int_equal(store_mailbox_get(f->s, "INBOX", &mb), STORE_OK);
	f->inbox = mb.id;
	store_mailbox_clear(&mb);
	remember_ids(f);
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

static void test_ids(void **state)
{
	struct fixture *f = *state;
	struct store_search_key k = {.op = STORE_SEARCH_EMAILID, .str = f->emailid[2]};

	assert_string_equal(f->threadid[0], f->threadid[1]);
	assert_string_not_equal(f->threadid[0], f->threadid[2]);
	assert_string_equal(run(f, &k), "3");
	k.op = STORE_SEARCH_THREADID;
	k.str = f->threadid[0];
	assert_string_equal(run(f, &k), "1:2");
	k.str = "Tnothing";
	assert_string_equal(run(f, &k), "");
}

/* 2023-01-03 is day 19360. */
static void test_sent_dates(void **state)
{
	struct fixture *f = *state;
	struct store_search_key k = {.op = STORE_SEARCH_SENTON, .num = 19360};

	assert_string_equal(run(f, &k), "3");
	k.op = STORE_SEARCH_SENTBEFORE;
	assert_string_equal(run(f, &k), "1");
	k.op = STORE_SEARCH_SENTSINCE;
	assert_string_equal(run(f, &k), "2:3");
}

/* A text key (no files column) under AND and OR with keys that read files. */
static void test_mixed(void **state)
{
	struct fixture *f = *state;
	struct store_search_key thread = {.op = STORE_SEARCH_THREADID, .str = f->threadid[0]};
	struct store_search_key body = {.op = STORE_SEARCH_BODY, .str = "BUDGET", .next = &thread};
	struct store_search_key and = {.op = STORE_SEARCH_AND, .child = &body};
	struct store_search_key sent = {.op = STORE_SEARCH_SENTON, .num = 19360};
	struct store_search_key lunch = {.op = STORE_SEARCH_TEXT, .str = "noon", .next = &sent};
	struct store_search_key or = {.op = STORE_SEARCH_OR, .child = &lunch};
	struct store_search_key plain = {.op = STORE_SEARCH_TEXT, .str = "looks"};

	assert_string_equal(run(f, &and), "1:2");
	assert_string_equal(run(f, & or), "3");
	assert_string_equal(run(f, &plain), "2");
	assert_string_equal(run(f, NULL), "1:3");
}

static const char *sorted(struct fixture *f, enum store_sort_key key)
{
	static char out[64];
	struct store_sort_criterion c = {key, false};
	uint32_t *uids;
	size_t n, len = 0;

	assert_int_equal(store_sort(f->s, f->inbox, NULL, &c, 1, &uids, &n), STORE_OK);
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

	assert_string_equal(sorted(f, STORE_SORT_ARRIVAL), "1 2 3");
	assert_string_equal(sorted(f, STORE_SORT_SIZE), "3 1 2");
	assert_string_equal(sorted(f, STORE_SORT_DATE), "1 3 2");
	assert_string_equal(sorted(f, STORE_SORT_SUBJECT), "1 2 3");
	assert_string_equal(sorted(f, STORE_SORT_FROM), "1 2 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sent_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
