/* mem.h — allocation that never returns NULL: out of memory aborts (see err.h). */
#ifndef HAFEN_LIB_MEM_H
#define HAFEN_LIB_MEM_H

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array of nmemb elements of size bytes each, checking overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* Copy n bytes and add a NUL; the bytes may contain NUL. */
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);

/* Free *pp and set it to NULL; accepts NULL and a NULL *pp. */
#define xfree(pp)                                                                                  \
	do {                                                                                       \
		free(*(pp));                                                                       \
		*(pp) = NULL;                                                                      \
	} while (0)

#endif
