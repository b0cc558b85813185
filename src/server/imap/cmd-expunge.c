/* cmd-expunge.c — EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, RFC 4315 2.1).
 *
 * The store removes the \Deleted messages in one transaction; this
 * session then reports them, "* n EXPUNGE" in ascending order with each
 * number as it is after the earlier ones (or VANISHED with QRESYNC),
 * together with expunges by other sessions still waiting to be told, a
 * chunk at a time as the client reads (expunge-report.h).
 * Other sessions hear of them through the store's change notification. */
#include "expunge-report.h"
#include "imap-commands.h"
#include "imap-selected.h"
#include "store/store.h"

static void note_expunged(void *ctx, uint32_t uid)
{
	rangeset_add(ctx, uid);
}

enum cmd_result cmd_expunge(struct imap_session *s, struct imap_command *cmd)
{
	struct rangeset only = RANGESET_INIT, gone = RANGESET_INIT;
	int ret = STORE_OK;

	/* UID EXPUNGE: only the UIDs of the set that this session knows. */
	if (cmd->uid)
		(void)imap_selected_resolve(s, &cmd->u.expunge.set, true, &only);
	if (!cmd->uid || !rangeset_is_empty(&only))
		ret = store_expunge(session_store(s), s->sel->mailbox_id, cmd->uid ? &only : NULL,
				    note_expunged, &gone);
	rangeset_free(&only);
	if (ret != STORE_OK) {
		rangeset_free(&gone);
		session_store_error(s, ret);
		return CMD_DONE;
	}
	return expunge_report_run(s, &gone,
				  cmd->uid ? "UID EXPUNGE completed" : "EXPUNGE completed");
}
