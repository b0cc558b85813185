/* lmtp-data.h — the message text after DATA (RFC 5321 4.5.2): bytes are
 * fed as they arrive; a line holding only "." ends the message, and a
 * leading "." that was added for transparency is removed. A line may end
 * in CRLF or a bare LF (the store makes every line end CRLF). Past the
 * size limit the text is counted and thrown away, so the session can
 * read to the end and answer 552 5.3.4 instead of losing the stream. */
#ifndef HAFEN_SERVER_LMTP_DATA_H
#define HAFEN_SERVER_LMTP_DATA_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lmtp_data_state {
	LMTP_DATA_BOL,    /* at the start of a line */
	LMTP_DATA_MID,    /* inside a line */
	LMTP_DATA_DOT,    /* a line started with "." */
	LMTP_DATA_DOT_CR, /* ... and then CR */
};

struct lmtp_data {
	enum lmtp_data_state state;
	uint64_t size; /* message bytes so far, also those past max */
	uint64_t max;
	struct buf *out; /* not owned */
};

/* Start a message: text goes to out (appended) up to max bytes. */
void lmtp_data_init(struct lmtp_data *d, struct buf *out, uint64_t max);
/* Feed in[0..len). Returns 1 when the end line was read (*used_r bytes of
 * in were consumed, the rest is the next command), 0 when every byte was
 * consumed and more is needed. Never fails. */
int lmtp_data_feed(struct lmtp_data *d, const void *in, size_t len, size_t *used_r);
/* Was the message longer than max? */
bool lmtp_data_too_big(const struct lmtp_data *d);

#endif
