/* deliver-batch.h — one message to several recipients' stores at once.
 * Each recipient's store is its own directory and its own SQLite
 * database, so the waits of one copy (the file's fsync, its directory's,
 * the WAL commit) need not wait for another's: the copies for distinct
 * stores are written by up to DELIVER_BATCH_THREADS threads side by side,
 * and the file system merges their flushes. A 5-recipient delivery then
 * costs about what a 1-recipient one does instead of five times as much.
 */
#ifndef HAFEN_SERVER_DELIVER_BATCH_H
#define HAFEN_SERVER_DELIVER_BATCH_H

#include "deliver.h"

#include <stddef.h>

/* Threads writing copies at once, the caller's own included. Each holds
 * one store's write path busy (file, directory, WAL); more than a handful
 * only queue on the same disk. */
#define DELIVER_BATCH_THREADS 8

/* One recipient's copy. The caller fills the inputs; deliver_batch_run
 * fills the outputs. */
struct deliver_job {
	struct store *store;        /* in: NULL means the store could not be opened */
	const char *rcpt;           /* in: the address for Delivered-To: */
	const char *mailbox;        /* in: as deliver_to_store's mailbox */
	enum deliver_result result; /* out */
	const char *mailbox_used;   /* out: static, or the job's mailbox */
	char *error;                /* out: why, when result != DELIVER_OK (owned;
	                               freed by deliver_batch_clear) */
};

/* Write m for every job, as deliver_to_store would one after another,
 * and return when all are done. Jobs naming the same store are written by
 * one thread in their order (a store handle is never used by two threads
 * at once); jobs on distinct stores in parallel. While it runs, no other
 * thread may use any of the jobs' stores: the caller (an event loop) is
 * blocked in this call, which is what makes that hold. A thread that
 * cannot be started leaves its work to the others; never fails as a
 * whole. */
void deliver_batch_run(const struct deliver_message *m, struct deliver_job *jobs, size_t n);
/* Free the jobs' error strings (the jobs themselves are the caller's). */
void deliver_batch_clear(struct deliver_job *jobs, size_t n);

#endif
