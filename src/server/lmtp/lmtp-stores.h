/* lmtp-stores.h — the stores LMTP delivers into, kept open between
 * deliveries. Opening a user's store (SQLite, its WAL, an inotify watch)
 * costs more than a small delivery; an MTA delivers to the same users
 * again and again, so each worker keeps the last LMTP_STORES_MAX
 * recipients' stores open, and closes those unused for
 * LMTP_STORES_IDLE_SECS.
 *
 * Every worker sees every user (an MTA's connections land on any), so the
 * cache must hold the users delivered to within a minute or so, not a
 * worker's share of them: a store dropped from it closes after the
 * user-store idle delay (user-store.c), and reopening costs an extra
 * fsync (SQLite syncs the directory at a new handle's first WAL commit)
 * and the schema reads. Measured while a dropped store closed at once
 * (9672c36, before 39c3b67): at 64, the benchmark's 100 users made a
 * worker reopen 59 stores in 3 s; at 128, none, and the 8 workers' Pss
 * after a few seconds of deliveries grew from 76 to 115 MB in all. */
#ifndef HAFEN_SERVER_LMTP_STORES_H
#define HAFEN_SERVER_LMTP_STORES_H

#define LMTP_STORES_MAX       128
#define LMTP_STORES_IDLE_SECS 60

struct worker;
struct user_store;

/* A reference to user's store (release it with user_store_release), as
 * user_store_acquire gives, keeping one more for the cache. */
struct user_store *lmtp_stores_acquire(struct worker *w, const char *user, const char **error_r);
/* Close what the cache holds (the worker is stopping). */
void lmtp_stores_clear(void);

#endif
