/* fuzz-imap-command.c — libFuzzer target for the server-side IMAP parser.
 *
 * The first input byte picks limits, LITERAL- and UTF-8 mode, and how the
 * rest is fed (in chunks of 1..16 bytes, or all at once), so every resume
 * point is reached. Literal
 * requests are accepted or rejected by their size. Every command that
 * parses is written back with the formatter, parsed again and written
 * again: the two writings must be identical (the round-trip oracle).
 */
#include "imap/imap-parser.h"
#include "imap/imap-write.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct imap_command *cmd)
{
	struct imap_command_output out1, out2;
	struct imap_parser_limits l;
	struct imap_parser *p;
	struct imap_command *again = NULL;
	struct imap_parse_error err;
	enum imap_parse_result r;

	memset(&out1, 0, sizeof(out1));
	memset(&out2, 0, sizeof(out2));
	imap_command_write(&out1, cmd, 0);
	imap_parser_limits_init(&l, IMAP_LIMITS_CLIENT);
	p = imap_parser_new(IMAP_PARSER_SERVER, &l);
	imap_parser_feed(p, out1.buf.data, out1.buf.len);
	while ((r = imap_parser_next_command(p, &again, &err)) == IMAP_PARSE_LITERAL)
		imap_parser_literal_accept(p);
	if (r != IMAP_PARSE_DONE) {
		fprintf(stderr, "written command does not parse (%s): [%.*s]\n",
			r == IMAP_PARSE_ERROR ? err.message : "incomplete", (int)out1.buf.len,
			(const char *)out1.buf.data);
		abort();
	}
	imap_command_write(&out2, again, 0);
	if (out1.buf.len != out2.buf.len ||
	    memcmp(out1.buf.data, out2.buf.data, out1.buf.len) != 0) {
		fprintf(stderr, "round trip differs:\n[%.*s]\n[%.*s]\n", (int)out1.buf.len,
			(const char *)out1.buf.data, (int)out2.buf.len,
			(const char *)out2.buf.data);
		abort();
	}
	imap_command_free(&again);
	imap_parser_free(&p);
	imap_command_output_free(&out1);
	imap_command_output_free(&out2);
}

static void drain(struct imap_parser *p)
{
	struct imap_command *cmd;
	struct imap_parse_error err;

	for (;;) {
		enum imap_parse_result r = imap_parser_next_command(p, &cmd, &err);

		if (r == IMAP_PARSE_MORE)
			return;
		if (r == IMAP_PARSE_DONE) {
			roundtrip(cmd);
			imap_command_free(&cmd);
		} else if (r == IMAP_PARSE_LITERAL) {
			const struct imap_literal_request *req = imap_parser_literal_request(p);

			if (req->size % 7 == 3)
				imap_parser_literal_reject(p);
			else
				(void)imap_parser_literal_accept(p);
		} else if (err.message == NULL) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits l;
	struct imap_parser *p;
	size_t chunk, off = 0;
	uint8_t mode;

	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	imap_parser_limits_init(&l,
				(mode & 1) ? IMAP_LIMITS_SERVER_AUTH : IMAP_LIMITS_SERVER_PREAUTH);
	if (mode & 2) {
		l.max_line = 512;
		l.max_depth = 6;
		l.max_list_items = 20;
		l.max_literal = 300;
		l.max_literal_total = 400;
	}
	l.literal_minus = (mode & 4) != 0;
	l.utf8 = (mode & 0x40) != 0;
	chunk = (mode & 8) ? size : (size_t)(mode >> 4) + 1;
	p = imap_parser_new(IMAP_PARSER_SERVER, &l);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		imap_parser_feed(p, data + off, n);
		off += n;
		drain(p);
	}
	imap_parser_free(&p);
	return 0;
}
