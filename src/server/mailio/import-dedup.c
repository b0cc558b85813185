/* import-dedup.c — a multiset of stored message digests (see
 * import-dedup.h). Open addressing, grown at half full. */
#include "import-dedup.h"
#include "lib/mem.h"
#include "store/store.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIGEST_LEN 32

struct stored {
	uint64_t size;
	char *file; /* the store's file name (emailid) */
	bool hashed;
};

struct slot {
	unsigned char digest[DIGEST_LEN];
	uint32_t count; /* unclaimed copies; 0 with used: all claimed */
	bool used;
};

struct dedup {
	struct store *s;
	struct stored *stored;
	size_t stored_count;
	struct slot *slots;
	size_t slot_count, used;
};

static int cmp_size(const void *a, const void *b)
{
	const struct stored *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

struct dedup *dedup_new(struct store *s, int64_t mailbox_id, int *err_r)
{
	struct dedup *d = xcalloc(1, sizeof(*d));
	struct store_fetch *f;
	const struct store_msg *m;
	int ret = store_fetch_begin(s, mailbox_id, NULL, 0, &f);

	d->s = s;
	while (ret >= 0 && (ret = store_fetch_next(f, &m)) == 1) {
		d->stored = xreallocarray(d->stored, d->stored_count + 1, sizeof(*d->stored));
		d->stored[d->stored_count].size = m->size;
		d->stored[d->stored_count].file = xstrdup(m->emailid != NULL ? m->emailid : "");
		d->stored[d->stored_count++].hashed = false;
	}
	store_fetch_end(&f);
	if (ret < 0) {
		*err_r = ret;
		dedup_free(&d);
		return NULL;
	}
	if (d->stored_count > 0)
		qsort(d->stored, d->stored_count, sizeof(*d->stored), cmp_size);
	d->slot_count = 64;
	d->slots = xcalloc(d->slot_count, sizeof(*d->slots));
	return d;
}

void dedup_free(struct dedup **dp)
{
	struct dedup *d = *dp;

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->stored_count; i++)
		free(d->stored[i].file);
	free(d->stored);
	free(d->slots);
	xfree(dp);
}

static struct slot *find_slot(struct slot *slots, size_t n, const unsigned char *digest)
{
	size_t i;

	memcpy(&i, digest, sizeof(i));
	for (i &= n - 1;; i = (i + 1) & (n - 1))
		if (!slots[i].used || memcmp(slots[i].digest, digest, DIGEST_LEN) == 0)
			return &slots[i];
}

static void grow(struct dedup *d)
{
	size_t n = d->slot_count * 2;
	struct slot *slots = xcalloc(n, sizeof(*slots));

	for (size_t i = 0; i < d->slot_count; i++)
		if (d->slots[i].used)
			*find_slot(slots, n, d->slots[i].digest) = d->slots[i];
	free(d->slots);
	d->slots = slots;
	d->slot_count = n;
}

static void add_digest(struct dedup *d, const unsigned char *digest)
{
	struct slot *sl;

	if ((d->used + 1) * 2 > d->slot_count)
		grow(d);
	sl = find_slot(d->slots, d->slot_count, digest);
	if (!sl->used) {
		memcpy(sl->digest, digest, DIGEST_LEN);
		sl->used = true;
		d->used++;
	}
	sl->count++;
}

static int hash_stored(struct dedup *d, const struct stored *st, unsigned char *digest)
{
	struct store_msg m;
	unsigned char chunk[65536];
	EVP_MD_CTX *ctx;
	int fd, ret;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.emailid = st->file;
	m.size = st->size;
	ret = store_msg_open(d->s, &m, &fd);
	if (ret != STORE_OK)
		return ret;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		hf_panic("out of memory");
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		EVP_DigestUpdate(ctx, chunk, (size_t)n);
	EVP_DigestFinal_ex(ctx, digest, NULL);
	EVP_MD_CTX_free(ctx);
	close(fd);
	return n < 0 ? STORE_ERR_IO : STORE_OK;
}

/* Hash every stored message of this size not hashed yet. */
static int hash_size(struct dedup *d, uint64_t size)
{
	size_t lo = 0, hi = d->stored_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->stored[mid].size < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->stored_count && d->stored[lo].size == size; lo++) {
		unsigned char digest[DIGEST_LEN];
		int ret;

		if (d->stored[lo].hashed)
			continue;
		ret = hash_stored(d, &d->stored[lo], digest);
		if (ret != STORE_OK)
			return ret;
		d->stored[lo].hashed = true;
		add_digest(d, digest);
	}
	return STORE_OK;
}

int dedup_claim(struct dedup *d, const void *data, size_t len, bool *present_r)
{
	unsigned char digest[DIGEST_LEN];
	struct slot *sl;
	int ret = hash_size(d, len);

	*present_r = false;
	if (ret != STORE_OK)
		return ret;
	if (d->used == 0)
		return STORE_OK;
	EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL);
	sl = find_slot(d->slots, d->slot_count, digest);
	if (sl->used && sl->count > 0) {
		sl->count--;
		*present_r = true;
	}
	return STORE_OK;
}
