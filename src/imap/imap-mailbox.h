/* imap-mailbox.h — mailbox-name helpers the server needs: INBOX's case
 * insensitivity and LIST pattern matching with "*" and "%".
 *
 * Names here are in the server's internal form (UTF-8, see imap-utf7.h for
 * the wire conversion). INBOX is case-insensitive (RFC 9051 section 5.1):
 * "inbox" and "Inbox/Sub" mean "INBOX" and "INBOX/Sub".
 */
#ifndef HAFEN_IMAP_MAILBOX_H
#define HAFEN_IMAP_MAILBOX_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Is name "INBOX" in any case? */
bool imap_mailbox_is_inbox(const char *name);
/* When name is INBOX in any case, or INBOX in any case followed by the
 * hierarchy separator sep, upper-case those five letters in place. Returns
 * true when it did apply (the name is INBOX or below it). sep 0 means "no
 * hierarchy". */
bool imap_mailbox_inbox_normalize(char *name, char sep);

/* The internal UTF-8 form of a mailbox name as a client sent it, appended
 * to out. utf8 says the client enabled UTF8=ACCEPT (RFC 9755) or
 * IMAP4rev2: the name is then UTF-8 as it stands; otherwise it is
 * modified UTF-7 (imap-utf7.h). Either way the result is refused when it
 * holds a control character (U+0000-U+001F, U+007F-U+009F) or U+2028 /
 * U+2029, which RFC 9755 section 3 bars from mailbox names. Returns 0, or
 * -1 with a reason fit for a NO/BAD reply (out left as it was). */
int imap_mailbox_name_from_wire(const char *wire, bool utf8, struct buf *out, const char **error_r);
/* The wire form of an internal UTF-8 name: as it is with utf8, else
 * modified UTF-7. Returns 0, or -1 when name is not valid UTF-8. */
int imap_mailbox_name_to_wire(const char *name, bool utf8, struct buf *out, const char **error_r);

/* A compiled LIST pattern (RFC 9051 section 6.3.9): "*" matches any run of
 * characters, "%" any run without the separator. Matching costs
 * O(len(name) * len(pattern) / 64) with no backtracking, so hostile patterns
 * like "*a*a*a*a*a*b" stay cheap. */
struct imap_list_pattern;

/* Longest pattern accepted, in bytes. */
#define IMAP_LIST_PATTERN_MAX 4096

enum imap_list_match {
	IMAP_LIST_MATCH_NO = 0,
	IMAP_LIST_MATCH_YES = 1 << 0,      /* the name itself matches */
	IMAP_LIST_MATCH_CHILDREN = 1 << 1, /* some name below it (name, sep, ...) could match */
};

/* Compile pattern (len bytes, no NUL) for hierarchy separator sep (0: flat
 * names, "%" then equals "*"). A name under INBOX matches its first five
 * letters case-insensitively against the pattern, so "inbox/%" lists
 * "INBOX/a". Returns 0, or -1 when the pattern is too long or has a NUL. */
int imap_list_pattern_new(const char *pattern, size_t len, char sep,
			  struct imap_list_pattern **pattern_r, const char **error_r);
void imap_list_pattern_free(struct imap_list_pattern **pattern);
/* Match a name (NUL-terminated); returns a mask of enum imap_list_match. */
unsigned imap_list_pattern_match(const struct imap_list_pattern *pattern, const char *name);

#endif
