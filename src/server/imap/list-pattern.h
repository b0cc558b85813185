/* list-pattern.h — a LIST pattern as list-tree.c matches it: the compiled
 * matcher of imap-mailbox.h, behind two cheap checks that settle most
 * names without it (a pattern without wildcards is a name to compare; a
 * literal prefix must be the name's prefix), and a measure of what the
 * matcher costs, so a LIST can bound its work.
 */
#ifndef HAFEN_SERVER_IMAP_LIST_PATTERN_H
#define HAFEN_SERVER_IMAP_LIST_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct imap_list_pattern;

/* The longest name the store accepts (store_mailbox_name_canonical): a
 * pattern with more bytes than that besides its wildcards matches no
 * name. */
#define LIST_NAME_MAX 1024

struct list_pattern {
	struct imap_list_pattern *compiled; /* NULL for an exact name */
	char *literal;      /* exact: the canonical name; else the prefix every match has */
	size_t literal_len; /* 0: no prefix to check */
	bool exact;
	uint64_t cost; /* matcher work per name byte: 64-bit words of its state */
};

/* Prepare a pattern: UTF-8, the reference already joined, '/' the
 * delimiter. Returns 0, or -1 when it can match no name (longer than
 * IMAP_LIST_PATTERN_MAX, more than LIST_NAME_MAX bytes besides wildcards,
 * an exact name the store would refuse); p is then cleared. */
int list_pattern_init(struct list_pattern *p, const char *pattern, size_t len);
void list_pattern_clear(struct list_pattern *p);

/* Match a canonical name (len bytes, NUL-terminated): enum
 * imap_list_match bits, as imap_list_pattern_match() gives them. *work
 * grows by the matcher's cost when the cheap checks did not decide. */
unsigned list_pattern_match(const struct list_pattern *p, const char *name, size_t len,
			    uint64_t *work);

#endif
