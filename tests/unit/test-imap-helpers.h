/* test-imap-helpers.h — shared helpers of the src/imap unit tests: feed a
 * parser all at once or one byte at a time, accept literals, and compare
 * what the formatter writes with what was parsed. Include after cmocka.h.
 */
#ifndef HAFEN_TEST_IMAP_HELPERS_H
#define HAFEN_TEST_IMAP_HELPERS_H

#include "imap/imap-parser.h"
#include "imap/imap-write.h"
#include "lib/buf.h"

#include <stdio.h>
#include <string.h>

struct parsed {
	enum imap_parse_result result;
	struct imap_command *cmd;
	struct imap_response *resp;
	enum imap_parse_error_kind kind;
	char tag[IMAP_PARSER_MAX_TAG + 1];
	char message[256];
	bool has_tag;
	unsigned literal_requests;
};

static inline void parsed_error(struct parsed *out, const struct imap_parse_error *err)
{
	out->kind = err->kind;
	out->has_tag = err->tag != NULL;
	snprintf(out->tag, sizeof(out->tag), "%s", err->tag != NULL ? err->tag : "");
	snprintf(out->message, sizeof(out->message), "%s", err->message);
}

/* Ask for the next item; accept literals. Returns DONE, ERROR or MORE. */
static inline enum imap_parse_result next_item(struct imap_parser *p, bool server,
					       struct parsed *out)
{
	struct imap_parse_error err;
	enum imap_parse_result r;

	for (;;) {
		if (server)
			r = imap_parser_next_command(p, &out->cmd, &err);
		else
			r = imap_parser_next_response(p, &out->resp, &err);
		if (r != IMAP_PARSE_LITERAL)
			break;
		out->literal_requests++;
		if (imap_parser_literal_accept(p) < 0)
			continue;
	}
	if (r == IMAP_PARSE_ERROR)
		parsed_error(out, &err);
	out->result = r;
	return r;
}

/* Parse the first item of wire (all at once, or byte by byte). */
static inline struct parsed parse_wire(const char *wire, size_t len, bool server, bool bytewise,
				       const struct imap_parser_limits *limits)
{
	struct imap_parser_limits def;
	struct imap_parser *p;
	struct parsed out;

	memset(&out, 0, sizeof(out));
	if (limits == NULL) {
		imap_parser_limits_init(&def,
					server ? IMAP_LIMITS_SERVER_AUTH : IMAP_LIMITS_CLIENT);
		limits = &def;
	}
	p = imap_parser_new(server ? IMAP_PARSER_SERVER : IMAP_PARSER_CLIENT, limits);
	out.result = IMAP_PARSE_MORE;
	if (!bytewise) {
		imap_parser_feed(p, wire, len);
		next_item(p, server, &out);
	} else {
		for (size_t i = 0; i < len && out.result == IMAP_PARSE_MORE; i++) {
			imap_parser_feed(p, wire + i, 1);
			next_item(p, server, &out);
		}
	}
	imap_parser_free(&p);
	return out;
}

static inline void parsed_free(struct parsed *p)
{
	imap_command_free(&p->cmd);
	imap_response_free(&p->resp);
}

static inline void assert_bytes(const char *what, const struct buf *got, const char *want,
				size_t want_len)
{
	if (got->len != want_len || memcmp(got->data, want, want_len) != 0) {
		fprintf(stderr, "%s mismatch:\n  want [%.*s]\n  got  [%.*s]\n", what, (int)want_len,
			want, (int)got->len, (const char *)got->data);
		fail();
	}
}

/* Parse a command written in canonical form (all at once and byte by
 * byte), write it back, and require the very same bytes; then parse that
 * output once more. */
static inline void check_command_roundtrip_len(const char *wire, size_t len)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct parsed p = parse_wire(wire, len, true, bytewise, NULL);
		struct imap_command_output out;
		struct parsed again;

		if (p.result != IMAP_PARSE_DONE) {
			fprintf(stderr, "command [%.*s] did not parse: %s\n", (int)len, wire,
				p.message);
			fail();
		}
		memset(&out, 0, sizeof(out));
		imap_command_write(&out, p.cmd, 0);
		assert_bytes("command round trip", &out.buf, wire, len);
		again = parse_wire((const char *)out.buf.data, out.buf.len, true, false, NULL);
		assert_int_equal(again.result, IMAP_PARSE_DONE);
		assert_int_equal(again.cmd->kind, p.cmd->kind);
		parsed_free(&again);
		imap_command_output_free(&out);
		parsed_free(&p);
	}
}

static inline void check_command_roundtrip(const char *wire)
{
	check_command_roundtrip_len(wire, strlen(wire));
}

static inline void check_response_roundtrip_len(const char *wire, size_t len)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct parsed p = parse_wire(wire, len, false, bytewise, NULL);
		struct buf out = BUF_INIT;

		if (p.result != IMAP_PARSE_DONE) {
			fprintf(stderr, "response [%.*s] did not parse: %s\n", (int)len, wire,
				p.message);
			fail();
		}
		imap_response_write(&out, p.resp, 0);
		assert_bytes("response round trip", &out, wire, len);
		buf_free(&out);
		parsed_free(&p);
	}
}

static inline void check_response_roundtrip(const char *wire)
{
	check_response_roundtrip_len(wire, strlen(wire));
}

/* Parse a command expected to fail; returns the error's kind. */
static inline struct parsed parse_command_error(const char *wire)
{
	struct parsed all = parse_wire(wire, strlen(wire), true, false, NULL);
	struct parsed bytes = parse_wire(wire, strlen(wire), true, true, NULL);

	if (all.result != IMAP_PARSE_ERROR) {
		fprintf(stderr, "command [%s] was accepted\n", wire);
		fail();
	}
	assert_int_equal(bytes.result, IMAP_PARSE_ERROR);
	assert_string_equal(all.tag, bytes.tag);
	parsed_free(&all);
	parsed_free(&bytes);
	return all;
}

#endif
