/* test-lib-shared-mutex.c — a process-shared robust mutex: shared across
 * fork, and recovered after its owner died holding it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/shared-mutex.h"

struct shared {
	pthread_mutex_t lock;
	int counter;
};

static struct shared *map_shared(void)
{
	struct shared *sh =
		mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(sh != MAP_FAILED);
	assert_int_equal(shared_mutex_init(&sh->lock), 0);
	return sh;
}

static void run_child(struct shared *sh, bool unlock)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		bool recovered = shared_mutex_lock(&sh->lock, "test");

		sh->counter += recovered ? 100 : 1;
		if (unlock)
			shared_mutex_unlock(&sh->lock);
		_exit(0); /* without unlock: dies holding it */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_shared_across_fork(void **state)
{
	struct shared *sh = map_shared();

	run_child(sh, true);
	run_child(sh, true);
	assert_false(shared_mutex_lock(&sh->lock, "test"));
	assert_int_equal(sh->counter, 2);
	shared_mutex_unlock(&sh->lock);
	munmap(sh, sizeof(*sh));
}

static void test_owner_died(void **state)
{
	struct shared *sh = map_shared();

	run_child(sh, false);
	/* The next taker learns it, once; the lock works on afterwards. */
	assert_true(shared_mutex_lock(&sh->lock, "test"));
	shared_mutex_unlock(&sh->lock);
	assert_false(shared_mutex_lock(&sh->lock, "test"));
	shared_mutex_unlock(&sh->lock);
	run_child(sh, true);
	assert_int_equal(sh->counter, 2);
	munmap(sh, sizeof(*sh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_across_fork),
		cmocka_unit_test(test_owner_died),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
