/* import.c — the importer: mailboxes, dedup, batches and progress (see
 * import.h). */
#include "import.h"
#include "import-dedup.h"
#include "mailio-text.h"
#include "maildir-keywords.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "store/store.h"

#include <string.h>
#include <time.h>

struct pending {
	struct buf data; /* CRLF: what the store keeps */
	struct store_parsed *parsed;
	char **keywords;
	size_t keyword_count;
};

struct importer {
	struct store *s;
	struct import_options opt;
	struct import_stats stats;
	char *mailbox;
	struct dedup *dedup;
	uint64_t mb_imported, mb_present;
	struct pending pending[IMPORT_BATCH_MESSAGES];
	struct store_new_message msgs[IMPORT_BATCH_MESSAGES];
	size_t count;
	uint64_t batch_bytes;
	int store_err;
	char errbuf[1024];
	/* progress */
	uint64_t total, done;
	bool bytes, shown;
	int64_t last_ms;
};

struct importer *importer_new(struct store *s, const struct import_options *opt)
{
	struct importer *im = xcalloc(1, sizeof(*im));

	im->s = s;
	im->opt = *opt;
	return im;
}

static void pending_clear(struct pending *p)
{
	store_parsed_free(&p->parsed);
	buf_free(&p->data);
	for (size_t i = 0; i < p->keyword_count; i++)
		free(p->keywords[i]);
	xfree(&p->keywords);
	p->keyword_count = 0;
}

static void clear_batch(struct importer *im)
{
	for (size_t i = 0; i < im->count; i++)
		pending_clear(&im->pending[i]);
	im->count = 0;
	im->batch_bytes = 0;
}

static void progress_clear(struct importer *im)
{
	if (im->shown && im->opt.progress != NULL) {
		fputs("\r\033[K", im->opt.progress);
		fflush(im->opt.progress);
	}
	im->shown = false;
}

void importer_free(struct importer **imp)
{
	struct importer *im = *imp;

	if (im == NULL)
		return;
	progress_clear(im);
	clear_batch(im);
	dedup_free(&im->dedup);
	free(im->mailbox);
	xfree(imp);
}

const struct import_options *importer_options(const struct importer *im)
{
	return &im->opt;
}

const struct import_stats *importer_stats(const struct importer *im)
{
	return &im->stats;
}

int importer_store_error(const struct importer *im)
{
	return im->store_err;
}

static void progress_show(struct importer *im, bool force)
{
	int64_t now;
	FILE *f = im->opt.progress;

	if (f == NULL || (now = clock_monotonic_ms(), !force && now - im->last_ms < 100))
		return;
	im->last_ms = now;
	if (im->bytes)
		fprintf(f, "\r\033[Kimporting: %3llu%%",
			(unsigned long long)(im->total ? im->done * 100 / im->total : 100));
	else
		fprintf(f, "\r\033[Kimporting: %llu/%llu messages", (unsigned long long)im->done,
			(unsigned long long)im->total);
	fprintf(f, ", %llu new, %llu already there, %llu skipped",
		(unsigned long long)im->stats.imported, (unsigned long long)im->stats.present,
		(unsigned long long)im->stats.skipped);
	if (im->mailbox != NULL)
		fprintf(f, " (%s)", im->mailbox);
	fflush(f);
	im->shown = true;
}

void importer_progress_total(struct importer *im, uint64_t total, bool bytes)
{
	im->total = total;
	im->bytes = bytes;
}

void importer_progress_add(struct importer *im, uint64_t n)
{
	im->done += n;
	progress_show(im, false);
}

void importer_skip(struct importer *im, const char *what, const char *why)
{
	progress_clear(im);
	fprintf(im->opt.report, "skipped %s: %s\n", what, why);
	fflush(im->opt.report);
	im->stats.skipped++;
}

static int store_failed(struct importer *im, int err, const char **error_r)
{
	im->store_err = err;
	snprintf(im->errbuf, sizeof(im->errbuf), "%s: %s",
		 im->mailbox != NULL ? im->mailbox : "store", store_last_error(im->s));
	*error_r = im->errbuf;
	return -1;
}

static int flush(struct importer *im, const char **error_r)
{
	uint32_t uidvalidity, *uids;
	int ret;

	if (im->count == 0)
		return 0;
	uids = xcalloc(im->count, sizeof(*uids));
	ret = store_append(im->s, im->mailbox, im->msgs, im->count, &uidvalidity, uids);
	free(uids);
	if (ret != STORE_OK)
		return store_failed(im, ret, error_r);
	im->stats.imported += im->count;
	im->mb_imported += im->count;
	clear_batch(im);
	return 0;
}

static void mailbox_done(struct importer *im)
{
	if (im->mailbox == NULL)
		return;
	progress_clear(im);
	fprintf(im->opt.report, "%s: %llu imported, %llu already there\n", im->mailbox,
		(unsigned long long)im->mb_imported, (unsigned long long)im->mb_present);
	fflush(im->opt.report);
	dedup_free(&im->dedup);
	xfree(&im->mailbox);
}

int importer_mailbox(struct importer *im, const char *name, const char **error_r)
{
	struct store_mailbox mb;
	char *canon;
	int ret;

	if (flush(im, error_r) < 0)
		return -1;
	mailbox_done(im);
	if (store_mailbox_name_canonical(name, &canon) != STORE_OK) {
		importer_skip(im, name, "not a valid mailbox name");
		return 1;
	}
	ret = store_mailbox_create(im->s, canon, 0);
	if (ret == STORE_OK) {
		im->stats.created++;
		ret = store_subscribe(im->s, canon, true);
	} else if (ret == STORE_ERR_EXISTS) {
		ret = STORE_OK;
	}
	im->mailbox = canon;
	if (ret == STORE_OK)
		ret = store_mailbox_get(im->s, canon, &mb);
	if (ret != STORE_OK)
		return store_failed(im, ret, error_r);
	im->dedup = dedup_new(im->s, mb.id, &ret);
	store_mailbox_clear(&mb);
	if (im->dedup == NULL)
		return store_failed(im, ret, error_r);
	im->mb_imported = im->mb_present = 0;
	im->stats.mailboxes++;
	return 0;
}

static void take_keywords(struct importer *im, struct pending *p, const struct import_msg *m)
{
	p->keywords = xcalloc(m->keyword_count + 1, sizeof(*p->keywords));
	for (size_t i = 0; i < m->keyword_count; i++) {
		size_t len = strlen(m->keywords[i]);

		if (mailio_keyword_valid(m->keywords[i], len))
			p->keywords[p->keyword_count++] = xstrndup(m->keywords[i], len);
	}
	(void)im;
}

int importer_add(struct importer *im, const struct import_msg *m, const char **error_r)
{
	struct pending *p = &im->pending[im->count];
	struct store_new_message *n = &im->msgs[im->count];
	bool present;
	int ret;

	if (im->mailbox == NULL)
		hf_panic("importer_add without a mailbox");
	mailio_to_crlf(m->data, m->len, &p->data);
	ret = dedup_claim(im->dedup, p->data.data, p->data.len, &present);
	if (ret != STORE_OK || present) {
		buf_free(&p->data);
		if (ret != STORE_OK)
			return store_failed(im, ret, error_r);
		im->stats.present++;
		im->mb_present++;
		return 0;
	}
	/* No bare LF is left: the store uses these bytes as they are. */
	p->parsed = store_parsed_new_mapped(p->data.data, p->data.len);
	take_keywords(im, p, m);
	memset(n, 0, sizeof(*n));
	n->msg = p->parsed;
	n->flags = m->flags;
	n->keywords = (const char *const *)p->keywords;
	n->keyword_count = p->keyword_count;
	n->internaldate = m->internaldate > 0 ? m->internaldate : 1;
	n->tz_offset = m->tz;
	im->batch_bytes += p->data.len;
	im->count++;
	if (im->count == IMPORT_BATCH_MESSAGES || im->batch_bytes >= IMPORT_BATCH_BYTES)
		return flush(im, error_r);
	return 0;
}

int importer_finish(struct importer *im, const char **error_r)
{
	if (flush(im, error_r) < 0)
		return -1;
	progress_show(im, true);
	mailbox_done(im);
	return 0;
}
