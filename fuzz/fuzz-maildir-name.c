/* fuzz-maildir-name.c — Maildir names from disk: folder names (Maildir++
 * and trees: modified UTF-7, UTF-8, listescape escapes), a file name's
 * ":2," info and the dovecot-keywords file.
 *
 * Every folder name that decodes must encode again (Maildir++, modified
 * UTF-7 and UTF-8 levels) and decode back to the same mailbox name; the
 * info written back from what was parsed must parse the same. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/mailio/maildir-keywords.c"
#include "server/mailio/maildir-name.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_folder(const char *s, size_t len, enum maildir_layout layout)
{
	struct buf name = BUF_INIT;
	const char *error;

	if (maildir_name_folder_decode(s, len, layout, &name, &error) == 0) {
		for (int utf8 = 0; utf8 <= 1; utf8++) {
			struct buf enc = BUF_INIT, back = BUF_INIT;

			if (maildir_name_folder_encode(buf_cstr(&name), utf8 != 0, &enc, &error) <
				    0 ||
			    maildir_name_folder_decode((const char *)enc.data + 1, enc.len - 1,
						       MAILDIR_LAYOUT_MAILDIRPP, &back,
						       &error) < 0 ||
			    back.len != name.len || memcmp(back.data, name.data, name.len) != 0)
				abort();
			buf_free(&enc);
			buf_free(&back);
		}
	}
	buf_free(&name);
}

static void check_info(const char *s, size_t len)
{
	struct maildir_info info, again;
	struct buf b = BUF_INIT;

	maildir_name_parse_info(s, len, &info);
	if (maildir_name_base_len(s, len) > len)
		abort();
	maildir_name_write_info(&info, &b);
	if (!maildir_name_parse_info((const char *)b.data, b.len, &again) ||
	    again.flags != info.flags || again.forwarded != info.forwarded ||
	    again.keyword_mask != info.keyword_mask)
		abort();
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct maildir_keywords kw;
	struct buf b = BUF_INIT;

	check_folder(s, size, MAILDIR_LAYOUT_MAILDIRPP);
	check_folder(s, size, MAILDIR_LAYOUT_TREE);
	check_info(s, size);
	maildir_keywords_init(&kw);
	maildir_keywords_parse(&kw, s, size);
	maildir_keywords_write(&kw, &b);
	for (size_t i = 0; i < MAILDIR_KEYWORD_LETTERS; i++)
		if (kw.names[i] != NULL && !mailio_keyword_valid(kw.names[i], strlen(kw.names[i])))
			abort();
	maildir_keywords_clear(&kw);
	buf_free(&b);
	return 0;
}
