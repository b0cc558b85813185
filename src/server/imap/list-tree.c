/* list-tree.c — the names a LIST or LSUB reports (see list-tree.h).
 *
 * Every name sits in one array sorted by bytes, so the descendants of a
 * name N are the contiguous run of names that start with "N/" (from "N/"
 * up to "N0", '0' being the byte after '/'). Prefix sums over the array
 * then tell in O(log n) whether that run holds a mailbox (\HasChildren)
 * or a name that meets the criteria without matching a pattern (rule B,
 * CHILDINFO).
 */
#include "list-tree.h"
#include "list-pattern.h"
#include "imap/imap-mailbox.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/mem.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Working flags beside enum list_entry_flags, never handed out. */
#define NODE_MATCH        (1u << 8) /* matches one of the patterns */
#define NODE_QUALIFIES    (1u << 9) /* meets the criteria, matches no pattern */
#define NODE_PUBLIC_FLAGS 0xffu

struct nodes {
	struct list_entry *v;
	size_t count, cap;
};

struct list_tree {
	struct arena *arena; /* every name */
	struct nodes all;    /* every name considered, sorted, unique */
	struct nodes out;    /* what to report */
};

struct build {
	struct list_tree *t;
	const struct list_pattern *patterns;
	size_t npatterns;
	unsigned select;
	struct buf scratch;
	uint64_t work; /* matching done, against LIST_MAX_WORK */
};

static void nodes_push(struct nodes *n, const char *name, unsigned flags, unsigned use)
{
	if (n->count == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 64;
		n->v = xreallocarray(n->v, n->cap, sizeof(*n->v));
	}
	n->v[n->count++] = (struct list_entry){name, flags, use};
}

static int add_mailbox(void *ctx, const struct store_mailbox *mb)
{
	struct list_tree *t = ctx;
	unsigned flags = LIST_ENTRY_EXISTS;

	if (mb->noselect)
		flags |= LIST_ENTRY_NOSELECT;
	if (mb->subscribed)
		flags |= LIST_ENTRY_SUBSCRIBED;
	nodes_push(&t->all, arena_strdup(t->arena, mb->name), flags, mb->special_use);
	return 0;
}

static int add_subscription(void *ctx, const char *name)
{
	struct list_tree *t = ctx;

	nodes_push(&t->all, arena_strdup(t->arena, name), LIST_ENTRY_SUBSCRIBED, 0);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct list_entry *)a)->name, ((const struct list_entry *)b)->name);
}

/* Sort, and fold a subscription into the mailbox of the same name. */
static void sort_unique(struct nodes *n)
{
	size_t w = 0;

	if (n->count == 0)
		return;
	qsort(n->v, n->count, sizeof(*n->v), cmp_entry);
	for (size_t r = 1; r < n->count; r++) {
		if (strcmp(n->v[r].name, n->v[w].name) == 0) {
			n->v[w].flags |= n->v[r].flags;
			n->v[w].special_use |= n->v[r].special_use;
		} else {
			n->v[++w] = n->v[r];
		}
	}
	n->count = w + 1;
}

/* name against the len bytes at key (no NUL among them), in strcmp order. */
static int cmp_key(const char *name, const char *key, size_t len)
{
	int c = strncmp(name, key, len);

	if (c != 0)
		return c;
	return name[len] == '\0' ? 0 : 1;
}

/* The index of the first name not below key. */
static size_t lower_bound(const struct nodes *n, const char *key, size_t len)
{
	size_t lo = 0, hi = n->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(n->v[mid].name, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool contains(const struct nodes *n, const char *key, size_t len)
{
	size_t i = lower_bound(n, key, len);

	return i < n->count && cmp_key(n->v[i].name, key, len) == 0;
}

/* What the patterns say of name (len bytes): enum imap_list_match bits of
 * any; with stop_at_yes, the first that matches ends the search. */
static unsigned match_mask(struct build *b, const char *name, size_t len, bool stop_at_yes)
{
	unsigned mask = 0;

	for (size_t i = 0; i < b->npatterns; i++) {
		mask |= list_pattern_match(&b->patterns[i], name, len, &b->work);
		if (stop_at_yes && (mask & IMAP_LIST_MATCH_YES))
			break;
	}
	return mask;
}

static bool over_budget(const struct build *b)
{
	return b->work > LIST_MAX_WORK;
}

static bool plain_selection(unsigned select)
{
	return !(select & (LIST_SEL_SUBSCRIBED | LIST_SEL_SPECIAL_USE));
}

/* Rule A: the criteria are cumulative (RFC 9051 6.3.9). */
static bool meets(unsigned select, const struct list_entry *e)
{
	bool ok = (select & LIST_SEL_SUBSCRIBED) ? (e->flags & LIST_ENTRY_SUBSCRIBED) != 0
						 : (e->flags & LIST_ENTRY_EXISTS) != 0;

	if (select & LIST_SEL_SPECIAL_USE)
		ok = ok && (e->flags & LIST_ENTRY_EXISTS) && !(e->flags & LIST_ENTRY_NOSELECT) &&
		     e->special_use != 0;
	return ok;
}

static void classify(struct build *b)
{
	struct nodes *all = &b->t->all;

	for (size_t i = 0; i < all->count && !over_budget(b); i++) {
		struct list_entry *e = &all->v[i];
		bool match = match_mask(b, e->name, strlen(e->name), true) & IMAP_LIST_MATCH_YES;

		if (match)
			e->flags |= NODE_MATCH;
		if (meets(b->select, e)) {
			e->flags |= LIST_ENTRY_MEETS;
			if (!match)
				e->flags |= NODE_QUALIFIES;
		}
	}
}

/* Where the walk down name's parents starts: past the parents it shares
 * with prev, the previous qualifying name in sorted order, which were
 * looked at then (descendants are contiguous, so nothing before prev
 * shares a parent with name that prev does not). */
static size_t walk_start(const char *name, const char *prev)
{
	size_t common = 0, start = 0;

	if (prev == NULL)
		return 0;
	while (name[common] != '\0' && name[common] == prev[common])
		common++;
	if (prev[common] == '\0' && name[common] == '/')
		return common; /* prev is itself a parent of name */
	for (size_t i = 0; i < common; i++)
		if (name[i] == '/')
			start = i;
	return start;
}

/* Rule B can report a parent that is neither a mailbox nor subscribed:
 * add those that match a pattern. Each parent is matched once, top down,
 * and the walk stops where no pattern could match anything deeper. */
static void add_parents(struct build *b)
{
	struct nodes *all = &b->t->all;
	struct nodes found = {NULL, 0, 0};
	const char *prev = NULL;

	for (size_t i = 0; i < all->count && !over_budget(b); i++) {
		const char *name = all->v[i].name;

		if (!(all->v[i].flags & NODE_QUALIFIES))
			continue;
		for (size_t p = walk_start(name, prev) + 1; name[p] != '\0'; p++) {
			unsigned mask;

			if (name[p] != '/' || contains(all, name, p))
				continue;
			buf_reset(&b->scratch);
			buf_append(&b->scratch, name, p);
			mask = match_mask(b, buf_cstr(&b->scratch), p, false);
			if (mask & IMAP_LIST_MATCH_YES)
				nodes_push(&found, arena_strndup(b->t->arena, name, p), NODE_MATCH,
					   0);
			if (!(mask & IMAP_LIST_MATCH_CHILDREN))
				break;
		}
		prev = name;
	}
	for (size_t i = 0; i < found.count; i++)
		nodes_push(all, found.v[i].name, found.v[i].flags, 0);
	free(found.v);
	sort_unique(all);
}

/* \HasChildren and CHILDINFO from the run of names below each name. */
static void mark_descendants(struct build *b)
{
	struct nodes *all = &b->t->all;
	size_t *rows = xcalloc(all->count + 1, sizeof(*rows));
	size_t *qualifying = xcalloc(all->count + 1, sizeof(*qualifying));

	for (size_t i = 0; i < all->count; i++) {
		rows[i + 1] = rows[i] + ((all->v[i].flags & LIST_ENTRY_EXISTS) != 0);
		qualifying[i + 1] = qualifying[i] + ((all->v[i].flags & NODE_QUALIFIES) != 0);
	}
	for (size_t i = 0; i < all->count; i++) {
		struct list_entry *e = &all->v[i];
		size_t lo, hi;

		buf_reset(&b->scratch);
		buf_append_str(&b->scratch, e->name);
		buf_append_byte(&b->scratch, '/');
		lo = lower_bound(all, (const char *)b->scratch.data, b->scratch.len);
		b->scratch.data[b->scratch.len - 1] = '0';
		hi = lower_bound(all, (const char *)b->scratch.data, b->scratch.len);
		if (rows[hi] > rows[lo])
			e->flags |= LIST_ENTRY_CHILDREN;
		if (qualifying[hi] > qualifying[lo])
			e->flags |= LIST_ENTRY_CHILDINFO;
	}
	free(rows);
	free(qualifying);
}

static bool reported(unsigned select, const struct list_entry *e)
{
	if (!(e->flags & NODE_MATCH))
		return false;
	if (e->flags & LIST_ENTRY_MEETS)
		return true;
	if (!(e->flags & LIST_ENTRY_CHILDINFO))
		return false;
	return (select & LIST_SEL_RECURSIVE) ||
	       (plain_selection(select) && !(e->flags & LIST_ENTRY_EXISTS));
}

static void collect(struct build *b)
{
	struct list_tree *t = b->t;

	/* INBOX and what lies below it first, as clients show them (in byte
	 * order "INBOX" comes after every capital letter but "I"). */
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->all.count; i++) {
			const struct list_entry *e = &t->all.v[i];
			bool inbox = strncmp(e->name, "INBOX", 5) == 0 &&
				     (e->name[5] == '\0' || e->name[5] == '/');

			if (inbox == (pass == 0) && reported(b->select, e))
				nodes_push(&t->out, e->name, e->flags & NODE_PUBLIC_FLAGS,
					   e->special_use);
		}
	}
}

int list_tree_build(struct store *st, const struct list_pattern *patterns, size_t count,
		    unsigned select, struct list_tree **tree_r)
{
	struct list_tree *t = xcalloc(1, sizeof(*t));
	struct build b = {t, patterns, count, select, BUF_INIT, 0};
	int ret = STORE_OK;

	t->arena = arena_new(64 * 1024);
	/* Without a pattern nothing can match: no need to read the store. */
	if (count > 0) {
		ret = store_mailbox_list(st, NULL, add_mailbox, t);
		if (ret == STORE_OK)
			ret = store_subscriptions(st, add_subscription, t);
	}
	if (ret != STORE_OK) {
		list_tree_free(&t);
		return ret;
	}
	sort_unique(&t->all);
	classify(&b);
	if ((select & LIST_SEL_RECURSIVE) || plain_selection(select))
		add_parents(&b);
	if (over_budget(&b)) {
		buf_free(&b.scratch);
		list_tree_free(&t);
		return STORE_ERR_LIMIT;
	}
	mark_descendants(&b);
	collect(&b);
	buf_free(&b.scratch);
	*tree_r = t;
	return STORE_OK;
}

size_t list_tree_count(const struct list_tree *t)
{
	return t->out.count;
}

const struct list_entry *list_tree_get(const struct list_tree *t, size_t i)
{
	return &t->out.v[i];
}

void list_tree_free(struct list_tree **tp)
{
	struct list_tree *t = *tp;

	if (t == NULL)
		return;
	arena_free(&t->arena);
	free(t->all.v);
	free(t->out.v);
	free(t);
	*tp = NULL;
}
