/* test-imap-response.c — the response grammar: every response kind parses
 * and writes back byte for byte; fields land where they belong; servers'
 * oddities are tolerated and garbage is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-imap-helpers.h"

static const char *const roundtrip_responses[] = {
	"+ Ready for additional command text\r\n",
	"+ \r\n",
	"+ dGVzdA==\r\n",
	"* OK IMAP4rev2 server ready\r\n",
	"* PREAUTH [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE] logged in as Smith\r\n",
	"* BYE Autologout; idle for too long\r\n",
	"* NO [ALERT] Disk is 98% full, please delete unnecessary data\r\n",
	"* BAD [PARSE] bad header\r\n",
	"A1 OK [READ-WRITE] SELECT completed\r\n",
	"A2 NO [TRYCREATE] no such mailbox\r\n",
	"A3 BAD [CLIENTBUG] command unknown\r\n",
	"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
	"* OK [UIDNEXT 4392] Predicted next UID\r\n",
	"* OK [UNSEEN 12] Message 12 is first unseen\r\n",
	"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
	"* OK [PERMANENTFLAGS ()] none\r\n",
	"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n",
	"* OK [NOMODSEQ] Sorry\r\n",
	"A4 OK [APPENDUID 38505 3955] APPEND completed\r\n",
	"A5 OK [APPENDUID 38505 3955:3957,4000] MULTIAPPEND completed\r\n",
	"A6 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
	"A7 OK [COPYUID 1 5:3 10:12] reversed\r\n",
	"A8 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
	"* OK [CLOSED] Previous mailbox closed\r\n",
	"A9 NO [BADCHARSET (UTF-8 \"x y\")] unsupported\r\n",
	"B1 NO [BADCHARSET] unsupported\r\n",
	"B2 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN LITERAL+] done\r\n",
	"B3 NO [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] exists\r\n",
	"B4 NO [ALREADYEXISTS] x\r\n",
	"B5 NO [NONEXISTENT] x\r\n",
	"B6 NO [AUTHENTICATIONFAILED] x\r\n",
	"B7 NO [AUTHORIZATIONFAILED] x\r\n",
	"B8 NO [EXPIRED] x\r\n",
	"B9 NO [PRIVACYREQUIRED] x\r\n",
	"C1 NO [CONTACTADMIN] x\r\n",
	"C2 NO [NOPERM] x\r\n",
	"C3 NO [INUSE] x\r\n",
	"C4 NO [EXPUNGEISSUED] x\r\n",
	"C5 NO [CORRUPTION] x\r\n",
	"C6 NO [SERVERBUG] x\r\n",
	"C7 NO [CANNOT] x\r\n",
	"C8 NO [LIMIT] x\r\n",
	"C9 NO [OVERQUOTA] x\r\n",
	"D1 NO [TOOBIG] x\r\n",
	"D2 NO [HASCHILDREN] x\r\n",
	"D3 NO [UNAVAILABLE] x\r\n",
	"D4 OK [NOTSAVED] x\r\n",
	"D5 NO [COMPRESSIONACTIVE] x\r\n",
	"D6 NO [UNKNOWN-CTE] x\r\n",
	"D7 NO [USEATTR] x\r\n",
	"D8 OK [UIDNOTSTICKY] x\r\n",
	"D9 OK [READ-ONLY] x\r\n",
	"E1 OK [X-VENDOR some text here] x\r\n",
	"E2 OK [XNOARGS] x\r\n",
	"E3 OK [ALERT] text after a code\r\n",
	"* CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n",
	"* ENABLED CONDSTORE QRESYNC\r\n",
	"* ENABLED\r\n",
	"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n",
	"* LIST (\\Noselect) \"/\" foo\r\n",
	"* LIST () \".\" INBOX.Sent\r\n",
	"* LIST (\\HasNoChildren \\Sent) NIL \"Sent Items\"\r\n",
	"* LIST () \"\\\\\" x\r\n",
	"* LIST (\\Subscribed) \"/\" foo (CHILDINFO (\"SUBSCRIBED\"))\r\n",
	"* LIST () \"/\" bar (OLDNAME (foo))\r\n",
	"* LIST () \"/\" bar (CHILDINFO (\"SUBSCRIBED\") OLDNAME (foo) X-FOO (1 2))\r\n",
	"* LIST () \"/\" bar ()\r\n",
	"* LSUB (\\Noselect) \"/\" ~/Mail/foo\r\n",
	"* LIST () \"/\" {3}\r\na\nb\r\n",
	"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
	"* STATUS x (MESSAGES 1 RECENT 2 UIDNEXT 3 UIDVALIDITY 4 UNSEEN 5 DELETED 6 SIZE 7)\r\n",
	"* STATUS x (HIGHESTMODSEQ 7011231777 APPENDLIMIT 10000 MAILBOXID (abc) DELETED-STORAGE "
	"9)\r\n",
	"* STATUS x (APPENDLIMIT NIL)\r\n",
	"* STATUS x ()\r\n",
	"* SEARCH 2 84 882\r\n",
	"* SEARCH\r\n",
	"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
	"* SORT 2 84 882\r\n",
	"* SORT 5 3 (MODSEQ 5)\r\n",
	"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n",
	"* ESEARCH (TAG \"A284\") MIN 4\r\n",
	"* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n",
	"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
	"* ESEARCH UID COUNT 17 MODSEQ 9001\r\n",
	"* ESEARCH (TAG \"a\") UID ALL 1:5 PARTIAL (1:10 200:250,300)\r\n",
	"* ESEARCH (TAG \"b\") PARTIAL (-1:-10 NIL)\r\n",
	"* ESEARCH\r\n",
	"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
	"* THREAD ((3)(5))\r\n",
	"* THREAD\r\n",
	"* THREAD (1 2 3 4)(5)\r\n",
	"* 23 EXISTS\r\n",
	"* 5 RECENT\r\n",
	"* 44 EXPUNGE\r\n",
	"* VANISHED 405,407,410,425\r\n",
	"* VANISHED (EARLIER) 300:310,405,411\r\n",
	"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE "
	"4286)\r\n",
	"* 12 FETCH (UID 4827313 MODSEQ (65402))\r\n",
	"* 1 FETCH (BODY[] {7}\r\nhel\r\nlo)\r\n",
	"* 1 FETCH (BODY[HEADER.FIELDS (From \"To x\")] {3}\r\na\r\n)\r\n",
	"* 1 FETCH (BODY[1.2.MIME]<0> \"abc\" BODY[TEXT] NIL)\r\n",
	"* 1 FETCH (BINARY[1] ~{3}\r\na\0b BINARY.SIZE[1] 3 BINARY[2]<5> \"xy\")\r\n",
	"* 1 FETCH (RFC822 {1}\r\n\n RFC822.HEADER \"\" RFC822.TEXT NIL)\r\n",
	"* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n",
	"* 1 FETCH (THREADID NIL SAVEDATE NIL)\r\n",
	"* 1 FETCH (SAVEDATE \"01-Feb-2020 10:00:00 +0000\" PREVIEW \"Hi there\")\r\n",
	"* 1 FETCH (PREVIEW NIL)\r\n",
	"* 12 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg "
	"summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry "
	"Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" "
	"\"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL "
	"\"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
	"\"<B27397-0100000@cac.washington.edu>\"))\r\n",
	"* 2 FETCH (ENVELOPE (NIL NIL NIL NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)(NIL "
	"NIL NIL NIL)) NIL NIL NIL NIL))\r\n",
	"* 3 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 "
	"92))\r\n",
	"* 3 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	"3028 92 NIL NIL NIL NIL))\r\n",
	"* 4 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL "
	"\"QUOTED-PRINTABLE\" 1315 42 NIL NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" "
	"\"a.pdf\") \"<id@x>\" \"desc\" \"BASE64\" 4554 \"md5sum\" (\"ATTACHMENT\" (\"FILENAME\" "
	"\"a.pdf\")) (\"en\" \"de\") \"http://x/\" 1 (2 \"x\")) \"MIXED\" (\"BOUNDARY\" \"xyz\") "
	"NIL \"EN\" NIL))\r\n",
	"* 5 FETCH (BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 342 (NIL \"subj\" "
	"NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL NIL "
	"NIL NIL) 12 NIL (\"INLINE\" NIL) NIL NIL))\r\n",
	"* 6 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)((\"IMAGE\" \"GIF\" NIL NIL "
	"NIL \"BASE64\" 20)(\"TEXT\" \"HTML\" NIL NIL NIL \"8BIT\" 5 1) \"ALTERNATIVE\") "
	"\"MIXED\"))\r\n",
	"* 7 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\" "
	"NIL))\r\n",
	"* 8 FETCH (BODYSTRUCTURE (\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 100 NIL "
	"NIL \"fr\"))\r\n",
	"* 9 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL))\r\n",
	"* ID NIL\r\n",
	"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" NIL)\r\n",
	"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
	"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) ((\"~\" "
	"\"/\")) ((\"#shared/\" \"/\")(\"#public/\" NIL))\r\n",
	"* QUOTA \"\" (STORAGE 10 512)\r\n",
	"* QUOTA x (STORAGE 10 512 MESSAGE 1 100)\r\n",
	"* QUOTAROOT INBOX \"\"\r\n",
	"* QUOTAROOT comp.mail.mime\r\n",
	"* ACL INBOX Fred rwipslxetad -Fred r\r\n",
	"* ACL x\r\n",
	"* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n",
	"* MYRIGHTS INBOX rwiptsldaex\r\n",
	"* XFOO 1 (2 \"three\" NIL) BAR\r\n",
	"* 5 XBAR {2}\r\na\n\r\n",
	"* XEMPTY\r\n",
	"* XBIN ~{2}\r\nab\r\n",
};

static size_t wire_len(const char *wire)
{
	size_t len = strlen(wire);

	/* The BINARY[1] line carries a NUL in its literal8. */
	if (strstr(wire, "BINARY[1] ~{3}") != NULL)
		len += 1 + strlen(wire + len + 1);
	return len;
}

static void test_roundtrip_all_kinds(void **state)
{
	bool seen[IMAP_RESP_UNKNOWN + 1] = {false};

	for (size_t i = 0; i < HF_N_ELEMENTS(roundtrip_responses); i++) {
		const char *wire = roundtrip_responses[i];
		struct parsed p = parse_wire(wire, wire_len(wire), false, false, NULL);

		check_response_roundtrip_len(wire, wire_len(wire));
		seen[p.resp->kind] = true;
		parsed_free(&p);
	}
	for (unsigned k = 0; k <= IMAP_RESP_UNKNOWN; k++) {
		if (!seen[k])
			fprintf(stderr, "response kind %u not covered\n", k);
		assert_true(seen[k]);
	}
}

static struct parsed parse_resp(const char *wire)
{
	struct parsed p = parse_wire(wire, strlen(wire), false, false, NULL);

	if (p.result != IMAP_PARSE_DONE) {
		fprintf(stderr, "[%s]: %s\n", wire, p.message);
		fail();
	}
	return p;
}

static void test_status_fields(void **state)
{
	struct parsed p = parse_resp("A1 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n");
	const struct imap_resp_status *st = &p.resp->u.status;

	assert_string_equal(p.resp->tag, "A1");
	assert_int_equal(st->cond, IMAP_COND_OK);
	assert_int_equal(st->code.kind, IMAP_CODE_COPYUID);
	assert_int_equal(st->code.u.copyuid.uidvalidity, 38505);
	assert_int_equal(st->code.u.copyuid.src.count, 2);
	assert_int_equal(st->code.u.copyuid.dst.ranges[0].last, 3958);
	assert_string_equal(st->text, "Done");
	parsed_free(&p);

	/* A known code with arguments it cannot have becomes OTHER. */
	p = parse_resp("* OK [UIDNEXT abc] odd\r\n");
	assert_int_equal(p.resp->u.status.code.kind, IMAP_CODE_OTHER);
	assert_string_equal(p.resp->u.status.code.name, "UIDNEXT");
	assert_string_equal(p.resp->u.status.code.text, "abc");
	parsed_free(&p);

	/* "[" that starts no code is text; text may be missing. */
	p = parse_resp("* OK [unterminated text\r\n");
	assert_int_equal(p.resp->u.status.code.kind, IMAP_CODE_NONE);
	assert_string_equal(p.resp->u.status.text, "[unterminated text");
	parsed_free(&p);
	p = parse_resp("A2 OK\r\n");
	assert_string_equal(p.resp->u.status.text, "");
	parsed_free(&p);
	p = parse_resp("A3 OK [READ-ONLY]\r\n");
	assert_int_equal(p.resp->u.status.code.kind, IMAP_CODE_READ_ONLY);
	parsed_free(&p);
	p = parse_resp("+\r\n");
	assert_int_equal(p.resp->kind, IMAP_RESP_CONTINUE);
	assert_string_equal(p.resp->u.text, "");
	parsed_free(&p);
	p = parse_resp("* ok lower case\r\n");
	assert_int_equal(p.resp->u.status.cond, IMAP_COND_OK);
	parsed_free(&p);
}

static void test_fetch_fields(void **state)
{
	struct parsed p = parse_resp(
		"* 2 FETCH (UID 7 ENVELOPE (NIL \"s\" NIL NIL NIL ((NIL NIL \"grp\" NIL)"
		"(\"A\" NIL \"a\" \"x.org\")(NIL NIL NIL NIL)) NIL NIL NIL \"<m>\") "
		"BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"MESSAGE\" "
		"\"RFC822\" NIL NIL NIL \"7BIT\" 5 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
		"(\"TEXT\" \"HTML\" NIL NIL NIL \"8BIT\" 2 1) 3) \"MIXED\"))\r\n");
	const struct imap_resp_fetch *f = &p.resp->u.fetch;
	const struct imap_envelope *env;
	const struct imap_body *b;

	assert_int_equal(f->seq, 2);
	assert_int_equal(f->count, 3);
	assert_int_equal(f->attrs[0].u.number, 7);
	env = f->attrs[1].u.envelope;
	assert_null(env->date);
	assert_string_equal(env->subject, "s");
	assert_int_equal(env->to.count, 3);
	assert_true(imap_address_is_group_start(&env->to.addrs[0]));
	assert_false(imap_address_is_group_start(&env->to.addrs[1]));
	assert_true(imap_address_is_group_end(&env->to.addrs[2]));
	assert_string_equal(env->message_id, "<m>");
	b = f->attrs[2].u.body;
	assert_int_equal(b->kind, IMAP_BODY_MULTIPART);
	assert_string_equal(b->subtype, "MIXED");
	assert_int_equal(b->part_count, 2);
	assert_int_equal(b->parts[0].kind, IMAP_BODY_TEXT);
	assert_int_equal(b->parts[1].kind, IMAP_BODY_MESSAGE);
	assert_int_equal(b->parts[1].lines, 3);
	assert_int_equal(b->parts[1].body->kind, IMAP_BODY_TEXT);
	assert_string_equal(b->parts[1].body->subtype, "HTML");
	assert_int_equal(b->ext_count, 0);
	parsed_free(&p);
}

static void test_lenient_reading(void **state)
{
	struct parsed p;

	/* SP between addresses, empty address list, NIL encoding. */
	p = parse_resp("* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) "
		       "() NIL NIL NIL NIL NIL NIL))\r\n");
	assert_int_equal(p.resp->u.fetch.attrs[0].u.envelope->from.count, 2);
	assert_int_equal(p.resp->u.fetch.attrs[0].u.envelope->sender.count, 0);
	parsed_free(&p);
	/* MESSAGE/RFC822 without envelope is a basic part. */
	p = parse_resp("* 1 FETCH (BODY (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 5))\r\n");
	assert_int_equal(p.resp->u.fetch.attrs[0].u.body->kind, IMAP_BODY_BASIC);
	parsed_free(&p);
	/* Multipart parts separated by SP. */
	p = parse_resp("* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) "
		       "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\"))\r\n");
	assert_int_equal(p.resp->u.fetch.attrs[0].u.body->part_count, 2);
	parsed_free(&p);
	/* Unknown ESEARCH return data is skipped. */
	p = parse_resp("* ESEARCH (TAG \"x\") FOO (1 2) MIN 3\r\n");
	assert_true(p.resp->u.esearch.has_min);
	assert_int_equal(p.resp->u.esearch.min, 3);
	parsed_free(&p);
	/* Unknown data that is no generic value is kept as text. */
	p = parse_resp("* XWEIRD a) b\r\n");
	assert_int_equal(p.resp->kind, IMAP_RESP_UNKNOWN);
	assert_int_equal(p.resp->u.unknown.count, 1);
	assert_string_equal(p.resp->u.unknown.values[0].str, "a) b");
	parsed_free(&p);
	/* ... also when the values end in the middle of a list. */
	p = parse_resp("* XOPEN (a (b \"c\"\r\n");
	assert_int_equal(p.resp->u.unknown.count, 1);
	assert_string_equal(p.resp->u.unknown.values[0].str, "(a (b \"c\"");
	parsed_free(&p);
	p = parse_resp("* 3 XNUM\r\n");
	assert_true(p.resp->u.unknown.has_number);
	assert_int_equal(p.resp->u.unknown.number, 3);
	assert_string_equal(p.resp->u.unknown.name, "XNUM");
	parsed_free(&p);
	/* After a number a condition word is no status line: "{3}" there is a
	 * literal, read whole (fuzz-imap-response found the writer's literal
	 * read back as the end of a text line). */
	p = parse_resp("* 18 NO (A {3}\r\nP\377L) x\r\n");
	assert_int_equal(p.resp->kind, IMAP_RESP_UNKNOWN);
	assert_string_equal(p.resp->u.unknown.name, "NO");
	assert_int_equal(p.resp->u.unknown.count, 2);
	assert_int_equal(p.resp->u.unknown.values[0].kind, IMAP_VALUE_LIST);
	assert_int_equal(p.resp->u.unknown.values[0].items[1].len, 3);
	assert_memory_equal(p.resp->u.unknown.values[0].items[1].str, "P\377L", 3);
	parsed_free(&p);
	/* A status line's text may still end in something like a literal. */
	p = parse_resp("* NO text {3}\r\n");
	assert_string_equal(p.resp->u.status.text, "text {3}");
	parsed_free(&p);
	p = parse_resp("+go\r\n");
	assert_string_equal(p.resp->u.text, "go");
	parsed_free(&p);
}

static const char *const bad_responses[] = {
	"A1 PREAUTH x\r\n",
	"A1 MAYBE x\r\n",
	"* 1 FETCH (FOO 1)\r\n",
	"* 1 FETCH (UID 0)\r\n",
	"* 1 FETCH (UID)\r\n",
	"* 1 FETCH (BODY[] {3}\r\nabc\r\n",
	"* 1 FETCH (FLAGS (\\Seen) UID 1 )\r\n",
	"* 1 FETCH (INTERNALDATE \"bad\")\r\n",
	"* 1 FETCH (MODSEQ 5)\r\n",
	"* 1 FETCH (EMAILID (a.b))\r\n",
	"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1))\r\n",
	"* 1 FETCH (BODY[] ~{1}\r\na)\r\n",
	"* 1 FETCH (BODY.PEEK[] NIL)\r\n",
	"* 1 FETCH (ENVELOPE (NIL))\r\n",
	"* LIST () \"ab\" x\r\n",
	"* LIST () \"/\"\r\n",
	"* STATUS x (FOO 1)\r\n",
	"* STATUS x (MESSAGES)\r\n",
	"* SEARCH 1 x\r\n",
	"* SEARCH 1 (MODSEQ)\r\n",
	"* ESEARCH (TAG \"x\"\r\n",
	"* ESEARCH MIN x\r\n",
	"* THREAD (1 (2)\r\n",
	"* THREAD x\r\n",
	"* THREAD (a)\r\n",
	"* VANISHED (LATER) 1\r\n",
	"* VANISHED *\r\n",
	"* NAMESPACE ((\"\" \"/\")) NIL\r\n",
	"* NAMESPACE (x) NIL NIL\r\n",
	"* QUOTA x (STORAGE 1)\r\n",
	"* LISTRIGHTS x y\r\n",
	"* MYRIGHTS x\r\n",
	"* ID (\"a\")\r\n",
	"* 1 EXISTS extra\r\n",
	"*  OK x\r\n",
	"* OK\x01\r\n",
	"A\"1 OK x\r\n",
	"* FLAGS (\\Seen\r\n",
	"* FLAGS (\\Seen \\*)\r\n",
};

static void test_bad_responses(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(bad_responses); i++) {
		const char *wire = bad_responses[i];
		struct parsed a = parse_wire(wire, strlen(wire), false, false, NULL);
		struct parsed b = parse_wire(wire, strlen(wire), false, true, NULL);

		if (a.result != IMAP_PARSE_ERROR) {
			fprintf(stderr, "accepted [%s]\n", wire);
			fail();
		}
		assert_int_equal(b.result, IMAP_PARSE_ERROR);
		parsed_free(&a);
		parsed_free(&b);
	}
}

static void test_deep_bodystructure(void **state)
{
	struct imap_parser_limits l;
	struct buf b = BUF_INIT;
	struct parsed p;

	buf_append_str(&b, "* 1 FETCH (BODYSTRUCTURE ");
	for (int i = 0; i < 200; i++)
		buf_append_byte(&b, '(');
	buf_append_str(&b, "\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
	for (int i = 0; i < 199; i++)
		buf_append_str(&b, " \"MIXED\")");
	buf_append_str(&b, ")\r\n");
	p = parse_wire((const char *)b.data, b.len, false, false, NULL);
	assert_int_equal(p.result, IMAP_PARSE_ERROR);
	assert_int_equal(p.kind, IMAP_PERR_TOO_DEEP);
	imap_parser_limits_init(&l, IMAP_LIMITS_CLIENT);
	l.max_depth = 300;
	p = parse_wire((const char *)b.data, b.len, false, true, &l);
	assert_int_equal(p.result, IMAP_PARSE_DONE);
	parsed_free(&p);
	buf_free(&b);
}

static void test_names(void **state)
{
	assert_int_equal(imap_code_kind_lookup("read-write", 10), IMAP_CODE_READ_WRITE);
	assert_int_equal(imap_code_kind_lookup("XYZ", 3), IMAP_CODE_OTHER);
	assert_null(imap_code_kind_name(IMAP_CODE_OTHER));
	assert_null(imap_code_kind_name((enum imap_code_kind)1000));
	assert_string_equal(imap_code_kind_name(IMAP_CODE_UNKNOWN_CTE), "UNKNOWN-CTE");
	assert_string_equal(imap_status_cond_name(IMAP_COND_PREAUTH), "PREAUTH");
	assert_string_equal(imap_status_cond_name((enum imap_status_cond)9), "BAD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_all_kinds),
		cmocka_unit_test(test_status_fields),
		cmocka_unit_test(test_fetch_fields),
		cmocka_unit_test(test_lenient_reading),
		cmocka_unit_test(test_bad_responses),
		cmocka_unit_test(test_deep_bodystructure),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
