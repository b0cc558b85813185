/* cmd-list.c — LIST and LSUB (RFC 9051 6.3.9, RFC 3501 6.3.8-6.3.9,
 * RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE,
 * RFC 3348 CHILDREN). list-tree.c decides which names to report; this
 * file reads the arguments and writes the responses, suspending when the
 * output is full so a long list never piles up in memory.
 *
 * Every LIST response carries \HasChildren or \HasNoChildren and the
 * special-use attributes, asked for or not (RFC 5258 4 and RFC 6154 2
 * allow it; Apple Mail and Outlook rely on it, INTEROP.md point 7).
 */
#include "imap-commands.h"
#include "list-pattern.h"
#include "list-tree.h"
#include "mailbox-status.h"
#include "imap/imap-mailbox.h"
#include "lib/buf.h"
#include "lib/mem.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* A LIST or LSUB on its way out. */
struct list_run {
	struct list_tree *tree;
	size_t next; /* the next entry to send */
	bool lsub;
	bool nonexistent;      /* \NonExistent is understood (extended LIST or IMAP4rev2) */
	bool show_subscribed;  /* \Subscribed asked for (RFC 5258 3.1, 3.2) */
	bool childinfo;        /* RECURSIVEMATCH: CHILDINFO extended data (RFC 5258 3.5) */
	unsigned status_items; /* RETURN (STATUS (...)), RFC 5819 */
};

static void list_run_free(void *state)
{
	struct list_run *r = state;

	list_tree_free(&r->tree);
	free(r);
}

static bool utf8_names(const struct imap_session *s)
{
	return (s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) != 0;
}

/* Prepare reference + pattern (RFC 9051 6.3.9: with no break-out
 * characters the canonical pattern is the two joined) in *p. A pattern
 * that cannot be decoded, or can match no name, "MUST be silently
 * ignored" (6.3.9): -1 without an error reply. */
static int prepare_pattern(struct imap_session *s, const char *reference, const char *pattern,
			   struct list_pattern *p)
{
	struct buf joined = BUF_INIT;
	const char *error;
	int ret = -1;

	if ((reference[0] == '\0' ||
	     imap_mailbox_name_from_wire(reference, utf8_names(s), &joined, &error) == 0) &&
	    imap_mailbox_name_from_wire(pattern, utf8_names(s), &joined, &error) == 0)
		ret = list_pattern_init(p, (const char *)joined.data, joined.len);
	buf_free(&joined);
	return ret;
}

static void free_patterns(struct list_pattern *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		list_pattern_clear(&v[i]);
	free(v);
}

/* ---- writing ---- */

static void add_attr(struct buf *out, bool *first, const char *attr)
{
	if (!*first)
		buf_append_byte(out, ' ');
	buf_append_str(out, attr);
	*first = false;
}

static void write_list_attrs(const struct list_run *r, const struct list_entry *e, unsigned flags,
			     struct buf *out)
{
	bool first = true;

	buf_append_byte(out, '(');
	if (!(flags & LIST_ENTRY_EXISTS))
		add_attr(out, &first, r->nonexistent ? "\\NonExistent" : "\\Noselect");
	else if (flags & LIST_ENTRY_NOSELECT)
		add_attr(out, &first, "\\Noselect");
	add_attr(out, &first, (flags & LIST_ENTRY_CHILDREN) ? "\\HasChildren" : "\\HasNoChildren");
	if (e->special_use != 0 && (flags & LIST_ENTRY_EXISTS)) {
		buf_append_byte(out, ' ');
		store_special_use_write(e->special_use, out);
	}
	if (r->show_subscribed && (flags & LIST_ENTRY_SUBSCRIBED))
		add_attr(out, &first, "\\Subscribed");
	buf_append_byte(out, ')');
}

/* RFC 5819: a STATUS after the LIST of each selectable mailbox that meets
 * the selection criteria. When the mailbox turned out not selectable
 * meanwhile, the LIST says \Noselect and no STATUS follows; on other store
 * errors the STATUS is dropped, which RFC 5819 2 allows. */
static bool lookup_status(struct imap_session *s, const struct list_run *r,
			  const struct list_entry *e, unsigned *flags, struct mailbox_status *st)
{
	int ret;

	if (r->status_items == 0 || !(*flags & LIST_ENTRY_MEETS) || !(*flags & LIST_ENTRY_EXISTS) ||
	    (*flags & LIST_ENTRY_NOSELECT))
		return false;
	ret = mailbox_status_get(s, e->name, r->status_items, st);
	if (ret == STORE_ERR_NOSELECT || ret == STORE_ERR_NONEXISTENT)
		*flags |= LIST_ENTRY_NOSELECT;
	return ret == STORE_OK;
}

static void send_entry(struct imap_session *s, const struct list_run *r, const struct list_entry *e)
{
	struct mailbox_status st;
	unsigned flags = e->flags;
	/* Before composing: a STATUS of the selected mailbox may first send
	 * its pending updates through s->out. */
	bool status = lookup_status(s, r, e, &flags, &st);

	buf_reset(&s->out);
	if (r->lsub) {
		/* RFC 3501 6.3.9: \Noselect marks a parent shown only for its
		 * subscribed children. */
		buf_append_str(&s->out,
			       (flags & LIST_ENTRY_MEETS) ? "* LSUB () " : "* LSUB (\\Noselect) ");
	} else {
		buf_append_str(&s->out, "* LIST ");
		write_list_attrs(r, e, flags, &s->out);
		buf_append_byte(&s->out, ' ');
	}
	buf_append_str(&s->out, "\"/\" ");
	session_write_mailbox(s, &s->out, e->name);
	/* RFC 5258 6: the selection options in CHILDINFO are always quoted. */
	if (r->childinfo && (flags & LIST_ENTRY_CHILDINFO))
		buf_append_str(&s->out, " (\"CHILDINFO\" (\"SUBSCRIBED\"))");
	session_send_line(s);
	if (status)
		mailbox_status_send(s, e->name, &st);
}

static enum cmd_result list_send(struct imap_session *s, struct imap_command *cmd)
{
	struct list_run *r = s->run.state;
	size_t count = list_tree_count(r->tree);

	while (r->next < count) {
		if (session_output_full(s)) {
			s->run.resume = list_send;
			return CMD_SUSPEND;
		}
		send_entry(s, r, list_tree_get(r->tree, r->next++));
	}
	session_tagged(s, IMAP_COND_OK, NULL, "%s completed", cmd->name);
	return CMD_DONE;
}

/* Build the names to report and start sending them; takes the patterns. */
static enum cmd_result list_start(struct imap_session *s, struct imap_command *cmd,
				  struct list_run *r, struct list_pattern *patterns, size_t count,
				  unsigned select)
{
	int ret = list_tree_build(session_store(s), patterns, count, select, &r->tree);

	free_patterns(patterns, count);
	if (ret == STORE_ERR_LIMIT) {
		free(r);
		session_tagged(s, IMAP_COND_NO, "LIMIT",
			       "These patterns take too long over so many mailboxes");
		return CMD_DONE;
	}
	if (ret != STORE_OK) {
		free(r);
		session_store_error(s, ret);
		return CMD_DONE;
	}
	s->run.state = r;
	s->run.free_state = list_run_free;
	return list_send(s, cmd);
}

/* ---- LIST ---- */

/* The selection options as list-tree.c knows them. REMOTE asks for
 * mailboxes on other servers as well; there are none (RFC 5258 3.1). */
static unsigned list_select(const struct imap_cmd_list *l)
{
	unsigned select = 0;

	if (l->select & IMAP_LIST_SELECT_SUBSCRIBED)
		select |= LIST_SEL_SUBSCRIBED;
	if (l->select & IMAP_LIST_SELECT_SPECIAL_USE)
		select |= LIST_SEL_SPECIAL_USE;
	if (l->select & IMAP_LIST_SELECT_RECURSIVEMATCH)
		select |= LIST_SEL_RECURSIVE;
	return select;
}

/* Basic LIST with an empty pattern: the hierarchy delimiter and the root
 * of the reference, which for names without a namespace prefix is ""
 * (RFC 9051 6.3.9; extended syntax has no such meaning). */
static enum cmd_result list_delimiter(struct imap_session *s)
{
	session_untagged(s, "LIST (\\Noselect) \"/\" \"\"");
	session_tagged(s, IMAP_COND_OK, NULL, "LIST completed");
	return CMD_DONE;
}

/* The bytes of the canonical patterns, a measure of the matching work. A
 * lone pattern is bounded by IMAP_LIST_PATTERN_MAX already. */
static size_t pattern_bytes(const struct imap_cmd_list *l)
{
	size_t total = 0, ref = strlen(l->reference);

	if (l->patterns.count == 1)
		return 0;
	for (size_t i = 0; i < l->patterns.count; i++)
		total += ref + strlen(l->patterns.items[i]);
	return total;
}

static enum cmd_result cmd_list_list(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_list *l = &cmd->u.list;
	bool extended = l->has_select || l->patterns_list || l->has_return;
	unsigned unsupported = l->status_items & ~(unsigned)MAILBOX_STATUS_ITEMS;
	struct list_pattern *patterns;
	struct list_run *r;
	size_t count = 0;

	if (unsupported != 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "STATUS item %s is not supported",
			       imap_status_item_name(unsupported & -unsupported));
		return CMD_DONE;
	}
	if (l->patterns.count > LIST_MAX_PATTERNS) {
		session_tagged(s, IMAP_COND_NO, "LIMIT", "At most %u patterns in one LIST",
			       LIST_MAX_PATTERNS);
		return CMD_DONE;
	}
	if (pattern_bytes(l) > LIST_MAX_PATTERN_BYTES) {
		session_tagged(s, IMAP_COND_NO, "LIMIT", "At most %u bytes of patterns in one LIST",
			       LIST_MAX_PATTERN_BYTES);
		return CMD_DONE;
	}
	if (!extended && l->patterns.items[0][0] == '\0')
		return list_delimiter(s);
	patterns = xcalloc(l->patterns.count, sizeof(*patterns));
	for (size_t i = 0; i < l->patterns.count; i++) {
		/* RFC 5258 3: empty patterns of the extended syntax are ignored. */
		if (l->patterns.items[i][0] != '\0' &&
		    prepare_pattern(s, l->reference, l->patterns.items[i], &patterns[count]) == 0)
			count++;
	}
	r = xcalloc(1, sizeof(*r));
	r->nonexistent = extended || session_rev2(s);
	/* The SUBSCRIBED selection option implies the return option. */
	r->show_subscribed =
		(l->select & IMAP_LIST_SELECT_SUBSCRIBED) || (l->ret & IMAP_LIST_RETURN_SUBSCRIBED);
	r->childinfo = (l->select & IMAP_LIST_SELECT_RECURSIVEMATCH) != 0;
	if (l->ret & IMAP_LIST_RETURN_STATUS)
		r->status_items = l->status_items;
	return list_start(s, cmd, r, patterns, count, list_select(l));
}

/* ---- LSUB ---- */

/* LSUB (RFC 3501 6.3.9): the subscribed names, and the parents that "%"
 * stops at when only their children are subscribed. IMAP4rev2 dropped the
 * command but a client that sends it still gets its answer. */
static enum cmd_result cmd_list_lsub(struct imap_session *s, struct imap_command *cmd)
{
	struct list_pattern *patterns = xcalloc(1, sizeof(*patterns));
	struct list_run *r = xcalloc(1, sizeof(*r));
	size_t count = 0;

	if (cmd->u.lsub.pattern[0] != '\0' &&
	    prepare_pattern(s, cmd->u.lsub.reference, cmd->u.lsub.pattern, &patterns[0]) == 0)
		count = 1;
	r->lsub = true;
	return list_start(s, cmd, r, patterns, count, LIST_SEL_SUBSCRIBED | LIST_SEL_RECURSIVE);
}

enum cmd_result cmd_list(struct imap_session *s, struct imap_command *cmd)
{
	if (cmd->kind == IMAP_CMD_LSUB)
		return cmd_list_lsub(s, cmd);
	return cmd_list_list(s, cmd);
}

void caps_list(struct imap_session *s, struct buf *out)
{
	(void)s;
	buf_append_str(out, " NAMESPACE CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED"
			    " LIST-STATUS STATUS=SIZE");
}
