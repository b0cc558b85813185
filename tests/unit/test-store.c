/* test-store.c — unit tests of the mail store: mailboxes and IMAP's rules
 * about them, appending, flags, copy/move, expunge, changes, quota, search. */
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
#include "store/store.h"
#include "store/store-search.h"
#include "store/store-watch.h"
#include "store-test-util.h"

struct fixture {
	char dir[256];
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *error;

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
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

static uint32_t append_text(struct store *s, const char *mailbox, const char *text, unsigned flags)
{
	struct store_parsed *p = store_parsed_new(text, strlen(text));
	struct store_new_message m = {.msg = p, .flags = flags};
	uint32_t uidvalidity, uid = 0;

	assert_int_equal(store_append(s, mailbox, &m, 1, &uidvalidity, &uid), STORE_OK);
	store_parsed_free(&p);
	return uid;
}

static void get(struct store *s, const char *name, struct store_mailbox *mb)
{
	assert_int_equal(store_mailbox_get(s, name, mb), STORE_OK);
}

static int collect_names(void *ctx, const struct store_mailbox *mb)
{
	struct buf *b = ctx;

	if (b->len > 0)
		buf_append_byte(b, ',');
	buf_append_str(b, mb->name);
	if (mb->noselect)
		buf_append_str(b, "(noselect)");
	return 0;
}

static const char *list(struct store *s, const char *pattern)
{
	static char out[1024];
	struct buf b = BUF_INIT;

	assert_int_equal(store_mailbox_list(s, pattern, collect_names, &b), STORE_OK);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void test_inbox_exists(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;

	get(f->s, "inbox", &mb);
	assert_string_equal(mb.name, "INBOX");
	assert_true(mb.uidvalidity > 0);
	assert_int_equal(mb.uidnext, 1);
	assert_int_equal(mb.messages, 0);
	assert_false(mb.noselect);
	store_mailbox_clear(&mb);
	assert_int_equal(store_mailbox_create(f->s, "InBox", 0), STORE_ERR_EXISTS);
	assert_int_equal(store_mailbox_delete(f->s, "INBOX"), STORE_ERR_CANNOT);
}

static void test_names(void **state)
{
	struct fixture *f = *state;
	char *c;

	assert_int_equal(store_mailbox_name_canonical("inbox/Sub", &c), STORE_OK);
	assert_string_equal(c, "INBOX/Sub");
	free(c);
	assert_int_equal(store_mailbox_name_canonical("Inboxes", &c), STORE_OK);
	assert_string_equal(c, "Inboxes");
	free(c);
	assert_int_equal(store_mailbox_name_canonical("", &c), STORE_ERR_INVALID);
	assert_int_equal(store_mailbox_name_canonical("a//b", &c), STORE_ERR_INVALID);
	assert_int_equal(store_mailbox_name_canonical("/a", &c), STORE_ERR_INVALID);
	assert_int_equal(store_mailbox_name_canonical("a/", &c), STORE_ERR_INVALID);
	assert_int_equal(store_mailbox_name_canonical("a*b", &c), STORE_ERR_INVALID);
	assert_int_equal(store_mailbox_name_canonical("a\tb", &c), STORE_ERR_INVALID);
	assert_int_equal(store_mailbox_name_canonical("bad\xff", &c), STORE_ERR_INVALID);
	assert_int_equal(store_mailbox_create(f->s, "a%b", 0), STORE_ERR_INVALID);
}

static void test_create_list_parents(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;

	assert_int_equal(store_mailbox_create(f->s, "Work/Projects/hafen", 0), STORE_OK);
	assert_string_equal(list(f->s, "*"), "INBOX,Work,Work/Projects,Work/Projects/hafen");
	assert_string_equal(list(f->s, "%"), "INBOX,Work");
	assert_string_equal(list(f->s, "Work/%"), "Work/Projects");
	assert_string_equal(list(f->s, "inbox"), "INBOX");
	assert_string_equal(list(f->s, "*hafen"), "Work/Projects/hafen");
	get(f->s, "Work", &mb);
	assert_false(mb.noselect);
	store_mailbox_clear(&mb);
	assert_int_equal(store_mailbox_create(f->s, "Work", 0), STORE_ERR_EXISTS);
}

static void test_special_use(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	struct buf b = BUF_INIT;

	assert_int_equal(store_mailbox_create(f->s, "Sent", STORE_USE_SENT), STORE_OK);
	get(f->s, "Sent", &mb);
	assert_int_equal(mb.special_use, STORE_USE_SENT);
	store_mailbox_clear(&mb);
	assert_int_equal(store_special_use_parse("\\trash", 6), STORE_USE_TRASH);
	assert_int_equal(store_special_use_parse("\\Nope", 5), 0);
	store_special_use_write(STORE_USE_SENT | STORE_USE_JUNK, &b);
	assert_string_equal(buf_cstr(&b), "\\Junk \\Sent");
	buf_free(&b);
}

static void test_delete_with_children_becomes_noselect(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;

	assert_int_equal(store_mailbox_create(f->s, "A/B", 0), STORE_OK);
	append_text(f->s, "A", "Subject: x\r\n\r\nbody\r\n", 0);
	assert_int_equal(store_mailbox_delete(f->s, "A"), STORE_OK);
	get(f->s, "A", &mb);
	assert_true(mb.noselect);
	assert_int_equal(mb.messages, 0);
	store_mailbox_clear(&mb);
	assert_string_equal(list(f->s, "*"), "INBOX,A(noselect),A/B");
	/* RFC 9051 6.3.4: a \Noselect mailbox with children cannot be deleted. */
	assert_int_equal(store_mailbox_delete(f->s, "A"), STORE_ERR_HASCHILDREN);
	/* Appending to it fails. */
	{
		struct store_parsed *p = store_parsed_new("x\r\n", 3);
		struct store_new_message m = {.msg = p};
		uint32_t v, uid;

		assert_int_equal(store_append(f->s, "A", &m, 1, &v, &uid), STORE_ERR_NOSELECT);
		store_parsed_free(&p);
	}
	/* Deleting the child removes the childless \Noselect parent too. */
	assert_int_equal(store_mailbox_delete(f->s, "A/B"), STORE_OK);
	assert_string_equal(list(f->s, "*"), "INBOX");
	/* Re-creating a \Noselect name makes it a real mailbox again. */
	assert_int_equal(store_mailbox_create(f->s, "C/D", 0), STORE_OK);
	assert_int_equal(store_mailbox_delete(f->s, "C"), STORE_OK);
	assert_int_equal(store_mailbox_create(f->s, "C", 0), STORE_OK);
	get(f->s, "C", &mb);
	assert_false(mb.noselect);
	store_mailbox_clear(&mb);
}

static void test_uidvalidity_on_recreate(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	uint32_t first;

	assert_int_equal(store_mailbox_create(f->s, "X", 0), STORE_OK);
	get(f->s, "X", &mb);
	first = mb.uidvalidity;
	store_mailbox_clear(&mb);
	assert_int_equal(store_mailbox_delete(f->s, "X"), STORE_OK);
	assert_int_equal(store_mailbox_create(f->s, "X", 0), STORE_OK);
	get(f->s, "X", &mb);
	assert_true(mb.uidvalidity > first);
	store_mailbox_clear(&mb);
}

static void test_rename_children_follow(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	uint32_t v;

	assert_int_equal(store_mailbox_create(f->s, "Old/Kid", 0), STORE_OK);
	assert_int_equal(store_subscribe(f->s, "Old/Kid", true), STORE_OK);
	append_text(f->s, "Old/Kid", "Subject: k\r\n\r\nk\r\n", 0);
	get(f->s, "Old", &mb);
	v = mb.uidvalidity;
	store_mailbox_clear(&mb);
	assert_int_equal(store_mailbox_rename(f->s, "Old", "New/Place"), STORE_OK);
	assert_string_equal(list(f->s, "*"), "INBOX,New,New/Place,New/Place/Kid");
	get(f->s, "New/Place", &mb);
	assert_int_equal(mb.uidvalidity, v);
	store_mailbox_clear(&mb);
	get(f->s, "New/Place/Kid", &mb);
	assert_int_equal(mb.messages, 1);
	assert_true(mb.subscribed);
	store_mailbox_clear(&mb);
	assert_int_equal(store_mailbox_rename(f->s, "Nope", "Z"), STORE_ERR_NONEXISTENT);
	assert_int_equal(store_mailbox_rename(f->s, "New", "INBOX"), STORE_ERR_EXISTS);
	assert_int_equal(store_mailbox_rename(f->s, "New", "New/Sub"), STORE_ERR_INVALID);
}

static void test_rename_inbox(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox inbox, moved;
	struct rangeset gone = RANGESET_INIT;

	assert_int_equal(store_mailbox_create(f->s, "INBOX/Child", 0), STORE_OK);
	append_text(f->s, "INBOX", "Subject: 1\r\n\r\none\r\n", 0);
	append_text(f->s, "INBOX", "Subject: 2\r\n\r\ntwo\r\n", STORE_FLAG_SEEN);
	get(f->s, "INBOX", &inbox);
	assert_int_equal(store_mailbox_rename(f->s, "INBOX", "Old Mail"), STORE_OK);
	get(f->s, "Old Mail", &moved);
	assert_int_equal(moved.messages, 2);
	assert_int_equal(moved.unseen, 1);
	assert_int_equal(moved.uidnext, 3);
	assert_true(moved.uidvalidity != inbox.uidvalidity);
	store_mailbox_clear(&inbox);
	get(f->s, "INBOX", &inbox);
	assert_int_equal(inbox.messages, 0);
	assert_int_equal(inbox.uidnext, 3);
	/* Sessions on INBOX learn that both messages went. */
	assert_int_equal(store_changes(f->s, inbox.id, 1, NULL, NULL, &gone), STORE_OK);
	assert_int_equal(rangeset_count(&gone), 2);
	assert_string_equal(list(f->s, "*"), "INBOX,INBOX/Child,Old Mail");
	store_mailbox_clear(&inbox);
	store_mailbox_clear(&moved);
	rangeset_free(&gone);
}

static void test_subscriptions_need_no_mailbox(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;

	assert_int_equal(store_subscribe(f->s, "Ghost", true), STORE_OK);
	assert_int_equal(store_subscribe(f->s, "inbox", true), STORE_OK);
	assert_int_equal(store_subscriptions(f->s, test_collect_name, &b), STORE_OK);
	assert_string_equal(buf_cstr(&b), "Ghost,INBOX");
	assert_int_equal(store_subscribe(f->s, "Ghost", false), STORE_OK);
	buf_reset(&b);
	assert_int_equal(store_subscriptions(f->s, test_collect_name, &b), STORE_OK);
	assert_string_equal(buf_cstr(&b), "INBOX");
	buf_free(&b);
}

struct seen {
	uint32_t uids[64];
	unsigned flags[64];
	uint64_t modseqs[64];
	bool changed[64];
	char keywords[64][64];
	size_t count;
};

static void seen_cb(void *ctx, uint32_t uid, unsigned flags, const char *kw, uint64_t modseq,
		    bool changed)
{
	struct seen *sn = ctx;

	if (sn->count == 64)
		return;
	sn->uids[sn->count] = uid;
	sn->flags[sn->count] = flags;
	sn->modseqs[sn->count] = modseq;
	sn->changed[sn->count] = changed;
	snprintf(sn->keywords[sn->count], 64, "%s", kw);
	sn->count++;
}

static void change_cb(void *ctx, uint32_t uid, unsigned flags, const char *kw, uint64_t modseq)
{
	seen_cb(ctx, uid, flags, kw, modseq, true);
}

static void test_append_uids_and_counters(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	const char *kw[] = {"$Forwarded", "work"};
	struct store_parsed *p1 = store_parsed_new("Subject: a\n\nbare lf\n", 20);
	struct store_parsed *p2 = store_parsed_new("Subject: b\r\n\r\nbody\r\n", 20);
	struct store_new_message msgs[2] = {
		{.msg = p1,
		 .flags = STORE_FLAG_SEEN,
		 .keywords = kw,
		 .keyword_count = 2,
		 .internaldate = 1700000000,
		 .tz_offset = 60},
		{.msg = p2, .flags = STORE_FLAG_DELETED},
	};
	uint32_t uidvalidity, uids[2];
	uint64_t modseq_before;

	/* Bare LF became CRLF: 3 lines, 3 more bytes. */
	assert_int_equal(store_parsed_size(p1), 23);
	get(f->s, "INBOX", &mb);
	modseq_before = mb.highestmodseq;
	store_mailbox_clear(&mb);
	assert_int_equal(store_append(f->s, "INBOX", msgs, 2, &uidvalidity, uids), STORE_OK);
	assert_int_equal(uids[0], 1);
	assert_int_equal(uids[1], 2);
	get(f->s, "INBOX", &mb);
	assert_int_equal(mb.uidvalidity, uidvalidity);
	assert_int_equal(mb.uidnext, 3);
	assert_int_equal(mb.messages, 2);
	assert_int_equal(mb.unseen, 1);
	assert_int_equal(mb.deleted, 1);
	assert_int_equal(mb.size, 43);
	assert_true(mb.highestmodseq > modseq_before);
	store_mailbox_clear(&mb);
	assert_int_equal(append_text(f->s, "INBOX", "x\r\n", 0), 3);
	assert_int_equal(store_append(f->s, "Nope", msgs, 1, &uidvalidity, uids),
			 STORE_ERR_NONEXISTENT);
	store_parsed_free(&p1);
	store_parsed_free(&p2);
}

static void test_fetch_and_sections(void **state)
{
	struct fixture *f = *state;
	const char *kw[] = {"b", "A", "a"};
	struct store_parsed *p = store_parsed_new("Subject: hi\r\n\r\nhello\r\n", 22);
	struct store_new_message m = {.msg = p,
				      .flags = STORE_FLAG_FLAGGED,
				      .keywords = kw,
				      .keyword_count = 3,
				      .internaldate = 1600000000};
	struct store_fetch *fe;
	const struct store_msg *msg;
	struct store_mailbox mb;
	struct rangeset uids = RANGESET_INIT;
	struct store_section all = {.kind = STORE_SECTION_ALL};
	struct buf out = BUF_INIT;
	uint32_t v, uid;
	size_t n = 0;

	for (int i = 0; i < 300; i++)
		assert_int_equal(store_append(f->s, "INBOX", &m, 1, &v, &uid), STORE_OK);
	store_parsed_free(&p);
	get(f->s, "INBOX", &mb);
	rangeset_add_range(&uids, 2, 4);
	rangeset_add_range(&uids, 250, 1000);
	assert_int_equal(
		store_fetch_begin(f->s, mb.id, &uids, STORE_WANT_ENVELOPE | STORE_WANT_PARTS, &fe),
		STORE_OK);
	while (store_fetch_next(fe, &msg) == 1) {
		n++;
		assert_true((msg->uid >= 2 && msg->uid <= 4) || msg->uid >= 250);
		assert_int_equal(msg->flags, STORE_FLAG_FLAGGED);
		assert_string_equal(msg->keywords, "A b");
		assert_int_equal(msg->internaldate, 1600000000);
		assert_int_equal(msg->size, 22);
		assert_non_null(msg->envelope);
		assert_null(msg->bodystructure);
		if (msg->uid == 3) {
			assert_int_equal(store_section_read(f->s, msg, &all, &out), STORE_OK);
			assert_int_equal(out.len, 22);
			assert_memory_equal(out.data, "Subject: hi\r\n\r\nhello\r\n", 22);
		}
	}
	store_fetch_end(&fe);
	assert_int_equal(n, 3 + 51);
	/* All of them, batch boundaries included. */
	assert_int_equal(store_fetch_begin(f->s, mb.id, NULL, 0, &fe), STORE_OK);
	for (n = 0; store_fetch_next(fe, &msg) == 1; n++)
		assert_int_equal(msg->uid, n + 1);
	store_fetch_end(&fe);
	assert_int_equal(n, 300);
	store_mailbox_clear(&mb);
	rangeset_free(&uids);
	buf_free(&out);
}

static void test_flags_modes_and_modseq(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	struct rangeset set = RANGESET_INIT, failed = RANGESET_INIT;
	const char *add_kw[] = {"Junk", "$Label1"};
	struct store_flag_change chg = {.flags = STORE_FLAG_SEEN | STORE_FLAG_DELETED,
					.keywords = add_kw,
					.keyword_count = 2,
					.mode = STORE_FLAGS_ADD};
	struct seen sn = {0};
	uint64_t m1;

	append_text(f->s, "INBOX", "a\r\n", 0);
	append_text(f->s, "INBOX", "b\r\n", STORE_FLAG_SEEN);
	get(f->s, "INBOX", &mb);
	rangeset_add_range(&set, 1, 9);
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &chg, seen_cb, &sn, &failed), STORE_OK);
	assert_int_equal(sn.count, 2);
	assert_int_equal(sn.flags[0], STORE_FLAG_SEEN | STORE_FLAG_DELETED);
	assert_string_equal(sn.keywords[0], "$Label1 Junk");
	assert_true(sn.changed[0] && sn.changed[1]);
	/* One operation, one MODSEQ for all it changed. */
	assert_int_equal(sn.modseqs[0], sn.modseqs[1]);
	m1 = sn.modseqs[0];
	store_mailbox_clear(&mb);
	get(f->s, "INBOX", &mb);
	assert_int_equal(mb.highestmodseq, m1);
	assert_int_equal(mb.unseen, 0);
	assert_int_equal(mb.deleted, 2);
	/* The same again changes nothing and keeps the MODSEQ. */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &chg, seen_cb, &sn, NULL), STORE_OK);
	assert_false(sn.changed[0]);
	assert_int_equal(sn.modseqs[0], m1);
	/* Remove, then replace. */
	chg.mode = STORE_FLAGS_REMOVE;
	chg.flags = STORE_FLAG_DELETED;
	chg.keyword_count = 1;
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &chg, seen_cb, &sn, NULL), STORE_OK);
	assert_int_equal(sn.flags[1], STORE_FLAG_SEEN);
	assert_string_equal(sn.keywords[1], "$Label1");
	assert_true(sn.modseqs[1] > m1);
	chg.mode = STORE_FLAGS_REPLACE;
	chg.flags = STORE_FLAG_ANSWERED;
	chg.keyword_count = 0;
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &chg, seen_cb, &sn, NULL), STORE_OK);
	assert_int_equal(sn.flags[0], STORE_FLAG_ANSWERED);
	assert_string_equal(sn.keywords[0], "");
	store_mailbox_clear(&mb);
	get(f->s, "INBOX", &mb);
	assert_int_equal(mb.unseen, 2);
	assert_int_equal(mb.deleted, 0);
	/* UNCHANGEDSINCE below the current MODSEQ fails (RFC 7162 3.1.3). */
	chg.flags = STORE_FLAG_FLAGGED;
	chg.unchangedsince = m1;
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &chg, seen_cb, &sn, &failed), STORE_OK);
	assert_int_equal(sn.count, 0);
	assert_int_equal(rangeset_count(&failed), 2);
	chg.unchangedsince = mb.highestmodseq;
	rangeset_clear(&failed);
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &chg, seen_cb, &sn, &failed), STORE_OK);
	assert_int_equal(sn.count, 2);
	assert_true(rangeset_is_empty(&failed));
	store_mailbox_clear(&mb);
	rangeset_free(&set);
	rangeset_free(&failed);
}

static void test_copy_move_expunge(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox inbox, dest;
	struct rangeset set = RANGESET_INIT, src = RANGESET_INIT, dst = RANGESET_INIT;
	struct rangeset gone = RANGESET_INIT;
	struct store_flag_change del = {.flags = STORE_FLAG_DELETED, .mode = STORE_FLAGS_ADD};
	struct store_quota q;
	uint32_t v;

	for (int i = 0; i < 5; i++)
		append_text(f->s, "INBOX", "Subject: m\r\n\r\nbody\r\n",
			    i == 0 ? STORE_FLAG_SEEN : 0);
	assert_int_equal(store_mailbox_create(f->s, "Archive", STORE_USE_ARCHIVE), STORE_OK);
	get(f->s, "INBOX", &inbox);
	rangeset_add(&set, 4);
	rangeset_add(&set, 2);
	assert_int_equal(store_copy(f->s, inbox.id, &set, "Archive", false, &v, &src, &dst),
			 STORE_OK);
	get(f->s, "Archive", &dest);
	assert_int_equal(v, dest.uidvalidity);
	assert_int_equal(rangeset_count(&dst), 2);
	assert_int_equal(rangeset_min(&src), 2);
	assert_int_equal(rangeset_min(&dst), 1);
	assert_int_equal(dest.messages, 2);
	store_mailbox_clear(&dest);
	assert_int_equal(store_quota_get(f->s, &q), STORE_OK);
	assert_int_equal(q.messages_used, 7);
	/* MOVE: source rows go with tombstones, destination gets new UIDs. */
	rangeset_clear(&set);
	rangeset_add_range(&set, 1, 2);
	rangeset_clear(&src);
	rangeset_clear(&dst);
	assert_int_equal(store_copy(f->s, inbox.id, &set, "Archive", true, &v, &src, &dst),
			 STORE_OK);
	assert_int_equal(rangeset_min(&dst), 3);
	store_mailbox_clear(&inbox);
	get(f->s, "INBOX", &inbox);
	assert_int_equal(inbox.messages, 3);
	assert_int_equal(inbox.unseen, 3);
	assert_int_equal(store_changes(f->s, inbox.id, 1, NULL, NULL, &gone), STORE_OK);
	assert_int_equal(rangeset_count(&gone), 2);
	assert_int_equal(store_quota_get(f->s, &q), STORE_OK);
	assert_int_equal(q.messages_used, 7);
	/* EXPUNGE removes only \Deleted messages; UID EXPUNGE only those in its set. */
	rangeset_clear(&set);
	rangeset_add_range(&set, 3, 5);
	assert_int_equal(store_set_flags(f->s, inbox.id, &set, &del, NULL, NULL, NULL), STORE_OK);
	rangeset_clear(&set);
	rangeset_add(&set, 5);
	assert_int_equal(store_expunge(f->s, inbox.id, &set, NULL, NULL), STORE_OK);
	store_mailbox_clear(&inbox);
	get(f->s, "INBOX", &inbox);
	assert_int_equal(inbox.messages, 2);
	assert_int_equal(inbox.deleted, 2);
	assert_int_equal(store_expunge(f->s, inbox.id, NULL, NULL, NULL), STORE_OK);
	store_mailbox_clear(&inbox);
	get(f->s, "INBOX", &inbox);
	assert_int_equal(inbox.messages, 0);
	assert_int_equal(inbox.deleted, 0);
	assert_int_equal(inbox.size, 0);
	assert_int_equal(store_quota_get(f->s, &q), STORE_OK);
	assert_int_equal(q.messages_used, 4);
	assert_int_equal(store_copy(f->s, inbox.id, &set, "Nope", false, &v, NULL, NULL),
			 STORE_ERR_NONEXISTENT);
	store_mailbox_clear(&inbox);
	rangeset_free(&set);
	rangeset_free(&src);
	rangeset_free(&dst);
	rangeset_free(&gone);
}

static size_t count_message_files(const char *dir)
{
	char cmd[512];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "find '%s/msg' -type f ! -name 'tmp.*' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%zu", &n), 1);
	pclose(p);
	return n;
}

static void test_files_shared_and_released(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox inbox, other;
	struct rangeset one = RANGESET_INIT;
	struct store_flag_change del = {.flags = STORE_FLAG_DELETED, .mode = STORE_FLAGS_ADD};
	uint32_t v;

	append_text(f->s, "INBOX", "only one file\r\n", 0);
	assert_int_equal(store_mailbox_create(f->s, "Other", 0), STORE_OK);
	get(f->s, "INBOX", &inbox);
	rangeset_add(&one, 1);
	assert_int_equal(store_copy(f->s, inbox.id, &one, "Other", false, &v, NULL, NULL),
			 STORE_OK);
	assert_int_equal(count_message_files(f->dir), 1);
	assert_int_equal(store_set_flags(f->s, inbox.id, &one, &del, NULL, NULL, NULL), STORE_OK);
	assert_int_equal(store_expunge(f->s, inbox.id, NULL, NULL, NULL), STORE_OK);
	/* The copy in Other still uses the file. */
	assert_int_equal(count_message_files(f->dir), 1);
	get(f->s, "Other", &other);
	assert_int_equal(store_set_flags(f->s, other.id, &one, &del, NULL, NULL, NULL), STORE_OK);
	assert_int_equal(store_expunge(f->s, other.id, NULL, NULL, NULL), STORE_OK);
	assert_int_equal(count_message_files(f->dir), 0);
	/* Deleting a mailbox releases its files too. */
	append_text(f->s, "Other", "doomed\r\n", 0);
	assert_int_equal(count_message_files(f->dir), 1);
	assert_int_equal(store_mailbox_delete(f->s, "Other"), STORE_OK);
	assert_int_equal(count_message_files(f->dir), 0);
	store_mailbox_clear(&inbox);
	store_mailbox_clear(&other);
	rangeset_free(&one);
}

static void test_changes_since(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	struct rangeset set = RANGESET_INIT, gone = RANGESET_INIT;
	struct store_flag_change seen = {.flags = STORE_FLAG_SEEN, .mode = STORE_FLAGS_ADD};
	struct seen sn = {0};
	uint64_t since;

	for (int i = 0; i < 4; i++)
		append_text(f->s, "INBOX", "m\r\n", 0);
	get(f->s, "INBOX", &mb);
	since = mb.highestmodseq;
	rangeset_add(&set, 2);
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &seen, NULL, NULL, NULL), STORE_OK);
	rangeset_clear(&set);
	rangeset_add(&set, 3);
	seen.flags = STORE_FLAG_DELETED;
	assert_int_equal(store_set_flags(f->s, mb.id, &set, &seen, NULL, NULL, NULL), STORE_OK);
	assert_int_equal(store_expunge(f->s, mb.id, NULL, NULL, NULL), STORE_OK);
	append_text(f->s, "INBOX", "new\r\n", 0);
	assert_int_equal(store_changes(f->s, mb.id, since, change_cb, &sn, &gone), STORE_OK);
	assert_int_equal(sn.count, 2);
	assert_int_equal(sn.uids[0], 2);
	assert_int_equal(sn.flags[0], STORE_FLAG_SEEN);
	assert_int_equal(sn.uids[1], 5);
	assert_int_equal(rangeset_count(&gone), 1);
	assert_true(rangeset_contains(&gone, 3));
	store_mailbox_clear(&mb);
	rangeset_free(&set);
	rangeset_free(&gone);
}

static void test_quota_limits(void **state)
{
	struct fixture *f = *state;
	struct store_parsed *p = store_parsed_new("0123456789\r\n", 12);
	struct store_new_message m = {.msg = p};
	struct store_quota q;
	uint32_t v, uid;

	assert_int_equal(store_quota_set_limits(f->s, 30, 0), STORE_OK);
	assert_int_equal(store_append(f->s, "INBOX", &m, 1, &v, &uid), STORE_OK);
	assert_int_equal(store_append(f->s, "INBOX", &m, 1, &v, &uid), STORE_OK);
	assert_int_equal(store_append(f->s, "INBOX", &m, 1, &v, &uid), STORE_ERR_OVERQUOTA);
	assert_int_equal(store_quota_get(f->s, &q), STORE_OK);
	assert_int_equal(q.bytes_used, 24);
	assert_int_equal(q.bytes_limit, 30);
	assert_int_equal(q.messages_used, 2);
	/* The refused message left no file behind. */
	assert_int_equal(count_message_files(f->dir), 2);
	assert_int_equal(store_quota_set_limits(f->s, 0, 2), STORE_OK);
	assert_int_equal(store_append(f->s, "INBOX", &m, 1, &v, &uid), STORE_ERR_OVERQUOTA);
	store_parsed_free(&p);
}

static void test_claim_recent(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	uint32_t first;

	append_text(f->s, "INBOX", "a\r\n", 0);
	append_text(f->s, "INBOX", "b\r\n", 0);
	get(f->s, "INBOX", &mb);
	assert_int_equal(store_mailbox_claim_recent(f->s, mb.id, &first), STORE_OK);
	assert_int_equal(first, 1);
	assert_int_equal(store_mailbox_claim_recent(f->s, mb.id, &first), STORE_OK);
	assert_int_equal(first, 3);
	append_text(f->s, "INBOX", "c\r\n", 0);
	assert_int_equal(store_mailbox_claim_recent(f->s, mb.id, &first), STORE_OK);
	assert_int_equal(first, 3);
	store_mailbox_clear(&mb);
}

static void watch_cb(void *ctx, int id)
{
	int *fired = ctx;

	(*fired)++;
	(void)id;
}

static void test_watcher_wakes_on_commit(void **state)
{
	struct fixture *f = *state;
	struct store_watcher *w;
	struct store *other;
	const char *error;
	int id, fired = 0;

	assert_int_equal(store_watcher_new(&w, &error), 0);
	id = store_watcher_add(w, f->dir, &error);
	assert_true(id >= 0);
	assert_int_equal(store_watcher_add(w, f->dir, &error), id);
	assert_int_equal(store_watcher_drain(w, watch_cb, &fired), 0);
	assert_int_equal(fired, 0);
	/* A second handle, as another process would have. */
	assert_int_equal(store_open(f->dir, 0, &other, &error), STORE_OK);
	append_text(other, "INBOX", "wake up\r\n", 0);
	assert_int_equal(store_watcher_drain(w, watch_cb, &fired), 0);
	assert_true(fired >= 1);
	store_close(&other);
	store_watcher_remove(w, id);
	store_watcher_remove(w, id);
	store_watcher_free(&w);
	assert_null(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inbox_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_list_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_with_children_becomes_noselect, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uidvalidity_on_recreate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_children_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_inbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscriptions_need_no_mailbox, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_append_uids_and_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_and_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_modes_and_modseq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_move_expunge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_shared_and_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_recent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watcher_wakes_on_commit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
