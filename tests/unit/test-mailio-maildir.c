/* test-mailio-maildir.c — Maildir file name info, folder names on disk
 * (Maildir++, fs/mbox trees, modified UTF-7, listescape escapes), the
 * dovecot-keywords file and the line end conversions.
 *
 * src/server is not part of libhafen, so the sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/mailio/mailio-text.c"
#include "server/mailio/maildir-keywords.c"
#include "server/mailio/maildir-name.c"

#include <stdio.h>
#include <stdlib.h>

static void test_info_parse(void **state)
{
	static const struct {
		const char *name;
		bool has;
		unsigned flags;
		bool fwd;
		uint32_t kw;
	} cases[] = {
		{"1491941793.M41850P8566.mx1,S=10956:2,STln", true,
		 STORE_FLAG_SEEN | STORE_FLAG_DELETED, false, (1u << 11) | (1u << 13)},
		{"123.abc.host", false, 0, false, 0},
		{"123.abc.host:2,", true, 0, false, 0},
		{"123.abc.host:2,DFPRS", true,
		 STORE_FLAG_DRAFT | STORE_FLAG_FLAGGED | STORE_FLAG_ANSWERED | STORE_FLAG_SEEN,
		 true, 0},
		{"123.abc.host;2,Sa", true, STORE_FLAG_SEEN, false, 1},
		{"123.abc.host:1,S", false, 0, false, 0},
		{"123.a:2,b.host:2,Fz", true, STORE_FLAG_FLAGGED, false, 1u << 25},
		{"123.abc.host:2,S?!Xa", true, STORE_FLAG_SEEN, false, 1},
	};

	(void)state;
	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		struct maildir_info info;
		size_t len = strlen(cases[i].name);

		assert_int_equal(maildir_name_parse_info(cases[i].name, len, &info), cases[i].has);
		assert_int_equal(info.flags, cases[i].flags);
		assert_int_equal(info.forwarded, cases[i].fwd);
		assert_int_equal(info.keyword_mask, cases[i].kw);
	}
	assert_int_equal(maildir_name_base_len("1.2.h:2,S", 9), 5);
	assert_int_equal(maildir_name_base_len("1.2.h", 5), 5);
}

static void test_info_write(void **state)
{
	struct maildir_info info = {STORE_FLAGS_ALL, true, (1u << 0) | (1u << 2) | (1u << 25)};
	struct maildir_info back;
	struct buf b = BUF_INIT;

	(void)state;
	maildir_name_write_info(&info, &b);
	assert_string_equal(buf_cstr(&b), ":2,DFPRSTacz");
	assert_true(maildir_name_parse_info((char *)b.data, b.len, &back));
	assert_int_equal(back.flags, info.flags);
	assert_int_equal(back.forwarded, info.forwarded);
	assert_int_equal(back.keyword_mask, info.keyword_mask);
	buf_reset(&b);
	memset(&info, 0, sizeof(info));
	maildir_name_write_info(&info, &b);
	assert_string_equal(buf_cstr(&b), ":2,");
	buf_free(&b);
}

static void check_decode(const char *disk, enum maildir_layout layout, const char *want)
{
	struct buf b = BUF_INIT;
	const char *error = NULL;
	int ret = maildir_name_folder_decode(disk, strlen(disk), layout, &b, &error);

	if (want == NULL) {
		assert_int_equal(ret, -1);
		assert_non_null(error);
		assert_int_equal(b.len, 0);
	} else {
		assert_int_equal(ret, 0);
		assert_string_equal(buf_cstr(&b), want);
	}
	buf_free(&b);
}

static void test_folder_decode(void **state)
{
	(void)state;
	check_decode("Sent", MAILDIR_LAYOUT_MAILDIRPP, "Sent");
	check_decode("A.B.C", MAILDIR_LAYOUT_MAILDIRPP, "A/B/C");
	check_decode("Caf&AOk-", MAILDIR_LAYOUT_MAILDIRPP, "Caf\xc3\xa9");
	check_decode("&ZeVnLIqe-.x", MAILDIR_LAYOUT_MAILDIRPP,
		     "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/x");
	check_decode("Q&A", MAILDIR_LAYOUT_MAILDIRPP, "Q&A"); /* not mUTF-7: as it is */
	check_decode("R&-D", MAILDIR_LAYOUT_MAILDIRPP, "R&D");
	check_decode("Caf\xc3\xa9", MAILDIR_LAYOUT_MAILDIRPP, "Caf\xc3\xa9"); /* UTF-8 layout */
	check_decode("v1\\2e2", MAILDIR_LAYOUT_MAILDIRPP, "v1.2");            /* listescape */
	check_decode("a\\5Cb", MAILDIR_LAYOUT_MAILDIRPP, "a\\b");
	check_decode("a\\zz", MAILDIR_LAYOUT_MAILDIRPP, "a\\zz"); /* not an escape */
	check_decode("a/b", MAILDIR_LAYOUT_TREE, "a/b");
	check_decode("a.b/c", MAILDIR_LAYOUT_TREE, "a.b/c");
	check_decode("A..B", MAILDIR_LAYOUT_MAILDIRPP, NULL);
	check_decode("", MAILDIR_LAYOUT_MAILDIRPP, NULL);
	check_decode("A.", MAILDIR_LAYOUT_MAILDIRPP, NULL);
	check_decode("Caf\xe9", MAILDIR_LAYOUT_MAILDIRPP, NULL); /* Latin-1 */
	check_decode("a\\00b", MAILDIR_LAYOUT_MAILDIRPP, NULL);
	check_decode("a\\2fb", MAILDIR_LAYOUT_MAILDIRPP, NULL); /* '/' in a level */
	check_decode("&AOk-\\2e&AOk-", MAILDIR_LAYOUT_MAILDIRPP, "\xc3\xa9.\xc3\xa9");
	check_decode("\\26AOk-", MAILDIR_LAYOUT_MAILDIRPP, "&AOk-");
}

static void check_encode(const char *name, bool utf8, const char *want)
{
	struct buf b = BUF_INIT, back = BUF_INIT;
	const char *error;

	assert_int_equal(maildir_name_folder_encode(name, utf8, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), want);
	/* And back, without the leading '.'. */
	assert_int_equal(maildir_name_folder_decode((char *)b.data + 1, b.len - 1,
						    MAILDIR_LAYOUT_MAILDIRPP, &back, &error),
			 0);
	assert_string_equal(buf_cstr(&back), name);
	buf_free(&b);
	buf_free(&back);
}

static void test_folder_encode(void **state)
{
	struct buf b = BUF_INIT;
	const char *error;

	(void)state;
	check_encode("Sent", false, ".Sent");
	check_encode("A/B", false, ".A.B");
	check_encode("Caf\xc3\xa9/R&D", false, ".Caf&AOk-.R&-D");
	check_encode("Caf\xc3\xa9", true, ".Caf\xc3\xa9");
	check_encode("&AOk-/R&D", true, ".\\26AOk-.R\\26D"); /* not read as modified UTF-7 */
	check_encode("&AOk-", false, ".&-AOk-");
	check_encode("v1.2/.hidden", false, ".v1\\2e2.\\2ehidden");
	check_encode("~home", false, ".\\7ehome");
	check_encode("a\\b", false, ".a\\5cb");
	/* A tree escapes only what a tree level cannot hold. */
	assert_int_equal(
		maildir_name_level_encode("v1.2", 4, MAILDIR_LAYOUT_TREE, false, &b, &error), 0);
	assert_int_equal(maildir_name_level_encode(".x", 2, MAILDIR_LAYOUT_TREE, false, &b, &error),
			 0);
	assert_int_equal(
		maildir_name_level_encode("a.msf", 5, MAILDIR_LAYOUT_TREE, false, &b, &error), 0);
	assert_int_equal(
		maildir_name_level_encode("a.sbd", 5, MAILDIR_LAYOUT_TREE, false, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "v1.2\\2exa\\2emsfa\\2esbd");
	assert_int_equal(
		maildir_name_level_encode("\xff", 1, MAILDIR_LAYOUT_TREE, false, &b, &error), -1);
	buf_free(&b);
}

static void test_keywords_file(void **state)
{
	static const char file[] = "0 $Forwarded\n1 Junk\r\nbad line\n2 \n30 TooFar\n"
				   "3 has space\n1 Again\n4 $Label1\n25 last";
	struct maildir_keywords kw;
	struct buf b = BUF_INIT;

	(void)state;
	maildir_keywords_init(&kw);
	maildir_keywords_parse(&kw, file, sizeof(file) - 1);
	assert_string_equal(kw.names[0], "$Forwarded");
	assert_string_equal(kw.names[1], "Junk");
	assert_null(kw.names[2]);
	assert_null(kw.names[3]);
	assert_string_equal(kw.names[4], "$Label1");
	assert_string_equal(kw.names[25], "last");
	assert_int_equal(maildir_keywords_index(&kw, "junk", false), 1);
	assert_int_equal(maildir_keywords_index(&kw, "New", false), -1);
	assert_int_equal(maildir_keywords_index(&kw, "New", true), 2);
	maildir_keywords_write(&kw, &b);
	assert_string_equal(buf_cstr(&b), "0 $Forwarded\n1 Junk\n2 New\n4 $Label1\n25 last\n");
	for (int i = 0; i < 21; i++) {
		char name[16];

		snprintf(name, sizeof(name), "k%d", i);
		assert_true(maildir_keywords_index(&kw, name, true) >= 0);
	}
	assert_int_equal(maildir_keywords_index(&kw, "oneTooMany", true), -1);
	maildir_keywords_clear(&kw);
	buf_free(&b);
	assert_true(mailio_keyword_valid("$Junk", 5));
	assert_false(mailio_keyword_valid("\\Seen", 5));
	assert_false(mailio_keyword_valid("a(b", 3));
	assert_false(mailio_keyword_valid("", 0));
}

static void check_text_n(const char *in, size_t len, const char *crlf, size_t crlf_len,
			 bool reversible)
{
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;

	mailio_to_crlf(in, len, &a);
	assert_int_equal(a.len, crlf_len);
	assert_memory_equal(a.data, crlf, a.len);
	assert_int_equal(mailio_lf_reversible(a.data, a.len), reversible);
	mailio_to_lf(a.data, a.len, &b);
	mailio_to_crlf(b.data, b.len, &c);
	if (reversible) {
		assert_int_equal(c.len, a.len);
		assert_memory_equal(c.data, a.data, a.len);
	}
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

static void check_text(const char *in, size_t len, const char *crlf, bool reversible)
{
	check_text_n(in, len, crlf, strlen(crlf), reversible);
}

static void test_line_ends(void **state)
{
	(void)state;
	check_text("a\nb\n", 4, "a\r\nb\r\n", true);
	check_text("a\r\nb", 4, "a\r\nb", true);
	check_text("\n", 1, "\r\n", true);
	check_text("a\rb\r", 4, "a\rb\r", true);
	check_text("a\r\r\nb", 5, "a\r\r\nb", false);
	check_text("a\r\r\n", 4, "a\r\r\n", false);
	check_text("", 0, "", true);
	check_text_n("x\0y\n", 4, "x\0y\r\n", 5, true);
	assert_false(mailio_lf_reversible("a\nb", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_parse),    cmocka_unit_test(test_info_write),
		cmocka_unit_test(test_folder_decode), cmocka_unit_test(test_folder_encode),
		cmocka_unit_test(test_keywords_file), cmocka_unit_test(test_line_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
