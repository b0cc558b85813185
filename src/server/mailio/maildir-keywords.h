/* maildir-keywords.h — Dovecot's per-folder "dovecot-keywords" file, which
 * gives the Maildir file name letters a..z their keyword names:
 *
 *     0 $Forwarded
 *     1 Junk
 *
 * one "INDEX NAME" line per letter ('a' + INDEX). Readers are lenient (a
 * line they do not understand is skipped, as Dovecot does); names that are
 * not valid IMAP keywords are dropped.
 */
#ifndef HAFEN_SERVER_MAILIO_MAILDIR_KEYWORDS_H
#define HAFEN_SERVER_MAILIO_MAILDIR_KEYWORDS_H

#include "maildir-name.h"

#include <stdbool.h>
#include <stddef.h>

#define MAILDIR_KEYWORDS_FILE "dovecot-keywords"
/* A keyword longer than this is not taken (IMAP sets no limit; ours keeps
 * a hostile file from making huge names). */
#define MAILDIR_KEYWORD_MAX 255

struct maildir_keywords {
	char *names[MAILDIR_KEYWORD_LETTERS]; /* NULL: letter unused; owned */
};

void maildir_keywords_init(struct maildir_keywords *kw);
void maildir_keywords_clear(struct maildir_keywords *kw);
/* Fill from a file's contents (replacing nothing already set). */
void maildir_keywords_parse(struct maildir_keywords *kw, const char *data, size_t len);
/* The file's contents for the letters in use. */
void maildir_keywords_write(const struct maildir_keywords *kw, struct buf *out);
/* The letter index of name (compared case-insensitively, as IMAP keywords
 * are); with add, a free letter is given to a new name. -1 when absent, or
 * when all 26 letters are taken. */
int maildir_keywords_index(struct maildir_keywords *kw, const char *name, bool add);

/* Is this a valid IMAP flag-keyword (RFC 9051 flag-keyword: an atom, not
 * starting with '\'), of at most MAILDIR_KEYWORD_MAX bytes? */
bool mailio_keyword_valid(const char *name, size_t len);

#endif
