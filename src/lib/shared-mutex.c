/* shared-mutex.c — process-shared robust mutexes (see shared-mutex.h). */
#include "lib/shared-mutex.h"
#include "lib/err.h"

#include <errno.h>
#include <string.h>

int shared_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;
	int ret = -1;

	if (pthread_mutexattr_init(&attr) != 0)
		return -1;
	if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) == 0 &&
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0 &&
	    pthread_mutex_init(m, &attr) == 0)
		ret = 0;
	pthread_mutexattr_destroy(&attr);
	return ret;
}

bool shared_mutex_lock(pthread_mutex_t *m, const char *what)
{
	int ret = pthread_mutex_lock(m);

	if (ret == EOWNERDEAD) {
		if (pthread_mutex_consistent(m) != 0)
			hf_panic("%s: cannot recover the lock", what);
		return true;
	}
	if (ret != 0)
		hf_panic("%s: lock failed: %s", what, strerror(ret));
	return false;
}

void shared_mutex_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}
