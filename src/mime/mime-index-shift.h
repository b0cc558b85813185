/* mime-index-shift.h — the part index of a message after header lines were
 * put in front of it, derived from the index of the message without them,
 * so a delivery to many recipients parses the message once and still gives
 * each copy its own Delivered-To: line. */
#ifndef HAFEN_MIME_INDEX_SHIFT_H
#define HAFEN_MIME_INDEX_SHIFT_H

#include "lib/buf.h"

#include <stddef.h>
#include <stdint.h>

/* blob is a part index (mime_part_index_write) of a message M whose header
 * starts with at least one header field. Append to out the index of
 * P + M, where P is `delta` bytes of complete header field lines: every
 * offset moves by delta and the root header grows by delta. The result is
 * byte-identical to indexing P + M from scratch. Returns 0, or -1 (out
 * unchanged) when blob is malformed. */
int mime_part_index_shift(const void *blob, size_t len, uint64_t delta, struct buf *out);

#endif
