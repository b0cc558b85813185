/* buf.h — a growable byte buffer. Bytes may be anything, including NUL.
 *
 * A zero-initialised struct buf (or BUF_INIT) is an empty buffer with no
 * storage. The buffer owns its storage; buf_free() releases it. After any
 * append, `data` may have moved. buf_cstr() guarantees a NUL after the last
 * byte (not counted in len) so text can be handed to C string functions.
 */
#ifndef HAFEN_LIB_BUF_H
#define HAFEN_LIB_BUF_H

#include "err.h"

#include <stdarg.h>
#include <stddef.h>

struct buf {
	unsigned char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Release the storage; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* Forget the contents but keep the storage for reuse. */
static inline void buf_reset(struct buf *b)
{
	b->len = 0;
}
/* Make room for at least `extra` more bytes without further allocation. */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_append_byte(struct buf *b, unsigned char c);
void buf_append_str(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) HF_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) HF_PRINTF(2, 0);
void buf_append_u64(struct buf *b, unsigned long long v);
/* Drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Shorten to n bytes (n <= len). */
void buf_truncate(struct buf *b, size_t n);
/* The contents followed by a NUL that is not part of len. Never NULL. */
char *buf_cstr(struct buf *b);
/* Hand the storage to the caller (NUL-terminated); the buffer becomes empty. */
char *buf_detach(struct buf *b, size_t *len_r);
/* Give back memory when the buffer is empty, to keep idle connections small. */
void buf_shrink_if_empty(struct buf *b);

#endif
