/* test-imap-write.c — the formatter: literal choices and client marks,
 * sanitised text, and structures built by hand that must parse back to
 * what was written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-imap-helpers.h"

/* Write a command, parse it back, write again: same bytes. */
static void check_written_command(const struct imap_command *cmd, const char *want)
{
	struct imap_command_output out, again;
	struct parsed p;

	memset(&out, 0, sizeof(out));
	memset(&again, 0, sizeof(again));
	imap_command_write(&out, cmd, 0);
	if (want != NULL)
		assert_bytes("written command", &out.buf, want, strlen(want));
	p = parse_wire((const char *)out.buf.data, out.buf.len, true, true, NULL);
	if (p.result != IMAP_PARSE_DONE) {
		fprintf(stderr, "[%s]: %s\n", buf_cstr(&out.buf), p.message);
		fail();
	}
	assert_int_equal(p.cmd->kind, cmd->kind);
	imap_command_write(&again, p.cmd, 0);
	assert_bytes("rewritten command", &again.buf, (const char *)out.buf.data, out.buf.len);
	parsed_free(&p);
	imap_command_output_free(&out);
	imap_command_output_free(&again);
}

static void test_literal_marks(void **state)
{
	struct imap_command cmd;
	struct imap_append_message msg;
	struct imap_command_output out;
	char big[5000];

	memset(&cmd, 0, sizeof(cmd));
	memset(&msg, 0, sizeof(msg));
	memset(&out, 0, sizeof(out));
	cmd.tag = "c1";
	cmd.kind = IMAP_CMD_APPEND;
	cmd.u.append.mailbox = "INBOX";
	cmd.u.append.messages = &msg;
	cmd.u.append.count = 1;
	msg.data.data = "hello";
	msg.data.size = 5;
	imap_command_write(&out, &cmd, 0);
	assert_string_equal(buf_cstr(&out.buf), "c1 APPEND INBOX {5}\r\nhello\r\n");
	assert_int_equal(out.mark_count, 1);
	assert_int_equal(out.marks[0].kind, IMAP_MARK_CONTINUATION);
	assert_int_equal(out.marks[0].offset, strlen("c1 APPEND INBOX {5}\r\n"));
	imap_command_output_free(&out);

	imap_command_write(&out, &cmd, IMAP_WRITE_LITERAL_PLUS);
	assert_string_equal(buf_cstr(&out.buf), "c1 APPEND INBOX {5+}\r\nhello\r\n");
	assert_int_equal(out.mark_count, 0);
	imap_command_output_free(&out);

	/* LITERAL-: {n+} only up to 4096 bytes. */
	memset(big, 'x', sizeof(big));
	msg.data.data = big;
	msg.data.size = sizeof(big);
	imap_command_write(&out, &cmd, IMAP_WRITE_LITERAL_MINUS);
	assert_int_equal(out.mark_count, 1);
	assert_memory_equal(out.buf.data, "c1 APPEND INBOX {5000}\r\n", 24);
	imap_command_output_free(&out);

	/* Streamed data: wait for "+", then insert the bytes. */
	msg.data.data = NULL;
	msg.data.size = 1000;
	msg.data.stream = big;
	msg.data.literal8 = true;
	imap_command_write(&out, &cmd, 0);
	assert_string_equal(buf_cstr(&out.buf), "c1 APPEND INBOX ~{1000}\r\n\r\n");
	assert_int_equal(out.mark_count, 2);
	assert_int_equal(out.marks[0].kind, IMAP_MARK_CONTINUATION);
	assert_int_equal(out.marks[1].kind, IMAP_MARK_STREAM);
	assert_int_equal(out.marks[1].offset, out.marks[0].offset);
	assert_int_equal(out.marks[1].size, 1000);
	assert_ptr_equal(out.marks[1].stream, big);
	imap_command_output_free(&out);
}

static void test_string_choices(void **state)
{
	struct imap_command cmd;
	struct imap_command_output out;

	memset(&cmd, 0, sizeof(cmd));
	memset(&out, 0, sizeof(out));
	cmd.tag = "l1";
	cmd.kind = IMAP_CMD_LOGIN;
	cmd.u.login.user = "gr\xc3\xbc\xc3\x9f";
	cmd.u.login.password = "NIL";
	imap_command_write(&out, &cmd, 0);
	assert_string_equal(buf_cstr(&out.buf), "l1 LOGIN {6}\r\ngr\xc3\xbc\xc3\x9f \"NIL\"\r\n");
	imap_command_output_free(&out);
	imap_command_write(&out, &cmd, IMAP_WRITE_UTF8);
	assert_string_equal(buf_cstr(&out.buf), "l1 LOGIN \"gr\xc3\xbc\xc3\x9f\" \"NIL\"\r\n");
	imap_command_output_free(&out);
	check_written_command(&cmd, NULL);

	cmd.kind = IMAP_CMD_UNKNOWN;
	cmd.name = "XPING";
	imap_command_write(&out, &cmd, 0);
	assert_string_equal(buf_cstr(&out.buf), "l1 XPING\r\n");
	imap_command_output_free(&out);
}

static void test_search_built_by_hand(void **state)
{
	static const struct imap_seq_range r1[] = {{1, 5}, {9, RANGESET_STAR}};
	struct imap_search_key inner[2], keys[6], not_key, or_a, or_b;
	struct imap_command cmd;

	memset(keys, 0, sizeof(keys));
	memset(inner, 0, sizeof(inner));
	memset(&not_key, 0, sizeof(not_key));
	memset(&or_a, 0, sizeof(or_a));
	memset(&or_b, 0, sizeof(or_b));
	inner[0].kind = IMAP_SEARCH_SEEN;
	inner[1].kind = IMAP_SEARCH_SUBJECT;
	inner[1].u.string = "a \"quoted\" subject";
	keys[0].kind = IMAP_SEARCH_AND;
	keys[0].u.all_of.keys = inner;
	keys[0].u.all_of.count = 2;
	keys[1].kind = IMAP_SEARCH_UID;
	keys[1].u.seqset.ranges = r1;
	keys[1].u.seqset.count = 2;
	not_key.kind = IMAP_SEARCH_LARGER;
	not_key.u.number = 1000;
	keys[2].kind = IMAP_SEARCH_NOT;
	keys[2].u.negated = &not_key;
	or_a.kind = IMAP_SEARCH_SINCE;
	or_a.u.date = (struct imap_date){2024, 2, 29};
	or_b.kind = IMAP_SEARCH_MODSEQ;
	or_b.u.modseq.modseq = 42;
	or_b.u.modseq.entry_name = "/flags/\\seen";
	or_b.u.modseq.entry_type = IMAP_SEARCH_ENTRY_PRIV;
	keys[3].kind = IMAP_SEARCH_OR;
	keys[3].u.either.a = &or_a;
	keys[3].u.either.b = &or_b;
	keys[4].kind = IMAP_SEARCH_HEADER;
	keys[4].u.header.name = "X-Multi\r\nLine";
	keys[4].u.header.value = "";
	keys[5].kind = IMAP_SEARCH_SEQSET;
	keys[5].u.seqset.saved = true;

	memset(&cmd, 0, sizeof(cmd));
	cmd.tag = "s";
	cmd.uid = true;
	cmd.kind = IMAP_CMD_SEARCH;
	cmd.u.search.opts.keys = keys;
	cmd.u.search.opts.key_count = 6;
	cmd.u.search.opts.charset = "UTF-8";
	cmd.u.search.opts.has_return = true;
	cmd.u.search.opts.ret = IMAP_SEARCH_RETURN_COUNT | IMAP_SEARCH_RETURN_SAVE;
	check_written_command(&cmd,
			      "s UID SEARCH RETURN (COUNT SAVE) CHARSET UTF-8 "
			      "(SEEN SUBJECT \"a \\\"quoted\\\" subject\") UID 1:5,9:* NOT "
			      "LARGER 1000 OR SINCE 29-Feb-2024 MODSEQ \"/flags/\\\\seen\" priv "
			      "42 HEADER {13}\r\nX-Multi\r\nLine \"\" $\r\n");
}

static void check_written_response(const struct imap_response *resp, const char *want)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	struct parsed p;

	imap_response_write(&out, resp, 0);
	if (want != NULL)
		assert_bytes("written response", &out, want, strlen(want));
	p = parse_wire((const char *)out.data, out.len, false, true, NULL);
	if (p.result != IMAP_PARSE_DONE) {
		fprintf(stderr, "[%s]: %s\n", buf_cstr(&out), p.message);
		fail();
	}
	assert_int_equal(p.resp->kind, resp->kind);
	imap_response_write(&again, p.resp, 0);
	assert_bytes("rewritten response", &again, (const char *)out.data, out.len);
	parsed_free(&p);
	buf_free(&out);
	buf_free(&again);
}

static void test_status_text(void **state)
{
	struct imap_response r;
	struct buf b = BUF_INIT;

	memset(&r, 0, sizeof(r));
	r.kind = IMAP_RESP_STATUS;
	r.tag = "t1";
	r.u.status.cond = IMAP_COND_OK;
	r.u.status.code.kind = IMAP_CODE_READ_WRITE;
	check_written_response(&r, "t1 OK [READ-WRITE] completed\r\n");
	r.u.status.cond = IMAP_COND_NO;
	r.u.status.text = "line\r\n* OK injected";
	r.u.status.code.kind = IMAP_CODE_OTHER;
	r.u.status.code.name = "X-FOO";
	r.u.status.code.text = "a]b\r\nc";
	check_written_response(&r, "t1 NO [X-FOO a b  c] line  * OK injected\r\n");
	r.tag = NULL;
	r.u.status.cond = IMAP_COND_BYE;
	r.u.status.text = NULL;
	r.u.status.code.kind = IMAP_CODE_NONE;
	check_written_response(&r, "* BYE closing\r\n");

	imap_write_status(&b, NULL, IMAP_COND_BAD, NULL, "");
	assert_string_equal(buf_cstr(&b), "* BAD invalid");
	buf_reset(&b);
	imap_write_status(&b, "x", IMAP_COND_PREAUTH, NULL, "hi");
	assert_string_equal(buf_cstr(&b), "x PREAUTH hi");
	buf_reset(&b);
	imap_write_status(&b, "x", IMAP_COND_NO, NULL, NULL);
	assert_string_equal(buf_cstr(&b), "x NO failed");
	buf_reset(&b);
	imap_write_text(&b, "a\nb");
	assert_string_equal(buf_cstr(&b), "a b");
	buf_free(&b);
}

static void test_codes_built_by_hand(void **state)
{
	static const char *const charsets[] = {"UTF-8", "we\"ird]", "a\r\nb"};
	static const char *const flags[] = {"\\Seen", "\\*"};
	static const struct imap_seq_range src[] = {{5, 3}}, dst[] = {{10, 12}};
	struct imap_response r;
	struct buf b = BUF_INIT;

	memset(&r, 0, sizeof(r));
	r.kind = IMAP_RESP_STATUS;
	r.tag = "c";
	r.u.status.text = "t";
	r.u.status.code.kind = IMAP_CODE_BADCHARSET;
	r.u.status.code.u.strings.items = charsets;
	r.u.status.code.u.strings.count = 2;
	check_written_response(&r, "c OK [BADCHARSET (UTF-8 \"we\\\"ird]\")] t\r\n");
	/* No line break can get into a code. */
	r.u.status.code.u.strings.count = 3;
	imap_write_resp_code(&b, &r.u.status.code);
	assert_string_equal(buf_cstr(&b), "[BADCHARSET (UTF-8 \"we\\\"ird]\" \"ab\")]");
	buf_free(&b);
	r.u.status.code.kind = IMAP_CODE_PERMANENTFLAGS;
	r.u.status.code.u.strings.items = flags;
	r.u.status.code.u.strings.count = 2;
	check_written_response(&r, "c OK [PERMANENTFLAGS (\\Seen \\*)] t\r\n");
	r.u.status.code.kind = IMAP_CODE_COPYUID;
	r.u.status.code.u.copyuid.uidvalidity = 9;
	r.u.status.code.u.copyuid.src.ranges = src;
	r.u.status.code.u.copyuid.src.count = 1;
	r.u.status.code.u.copyuid.dst.ranges = dst;
	r.u.status.code.u.copyuid.dst.count = 1;
	check_written_response(&r, "c OK [COPYUID 9 5:3 10:12] t\r\n");
	r.u.status.code.kind = IMAP_CODE_MAILBOXID;
	r.u.status.code.u.objectid = "F123";
	check_written_response(&r, "c OK [MAILBOXID (F123)] t\r\n");
	r.u.status.code.kind = IMAP_CODE_HIGHESTMODSEQ;
	r.u.status.code.u.number = 9223372036854775807ULL;
	check_written_response(&r, "c OK [HIGHESTMODSEQ 9223372036854775807] t\r\n");
}

static void test_envelope_and_body_by_hand(void **state)
{
	static const struct imap_address to[] = {
		{NULL, NULL, "undisclosed-recipients", NULL},
		{NULL, NULL, NULL, NULL},
		{"J\xc3\xb6rg \"the\" Name", NULL, "joerg", "example.org"},
	};
	static const struct imap_body_param charset[] = {{"CHARSET", "UTF-8"}};
	static const char *const langs[] = {"en", "de"};
	struct imap_envelope env;
	struct imap_body parts[2], root;
	struct imap_fetch_attr attrs[3];
	struct imap_value ext_items[2], ext;
	struct imap_response r;

	memset(&env, 0, sizeof(env));
	env.subject = "line\r\nbreak";
	env.to.addrs = to;
	env.to.count = 3;
	env.message_id = "<id@x>";
	memset(parts, 0, sizeof(parts));
	parts[0].kind = IMAP_BODY_TEXT;
	parts[0].type = "TEXT";
	parts[0].subtype = "PLAIN";
	parts[0].params.items = charset;
	parts[0].params.count = 1;
	parts[0].encoding = "QUOTED-PRINTABLE";
	parts[0].octets = 1234;
	parts[0].lines = 56;
	parts[0].ext_count = 4;
	parts[0].disposition.type = "INLINE";
	parts[0].language.langs.items = langs;
	parts[0].language.langs.count = 2;
	parts[0].language.list = true;
	parts[0].location = "loc";
	memset(ext_items, 0, sizeof(ext_items));
	ext_items[0].kind = IMAP_VALUE_ATOM;
	ext_items[0].str = "7";
	ext_items[0].len = 1;
	ext_items[1].kind = IMAP_VALUE_NIL;
	memset(&ext, 0, sizeof(ext));
	ext.kind = IMAP_VALUE_LIST;
	ext.items = ext_items;
	ext.count = 2;
	parts[0].extensions = &ext;
	parts[0].extension_count = 1;
	parts[1].kind = IMAP_BODY_BASIC;
	parts[1].type = "APPLICATION";
	parts[1].subtype = "OCTET-STREAM";
	parts[1].encoding = NULL; /* written as 7BIT */
	parts[1].octets = 9;
	memset(&root, 0, sizeof(root));
	root.kind = IMAP_BODY_MULTIPART;
	root.subtype = "MIXED";
	root.parts = parts;
	root.part_count = 2;
	root.ext_count = 1;

	memset(attrs, 0, sizeof(attrs));
	attrs[0].item.kind = IMAP_FETCH_ENVELOPE;
	attrs[0].u.envelope = &env;
	attrs[1].item.kind = IMAP_FETCH_BODYSTRUCTURE;
	attrs[1].u.body = &root;
	attrs[2].item.kind = IMAP_FETCH_BODY;
	attrs[2].u.body = &root;
	memset(&r, 0, sizeof(r));
	r.kind = IMAP_RESP_FETCH;
	r.u.fetch.seq = 4;
	r.u.fetch.attrs = attrs;
	r.u.fetch.count = 3;
	check_written_response(
		&r,
		"* 4 FETCH (ENVELOPE (NIL {11}\r\nline\r\nbreak NIL NIL NIL ((NIL NIL "
		"\"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)({16}\r\nJ\xc3\xb6rg \"the\" "
		"Name NIL \"joerg\" \"example.org\")) NIL NIL NIL \"<id@x>\") BODYSTRUCTURE "
		"((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 1234 "
		"56 NIL (\"INLINE\" NIL) (\"en\" \"de\") \"loc\" (7 NIL))(\"APPLICATION\" "
		"\"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 9) \"MIXED\" NIL) BODY ((\"TEXT\" "
		"\"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 1234 56)"
		"(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 9) \"MIXED\"))\r\n");
}

/* A server writing a FETCH piece by piece, streaming the body itself. */
static void test_fetch_by_pieces(void **state)
{
	static const uint32_t parts[] = {1, 2};
	struct imap_fetch_item item;
	struct buf b = BUF_INIT;
	struct parsed p;

	memset(&item, 0, sizeof(item));
	item.kind = IMAP_FETCH_BODY_SECTION;
	item.peek = true; /* never written in a response */
	item.section.parts = parts;
	item.section.part_count = 2;
	item.section.text = IMAP_SECTION_MIME;
	item.has_partial = true;
	item.partial_offset = 10;
	item.partial_length = 99;
	buf_append_str(&b, "* 7 FETCH (UID 3 ");
	imap_write_fetch_item_name(&b, &item, 0);
	buf_append_byte(&b, ' ');
	imap_write_literal_header(&b, 4, false);
	buf_append_str(&b, "data FLAGS ");
	imap_write_flag_list(&b, &(struct imap_strlist){NULL, 0});
	buf_append_str(&b, " X ");
	buf_append_str(&b, ")\r\n");
	assert_string_equal(buf_cstr(&b),
			    "* 7 FETCH (UID 3 BODY[1.2.MIME]<10> {4}\r\ndata FLAGS () X )\r\n");
	buf_truncate(&b, b.len - 6);
	buf_append_str(&b, ")\r\n");
	p = parse_wire((const char *)b.data, b.len, false, true, NULL);
	assert_int_equal(p.result, IMAP_PARSE_DONE);
	assert_int_equal(p.resp->u.fetch.attrs[1].item.partial_offset, 10);
	assert_memory_equal(p.resp->u.fetch.attrs[1].u.string.data, "data", 4);
	parsed_free(&p);

	buf_reset(&b);
	imap_write_astring(&b, "a b", 0);
	buf_append_byte(&b, ' ');
	imap_write_string(&b, "ab", 2, 0);
	buf_append_byte(&b, ' ');
	imap_write_nstring(&b, NULL, 0);
	buf_append_byte(&b, ' ');
	imap_write_section(&b, &item.section, 0);
	buf_append_byte(&b, ' ');
	imap_write_literal_header(&b, 2, true);
	assert_string_equal(buf_cstr(&b), "\"a b\" \"ab\" NIL [1.2.MIME] ~{2}\r\n");
	buf_free(&b);
}

static void test_envelope_and_body_pieces(void **state)
{
	struct imap_envelope env;
	struct imap_body body;
	struct imap_resp_code code;
	struct buf b = BUF_INIT;

	memset(&env, 0, sizeof(env));
	imap_write_envelope(&b, &env, 0);
	assert_string_equal(buf_cstr(&b), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	buf_reset(&b);
	memset(&body, 0, sizeof(body));
	body.kind = IMAP_BODY_TEXT;
	body.type = "TEXT";
	body.subtype = "PLAIN";
	body.encoding = "8BIT";
	body.ext_count = 2;
	imap_write_body(&b, &body, true, IMAP_WRITE_UTF8);
	assert_string_equal(buf_cstr(&b), "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"8BIT\" 0 0 NIL NIL)");
	buf_reset(&b);
	imap_write_body(&b, &body, false, 0);
	assert_string_equal(buf_cstr(&b), "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"8BIT\" 0 0)");
	buf_reset(&b);
	memset(&code, 0, sizeof(code));
	imap_write_resp_code(&b, &code);
	assert_string_equal(buf_cstr(&b), "");
	code.kind = IMAP_CODE_TRYCREATE;
	imap_write_resp_code(&b, &code);
	assert_string_equal(buf_cstr(&b), "[TRYCREATE]");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_marks),
		cmocka_unit_test(test_string_choices),
		cmocka_unit_test(test_search_built_by_hand),
		cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_codes_built_by_hand),
		cmocka_unit_test(test_envelope_and_body_by_hand),
		cmocka_unit_test(test_fetch_by_pieces),
		cmocka_unit_test(test_envelope_and_body_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
