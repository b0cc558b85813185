/* shared-mutex.h — a mutex in memory shared by forked processes (an
 * anonymous MAP_SHARED mapping): process-shared and robust, so a process
 * that dies holding it does not leave the others waiting forever.
 * The guard's table, the login cache and the TLS keeper's copy use it. */
#ifndef HAFEN_LIB_SHARED_MUTEX_H
#define HAFEN_LIB_SHARED_MUTEX_H

#include <pthread.h>
#include <stdbool.h>

/* Initialise *m, which must lie in shared memory. 0, or -1 on failure. */
int shared_mutex_init(pthread_mutex_t *m);

/* Take *m. Returns true when its previous owner died holding it: what it
 * guards may be half updated, and the caller, who now holds the lock,
 * must reset it. The mutex is made consistent again either way. Any other
 * failure is a bug and panics, naming `what`. */
bool shared_mutex_lock(pthread_mutex_t *m, const char *what);
void shared_mutex_unlock(pthread_mutex_t *m);

#endif
