/* store-watch.h — waking up when another process changes a user's store.
 *
 * Every committed change writes to DATA/users/<u>/notify; a watcher holds
 * one inotify descriptor for all the users its process cares about, which
 * an event loop waits on. After a wake-up, a session asks the store what
 * changed (store_changes, store_mailbox_get): the event says only "this
 * user changed", never what, so nothing can be missed by coalescing.
 */
#ifndef HAFEN_STORE_WATCH_H
#define HAFEN_STORE_WATCH_H

struct store_watcher;

int store_watcher_new(struct store_watcher **w_r, const char **error_r);
void store_watcher_free(struct store_watcher **wp);
/* Readable when some watched user changed. Non-blocking. */
int store_watcher_fd(const struct store_watcher *w);
/* Watch a user directory (reference-counted: adding the same directory
 * twice gives the same id and needs two removes). Returns the id (>= 0),
 * or -1 with *error_r. */
int store_watcher_add(struct store_watcher *w, const char *user_dir, const char **error_r);
void store_watcher_remove(struct store_watcher *w, int id);
/* Read what is pending and call cb once per id that fired. Returns 0, or
 * -1 on a read error other than "nothing pending". */
typedef void store_watch_cb(void *ctx, int id);
int store_watcher_drain(struct store_watcher *w, store_watch_cb *cb, void *ctx);

#endif
