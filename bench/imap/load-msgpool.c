/* load-msgpool.c — pre-generated messages for APPEND. */
#include "load-msgpool.h"
#include "mailgen.h"
#include "imap/imap-date.h"
#include "lib/mem.h"

struct load_msgpool {
	struct buf *msgs;
	unsigned count;
};

struct load_msgpool *load_msgpool_new(uint64_t seed, unsigned count)
{
	struct load_msgpool *p = xcalloc(1, sizeof(*p));
	struct mailgen *g = mailgen_new(seed);
	struct mailgen_msg info;

	p->count = count > 0 ? count : 1;
	p->msgs = xcalloc(p->count, sizeof(*p->msgs));
	for (unsigned i = 0; i < p->count; i++)
		mailgen_next(g, &p->msgs[i], &info);
	mailgen_free(&g);
	return p;
}

void load_msgpool_free(struct load_msgpool **pp)
{
	struct load_msgpool *p = *pp;

	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->count; i++)
		buf_free(&p->msgs[i]);
	free(p->msgs);
	free(p);
	*pp = NULL;
}

const struct buf *load_msgpool_get(const struct load_msgpool *p, uint64_t i)
{
	return &p->msgs[i % p->count];
}

void load_append_date(struct buf *out, int64_t t, int tz)
{
	struct imap_datetime dt;

	if (!imap_datetime_from_unix(t, tz, &dt))
		imap_datetime_from_unix(0, 0, &dt);
	imap_datetime_write(out, &dt);
}
