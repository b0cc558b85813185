/* test-auth-guard.c — brute-force delays and blocks, connection limits,
 * the shared table across fork(), eviction and lock recovery. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/auth-guard-private.h"
#include "lib/err.h"
#include "lib/log.h"

static int64_t fake_now;

static int64_t fake_clock(void *context)
{
	return fake_now;
}

static struct auth_guard *guard_new(uint32_t table_size, uint32_t fail_limit, bool exempt)
{
	struct auth_guard_settings set;
	const char *error = NULL;
	struct auth_guard *g;

	auth_guard_settings_default(&set);
	set.table_size = table_size;
	set.fail_limit = fail_limit;
	set.exempt_loopback = exempt;
	g = auth_guard_new(&set, &error);
	if (g == NULL)
		fail_msg("auth_guard_new: %s", error);
	fake_now = 1000000;
	auth_guard_set_clock(g, fake_clock, NULL);
	return g;
}

/* Check the table's invariants (auth-guard-private.h). */
static void check_table(struct auth_guard *g)
{
	struct guard_shared *sh = g->sh;
	uint32_t n = 0, nfree = 0, prev = GUARD_NIL;

	for (uint32_t i = sh->lru_head; i != GUARD_NIL; i = g->entries[i].lru_next) {
		struct guard_entry *e = &g->entries[i];
		uint32_t j;

		assert_int_not_equal(e->kind, GUARD_FREE);
		assert_int_equal(e->lru_prev, prev);
		uint32_t h;

		memcpy(&h, e->digest, sizeof(h));
		for (j = g->buckets[h & (sh->nbuckets - 1)]; j != GUARD_NIL && j != i;
		     j = g->entries[j].bucket_next)
			;
		assert_int_equal(j, i);
		prev = i;
		assert_true(++n <= sh->capacity);
	}
	assert_int_equal(sh->lru_tail, prev);
	assert_int_equal(n, sh->used);
	for (uint32_t i = sh->free_head; i != GUARD_NIL; i = g->entries[i].bucket_next) {
		assert_int_equal(g->entries[i].kind, GUARD_FREE);
		assert_true(++nfree <= sh->capacity);
	}
	assert_int_equal(n + nfree, sh->capacity);
}

static void test_settings(void **state)
{
	struct auth_guard_settings set;
	const char *error = NULL;
	struct auth_guard *g;

	auth_guard_settings_default(&set);
	assert_int_equal(set.delay_initial_ms, 500);
	assert_int_equal(set.delay_max_ms, 15000);
	assert_int_equal(set.fail_limit, 10);
	assert_int_equal(set.fail_window_secs, 300);
	assert_int_equal(set.block_secs, 900);
	assert_true(set.exempt_loopback);
	set.table_size = 8;
	assert_null(auth_guard_new(&set, &error));
	assert_non_null(error);
	set.table_size = AUTH_GUARD_TABLE_MAX + 1;
	assert_null(auth_guard_new(&set, &error));
	auth_guard_settings_default(&set);
	set.delay_initial_ms = 20000;
	assert_null(auth_guard_new(&set, &error));
	auth_guard_settings_default(&set);
	set.fail_window_secs = 0;
	assert_null(auth_guard_new(&set, &error));
	g = auth_guard_new(NULL, &error);
	assert_non_null(g);
	check_table(g);
	auth_guard_free(&g);
	assert_null(g);
	auth_guard_free(&g);
}

static void test_addr_keys(void **state)
{
	static const struct {
		const char *in, *key;
	} cases[] = {
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:0db8:0001:0002::9", "2001:db8:1:2::/64"},
		{"2001:db8::1", "2001:db8::/64"},
		{"::1", "::1"},
		{"::2", "::/64"},
		{"fe80::1", "fe80::/64"},
		{"127.0.0.1", "127.0.0.1"},
		{"local", "local"},
		{"", NULL},
		{"192.0.2", NULL},
		{"example.org", NULL},
		{"192.0.2.7/32", NULL},
		{"2001:db8::/64", NULL},
	};
	char key[AUTH_GUARD_ADDR_MAX];

	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		int ret = auth_guard_addr_from_string(cases[i].in, key);

		if (cases[i].key == NULL) {
			assert_int_equal(ret, -1);
			continue;
		}
		if (ret != 0)
			fail_msg("case %zu rejected", i);
		assert_string_equal(key, cases[i].key);
	}
	assert_true(auth_guard_addr_is_loopback("127.0.0.1"));
	assert_true(auth_guard_addr_is_loopback("127.1.2.3"));
	assert_true(auth_guard_addr_is_loopback("::1"));
	assert_true(auth_guard_addr_is_loopback("local"));
	assert_false(auth_guard_addr_is_loopback("::/64"));
	assert_false(auth_guard_addr_is_loopback("192.0.2.7"));

	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	inet_pton(AF_INET, "198.51.100.1", &sin.sin_addr);
	assert_int_equal(auth_guard_addr_from_sockaddr((struct sockaddr *)&sin, sizeof(sin), key),
			 0);
	assert_string_equal(key, "198.51.100.1");
	assert_int_equal(auth_guard_addr_from_sockaddr((struct sockaddr *)&sin, 4, key), -1);
	inet_pton(AF_INET6, "2001:db8:a:b:c:d:e:f", &sin6.sin6_addr);
	assert_int_equal(auth_guard_addr_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin6), key),
			 0);
	assert_string_equal(key, "2001:db8:a:b::/64");
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &sin6.sin6_addr);
	assert_int_equal(auth_guard_addr_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin6), key),
			 0);
	assert_string_equal(key, "10.1.2.3");
	assert_int_equal(auth_guard_addr_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin), key),
			 -1);
	assert_int_equal(auth_guard_addr_from_sockaddr((struct sockaddr *)&sun, sizeof(sun), key),
			 0);
	assert_string_equal(key, "local");
	sin.sin_family = AF_APPLETALK;
	assert_int_equal(auth_guard_addr_from_sockaddr((struct sockaddr *)&sin, sizeof(sin), key),
			 -1);
	assert_int_equal(auth_guard_addr_from_sockaddr(NULL, 0, key), -1);
}

static void test_delays(void **state)
{
	static const uint32_t expected[] = {500, 1000, 2000, 4000, 8000, 15000, 15000, 15000};
	struct auth_guard *g = guard_new(64, 100, true);
	struct auth_guard_addr_info info;

	for (size_t i = 0; i < HF_N_ELEMENTS(expected); i++) {
		assert_int_equal(auth_guard_record_failure(g, "192.0.2.1"), expected[i]);
		fake_now += 1000;
	}
	/* Another address is not affected. */
	assert_int_equal(auth_guard_record_failure(g, "192.0.2.2"), 500);
	/* Success clears the streak. */
	auth_guard_record_success(g, "192.0.2.1");
	assert_int_equal(auth_guard_record_failure(g, "192.0.2.1"), 500);
	assert_int_equal(auth_guard_record_failure(g, "192.0.2.1"), 1000);
	/* A quiet window lets the streak decay. */
	fake_now += 300 * 1000;
	assert_int_equal(auth_guard_record_failure(g, "192.0.2.1"), 500);
	assert_true(auth_guard_addr_info(g, "192.0.2.1", &info));
	assert_int_equal(info.streak, 1);
	assert_int_equal(info.fails, 1);
	/* Success on an address without failures, or unknown: harmless. */
	auth_guard_record_success(g, "198.51.100.9");
	assert_false(auth_guard_addr_info(g, "198.51.100.9", &info));
	/* A success that leaves nothing to remember frees the entry. */
	auth_guard_record_success(g, "192.0.2.2");
	assert_false(auth_guard_addr_info(g, "192.0.2.2", &info));
	check_table(g);
	auth_guard_free(&g);
}

static void test_block(void **state)
{
	struct auth_guard *g = guard_new(64, 10, true);
	struct auth_guard_addr_info info;
	uint32_t retry = 0;

	/* Nine failures, then the window passes: no block. */
	for (int i = 0; i < 9; i++) {
		auth_guard_record_failure(g, "192.0.2.1");
		fake_now += 10 * 1000;
	}
	assert_true(auth_guard_auth_allowed(g, "192.0.2.1", &retry));
	assert_int_equal(retry, 0);
	fake_now += 300 * 1000;
	auth_guard_record_failure(g, "192.0.2.1");
	assert_true(auth_guard_auth_allowed(g, "192.0.2.1", NULL));
	/* Ten within five minutes: blocked for fifteen minutes. */
	for (int i = 0; i < 9; i++) {
		fake_now += 20 * 1000;
		auth_guard_record_failure(g, "192.0.2.1");
	}
	assert_false(auth_guard_auth_allowed(g, "192.0.2.1", &retry));
	assert_int_equal(retry, 900);
	assert_true(auth_guard_addr_info(g, "192.0.2.1", &info));
	assert_int_equal(info.blocked_for_ms, 900 * 1000);
	assert_true(auth_guard_auth_allowed(g, "192.0.2.99", NULL));
	fake_now += 899 * 1000 + 1;
	assert_false(auth_guard_auth_allowed(g, "192.0.2.1", &retry));
	assert_int_equal(retry, 1);
	fake_now += 1000;
	assert_true(auth_guard_auth_allowed(g, "192.0.2.1", &retry));
	/* After the block a fresh count starts. */
	auth_guard_record_failure(g, "192.0.2.1");
	assert_true(auth_guard_auth_allowed(g, "192.0.2.1", NULL));
	auth_guard_free(&g);

	/* fail_limit 0 never blocks. */
	g = guard_new(64, 0, true);
	for (int i = 0; i < 50; i++)
		auth_guard_record_failure(g, "192.0.2.1");
	assert_true(auth_guard_auth_allowed(g, "192.0.2.1", NULL));
	auth_guard_free(&g);
}

static void test_loopback(void **state)
{
	struct auth_guard *g = guard_new(64, 3, true);

	for (int i = 0; i < 10; i++) {
		assert_int_equal(auth_guard_record_failure(g, "127.0.0.1"), 0);
		assert_int_equal(auth_guard_record_failure(g, "local"), 0);
		assert_int_equal(auth_guard_record_failure(g, "::1"), 0);
	}
	assert_true(auth_guard_auth_allowed(g, "127.0.0.1", NULL));
	assert_true(auth_guard_auth_allowed(g, "local", NULL));
	for (int i = 0; i < 1000; i++)
		assert_int_equal(auth_guard_conn_open(g, "local"), 0);
	auth_guard_conn_close(g, "local");
	auth_guard_record_success(g, "local");
	struct auth_guard_stats stats;

	auth_guard_stats(g, &stats);
	assert_int_equal(stats.entries, 0);
	auth_guard_free(&g);

	/* Not exempt: loopback is limited like anything else. */
	g = guard_new(64, 3, false);
	assert_int_equal(auth_guard_record_failure(g, "127.0.0.1"), 500);
	auth_guard_record_failure(g, "127.0.0.1");
	auth_guard_record_failure(g, "127.0.0.1");
	assert_false(auth_guard_auth_allowed(g, "127.0.0.1", NULL));
	auth_guard_free(&g);
}

static void test_connection_limits(void **state)
{
	struct auth_guard_settings set;
	const char *error = NULL;
	struct auth_guard *g;
	struct auth_guard_addr_info info;

	auth_guard_settings_default(&set);
	set.max_conns_per_addr = 3;
	set.max_conns_per_user = 2;
	g = auth_guard_new(&set, &error);
	for (int i = 0; i < 3; i++)
		assert_int_equal(auth_guard_conn_open(g, "192.0.2.1"), 0);
	assert_int_equal(auth_guard_conn_open(g, "192.0.2.1"), -1);
	assert_int_equal(auth_guard_conn_open(g, "192.0.2.2"), 0);
	assert_true(auth_guard_addr_info(g, "192.0.2.1", &info));
	assert_int_equal(info.conns, 3);
	auth_guard_conn_close(g, "192.0.2.1");
	assert_int_equal(auth_guard_conn_open(g, "192.0.2.1"), 0);
	for (int i = 0; i < 3; i++)
		auth_guard_conn_close(g, "192.0.2.1");
	assert_false(auth_guard_addr_info(g, "192.0.2.1", &info));
	/* Closing what was never opened is ignored. */
	auth_guard_conn_close(g, "192.0.2.1");
	auth_guard_conn_close(g, "203.0.113.5");

	assert_int_equal(auth_guard_user_open(g, "alice"), 0);
	assert_int_equal(auth_guard_user_open(g, "alice"), 0);
	assert_int_equal(auth_guard_user_open(g, "alice"), -1);
	assert_int_equal(auth_guard_user_sessions(g, "alice"), 2);
	/* Users and addresses are separate namespaces. */
	assert_int_equal(auth_guard_user_open(g, "192.0.2.2"), 0);
	assert_int_equal(auth_guard_conn_open(g, "alice"), 0);
	auth_guard_user_close(g, "alice");
	assert_int_equal(auth_guard_user_sessions(g, "alice"), 1);
	assert_int_equal(auth_guard_user_open(g, "alice"), 0);
	auth_guard_user_close(g, "alice");
	auth_guard_user_close(g, "alice");
	auth_guard_user_close(g, "alice");
	assert_int_equal(auth_guard_user_sessions(g, "alice"), 0);
	check_table(g);
	auth_guard_free(&g);

	/* 0 means unlimited. */
	set.max_conns_per_addr = 0;
	set.max_conns_per_user = 0;
	g = auth_guard_new(&set, &error);
	for (int i = 0; i < 500; i++) {
		assert_int_equal(auth_guard_conn_open(g, "192.0.2.1"), 0);
		assert_int_equal(auth_guard_user_open(g, "bob"), 0);
	}
	auth_guard_free(&g);
}

static void test_shared_across_fork(void **state)
{
	struct auth_guard *g = guard_new(256, 10, true);
	struct auth_guard_addr_info info;
	int status;
	pid_t pid;

	assert_int_equal(auth_guard_conn_open(g, "192.0.2.1"), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The child: a worker that saw ten failures and one connection. */
		for (int i = 0; i < 10; i++)
			auth_guard_record_failure(g, "192.0.2.1");
		auth_guard_conn_open(g, "192.0.2.1");
		auth_guard_user_open(g, "carol");
		auth_guard_free(&g);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_false(auth_guard_auth_allowed(g, "192.0.2.1", NULL));
	assert_true(auth_guard_addr_info(g, "192.0.2.1", &info));
	assert_int_equal(info.conns, 2);
	assert_int_equal(auth_guard_user_sessions(g, "carol"), 1);
	check_table(g);
	auth_guard_free(&g);
}

/* Several processes at once: every count must come out exact. */
static void test_concurrent_processes(void **state)
{
	enum { PROCS = 4, ROUNDS = 2000 };
	struct auth_guard_settings set;
	const char *error = NULL;
	struct auth_guard *g;
	struct auth_guard_addr_info info;
	struct auth_guard_stats stats;
	pid_t pids[PROCS];

	auth_guard_settings_default(&set);
	set.table_size = 64;
	set.max_conns_per_addr = 0;
	set.fail_limit = 0;
	g = auth_guard_new(&set, &error);
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] != 0)
			continue;
		for (int i = 0; i < ROUNDS; i++) {
			char addr[32];

			snprintf(addr, sizeof(addr), "10.0.%d.%d", p, i % 40);
			auth_guard_conn_open(g, "192.0.2.1");
			auth_guard_conn_open(g, addr);
			auth_guard_record_failure(g, "198.51.100.1");
			auth_guard_conn_close(g, addr);
		}
		_exit(0);
	}
	for (int p = 0; p < PROCS; p++) {
		int status;

		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_true(auth_guard_addr_info(g, "192.0.2.1", &info));
	assert_int_equal(info.conns, PROCS * ROUNDS);
	assert_true(auth_guard_addr_info(g, "198.51.100.1", &info));
	assert_int_equal(info.streak, PROCS * ROUNDS);
	auth_guard_stats(g, &stats);
	assert_int_equal(stats.lock_recoveries, 0);
	check_table(g);
	auth_guard_free(&g);
}

static void test_eviction(void **state)
{
	struct auth_guard *g = guard_new(16, 100, true);
	struct auth_guard_addr_info info;
	struct auth_guard_stats stats;
	char addr[32];

	/* An address with an open connection is kept over idle ones. */
	assert_int_equal(auth_guard_conn_open(g, "203.0.113.1"), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		fake_now += 10;
		auth_guard_record_failure(g, addr);
		check_table(g);
	}
	auth_guard_stats(g, &stats);
	assert_int_equal(stats.capacity, 16);
	assert_int_equal(stats.entries, 16);
	assert_int_equal(stats.evictions, 5);
	assert_true(auth_guard_addr_info(g, "203.0.113.1", &info));
	assert_int_equal(info.conns, 1);
	/* The oldest idle ones went; the newest are there. */
	for (int i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		assert_false(auth_guard_addr_info(g, addr, &info));
	}
	for (int i = 5; i < 20; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		assert_true(auth_guard_addr_info(g, addr, &info));
		assert_int_equal(info.fails, 1);
	}
	/* Using an entry makes it recent: 192.0.2.5 survives the next round. */
	auth_guard_record_failure(g, "192.0.2.5");
	for (int i = 20; i < 25; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		auth_guard_record_failure(g, addr);
	}
	assert_true(auth_guard_addr_info(g, "192.0.2.5", &info));
	assert_false(auth_guard_addr_info(g, "192.0.2.6", &info));
	/* When every entry holds a connection, the oldest goes anyway. */
	auth_guard_free(&g);
	g = guard_new(16, 100, true);
	for (int i = 0; i < 17; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		assert_int_equal(auth_guard_conn_open(g, addr), 0);
	}
	assert_false(auth_guard_addr_info(g, "192.0.2.0", &info));
	auth_guard_conn_close(g, "192.0.2.0"); /* evicted: ignored */
	check_table(g);
	auth_guard_free(&g);
}

static void test_lock_recovery(void **state)
{
	struct auth_guard *g = guard_new(64, 10, true);
	struct auth_guard_stats stats;
	int status;
	pid_t pid;

	auth_guard_record_failure(g, "192.0.2.1");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Die holding the lock, as a crashing worker would. */
		pthread_mutex_lock(&g->sh->lock);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* The next user recovers: the table starts afresh. */
	assert_int_equal(auth_guard_record_failure(g, "192.0.2.1"), 500);
	auth_guard_stats(g, &stats);
	assert_int_equal(stats.lock_recoveries, 1);
	assert_int_equal(stats.entries, 1);
	check_table(g);
	assert_int_equal(auth_guard_record_failure(g, "192.0.2.1"), 1000);
	auth_guard_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_addr_keys),
		cmocka_unit_test(test_delays),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_connection_limits),
		cmocka_unit_test(test_shared_across_fork),
		cmocka_unit_test(test_concurrent_processes),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_lock_recovery),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
