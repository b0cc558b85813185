/* cmd-store.c — STORE and UID STORE (RFC 9051 6.4.6).
 * Placeholder until the command family is written: a clear NO, never a
 * half-working command. */
#include "imap-commands.h"

enum cmd_result cmd_store(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}
