/* userdb-cache-private.h — the login cache's lock, for userdb-cache.c and
 * its tests (a test holds it in a process that then dies). */
#ifndef HAFEN_AUTH_USERDB_CACHE_PRIVATE_H
#define HAFEN_AUTH_USERDB_CACHE_PRIVATE_H

#include "auth/userdb-cache.h"

/* Take the cache's lock; when its last owner died holding it, empty the
 * cache and make the lock consistent again. */
void userdb_cache_lock(struct userdb_cache *c);
void userdb_cache_unlock(struct userdb_cache *c);

#endif
