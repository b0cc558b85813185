/* lmtp-command.h — parse one LMTP command line (RFC 2033 on RFC 5321's
 * grammar): the verb, the path of MAIL FROM and RCPT TO with its
 * parameters (SIZE and BODY, RFC 1870 and RFC 6152), and BDAT's chunk
 * size (RFC 3030). Pure: no I/O, no state; the line comes without its
 * line end. A malformed line gives the reply the session must send. */
#ifndef HAFEN_SERVER_LMTP_COMMAND_H
#define HAFEN_SERVER_LMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest address accepted inside <...> (RFC 5321 4.5.3.1.3 allows a path
 * of 256 octets with its brackets). */
#define LMTP_ADDR_MAX 254
/* Longest LHLO argument kept. */
#define LMTP_HELO_MAX 255

enum lmtp_verb {
	LMTP_CMD_LHLO,
	LMTP_CMD_MAIL,
	LMTP_CMD_RCPT,
	LMTP_CMD_DATA,
	LMTP_CMD_BDAT,
	LMTP_CMD_RSET,
	LMTP_CMD_NOOP,
	LMTP_CMD_QUIT,
	LMTP_CMD_VRFY,
	LMTP_CMD_HELP,
};

enum lmtp_body { LMTP_BODY_NONE, LMTP_BODY_7BIT, LMTP_BODY_8BITMIME };

struct lmtp_command {
	enum lmtp_verb verb;
	/* LHLO: the client's name; MAIL/RCPT: the address without brackets
	 * and source route ("" for MAIL FROM:<>). */
	char arg[LMTP_HELO_MAX + 1];
	/* MAIL parameters */
	bool has_size;
	uint64_t size;
	enum lmtp_body body;
	/* BDAT */
	uint64_t chunk_size;
	bool last;
};

/* A reply for a line that does not parse: "501 5.5.4 <text>". */
struct lmtp_reply {
	unsigned code;        /* 500, 501, 555 */
	const char *enhanced; /* "5.5.2" */
	const char *text;     /* static */
};

/* Parse line[0..len). Returns 0 with *cmd_r filled, or -1 with *reply_r. */
int lmtp_command_parse(const char *line, size_t len, struct lmtp_command *cmd_r,
		       struct lmtp_reply *reply_r);

/* Is addr[0..len) a valid RFC 5321 Mailbox (Local-part "@" Domain or
 * address-literal)? With domain_optional, a bare Local-part also passes
 * (RCPT TO:<postmaster>, and local users named without a domain). */
bool lmtp_mailbox_valid(const char *addr, size_t len, bool domain_optional);

#endif
