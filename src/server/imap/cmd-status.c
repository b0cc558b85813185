/* cmd-status.c — STATUS (RFC 9051 6.3.11, RFC 8438 STATUS=SIZE).
 * Placeholder until the command family is written: a clear NO, never a
 * half-working command. */
#include "imap-commands.h"

enum cmd_result cmd_status(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}
