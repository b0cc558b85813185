/* cmd-any.c — the commands valid in every state: CAPABILITY, NOOP, LOGOUT
 * (RFC 9051 6.1). NOOP reports mailbox changes like IDLE does, which
 * Thunderbird relies on for folders it does not IDLE on (INTEROP.md 6). */
#include "imap-commands.h"

enum cmd_result cmd_capability(struct imap_session *s, struct imap_command *cmd)
{
	(void)cmd;
	buf_reset(&s->out);
	buf_append_str(&s->out, "* CAPABILITY ");
	session_capabilities(s, &s->out);
	session_send_line(s);
	session_tagged(s, IMAP_COND_OK, NULL, "CAPABILITY completed");
	return CMD_DONE;
}

enum cmd_result cmd_noop(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_OK, NULL, "%s completed",
		       cmd->kind == IMAP_CMD_CHECK ? "CHECK" : "NOOP");
	return CMD_DONE;
}

enum cmd_result cmd_logout(struct imap_session *s, struct imap_command *cmd)
{
	(void)cmd;
	session_untagged(s, "BYE Logging out");
	s->state = IMAP_STATE_LOGOUT;
	session_tagged(s, IMAP_COND_OK, NULL, "LOGOUT completed");
	session_close(s);
	return CMD_DONE;
}
