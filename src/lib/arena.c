/* arena.c — bump allocator (see arena.h).
 *
 * Blocks form a singly linked list, newest first. Requests larger than a
 * quarter of the block size get a block of their own, inserted behind the
 * current one so the current block keeps serving small requests.
 */
#include "arena.h"
#include "mem.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN         (_Alignof(max_align_t))
#define ARENA_DEFAULT_BLOCK 4096

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	max_align_t data[];
};

struct arena {
	struct arena_block *head;
	size_t block_size;
	size_t total;
};

static struct arena_block *block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		hf_panic("arena block too large");
	b = xmalloc(sizeof(*b) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *arena_new(size_t block_size)
{
	struct arena *a = xcalloc(1, sizeof(*a));

	a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
	a->head = block_new(a->block_size);
	return a;
}

static void free_blocks(struct arena_block *b)
{
	while (b != NULL) {
		struct arena_block *next = b->next;

		free(b);
		b = next;
	}
}

void arena_free(struct arena **ap)
{
	if (*ap == NULL)
		return;
	free_blocks((*ap)->head);
	free(*ap);
	*ap = NULL;
}

void arena_clear(struct arena *a)
{
	struct arena_block *keep = a->head, *b;

	/* arena_new() made a head block and nothing removes it. */
	assert(keep != NULL);
	/* Keep the oldest normal-sized block: it is the one at the tail. */
	for (b = a->head; b != NULL; b = b->next)
		if (b->size == a->block_size)
			keep = b;
	for (b = a->head; b != NULL;) {
		struct arena_block *next = b->next;

		if (b != keep)
			free(b);
		b = next;
	}
	keep->next = NULL;
	keep->used = 0;
	a->head = keep;
	a->total = 0;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t rounded;
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		hf_panic("arena allocation too large");
	rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (rounded == 0)
		rounded = ARENA_ALIGN;
	a->total += rounded;
	if (rounded > a->block_size / 4) {
		struct arena_block *big = block_new(rounded);

		big->used = rounded;
		big->next = b->next;
		b->next = big;
		return big->data;
	}
	if (b->size - b->used < rounded) {
		b = block_new(a->block_size);
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += rounded;
	return p;
}

void *arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size)
{
	void *p;

	if (new_size <= old_size)
		return old;
	p = arena_alloc(a, new_size);
	if (old_size > 0)
		memcpy(p, old, old_size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		hf_panic("string too long");
	p = arena_alloc(a, n + 1);
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void *arena_memdup(struct arena *a, const void *src, size_t n)
{
	void *p = arena_alloc(a, n);

	if (n > 0)
		memcpy(p, src, n);
	return p;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		hf_panic("vsnprintf failed");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
