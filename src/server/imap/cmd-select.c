/* cmd-select.c — SELECT, EXAMINE, CLOSE and UNSELECT (RFC 9051 6.3.2,
 * 6.3.3, 6.4.1, 6.4.2; RFC 3691), with the CONDSTORE and QRESYNC
 * parameters (RFC 7162 3.1.8, 3.2.5) and MAILBOXID (RFC 8474 4.2). */
#include "imap-commands.h"
#include "imap-selected.h"
#include "select-qresync.h"
#include "lib/mem.h"
#include "store/store.h"

#include <string.h>

static void send_state(struct imap_session *s, const struct store_mailbox *mb)
{
	struct imap_selected *sel = s->sel;
	uint32_t first_unseen = 0;

	session_untagged(s, "%u EXISTS", sel->map.total);
	if (!session_rev2(s)) {
		session_untagged(s, "%llu RECENT",
				 (unsigned long long)rangeset_count(&sel->recent));
		/* RFC 3501 6.3.1: the sequence number of the first unseen message. */
		if (store_mailbox_first_unseen(session_store(s), mb->id, &first_unseen) ==
			    STORE_OK &&
		    first_unseen != 0)
			session_untagged(s, "OK [UNSEEN %u] First unseen",
					 uidmap_uid_to_seq(&sel->map, first_unseen));
	}
	session_untagged(s, "OK [UIDVALIDITY %u] UIDs valid", mb->uidvalidity);
	session_untagged(s, "OK [UIDNEXT %u] Predicted next UID", mb->uidnext);
	if (session_rev2(s)) {
		/* RFC 9051 6.3.2: a LIST response with the mailbox's name. */
		buf_reset(&s->out);
		buf_append_str(&s->out, "* LIST ");
		session_write_mailbox_attrs(&s->out, mb, session_mailbox_has_children(s, mb->name));
		buf_append_str(&s->out, " \"/\" ");
		session_write_mailbox(s, &s->out, mb->name);
		session_send_line(s);
	}
	/* RFC 7162 3.1.2.1: once CONDSTORE is on, every SELECT reports it. */
	if (sel->condstore)
		session_untagged(s, "OK [HIGHESTMODSEQ %llu] Highest",
				 (unsigned long long)sel->modseq);
	/* RFC 8474 4.2: the mailbox's object id. */
	if (mb->mailboxid[0] != '\0')
		session_untagged(s, "OK [MAILBOXID (%s)] Ok", mb->mailboxid);
}

static void unselect(struct imap_session *s)
{
	imap_selected_free(&s->sel);
	s->state = IMAP_STATE_AUTH;
}

/* The parameters are checked before anything changes: a BAD leaves the
 * selected mailbox as it was. */
static bool params_ok(struct imap_session *s, const struct imap_cmd_select *p)
{
	/* RFC 7162 3.2.5: QRESYNC needs ENABLE QRESYNC first. */
	if (p->qresync && !(s->enabled & IMAP_ENABLED_QRESYNC)) {
		session_tagged(s, IMAP_COND_BAD, NULL, "QRESYNC needs ENABLE QRESYNC first");
		return false;
	}
	if (p->qresync && p->uidvalidity == 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "Invalid UIDVALIDITY in QRESYNC");
		return false;
	}
	return true;
}

enum cmd_result cmd_select(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_select *p = &cmd->u.select;
	bool read_only = cmd->kind == IMAP_CMD_EXAMINE;
	const char *code = read_only ? "READ-ONLY" : "READ-WRITE";
	const char *text = read_only ? "EXAMINE completed" : "SELECT completed";
	enum cmd_result result = CMD_DONE;
	struct store_mailbox mb;
	char *name;
	int ret;

	if (!params_ok(s, p) || session_read_mailbox(s, p->mailbox, &name) < 0)
		return CMD_DONE;
	if (s->sel != NULL) {
		unselect(s);
		/* RFC 9051 7.1, RFC 7162 3.2.11: the boundary between the old
		 * and the new mailbox, for every client since we announce
		 * CONDSTORE. */
		session_untagged(s, "OK [CLOSED] Previous mailbox closed");
	}
	/* RFC 7162 3.1.8: (CONDSTORE) enables it; so does QRESYNC. */
	if (p->condstore || p->qresync)
		s->enabled |= IMAP_ENABLED_CONDSTORE;
	ret = imap_selected_open(s, name, read_only, &mb, &s->sel);
	free(name);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	s->state = IMAP_STATE_SELECTED;
	imap_selected_send_flags(s);
	send_state(s, &mb);
	if (p->qresync)
		result = qresync_run(s, p, &mb, code, text);
	else
		session_tagged(s, IMAP_COND_OK, code, "%s", text);
	store_mailbox_clear(&mb);
	return result;
}

enum cmd_result cmd_close(struct imap_session *s, struct imap_command *cmd)
{
	(void)cmd;
	/* RFC 9051 6.4.1: expunge silently, unless the mailbox is read-only. */
	if (!s->sel->read_only)
		store_expunge(session_store(s), s->sel->mailbox_id, NULL, NULL, NULL);
	unselect(s);
	session_tagged(s, IMAP_COND_OK, NULL, "CLOSE completed");
	return CMD_DONE;
}

enum cmd_result cmd_unselect(struct imap_session *s, struct imap_command *cmd)
{
	(void)cmd;
	unselect(s);
	session_tagged(s, IMAP_COND_OK, NULL, "UNSELECT completed");
	return CMD_DONE;
}

void caps_select(struct imap_session *s, struct buf *out)
{
	(void)s;
	/* RFC 7162 3.2.2: QRESYNC servers announce CONDSTORE too. */
	buf_append_str(out, " CONDSTORE QRESYNC");
}
