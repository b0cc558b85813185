/* mailgen.h — deterministic generator of realistic mail for the store
 * benchmark: same seed, same messages, byte for byte.
 *
 * What it makes (bench/store/README.md and BENCHMARKS.md give the figures):
 *  - 90 % single-part text/plain, 10 % multipart/mixed with a text part and
 *    one or two base64 attachments;
 *  - sizes log-normal: text messages around a 9 KB median, multipart around
 *    150 KB, clamped to 2 KB .. 2 MB;
 *  - headers as delivered mail has them: Received, DKIM-Signature, From/To/Cc
 *    with display names (some RFC 2047 encoded), Subject with Re:/Fwd:,
 *    Date, Message-ID, In-Reply-To and References for threads, List-Id;
 *  - text from a vocabulary of 2^21 words drawn with Zipf frequencies: real
 *    English words at the top, pseudo-words below, so some words are in
 *    most messages and some in a handful; some non-ASCII words, whose
 *    messages are sent quoted-printable in UTF-8.
 * The generator counts in how many messages each word occurs, so the
 * benchmark can pick a rare and a common word and check SEARCH's answers.
 */
#ifndef HAFEN_BENCH_MAILGEN_H
#define HAFEN_BENCH_MAILGEN_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mailgen;

struct mailgen_msg {
	size_t size;    /* bytes of the message (CRLF line ends) */
	bool multipart; /* multipart/mixed with attachments */
	bool seen;      /* the flag a mail client would have set */
	int64_t date;   /* the Date: field, unix time */
	int tz_offset;  /* its zone, minutes east of UTC */
};

/* A generator for the given seed. Owns about 20 MB of counters. */
struct mailgen *mailgen_new(uint64_t seed);
void mailgen_free(struct mailgen **gp);

/* Replace the contents of out with the next message and describe it. */
void mailgen_next(struct mailgen *g, struct buf *out, struct mailgen_msg *info_r);

/* The number of messages generated so far. */
uint32_t mailgen_count(const struct mailgen *g);

/* Words picked by the number of generated messages they occur in (body
 * or subject; a reply's subject counts its parent's words again). The
 * returned strings are owned by g and valid until mailgen_free().
 *  rare:   a pseudo-word of eight or more letters, no trigram twice, in
 *          3..8 messages;
 *  common: an English word of five or more letters in the share of
 *          messages closest to `share` (0..1). */
const char *mailgen_rare_word(struct mailgen *g, uint32_t *messages_r);
const char *mailgen_common_word(struct mailgen *g, double share, uint32_t *messages_r);
/* The surname of the most frequent sender, and how many messages came
 * from someone of that surname. */
const char *mailgen_frequent_surname(struct mailgen *g, uint32_t *messages_r);

#endif
