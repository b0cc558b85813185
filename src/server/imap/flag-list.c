/* flag-list.c — flag lists of APPEND and STORE (see flag-list.h). */
#include "flag-list.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

static const struct {
	const char *name;
	unsigned bit;
} system_flags[] = {
	{"\\Seen", STORE_FLAG_SEEN},       {"\\Answered", STORE_FLAG_ANSWERED},
	{"\\Flagged", STORE_FLAG_FLAGGED}, {"\\Deleted", STORE_FLAG_DELETED},
	{"\\Draft", STORE_FLAG_DRAFT},
};

static int system_flag(const char *name, unsigned *bit_r, const char **error_r)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(system_flags); i++) {
		if (str_casecmp(name, system_flags[i].name) == 0) {
			*bit_r = system_flags[i].bit;
			return 0;
		}
	}
	*error_r = str_casecmp(name, "\\Recent") == 0 ? "\\Recent cannot be set by a client"
						      : "Unknown system flag";
	return -1;
}

int flag_list_parse(const struct imap_strlist *list, struct arena *arena, struct flag_list *out_r,
		    const char **error_r)
{
	out_r->flags = 0;
	out_r->keyword_count = 0;
	out_r->keywords = arena_alloc(arena, (list->count ? list->count : 1) * sizeof(char *));
	for (size_t i = 0; i < list->count; i++) {
		const char *f = list->items[i];
		unsigned bit;

		if (f[0] != '\\') {
			out_r->keywords[out_r->keyword_count++] = f;
			continue;
		}
		if (system_flag(f, &bit, error_r) < 0)
			return -1;
		out_r->flags |= bit;
	}
	return 0;
}
