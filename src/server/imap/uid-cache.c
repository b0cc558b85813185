/* uid-cache.c — a worker's UID sets of recently opened mailboxes, updated
 * from store_changes() instead of read in full (see uid-cache.h for why
 * that is exact). One process, one event loop: no locking. */
#include "uid-cache.h"

#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

struct uid_cache_entry {
	char *user; /* NULL: a free slot */
	int64_t mailbox_id;
	uint32_t uidvalidity;
	uint64_t modseq; /* uids are as of this HIGHESTMODSEQ or later */
	uint64_t last_used;
	struct rangeset uids;
};

/* A worker is one process with one loop; the entries outlive sessions and
 * store handles on purpose, and live until the process exits. */
static struct uid_cache_entry entries[UID_CACHE_ENTRIES];
static uint64_t use_clock;

static void entry_clear(struct uid_cache_entry *e)
{
	free(e->user);
	rangeset_free(&e->uids);
	memset(e, 0, sizeof(*e));
}

void uid_cache_clear(void)
{
	for (size_t i = 0; i < UID_CACHE_ENTRIES; i++)
		entry_clear(&entries[i]);
}

static struct uid_cache_entry *entry_find(const char *user, int64_t mailbox_id)
{
	for (size_t i = 0; i < UID_CACHE_ENTRIES; i++)
		if (entries[i].user != NULL && entries[i].mailbox_id == mailbox_id &&
		    strcmp(entries[i].user, user) == 0)
			return &entries[i];
	return NULL;
}

/* A free slot, else the least recently used one, emptied. */
static struct uid_cache_entry *entry_take(void)
{
	struct uid_cache_entry *victim = &entries[0];

	for (size_t i = 0; i < UID_CACHE_ENTRIES; i++) {
		if (entries[i].user == NULL) {
			victim = &entries[i];
			break;
		}
		if (entries[i].last_used < victim->last_used)
			victim = &entries[i];
	}
	entry_clear(victim);
	return victim;
}

static void add_changed(void *ctx, uint32_t uid, unsigned flags, const char *keywords,
			uint64_t modseq)
{
	(void)flags;
	(void)keywords;
	(void)modseq;
	rangeset_add(ctx, uid);
}

#define READ_IN_FULL 1

/* Bring e's set up to date: STORE_OK when it matches the mailbox row,
 * READ_IN_FULL when it cannot be trusted, or a store error. */
static int entry_update(struct uid_cache_entry *e, struct store *st, const struct store_mailbox *mb,
			struct rangeset *uids_r)
{
	struct rangeset expunged = RANGESET_INIT;
	int ret;

	if (e->uidvalidity != mb->uidvalidity || e->modseq > mb->highestmodseq)
		return READ_IN_FULL;
	rangeset_copy(uids_r, &e->uids);
	if (e->modseq == mb->highestmodseq)
		return rangeset_count(uids_r) == mb->messages ? STORE_OK : READ_IN_FULL;
	ret = store_changes(st, mb->id, e->modseq, add_changed, uids_r, &expunged);
	rangeset_subtract(uids_r, &expunged);
	rangeset_free(&expunged);
	if (ret != STORE_OK)
		return ret;
	return rangeset_count(uids_r) == mb->messages ? STORE_OK : READ_IN_FULL;
}

static int read_all(struct store *st, int64_t mailbox_id, struct rangeset *uids_r)
{
	uint32_t *uids = NULL;
	size_t count = 0;
	int ret = store_mailbox_uids(st, mailbox_id, &uids, &count);

	for (size_t i = 0; ret == STORE_OK && i < count; i++) {
		size_t j = i;

		/* Runs of consecutive UIDs go in as one range. */
		while (j + 1 < count && uids[j + 1] == uids[j] + 1)
			j++;
		rangeset_add_range(uids_r, uids[i], uids[j]);
		i = j;
	}
	free(uids);
	return ret;
}

static void entry_store(struct uid_cache_entry *e, const char *user, const struct store_mailbox *mb,
			const struct rangeset *uids)
{
	if (uids->count > UID_CACHE_MAX_RANGES) {
		entry_clear(e);
		return;
	}
	if (e->user == NULL)
		e->user = xstrdup(user);
	e->mailbox_id = mb->id;
	e->uidvalidity = mb->uidvalidity;
	e->modseq = mb->highestmodseq;
	e->last_used = ++use_clock;
	rangeset_copy(&e->uids, uids);
}

int uid_cache_get(struct store *st, const char *user, const struct store_mailbox *mb,
		  struct rangeset *uids_r)
{
	struct uid_cache_entry *e = entry_find(user, mb->id);
	int ret = READ_IN_FULL;

	rangeset_clear(uids_r);
	if (e != NULL)
		ret = entry_update(e, st, mb, uids_r);
	if (ret < 0) {
		rangeset_clear(uids_r);
		return ret;
	}
	if (ret == READ_IN_FULL) {
		rangeset_clear(uids_r);
		ret = read_all(st, mb->id, uids_r);
		if (ret != STORE_OK) {
			rangeset_clear(uids_r);
			return ret;
		}
	}
	entry_store(e != NULL ? e : entry_take(), user, mb, uids_r);
	return STORE_OK;
}
