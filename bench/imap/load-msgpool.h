/* load-msgpool.h — messages for the mix's APPEND: a fixed set generated
 * once at start (bench/store's mailgen), so generating mail costs nothing
 * while the clock runs. */
#ifndef HAFEN_BENCH_LOAD_MSGPOOL_H
#define HAFEN_BENCH_LOAD_MSGPOOL_H

#include "lib/buf.h"

#include <stdint.h>

struct load_msgpool;

/* count messages from seed. */
struct load_msgpool *load_msgpool_new(uint64_t seed, unsigned count);
void load_msgpool_free(struct load_msgpool **pp);
/* Message i modulo the pool size; owned by the pool. */
const struct buf *load_msgpool_get(const struct load_msgpool *p, uint64_t i);

/* Append the quoted IMAP date-time of unix time t in zone tz (minutes
 * east of UTC): an APPEND's INTERNALDATE. */
void load_append_date(struct buf *out, int64_t t, int tz);

#endif
