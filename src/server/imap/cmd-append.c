/* cmd-append.c — APPEND (RFC 9051 6.3.12, RFC 3502 MULTIAPPEND, RFC 4315 APPENDUID, RFC 7889 APPENDLIMIT).
 * Placeholder until the command family is written: a clear NO, never a
 * half-working command. */
#include "imap-commands.h"

enum cmd_result cmd_append(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}

void caps_append(struct imap_session *s, struct buf *out)
{
	(void)s;
	(void)out;
}
