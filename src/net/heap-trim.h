/* heap-trim.h — give freed heap memory back to the kernel shortly after a
 * burst of frees, from the event loop.
 *
 * glibc keeps freed memory in its heap for reuse; a worker that opened a
 * SQLite handle for each of its users while thousands of sessions logged
 * in, and closed them once the sessions sat in IDLE, otherwise keeps that
 * peak resident (measured: 1,000 IDLE sessions of 100 users cost 86 KiB
 * each before a trim, 26 KiB after). */
#ifndef HAFEN_NET_HEAP_TRIM_H
#define HAFEN_NET_HEAP_TRIM_H

struct event_base;

/* Wait before trimming, so a burst of closes costs one trim. */
#define HEAP_TRIM_DELAY_MSECS 1000

/* Trim the heap (malloc_trim) HEAP_TRIM_DELAY_MSECS from now on base's
 * loop, unless a trim is already pending there: calls within the delay
 * coalesce into one. Nothing to release: a pending trim is freed with the
 * base. On a C library without malloc_trim the trim does nothing. */
void heap_trim_soon(struct event_base *base);
/* How many trims have run in this process (for tests and statistics). */
unsigned heap_trim_count(void);

#endif
