/* auth-guard.h — brute-force protection and connection limits, shared by
 * all worker processes of the server.
 *
 * The supervisor creates the guard before it forks the workers; the table
 * lives in anonymous shared memory (MAP_SHARED) behind a process-shared,
 * robust mutex, so a failure counted in one worker delays and blocks the
 * same address in every other. The table has a fixed number of entries;
 * when it is full the least recently used entry is evicted, preferring
 * entries that hold no connections and no block.
 *
 * Clients are keyed by address: an IPv4 address, the /64 prefix of an
 * IPv6 address (one subscriber usually owns a whole /64), or "local" for
 * a unix socket. Loopback may be exempt (the default).
 *
 * Policy (all configurable, see auth_guard_settings_default()):
 *   - each failed authentication makes the server wait before it answers:
 *     delay_initial_ms, doubling with each further failure from the
 *     address up to delay_max_ms; the streak resets after a success or a
 *     quiet fail_window_secs;
 *   - fail_limit failures within fail_window_secs block the address for
 *     block_secs: auth_guard_auth_allowed() says no until then;
 *   - at most max_conns_per_addr connections from an address and
 *     max_conns_per_user logged-in sessions of one user (0: no limit).
 * The guard only decides; the server applies a delay with a timer (never
 * sleep()) and answers a refused connection or login itself.
 */
#ifndef HAFEN_AUTH_AUTH_GUARD_H
#define HAFEN_AUTH_AUTH_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for an address key: the longest is an IPv6 /64 prefix. */
#define AUTH_GUARD_ADDR_MAX  48
#define AUTH_GUARD_TABLE_MIN 16
#define AUTH_GUARD_TABLE_MAX (1u << 20)

struct auth_guard_settings {
	uint32_t delay_initial_ms;   /* 500 */
	uint32_t delay_max_ms;       /* 15000 */
	uint32_t fail_window_secs;   /* 300 */
	uint32_t fail_limit;         /* 10 failures in the window block */
	uint32_t block_secs;         /* 900 */
	uint32_t max_conns_per_addr; /* 100; 0 = unlimited */
	uint32_t max_conns_per_user; /* 50; 0 = unlimited */
	uint32_t table_size;         /* 16384 entries (about 2 MiB) */
	bool exempt_loopback;        /* true: 127/8, ::1 and "local" are never limited */
};

struct auth_guard;

void auth_guard_settings_default(struct auth_guard_settings *set_r);

/* Create the shared table (call before fork()). set NULL: defaults.
 * Returns NULL with a static *error_r on invalid settings or when the
 * memory cannot be mapped. */
struct auth_guard *auth_guard_new(const struct auth_guard_settings *set, const char **error_r);
/* Unmap this process's view; *gp becomes NULL. Accepts NULL. Other
 * processes keep theirs. */
void auth_guard_free(struct auth_guard **gp);

/* For tests: make the guard read the time (milliseconds, monotonic) from
 * fn instead of CLOCK_MONOTONIC. Affects this process only. */
void auth_guard_set_clock(struct auth_guard *g, int64_t (*fn)(void *context), void *context);

/* The address key of a peer: "192.0.2.7", "2001:db8:1:2::/64", "::1",
 * or "local" for AF_UNIX. An IPv4-mapped IPv6 address is keyed as IPv4.
 * Returns 0, or -1 for an unknown family or short length. */
int auth_guard_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
				  char out_r[AUTH_GUARD_ADDR_MAX]);
/* The same from an address in text ("192.0.2.7", "2001:db8::1", "local"). */
int auth_guard_addr_from_string(const char *ip, char out_r[AUTH_GUARD_ADDR_MAX]);
/* Is this key loopback ("local", 127.0.0.0/8, "::1")? */
bool auth_guard_addr_is_loopback(const char *addr);

/* May the address try to authenticate now? False while it is blocked;
 * *retry_after_s_r (may be NULL) then says how long is left. */
bool auth_guard_auth_allowed(struct auth_guard *g, const char *addr, uint32_t *retry_after_s_r);
/* Count a failed authentication. Returns the delay in milliseconds the
 * server must wait before it sends the failure reply (0 when exempt). */
uint32_t auth_guard_record_failure(struct auth_guard *g, const char *addr);
/* A successful authentication clears the address's failures. */
void auth_guard_record_success(struct auth_guard *g, const char *addr);

/* A connection from addr arrived: 0 when it is within the limit (it is
 * then counted until auth_guard_conn_close), -1 when the address has too
 * many (not counted). */
int auth_guard_conn_open(struct auth_guard *g, const char *addr);
void auth_guard_conn_close(struct auth_guard *g, const char *addr);
/* A session logged in as user (the canonical name): 0 within the limit,
 * -1 when the user has too many sessions (not counted). */
int auth_guard_user_open(struct auth_guard *g, const char *user);
void auth_guard_user_close(struct auth_guard *g, const char *user);

/* What the table knows about an address, for `hafend stats` and tests. */
struct auth_guard_addr_info {
	uint32_t conns;
	uint32_t fails;          /* in the current window */
	uint32_t streak;         /* consecutive failures driving the delay */
	uint32_t blocked_for_ms; /* 0 when not blocked */
};
/* False when the table has no entry for the address. */
bool auth_guard_addr_info(struct auth_guard *g, const char *addr,
			  struct auth_guard_addr_info *info_r);
/* Sessions counted for a user. */
uint32_t auth_guard_user_sessions(struct auth_guard *g, const char *user);

struct auth_guard_stats {
	uint32_t entries, capacity;
	uint64_t evictions;
	uint64_t lock_recoveries; /* a process died holding the lock */
};
void auth_guard_stats(struct auth_guard *g, struct auth_guard_stats *stats_r);

#endif
