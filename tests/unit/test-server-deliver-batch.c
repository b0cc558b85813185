/* test-server-deliver-batch.c — one message to many stores side by side:
 * every job's outcome as deliver_to_store would give it, copies for one
 * store in RCPT order, a job without a store, an over-quota store, more
 * stores than threads, and the one- and zero-job paths. The sanitizers
 * (and LeakSanitizer) watch the threads.
 *
 * src/server is not part of libhafen, so the sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/deliver/deliver-batch.c"
#include "server/deliver/deliver-headers.c"
#include "server/deliver/deliver.c"
#include "store-test-util.h"

#include <stdio.h>
#include <stdlib.h>

#define STORES 20

static const char msg[] = "Subject: hi\nFrom: a@x\n\nbody\n";

static struct deliver_message *message(void)
{
	struct deliver_envelope env = {
		.sender = "a@x",
		.helo = "mx",
		.peer = "unix",
		.protocol = "LMTP",
		.hostname = "h",
		.id = "B1",
		.now = 1000000000,
	};

	return deliver_message_new(&env, msg, sizeof(msg) - 1);
}

static void open_stores(const char *dir, struct store **stores, size_t n)
{
	const char *error;
	char udir[300];

	for (size_t i = 0; i < n; i++) {
		snprintf(udir, sizeof(udir), "%s/u%zu", dir, i);
		assert_int_equal(store_open(udir, STORE_OPEN_CREATE, &stores[i], &error), STORE_OK);
	}
}

/* The messages of mailbox, in UID order: each one's first line (its
 * Delivered-To:) appended to lines, one per line. */
static size_t first_lines(struct store *s, const char *mailbox, struct buf *lines)
{
	struct store_mailbox mb;
	struct store_fetch *it;
	const struct store_msg *m;
	struct store_section sec = {.kind = STORE_SECTION_ALL};
	struct buf out = BUF_INIT;
	size_t count = 0;

	assert_int_equal(store_mailbox_get(s, mailbox, &mb), STORE_OK);
	assert_int_equal(store_fetch_begin(s, mb.id, NULL, STORE_WANT_PARTS, &it), STORE_OK);
	while (store_fetch_next(it, &m) == 1) {
		const char *eol;

		buf_reset(&out);
		assert_int_equal(store_section_read(s, m, &sec, &out), STORE_OK);
		eol = memchr(out.data, '\r', out.len);
		assert_non_null(eol);
		buf_append(lines, out.data, (size_t)(eol - (const char *)out.data));
		buf_append(lines, "\n", 1);
		count++;
	}
	assert_int_equal(count, mb.messages);
	store_fetch_end(&it);
	store_mailbox_clear(&mb);
	buf_free(&out);
	buf_append(lines, "", 1);
	return count;
}

static void test_batch_mixed(void **state)
{
	struct deliver_message *m = message();
	struct store *st[6];
	struct deliver_job jobs[] = {
		{.rcpt = "a@h"}, {.rcpt = "b@h"},      {.rcpt = "a+work@h", .mailbox = "work"},
		{.rcpt = "c@h"}, {.rcpt = "nobody@h"}, {.rcpt = "full@h"},
		{.rcpt = "e@h"}, {.rcpt = "a2@h"},     {.rcpt = "a+nope@h", .mailbox = "nope"},
	};
	struct store *which[] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	struct buf lines = BUF_INIT;
	char dir[256];

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	open_stores(dir, st, 6);
	assert_int_equal(store_mailbox_create(st[0], "work", 0), STORE_OK);
	assert_int_equal(store_quota_set_limits(st[4], 10, 0), STORE_OK);
	which[0] = which[2] = which[7] = which[8] = st[0];
	which[1] = st[1];
	which[3] = st[2];
	which[4] = NULL; /* the store could not be opened */
	which[5] = st[4];
	which[6] = st[5];
	for (size_t i = 0; i < HF_N_ELEMENTS(jobs); i++)
		jobs[i].store = which[i];
	deliver_batch_run(m, jobs, HF_N_ELEMENTS(jobs));

	for (size_t i = 0; i < HF_N_ELEMENTS(jobs); i++) {
		if (i == 4) {
			assert_int_equal(jobs[i].result, DELIVER_TEMPFAIL);
			assert_non_null(jobs[i].error);
		} else if (i == 5) {
			assert_int_equal(jobs[i].result, DELIVER_OVERQUOTA);
			assert_non_null(jobs[i].error);
		} else {
			assert_int_equal(jobs[i].result, DELIVER_OK);
			assert_null(jobs[i].error);
		}
	}
	assert_string_equal(jobs[0].mailbox_used, "INBOX");
	assert_string_equal(jobs[2].mailbox_used, "work");
	assert_string_equal(jobs[8].mailbox_used, "INBOX"); /* no such mailbox */
	/* One store's copies are written in RCPT order. */
	assert_int_equal(first_lines(st[0], "INBOX", &lines), 3);
	assert_string_equal((const char *)lines.data,
			    "Delivered-To: a@h\nDelivered-To: a2@h\nDelivered-To: a+nope@h\n");
	buf_reset(&lines);
	assert_int_equal(first_lines(st[0], "work", &lines), 1);
	assert_string_equal((const char *)lines.data, "Delivered-To: a+work@h\n");
	buf_reset(&lines);
	assert_int_equal(first_lines(st[1], "INBOX", &lines), 1);
	assert_string_equal((const char *)lines.data, "Delivered-To: b@h\n");
	buf_reset(&lines);
	assert_int_equal(first_lines(st[3], "INBOX", &lines), 0); /* no job named it */
	buf_reset(&lines);
	assert_int_equal(first_lines(st[4], "INBOX", &lines), 0); /* over quota */
	deliver_batch_clear(jobs, HF_N_ELEMENTS(jobs));
	assert_null(jobs[4].error);
	deliver_batch_clear(jobs, HF_N_ELEMENTS(jobs)); /* twice is harmless */
	buf_free(&lines);
	for (size_t i = 0; i < 6; i++)
		store_close(&st[i]);
	deliver_message_free(&m);
	test_rmtree(dir);
}

/* More stores than threads: the threads take groups until none is left;
 * every store gets its copies exactly once, in order. Run twice so the
 * second round finds the stores warm. */
static void test_batch_many(void **state)
{
	struct deliver_message *m = message();
	struct store *st[STORES];
	struct deliver_job jobs[2 * STORES];
	char rcpts[2 * STORES][32];
	struct buf lines = BUF_INIT;
	char dir[256], want[128];

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	open_stores(dir, st, STORES);
	for (int round = 0; round < 2; round++) {
		memset(jobs, 0, sizeof(jobs));
		/* Each store twice, its two jobs far apart in the list. */
		for (size_t i = 0; i < 2 * STORES; i++) {
			snprintf(rcpts[i], sizeof(rcpts[i]), "r%d.%zu@h", round, i);
			jobs[i].store = st[i % STORES];
			jobs[i].rcpt = rcpts[i];
		}
		deliver_batch_run(m, jobs, 2 * STORES);
		for (size_t i = 0; i < 2 * STORES; i++) {
			assert_int_equal(jobs[i].result, DELIVER_OK);
			assert_string_equal(jobs[i].mailbox_used, "INBOX");
		}
		deliver_batch_clear(jobs, 2 * STORES);
	}
	for (size_t i = 0; i < STORES; i++) {
		buf_reset(&lines);
		assert_int_equal(first_lines(st[i], "INBOX", &lines), 4);
		snprintf(want, sizeof(want),
			 "Delivered-To: r0.%zu@h\nDelivered-To: r0.%zu@h\n"
			 "Delivered-To: r1.%zu@h\nDelivered-To: r1.%zu@h\n",
			 i, i + STORES, i, i + STORES);
		assert_string_equal((const char *)lines.data, want);
	}
	buf_free(&lines);
	for (size_t i = 0; i < STORES; i++)
		store_close(&st[i]);
	deliver_message_free(&m);
	test_rmtree(dir);
}

/* One job runs on the caller's thread; no job does nothing. */
static void test_batch_small(void **state)
{
	struct deliver_message *m = message();
	struct store *st;
	struct deliver_job job = {.rcpt = "solo@h", .mailbox = ""};
	struct deliver_job none = {.rcpt = "x@h", .result = DELIVER_TOOBIG};
	struct buf lines = BUF_INIT;
	char dir[256];

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	open_stores(dir, &st, 1);
	job.store = st;
	deliver_batch_run(m, &job, 1);
	assert_int_equal(job.result, DELIVER_OK);
	assert_string_equal(job.mailbox_used, "INBOX");
	deliver_batch_run(m, &none, 0);
	assert_int_equal(none.result, DELIVER_TOOBIG); /* untouched */
	assert_int_equal(first_lines(st, "INBOX", &lines), 1);
	assert_string_equal((const char *)lines.data, "Delivered-To: solo@h\n");
	deliver_batch_clear(&job, 1);
	buf_free(&lines);
	store_close(&st);
	deliver_message_free(&m);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_mixed),
		cmocka_unit_test(test_batch_many),
		cmocka_unit_test(test_batch_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
