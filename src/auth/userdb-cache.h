/* userdb-cache.h — a per-process cache of recent successful password checks,
 * so a client that logs in again and again (many do, once per folder or
 * per poll) costs a database read and an HMAC instead of a slow crypt(3).
 *
 * An entry says: user U logged in with a password whose HMAC under this
 * process's random key is M, while the stored hash was H. It is used only
 * when the stored hash is still H (a changed password invalidates it at
 * once), the HMAC matches, and it is younger than the TTL. Only successes
 * are cached; a failure always costs the full hash and the guard's delay.
 * The cache never holds a password, only keyed HMACs that are useless
 * outside the server (the key is random, made with the cache, and never
 * written anywhere).
 *
 * A shared cache lives in memory that processes forked after it was made
 * share: the supervisor makes one before it starts the workers, so a
 * password checked in one worker spares the others the hash (a client's
 * connections land on different workers, and each yescrypt check costs
 * tens of milliseconds), and the table exists once instead of once per
 * worker. Slots are copied in and out under a process-shared, robust
 * mutex; if a process dies holding it, the next one empties the cache.
 */
#ifndef HAFEN_AUTH_USERDB_CACHE_H
#define HAFEN_AUTH_USERDB_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Entries kept; older ones are overwritten. */
#define USERDB_CACHE_SLOTS 4096

struct userdb_cache;

/* A cache for this process; NULL when ttl_secs is 0. */
struct userdb_cache *userdb_cache_new(uint32_t ttl_secs);
/* A cache shared with the processes forked after this call; NULL when
 * ttl_secs is 0, and NULL with *error_r set when the shared mapping or its
 * lock cannot be made. Only the process that made it frees it. */
struct userdb_cache *userdb_cache_new_shared(uint32_t ttl_secs, const char **error_r);
/* Wipe and free (unmap a shared cache); *cp becomes NULL. Accepts NULL. */
void userdb_cache_free(struct userdb_cache **cp);
/* Was (user, password) verified against this stored hash recently? */
bool userdb_cache_check(struct userdb_cache *c, const char *user, const char *stored_hash,
			const char *password, size_t password_len);
/* Remember a successful check. */
void userdb_cache_add(struct userdb_cache *c, const char *user, const char *stored_hash,
		      const char *password, size_t password_len);

#endif
