/* test-auth-userdb-cache.c — the login cache: what is a hit, and the
 * shared cache across forked processes, also after one died holding its
 * lock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/userdb-cache-private.h"
#include "lib/log.h"

static const char hash1[] = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl";
static const char hash2[] = "$y$j9T$gersa4d2LSd5hoSWqo1cy/$N/ytPcp97SL6YJWlE8xL";

static bool check(struct userdb_cache *c, const char *user, const char *hash, const char *pw)
{
	return userdb_cache_check(c, user, hash, pw, strlen(pw));
}

static void add(struct userdb_cache *c, const char *user, const char *hash, const char *pw)
{
	userdb_cache_add(c, user, hash, pw, strlen(pw));
}

/* A hit needs the same user, the same stored hash and the same password. */
static void assert_semantics(struct userdb_cache *c)
{
	assert_false(check(c, "alice", hash1, "pencil"));
	add(c, "alice", hash1, "pencil");
	assert_true(check(c, "alice", hash1, "pencil"));
	assert_false(check(c, "alice", hash1, "pencil2"));
	assert_false(userdb_cache_check(c, "alice", hash1, "pencil\0x", 8));
	assert_false(check(c, "alice", hash2, "pencil")); /* the password changed */
	assert_false(check(c, "bob", hash1, "pencil"));
	/* A later success replaces the entry. */
	add(c, "alice", hash2, "crayon");
	assert_true(check(c, "alice", hash2, "crayon"));
	assert_false(check(c, "alice", hash1, "pencil"));
}

static void test_private_cache(void **state)
{
	struct userdb_cache *c = userdb_cache_new(60);

	assert_non_null(c);
	assert_semantics(c);
	userdb_cache_free(&c);
	assert_null(c);
	/* A TTL of 0 means no cache; the functions take NULL. */
	assert_null(userdb_cache_new(0));
	assert_false(check(NULL, "alice", hash1, "pencil"));
	add(NULL, "alice", hash1, "pencil");
	userdb_cache_free(&c);
}

static void test_shared_cache_semantics(void **state)
{
	const char *error = NULL;
	struct userdb_cache *c = userdb_cache_new_shared(60, &error);

	assert_non_null(c);
	assert_semantics(c);
	userdb_cache_free(&c);
	assert_null(userdb_cache_new_shared(0, &error));
}

/* Run fn(c) in a child and return its exit status. */
static int in_child(struct userdb_cache *c, int (*fn)(struct userdb_cache *c))
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(c));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int child_adds(struct userdb_cache *c)
{
	add(c, "carol", hash1, "from-the-child");
	return 0;
}

static int child_checks(struct userdb_cache *c)
{
	return check(c, "dave", hash2, "from-the-parent") ? 0 : 1;
}

static int child_dies_holding_the_lock(struct userdb_cache *c)
{
	userdb_cache_lock(c);
	return 0; /* exits without unlocking */
}

static void test_shared_across_processes(void **state)
{
	const char *error = NULL;
	struct userdb_cache *c = userdb_cache_new_shared(60, &error);

	assert_non_null(c);
	/* A check made in one process spares the others the hash. */
	assert_int_equal(in_child(c, child_adds), 0);
	assert_true(check(c, "carol", hash1, "from-the-child"));
	add(c, "dave", hash2, "from-the-parent");
	assert_int_equal(in_child(c, child_checks), 0);
	/* A process dies holding the lock: the next one empties the cache
	 * (a slot may be half written) and goes on. */
	assert_int_equal(in_child(c, child_dies_holding_the_lock), 0);
	assert_false(check(c, "carol", hash1, "from-the-child"));
	assert_false(check(c, "dave", hash2, "from-the-parent"));
	add(c, "carol", hash1, "again");
	assert_true(check(c, "carol", hash1, "again"));
	userdb_cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_cache),
		cmocka_unit_test(test_shared_cache_semantics),
		cmocka_unit_test(test_shared_across_processes),
	};

	log_set_level(LOG_LEVEL_ERROR); /* the recovery's warning is expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
