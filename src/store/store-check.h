/* store-check.h — verify a user's store and repair what can be repaired:
 * the engine of `hafend check [--repair] USER`. */
#ifndef HAFEN_STORE_CHECK_H
#define HAFEN_STORE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

struct store_check_report {
	uint64_t files_checked;
	uint64_t missing_files;      /* rows whose file is gone (their rows are dropped) */
	uint64_t size_mismatches;    /* file size differs from the row */
	uint64_t counters_fixed;     /* mailboxes whose STATUS counters were wrong */
	bool quota_fixed;            /* quota usage was wrong */
	uint64_t orphans_removed;    /* files no row names */
	uint64_t temp_removed;       /* stale temporary files */
	bool rebuilt;                /* the database was rebuilt from the files */
	uint64_t messages_recovered; /* messages put back by a rebuild */
	uint64_t index_fixed;        /* search index queue entries added or dropped to
				      * agree with the files (store.h: the queue) */
	uint64_t index_caught_up;    /* queued index entries that were worked off */
};

/* Log-style lines about what was found. */
typedef void store_check_log_cb(void *ctx, const char *line);

/* A file younger than this may belong to an append still in progress in
 * another process, so it is never swept as an orphan. */
#define STORE_CHECK_GRACE_SECONDS 3600

struct store_check_options {
	bool repair;
	unsigned grace_seconds;  /* see STORE_CHECK_GRACE_SECONDS */
	store_check_log_cb *log; /* may be NULL */
	void *log_ctx;
};

/* Check the store in user_dir: fix counters and quota usage, sweep orphan
 * and stale temporary files, bring the search index up to date (its queue
 * made to agree with the files, then worked off), report rows whose file
 * is missing or has the wrong size. With repair: drop rows whose file is missing, and rebuild a
 * database that cannot be opened or fails its integrity check from the
 * message files (all messages go to INBOX; flags are lost: docs/store.md).
 * Returns STORE_OK or a store error; *report_r says what was done. */
int store_check(const char *user_dir, const struct store_check_options *opt,
		struct store_check_report *report_r);

#endif
