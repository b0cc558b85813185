/* arena.h — a bump allocator for allocations that share a lifetime.
 *
 * A command, a parsed message or a response is built in one arena and
 * released at once with arena_clear() or arena_free(); there is no per-item
 * free. Allocations are aligned for any type. Large requests get their own
 * block. Out of memory aborts (err.h).
 */
#ifndef HAFEN_LIB_ARENA_H
#define HAFEN_LIB_ARENA_H

#include "err.h"

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* block_size: the usual block size (0 for the default of 4 KiB). */
struct arena *arena_new(size_t block_size);
/* Free everything; *ap becomes NULL. Accepts NULL. */
void arena_free(struct arena **ap);
/* Forget every allocation, keeping the first block for reuse. */
void arena_clear(struct arena *a);
/* Bytes handed out since the last clear (for limits). */
size_t arena_used(const struct arena *a);

void *arena_alloc(struct arena *a, size_t size);
void *arena_zalloc(struct arena *a, size_t size);
/* Grow an array allocated in the arena; the old one is abandoned, not freed. */
void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size);
char *arena_strdup(struct arena *a, const char *s);
/* Copy n bytes (which may include NUL) and add a terminating NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) HF_PRINTF(2, 3);
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) HF_PRINTF(2, 0);

#endif
