/* fuzz-server-lmtp.c — libFuzzer target for hafend's LMTP input: the
 * command line parser (src/server/lmtp/lmtp-command.c) and the DATA
 * stream decoder (lmtp-data.c). The first byte picks how the rest is cut
 * into lines and pieces. Oracles: a parsed path is a valid mailbox (or
 * empty for MAIL's null sender); an error carries a 5xx reply; the DATA
 * decoder gives the same text and the same end point whatever the
 * pieces, never more than its limit. */
#include "server/lmtp/lmtp-command.c"
#include "server/lmtp/lmtp-data.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void fuzz_lines(const uint8_t *data, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		struct lmtp_command cmd;
		struct lmtp_reply r;

		if (i < size && data[i] != '\n')
			continue;
		if (lmtp_command_parse((const char *)data + start, i - start, &cmd, &r) == 0) {
			size_t n = strlen(cmd.arg);

			if (cmd.verb == LMTP_CMD_MAIL)
				check(n == 0 || lmtp_mailbox_valid(cmd.arg, n, false));
			else if (cmd.verb == LMTP_CMD_RCPT)
				check(lmtp_mailbox_valid(cmd.arg, n, true));
		} else {
			check(r.code >= 500 && r.code < 600 && r.enhanced != NULL &&
			      r.text != NULL);
		}
		start = i + 1;
	}
}

static int decode(const uint8_t *data, size_t size, size_t piece, uint64_t max, struct buf *out,
		  size_t *end_r)
{
	struct lmtp_data d;
	size_t pos = 0, used;
	int ret = 0;

	lmtp_data_init(&d, out, max);
	while (pos < size && ret == 0) {
		size_t n = piece == 0 || size - pos < piece ? size - pos : piece;

		ret = lmtp_data_feed(&d, data + pos, n, &used);
		check(used <= n);
		pos += used;
	}
	*end_r = pos;
	check(out->len <= max);
	return lmtp_data_too_big(&d) ? 2 + ret : ret;
}

static void fuzz_data(const uint8_t *data, size_t size, unsigned mode)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	size_t end_a, end_b;
	uint64_t max = (mode & 0x40) ? 64 : 1 << 20;
	int ra = decode(data, size, 0, max, &a, &end_a);
	int rb = decode(data, size, 1 + (mode & 7), max, &b, &end_b);

	check(ra == rb && end_a == end_b && a.len == b.len);
	check(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 0x80)
		fuzz_data(data + 1, size - 1, data[0]);
	else
		fuzz_lines(data + 1, size - 1);
	return 0;
}
