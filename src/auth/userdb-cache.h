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
 * outside this process.
 */
#ifndef HAFEN_AUTH_USERDB_CACHE_H
#define HAFEN_AUTH_USERDB_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Entries kept; older ones are overwritten. */
#define USERDB_CACHE_SLOTS 4096

struct userdb_cache;

struct userdb_cache *userdb_cache_new(uint32_t ttl_secs);
/* Wipe and free; *cp becomes NULL. Accepts NULL. */
void userdb_cache_free(struct userdb_cache **cp);
/* Was (user, password) verified against this stored hash recently? */
bool userdb_cache_check(struct userdb_cache *c, const char *user, const char *stored_hash,
			const char *password, size_t password_len);
/* Remember a successful check. */
void userdb_cache_add(struct userdb_cache *c, const char *user, const char *stored_hash,
		      const char *password, size_t password_len);

#endif
