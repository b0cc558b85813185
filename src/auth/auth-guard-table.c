/* auth-guard-table.c — the fixed-size shared hash table with LRU eviction
 * behind the auth guard (see auth-guard-private.h for its invariants). */
#include "auth/auth-guard-private.h"

#include "lib/err.h"

#include <openssl/evp.h>
#include <string.h>

/* How far from the LRU tail eviction looks for an idle entry before it
 * takes the tail regardless. */
#define EVICT_SCAN 32

size_t guard_table_map_size(uint32_t capacity, uint32_t *nbuckets_r)
{
	uint32_t nbuckets = 1;

	while (nbuckets < capacity)
		nbuckets <<= 1;
	*nbuckets_r = nbuckets;
	return sizeof(struct guard_shared) + (size_t)nbuckets * sizeof(uint32_t) +
	       (size_t)capacity * sizeof(struct guard_entry);
}

void guard_table_reset(struct auth_guard *g)
{
	struct guard_shared *sh = g->sh;

	for (uint32_t i = 0; i < sh->nbuckets; i++)
		g->buckets[i] = GUARD_NIL;
	memset(g->entries, 0, (size_t)sh->capacity * sizeof(*g->entries));
	for (uint32_t i = 0; i < sh->capacity; i++)
		g->entries[i].bucket_next = i + 1 < sh->capacity ? i + 1 : GUARD_NIL;
	sh->free_head = 0;
	sh->lru_head = sh->lru_tail = GUARD_NIL;
	sh->used = 0;
}

void guard_table_init(struct auth_guard *g)
{
	g->buckets = (uint32_t *)(g->sh + 1);
	g->entries = (struct guard_entry *)(g->buckets + g->sh->nbuckets);
	guard_table_reset(g);
}

static void digest_key(const struct guard_shared *sh, enum guard_kind kind, const char *key,
		       unsigned char out[GUARD_DIGEST_LEN])
{
	unsigned char full[EVP_MAX_MD_SIZE];
	unsigned char k = (unsigned char)kind;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, sh->seed, sizeof(sh->seed)) != 1 ||
	    EVP_DigestUpdate(ctx, &k, 1) != 1 || EVP_DigestUpdate(ctx, key, strlen(key)) != 1 ||
	    EVP_DigestFinal_ex(ctx, full, NULL) != 1)
		hf_panic("auth guard: SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	memcpy(out, full, GUARD_DIGEST_LEN);
}

static uint32_t bucket_of(const struct guard_shared *sh, const unsigned char *digest)
{
	uint32_t h;

	memcpy(&h, digest, sizeof(h));
	return h & (sh->nbuckets - 1);
}

static uint32_t index_of(const struct auth_guard *g, const struct guard_entry *e)
{
	return (uint32_t)(e - g->entries);
}

static void lru_unlink(struct auth_guard *g, uint32_t i)
{
	struct guard_shared *sh = g->sh;
	struct guard_entry *e = &g->entries[i];

	if (e->lru_prev != GUARD_NIL)
		g->entries[e->lru_prev].lru_next = e->lru_next;
	else
		sh->lru_head = e->lru_next;
	if (e->lru_next != GUARD_NIL)
		g->entries[e->lru_next].lru_prev = e->lru_prev;
	else
		sh->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = GUARD_NIL;
}

static void lru_push_head(struct auth_guard *g, uint32_t i)
{
	struct guard_shared *sh = g->sh;
	struct guard_entry *e = &g->entries[i];

	e->lru_prev = GUARD_NIL;
	e->lru_next = sh->lru_head;
	if (sh->lru_head != GUARD_NIL)
		g->entries[sh->lru_head].lru_prev = i;
	sh->lru_head = i;
	if (sh->lru_tail == GUARD_NIL)
		sh->lru_tail = i;
}

static void bucket_unlink(struct auth_guard *g, uint32_t i)
{
	uint32_t *link = &g->buckets[bucket_of(g->sh, g->entries[i].digest)];

	while (*link != GUARD_NIL && *link != i)
		link = &g->entries[*link].bucket_next;
	if (*link != i)
		hf_panic("auth guard: entry missing from its bucket");
	*link = g->entries[i].bucket_next;
}

void guard_table_remove(struct auth_guard *g, struct guard_entry *e)
{
	struct guard_shared *sh = g->sh;
	uint32_t i = index_of(g, e);

	bucket_unlink(g, i);
	lru_unlink(g, i);
	memset(e, 0, sizeof(*e));
	e->bucket_next = sh->free_head;
	sh->free_head = i;
	sh->used--;
}

/* Pick the entry to evict: the least recently used one that holds no
 * connection and no block, within EVICT_SCAN of the tail; else the tail.
 * Evicting an entry with connections loses their count (the close is then
 * ignored); evicting a block lifts it. A table sized well above the
 * number of live connections makes both rare. */
static struct guard_entry *evict_one(struct auth_guard *g, int64_t now_ms)
{
	uint32_t i = g->sh->lru_tail;

	for (int n = 0; n < EVICT_SCAN && i != GUARD_NIL; n++) {
		struct guard_entry *e = &g->entries[i];

		if (e->conns == 0 && e->blocked_until_ms <= now_ms)
			break;
		i = e->lru_prev;
	}
	if (i == GUARD_NIL)
		i = g->sh->lru_tail;
	g->sh->evictions++;
	guard_table_remove(g, &g->entries[i]);
	return &g->entries[i];
}

static struct guard_entry *insert(struct auth_guard *g, enum guard_kind kind, const char *key,
				  const unsigned char *digest, int64_t now_ms)
{
	struct guard_shared *sh = g->sh;
	struct guard_entry *e;
	uint32_t i, b;

	if (sh->free_head == GUARD_NIL)
		evict_one(g, now_ms);
	i = sh->free_head;
	e = &g->entries[i];
	sh->free_head = e->bucket_next;
	memset(e, 0, sizeof(*e));
	memcpy(e->digest, digest, GUARD_DIGEST_LEN);
	e->kind = (uint8_t)kind;
	strncpy(e->label, key, sizeof(e->label) - 1);
	b = bucket_of(sh, digest);
	e->bucket_next = g->buckets[b];
	g->buckets[b] = i;
	lru_push_head(g, i);
	sh->used++;
	return e;
}

struct guard_entry *guard_table_get(struct auth_guard *g, enum guard_kind kind, const char *key,
				    bool create, int64_t now_ms)
{
	unsigned char digest[GUARD_DIGEST_LEN];
	uint32_t i;

	digest_key(g->sh, kind, key, digest);
	for (i = g->buckets[bucket_of(g->sh, digest)]; i != GUARD_NIL;
	     i = g->entries[i].bucket_next) {
		struct guard_entry *e = &g->entries[i];

		if (e->kind == kind && memcmp(e->digest, digest, GUARD_DIGEST_LEN) == 0) {
			lru_unlink(g, i);
			lru_push_head(g, i);
			return e;
		}
	}
	return create ? insert(g, kind, key, digest, now_ms) : NULL;
}
