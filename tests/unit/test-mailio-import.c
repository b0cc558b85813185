/* test-mailio-import.c — the importer and exporter against a real store:
 * dedup as a multiset, Maildir and mbox walks, re-runs that add nothing, a
 * run cut short and completed, limits and skipped items, and exports read
 * back into another store message for message.
 *
 * src/server is not part of libhafen, so the sources are built in. Not
 * run as root here: the rights switches do nothing (the e2e tests run
 * them as root). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/mailio/mailio-text.c"
#include "server/mailio/maildir-keywords.c"
#include "server/mailio/maildir-name.c"
#include "server/mailio/mbox-from.c"
#include "server/mailio/mbox-meta.c"
#include "server/mailio/mbox-read.c"
#include "server/mailio/mailio-creds.c"
#include "server/mailio/import-dedup.c"
#include "server/mailio/import.c"
#include "server/mailio/import-maildir.c"
#include "server/mailio/import-mbox.c"
#include "server/mailio/export.c"
#include "server/mailio/export-maildir.c"
#include "server/mailio/export-mbox.c"

#include "store-test-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

struct fixture {
	char dir[256];
	char store_dir[300], other_dir[300], src[300];
	struct store *s, *other;
	char *report_text;
	size_t report_len;
	FILE *report;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct run_as none;
	const char *error;

	memset(&none, 0, sizeof(none));
	assert_int_equal(mailio_creds_init(&none, &error), 0);
	test_tmpdir(f->dir, sizeof(f->dir));
	snprintf(f->store_dir, sizeof(f->store_dir), "%s/store", f->dir);
	snprintf(f->other_dir, sizeof(f->other_dir), "%s/other", f->dir);
	snprintf(f->src, sizeof(f->src), "%s/src", f->dir);
	assert_int_equal(mkdir(f->src, 0700), 0);
	assert_int_equal(store_open(f->store_dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
	assert_int_equal(store_open(f->other_dir, STORE_OPEN_CREATE, &f->other, &error), STORE_OK);
	f->report = open_memstream(&f->report_text, &f->report_len);
	setenv("TZ", "UTC", 1);
	tzset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->s);
	store_close(&f->other);
	fclose(f->report);
	free(f->report_text);
	test_rmtree(f->dir);
	free(f);
	mailio_creds_done();
	return 0;
}

static void put_file(const char *dir, const char *name, const char *data, int64_t mtime)
{
	char path[1024];
	struct timespec times[2] = {{(time_t)mtime, 0}, {(time_t)mtime, 0}};
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite(data, 1, strlen(data), fp);
	fclose(fp);
	if (mtime != 0)
		assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void make_dirs(const char *base, const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (char *p = path + strlen(base) + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	mkdir(path, 0700);
}

static void make_maildir(const char *base, const char *rel)
{
	char sub[1024];

	snprintf(sub, sizeof(sub), "%s%scur", rel, rel[0] ? "/" : "");
	make_dirs(base, sub);
	snprintf(sub, sizeof(sub), "%s%snew", rel, rel[0] ? "/" : "");
	make_dirs(base, sub);
	snprintf(sub, sizeof(sub), "%s%stmp", rel, rel[0] ? "/" : "");
	make_dirs(base, sub);
}

static struct importer *new_importer(struct fixture *f, struct store *s, uint64_t max)
{
	struct import_options opt = {max, MBOX_MBOXRD, f->report, NULL};

	return importer_new(s, &opt);
}

/* "uid:flags:keywords:date:bytes|..." of a mailbox, for comparisons. */
static char *describe(struct store *s, const char *mailbox)
{
	struct store_mailbox mb;
	struct store_fetch *fe;
	const struct store_msg *m;
	struct buf out = BUF_INIT, data = BUF_INIT;

	if (store_mailbox_get(s, mailbox, &mb) != STORE_OK)
		return xstrdup("(none)");
	assert_int_equal(store_fetch_begin(s, mb.id, NULL, 0, &fe), STORE_OK);
	while (store_fetch_next(fe, &m) == 1) {
		int fd;
		ssize_t n;
		char chunk[4096];

		assert_int_equal(store_msg_open(s, m, &fd), STORE_OK);
		buf_reset(&data);
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			buf_append(&data, chunk, (size_t)n);
		close(fd);
		buf_printf(&out, "%u:%s:%lld:", m->flags, m->keywords, (long long)m->internaldate);
		buf_append(&out, data.data, data.len);
		buf_append_str(&out, "|");
	}
	store_fetch_end(&fe);
	store_mailbox_clear(&mb);
	buf_free(&data);
	return buf_detach(&out, NULL);
}

static uint32_t count(struct store *s, const char *mailbox)
{
	struct store_mailbox mb;
	uint32_t n;

	if (store_mailbox_get(s, mailbox, &mb) != STORE_OK)
		return 0;
	n = mb.messages;
	store_mailbox_clear(&mb);
	return n;
}

static void append_raw(struct store *s, const char *mailbox, const char *data)
{
	struct store_parsed *p = store_parsed_new(data, strlen(data));
	struct store_new_message m = {p, 0, NULL, 0, 1000, 0};
	uint32_t uidv, uid;

	assert_int_equal(store_append(s, mailbox, &m, 1, &uidv, &uid), STORE_OK);
	store_parsed_free(&p);
}

static void test_dedup_multiset(void **state)
{
	struct fixture *f = *state;
	struct store_mailbox mb;
	struct dedup *d;
	bool present;
	int err;

	append_raw(f->s, "INBOX", "Subject: a\r\n\r\nA\r\n");
	append_raw(f->s, "INBOX", "Subject: a\r\n\r\nA\r\n");
	append_raw(f->s, "INBOX", "Subject: b\r\n\r\nB\r\n"); /* same size as a */
	append_raw(f->s, "INBOX", "Subject: c\r\n\r\nlonger\r\n");
	assert_int_equal(store_mailbox_get(f->s, "INBOX", &mb), STORE_OK);
	d = dedup_new(f->s, mb.id, &err);
	assert_non_null(d);
	assert_int_equal(dedup_claim(d, "Subject: a\r\n\r\nA\r\n", 17, &present), STORE_OK);
	assert_true(present);
	assert_int_equal(dedup_claim(d, "Subject: a\r\n\r\nA\r\n", 17, &present), STORE_OK);
	assert_true(present);
	assert_int_equal(dedup_claim(d, "Subject: a\r\n\r\nA\r\n", 17, &present), STORE_OK);
	assert_false(present); /* a third copy is new */
	assert_int_equal(dedup_claim(d, "Subject: b\r\n\r\nB\r\n", 17, &present), STORE_OK);
	assert_true(present);
	assert_int_equal(dedup_claim(d, "Subject: x\r\n\r\nX\r\n", 17, &present), STORE_OK);
	assert_false(present);
	assert_int_equal(dedup_claim(d, "Subject: b\r\n\r\nB", 15, &present), STORE_OK);
	assert_false(present);
	dedup_free(&d);
	/* Many distinct digests: the table grows. */
	for (int i = 0; i < 100; i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "Subject: %03d\r\n\r\nx\r\n", i);
		append_raw(f->s, "INBOX", msg);
	}
	d = dedup_new(f->s, mb.id, &err);
	for (int i = 0; i < 100; i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "Subject: %03d\r\n\r\nx\r\n", i);
		assert_int_equal(dedup_claim(d, msg, strlen(msg), &present), STORE_OK);
		assert_true(present);
	}
	dedup_free(&d);
	store_mailbox_clear(&mb);
	dedup_free(&d);
}

static void build_maildir(struct fixture *f)
{
	char dir[600];

	make_maildir(f->src, "");
	make_maildir(f->src, ".Sent");
	make_maildir(f->src, ".A.B");
	snprintf(dir, sizeof(dir), "%s/cur", f->src);
	put_file(dir, "100.x.h:2,SFa", "Subject: one\n\nfirst\n", 100000);
	put_file(dir, "300.x.h:2,RPb", "Subject: three\n\nthird\n", 300000);
	put_file(dir, "200.x.h:2,", "Subject: two\n\nsecond\n", 200000);
	snprintf(dir, sizeof(dir), "%s/new", f->src);
	put_file(dir, "400.x.h", "Subject: four\r\n\r\nfourth\r\n", 400000);
	put_file(dir, "500.x.h", "", 500000); /* empty: skipped */
	snprintf(dir, sizeof(dir), "%s/tmp", f->src);
	put_file(dir, "600.x.h", "Subject: partial\n", 0);
	put_file(f->src, "dovecot-keywords", "0 Work\n1 $Label1\n", 0);
	snprintf(dir, sizeof(dir), "%s/.Sent/cur", f->src);
	put_file(dir, "1.s.h:2,S", "Subject: sent\n\nsent\n", 5000);
	snprintf(dir, sizeof(dir), "%s/.A.B/new", f->src);
	put_file(dir, "2.s.h", "Subject: deep\n\ndeep\n", 6000);
}

static void test_import_maildir(void **state)
{
	struct fixture *f = *state;
	struct importer *im = new_importer(f, f->s, 1 << 20);
	const char *error;
	char *d;

	build_maildir(f);
	assert_int_equal(import_maildir(im, f->src, &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	assert_int_equal(importer_stats(im)->imported, 6);
	assert_int_equal(importer_stats(im)->skipped, 1);
	assert_int_equal(importer_stats(im)->mailboxes, 3);
	importer_free(&im);
	d = describe(f->s, "INBOX");
	assert_string_equal(d, "5:Work:100000:Subject: one\r\n\r\nfirst\r\n|"
			       "0::200000:Subject: two\r\n\r\nsecond\r\n|"
			       "2:$Forwarded $Label1:300000:Subject: three\r\n\r\nthird\r\n|"
			       "0::400000:Subject: four\r\n\r\nfourth\r\n|");
	free(d);
	assert_int_equal(count(f->s, "A/B"), 1);
	assert_int_equal(count(f->s, "Sent"), 1);
	fflush(f->report);
	assert_non_null(strstr(f->report_text, "500.x.h: empty file"));

	/* Again: nothing new. */
	im = new_importer(f, f->s, 1 << 20);
	assert_int_equal(import_maildir(im, f->src, &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	assert_int_equal(importer_stats(im)->imported, 0);
	assert_int_equal(importer_stats(im)->present, 6);
	assert_int_equal(importer_stats(im)->created, 0);
	importer_free(&im);
	assert_int_equal(count(f->s, "INBOX"), 4);
}

/* A run cut short leaves whole batches; the next run adds the rest. */
static void test_import_interrupted(void **state)
{
	struct fixture *f = *state;
	struct importer *im;
	const char *error;
	char dir[600], name[64], msg[128];
	int n = IMPORT_BATCH_MESSAGES * 2 + 17;

	make_maildir(f->src, "");
	snprintf(dir, sizeof(dir), "%s/cur", f->src);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d.m.h:2,S", 1000 + i);
		snprintf(msg, sizeof(msg), "Subject: %d\n\n%s\n", i % 50, i % 7 ? "same" : "other");
		put_file(dir, name, msg, 1000 + i);
	}
	/* The "crash": the importer is dropped with a batch in flight. */
	im = new_importer(f, f->s, 1 << 20);
	assert_int_equal(importer_mailbox(im, "INBOX", &error), 0);
	for (int i = 0; i < IMPORT_BATCH_MESSAGES + 10; i++) {
		struct import_msg m = {NULL, 0, 0, NULL, 0, 1000 + i, 0};

		snprintf(msg, sizeof(msg), "Subject: %d\n\n%s\n", i % 50, i % 7 ? "same" : "other");
		m.data = msg;
		m.len = strlen(msg);
		assert_int_equal(importer_add(im, &m, &error), 0);
	}
	importer_free(&im);
	assert_int_equal(count(f->s, "INBOX"), IMPORT_BATCH_MESSAGES);
	im = new_importer(f, f->s, 1 << 20);
	assert_int_equal(import_maildir(im, f->src, &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	assert_int_equal(importer_stats(im)->present, IMPORT_BATCH_MESSAGES);
	assert_int_equal(importer_stats(im)->imported, n - IMPORT_BATCH_MESSAGES);
	importer_free(&im);
	assert_int_equal(count(f->s, "INBOX"), n);
}

static void test_import_mbox(void **state)
{
	struct fixture *f = *state;
	struct importer *im = new_importer(f, f->s, 200);
	const char *error;
	char dir[600];
	char *d;

	make_dirs(f->src, "Lists.sbd/x");
	put_file(f->src, "Lists",
		 "From a@b Thu Nov 29 23:33:09 1973 +0200\nStatus: R\nX-Keywords: Junk\n"
		 "Subject: l\n\n>From x\n\nFrom b Thu Nov 29 23:33:10 1973\nSubject: m\n\nm\n",
		 0);
	snprintf(dir, sizeof(dir), "%s/Lists.sbd", f->src);
	put_file(dir, "dev",
		 "From a Thu Nov 29 23:33:09 1973\nSubject: big\n\n"
		 "0123456789012345678901234567890123456789012345678901234567890123456"
		 "0123456789012345678901234567890123456789012345678901234567890123456"
		 "0123456789012345678901234567890123456789012345678901234567890123456\n"
		 "From a Thu Nov 29 23:33:09 1973\nSubject: small\n\ns\n",
		 0);
	snprintf(dir, sizeof(dir), "%s/Lists.sbd/x", f->src);
	put_file(dir, "Caf&AOk-", "From a Thu Nov 29 23:33:09 1973\nSubject: c\n\nc\n", 0);
	put_file(dir, "text", "not mail\n", 0);
	put_file(dir, "y.msf", "index\n", 0);
	put_file(f->src, "Empty", "", 0);
	assert_int_equal(import_mbox(im, f->src, &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	assert_int_equal(importer_stats(im)->imported, 4);
	assert_int_equal(importer_stats(im)->skipped, 2); /* too big, not mbox */
	importer_free(&im);
	d = describe(f->s, "Lists");
	assert_string_equal(d, "1:Junk:123456789:Subject: l\r\n\r\nFrom x\r\n|"
			       /* the last line end is the separator mbox writers add */
			       "0::123463990:Subject: m\r\n\r\nm|");
	free(d);
	assert_int_equal(count(f->s, "Lists/dev"), 1);
	assert_int_equal(count(f->s, "Lists/x/Caf\xc3\xa9"), 1);
	assert_int_equal(count(f->s, "Empty"), 0);
	assert_int_equal(store_mailbox_get(f->s, "Lists/x/text", &(struct store_mailbox){0}),
			 STORE_ERR_NONEXISTENT);
	fflush(f->report);
	assert_non_null(strstr(f->report_text, "larger than append_limit"));
	assert_non_null(strstr(f->report_text, "text: not an mbox file"));

	/* A single file goes to INBOX; a path that is not there is an error. */
	im = new_importer(f, f->s, 1 << 20);
	snprintf(dir, sizeof(dir), "%s/Lists", f->src);
	assert_int_equal(import_mbox(im, dir, &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	assert_int_equal(count(f->s, "INBOX"), 2);
	assert_int_equal(import_mbox(im, "/nonexistent/x", &error), -1);
	assert_int_equal(import_maildir(im, "/nonexistent/x", &error), -1);
	assert_int_equal(import_maildir(im, f->src, &error), -1); /* no cur/ new/ */
	importer_free(&im);
}

static void test_import_bad_names(void **state)
{
	struct fixture *f = *state;
	struct importer *im = new_importer(f, f->s, 1 << 20);
	struct store_mailbox mb;
	const char *error;

	assert_int_equal(importer_mailbox(im,
					  "a\x01"
					  "b",
					  &error),
			 1);
	assert_int_equal(importer_mailbox(im, "", &error), 1);
	assert_int_equal(importer_mailbox(im, "inbox/Sub", &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	assert_int_equal(importer_stats(im)->skipped, 2);
	importer_free(&im);
	assert_int_equal(store_mailbox_get(f->s, "INBOX/Sub", &mb), STORE_OK);
	store_mailbox_clear(&mb);
}

/* Export both ways and import into the other store: the same messages. */
static void round_trip(struct fixture *f, bool maildir)
{
	struct export_options eo = {false, MBOX_MBOXRD, f->report, NULL};
	struct export_stats st;
	struct importer *im;
	const char *error;
	char out[600];
	int err;
	static const char *const boxes[] = {"INBOX", "Sent", "A/B", "A"};

	snprintf(out, sizeof(out), "%s/out-%s", f->dir, maildir ? "maildir" : "mbox");
	assert_int_equal(maildir ? export_maildir(f->s, out, &eo, &st, &err, &error)
				 : export_mbox(f->s, out, &eo, &st, &err, &error),
			 0);
	assert_int_equal(st.exported, 6);
	im = new_importer(f, f->other, 1 << 20);
	assert_int_equal(maildir ? import_maildir(im, out, &error) : import_mbox(im, out, &error),
			 0);
	assert_int_equal(importer_finish(im, &error), 0);
	assert_int_equal(importer_stats(im)->skipped, 0);
	importer_free(&im);
	for (size_t i = 0; i < HF_N_ELEMENTS(boxes); i++) {
		char *a = describe(f->s, boxes[i]), *b = describe(f->other, boxes[i]);

		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	if (maildir) {
		/* Again into the same directory: nothing is written. */
		assert_int_equal(export_maildir(f->s, out, &eo, &st, &err, &error), 0);
		assert_int_equal(st.exported, 0);
		assert_int_equal(st.present, 6);
	}
}

static void test_export_round_trip_maildir(void **state)
{
	struct fixture *f = *state;
	struct importer *im = new_importer(f, f->s, 1 << 20);
	const char *error;

	build_maildir(f);
	assert_int_equal(import_maildir(im, f->src, &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	importer_free(&im);
	round_trip(f, true);
}

static void test_export_round_trip_mbox(void **state)
{
	struct fixture *f = *state;
	struct importer *im = new_importer(f, f->s, 1 << 20);
	const char *error;

	build_maildir(f);
	assert_int_equal(import_maildir(im, f->src, &error), 0);
	assert_int_equal(importer_finish(im, &error), 0);
	importer_free(&im);
	round_trip(f, false);
}

static void test_export_errors(void **state)
{
	struct fixture *f = *state;
	struct export_options eo = {true, MBOX_MBOXO, f->report, NULL};
	struct export_stats st;
	const char *error;
	char out[600];
	int err;

	append_raw(f->s, "INBOX", "Subject: x\r\n\r\nx\r\n");
	snprintf(out, sizeof(out), "%s/file", f->dir);
	put_file(f->dir, "file", "x", 0);
	assert_int_equal(export_maildir(f->s, out, &eo, &st, &err, &error), -1);
	assert_int_equal(err, STORE_OK);
	assert_non_null(strstr(error, "file"));
	assert_int_equal(export_mbox(f->s, out, &eo, &st, &err, &error), -1);
	/* A mailbox file that cannot be replaced: no half file is left. */
	snprintf(out, sizeof(out), "%s/mb", f->dir);
	make_dirs(f->dir, "mb/INBOX");
	assert_int_equal(export_mbox(f->s, out, &eo, &st, &err, &error), -1);
	snprintf(out, sizeof(out), "%s/mb/.INBOX.hafen-tmp", f->dir);
	assert_int_equal(access(out, F_OK), -1);
	snprintf(out, sizeof(out), "%s/mb/Drafts", f->dir);
	assert_int_equal(access(out, F_OK), -1); /* stopped at the first failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dedup_multiset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_maildir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_mbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_round_trip_maildir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_round_trip_mbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
