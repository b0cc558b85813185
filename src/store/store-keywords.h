/* store-keywords.h — keyword sets as sorted space-separated strings. Private. */
#ifndef HAFEN_STORE_KEYWORDS_H
#define HAFEN_STORE_KEYWORDS_H

#include <stddef.h>

struct store_keyword_list {
	char **items; /* point into storage */
	size_t count;
	char *storage;
};

void store_keywords_split(const char *joined, struct store_keyword_list *l);
void store_keyword_list_free(struct store_keyword_list *l);
/* New joined set after applying mode (enum store_flags_mode) with kw. */
char *store_keywords_apply(const char *current, int mode, const char *const *kw, size_t n);

#endif
