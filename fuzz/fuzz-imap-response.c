/* fuzz-imap-response.c — libFuzzer target for the client-side IMAP parser.
 *
 * The first input byte picks limits and the feeding chunk size; raw lines
 * are asked for now and then. Every response that parses is written back,
 * parsed again and written again: the two writings must be identical.
 */
#include "imap/imap-parser.h"
#include "imap/imap-write.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct imap_response *resp)
{
	struct buf out1 = BUF_INIT, out2 = BUF_INIT;
	struct imap_parser *p;
	struct imap_response *again = NULL;
	struct imap_parse_error err;
	enum imap_parse_result r;

	imap_response_write(&out1, resp, 0);
	p = imap_parser_new(IMAP_PARSER_CLIENT, NULL);
	imap_parser_feed(p, out1.data, out1.len);
	r = imap_parser_next_response(p, &again, &err);
	if (r != IMAP_PARSE_DONE) {
		fprintf(stderr, "written response does not parse (%s): [%.*s]\n",
			r == IMAP_PARSE_ERROR ? err.message : "incomplete", (int)out1.len,
			(const char *)out1.data);
		abort();
	}
	imap_response_write(&out2, again, 0);
	if (out1.len != out2.len || memcmp(out1.data, out2.data, out1.len) != 0) {
		fprintf(stderr, "round trip differs:\n[%.*s]\n[%.*s]\n", (int)out1.len,
			(const char *)out1.data, (int)out2.len, (const char *)out2.data);
		abort();
	}
	imap_response_free(&again);
	imap_parser_free(&p);
	buf_free(&out1);
	buf_free(&out2);
}

static void drain(struct imap_parser *p, uint8_t mode, unsigned *count)
{
	struct imap_response *resp;
	struct imap_parse_error err;
	const char *line;
	size_t len;

	for (;;) {
		enum imap_parse_result r;

		/* Every so often, read a raw line as during AUTHENTICATE. */
		if ((mode & 4) && ++*count % 5 == 0)
			r = imap_parser_next_raw_line(p, &line, &len, &err);
		else
			r = imap_parser_next_response(p, &resp, &err);
		if (r == IMAP_PARSE_MORE)
			return;
		if (r == IMAP_PARSE_ERROR) {
			if (err.message == NULL)
				abort();
			continue;
		}
		if (!((mode & 4) && *count % 5 == 0)) {
			roundtrip(resp);
			imap_response_free(&resp);
		} else if (strlen(line) > len) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits l;
	struct imap_parser *p;
	size_t chunk, off = 0;
	unsigned count = 0;
	uint8_t mode;

	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	imap_parser_limits_init(&l, IMAP_LIMITS_CLIENT);
	if (mode & 2) {
		l.max_line = 1024;
		l.max_depth = 8;
		l.max_list_items = 30;
		l.max_literal = 500;
		l.max_literal_total = 600;
	}
	chunk = (mode & 8) ? size : (size_t)(mode >> 4) + 1;
	p = imap_parser_new(IMAP_PARSER_CLIENT, &l);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		imap_parser_feed(p, data + off, n);
		off += n;
		drain(p, mode, &count);
	}
	imap_parser_free(&p);
	return 0;
}
