/* test-store-client.c — the client cache on the store: caching what a
 * server reported (stubs and whole messages, never twice), the three-way
 * flag merge, bodies arriving, expunges, local changes with their journal
 * entries, placeholders confirmed, UIDVALIDITY resets, folder operations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/mem.h"
#include "store/store-client.h"
#include "store/store-search.h"
#include "store-test-util.h"

struct fixture {
	char dir[256];
	struct store *s;
	int64_t inbox;
};

static int64_t mailbox_id(struct store *s, const char *name)
{
	struct store_mailbox mb;
	int64_t id;

	assert_int_equal(store_mailbox_get(s, name, &mb), STORE_OK);
	id = mb.id;
	store_mailbox_clear(&mb);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *error;

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
	assert_int_equal(store_client_init(f->s), STORE_OK);
	assert_int_equal(store_client_init(f->s), STORE_OK); /* idempotent */
	f->inbox = mailbox_id(f->s, "INBOX");
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

static char hdr_buf[8][256];

static const char *header(uint32_t uid)
{
	char *b = hdr_buf[uid % 8];

	snprintf(b, 256,
		 "From: Sender %u <s%u@example.org>\r\nSubject: message %u\r\n"
		 "Message-ID: <m%u@example.org>\r\n\r\n",
		 uid, uid, uid, uid);
	return b;
}

static void add_stub(struct store *s, int64_t mb, uint32_t uid, unsigned flags, const char *kw,
		     size_t expect_added)
{
	const char *h = header(uid);
	struct store_client_new m = {.uid = uid,
				     .data = h,
				     .len = strlen(h),
				     .flags = flags,
				     .keywords = kw,
				     .internaldate = 1700000000 + uid,
				     .size = 1000 + uid,
				     .modseq = 10 + uid};
	size_t added = 99;

	assert_int_equal(store_client_add(s, mb, &m, 1, &added), STORE_OK);
	assert_int_equal(added, expect_added);
}

static struct store_client_msg get_msg(struct store *s, int64_t mb, uint32_t uid)
{
	struct store_client_msg m;

	assert_int_equal(store_client_msg_get(s, mb, uid, &m), STORE_OK);
	return m;
}

static void test_folder_state(void **state)
{
	struct fixture *f = *state;
	struct store_client_folder cf;

	assert_int_equal(store_client_folder_get(f->s, "inbox", &cf), STORE_OK);
	assert_string_equal(cf.name, "INBOX");
	assert_null(cf.remote_name);
	assert_int_equal(cf.uidvalidity, 0);
	cf.remote_name = xstrdup("INBOX");
	cf.delimiter = '.';
	cf.uidvalidity = 42;
	cf.uidnext = 7;
	cf.highestmodseq = 99;
	cf.mailboxid = xstrdup("F123");
	cf.synced_at = 5;
	assert_int_equal(store_client_folder_put(f->s, &cf), STORE_OK);
	store_client_folder_clear(&cf);
	assert_int_equal(store_client_folder_get(f->s, "INBOX", &cf), STORE_OK);
	assert_string_equal(cf.remote_name, "INBOX");
	assert_int_equal(cf.delimiter, '.');
	assert_int_equal(cf.uidvalidity, 42);
	assert_int_equal(cf.uidnext, 7);
	assert_int_equal(cf.highestmodseq, 99);
	assert_string_equal(cf.mailboxid, "F123");
	/* NULL remote_name keeps the stored one */
	free(cf.remote_name);
	cf.remote_name = NULL;
	cf.uidnext = 8;
	assert_int_equal(store_client_folder_put(f->s, &cf), STORE_OK);
	store_client_folder_clear(&cf);
	assert_int_equal(store_client_folder_get(f->s, "INBOX", &cf), STORE_OK);
	assert_string_equal(cf.remote_name, "INBOX");
	assert_int_equal(cf.uidnext, 8);
	store_client_folder_clear(&cf);
	assert_int_equal(store_client_folder_get(f->s, "Nope", &cf), STORE_ERR_NONEXISTENT);
}

static void test_add_idempotent(void **state)
{
	struct fixture *f = *state;
	struct store_client_msg m;
	struct store_mailbox mb;
	struct rangeset uids = RANGESET_INIT;

	add_stub(f->s, f->inbox, 3, STORE_FLAG_SEEN, "$Label1 Work", 1);
	add_stub(f->s, f->inbox, 5, 0, NULL, 1);
	add_stub(f->s, f->inbox, 3, 0, NULL, 0); /* a repeated sync adds nothing */
	add_stub(f->s, f->inbox, STORE_CLIENT_PLACEHOLDER_MIN, 0, NULL, 0); /* refused */
	assert_int_equal(store_mailbox_get(f->s, "INBOX", &mb), STORE_OK);
	assert_int_equal(mb.messages, 2);
	assert_int_equal(mb.unseen, 1);
	assert_int_equal(mb.size, 1003 + 1005);
	assert_true(mb.uidnext >= 6);
	store_mailbox_clear(&mb);
	m = get_msg(f->s, f->inbox, 3);
	assert_int_equal(m.flags, STORE_FLAG_SEEN);
	assert_int_equal(m.base_flags, STORE_FLAG_SEEN);
	assert_string_equal(m.keywords, "$Label1 Work");
	assert_string_equal(m.base_keywords, "$Label1 Work");
	assert_int_equal(m.remote_modseq, 13);
	assert_int_equal(m.size, 1003);
	assert_false(m.has_body);
	assert_false(m.pending);
	assert_true(m.cid > 0);
	{
		struct store_client_msg again;

		assert_int_equal(store_client_msg_by_cid(f->s, m.cid, &again), STORE_OK);
		assert_int_equal(again.uid, 3);
		store_client_msg_clear(&again);
	}
	store_client_msg_clear(&m);
	assert_int_equal(store_client_uids(f->s, f->inbox, &uids), STORE_OK);
	assert_int_equal(rangeset_count(&uids), 2);
	assert_true(rangeset_contains(&uids, 3) && rangeset_contains(&uids, 5));
	rangeset_clear(&uids);
	assert_int_equal(store_client_stubs(f->s, f->inbox, 1700000004, &uids), STORE_OK);
	assert_int_equal(rangeset_count(&uids), 1);
	assert_true(rangeset_contains(&uids, 5));
	rangeset_free(&uids);
	assert_int_equal(store_client_msg_get(f->s, f->inbox, 4, &m), STORE_ERR_NONEXISTENT);
}

static void test_add_batch_whole(void **state)
{
	struct fixture *f = *state;
	static const char whole[] =
		"From: a@b\nSubject: whole\nMessage-ID: <w@x>\n\nbody text zebra\n";
	struct store_client_new v[3] = {
		{.uid = 10, .data = whole, .len = sizeof(whole) - 1, .whole = true, .size = 70},
		{.uid = 11, .data = "", .len = 0, .size = 5},
		{.uid = 10, .data = whole, .len = sizeof(whole) - 1, .whole = true, .size = 70},
	};
	struct store_search_key key = {.op = STORE_SEARCH_BODY, .str = "zebra"};
	struct rangeset hits = RANGESET_INIT;
	struct store_client_msg m;
	size_t added;
	uint32_t uid;
	int fd;

	assert_int_equal(store_client_add(f->s, f->inbox, v, 3, &added), STORE_OK);
	assert_int_equal(added, 2);
	m = get_msg(f->s, f->inbox, 10);
	assert_true(m.has_body);
	store_client_msg_clear(&m);
	m = get_msg(f->s, f->inbox, 11);
	assert_false(m.has_body);
	store_client_msg_clear(&m);
	assert_int_equal(store_search(f->s, f->inbox, &key, &hits, NULL), STORE_OK);
	assert_int_equal(rangeset_count(&hits), 1);
	assert_true(rangeset_contains(&hits, 10));
	rangeset_free(&hits);
	assert_int_equal(store_client_find_msgid(f->s, f->inbox, "<w@x>", &uid), STORE_OK);
	assert_int_equal(uid, 10);
	assert_int_equal(store_client_find_msgid(f->s, f->inbox, "none@x", &uid), STORE_OK);
	assert_int_equal(uid, 0);
	/* the file holds CRLF line ends */
	{
		struct store_fetch *fe;
		const struct store_msg *sm;
		struct rangeset one = RANGESET_INIT;
		char buf[256];
		ssize_t n;

		rangeset_add(&one, 10);
		assert_int_equal(store_fetch_begin(f->s, f->inbox, &one, 0, &fe), STORE_OK);
		assert_int_equal(store_fetch_next(fe, &sm), 1);
		assert_int_equal(store_msg_open(f->s, sm, &fd), STORE_OK);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_non_null(strstr(buf, "Subject: whole\r\n"));
		store_fetch_end(&fe);
		rangeset_free(&one);
	}
}

/* The merge table: base, local view, remote -> new local view. */
static const struct {
	unsigned base, local, remote, expect;
} merge_cases[] = {
	{0, 0, 0, 0},
	{0, 0, STORE_FLAG_SEEN, STORE_FLAG_SEEN},       /* remote set */
	{STORE_FLAG_SEEN, STORE_FLAG_SEEN, 0, 0},       /* remote cleared */
	{0, STORE_FLAG_FLAGGED, 0, STORE_FLAG_FLAGGED}, /* local set, pending */
	{STORE_FLAG_SEEN, 0, STORE_FLAG_SEEN, 0},       /* local cleared, pending */
	{0, STORE_FLAG_FLAGGED, STORE_FLAG_SEEN, STORE_FLAG_FLAGGED | STORE_FLAG_SEEN},
	{STORE_FLAG_SEEN, STORE_FLAG_SEEN | STORE_FLAG_ANSWERED, 0, STORE_FLAG_ANSWERED},
	/* both sides changed the same flag the same way */
	{0, STORE_FLAG_DELETED, STORE_FLAG_DELETED, STORE_FLAG_DELETED},
	/* local cleared \Seen, remote set \Flagged and kept \Seen */
	{STORE_FLAG_SEEN, 0, STORE_FLAG_SEEN | STORE_FLAG_FLAGGED, STORE_FLAG_FLAGGED},
};

static void test_merge_table(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < HF_N_ELEMENTS(merge_cases); i++) {
		uint32_t uid = 100 + (uint32_t)i;
		struct store_client_flags r = {uid, merge_cases[i].remote, NULL, 500};
		struct store_client_msg m;
		unsigned add = merge_cases[i].local & ~merge_cases[i].base;
		unsigned rem = merge_cases[i].base & ~merge_cases[i].local;

		add_stub(f->s, f->inbox, uid, merge_cases[i].base, NULL, 1);
		/* the local change, as if made offline (journalled) */
		assert_int_equal(
			store_client_local_flags(f->s, f->inbox, uid, add, rem, NULL, NULL, true),
			STORE_OK);
		assert_int_equal(store_client_merge_flags(f->s, f->inbox, &r, 1, NULL), STORE_OK);
		m = get_msg(f->s, f->inbox, uid);
		if (m.flags != merge_cases[i].expect)
			fail_msg("case %zu: got %#x, want %#x", i, m.flags, merge_cases[i].expect);
		assert_int_equal(m.base_flags, merge_cases[i].remote);
		assert_int_equal(m.remote_modseq, 500);
		store_client_msg_clear(&m);
	}
	/* the counters follow */
	{
		struct store_mailbox mb;
		unsigned unseen = 0;

		for (size_t i = 0; i < HF_N_ELEMENTS(merge_cases); i++)
			unseen += (merge_cases[i].expect & STORE_FLAG_SEEN) == 0;
		assert_int_equal(store_mailbox_get(f->s, "INBOX", &mb), STORE_OK);
		assert_int_equal(mb.unseen, unseen);
		store_mailbox_clear(&mb);
	}
}

static void test_merge_keywords(void **state)
{
	struct fixture *f = *state;
	struct store_client_flags r = {7, 0, "Remote Shared gone-local", 9};
	struct store_client_msg m;
	size_t changed;

	add_stub(f->s, f->inbox, 7, 0, "Shared gone-local gone-remote", 1);
	assert_int_equal(
		store_client_local_flags(f->s, f->inbox, 7, 0, 0, "Local", "gone-local", true),
		STORE_OK);
	assert_int_equal(store_client_merge_flags(f->s, f->inbox, &r, 1, &changed), STORE_OK);
	assert_int_equal(changed, 1);
	m = get_msg(f->s, f->inbox, 7);
	/* Local kept (local add), gone-local stays gone (local remove),
	 * gone-remote gone (remote remove), Remote added (remote add). */
	assert_string_equal(m.keywords, "Local Remote Shared");
	assert_string_equal(m.base_keywords, "gone-local Remote Shared");
	store_client_msg_clear(&m);
	/* an unknown UID is ignored */
	r.uid = 999;
	assert_int_equal(store_client_merge_flags(f->s, f->inbox, &r, 1, &changed), STORE_OK);
	assert_int_equal(changed, 0);
}

static int64_t journal_count(struct store *s)
{
	uint64_t n;

	assert_int_equal(store_client_journal_count(s, &n), STORE_OK);
	return (int64_t)n;
}

static int next_entry(struct store *s, int64_t after, struct arena *a,
		      struct store_journal_entry *e)
{
	int r = store_client_journal_next(s, after, a, e);

	assert_true(r >= 0);
	return r;
}

static void test_flags_journal(void **state)
{
	struct fixture *f = *state;
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	struct store_client_msg m;

	add_stub(f->s, f->inbox, 1, 0, NULL, 1);
	assert_int_equal(
		store_client_local_flags(f->s, f->inbox, 1, STORE_FLAG_SEEN, 0, NULL, NULL, true),
		STORE_OK);
	/* the same change again queues nothing */
	assert_int_equal(
		store_client_local_flags(f->s, f->inbox, 1, STORE_FLAG_SEEN, 0, NULL, NULL, true),
		STORE_OK);
	assert_int_equal(journal_count(f->s), 1);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_FLAGS);
	assert_string_equal(e.mailbox, "INBOX");
	assert_int_equal(e.uid, 1);
	assert_int_equal(e.flags_add, STORE_FLAG_SEEN);
	assert_int_equal(e.flags_remove, 0);
	assert_false(e.attempted);
	assert_int_equal(store_client_journal_attempt(f->s, e.id), STORE_OK);
	assert_int_equal(store_client_journal_failed(f->s, e.id, "server said NO"), STORE_OK);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_true(e.attempted);
	assert_int_equal(e.attempts, 1);
	assert_string_equal(e.last_error, "server said NO");
	m = get_msg(f->s, f->inbox, 1);
	assert_int_equal(m.flags, STORE_FLAG_SEEN);
	assert_int_equal(m.base_flags, 0);
	store_client_msg_clear(&m);
	assert_int_equal(store_client_journal_done(f->s, e.id), STORE_OK);
	assert_int_equal(journal_count(f->s), 0);
	m = get_msg(f->s, f->inbox, 1);
	assert_int_equal(m.base_flags, STORE_FLAG_SEEN); /* confirmed: now the base */
	store_client_msg_clear(&m);
	assert_int_equal(next_entry(f->s, 0, a, &e), 0);
	/* online and confirmed: no entry, base follows */
	assert_int_equal(store_client_local_flags(f->s, f->inbox, 1, STORE_FLAG_FLAGGED, 0, "x",
						  NULL, false),
			 STORE_OK);
	assert_int_equal(journal_count(f->s), 0);
	m = get_msg(f->s, f->inbox, 1);
	assert_int_equal(m.base_flags, STORE_FLAG_SEEN | STORE_FLAG_FLAGGED);
	assert_string_equal(m.base_keywords, "x");
	store_client_msg_clear(&m);
	arena_free(&a);
}

static void test_move_confirm(void **state)
{
	struct fixture *f = *state;
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	struct store_client_msg m;
	struct store_client_folder cf = {0};
	int64_t archive, cid;
	uint32_t ph;

	assert_int_equal(store_mailbox_create(f->s, "Archive", 0), STORE_OK);
	archive = mailbox_id(f->s, "Archive");
	add_stub(f->s, f->inbox, 4, STORE_FLAG_SEEN, NULL, 1);
	m = get_msg(f->s, f->inbox, 4);
	cid = m.cid;
	store_client_msg_clear(&m);
	assert_int_equal(store_client_local_move(f->s, f->inbox, 4, "Nowhere", true, &ph),
			 STORE_ERR_NONEXISTENT);
	assert_int_equal(store_client_local_move(f->s, f->inbox, 4, "INBOX", true, &ph),
			 STORE_ERR_INVALID);
	assert_int_equal(store_client_local_move(f->s, f->inbox, 4, "Archive", true, &ph),
			 STORE_OK);
	assert_true(ph >= STORE_CLIENT_PLACEHOLDER_MIN);
	assert_int_equal(store_client_msg_get(f->s, f->inbox, 4, &m), STORE_ERR_NONEXISTENT);
	m = get_msg(f->s, archive, ph);
	assert_int_equal(m.cid, cid);
	assert_true(m.pending);
	store_client_msg_clear(&m);
	/* flag it in its new place, offline too */
	assert_int_equal(store_client_local_flags(f->s, archive, ph, STORE_FLAG_FLAGGED, 0, NULL,
						  NULL, true),
			 STORE_OK);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_MOVE);
	assert_string_equal(e.mailbox, "INBOX");
	assert_int_equal(e.uid, 4);
	assert_string_equal(e.target, "Archive");
	assert_int_equal(e.target_uid, ph);
	/* the server confirmed the move as UID 77 (COPYUID); Archive was
	 * never synced, so it adopts the UIDVALIDITY COPYUID named */
	assert_int_equal(store_client_confirm(f->s, archive, ph, 77, 555, 3, false), STORE_OK);
	assert_int_equal(store_client_journal_done(f->s, e.id), STORE_OK);
	assert_int_equal(store_client_folder_get(f->s, "Archive", &cf), STORE_OK);
	assert_int_equal(cf.uidvalidity, 555);
	store_client_folder_clear(&cf);
	m = get_msg(f->s, archive, 77);
	assert_int_equal(m.cid, cid);
	assert_false(m.pending);
	assert_int_equal(m.base_flags, STORE_FLAG_SEEN); /* the server's, carried over */
	assert_int_equal(m.flags, STORE_FLAG_SEEN | STORE_FLAG_FLAGGED);
	store_client_msg_clear(&m);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_FLAGS);
	assert_string_equal(e.mailbox, "Archive");
	assert_int_equal(e.uid, 77);
	assert_int_equal(e.uidvalidity, 555);
	assert_int_equal(store_client_confirm(f->s, archive, 5, 78, 555, 0, false),
			 STORE_ERR_INVALID);
	arena_free(&a);
}

static void test_append_send(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "From: me@x\r\nTo: you@y\r\nSubject: hi\r\n\r\nhello\r\n";
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	struct store_client_msg m;
	int64_t sent, cid;
	uint32_t ph;

	assert_int_equal(store_mailbox_create(f->s, "Sent", STORE_USE_SENT), STORE_OK);
	sent = mailbox_id(f->s, "Sent");
	assert_int_equal(store_client_local_append(f->s, "Sent", msg, sizeof(msg) - 1,
						   STORE_FLAG_SEEN, "me@x\nyou@y\n", 11, &cid, &ph),
			 STORE_OK);
	m = get_msg(f->s, sent, ph);
	assert_true(m.pending && m.has_body);
	assert_int_equal(m.cid, cid);
	store_client_msg_clear(&m);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_SEND);
	assert_int_equal(e.data_len, 11);
	assert_memory_equal(e.data, "me@x\nyou@y\n", 11);
	assert_int_equal(e.uid, ph);
	assert_int_equal(next_entry(f->s, e.id, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_APPEND);
	assert_int_equal(e.cid, cid);
	/* a sync cached the appended copy first; confirm keeps the local row */
	add_stub(f->s, sent, 12, 0, NULL, 1);
	assert_int_equal(store_client_confirm(f->s, sent, ph, 12, 31, 1, true), STORE_OK);
	m = get_msg(f->s, sent, 12);
	assert_int_equal(m.cid, cid);
	assert_true(m.has_body);
	assert_int_equal(m.base_flags, STORE_FLAG_SEEN);
	store_client_msg_clear(&m);
	{
		struct store_mailbox mb;

		assert_int_equal(store_mailbox_get(f->s, "Sent", &mb), STORE_OK);
		assert_int_equal(mb.messages, 1);
		store_mailbox_clear(&mb);
	}
	assert_int_equal(store_client_local_append(f->s, "Sent", "", 0, 0, NULL, 0, NULL, NULL),
			 STORE_ERR_INVALID);
	assert_int_equal(
		store_client_local_append(f->s, "Gone", "x\r\n\r\ny", 6, 0, NULL, 0, NULL, NULL),
		STORE_ERR_NONEXISTENT);
	assert_int_equal(journal_count(f->s), 2);
	arena_free(&a);
}

/* Bodies in a batch: written together, a UID twice and a message with its
 * body already skipped, an unknown UID failing the whole batch. */
static void test_set_bodies_batch(void **state)
{
	struct fixture *f = *state;
	static const char one[] = "Subject: one\r\n\r\nfirst zebra\r\n";
	static const char two[] = "Subject: two\r\n\r\nsecond okapi\r\n";
	struct store_client_body b[] = {
		{1, one, sizeof(one) - 1},
		{2, two, sizeof(two) - 1},
		{1, two, sizeof(two) - 1},
		{3, "", 0},
	};
	struct store_client_body bad[] = {{3, one, sizeof(one) - 1}, {77, one, sizeof(one) - 1}};
	struct store_search_key key = {.op = STORE_SEARCH_BODY, .str = "zebra"};
	struct rangeset hits = RANGESET_INIT;
	struct store_client_msg m;

	for (uint32_t uid = 1; uid <= 3; uid++)
		add_stub(f->s, f->inbox, uid, 0, NULL, 1);
	assert_int_equal(store_client_set_bodies(f->s, f->inbox, b, 4), STORE_OK);
	for (uint32_t uid = 1; uid <= 3; uid++) {
		m = get_msg(f->s, f->inbox, uid);
		assert_int_equal(m.has_body, uid < 3);
		store_client_msg_clear(&m);
	}
	assert_int_equal(store_search(f->s, f->inbox, &key, &hits, NULL), STORE_OK);
	assert_int_equal(rangeset_count(&hits), 1);
	assert_true(rangeset_contains(&hits, 1)); /* the first body of UID 1 stays */
	rangeset_free(&hits);
	assert_int_not_equal(store_client_set_bodies(f->s, f->inbox, bad, 2), STORE_OK);
	m = get_msg(f->s, f->inbox, 3);
	assert_false(m.has_body);
	store_client_msg_clear(&m);
	assert_int_equal(store_client_set_bodies(f->s, f->inbox, NULL, 0), STORE_OK);
}

static void test_expunge_remove_body(void **state)
{
	struct fixture *f = *state;
	static const char whole[] = "From: a@b\r\nSubject: s\r\n\r\nthe body aardvark\r\n";
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	struct store_client_msg m;
	struct rangeset gone = RANGESET_INIT;
	struct store_search_key key = {.op = STORE_SEARCH_BODY, .str = "aardvark"};
	struct rangeset hits = RANGESET_INIT;

	add_stub(f->s, f->inbox, 1, 0, NULL, 1);
	add_stub(f->s, f->inbox, 2, 0, NULL, 1);
	add_stub(f->s, f->inbox, 3, 0, NULL, 1);
	assert_int_equal(store_client_set_body(f->s, f->inbox, 2, whole, sizeof(whole) - 1),
			 STORE_OK);
	m = get_msg(f->s, f->inbox, 2);
	assert_true(m.has_body);
	assert_int_equal(m.size, 1002); /* the remote size stays */
	store_client_msg_clear(&m);
	/* a second body is ignored */
	assert_int_equal(store_client_set_body(f->s, f->inbox, 2, "x\r\n\r\ny", 6), STORE_OK);
	assert_int_equal(store_search(f->s, f->inbox, &key, &hits, NULL), STORE_OK);
	assert_true(rangeset_contains(&hits, 2));
	rangeset_free(&hits);
	assert_int_equal(store_client_local_expunge(f->s, f->inbox, 1, true), STORE_OK);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_EXPUNGE);
	assert_int_equal(e.uid, 1);
	rangeset_add(&gone, 2);
	rangeset_add(&gone, STORE_CLIENT_PLACEHOLDER_MIN + 3);
	assert_int_equal(store_client_remove(f->s, f->inbox, &gone), STORE_OK);
	rangeset_clear(&gone);
	assert_int_equal(store_client_uids(f->s, f->inbox, &gone), STORE_OK);
	assert_int_equal(rangeset_count(&gone), 1);
	assert_true(rangeset_contains(&gone, 3));
	rangeset_free(&gone);
	assert_int_equal(store_client_local_expunge(f->s, f->inbox, 9, true),
			 STORE_ERR_NONEXISTENT);
	assert_int_equal(journal_count(f->s), 1);
	arena_free(&a);
}

static void test_uidvalidity_reset(void **state)
{
	struct fixture *f = *state;
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	struct store_client_folder cf = {.uidvalidity = 100, .uidnext = 4, .highestmodseq = 50};
	struct store_client_msg m;
	struct rangeset uids = RANGESET_INIT;
	/* old 1 -> 2, old 2 -> 3 (collisions on the way), old 3 gone */
	const uint32_t old_uids[] = {1, 2}, new_uids[] = {2, 3};
	int64_t cid1, cid2;
	size_t dropped;

	cf.mailbox_id = f->inbox;
	assert_int_equal(store_client_folder_put(f->s, &cf), STORE_OK);
	add_stub(f->s, f->inbox, 1, 0, NULL, 1);
	add_stub(f->s, f->inbox, 2, 0, NULL, 1);
	add_stub(f->s, f->inbox, 3, 0, NULL, 1);
	m = get_msg(f->s, f->inbox, 1);
	cid1 = m.cid;
	store_client_msg_clear(&m);
	m = get_msg(f->s, f->inbox, 2);
	cid2 = m.cid;
	store_client_msg_clear(&m);
	assert_int_equal(
		store_client_local_flags(f->s, f->inbox, 1, STORE_FLAG_SEEN, 0, NULL, NULL, true),
		STORE_OK);
	assert_int_equal(
		store_client_local_flags(f->s, f->inbox, 3, STORE_FLAG_SEEN, 0, NULL, NULL, true),
		STORE_OK);
	assert_int_equal(store_client_local_expunge(f->s, f->inbox, 2, true), STORE_OK);
	/* old 2 was expunged locally, so only 1 is matched now */
	assert_int_equal(store_client_reset(f->s, f->inbox, 200, old_uids, new_uids, 1, &dropped),
			 STORE_OK);
	/* entries for old 3 (gone) and old 2 (row gone, unmatched) dropped */
	assert_int_equal(dropped, 2);
	assert_int_equal(store_client_uids(f->s, f->inbox, &uids), STORE_OK);
	assert_int_equal(rangeset_count(&uids), 1);
	assert_true(rangeset_contains(&uids, 2));
	rangeset_free(&uids);
	m = get_msg(f->s, f->inbox, 2);
	assert_int_equal(m.cid, cid1);
	assert_int_equal(m.flags, STORE_FLAG_SEEN);
	store_client_msg_clear(&m);
	assert_int_equal(store_client_msg_by_cid(f->s, cid2, &m), STORE_ERR_NONEXISTENT);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_FLAGS);
	assert_int_equal(e.uid, 2);
	assert_int_equal(e.uidvalidity, 200);
	assert_int_equal(next_entry(f->s, e.id, a, &e), 0);
	assert_int_equal(store_client_folder_get(f->s, "INBOX", &cf), STORE_OK);
	assert_int_equal(cf.uidvalidity, 200);
	assert_int_equal(cf.uidnext, 0);
	assert_int_equal(cf.highestmodseq, 0);
	store_client_folder_clear(&cf);
	arena_free(&a);
}

static void test_reset_swap(void **state)
{
	struct fixture *f = *state;
	const uint32_t old_uids[] = {1, 2, 3}, new_uids[] = {3, 1, 2};
	struct store_client_msg m;
	int64_t cids[4];

	for (uint32_t u = 1; u <= 3; u++) {
		add_stub(f->s, f->inbox, u, 0, NULL, 1);
		m = get_msg(f->s, f->inbox, u);
		cids[u] = m.cid;
		store_client_msg_clear(&m);
	}
	assert_int_equal(store_client_reset(f->s, f->inbox, 7, old_uids, new_uids, 3, NULL),
			 STORE_OK);
	for (size_t i = 0; i < 3; i++) {
		m = get_msg(f->s, f->inbox, new_uids[i]);
		assert_int_equal(m.cid, cids[old_uids[i]]);
		store_client_msg_clear(&m);
	}
	assert_int_equal(store_client_reset(f->s, f->inbox, 8, old_uids,
					    (const uint32_t[]){0, 1, 2}, 3, NULL),
			 STORE_ERR_INVALID);
}

static int count_ident(void *ctx, uint32_t uid, const char *message_id, uint64_t size)
{
	size_t *n = ctx;
	char want[64];

	snprintf(want, sizeof(want), "<m%u@example.org>", uid);
	assert_string_equal(message_id, want);
	assert_int_equal(size, 1000 + uid);
	(*n)++;
	return 0;
}

static void test_idents(void **state)
{
	struct fixture *f = *state;
	size_t n = 0;

	add_stub(f->s, f->inbox, 8, 0, NULL, 1);
	add_stub(f->s, f->inbox, 9, 0, NULL, 1);
	assert_int_equal(store_client_idents(f->s, f->inbox, count_ident, &n), STORE_OK);
	assert_int_equal(n, 2);
}

/* Entries that name a message keep its Message-ID and size, so a
 * UIDVALIDITY change can re-match them after the row has gone. */
static void test_entry_idents_and_drop(void **state)
{
	struct fixture *f = *state;
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	uint32_t ph;
	size_t n = 99;

	assert_int_equal(store_mailbox_create(f->s, "Archive", 0), STORE_OK);
	add_stub(f->s, f->inbox, 1, 0, NULL, 1);
	add_stub(f->s, f->inbox, 2, 0, NULL, 1);
	assert_int_equal(
		store_client_local_flags(f->s, f->inbox, 1, STORE_FLAG_SEEN, 0, NULL, NULL, true),
		STORE_OK);
	assert_int_equal(store_client_local_move(f->s, f->inbox, 1, "Archive", true, &ph),
			 STORE_OK);
	assert_int_equal(store_client_local_expunge(f->s, f->inbox, 2, true), STORE_OK);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_FLAGS);
	assert_int_equal(e.data_len, strlen("<m1@example.org> 1001"));
	assert_memory_equal(e.data, "<m1@example.org> 1001", e.data_len);
	assert_int_equal(next_entry(f->s, e.id, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_MOVE);
	assert_memory_equal(e.data, "<m1@example.org> 1001", e.data_len);
	assert_int_equal(next_entry(f->s, e.id, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_EXPUNGE);
	assert_memory_equal(e.data, "<m2@example.org> 1002", e.data_len);
	/* a flag change in the new place names the placeholder; dropping the
	 * placeholder's entries takes it, and nothing else */
	assert_int_equal(store_client_local_flags(f->s, mailbox_id(f->s, "Archive"), ph,
						  STORE_FLAG_FLAGGED, 0, NULL, NULL, true),
			 STORE_OK);
	assert_int_equal(journal_count(f->s), 4);
	assert_int_equal(store_client_journal_drop_uid(f->s, ph, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(journal_count(f->s), 3);
	assert_int_equal(store_client_journal_drop_uid(f->s, 5, &n), STORE_ERR_INVALID);
	arena_free(&a);
}

static void test_folder_ops(void **state)
{
	struct fixture *f = *state;
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	struct store_client_folder cf;

	assert_int_equal(
		store_client_local_folder(f->s, STORE_JOURNAL_CREATE, "Projects/A", NULL, true),
		STORE_OK);
	assert_int_equal(
		store_client_local_folder(f->s, STORE_JOURNAL_CREATE, "Projects/A", NULL, true),
		STORE_ERR_EXISTS); /* refused, and not journalled */
	assert_int_equal(store_client_local_folder(f->s, STORE_JOURNAL_RENAME, "Projects/A",
						   "Projects/B", true),
			 STORE_OK);
	assert_int_equal(store_client_folder_get(f->s, "Projects/B", &cf), STORE_OK);
	store_client_folder_clear(&cf);
	assert_int_equal(
		store_client_local_folder(f->s, STORE_JOURNAL_DELETE, "Projects/B", NULL, true),
		STORE_OK);
	assert_int_equal(store_client_local_folder(f->s, STORE_JOURNAL_DELETE, "", NULL, true),
			 STORE_ERR_INVALID);
	assert_int_equal(journal_count(f->s), 3);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_CREATE);
	assert_string_equal(e.mailbox, "Projects/A");
	assert_int_equal(next_entry(f->s, e.id, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_RENAME);
	assert_string_equal(e.target, "Projects/B");
	assert_int_equal(next_entry(f->s, e.id, a, &e), 1);
	assert_int_equal(e.kind, STORE_JOURNAL_DELETE);
	assert_string_equal(store_journal_kind_name(e.kind), "rmdir");
	arena_free(&a);
}

static void test_journal_survives_reopen(void **state)
{
	struct fixture *f = *state;
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	const char *error;

	add_stub(f->s, f->inbox, 1, 0, NULL, 1);
	assert_int_equal(store_client_local_flags(f->s, f->inbox, 1, 0, 0, "todo", NULL, true),
			 STORE_OK);
	store_close(&f->s);
	assert_int_equal(store_open(f->dir, 0, &f->s, &error), STORE_OK);
	assert_int_equal(store_client_init(f->s), STORE_OK);
	assert_int_equal(next_entry(f->s, 0, a, &e), 1);
	assert_string_equal(e.kw_add, "todo");
	/* deleting the mailbox takes the client rows along (triggers) */
	assert_int_equal(store_mailbox_create(f->s, "Tmp", 0), STORE_OK);
	{
		int64_t tmp = mailbox_id(f->s, "Tmp");
		struct store_client_folder cf = {.mailbox_id = tmp, .uidvalidity = 9};
		struct store_client_msg m;

		assert_int_equal(store_client_folder_put(f->s, &cf), STORE_OK);
		add_stub(f->s, tmp, 1, 0, NULL, 1);
		struct store_client_msg gone;

		m = get_msg(f->s, tmp, 1);
		assert_int_equal(store_mailbox_delete(f->s, "Tmp"), STORE_OK);
		assert_int_equal(store_client_msg_by_cid(f->s, m.cid, &gone),
				 STORE_ERR_NONEXISTENT);
		assert_int_equal(store_client_folder_get(f->s, "Tmp", &cf), STORE_ERR_NONEXISTENT);
		store_client_msg_clear(&m);
	}
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_folder_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_batch_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_keywords, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_confirm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_bodies_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expunge_remove_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uidvalidity_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_idents_and_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_survives_reopen, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
