/* cmd-status.c — STATUS (RFC 9051 6.3.11, RFC 3501 6.3.10, RFC 8438
 * STATUS=SIZE, RFC 7889 APPENDLIMIT); the values come from
 * mailbox-status.c, which LIST-STATUS shares. */
#include "imap-commands.h"
#include "mailbox-status.h"
#include "store/store.h"

#include <stdlib.h>

enum cmd_result cmd_status(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_status *c = &cmd->u.status;
	unsigned unsupported = c->items & ~(unsigned)MAILBOX_STATUS_ITEMS;
	struct mailbox_status st;
	char *name;
	int ret;

	if (unsupported != 0) {
		/* The lowest bit names one of them. */
		session_tagged(s, IMAP_COND_BAD, NULL, "STATUS item %s is not supported",
			       imap_status_item_name(unsupported & -unsupported));
		return CMD_DONE;
	}
	if (session_read_mailbox(s, c->mailbox, &name) < 0)
		return CMD_DONE;
	/* RFC 7162 3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command. */
	if (c->items & IMAP_STATUS_HIGHESTMODSEQ)
		session_enable_condstore(s);
	ret = mailbox_status_get(s, name, c->items, &st);
	/* The response names the mailbox as the client did ("inbox" stays
	 * "inbox"), so a client can match it with its command. */
	if (ret == STORE_OK)
		mailbox_status_send(s, name, &st);
	free(name);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	session_tagged(s, IMAP_COND_OK, NULL, "STATUS completed");
	return CMD_DONE;
}
