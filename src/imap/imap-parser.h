/* imap-parser.h — the incremental, non-blocking IMAP parser.
 *
 * Feed it whatever bytes arrived; ask it for the next item. The server side
 * (IMAP_PARSER_SERVER) yields commands, the client side (IMAP_PARSER_CLIENT)
 * responses. The parser never reads a socket and never runs ahead: bytes
 * after the current item stay buffered until asked for, so a server can
 * switch to TLS (imap_parser_reset) or to raw lines (IDLE's DONE, SASL
 * responses) between items.
 *
 *   p = imap_parser_new(IMAP_PARSER_SERVER, NULL);
 *   on read:  imap_parser_feed(p, data, n);
 *             while ((r = imap_parser_next_command(p, &cmd, &err)) != IMAP_PARSE_MORE) {
 *                 if (r == IMAP_PARSE_DONE)     run cmd, then imap_command_free(&cmd)
 *                 if (r == IMAP_PARSE_LITERAL)  decide (see below)
 *                 if (r == IMAP_PARSE_ERROR)    answer err (tagged when err.tag)
 *             }
 *
 * How it works: a framer collects one complete item (a line, and for each
 * literal announced at the end of a line ({n}, {n+}, ~{n}, ~{n+}) the n
 * bytes and the rest of the item), tracking quoted strings so "a{5}" at a
 * line end is no literal; then a recursive-descent grammar parser reads the
 * complete item with full lookahead. Time is linear in the input; memory is
 * bounded by the limits below; grammar recursion is bounded by max_depth.
 *
 * Line ends: CRLF, and a bare LF is accepted as well. Empty lines are
 * skipped. "{n-}" is not literal syntax: LITERAL- (RFC 7888 section 5) uses
 * "{n+}" and only limits its size; see limits.literal_minus.
 *
 * Synchronizing literals (server side): when the framer reaches a literal
 * it returns IMAP_PARSE_LITERAL with imap_parser_literal_request() telling
 * the tag, command, size and kind. The caller answers with
 * imap_parser_literal_accept() (and, for a synchronizing literal, sends
 * "+ OK"), or imap_parser_literal_reject() after sending its own tagged
 * NO/BAD: the parser then drops the command, skipping the literal's bytes
 * if the client sends them anyway (non-synchronizing) and any further
 * literal of that command. Literals over limits.max_literal never reach the
 * caller: the parser fails the command with IMAP_PERR_LITERAL_TOO_BIG.
 *
 * Errors: the command is dropped as a whole, its remaining bytes (and
 * announced literals) skipped, and parsing goes on with the next item. The
 * error carries the tag when it could be read, so the server can answer a
 * tagged BAD/NO; without a tag it answers "* BAD".
 */
#ifndef HAFEN_IMAP_PARSER_H
#define HAFEN_IMAP_PARSER_H

#include "imap-command.h"
#include "imap-response.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imap_parser_side {
	IMAP_PARSER_SERVER, /* reads commands */
	IMAP_PARSER_CLIENT, /* reads responses */
};

/* Results of the next_* calls. 1/0/-1 follow lib/err.h; LITERAL is extra. */
enum imap_parse_result {
	IMAP_PARSE_ERROR = -1,
	IMAP_PARSE_MORE = 0,
	IMAP_PARSE_DONE = 1,
	IMAP_PARSE_LITERAL = 2, /* server side: decide on a literal first */
};

/* Every limit is per item (one command or one response). */
struct imap_parser_limits {
	/* Bytes of the item outside literal data: all its lines, line ends
	 * and literal announcements included. */
	size_t max_line;
	/* Largest literal accepted at all; larger ones fail the item with
	 * IMAP_PERR_LITERAL_TOO_BIG (answer "NO [TOOBIG]" for APPEND,
	 * tagged). */
	uint64_t max_literal;
	/* Sum of literal bytes held in memory for one item (literals streamed
	 * to the sink do not count). */
	uint64_t max_literal_total;
	/* Literals of at least this size go to the literal sink when one is
	 * set; smaller ones stay in memory. 0: never stream. */
	uint64_t stream_threshold;
	/* Depth of nested parentheses, and of NOT/OR chains in searches. */
	unsigned max_depth;
	/* Items in one parenthesised list, and keys in one search program. */
	unsigned max_list_items;
	/* Server side, LITERAL- (RFC 7888 section 5): a non-synchronizing
	 * literal above 4096 bytes fails with IMAP_PERR_LITERAL_TOO_BIG. */
	bool literal_minus;
	/* UTF8=ACCEPT is enabled (or IMAP4rev2): 8-bit bytes in a quoted
	 * string must be valid UTF-8, else the command is BAD (RFC 9755
	 * section 3). Off, 8-bit bytes in quoted strings are taken as sent:
	 * RFC 3501 forbids them, but old clients send their charset there. */
	bool utf8;
};

/* Longest tag accepted; a longer one counts as unreadable. */
#define IMAP_PARSER_MAX_TAG 128

enum imap_limits_preset {
	/* Server before authentication: 64 KiB lines, 8 KiB literals (a
	 * LOGIN password), 16 KiB of literals per command, depth 16, 256
	 * list items. The default for a server parser. */
	IMAP_LIMITS_SERVER_PREAUTH,
	/* Server after authentication: 64 KiB lines, 64 MiB literals (APPEND;
	 * set it to the APPENDLIMIT), 64 MiB in memory per command, streaming
	 * from 1 MiB when a sink is set, depth 32, 10000 list items. */
	IMAP_LIMITS_SERVER_AUTH,
	/* Client: 16 MiB lines (a SEARCH of a million messages), 4 GiB
	 * literals, 256 MiB in memory per response, streaming from 1 MiB when
	 * a sink is set, depth 128 (deep BODYSTRUCTUREs), 1000000 list items. */
	IMAP_LIMITS_CLIENT,
};

void imap_parser_limits_init(struct imap_parser_limits *limits, enum imap_limits_preset preset);

/* Where large literals go instead of memory. Every handle returned by
 * begin is later passed to release exactly once: when the item fails or
 * the parser is reset or freed before the item is complete, or else when
 * the command/response holding it is freed. Keep what you need (e.g. move
 * the temporary file into the store) before freeing the command. */
struct imap_literal_sink {
	/* A literal of size bytes starts; return a handle (not NULL), or NULL
	 * to refuse (the item then fails with IMAP_PERR_SINK). */
	void *(*begin)(void *context, uint64_t size, bool literal8);
	/* The next chunk of it. Return 0, or -1 to fail the item. */
	int (*write)(void *context, void *handle, const void *data, size_t len);
	/* All bytes were written. Return 0, or -1 to fail the item. */
	int (*end)(void *context, void *handle);
	void (*release)(void *context, void *handle);
	void *context;
};

enum imap_parse_error_kind {
	IMAP_PERR_SYNTAX,          /* bad grammar: BAD */
	IMAP_PERR_LINE_TOO_LONG,   /* BAD (or BYE) */
	IMAP_PERR_LITERAL_TOO_BIG, /* over max_literal / max_literal_total / LITERAL-: NO [TOOBIG] */
	IMAP_PERR_TOO_DEEP,        /* over max_depth: BAD */
	IMAP_PERR_TOO_MANY_ITEMS,  /* over max_list_items: BAD */
	IMAP_PERR_SINK,            /* the literal sink refused or failed: NO */
};

/* Valid until the next call on the parser. */
struct imap_parse_error {
	enum imap_parse_error_kind kind;
	const char *tag;     /* NULL when no tag could be read */
	const char *command; /* upper-case command name when read, else NULL */
	bool uid;            /* the command had the UID prefix */
	const char *message; /* for the reply text: "Missing SP after tag" */
};

/* What a literal decision is about; valid until the decision. */
struct imap_literal_request {
	const char *tag;     /* NULL when the line has no readable tag */
	const char *command; /* upper-case command name, NULL when unreadable */
	bool uid;
	uint64_t size;
	bool literal8;
	bool sync;      /* {n}: the client waits for "+" */
	unsigned index; /* 0 for the command's first literal */
};

struct imap_parser;

/* limits NULL: the preset for the side (SERVER_PREAUTH or CLIENT). */
struct imap_parser *imap_parser_new(enum imap_parser_side side,
				    const struct imap_parser_limits *limits);
/* Free the parser, buffered bytes, and release any literal being streamed. */
void imap_parser_free(struct imap_parser **p);
/* New limits; they apply from the next item on (call between items, e.g.
 * after a successful LOGIN). */
void imap_parser_set_limits(struct imap_parser *p, const struct imap_parser_limits *limits);
/* Set (or with NULL clear) the literal sink; the struct is copied, the
 * context must outlive every item that holds one of its handles. */
void imap_parser_set_sink(struct imap_parser *p, const struct imap_literal_sink *sink);

/* Append received bytes. Feed what one read returned, then call next_*
 * until it returns IMAP_PARSE_MORE; the parser keeps what it has not used. */
void imap_parser_feed(struct imap_parser *p, const void *data, size_t len);

/* Server side: the next command. Returns DONE with *cmd_r (caller frees it
 * with imap_command_free), MORE, LITERAL (decide, then call again), or ERROR
 * with *error_r (never NULL) filled in. Asking again before deciding
 * returns LITERAL. Any raw-line request is dropped: this reads a command. */
enum imap_parse_result imap_parser_next_command(struct imap_parser *p, struct imap_command **cmd_r,
						struct imap_parse_error *error_r);
/* Client side: the next response; DONE with *resp_r (caller frees it with
 * imap_response_free), MORE, or ERROR. */
enum imap_parse_result imap_parser_next_response(struct imap_parser *p,
						 struct imap_response **resp_r,
						 struct imap_parse_error *error_r);

/* The pending literal decision, or NULL when none is pending. */
const struct imap_literal_request *imap_parser_literal_request(const struct imap_parser *p);
/* Take the literal. Returns 0 (send "+ OK" if it is synchronizing), or -1
 * when it cannot be taken (the sink refused it): send nothing, the next
 * call returns the error. */
int imap_parser_literal_accept(struct imap_parser *p);
/* Drop the command (after answering it yourself). */
void imap_parser_literal_reject(struct imap_parser *p);

/* Make the next item one raw line (IDLE's "DONE", an AUTHENTICATE
 * response): no literals, no grammar, bounded by max_line. Then call
 * imap_parser_next_raw_line() for it (which implies this call) instead of
 * next_command. Call it between items: a line already half read as a
 * command continues as a raw line. */
void imap_parser_expect_raw_line(struct imap_parser *p);
/* DONE with the line (without its line end, NUL-terminated, valid until
 * the next call on the parser), MORE, or ERROR (line too long: the rest of
 * it is skipped). */
enum imap_parse_result imap_parser_next_raw_line(struct imap_parser *p, const char **line_r,
						 size_t *len_r, struct imap_parse_error *error_r);

/* Drop every buffered byte and any item in progress (STARTTLS: nothing
 * sent before the handshake may be executed after it; CVE-2011-0411). */
void imap_parser_reset(struct imap_parser *p);
/* Bytes buffered and not yet returned as items (0 when idle). */
size_t imap_parser_pending(const struct imap_parser *p);

#endif
