/* list-pattern.c — LIST patterns with cheap checks in front of the
 * matcher (see list-pattern.h). */
#include "list-pattern.h"
#include "imap/imap-mailbox.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static bool is_wildcard(char c)
{
	return c == '*' || c == '%';
}

/* Does s begin like "INBOX" in some case? Names under INBOX match those
 * five letters case-insensitively, so a byte compare would be wrong. */
static bool inbox_like(const char *s, size_t len)
{
	for (size_t i = 0; i < len && i < 5; i++)
		if (ascii_toupper((unsigned char)s[i]) != "INBOX"[i])
			return false;
	return true;
}

/* A pattern without wildcards: the one name it matches, canonical. */
static int init_exact(struct list_pattern *p, const char *pattern, size_t len)
{
	char *copy = xstrndup(pattern, len), *canon;
	int ret = store_mailbox_name_canonical(copy, &canon);

	free(copy);
	if (ret != STORE_OK)
		return -1;
	p->exact = true;
	p->literal = canon;
	p->literal_len = strlen(canon);
	return 0;
}

int list_pattern_init(struct list_pattern *p, const char *pattern, size_t len)
{
	size_t literals = 0, prefix = len;
	const char *error;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < len; i++) {
		if (!is_wildcard(pattern[i]))
			literals++;
		else if (prefix == len)
			prefix = i;
	}
	if (len > IMAP_LIST_PATTERN_MAX || literals > LIST_NAME_MAX ||
	    memchr(pattern, '\0', len) != NULL)
		return -1;
	if (prefix == len)
		return init_exact(p, pattern, len);
	if (imap_list_pattern_new(pattern, len, '/', &p->compiled, &error) < 0)
		return -1;
	p->cost = (len + 64) / 64;
	if (prefix > 0 && !inbox_like(pattern, prefix)) {
		p->literal = xstrndup(pattern, prefix);
		p->literal_len = prefix;
	}
	return 0;
}

void list_pattern_clear(struct list_pattern *p)
{
	imap_list_pattern_free(&p->compiled);
	free(p->literal);
	memset(p, 0, sizeof(*p));
}

unsigned list_pattern_match(const struct list_pattern *p, const char *name, size_t len,
			    uint64_t *work)
{
	if (p->exact) {
		if (len == p->literal_len && memcmp(name, p->literal, len) == 0)
			return IMAP_LIST_MATCH_YES;
		if (len < p->literal_len && memcmp(p->literal, name, len) == 0 &&
		    p->literal[len] == '/')
			return IMAP_LIST_MATCH_CHILDREN;
		return IMAP_LIST_MATCH_NO;
	}
	if (p->literal_len > 0) {
		if (memcmp(name, p->literal, len < p->literal_len ? len : p->literal_len) != 0)
			return IMAP_LIST_MATCH_NO;
		/* A name shorter than the prefix can only lead to matches below
		 * it, and only when the prefix goes on at a level boundary. */
		if (len < p->literal_len)
			return p->literal[len] == '/' ? IMAP_LIST_MATCH_CHILDREN
						      : IMAP_LIST_MATCH_NO;
	}
	*work += (uint64_t)(len + 1) * p->cost;
	return imap_list_pattern_match(p->compiled, name);
}
