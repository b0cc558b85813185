/* lmtp-stores.h — the stores LMTP delivers into, kept open between
 * deliveries. Opening a user's store (SQLite, its WAL, an inotify watch)
 * costs more than a small delivery; an MTA delivers to the same users
 * again and again, so each worker keeps the last LMTP_STORES_MAX
 * recipients' stores open, and closes those unused for
 * LMTP_STORES_IDLE_SECS. */
#ifndef HAFEN_SERVER_LMTP_STORES_H
#define HAFEN_SERVER_LMTP_STORES_H

#define LMTP_STORES_MAX 64
#define LMTP_STORES_IDLE_SECS 60

struct worker;
struct user_store;

/* A reference to user's store (release it with user_store_release), as
 * user_store_acquire gives, keeping one more for the cache. */
struct user_store *lmtp_stores_acquire(struct worker *w, const char *user, const char **error_r);
/* Close what the cache holds (the worker is stopping). */
void lmtp_stores_clear(void);

#endif
