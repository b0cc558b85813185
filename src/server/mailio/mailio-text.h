/* mailio-text.h — line ends between the store (CRLF, RFC 5322) and mail
 * files on disk (LF, the Unix convention of Maildir and mbox), chosen so
 * that a message written out and read back is byte-identical. */
#ifndef HAFEN_SERVER_MAILIO_TEXT_H
#define HAFEN_SERVER_MAILIO_TEXT_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Append data to out with every LF that has no CR before it given one:
 * the rule store_parsed_new() applies, so out holds exactly the bytes the
 * store will keep (and dedup hashes can be compared with stored files). */
void mailio_to_crlf(const void *data, size_t len, struct buf *out);
/* Would mailio_to_lf() followed by mailio_to_crlf() give data back? True
 * when data has no bare LF and no CR right before a CRLF ("\r\r\n"). */
bool mailio_lf_reversible(const void *data, size_t len);
/* Append data to out with every CRLF turned into LF. */
void mailio_to_lf(const void *data, size_t len, struct buf *out);

#endif
