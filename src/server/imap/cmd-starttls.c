/* cmd-starttls.c — STARTTLS (RFC 9051 6.2.1). The OK goes out in
 * plaintext; everything the client pipelined after the command is dropped
 * by the connection and the parser (src/net/conn.h), never executed. */
#include "imap-commands.h"
#include "server/worker.h"
#include "net/conn.h"

enum cmd_result cmd_starttls(struct imap_session *s, struct imap_command *cmd)
{
	const char *error;

	(void)cmd;
	if (s->w->tls == NULL || s->tls || conn_peer_ip(s->conn)[0] == '\0') {
		session_tagged(s, IMAP_COND_BAD, NULL, "STARTTLS is not available here");
		return CMD_DONE;
	}
	session_tagged(s, IMAP_COND_OK, NULL, "Begin TLS negotiation now");
	if (session_start_tls(s, &error) < 0) {
		/* The OK is out: without TLS there is no safe way on. */
		session_untagged(s, "BYE TLS is unavailable: %s", error);
		session_close(s);
	}
	return CMD_DONE;
}
