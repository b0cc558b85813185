/* auth-guard.c — brute-force delays and blocks, connection and session
 * limits, over the shared table in auth-guard-table.c (see auth-guard.h). */
#include "auth/auth-guard-private.h"

#include "lib/err.h"
#include "lib/log.h"
#include "lib/shared-mutex.h"
#include "lib/mem.h"

#include <errno.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

void auth_guard_settings_default(struct auth_guard_settings *set_r)
{
	set_r->delay_initial_ms = 500;
	set_r->delay_max_ms = 15000;
	set_r->fail_window_secs = 300;
	set_r->fail_limit = 10;
	set_r->block_secs = 900;
	set_r->max_conns_per_addr = 100;
	set_r->max_conns_per_user = 50;
	set_r->table_size = 16384;
	set_r->exempt_loopback = true;
}

static int64_t monotonic_ms(void *context)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *check_settings(const struct auth_guard_settings *set)
{
	if (set->table_size < AUTH_GUARD_TABLE_MIN || set->table_size > AUTH_GUARD_TABLE_MAX)
		return "auth guard table size out of range";
	if (set->delay_initial_ms > set->delay_max_ms)
		return "initial delay above the maximum delay";
	if (set->fail_window_secs == 0)
		return "failure window must not be zero";
	return NULL;
}

struct auth_guard *auth_guard_new(const struct auth_guard_settings *set, const char **error_r)
{
	struct auth_guard *g = xcalloc(1, sizeof(*g));
	struct auth_guard_settings defaults;
	uint32_t nbuckets;
	void *map;

	if (set == NULL) {
		auth_guard_settings_default(&defaults);
		set = &defaults;
	}
	if ((*error_r = check_settings(set)) != NULL) {
		free(g);
		return NULL;
	}
	g->map_size = guard_table_map_size(set->table_size, &nbuckets);
	map = mmap(NULL, g->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		*error_r = "cannot map shared memory for the auth guard";
		free(g);
		return NULL;
	}
	g->sh = map;
	g->sh->set = *set;
	g->sh->capacity = set->table_size;
	g->sh->nbuckets = nbuckets;
	if (RAND_bytes(g->sh->seed, sizeof(g->sh->seed)) != 1)
		hf_panic("RAND_bytes failed");
	if (shared_mutex_init(&g->sh->lock) < 0) {
		munmap(map, g->map_size);
		free(g);
		*error_r = "cannot create a process-shared mutex";
		return NULL;
	}
	g->clock = monotonic_ms;
	guard_table_init(g);
	return g;
}

void auth_guard_free(struct auth_guard **gp)
{
	struct auth_guard *g = *gp;

	if (g == NULL)
		return;
	munmap(g->sh, g->map_size);
	xfree(gp);
}

void auth_guard_set_clock(struct auth_guard *g, int64_t (*fn)(void *context), void *context)
{
	g->clock = fn != NULL ? fn : monotonic_ms;
	g->clock_context = context;
}

/* Take the lock. If its owner died holding it, the table may be half
 * updated: start afresh (losing counts is safer than following a broken
 * chain) and mark the mutex consistent again. */
static void guard_lock(struct auth_guard *g)
{
	if (shared_mutex_lock(&g->sh->lock, "auth guard")) {
		guard_table_reset(g);
		g->sh->lock_recoveries++;
		log_warn("auth guard: a process died holding the lock; table reset");
	}
}

static void guard_unlock(struct auth_guard *g)
{
	shared_mutex_unlock(&g->sh->lock);
}

static bool exempt(const struct auth_guard *g, const char *addr)
{
	return g->sh->set.exempt_loopback && auth_guard_addr_is_loopback(addr);
}

/* Drop an entry that no longer records anything. */
static void drop_if_idle(struct auth_guard *g, struct guard_entry *e, int64_t now)
{
	if (e->conns == 0 && e->fails == 0 && e->streak == 0 && e->blocked_until_ms <= now)
		guard_table_remove(g, e);
}

/* Forget failures older than the window. */
static void expire_window(const struct auth_guard_settings *set, struct guard_entry *e, int64_t now)
{
	int64_t window = (int64_t)set->fail_window_secs * 1000;

	if (now - e->window_start_ms >= window)
		e->fails = 0;
	if (now - e->last_fail_ms >= window)
		e->streak = 0;
}

bool auth_guard_auth_allowed(struct auth_guard *g, const char *addr, uint32_t *retry_after_s_r)
{
	int64_t now = g->clock(g->clock_context), left = 0;
	struct guard_entry *e;

	if (exempt(g, addr))
		return true;
	guard_lock(g);
	e = guard_table_get(g, GUARD_ADDR, addr, false, now);
	if (e != NULL && e->blocked_until_ms > now)
		left = e->blocked_until_ms - now;
	guard_unlock(g);
	if (retry_after_s_r != NULL)
		*retry_after_s_r = (uint32_t)((left + 999) / 1000);
	return left == 0;
}

static uint32_t delay_for(const struct auth_guard_settings *set, uint32_t streak)
{
	uint64_t delay = set->delay_initial_ms;

	for (uint32_t i = 1; i < streak && delay < set->delay_max_ms; i++)
		delay *= 2;
	return delay < set->delay_max_ms ? (uint32_t)delay : set->delay_max_ms;
}

uint32_t auth_guard_record_failure(struct auth_guard *g, const char *addr)
{
	const struct auth_guard_settings *set = &g->sh->set;
	int64_t now = g->clock(g->clock_context);
	struct guard_entry *e;
	uint32_t delay;

	if (exempt(g, addr))
		return 0;
	guard_lock(g);
	e = guard_table_get(g, GUARD_ADDR, addr, true, now);
	expire_window(set, e, now);
	if (e->fails == 0)
		e->window_start_ms = now;
	e->fails++;
	if (e->streak < UINT32_MAX)
		e->streak++;
	e->last_fail_ms = now;
	if (set->fail_limit != 0 && e->fails >= set->fail_limit) {
		/* Blocked; once the block ends a fresh window starts. */
		e->blocked_until_ms = now + (int64_t)set->block_secs * 1000;
		e->fails = 0;
	}
	delay = delay_for(set, e->streak);
	guard_unlock(g);
	return delay;
}

void auth_guard_record_success(struct auth_guard *g, const char *addr)
{
	int64_t now = g->clock(g->clock_context);
	struct guard_entry *e;

	if (exempt(g, addr))
		return;
	guard_lock(g);
	e = guard_table_get(g, GUARD_ADDR, addr, false, now);
	if (e != NULL) {
		e->fails = 0;
		e->streak = 0;
		drop_if_idle(g, e, now);
	}
	guard_unlock(g);
}

/* Count one more connection or session under a limit (0: none). */
static int count_open(struct auth_guard *g, enum guard_kind kind, const char *key, uint32_t limit)
{
	int64_t now = g->clock(g->clock_context);
	struct guard_entry *e;
	int ret = 0;

	guard_lock(g);
	e = guard_table_get(g, kind, key, true, now);
	if (limit != 0 && e->conns >= limit) {
		ret = -1;
		drop_if_idle(g, e, now);
	} else {
		e->conns++;
	}
	guard_unlock(g);
	return ret;
}

static void count_close(struct auth_guard *g, enum guard_kind kind, const char *key)
{
	int64_t now = g->clock(g->clock_context);
	struct guard_entry *e;

	guard_lock(g);
	/* Absent when it was evicted while open: nothing to undo. */
	e = guard_table_get(g, kind, key, false, now);
	if (e != NULL) {
		if (e->conns > 0)
			e->conns--;
		drop_if_idle(g, e, now);
	}
	guard_unlock(g);
}

int auth_guard_conn_open(struct auth_guard *g, const char *addr)
{
	if (exempt(g, addr))
		return 0;
	return count_open(g, GUARD_ADDR, addr, g->sh->set.max_conns_per_addr);
}

void auth_guard_conn_close(struct auth_guard *g, const char *addr)
{
	if (!exempt(g, addr))
		count_close(g, GUARD_ADDR, addr);
}

int auth_guard_user_open(struct auth_guard *g, const char *user)
{
	return count_open(g, GUARD_USER, user, g->sh->set.max_conns_per_user);
}

void auth_guard_user_close(struct auth_guard *g, const char *user)
{
	count_close(g, GUARD_USER, user);
}

bool auth_guard_addr_info(struct auth_guard *g, const char *addr,
			  struct auth_guard_addr_info *info_r)
{
	int64_t now = g->clock(g->clock_context);
	struct guard_entry *e;

	memset(info_r, 0, sizeof(*info_r));
	guard_lock(g);
	e = guard_table_get(g, GUARD_ADDR, addr, false, now);
	if (e != NULL) {
		expire_window(&g->sh->set, e, now);
		info_r->conns = e->conns;
		info_r->fails = e->fails;
		info_r->streak = e->streak;
		if (e->blocked_until_ms > now)
			info_r->blocked_for_ms = (uint32_t)(e->blocked_until_ms - now);
	}
	guard_unlock(g);
	return e != NULL;
}

uint32_t auth_guard_user_sessions(struct auth_guard *g, const char *user)
{
	int64_t now = g->clock(g->clock_context);
	struct guard_entry *e;
	uint32_t n;

	guard_lock(g);
	e = guard_table_get(g, GUARD_USER, user, false, now);
	n = e != NULL ? e->conns : 0;
	guard_unlock(g);
	return n;
}

void auth_guard_stats(struct auth_guard *g, struct auth_guard_stats *stats_r)
{
	guard_lock(g);
	stats_r->entries = g->sh->used;
	stats_r->capacity = g->sh->capacity;
	stats_r->evictions = g->sh->evictions;
	stats_r->lock_recoveries = g->sh->lock_recoveries;
	guard_unlock(g);
}
