/* cmd-fetch.c — FETCH and UID FETCH (RFC 9051 6.4.5, RFC 3516 BINARY).
 * Placeholder until the command family is written: a clear NO, never a
 * half-working command. */
#include "imap-commands.h"

enum cmd_result cmd_fetch(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}

void caps_fetch(struct imap_session *s, struct buf *out)
{
	(void)s;
	(void)out;
}
