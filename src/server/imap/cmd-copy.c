/* cmd-copy.c — COPY, MOVE and their UID forms (RFC 9051 6.4.7, 6.4.8, RFC 4315 COPYUID).
 * Placeholder until the command family is written: a clear NO, never a
 * half-working command. */
#include "imap-commands.h"

enum cmd_result cmd_copy(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}
