/* maildir-name.h — the names Maildir puts on disk: a message file's info
 * suffix (":2,FLAGS", flags and Dovecot keyword letters) and folder names
 * (Maildir++ ".A.B", fs-layout levels and mbox tree levels) mapped to and
 * from hafen's UTF-8 mailbox names with '/' between levels.
 *
 * Folder levels on disk follow Dovecot's defaults: modified UTF-7 (RFC 3501
 * 5.1.3) unless the UTF-8 option is chosen, and characters a level cannot
 * hold on disk written as "\NN" hex, as Dovecot's listescape plugin does
 * ('.' in Maildir++, '/' anywhere, '\' itself, a leading '.' or '~', and
 * in UTF-8 names '&', so that no level can be read as modified UTF-7).
 * Decoding is lenient where it must read other programs' trees: a level
 * that is not valid modified UTF-7 but is valid UTF-8 is taken as it is
 * ("Q&A" written by a UTF-8 layout stays "Q&A").
 */
#ifndef HAFEN_SERVER_MAILIO_MAILDIR_NAME_H
#define HAFEN_SERVER_MAILIO_MAILDIR_NAME_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Maildir's 'P' (passed: resent or forwarded) has no IMAP system flag; it
 * is carried as this keyword (as mbsync and Dovecot's Sieve do). */
#define MAILDIR_FORWARDED_KEYWORD "$Forwarded"
/* Dovecot's keyword letters a..z: at most 26 keywords per folder. */
#define MAILDIR_KEYWORD_LETTERS 26

struct maildir_info {
	unsigned flags;        /* enum store_flag */
	bool forwarded;        /* 'P' */
	uint32_t keyword_mask; /* bit i: letter 'a' + i */
};

/* Length of the unique part of a file name: everything before the info
 * separator ":2," (or ";2,", the separator of systems that cannot have
 * ':' in names). The whole name when there is no info. */
size_t maildir_name_base_len(const char *name, size_t len);
/* Parse the info of a file name. Returns true when it had a ":2," info
 * (flags then filled), false otherwise (info zeroed). Unknown letters are
 * ignored, as the Maildir specification asks. */
bool maildir_name_parse_info(const char *name, size_t len, struct maildir_info *info_r);
/* Append ":2," and the flag letters in ASCII order (the specification's
 * rule): D F P R S T, then the keyword letters a..z. */
void maildir_name_write_info(const struct maildir_info *info, struct buf *out);

/* How folder levels are written on disk. */
enum maildir_layout {
	MAILDIR_LAYOUT_MAILDIRPP, /* ".A.B": '.' separates levels, so is escaped */
	MAILDIR_LAYOUT_TREE,      /* one directory or file per level (fs, mbox) */
};

/* The mailbox name of a folder on disk. For Maildir++, disk is the name
 * without its leading '.' ("A.B"); for a tree, the levels joined by '/'.
 * Appends the UTF-8 name with '/' between levels to out. Returns 0, or -1
 * with *error_r (static) when a level is empty or is neither modified
 * UTF-7 nor UTF-8 after unescaping; out is then left as it was. */
int maildir_name_folder_decode(const char *disk, size_t len, enum maildir_layout layout,
			       struct buf *out, const char **error_r);
/* One level of a mailbox name as it goes on disk: modified UTF-7 unless
 * utf8, then escaped for the layout (see above; in a tree, a trailing
 * ".msf" or ".sbd" is escaped too, since the mbox tree gives those names a
 * meaning). Returns 0, or -1 for a level that is not valid UTF-8. */
int maildir_name_level_encode(const char *level, size_t len, enum maildir_layout layout, bool utf8,
			      struct buf *out, const char **error_r);
/* A whole name in Maildir++ form, with its leading '.': "A/B" -> ".A.B". */
int maildir_name_folder_encode(const char *name, bool utf8, struct buf *out, const char **error_r);

#endif
