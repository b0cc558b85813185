/* cmd-namespace.c — NAMESPACE (RFC 9051 6.3.10, RFC 2342): one personal
 * namespace with no prefix and "/" as the hierarchy delimiter; no other
 * users' or shared namespaces. */
#include "imap-commands.h"

enum cmd_result cmd_namespace(struct imap_session *s, struct imap_command *cmd)
{
	(void)cmd;
	session_untagged(s, "NAMESPACE ((\"\" \"/\")) NIL NIL");
	session_tagged(s, IMAP_COND_OK, NULL, "NAMESPACE completed");
	return CMD_DONE;
}
