/* cmd-mailbox.c — CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE (RFC 9051 6.3.4-6.3.8, RFC 6154 CREATE-SPECIAL-USE).
 * Placeholder until the command family is written: a clear NO, never a
 * half-working command. */
#include "imap-commands.h"

enum cmd_result cmd_create(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}

enum cmd_result cmd_delete(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}

enum cmd_result cmd_rename(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}

enum cmd_result cmd_subscribe(struct imap_session *s, struct imap_command *cmd)
{
	session_tagged(s, IMAP_COND_NO, "CANNOT", "%s is not available in this build", cmd->name);
	return CMD_DONE;
}
