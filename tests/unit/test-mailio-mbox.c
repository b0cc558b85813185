/* test-mailio-mbox.c — mbox From_ lines, the incremental reader (fed all
 * at once and byte by byte), the bookkeeping header fields, and the
 * writer: every record written and read back gives the same message,
 * flags and date.
 *
 * src/server is not part of libhafen, so the sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/mailio/mailio-text.c"
#include "server/mailio/mbox-from.c"
#include "server/mailio/mbox-meta.c"
#include "server/mailio/mbox-read.c"

#include <stdio.h>
#include <stdlib.h>

static void test_from_parse(void **state)
{
	static const struct {
		const char *line;
		int ret;
		int64_t time;
		int tz;
		bool zone;
	} cases[] = {
		{"user@domain Thu Nov 29 23:33:09 1973 +0200", 0, 123456789, 120, true},
		{"user@domain Thu Nov 29 19:33:09 1973 -0200", 0, 123456789, -120, true},
		{"\"user name\"@domain  Fri Jan  2 10:13:52 UTC 1970 +0000", 0, 123232, 0, true},
		{"user  Fri Jan  2 10:14 1970 +0000", 0, 123240, 0, true},
		{"user Fri, 2 Jan 1970 10:14:00 +0000", 0, 123240, 0, true},
		{"user Fri, 2 Jan 1970 10:14 -0100", 0, 126840, -60, true},
		{" Fri Jan  2 10:14 1970 +0000", 0, 123240, 0, true},
		{"MAILER-DAEMON Fri Jan  2 10:14:00 1970", 0, 123240, 0, false},
		{"a Fri Jan  2 10:14:00 GMT 1970", 0, 123240, 0, true},
		{"a Fri Jan  2 10:14:00 EST 1970", 0, 123240 + 5 * 3600, -300, true},
		{"a Fri Jan  2 10:14:00 EEST 1970", 0, 123240, 0, false},
		{"user Fri, 2 Foo 1970 10:14:00 +0000", -1, 0, 0, false},
		{"user is here today", -1, 0, 0, false},
		{"user Fri Jan 32 10:14:00 1970", -1, 0, 0, false},
		{"user Fri Jan  2 25:14:00 1970", -1, 0, 0, false},
		{"user Fri Jan  2 10:14:00", -1, 0, 0, false},
		{"\"unclosed Fri Jan  2 10:14:00 1970", -1, 0, 0, false},
		{"", -1, 0, 0, false},
	};

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		struct mbox_from f;
		int ret = mbox_from_parse(cases[i].line, strlen(cases[i].line), &f);

		if (ret != cases[i].ret)
			fail_msg("%s: %d", cases[i].line, ret);
		if (ret < 0)
			continue;
		assert_int_equal(f.time, cases[i].time);
		assert_int_equal(f.tz, cases[i].tz);
		assert_int_equal(f.has_zone, cases[i].zone);
	}
}

static void test_from_write(void **state)
{
	struct buf b = BUF_INIT;
	struct mbox_from f;

	(void)state;
	mbox_from_write("a@b.example", 11, 123456789, 120, &b);
	assert_string_equal(buf_cstr(&b), "From a@b.example Thu Nov 29 23:33:09 1973 +0200\n");
	assert_int_equal(mbox_from_parse((char *)b.data + 5, b.len - 6, &f), 0);
	assert_int_equal(f.time, 123456789);
	assert_int_equal(f.tz, 120);
	buf_reset(&b);
	mbox_from_write("bad sender", 10, 86400 * 3, -330, &b);
	assert_string_equal(buf_cstr(&b), "From MAILER-DAEMON Sat Jan  3 18:30:00 1970 -0530\n");
	buf_reset(&b);
	mbox_from_write("", 0, 0, 0, &b);
	assert_string_equal(buf_cstr(&b), "From MAILER-DAEMON Thu Jan  1 00:00:00 1970 +0000\n");
	buf_free(&b);
}

struct collected {
	size_t count;
	struct buf data[16];
	bool too_big[16];
	uint64_t offset[16];
	int64_t time[16];
	char sender[16][64];
	int ret;
};

static void collected_free(struct collected *c)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(c->data); i++)
		buf_free(&c->data[i]);
}

static void keep(struct collected *c, const struct mbox_message *m)
{
	assert_true(c->count < HF_N_ELEMENTS(c->data));
	buf_append(&c->data[c->count], m->data, m->len);
	c->too_big[c->count] = m->too_big;
	c->offset[c->count] = m->offset;
	c->time[c->count] = m->from.time;
	snprintf(c->sender[c->count], sizeof(c->sender[0]), "%s", m->sender);
	c->count++;
}

/* Read input in pieces of step bytes (0: all at once). */
static void read_all(const char *in, size_t len, size_t step, enum mbox_format fmt, size_t max,
		     struct collected *c)
{
	struct mbox_reader *r = mbox_reader_new(fmt, max);
	struct mbox_message m;
	const char *error;
	size_t pos = 0;

	memset(c, 0, sizeof(*c));
	while (pos < len) {
		size_t n = step == 0 || len - pos < step ? len - pos : step, used;
		int ret = mbox_reader_feed(r, in + pos, n, &used, &m, &error);

		if (ret < 0) {
			c->ret = -1;
			mbox_reader_free(&r);
			return;
		}
		pos += used;
		if (ret == 1)
			keep(c, &m);
		else
			assert_int_equal(used, n);
	}
	for (;;) {
		int ret = mbox_reader_finish(r, &m, &error);

		if (ret <= 0) {
			c->ret = ret;
			break;
		}
		keep(c, &m);
	}
	mbox_reader_free(&r);
}

struct reader_case {
	const char *in;
	enum mbox_format fmt;
	size_t max;
	int ret;
	size_t count;
	const char *msgs[4]; /* "!" marks a message too big */
};

static const struct reader_case reader_cases[] = {
	{"From a Thu Nov 29 23:33:09 1973\nSubject: x\n\nbody\n\n",
	 MBOX_MBOXRD,
	 1000,
	 0,
	 1,
	 {"Subject: x\n\nbody\n"}},
	{"\n\r\nFrom a Thu Nov 29 23:33:09 1973\nA: 1\n\nFrom b Thu Nov 29 23:33:10 1973\nB: 2\n",
	 MBOX_MBOXRD,
	 1000,
	 0,
	 2,
	 {"A: 1\n", "B: 2"}},
	/* quoting: mboxrd takes one '>' away, mboxo nothing */
	{"From a Thu Nov 29 23:33:09 1973\n>From x\n>>From y\n>Fromage\nFrom z\n>\n\n",
	 MBOX_MBOXRD,
	 1000,
	 0,
	 1,
	 {"From x\n>From y\n>Fromage\nFrom z\n>\n"}},
	{"From a Thu Nov 29 23:33:09 1973\n>From x\n>>From y\n\n",
	 MBOX_MBOXO,
	 1000,
	 0,
	 1,
	 {">From x\n>>From y\n"}},
	/* a "From " line without a date is a body line (a damaged file) */
	{"From a Thu Nov 29 23:33:09 1973\nA: 1\n\nFrom me to you\n\n",
	 MBOX_MBOXRD,
	 1000,
	 0,
	 1,
	 {"A: 1\n\nFrom me to you\n"}},
	/* no line end at the end of the message: kept that way */
	{"From a Thu Nov 29 23:33:09 1973\nA: 1\n\nno newline\nFrom b Thu Nov 29 23:33:09 1973\n"
	 "x\n\n",
	 MBOX_MBOXRD,
	 1000,
	 0,
	 2,
	 {"A: 1\n\nno newline", "x\n"}},
	/* CRLF files */
	{"From a Thu Nov 29 23:33:09 1973\r\nA: 1\r\n\r\nb\r\n\r\nFrom b Thu Nov 29 23:33:09 "
	 "1973\r\nB\r\n\r\n",
	 MBOX_MBOXRD,
	 1000,
	 0,
	 2,
	 {"A: 1\r\n\r\nb\r\n", "B\r\n"}},
	/* too big, then fine */
	{"From a Thu Nov 29 23:33:09 1973\n0123456789\n0123456789\n\nFrom b Thu Nov 29 23:33:09 "
	 "1973\nsmall\n\n",
	 MBOX_MBOXRD,
	 12,
	 0,
	 2,
	 {"!", "small\n"}},
	{"From a Thu Nov 29 23:33:09 1973\n>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>\n\n",
	 MBOX_MBOXRD,
	 12,
	 0,
	 1,
	 {"!"}},
	/* a From_ line with nothing after it is an empty message */
	{"From a Thu Nov 29 23:33:09 1973\nx\n\nFrom b Thu Nov 29 23:33:09 1973",
	 MBOX_MBOXRD,
	 1000,
	 0,
	 2,
	 {"x\n", ""}},
	{"", MBOX_MBOXRD, 1000, 0, 0, {NULL}},
	{"\n\n", MBOX_MBOXRD, 1000, 0, 0, {NULL}},
	{"Subject: not mbox\n\nhello\n", MBOX_MBOXRD, 1000, -1, 0, {NULL}},
	{"From nobody at all\n", MBOX_MBOXRD, 1000, -1, 0, {NULL}},
	{">From a Thu Nov 29 23:33:09 1973\n", MBOX_MBOXRD, 1000, -1, 0, {NULL}},
	{"no line end at all", MBOX_MBOXRD, 1000, -1, 0, {NULL}},
};

static void check_reader_case(const struct reader_case *rc, size_t step)
{
	struct collected c;

	read_all(rc->in, strlen(rc->in), step, rc->fmt, rc->max, &c);
	if (c.ret != rc->ret || c.count != rc->count)
		fail_msg("case \"%.40s\" step %zu: ret %d count %zu", rc->in, step, c.ret, c.count);
	for (size_t i = 0; i < c.count; i++) {
		if (strcmp(rc->msgs[i], "!") == 0) {
			assert_true(c.too_big[i]);
			assert_int_equal(c.data[i].len, 0);
			continue;
		}
		assert_false(c.too_big[i]);
		if (c.data[i].len != strlen(rc->msgs[i]) ||
		    (c.data[i].len > 0 && memcmp(c.data[i].data, rc->msgs[i], c.data[i].len) != 0))
			fail_msg("case \"%.40s\" step %zu message %zu: \"%s\"", rc->in, step, i,
				 buf_cstr(&c.data[i]));
	}
	collected_free(&c);
}

static void test_reader(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < HF_N_ELEMENTS(reader_cases); i++)
		for (size_t step = 0; step <= 7; step++)
			check_reader_case(&reader_cases[i], step);
}

static void test_reader_offsets(void **state)
{
	static const char in[] = "From alice@example.org Thu Nov 29 23:33:09 1973 +0200\nA\n\n"
				 "From \"b c\"@x Thu Nov 29 23:33:10 1973\nB\n\n";
	struct collected c;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t step = 0; step < 3; step++) {
		read_all(in, sizeof(in) - 1, step, MBOX_MBOXRD, 100, &c);
		assert_int_equal(c.count, 2);
		assert_int_equal(c.offset[0], 0);
		assert_int_equal(c.offset[1], strchr(in + 1, 'F') - in);
		assert_string_equal(c.sender[0], "alice@example.org");
		assert_string_equal(c.sender[1], "\"b");
		assert_int_equal(c.time[0], 123456789);
		assert_int_equal(c.time[1], 123456789 + 7200 + 1);
		collected_free(&c);
	}
}

/* A From_ line far longer than MBOX_FROM_MAX, and a body line too. */
static void test_reader_long_lines(void **state)
{
	struct buf in = BUF_INIT;
	struct collected c;

	(void)state;
	buf_append_str(&in, "From a Thu Nov 29 23:33:09 1973 ");
	for (int i = 0; i < 5000; i++)
		buf_append_byte(&in, 'x');
	buf_append_str(&in, "\nFrom body");
	for (int i = 0; i < 5000; i++)
		buf_append_byte(&in, 'y');
	buf_append_str(&in, "\n\n");
	read_all((char *)in.data, in.len, 0, MBOX_MBOXRD, 100000, &c);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.data[0].len, 5000 + 10);
	assert_memory_equal(c.data[0].data, "From body", 9);
	collected_free(&c);
	read_all((char *)in.data, in.len, 3, MBOX_MBOXRD, 1000, &c);
	assert_int_equal(c.count, 1);
	assert_true(c.too_big[0]);
	collected_free(&c);
	buf_free(&in);
}

static void test_meta_extract(void **state)
{
	static const char msg[] =
		"Return-Path: <a@b>\nStatus: RO\nX-Status: AFT\nX-Keywords: "
		"$Label1, Junk\n  NonJunk\nSubject: s\nX-UID: 5\n\nStatus: body\n";
	struct mbox_meta m;
	struct buf out = BUF_INIT;
	size_t len;
	const char *rp;

	(void)state;
	memset(&m, 0, sizeof(m));
	mbox_meta_extract(msg, sizeof(msg) - 1, &out, &m);
	assert_string_equal(buf_cstr(&out), "Return-Path: <a@b>\nSubject: s\n\nStatus: body\n");
	assert_int_equal(m.flags, STORE_FLAG_SEEN | STORE_FLAG_ANSWERED | STORE_FLAG_FLAGGED |
					  STORE_FLAG_DRAFT);
	assert_string_equal(buf_cstr(&m.keywords), "$Label1 Junk NonJunk");
	assert_false(m.pseudo);
	rp = mbox_meta_return_path(msg, sizeof(msg) - 1, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(rp, "a@b", 3);
	mbox_meta_clear(&m);
	buf_free(&out);
}

static void test_meta_mozilla_and_pseudo(void **state)
{
	static const char moz[] = "X-Mozilla-Status: 0005\nX-Mozilla-Keys: $label1 \nS: x\n\nb";
	static const char both[] = "Status: O\nX-Mozilla-Status: 0001\n\nb";
	static const char pseudo[] = "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
				     "X-IMAP: 1234 5\n\nThis text is part of the internal format\n";
	struct mbox_meta m;
	struct buf out = BUF_INIT;

	(void)state;
	memset(&m, 0, sizeof(m));
	mbox_meta_extract(moz, sizeof(moz) - 1, &out, &m);
	assert_int_equal(m.flags, STORE_FLAG_SEEN | STORE_FLAG_FLAGGED);
	assert_string_equal(buf_cstr(&m.keywords), "$label1");
	assert_int_equal(out.len, sizeof(moz) - 1);
	mbox_meta_clear(&m);
	buf_reset(&out);
	mbox_meta_extract(both, sizeof(both) - 1, &out, &m);
	assert_int_equal(m.flags, 0); /* Status wins over Thunderbird's field */
	mbox_meta_clear(&m);
	buf_reset(&out);
	mbox_meta_extract(pseudo, sizeof(pseudo) - 1, &out, &m);
	assert_true(m.pseudo);
	mbox_meta_clear(&m);
	buf_free(&out);
}

/* Stored messages (CRLF), written as mbox records and read back: the same
 * bytes, flags, keywords and date. */
static void test_write_read_back(void **state)
{
	static const char *const msgs[] = {
		"Subject: plain\r\n\r\nbody\r\n",
		"Return-Path: <sender@example.org>\r\nSubject: from lines\r\n\r\nFrom here\r\n"
		">From there\r\n>>From everywhere\r\nFrom\r\n",
		"Subject: no final line end\r\n\r\nlast",
		"Subject: stray CR\r\n\r\na\r\r\nb\r",
		"\r\nno header at all\r\n",
		" starts with space\r\n\r\nx\r\n",
		"From the start\r\n\r\nx\r\n",
		"Subject: ends in CR\r",
	};
	static const unsigned flags[] = {0,
					 STORE_FLAG_SEEN,
					 STORE_FLAG_ANSWERED | STORE_FLAG_DELETED,
					 STORE_FLAGS_ALL,
					 STORE_FLAG_DRAFT,
					 0,
					 STORE_FLAG_FLAGGED,
					 STORE_FLAG_SEEN};
	static const char *const kws[] = {"", "$Forwarded Junk", "", "a b c", "", "", "x", ""};

	(void)state;
	for (int fmt = MBOX_MBOXRD; fmt <= MBOX_MBOXO; fmt++) {
		struct buf file = BUF_INIT;
		struct collected c;

		for (size_t i = 0; i < HF_N_ELEMENTS(msgs); i++)
			mbox_write_record(msgs[i], strlen(msgs[i]), flags[i], kws[i],
					  1700000000 + (int64_t)i, (int)i * 60 - 120,
					  (enum mbox_format)fmt, &file);
		for (size_t step = 0; step < 4; step++) {
			read_all((char *)file.data, file.len, step * 5, MBOX_MBOXRD, 1 << 20, &c);
			assert_int_equal(c.ret, 0);
			assert_int_equal(c.count, HF_N_ELEMENTS(msgs));
			for (size_t i = 0; i < c.count; i++) {
				struct buf stripped = BUF_INIT, crlf = BUF_INIT;
				struct mbox_meta m;
				bool from_line_body = i == 1 || i == 6;

				memset(&m, 0, sizeof(m));
				mbox_meta_extract(c.data[i].data, c.data[i].len, &stripped, &m);
				mailio_to_crlf(stripped.data, stripped.len, &crlf);
				/* mboxo cannot give back ">From" lines of a body. */
				if (fmt == MBOX_MBOXRD || !from_line_body) {
					if (crlf.len != strlen(msgs[i]) ||
					    memcmp(crlf.data, msgs[i], crlf.len) != 0)
						fail_msg("fmt %d message %zu: \"%s\"", fmt, i,
							 buf_cstr(&crlf));
				}
				if (msgs[i][0] != ' ') {
					assert_int_equal(m.flags, flags[i]);
					assert_string_equal(buf_cstr(&m.keywords), kws[i]);
				}
				assert_int_equal(c.time[i], 1700000000 + (int64_t)i);
				mbox_meta_clear(&m);
				buf_free(&stripped);
				buf_free(&crlf);
			}
			collected_free(&c);
		}
		buf_free(&file);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_parse),
		cmocka_unit_test(test_from_write),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_reader_offsets),
		cmocka_unit_test(test_reader_long_lines),
		cmocka_unit_test(test_meta_extract),
		cmocka_unit_test(test_meta_mozilla_and_pseudo),
		cmocka_unit_test(test_write_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
