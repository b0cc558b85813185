/* mbox-meta.h — the header fields mbox programs keep their bookkeeping in,
 * and the writing of a whole mbox record.
 *
 * Flags live in "Status:" (R: \Seen; O: no longer new) and "X-Status:"
 * (A: \Answered, F: \Flagged, T: \Draft, D: \Deleted), as mutt, Pine and
 * Dovecot write them; keywords in "X-Keywords:" (Dovecot). Thunderbird's
 * "X-Mozilla-Status:" and "X-Mozilla-Keys:" are read when none of those
 * is there. On import the bookkeeping fields (Status, X-Status, X-Keywords,
 * X-UID, X-IMAP, X-IMAPbase) are taken out of the message, as Dovecot's
 * mbox hides them from IMAP clients; export writes Status, X-Status and
 * X-Keywords back at the top of the header, so an mbox round trip gives
 * back the same bytes. Thunderbird's fields are left in the message.
 */
#ifndef HAFEN_SERVER_MAILIO_MBOX_META_H
#define HAFEN_SERVER_MAILIO_MBOX_META_H

#include "mbox-from.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mbox_meta {
	unsigned flags;      /* enum store_flag */
	struct buf keywords; /* space-separated, as found (not validated) */
	bool pseudo;         /* UW-IMAP's "FOLDER INTERNAL DATA" message: not mail */
};

/* Read the flags of a message and append it to out without the
 * bookkeeping fields. meta_r must be zeroed or cleared before. */
void mbox_meta_extract(const void *data, size_t len, struct buf *out, struct mbox_meta *meta_r);
void mbox_meta_clear(struct mbox_meta *meta);

/* The address of the first Return-Path field, without <>, as a pointer
 * into data; *len_r 0 when there is none or it is empty ("<>"). */
const char *mbox_meta_return_path(const void *data, size_t len, size_t *len_r);

/* Append one mbox record for a stored message (CRLF line ends): From_
 * line (sender from Return-Path, date in its zone), the flag fields, the
 * message with LF line ends where that can be undone exactly (else as it
 * is), From lines quoted for format, and the separating line end. */
void mbox_write_record(const void *data, size_t len, unsigned flags, const char *keywords,
		       int64_t date, int tz, enum mbox_format format, struct buf *out);

#endif
