/* mbox-read.h — split an mbox file into messages, fed bytes as they are
 * read (the file is never held in memory whole).
 *
 * A message starts at a line "From " whose date parses (mbox-from.h); the
 * file must start with one (blank lines before it are allowed). mboxrd
 * lines ">From ", ">>From "... lose one '>'; mboxo lines are kept as they
 * are. The line end before the next From_ line is the separator mbox
 * writers add and is not part of the message: a writer that adds it after
 * every message (ours, mutt, Postfix, Dovecot) gets back exactly what it
 * wrote, including a message that did not end with a line end.
 *
 * Limits: a message larger than max_message is reported with too_big set
 * and no data, and reading goes on with the next one; memory stays within
 * about max_message plus MBOX_FROM_MAX whatever the input.
 */
#ifndef HAFEN_SERVER_MAILIO_MBOX_READ_H
#define HAFEN_SERVER_MAILIO_MBOX_READ_H

#include "mbox-from.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mbox_reader;

struct mbox_message {
	const unsigned char *data; /* the message, unquoted; valid until the next call */
	size_t len;
	struct mbox_from from; /* its From_ line's date */
	const char *sender;    /* its From_ line's sender, NUL-terminated */
	uint64_t offset;       /* where its From_ line starts in the input */
	bool too_big;          /* over max_message: data is empty */
};

struct mbox_reader *mbox_reader_new(enum mbox_format format, size_t max_message);
void mbox_reader_free(struct mbox_reader **rp);
/* Feed len bytes. Returns 1 when a message is complete (*msg_r set; the
 * first *used_r bytes were consumed: call again with the rest), 0 when all
 * bytes were consumed and more are needed, -1 when the input is not an
 * mbox file (*error_r). */
int mbox_reader_feed(struct mbox_reader *r, const void *data, size_t len, size_t *used_r,
		     struct mbox_message *msg_r, const char **error_r);
/* The input ended: 1 with the last message in *msg_r, 0 when there is none
 * (also for empty input), -1 when the input was not an mbox file. */
int mbox_reader_finish(struct mbox_reader *r, struct mbox_message *msg_r, const char **error_r);

#endif
