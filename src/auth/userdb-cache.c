/* userdb-cache.c — the verified-password cache (see userdb-cache.h). */
#include "auth/userdb-cache-private.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/shared-mutex.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MAC_LEN 32

struct cache_slot {
	unsigned char user_mac[MAC_LEN]; /* HMAC of the user name: the slot key */
	unsigned char hash_mac[MAC_LEN]; /* HMAC of the stored hash */
	unsigned char pw_mac[MAC_LEN];   /* HMAC of user NUL password */
	int64_t expires;
	bool used;
};

struct userdb_cache {
	/* Taken only to copy a slot in or out; the HMACs are computed outside. */
	pthread_mutex_t lock;
	bool shared; /* a MAP_SHARED mapping of sizeof(struct userdb_cache) */
	unsigned char key[32];
	uint32_t ttl;
	struct cache_slot slots[USERDB_CACHE_SLOTS];
};

static int cache_init(struct userdb_cache *c, uint32_t ttl_secs, bool shared)
{
	if (RAND_bytes(c->key, sizeof(c->key)) != 1)
		hf_panic("RAND_bytes failed");
	c->ttl = ttl_secs;
	c->shared = shared;
	/* Shared or not: a process-shared mutex also serves one process. */
	return shared_mutex_init(&c->lock);
}

struct userdb_cache *userdb_cache_new(uint32_t ttl_secs)
{
	struct userdb_cache *c;

	if (ttl_secs == 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	if (cache_init(c, ttl_secs, false) < 0)
		hf_panic("cannot make the login cache's lock");
	return c;
}

struct userdb_cache *userdb_cache_new_shared(uint32_t ttl_secs, const char **error_r)
{
	struct userdb_cache *c;

	if (ttl_secs == 0)
		return NULL;
	/* Anonymous shared memory starts zeroed: every slot unused. */
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED) {
		*error_r = "cannot map shared memory for the login cache";
		return NULL;
	}
	if (cache_init(c, ttl_secs, true) < 0) {
		munmap(c, sizeof(*c));
		*error_r = "cannot make the login cache's process-shared lock";
		return NULL;
	}
	return c;
}

void userdb_cache_free(struct userdb_cache **cp)
{
	struct userdb_cache *c = *cp;

	if (c == NULL)
		return;
	*cp = NULL;
	pthread_mutex_destroy(&c->lock);
	if (c->shared) {
		OPENSSL_cleanse(c, sizeof(*c));
		munmap(c, sizeof(*c));
		return;
	}
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

void userdb_cache_lock(struct userdb_cache *c)
{
	/* A worker died while copying a slot: that slot may be half written,
	 * and a half-written slot could pair one login's hash with another's
	 * password. Forget everything instead. */
	if (shared_mutex_lock(&c->lock, "login cache")) {
		memset(c->slots, 0, sizeof(c->slots));
		log_warn("login cache: a process died holding its lock; cache emptied");
	}
}

void userdb_cache_unlock(struct userdb_cache *c)
{
	shared_mutex_unlock(&c->lock);
}

static int64_t now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* HMAC-SHA256(key, a [NUL b]). */
static void mac(const struct userdb_cache *c, const void *a, size_t alen, const void *b,
		size_t blen, unsigned char out[MAC_LEN])
{
	struct buf in = BUF_INIT;
	unsigned int len = 0;

	buf_append(&in, a, alen);
	if (b != NULL) {
		buf_append_byte(&in, 0);
		buf_append(&in, b, blen);
	}
	if (HMAC(EVP_sha256(), c->key, sizeof(c->key), in.data ? in.data : (unsigned char *)"",
		 in.len, out, &len) == NULL ||
	    len != MAC_LEN)
		hf_panic("HMAC failed");
	if (in.data != NULL)
		OPENSSL_cleanse(in.data, in.len);
	buf_free(&in);
}

static struct cache_slot *slot_for(struct userdb_cache *c, const unsigned char user_mac[MAC_LEN])
{
	size_t i = ((size_t)user_mac[0] << 8 | user_mac[1]) % USERDB_CACHE_SLOTS;

	return &c->slots[i];
}

bool userdb_cache_check(struct userdb_cache *c, const char *user, const char *stored_hash,
			const char *password, size_t password_len)
{
	unsigned char u[MAC_LEN], h[MAC_LEN], p[MAC_LEN];
	struct cache_slot slot;
	bool hit;

	if (c == NULL)
		return false;
	mac(c, user, strlen(user), NULL, 0, u);
	userdb_cache_lock(c);
	slot = *slot_for(c, u);
	userdb_cache_unlock(c);
	if (!slot.used || CRYPTO_memcmp(slot.user_mac, u, MAC_LEN) != 0 ||
	    slot.expires < now_secs()) {
		OPENSSL_cleanse(&slot, sizeof(slot));
		return false;
	}
	mac(c, stored_hash, strlen(stored_hash), NULL, 0, h);
	mac(c, user, strlen(user), password, password_len, p);
	hit = CRYPTO_memcmp(slot.hash_mac, h, MAC_LEN) == 0 &&
	      CRYPTO_memcmp(slot.pw_mac, p, MAC_LEN) == 0;
	OPENSSL_cleanse(p, sizeof(p));
	OPENSSL_cleanse(&slot, sizeof(slot));
	return hit;
}

void userdb_cache_add(struct userdb_cache *c, const char *user, const char *stored_hash,
		      const char *password, size_t password_len)
{
	struct cache_slot slot;

	if (c == NULL)
		return;
	mac(c, user, strlen(user), NULL, 0, slot.user_mac);
	mac(c, stored_hash, strlen(stored_hash), NULL, 0, slot.hash_mac);
	mac(c, user, strlen(user), password, password_len, slot.pw_mac);
	slot.expires = now_secs() + c->ttl;
	slot.used = true;
	userdb_cache_lock(c);
	*slot_for(c, slot.user_mac) = slot;
	userdb_cache_unlock(c);
	OPENSSL_cleanse(&slot, sizeof(slot));
}
