/* userdb-cache.c — the verified-password cache (see userdb-cache.h). */
#include "auth/userdb-cache.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/mem.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>

#define MAC_LEN 32

struct cache_slot {
	unsigned char user_mac[MAC_LEN];  /* HMAC of the user name: the slot key */
	unsigned char hash_mac[MAC_LEN];  /* HMAC of the stored hash */
	unsigned char pw_mac[MAC_LEN];    /* HMAC of user NUL password */
	int64_t expires;
	bool used;
};

struct userdb_cache {
	unsigned char key[32];
	uint32_t ttl;
	struct cache_slot slots[USERDB_CACHE_SLOTS];
};

struct userdb_cache *userdb_cache_new(uint32_t ttl_secs)
{
	struct userdb_cache *c;

	if (ttl_secs == 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	if (RAND_bytes(c->key, sizeof(c->key)) != 1)
		hf_panic("RAND_bytes failed");
	c->ttl = ttl_secs;
	return c;
}

void userdb_cache_free(struct userdb_cache **cp)
{
	if (*cp == NULL)
		return;
	OPENSSL_cleanse(*cp, sizeof(**cp));
	xfree(cp);
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
		 in.len, out, &len) == NULL || len != MAC_LEN)
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
	struct cache_slot *s;
	bool hit;

	if (c == NULL)
		return false;
	mac(c, user, strlen(user), NULL, 0, u);
	s = slot_for(c, u);
	if (!s->used || CRYPTO_memcmp(s->user_mac, u, MAC_LEN) != 0 || s->expires < now_secs())
		return false;
	mac(c, stored_hash, strlen(stored_hash), NULL, 0, h);
	mac(c, user, strlen(user), password, password_len, p);
	hit = CRYPTO_memcmp(s->hash_mac, h, MAC_LEN) == 0 && CRYPTO_memcmp(s->pw_mac, p, MAC_LEN) == 0;
	OPENSSL_cleanse(p, sizeof(p));
	return hit;
}

void userdb_cache_add(struct userdb_cache *c, const char *user, const char *stored_hash,
		      const char *password, size_t password_len)
{
	unsigned char u[MAC_LEN];
	struct cache_slot *s;

	if (c == NULL)
		return;
	mac(c, user, strlen(user), NULL, 0, u);
	s = slot_for(c, u);
	memcpy(s->user_mac, u, MAC_LEN);
	mac(c, stored_hash, strlen(stored_hash), NULL, 0, s->hash_mac);
	mac(c, user, strlen(user), password, password_len, s->pw_mac);
	s->expires = now_secs() + c->ttl;
	s->used = true;
}
