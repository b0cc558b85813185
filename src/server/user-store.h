/* user-store.h — the stores of the users a worker serves, shared by all
 * sessions of one user in this process, with change notification fanned
 * out to them.
 *
 * Each logged-in session holds a reference to its user's entry. The entry
 * registers one inotify watch (store_watcher) for the user; when another
 * process (or session) commits a change, every listener of that user is
 * called from the event loop and asks the store what changed.
 */
#ifndef HAFEN_SERVER_USER_STORE_H
#define HAFEN_SERVER_USER_STORE_H

/* At most this many users' SQLite handles stay open in one worker while
 * every session holding them waits in IDLE (a handle costs about 136 KB
 * with its page cache and statements). A burst of logins by many users
 * who then wait in IDLE (a restart, the morning) otherwise keeps one open
 * for every user in every worker for the idle delay, and the heap that
 * peak leaves behind stays fragmented by the sessions' objects allocated
 * in between, which no malloc_trim gives back (1,000 IDLE sessions of 100
 * users, 8 workers: 26 KiB each with every handle open for its 3 s,
 * 10-12 KiB when each closed at once). Beyond the limit the least
 * recently used of those handles is closed from the event loop. Handles
 * of sessions that run commands are never closed early, nor those of
 * users with no session left (kept for the idle delay, for a client that
 * logs in again). */
#define USER_STORE_IDLE_OPEN_MAX 8

struct worker;
struct store;
struct user_store;

/* A session's hook for "this user's store changed". */
struct user_store_listener {
	void (*changed)(void *ctx);
	void *ctx;
	struct user_store_listener *prev, *next;
};

/* The entry for user (canonical name), opening the store (creating the
 * user directory with the standard mailboxes if missing). NULL with
 * *error_r when the store cannot be opened. */
struct user_store *user_store_acquire(struct worker *w, const char *user, const char **error_r);
/* Drop a reference; *usp becomes NULL. After the last one the store stays
 * open until it has been unused for a few seconds (a session that logs in
 * again meanwhile finds it open), then it closes and the entry goes. */
void user_store_release(struct user_store **usp);
/* Close and free every entry, held or not (the worker is ending). */
void user_stores_close_all(struct worker *w);
/* The user's store, opened again if it was closed for idleness; NULL
 * (logged) when that fails. The handle is closed a few seconds after its
 * last use, so do not keep the pointer across event-loop turns. */
struct store *user_store_store(struct user_store *us);
const char *user_store_name(const struct user_store *us);
/* A session holding us starts or stops waiting in IDLE: while every
 * holder waits, the handle counts against USER_STORE_IDLE_OPEN_MAX.
 * Calls pair up; a session ends its IDLE before it releases us. NULL
 * (no user yet) does nothing. */
void user_store_idle_begin(struct user_store *us);
void user_store_idle_end(struct user_store *us);

void user_store_listen(struct user_store *us, struct user_store_listener *l);
void user_store_unlisten(struct user_store *us, struct user_store_listener *l);

/* The worker's watcher fired: call the listeners of every changed user. */
void user_stores_dispatch(struct worker *w);

/* DATA/users/<user> (caller frees). */
char *user_store_dir_path(const char *data_dir, const char *user);
/* Create a user's directory and store with INBOX, Drafts, Sent, Trash,
 * Junk and Archive (special-use set). Existing mailboxes are left alone. */
int user_store_provision(const char *data_dir, const char *user, const char **error_r);

#endif
