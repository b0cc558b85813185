/* mailgen-private.h — what the generator's files share: the vocabulary with
 * its per-word message counts, and the people who write the mail. */
#ifndef HAFEN_BENCH_MAILGEN_PRIVATE_H
#define HAFEN_BENCH_MAILGEN_PRIVATE_H

#include "bench-rand.h"
#include "mailgen.h"

/* Vocabulary size: with ~10^8 words of text in 100 000 messages, the
 * rarest ranks occur a handful of times. */
#define MAILGEN_VOCAB       (1u << 21)
#define MAILGEN_WORD_MAX    32
#define MAILGEN_PEOPLE      2000
#define MAILGEN_THREAD_RING 256
#define MAILGEN_REFS_MAX    10

struct mailgen_person {
	char name[64];    /* display name, UTF-8 */
	char addr[96];    /* local@domain */
	uint16_t surname; /* index into the surname list */
	bool encode_name; /* this person's mailer sends the name as an encoded word */
};

/* A message that later ones may reply to. */
struct mailgen_parent {
	char msgid[80];
	char subject[160];          /* without Re:/Fwd:, UTF-8 */
	uint32_t subject_ranks[12]; /* its words, counted again in replies */
	unsigned nsubject;
	char refs[MAILGEN_REFS_MAX][80];
	unsigned nrefs;
	uint16_t from; /* person index */
	int64_t date;
};

struct mailgen {
	struct bench_rand rnd;
	uint32_t count;             /* messages generated */
	uint32_t *word_msgs;        /* per rank: messages containing it */
	uint32_t *word_last;        /* per rank: last message (1-based) that had it */
	uint32_t surname_msgs[256]; /* messages from someone of that surname */
	uint32_t sender_msgs[MAILGEN_PEOPLE];
	struct mailgen_person people[MAILGEN_PEOPLE];
	struct mailgen_parent ring[MAILGEN_THREAD_RING];
	uint32_t ring_count;
	int64_t clock; /* date of the previous message */
	char picked[3][MAILGEN_WORD_MAX + 1];
	struct buf text, scratch; /* reused between messages */
};

/* ---- mailgen-words.c ---- */

/* Write the word of a rank (NUL-terminated, at most MAILGEN_WORD_MAX
 * bytes) to out; returns its length. */
size_t mailgen_word(uint32_t rank, char *out);
/* Is the word of this rank a real English word (not a pseudo-word)? */
bool mailgen_word_is_english(uint32_t rank);
/* Count a word as occurring in the message being generated. */
void mailgen_count_word(struct mailgen *g, uint32_t rank);
/* Draw a word, count it, append it to out; returns its rank. */
uint32_t mailgen_emit_word(struct mailgen *g, struct buf *out, bool capital);
/* Append a sentence of n words ending in a full stop. */
void mailgen_emit_sentence(struct mailgen *g, struct buf *out, unsigned n);
/* Append about target bytes of text: paragraphs of lines wrapped at 72
 * columns, each line prefixed by prefix ("" or "> "), CRLF line ends. */
void mailgen_emit_text(struct mailgen *g, struct buf *out, size_t target, const char *prefix);

/* ---- mailgen.c ---- */

/* Does the word (ASCII) occur, ignoring case, in the fixed text of the
 * message templates or in a name or domain of the people? */
bool mailgen_in_boilerplate(const char *word);

/* ---- mailgen-people.c ---- */

void mailgen_people_init(struct mailgen *g);
const char *mailgen_surname(unsigned idx);
const char *mailgen_first_name(const struct mailgen_person *p);
/* Does the word occur, ignoring ASCII case, in a name or domain? */
bool mailgen_people_mention(const char *word);
/* Append "Display Name <addr>" as it goes in a header (quoted, or as an
 * RFC 2047 encoded word when the person's mailer does that). */
void mailgen_write_mailbox(struct buf *out, const struct mailgen_person *p);

/* ---- mailgen-encode.c ---- */

void mailgen_base64(struct buf *out, const void *data, size_t len, size_t line_len);
/* Quoted-printable (RFC 2045 6.7) of CRLF text, soft breaks at 76 columns. */
void mailgen_qp(struct buf *out, const char *text, size_t len);
/* An RFC 2047 encoded word "=?UTF-8?B?...?=" (one word; short text only). */
void mailgen_encoded_word(struct buf *out, const char *text);
/* Does the text contain bytes above 0x7f? */
bool mailgen_has_8bit(const char *text, size_t len);
/* The RFC 5322 date-time for t in zone tz (minutes east of UTC). */
void mailgen_date(struct buf *out, int64_t t, int tz);

#endif
