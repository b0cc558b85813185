/* auth-guard-private.h — the shared table behind auth-guard.c: a fixed
 * array of entries in one MAP_SHARED mapping, found through hash buckets
 * and kept in least-recently-used order. Everything is addressed by index
 * (never by pointer), so the mapping may sit at any address in each
 * process.
 *
 * Invariants, true whenever the lock is free:
 *   - every entry is either on the free list (kind GUARD_FREE) or both in
 *     exactly one bucket chain and on the LRU list;
 *   - used counts the entries on the LRU list;
 *   - lru_head is the most recently used entry, lru_tail the least. */
#ifndef HAFEN_AUTH_AUTH_GUARD_PRIVATE_H
#define HAFEN_AUTH_AUTH_GUARD_PRIVATE_H

#include "auth/auth-guard.h"

#include <pthread.h>
#include <stddef.h>

#define GUARD_NIL        UINT32_MAX
#define GUARD_DIGEST_LEN 16
#define GUARD_LABEL_LEN  47

enum guard_kind { GUARD_FREE = 0, GUARD_ADDR = 1, GUARD_USER = 2 };

struct guard_entry {
	unsigned char digest[GUARD_DIGEST_LEN]; /* of seed, kind and key */
	uint8_t kind;
	char label[GUARD_LABEL_LEN]; /* the key, maybe truncated, for stats */
	uint32_t bucket_next;        /* next in the bucket chain, or free list */
	uint32_t lru_prev, lru_next;
	uint32_t conns;
	uint32_t fails;
	uint32_t streak;
	int64_t window_start_ms;
	int64_t last_fail_ms;
	int64_t blocked_until_ms;
};

struct guard_shared {
	pthread_mutex_t lock;
	struct auth_guard_settings set;
	unsigned char seed[16]; /* keys the digests, so bucket collisions cannot be planned */
	uint32_t capacity, nbuckets;
	uint32_t used;
	uint32_t lru_head, lru_tail, free_head;
	uint64_t evictions;
	uint64_t lock_recoveries;
	/* followed by uint32_t buckets[nbuckets], then struct guard_entry entries[capacity] */
};

/* The process-local handle. */
struct auth_guard {
	struct guard_shared *sh;
	size_t map_size;
	uint32_t *buckets;
	struct guard_entry *entries;
	int64_t (*clock)(void *context);
	void *clock_context;
};

/* Size of the mapping for a table of capacity entries. */
size_t guard_table_map_size(uint32_t capacity, uint32_t *nbuckets_r);
/* Lay out an empty table in zeroed shared memory. */
void guard_table_init(struct auth_guard *g);
/* Empty the table (after a process died holding the lock). */
void guard_table_reset(struct auth_guard *g);
/* Find the entry for (kind, key) and make it most recently used. When
 * absent: NULL, or with create a fresh zeroed entry (evicting the least
 * recently used if the table is full). Call with the lock held. */
struct guard_entry *guard_table_get(struct auth_guard *g, enum guard_kind kind, const char *key,
				    bool create, int64_t now_ms);
/* Return an entry to the free list. Call with the lock held. */
void guard_table_remove(struct auth_guard *g, struct guard_entry *e);

#endif
