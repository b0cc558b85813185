/* test-client-query.c — hafen's search language: every term parsed, bad
 * terms refused, and the same query translated for the server (written
 * out as IMAP SEARCH keys) and for the cache (run against a store).
 *
 * src/client is not part of libhafen, so its sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/cli/query.c"

#include "imap/imap-write.h"
#include "lib/mem.h"
#include "store-test-util.h"

#include <string.h>

/* The query written as the keys of "UID SEARCH". */
static char *as_imap(const char *const *args, int n)
{
	struct query q;
	struct arena *a = arena_new(0);
	struct imap_command cmd = {.kind = IMAP_CMD_SEARCH, .uid = true, .tag = "t"};
	struct imap_command_output out = {BUF_INIT, NULL, 0, 0};
	const char *err;
	char *s;

	assert_int_equal(query_parse(n, (char **)args, &q, &err), 0);
	query_to_imap(&q, a, &cmd.u.search.opts.keys, &cmd.u.search.opts.key_count);
	imap_command_write(&out, &cmd, 0);
	s = xstrdup(buf_cstr(&out.buf) + strlen("t UID SEARCH "));
	s[strcspn(s, "\r")] = '\0';
	imap_command_output_free(&out);
	query_free(&q);
	arena_free(&a);
	return s;
}

static const struct {
	const char *args[4];
	int n;
	const char *imap;
} cases[] = {
	{{"from:alice"}, 1, "FROM alice"},
	{{"subject:hello world"}, 1, "SUBJECT \"hello world\""},
	{{"report"}, 1, "TEXT report"},
	{{"is:unread", "is:flagged"}, 2, "UNSEEN FLAGGED"},
	{{"is:read", "-is:answered"}, 2, "SEEN NOT ANSWERED"},
	{{"since:2024-02-29", "before:2024-03-01"}, 2, "SINCE 29-Feb-2024 BEFORE 1-Mar-2024"},
	{{"on:1999-12-31"}, 1, "ON 31-Dec-1999"},
	{{"larger:10k", "smaller:2M"}, 2, "LARGER 10240 SMALLER 2097152"},
	{{"keyword:$Work", "-body:spam"}, 2, "KEYWORD $Work NOT BODY spam"},
	{{"to:bob", "cc:carol", "is:deleted", "is:draft"}, 4, "TO bob CC carol DELETED DRAFT"},
	{{"folder:Archive"}, 1, "ALL"},
};

static void test_to_imap(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		char *got = as_imap(cases[i].args, cases[i].n);

		if (strcmp(got, cases[i].imap) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].imap);
		free(got);
	}
}

static void test_bad_terms(void **state)
{
	static const char *const bad[] = {"is:nonsense",     "since:2024-02-30",
					  "since:yesterday", "larger:",
					  "larger:12q",      "from:",
					  "on:2024-1-1x",    "smaller:99999999999999999999"};
	struct query q;
	const char *err;

	for (size_t i = 0; i < HF_N_ELEMENTS(bad); i++) {
		char *args[1] = {(char *)bad[i]};

		if (query_parse(1, args, &q, &err) != -1)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(err, bad[i]));
	}
	{
		char *args[2] = {"folder:Work", "-"};

		assert_int_equal(query_parse(2, args, &q, &err), 0);
		assert_string_equal(q.folder, "Work");
		assert_int_equal(q.count, 1); /* a lone "-" is a word */
		assert_int_equal(q.terms[0].kind, QUERY_TEXT);
		query_free(&q);
	}
}

/* The same queries answered by a store holding three messages. */
static void test_to_store(void **state)
{
	static const char *const msgs[] = {
		"From: Alice <alice@example.org>\r\nSubject: quarterly report\r\n\r\nnumbers\r\n",
		"From: Bob <bob@example.org>\r\nSubject: lunch\r\n\r\nsandwiches\r\n",
		"From: Carol <carol@example.org>\r\nSubject: old report\r\n\r\nmore numbers\r\n",
	};
	static const struct {
		const char *args[3];
		int n;
		const char *uids;
	} q_cases[] = {
		{{"report"}, 1, "1,3"},        {{"from:alice"}, 1, "1"},
		{{"-subject:report"}, 1, "2"}, {{"body:numbers", "from:carol"}, 2, "3"},
		{{"is:unread"}, 1, "2:3"},     {{"is:read", "-is:flagged"}, 2, "1"},
		{{"larger:65"}, 1, "1,3"},     {{"smaller:60"}, 1, "2"},
		{{"folder:INBOX"}, 1, "1:3"},
	};
	char dir[256];
	struct store *s;
	const char *err;

	test_tmpdir(dir, sizeof(dir));
	assert_int_equal(store_open(dir, STORE_OPEN_CREATE, &s, &err), STORE_OK);
	for (size_t i = 0; i < HF_N_ELEMENTS(msgs); i++) {
		struct store_parsed *p = store_parsed_new(msgs[i], strlen(msgs[i]));
		struct store_new_message m = {.msg = p, .flags = i == 0 ? STORE_FLAG_SEEN : 0};
		uint32_t uv, uid;

		assert_int_equal(store_append(s, "INBOX", &m, 1, &uv, &uid), STORE_OK);
		store_parsed_free(&p);
	}
	for (size_t i = 0; i < HF_N_ELEMENTS(q_cases); i++) {
		struct arena *a = arena_new(0);
		struct rangeset hits = RANGESET_INIT;
		struct buf out = BUF_INIT;
		struct store_mailbox mb;
		struct query q;

		assert_int_equal(query_parse(q_cases[i].n, (char **)q_cases[i].args, &q, &err), 0);
		assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
		assert_int_equal(store_search(s, mb.id, query_to_store(&q, a), &hits, NULL),
				 STORE_OK);
		rangeset_write(&hits, &out);
		if (strcmp(buf_cstr(&out), q_cases[i].uids) != 0)
			fail_msg("case %zu: got %s, want %s", i, buf_cstr(&out), q_cases[i].uids);
		buf_free(&out);
		rangeset_free(&hits);
		store_mailbox_clear(&mb);
		query_free(&q);
		arena_free(&a);
	}
	store_close(&s);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_imap),
		cmocka_unit_test(test_bad_terms),
		cmocka_unit_test(test_to_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
