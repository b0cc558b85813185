/* list-tree.h — which names a LIST or LSUB reports and what is known of
 * each (RFC 9051 6.3.9, RFC 5258 LIST-EXTENDED, RFC 3501 6.3.9 LSUB),
 * worked out from one user's mailboxes and subscriptions. Knows nothing
 * of the wire: cmd-list.c writes the responses.
 *
 * The names considered are the mailboxes (\Noselect placeholders
 * included), the subscribed names (which need not exist) and the parents
 * of either. A name is reported when it matches one of the patterns and
 *   A. meets the selection criteria itself: it exists (plain LIST), or is
 *      subscribed (LIST_SEL_SUBSCRIBED), and with LIST_SEL_SPECIAL_USE is
 *      also a mailbox with a special use; or
 *   B. has a descendant that meets them but matches no pattern (RFC 5258
 *      3.3 rule 2B), when LIST_SEL_RECURSIVE asks for such parents
 *      (RECURSIVEMATCH; LSUB's "%" rule), or when the selection is plain
 *      and the name is not a mailbox (a missing parent, which "%" must
 *      show, RFC 9051 6.3.9).
 *
 * Cost: the names are sorted once, each is matched against the patterns
 * once, and each parent that is neither a mailbox nor subscribed is
 * matched once more (top down, stopping where nothing deeper can match);
 * the matching work is bounded by LIST_MAX_WORK, and memory is linear in
 * the number of names, which mailbox-rules.h bounds.
 */
#ifndef HAFEN_SERVER_IMAP_LIST_TREE_H
#define HAFEN_SERVER_IMAP_LIST_TREE_H

#include <stddef.h>

struct store;
struct list_pattern;

/* Patterns one LIST may carry (RFC 5258 allows a parenthesised list),
 * and their bytes in all, each counted with the reference: matching a
 * name costs time in proportion to the pattern bytes, so more gets
 * NO [LIMIT]. A single pattern may be up to IMAP_LIST_PATTERN_MAX. */
#define LIST_MAX_PATTERNS      64
#define LIST_MAX_PATTERN_BYTES 2048
/* The matching work one LIST may do, in list_pattern cost units (name
 * bytes x 64-bit words of pattern state): about a second of CPU. Real
 * lists stay far below; only long wildcard patterns over thousands of
 * long names get near it, and get STORE_ERR_LIMIT instead of stalling the
 * worker. */
#define LIST_MAX_WORK (100u * 1000 * 1000)

enum list_select {
	LIST_SEL_SUBSCRIBED = 1 << 0,  /* subscribed names instead of mailboxes */
	LIST_SEL_SPECIAL_USE = 1 << 1, /* only mailboxes with a special use */
	LIST_SEL_RECURSIVE = 1 << 2,   /* rule B for every kind of selection */
};

enum list_entry_flags {
	LIST_ENTRY_EXISTS = 1 << 0,   /* a mailbox, maybe a \Noselect placeholder */
	LIST_ENTRY_NOSELECT = 1 << 1, /* a \Noselect placeholder */
	LIST_ENTRY_SUBSCRIBED = 1 << 2,
	LIST_ENTRY_CHILDREN = 1 << 3,  /* some mailbox lies below it */
	LIST_ENTRY_MEETS = 1 << 4,     /* reported by rule A */
	LIST_ENTRY_CHILDINFO = 1 << 5, /* a descendant meets the criteria, matches no pattern */
};

struct list_entry {
	const char *name;     /* canonical UTF-8 */
	unsigned flags;       /* enum list_entry_flags */
	unsigned special_use; /* enum store_special_use */
};

struct list_tree;

/* Work out the names to report for these patterns and selection (enum
 * list_select). Returns STORE_OK with *tree_r, STORE_ERR_LIMIT when the
 * matching would exceed LIST_MAX_WORK, or another store error. */
int list_tree_build(struct store *st, const struct list_pattern *patterns, size_t count,
		    unsigned select, struct list_tree **tree_r);
/* The names to report: INBOX and the names below it first, then the
 * rest, each part in byte order. Entries stay valid until list_tree_free(). */
size_t list_tree_count(const struct list_tree *t);
const struct list_entry *list_tree_get(const struct list_tree *t, size_t i);
/* Free; *tp becomes NULL. Accepts NULL. */
void list_tree_free(struct list_tree **tp);

#endif
