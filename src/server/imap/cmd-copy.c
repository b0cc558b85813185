/* cmd-copy.c — COPY, MOVE and their UID forms (RFC 9051 6.4.7, 6.4.8;
 * RFC 6851 MOVE; RFC 4315 COPYUID).
 *
 * The store copies rows, never bytes, in one transaction: a MOVE leaves
 * every message in exactly one of the two mailboxes, whatever happens
 * (RFC 6851 3.3). MOVE tells COPYUID in an untagged OK before the
 * EXPUNGE (or VANISHED) responses of the moved messages, as RFC 6851 4.3
 * advises, since the tagged OK comes after them. */
#include "expunge-report.h"
#include "imap-commands.h"
#include "imap-selected.h"
#include "lib/mem.h"
#include "store/store.h"

#include <inttypes.h>

static void copyuid_code(struct buf *code, uint32_t uidvalidity, const struct rangeset *src,
			 const struct rangeset *dst)
{
	/* RFC 4315 3: the sets correspond by position; the store gives the
	 * new UIDs in the order of the source UIDs. */
	buf_printf(code, "COPYUID %" PRIu32 " ", uidvalidity);
	rangeset_write(src, code);
	buf_append_byte(code, ' ');
	rangeset_write(dst, code);
}

static enum cmd_result reply_done(struct imap_session *s, bool move, uint32_t uidvalidity,
				  struct rangeset *src, const struct rangeset *dst)
{
	struct buf code = BUF_INIT;

	if (rangeset_is_empty(src)) {
		/* Nothing matched (UID sets may name no message): no COPYUID. */
		session_tagged(s, IMAP_COND_OK, NULL, "No messages %s", move ? "moved" : "copied");
		return CMD_DONE;
	}
	copyuid_code(&code, uidvalidity, src, dst);
	if (!move) {
		session_tagged(s, IMAP_COND_OK, buf_cstr(&code), "COPY completed");
		buf_free(&code);
		return CMD_DONE;
	}
	session_untagged(s, "OK [%s] Moved", buf_cstr(&code));
	buf_free(&code);
	return expunge_report_run(s, src, "MOVE completed");
}

enum cmd_result cmd_copy(struct imap_session *s, struct imap_command *cmd)
{
	bool move = cmd->kind == IMAP_CMD_MOVE;
	struct rangeset uids = RANGESET_INIT, src = RANGESET_INIT, dst = RANGESET_INIT;
	enum cmd_result result = CMD_DONE;
	uint32_t uidvalidity = 0;
	char *name;
	int ret;

	if (imap_selected_resolve(s, &cmd->u.copy.set, cmd->uid, &uids) < 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "Message sequence number out of range");
		return CMD_DONE;
	}
	if (session_read_mailbox(s, cmd->u.copy.mailbox, &name) < 0) {
		rangeset_free(&uids);
		return CMD_DONE;
	}
	/* An empty set still asks the store, which checks the destination. */
	ret = store_copy(session_store(s), s->sel->mailbox_id, &uids, name, move, &uidvalidity,
			 &src, &dst);
	if (ret == STORE_OK)
		result = reply_done(s, move, uidvalidity, &src, &dst);
	else if (ret == STORE_ERR_NONEXISTENT)
		/* RFC 9051 6.4.7: a CREATE may make it work. */
		session_tagged(s, IMAP_COND_NO, "TRYCREATE", "Mailbox does not exist");
	else
		session_store_error(s, ret);
	free(name);
	rangeset_free(&uids);
	rangeset_free(&src);
	rangeset_free(&dst);
	return result;
}
