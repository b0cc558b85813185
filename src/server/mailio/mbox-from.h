/* mbox-from.h — the "From " line that starts every message of an mbox
 * file: "From SENDER DATE", DATE as ctime(3) writes it, optionally with a
 * zone ("Thu Nov 29 23:33:09 1973", "... 1973 +0200", "... UTC 1973"), or
 * in RFC 5322 form ("Thu, 29 Nov 1973 23:33:09 +0200"). The date is the
 * message's internal date (when it was delivered). */
#ifndef HAFEN_SERVER_MAILIO_MBOX_FROM_H
#define HAFEN_SERVER_MAILIO_MBOX_FROM_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* mboxrd quotes every ">*From " line with one more '>' and its reader
 * takes one away, so every body is kept exactly; mboxo quotes only
 * "From " lines and unquotes nothing (a body line ">From " and a quoted
 * "From " look alike). */
enum mbox_format { MBOX_MBOXRD, MBOX_MBOXO };

/* Bytes of a From_ line looked at; the rest of a longer line is ignored. */
#define MBOX_FROM_MAX 1024

struct mbox_from {
	int64_t time;  /* unix time */
	int tz;        /* minutes east of UTC */
	bool has_zone; /* the line named a zone; else it was read as local time */
};

/* Parse the line after "From " (without its line end). Returns 0, or -1
 * when there is no date that parses: such a line is not a From_ line
 * (mutt and Dovecot decide the same way, which saves a message body's
 * unquoted "From " line in a damaged file). */
int mbox_from_parse(const char *line, size_t len, struct mbox_from *from_r);
/* Append "From SENDER Www Mmm dd hh:mm:ss yyyy +zzzz\n", the time shown
 * in the zone tz. A sender that is empty or not a plain address token
 * becomes MAILER-DAEMON. */
void mbox_from_write(const char *sender, size_t sender_len, int64_t time, int tz, struct buf *out);

#endif
