/* fuzz-server-thread.c — libFuzzer target for hafend's THREAD algorithms
 * (src/server/imap/search-thread.c). The input describes messages with
 * ids, references, subjects and dates drawn from small alphabets, so that
 * references collide, loop and dangle; both algorithms must give a
 * response that follows the RFC 5256 grammar and names every message
 * exactly once. */
#include "server/imap/search-thread.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_MSGS 64
#define FUZZ_MAX_REFS 6

static const char *const ids[16] = {
	"<0>", "<1>", "<2>",  "<3>",  "<4>",  "<5>",  "<6>",  "<7>",
	"<8>", "<9>", "<10>", "<11>", "<12>", "<13>", "<14>", "<15>",
};
static const char *const subjects[4] = {"", "A", "B", "C"};

static void check(bool ok)
{
	if (!ok)
		abort();
}

struct cursor {
	const uint8_t *data;
	size_t size, pos;
};

static unsigned next(struct cursor *c)
{
	return c->pos < c->size ? c->data[c->pos++] : 0;
}

/* ---- a checker for thread-data (RFC 5256 section 5) ---- */

struct parse {
	const char *s;
	size_t len, pos;
	unsigned *seen;
	size_t n;
};

static bool parse_list(struct parse *p);

static bool parse_number(struct parse *p)
{
	unsigned long v = 0;
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		v = v * 10 + (unsigned long)(p->s[p->pos++] - '0');
	if (p->pos == start || p->s[start] == '0' || v == 0 || v > p->n)
		return false;
	p->seen[v - 1]++;
	return true;
}

/* thread-nested = 2*thread-list */
static bool parse_nested(struct parse *p)
{
	size_t lists = 0;

	while (p->pos < p->len && p->s[p->pos] == '(') {
		if (!parse_list(p))
			return false;
		lists++;
	}
	return lists >= 2;
}

/* thread-list = "(" (thread-members / thread-nested) ")" */
static bool parse_list(struct parse *p)
{
	if (p->pos >= p->len || p->s[p->pos++] != '(')
		return false;
	if (p->pos < p->len && p->s[p->pos] == '(') {
		if (!parse_nested(p))
			return false;
	} else {
		/* thread-members = nz-number *(SP nz-number) [SP thread-nested] */
		if (!parse_number(p))
			return false;
		while (p->pos < p->len && p->s[p->pos] == ' ') {
			p->pos++;
			if (p->pos < p->len && p->s[p->pos] == '(') {
				if (!parse_nested(p))
					return false;
				break;
			}
			if (!parse_number(p))
				return false;
		}
	}
	return p->pos < p->len && p->s[p->pos++] == ')';
}

static void check_response(const struct buf *out, size_t n)
{
	struct parse p = {(const char *)out->data, out->len, 0, NULL, n};

	p.seen = calloc(n ? n : 1, sizeof(*p.seen));
	check(p.seen != NULL);
	check((n == 0) == (out->len == 0));
	while (p.pos < p.len)
		check(parse_list(&p));
	for (size_t i = 0; i < n; i++)
		check(p.seen[i] == 1);
	free(p.seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = {data, size, 0};
	struct thread_msg msgs[FUZZ_MAX_MSGS];
	const char *refs[FUZZ_MAX_MSGS][FUZZ_MAX_REFS];
	size_t n = size == 0 ? 0 : next(&c) % FUZZ_MAX_MSGS + 1;
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		unsigned id = next(&c), nrefs = next(&c) % (FUZZ_MAX_REFS + 1), flags;

		for (unsigned j = 0; j < nrefs; j++)
			refs[i][j] = ids[next(&c) % 16];
		flags = next(&c);
		msgs[i] = (struct thread_msg){
			.number = (uint32_t)i + 1,
			.sent = (int64_t)(next(&c) % 8),
			.subject = subjects[flags % 4],
			.reply = (flags & 4) != 0,
			.message_id = id % 17 == 16 ? NULL : ids[id % 17],
			.refs = refs[i],
			.nrefs = nrefs,
		};
	}
	thread_references(msgs, n, &out);
	check_response(&out, n);
	buf_reset(&out);
	thread_orderedsubject(msgs, n, &out);
	check_response(&out, n);
	buf_free(&out);
	return 0;
}
