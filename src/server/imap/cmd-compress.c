/* cmd-compress.c — COMPRESS DEFLATE (RFC 4978). The tagged OK goes out
 * uncompressed; everything after its CRLF, both ways, is raw DEFLATE. The
 * compression stage itself is in the connection (src/net/conn.h): it
 * flushes every batch of responses, counts the input limit in inflated
 * bytes and cuts off decompression bombs. */
#include "imap-commands.h"
#include "lib/log.h"
#include "lib/str.h"
#include "net/conn.h"

enum cmd_result cmd_compress(struct imap_session *s, struct imap_command *cmd)
{
	const char *mech = cmd->u.compress.mechanism, *error;

	if (str_casecmp(mech, "DEFLATE") != 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "Unknown compression mechanism");
		return CMD_DONE;
	}
	/* RFC 4978 section 3 allows BAD here too; NO with the code tells the
	 * client why, as it must when another layer compresses. */
	if (conn_is_compressed(s->conn)) {
		session_tagged(s, IMAP_COND_NO, "COMPRESSIONACTIVE", "DEFLATE is already active");
		return CMD_DONE;
	}
	/* The client must wait for our answer (RFC 4978 section 3): bytes
	 * behind the command could be plain or compressed, and guessing
	 * either way could run a command the client did not mean. Refuse,
	 * and the client knows compression is off. */
	if (imap_parser_pending(s->parser) > 0 || conn_input_pending(s->conn) > 0) {
		session_tagged(s, IMAP_COND_BAD, NULL,
			       "Send nothing after COMPRESS until its reply (RFC 4978 section 3)");
		return CMD_DONE;
	}
	session_tagged(s, IMAP_COND_OK, NULL, "DEFLATE active");
	if (conn_start_compress(s->conn, NULL, &error) < 0) {
		/* The OK is out and the client compresses now: no way on. */
		log_warn("imap %s: cannot start compression: %s", s->peer, error);
		session_close(s);
		return CMD_DONE;
	}
	log_debug("imap %s: COMPRESS=DEFLATE active", s->peer);
	return CMD_DONE;
}

void caps_compress(struct imap_session *s, struct buf *out)
{
	(void)s;
	buf_append_str(out, " COMPRESS=DEFLATE");
}
