/* test-imap-command.c — the command grammar: every command kind parses,
 * writes back byte for byte, and bad commands fail with the tag kept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-imap-helpers.h"

/* Canonical wire forms: parse, write, and get the same bytes back. */
static const char *const roundtrip_commands[] = {
	"a1 CAPABILITY\r\n",
	"a2 NOOP\r\n",
	"a3 LOGOUT\r\n",
	"a4 STARTTLS\r\n",
	"a5 AUTHENTICATE PLAIN\r\n",
	"a6 AUTHENTICATE PLAIN AGZyZWQAdGVzdA==\r\n",
	"a7 AUTHENTICATE EXTERNAL =\r\n",
	"a8 LOGIN fred \"pass word\"\r\n",
	"a9 LOGIN \"fr\\\"d\" {3}\r\na\nb\r\n",
	"b1 ENABLE CONDSTORE UTF8=ACCEPT QRESYNC IMAP4rev2\r\n",
	"b2 SELECT INBOX\r\n",
	"b3 EXAMINE \"Sent Items\"\r\n",
	"b4 SELECT INBOX (CONDSTORE)\r\n",
	"b5 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
	"b6 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541 (1:10,20 "
	"5:15,40)))\r\n",
	"b7 EXAMINE a (CONDSTORE QRESYNC (1 2))\r\n",
	"b8 SELECT box (QRESYNC (1 2 (3 4)))\r\n",
	"c1 CREATE foo/bar\r\n",
	"c2 CREATE Sent (USE (\\Sent))\r\n",
	"c3 CREATE Stuff (USE (\\Archive \\Flagged))\r\n",
	"c4 DELETE foo\r\n",
	"c5 RENAME old new\r\n",
	"c6 SUBSCRIBE \"a b\"\r\n",
	"c7 UNSUBSCRIBE a]b\r\n",
	"d1 LIST \"\" *\r\n",
	"d2 LIST \"\" %/%\r\n",
	"d2 LIST \"\" \"a b/%\"\r\n",
	"d2 SEARCH CHARSET \"x y\" ALL\r\n",
	"d3 LIST (SUBSCRIBED) \"\" *\r\n",
	"d4 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX foo/*)\r\n",
	"d5 LIST \"\" * RETURN (CHILDREN)\r\n",
	"d6 LIST () \"\" (*) RETURN ()\r\n",
	"d7 LIST (REMOTE SPECIAL-USE) \"\" * RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES "
	"UNSEEN))\r\n",
	"d8 LIST \"\" % RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY SIZE HIGHESTMODSEQ))\r\n",
	"d9 LSUB #news. comp.%\r\n",
	"e1 NAMESPACE\r\n",
	"e2 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n",
	"e3 STATUS x (DELETED SIZE HIGHESTMODSEQ APPENDLIMIT MAILBOXID DELETED-STORAGE)\r\n",
	"f1 APPEND INBOX {5}\r\nhello\r\n",
	"f2 APPEND saved-messages (\\Seen) {3}\r\nabc\r\n",
	"f3 APPEND x (\\Seen $Forwarded) \"05-Jan-2024 13:02:01 +0100\" {2}\r\nhi\r\n",
	"f4 APPEND x \"17-Jul-1996 02:44:25 -0700\" ~{4}\r\na\0b\n\r\n",
	"f5 APPEND x {1}\r\na () {1}\r\nb \"01-Feb-2020 00:00:00 +0000\" {1}\r\nc\r\n",
	"f6 APPEND x UTF8 (~{3}\r\n\xc3\xa4x)\r\n",
	"f7 APPEND x () {0}\r\n\r\n",
	"g1 IDLE\r\n",
	"g2 CHECK\r\n",
	"g3 CLOSE\r\n",
	"g4 UNSELECT\r\n",
	"g5 EXPUNGE\r\n",
	"g6 UID EXPUNGE 3000:3002,4000\r\n",
	"h1 SEARCH ALL\r\n",
	"h2 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n",
	"h3 SEARCH CHARSET UTF-8 TEXT {6}\r\n\xd0\xb0\xd0\xb1\xd0\xb2\r\n",
	"h4 UID SEARCH OR (SEEN FLAGGED) (UNSEEN DELETED) UID 1:*\r\n",
	"h5 SEARCH RETURN (MIN MAX COUNT) UNDELETED\r\n",
	"h6 SEARCH RETURN () 1:5,*\r\n",
	"h7 SEARCH RETURN (SAVE) SUBJECT \"hello world\"\r\n",
	"h8 SEARCH $ SMALLER 4096 LARGER 12\r\n",
	"h9 SEARCH HEADER Message-ID <a@b> BCC x CC y TO z BODY w\r\n",
	"i1 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
	"i2 SEARCH MODSEQ 0\r\n",
	"i2 SEARCH MODSEQ \"/flags/\xc3\xa4\" shared 5\r\n",
	"i3 SEARCH YOUNGER 259200 OLDER 1\r\n",
	"i4 SEARCH SAVEDBEFORE 1-Jan-2020 SAVEDON 2-Jan-2020 SAVEDSINCE 3-Jan-2020 "
	"SAVEDATESUPPORTED\r\n",
	"i5 SEARCH EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9\r\n",
	"i6 SEARCH KEYWORD $Junk UNKEYWORD foo ANSWERED DELETED DRAFT NEW OLD RECENT SEEN\r\n",
	"i7 SEARCH UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN BEFORE 31-Dec-1999 ON "
	"29-Feb-2000\r\n",
	"i8 SEARCH SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 SENTSINCE 1-Jan-2000\r\n",
	"i9 UID SEARCH RETURN (ALL PARTIAL -1:-100) UNDELETED\r\n",
	"j0 SEARCH RETURN (PARTIAL 1:500) ALL\r\n",
	"j1 FETCH 1:* ALL\r\n",
	"j2 FETCH 2 FAST\r\n",
	"j3 FETCH 3 FULL\r\n",
	"j4 FETCH 1 FLAGS\r\n",
	"j5 FETCH 1:3 (FLAGS)\r\n",
	"j6 UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (From "
	"Subject)])\r\n",
	"j7 FETCH 1 (BODY[] BODY[TEXT] BODY[HEADER] BODY[1.2.MIME] BODY[3.HEADER.FIELDS.NOT "
	"(X-Spam)] BODY[4.1])\r\n",
	"j8 FETCH 1 (BODY.PEEK[]<0.2048> BINARY[1]<100.200> BINARY.PEEK[1.2] BINARY.SIZE[2] "
	"BINARY[])\r\n",
	"j9 FETCH 1 (INTERNALDATE RFC822.SIZE RFC822 RFC822.HEADER RFC822.TEXT BODY)\r\n",
	"k0 FETCH 1 (MODSEQ EMAILID THREADID SAVEDATE PREVIEW)\r\n",
	"k1 FETCH 1 (PREVIEW (LAZY))\r\n",
	"k2 FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n",
	"k3 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 0 VANISHED)\r\n",
	"k4 UID FETCH 1:* (UID) (PARTIAL -1:-50)\r\n",
	"k5 FETCH $ (UID)\r\n",
	"k6 FETCH 5:3,9 BODY[3.TEXT]\r\n",
	"l1 STORE 2:4 +FLAGS (\\Deleted)\r\n",
	"l2 STORE 1 FLAGS.SILENT (\\Seen \\Answered)\r\n",
	"l3 UID STORE 1 -FLAGS.SILENT \\Seen $Junk\r\n",
	"l4 STORE 1 FLAGS ()\r\n",
	"l5 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
	"l6 STORE * FLAGS \\Draft\r\n",
	"m1 COPY 2:4 MEETING\r\n",
	"m2 UID COPY 1:* \"Old Stuff\"\r\n",
	"m3 MOVE 1 Trash\r\n",
	"m4 UID MOVE $ Junk\r\n",
	"n1 ID NIL\r\n",
	"n2 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)\r\n",
	"n3 ID ()\r\n",
	"o1 GETQUOTA \"\"\r\n",
	"o2 GETQUOTAROOT INBOX\r\n",
	"o3 SETQUOTA \"\" (STORAGE 512)\r\n",
	"o4 SETQUOTA #user/alice (STORAGE 510 MESSAGE 1000)\r\n",
	"o5 SETQUOTA x ()\r\n",
	"p1 SORT (SUBJECT) UTF-8 ALL\r\n",
	"p2 UID SORT (REVERSE DATE FROM) US-ASCII SINCE 1-Feb-1994 UNSEEN\r\n",
	"p3 SORT RETURN (MIN COUNT) (ARRIVAL CC SIZE TO DISPLAYFROM REVERSE DISPLAYTO) UTF-8 "
	"ALL\r\n",
	"p4 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-Mar-2000\r\n",
	"p4 THREAD REFERENCES \"\xc3\xa4\\\"x\" ALL\r\n",
	"p5 UID THREAD REFERENCES US-ASCII (TEXT \"ge wp\" OR 1:3 UID 4)\r\n",
	"q1 COMPRESS DEFLATE\r\n",
	"q2 NOTIFY NONE\r\n",
	"q3 NOTIFY SET (SELECTED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (From To)]) "
	"MessageExpunge)) (SUBTREE Lists (MessageNew MessageExpunge FlagChange))\r\n",
	"q4 NOTIFY SET STATUS (PERSONAL (MailboxName SubscriptionChange)) (MAILBOXES (a b) "
	"NONE)\r\n",
	"q5 NOTIFY SET (INBOXES (MessageNew MessageExpunge)) (SELECTED-DELAYED NONE) (SUBSCRIBED "
	"NONE)\r\n",
	"r1 GETACL INBOX\r\n",
	"r2 SETACL INBOX Fred +rwi\r\n",
	"r3 DELETEACL INBOX -FRED\r\n",
	"r4 LISTRIGHTS ~/Mail/saved smith\r\n",
	"r5 MYRIGHTS INBOX\r\n",
	"s1 UNAUTHENTICATE\r\n",
	"s2 REPLACE 3 Drafts {5}\r\nhello\r\n",
	"s3 UID REPLACE 25 Drafts (\\Draft) \"05-Jan-2024 13:02:01 +0100\" {2}\r\nhi\r\n",
	"s4 REPLACE * Drafts ~{2}\r\nhi\r\n",
	"t1 XYZZY\r\n",
	"t2 UID XFOO\r\n",
};

/* The table's strings end at their NUL, except f4 whose literal8 holds one. */
static size_t wire_len(const char *wire)
{
	size_t len = strlen(wire);

	if (strncmp(wire, "f4 ", 3) == 0)
		len += 1 + strlen(wire + len + 1);
	return len;
}

static void test_roundtrip_all_kinds(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(roundtrip_commands); i++)
		check_command_roundtrip_len(roundtrip_commands[i], wire_len(roundtrip_commands[i]));
}

static struct parsed parse_ok(const char *wire)
{
	struct parsed p = parse_wire(wire, wire_len(wire), true, false, NULL);

	if (p.result != IMAP_PARSE_DONE) {
		fprintf(stderr, "[%s]: %s\n", wire, p.message);
		fail();
	}
	return p;
}

static void test_every_kind_is_covered(void **state)
{
	bool seen[IMAP_CMD_COUNT_] = {false};

	for (size_t i = 0; i < HF_N_ELEMENTS(roundtrip_commands); i++) {
		struct parsed p = parse_ok(roundtrip_commands[i]);

		seen[p.cmd->kind] = true;
		parsed_free(&p);
	}
	for (unsigned k = 0; k < IMAP_CMD_COUNT_; k++) {
		if (!seen[k])
			fprintf(stderr, "command kind %u (%s) not covered\n", k,
				imap_command_kind_name((enum imap_command_kind)k));
		assert_true(seen[k]);
	}
}

static void test_login_fields(void **state)
{
	struct parsed p = parse_ok("A001 login {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n");

	assert_string_equal(p.cmd->tag, "A001");
	assert_string_equal(p.cmd->name, "LOGIN");
	assert_int_equal(p.cmd->kind, IMAP_CMD_LOGIN);
	assert_string_equal(p.cmd->u.login.user, "FRED FOOBAR");
	assert_string_equal(p.cmd->u.login.password, "fat man");
	assert_int_equal(p.literal_requests, 2);
	parsed_free(&p);
}

static void test_select_qresync_fields(void **state)
{
	struct parsed p = parse_ok("A02 SELECT INBOX (QRESYNC (67890007 90060115194045000 "
				   "41:211,214:541 (1:10,20 5:15,40)) CONDSTORE)\r\n");
	const struct imap_cmd_select *s = &p.cmd->u.select;

	assert_true(s->qresync);
	assert_true(s->condstore);
	assert_int_equal(s->uidvalidity, 67890007);
	assert_true(s->modseq == 90060115194045000ULL);
	assert_true(s->has_known_uids);
	assert_int_equal(s->known_uids.count, 2);
	assert_int_equal(s->known_uids.ranges[1].first, 214);
	assert_int_equal(s->known_uids.ranges[1].last, 541);
	assert_true(s->has_seq_match);
	assert_int_equal(s->known_seqs.count, 2);
	assert_int_equal(s->known_seq_uids.ranges[0].first, 5);
	parsed_free(&p);
}

static void test_fetch_fields(void **state)
{
	struct parsed p =
		parse_ok("a UID FETCH 5:* (BODY.PEEK[1.2.HEADER.FIELDS (A \"b c\")]<10.20> "
			 "BINARY[3]) (CHANGEDSINCE 7 VANISHED)\r\n");
	const struct imap_cmd_fetch *f = &p.cmd->u.fetch;

	assert_true(p.cmd->uid);
	assert_int_equal(f->set.ranges[0].first, 5);
	assert_int_equal(f->set.ranges[0].last, RANGESET_STAR);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->items[0].kind, IMAP_FETCH_BODY_SECTION);
	assert_true(f->items[0].peek);
	assert_int_equal(f->items[0].section.part_count, 2);
	assert_int_equal(f->items[0].section.text, IMAP_SECTION_HEADER_FIELDS);
	assert_int_equal(f->items[0].section.fields.count, 2);
	assert_string_equal(f->items[0].section.fields.items[1], "b c");
	assert_true(f->items[0].has_partial);
	assert_int_equal(f->items[0].partial_offset, 10);
	assert_int_equal(f->items[0].partial_length, 20);
	assert_int_equal(f->items[1].kind, IMAP_FETCH_BINARY);
	assert_false(f->items[1].peek);
	assert_true(f->has_changedsince);
	assert_int_equal(f->changedsince, 7);
	assert_true(f->vanished);
	parsed_free(&p);

	p = parse_ok("a FETCH 1 FULL\r\n");
	assert_int_equal(p.cmd->u.fetch.macro, IMAP_FETCH_MACRO_FULL);
	assert_int_equal(p.cmd->u.fetch.count, 5);
	assert_int_equal(p.cmd->u.fetch.items[4].kind, IMAP_FETCH_BODY);
	parsed_free(&p);
}

static void test_search_tree(void **state)
{
	struct parsed p = parse_ok("a SEARCH CHARSET \"UTF-8\" OR NOT (SEEN 1:3) HEADER X y "
				   "BEFORE \"1-Feb-2000\"\r\n");
	const struct imap_search_options *o = &p.cmd->u.search.opts;
	const struct imap_search_key *k;

	assert_string_equal(o->charset, "UTF-8");
	assert_int_equal(o->key_count, 2);
	k = &o->keys[0];
	assert_int_equal(k->kind, IMAP_SEARCH_OR);
	assert_int_equal(k->u.either.a->kind, IMAP_SEARCH_NOT);
	assert_int_equal(k->u.either.a->u.negated->kind, IMAP_SEARCH_AND);
	assert_int_equal(k->u.either.a->u.negated->u.all_of.count, 2);
	assert_int_equal(k->u.either.a->u.negated->u.all_of.keys[1].kind, IMAP_SEARCH_SEQSET);
	assert_int_equal(k->u.either.b->kind, IMAP_SEARCH_HEADER);
	assert_string_equal(k->u.either.b->u.header.value, "y");
	assert_int_equal(o->keys[1].kind, IMAP_SEARCH_BEFORE);
	assert_int_equal(o->keys[1].u.date.year, 2000);
	assert_int_equal(o->keys[1].u.date.month, 2);
	parsed_free(&p);
}

static void test_store_and_append_fields(void **state)
{
	struct parsed p = parse_ok("a STORE 1 (UNCHANGEDSINCE 5) -FLAGS.SILENT (\\Seen foo)\r\n");
	const struct imap_cmd_store *st = &p.cmd->u.store;
	const struct imap_append_message *m;

	assert_int_equal(st->mode, IMAP_STORE_REMOVE);
	assert_true(st->silent);
	assert_true(st->has_unchangedsince);
	assert_int_equal(st->flags.count, 2);
	assert_string_equal(st->flags.items[0], "\\Seen");
	parsed_free(&p);

	p = parse_ok(
		"a APPEND box (\\Seen) \" 5-Jan-2024 13:02:01 +0100\" {3}\r\nxyz {2+}\r\nab\r\n");
	assert_int_equal(p.cmd->u.append.count, 2);
	m = &p.cmd->u.append.messages[0];
	assert_true(m->has_flags);
	assert_true(m->has_date);
	assert_int_equal(m->date.date.day, 5);
	assert_int_equal(m->date.zone, 60);
	assert_int_equal(m->data.size, 3);
	assert_memory_equal(m->data.data, "xyz", 3);
	assert_memory_equal(p.cmd->u.append.messages[1].data.data, "ab", 2);
	parsed_free(&p);
}

static void test_unknown_keeps_tag(void **state)
{
	struct parsed p = parse_ok("x1 FROBNICATE a b (c\r\n");

	assert_int_equal(p.cmd->kind, IMAP_CMD_UNKNOWN);
	assert_string_equal(p.cmd->tag, "x1");
	assert_string_equal(p.cmd->name, "FROBNICATE");
	parsed_free(&p);
}

static const struct {
	const char *wire;
	bool tagged;
} bad_commands[] = {
	{"\r\nA", false},
	{" NOOP\r\n", false},
	{"+a NOOP\r\n", false},
	{"* NOOP\r\n", false},
	{"a\r\n", true},
	{"a  NOOP\r\n", true},
	{"a NOOP extra\r\n", true},
	{"a UID NOOP\r\n", true},
	{"a LOGIN\r\n", true},
	{"a LOGIN a\r\n", true},
	{"a LOGIN \"a\r\n", true},
	{"a LOGIN \"a\\x\" b\r\n", true},
	{"a LOGIN {1}\r\n\0 b\r\n", true},
	{"a AUTHENTICATE PLAIN ab=c\r\n", true},
	{"a AUTHENTICATE PLAIN abc\r\n", true},
	{"a SELECT\r\n", true},
	{"a SELECT x (FOO)\r\n", true},
	{"a SELECT x (QRESYNC (0 1))\r\n", true},
	{"a SELECT x (QRESYNC (1 2 *))\r\n", true},
	{"a SELECT x (QRESYNC (1 2) QRESYNC (1 2))\r\n", true},
	{"a CREATE x (FOO)\r\n", true},
	{"a LIST (RECURSIVEMATCH) \"\" *\r\n", true},
	{"a LIST (FOO) \"\" *\r\n", true},
	{"a LIST \"\" * RETURN (FOO)\r\n", true},
	{"a LIST \"\" * (x)\r\n", true},
	{"a STATUS x ()\r\n", true},
	{"a STATUS x (FOO)\r\n", true},
	{"a APPEND x\r\n", true},
	{"a APPEND x \"abc\"\r\n", true},
	{"a APPEND x (\\*) {1}\r\na\r\n", true},
	{"a APPEND x \"32-Jan-2024 13:02:01 +0100\" {1}\r\na\r\n", true},
	{"a APPEND x \"29-Feb-2023 13:02:01 +0100\" {1}\r\na\r\n", true},
	{"a APPEND x UTF8 ({1}\r\na)\r\n", true},
	{"a APPEND x CATENATE (TEXT {1}\r\na)\r\n", true},
	{"a SEARCH\r\n", true},
	{"a SEARCH FOO\r\n", true},
	{"a SEARCH (ALL\r\n", true},
	{"a SEARCH ()\r\n", true},
	{"a SEARCH OR ALL\r\n", true},
	{"a SEARCH 0\r\n", true},
	{"a SEARCH 1,\r\n", true},
	{"a SEARCH BEFORE 1-Foo-2000\r\n", true},
	{"a SEARCH LARGER 9223372036854775808\r\n", true},
	{"a SEARCH YOUNGER 0\r\n", true},
	{"a SEARCH EMAILID a.b\r\n", true},
	{"a SEARCH MODSEQ \"/flags/x\" none 1\r\n", true},
	{"a SEARCH RETURN (FOO) ALL\r\n", true},
	{"a SEARCH RETURN (PARTIAL 1:-5) ALL\r\n", true},
	{"a SEARCH ALL  ALL\r\n", true},
	{"a FETCH 1 FOO\r\n", true},
	{"a FETCH 1 (FLAGS\r\n", true},
	{"a FETCH 1 ()\r\n", true},
	{"a FETCH 1 BODY[MIME]\r\n", true},
	{"a FETCH 1 BODY[0]\r\n", true},
	{"a FETCH 1 BODY[1.]\r\n", true},
	{"a FETCH 1 BODY[HEADER.FIELDS ()]\r\n", true},
	{"a FETCH 1 BODY[]<1.0>\r\n", true},
	{"a FETCH 1 BODY[]<1>\r\n", true},
	{"a FETCH 1 BINARY[TEXT]\r\n", true},
	{"a FETCH 1 BODY.PEEK\r\n", true},
	{"a FETCH 1 (FLAGS) (VANISHED)\r\n", true},
	{"a UID FETCH 1 (FLAGS) (VANISHED)\r\n", true},
	{"a FETCH 1 (FLAGS) (FOO)\r\n", true},
	{"a FETCH 1 PREVIEW (FOO)\r\n", true},
	{"a FETCH 1 FLAGS FLAGS\r\n", true},
	{"a FETCH 4294967296 FLAGS\r\n", true},
	{"a STORE 1 FLAGS\r\n", true},
	{"a STORE 1 XFLAGS (\\Seen)\r\n", true},
	{"a STORE 1 FLAGS (\\*)\r\n", true},
	{"a STORE 1 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) FLAGS ()\r\n", true},
	{"a COPY 1\r\n", true},
	{"a UID EXPUNGE\r\n", true},
	{"a ID (\"a\")\r\n", true},
	{"a ID x\r\n", true},
	{"a SORT (FOO) UTF-8 ALL\r\n", true},
	{"a SORT (SUBJECT) ALL\r\n", true},
	{"a THREAD REFERENCES\r\n", true},
	{"a NOTIFY SET (FOO (MessageNew))\r\n", true},
	{"a NOTIFY FOO\r\n", true},
	{"a SETQUOTA x (STORAGE)\r\n", true},
	{"a REPLACE 0 x {1}\r\na\r\n", true},
	{"a ENABLE\r\n", true},
	{"a LOGIN a b\x01\r\n", true},
	{"a LOGIN ~{1}\r\na b\r\n", true},
};

static void test_bad_commands(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(bad_commands); i++) {
		const char *wire = bad_commands[i].wire;
		struct parsed p;

		if (strncmp(wire, "a LOGIN {1}\r\n", 13) == 0) {
			/* Contains a NUL: feed it with its length. */
			static const char nul_cmd[] = "a LOGIN {1}\r\n\0 b\r\n";

			p = parse_wire(nul_cmd, sizeof(nul_cmd) - 1, true, false, NULL);
			assert_int_equal(p.result, IMAP_PARSE_ERROR);
			assert_string_equal(p.tag, "a");
			continue;
		}
		if (wire[0] == '\r') {
			/* An empty line is skipped; the rest is incomplete. */
			p = parse_wire(wire, strlen(wire), true, false, NULL);
			assert_int_equal(p.result, IMAP_PARSE_MORE);
			continue;
		}
		p = parse_command_error(wire);
		if (p.has_tag != bad_commands[i].tagged) {
			fprintf(stderr, "[%s]: tag expected %d\n", wire, bad_commands[i].tagged);
			fail();
		}
		if (bad_commands[i].tagged)
			assert_string_equal(p.tag, "a");
		assert_true(p.message[0] != '\0');
	}
}

static void test_names_and_lookups(void **state)
{
	assert_int_equal(imap_command_kind_lookup("fetch", 5), IMAP_CMD_FETCH);
	assert_int_equal(imap_command_kind_lookup("FETCHX", 6), IMAP_CMD_UNKNOWN);
	assert_string_equal(imap_command_kind_name(IMAP_CMD_GETQUOTAROOT), "GETQUOTAROOT");
	assert_string_equal(imap_command_kind_name(IMAP_CMD_COUNT_), "");
	assert_true(imap_command_kind_allows_uid(IMAP_CMD_REPLACE));
	assert_false(imap_command_kind_allows_uid(IMAP_CMD_LIST));
	assert_string_equal(imap_status_item_name(IMAP_STATUS_SIZE), "SIZE");
	assert_null(imap_status_item_name(IMAP_STATUS_SIZE | IMAP_STATUS_UNSEEN));
	assert_int_equal(imap_status_item_lookup("uidnext", 7), IMAP_STATUS_UIDNEXT);
	assert_int_equal(imap_status_item_lookup("x", 1), 0);
	assert_string_equal(imap_sort_key_name(IMAP_SORT_DISPLAYTO), "DISPLAYTO");
	assert_string_equal(imap_sort_key_name((enum imap_sort_key)99), "");
	assert_string_equal(imap_search_kind_name(IMAP_SEARCH_SAVEDSINCE), "SAVEDSINCE");
	assert_string_equal(imap_search_kind_name(IMAP_SEARCH_AND), "");
	assert_string_equal(imap_fetch_kind_name(IMAP_FETCH_BINARY_SIZE), "BINARY.SIZE");
	assert_string_equal(imap_fetch_kind_name((enum imap_fetch_kind)99), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_all_kinds),
		cmocka_unit_test(test_every_kind_is_covered),
		cmocka_unit_test(test_login_fields),
		cmocka_unit_test(test_select_qresync_fields),
		cmocka_unit_test(test_fetch_fields),
		cmocka_unit_test(test_search_tree),
		cmocka_unit_test(test_store_and_append_fields),
		cmocka_unit_test(test_unknown_keeps_tag),
		cmocka_unit_test(test_bad_commands),
		cmocka_unit_test(test_names_and_lookups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
