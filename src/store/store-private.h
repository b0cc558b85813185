/* store-private.h — what the store's files share: the handle, the prepared
 * statement cache, transactions and error mapping. Not for outside src/store. */
#ifndef HAFEN_STORE_PRIVATE_H
#define HAFEN_STORE_PRIVATE_H

#include "store.h"
#include "lib/err.h"

#include <sqlite3.h>

/* Every SQL statement the store runs more than once, prepared on first use. */
enum store_stmt {
	STMT_MAILBOX_BY_NAME,
	STMT_MAILBOX_BY_ID,
	STMT_MAILBOX_INSERT,
	STMT_MAILBOX_LIST,
	STMT_MAILBOX_CHILD_EXISTS,
	STMT_MAILBOX_COUNTERS_ADD,
	STMT_MAILBOX_BUMP_MODSEQ,
	STMT_MAILBOX_TAKE_UIDS,
	STMT_META_GET,
	STMT_META_SET,
	STMT_FILE_INSERT,
	STMT_FTS_INSERT,
	STMT_MSG_INSERT,
	STMT_MSG_GET,
	STMT_MSG_SET_FLAGS,
	STMT_KEYWORD_ADD,
	STMT_THREAD_BY_MSGID,
	STMT_SUB_SET,
	STMT_SUB_DEL,
	STMT_SUB_GET,
	STMT_COUNT
};

struct store {
	char *dir;
	sqlite3 *db;
	int dir_fd;    /* the user directory */
	int msg_fd;    /* DATA/users/<u>/msg */
	int notify_fd; /* the file touched after each commit */
	bool in_tx;
	bool sync_normal;   /* synchronous=NORMAL: in store_tx_begin_relaxed() */
	bool fts_deferred;  /* store_fts_defer(): index text in batches */
	unsigned iterators; /* open store_fetch iterators: see store_in_use() */
	sqlite3_stmt *stmts[STMT_COUNT];
	/* Statements prepared by store_stmt_sql(), keyed by their SQL text's
	 * address (always a string literal). */
	struct store_sql_stmt {
		const char *sql;
		sqlite3_stmt *stmt;
	} * sql_stmts;
	size_t sql_stmt_count;
	char err[512];
};

/* The statement, reset and with bindings cleared; NULL on failure (error set). */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which);

/* The statement for a SQL string literal, prepared once per store handle
 * and then only reset: preparing costs more than most of our queries.
 * Reset and cleared on return; NULL on failure (error set). Never use it
 * for two iterations at once. */
sqlite3_stmt *store_stmt_sql(struct store *s, const char *sql);

/* Record an error message for store_last_error(). */
void store_error_set(struct store *s, const char *fmt, ...) HF_PRINTF(2, 3);
/* Record an error message; evaluates to err, a negative store_err. A macro
 * so that every caller, and the static analysers that read one file at a
 * time, sees that an error path returns that err and never STORE_OK.
 * Its value must be used (a bare store_fail(...); fails -Wunused-value). */
#define store_fail(s, err, ...) (store_error_set((s), __VA_ARGS__), (err))

/* The store_err for a SQLite result code: always negative. */
static inline int store_sql_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_ERR_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORE_ERR_CORRUPT;
	case SQLITE_CONSTRAINT:
		return STORE_ERR_EXISTS;
	default:
		return STORE_ERR_IO;
	}
}

/* Record "DIR: WHAT: SQLite's message" for store_last_error(). */
void store_sql_error_set(struct store *s, int rc, const char *what);

/* Map a SQLite result code to a store_err and record the message; returns
 * that store_err (inline, like store_fail, so callers see it is negative). */
static inline int store_sql_error(struct store *s, int rc, const char *what)
{
	store_sql_error_set(s, rc, what);
	return store_sql_err(rc);
}

/* Write transactions are BEGIN IMMEDIATE: the lock is taken at the start,
 * so two writers never deadlock upgrading. */
int store_tx_begin(struct store *s);
int store_tx_commit(struct store *s);
void store_tx_rollback(struct store *s);
/* A write transaction whose COMMIT does not wait for the disk (WAL with
 * synchronous=NORMAL), for changes that may be lost in a power failure
 * without harm: derived data (the search index) and \Recent claims. It
 * stays atomic, and ordered before every later commit: the next normal
 * COMMIT's fdatasync of the WAL makes it durable too. Commit and roll
 * back with store_tx_commit() and store_tx_rollback(); its commit sends
 * no change notification (nothing a session shows changed). */
int store_tx_begin_relaxed(struct store *s);
/* Run one statement without results. */
int store_exec(struct store *s, const char *sql);

/* Tell watchers of this user that something changed (after commit). */
void store_notify_poke(struct store *s);
/* Wait up to timeout_ms for another connection's lock, trying again in
 * steps of 0.5 to 5 ms (store-busy.c), instead of sqlite3_busy_timeout's
 * steps growing to 100 ms. */
void store_busy_install(sqlite3 *db, int timeout_ms);

/* Per-user meta values (quota limits and usage, uidvalidity counter). */
int store_meta_get(struct store *s, const char *key, int64_t *value_r);
int store_meta_set(struct store *s, const char *key, int64_t value);
/* Adjust quota usage inside the caller's transaction; refuses growth past a
 * limit with STORE_ERR_OVERQUOTA. */
int store_quota_charge(struct store *s, int64_t bytes, int64_t messages);

/* SQL functions the search queries use (store-search.c). */
int store_search_register(struct store *s);

/* Schema creation and upgrade (store-schema.c). */
int store_schema_init(struct store *s);

/* Mailbox row helpers (store-mailbox.c). */
int store_mailbox_lookup(struct store *s, const char *canon_name, struct store_mailbox *mb_r);
/* Inside a transaction: create canon (EXISTS if it is a real mailbox). */
int store_mailbox_create_locked(struct store *s, const char *canon, unsigned special_use);
/* Inside a transaction: create the missing ancestors of canon. */
int store_mailbox_create_parents(struct store *s, const char *canon);
/* Reserve n UIDs and one MODSEQ in a mailbox inside a transaction. */
int store_mailbox_take_uids(struct store *s, int64_t mailbox_id, uint32_t n, uint32_t *first_uid_r,
			    uint64_t *modseq_r);
/* Next MODSEQ for a change in this mailbox, inside a transaction. */
int store_mailbox_next_modseq(struct store *s, int64_t mailbox_id, uint64_t *modseq_r);
/* Adjust STATUS counters inside a transaction. */
int store_mailbox_adjust(struct store *s, int64_t mailbox_id, int64_t messages, int64_t unseen,
			 int64_t deleted, int64_t size);
/* A fresh UIDVALIDITY: above every one this user has had (RFC 9051 2.3.1.1). */
int store_next_uidvalidity(struct store *s, uint32_t *uidvalidity_r);

/* Keywords: normalise a list to a sorted, de-duplicated space-separated string. */
char *store_keywords_join(const char *const *kw, size_t n);
/* Register the keywords of a message in the mailbox's FLAGS list. */
int store_keywords_register(struct store *s, int64_t mailbox_id, const char *joined);

/* Inside a transaction: add the files row of a parsed message (with its
 * search text and THREADID) for the file name; *file_id_r is its id. */
int store_append_file_row(struct store *s, const struct store_parsed *p, const char *file_name,
			  int64_t *file_id_r);
/* Inside a transaction: add the files row (with its search text and
 * THREADID), the message row with the given UID and MODSEQ, and register
 * its keywords; counters are the caller's (store_mailbox_adjust). Used by
 * append and by the client cache (store-client.c), which keeps remote UIDs. */
int store_append_row(struct store *s, int64_t mailbox_id, const struct store_new_message *m,
		     const char *file_name, uint32_t uid, uint64_t modseq, int64_t now);
/* Add rows for messages whose files (names) are already durable. */
int store_append_files(struct store *s, const char *canon, const struct store_new_message *msgs,
		       size_t n, char (*names)[33], uint32_t *uidvalidity_r, uint32_t *uids_r);

/* The search index queue (store-fts.c). Inside a transaction: index the
 * text of a new file now, or queue it when the handle defers (see
 * store_fts_defer()). */
int store_fts_add(struct store *s, const struct store_parsed *p, int64_t file_id);
/* Inside a transaction: a file row is gone; drop its text from the index,
 * or queue that, or forget its queued indexing if it never was indexed. */
int store_fts_forget(struct store *s, int64_t file_id);
/* Before a search: when key reads the index, index every queued file
 * first, so no message is missed. Outside a transaction. */
struct store_search_key;
int store_fts_catch_up(struct store *s, const struct store_search_key *key);
/* After an append committed: when the queue has grown past
 * STORE_FTS_QUEUE_HIGH (a user busy without pause), work off a batch. */
int store_fts_after_append(struct store *s);
/* For store_check: make the queue agree with the files and the index
 * (*fixed_r: entries added or dropped), then work all of it off
 * (*worked_r: entries that were waiting). */
int store_fts_check(struct store *s, uint64_t *fixed_r, uint64_t *worked_r);
/* Parse the message file name into *p_r (free with store_parsed_free);
 * STORE_ERR_NONEXISTENT when it cannot be read. */
int store_msgfile_parse(struct store *s, const char *name, struct store_parsed **p_r);

struct store_check_options;
struct store_check_report;
/* Set the database aside and rebuild it from the files (store-rebuild.c). */
int store_rebuild(const char *user_dir, const struct store_check_options *opt,
		  struct store_check_report *r);

/* Message files (store-msgfile.c). */
struct store_msgfile_data {
	const void *data;
	size_t len;
	int64_t mtime; /* the file time: the internal date, for rebuilds */
};
/* Write n new files durably: each to a temporary name, fsynced, renamed;
 * then their one bucket directory is fsynced once. names_r[i] (32 hex)
 * names files[i]. On failure no file of the batch is left behind. */
int store_msgfile_write(struct store *s, const struct store_msgfile_data *files, size_t n,
			char (*names_r)[33]);
int store_msgfile_open(struct store *s, const char *name, int *fd_r);
/* Is name a message file name (32 lowercase hex digits)? */
bool store_msgfile_name_valid(const char *name);
void store_msgfile_unlink(struct store *s, const char *name);
/* Files to unlink once the transaction that dropped their rows committed. */
struct store_unlink_list {
	char **names;
	size_t count, cap;
};
/* Inside a transaction: drop the file row (and its search text) if no
 * message refers to it any more, remembering its name in l. */
int store_file_release(struct store *s, int64_t file_id, struct store_unlink_list *l);
/* After commit: unlink every file in l, then free l. */
void store_unlink_list_run(struct store *s, struct store_unlink_list *l);
/* After rollback: forget l without unlinking. */
void store_unlink_list_free(struct store_unlink_list *l);

#endif
