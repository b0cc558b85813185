/* store-fetch.c — reading message metadata in UID order for FETCH.
 *
 * Rows are read in batches into an arena and the statement is reset after
 * each batch, so no read transaction stays open while a slow client drains
 * its output: a long FETCH never pins the WAL or blocks checkpoints. Each
 * batch is a consistent snapshot; changes between batches reach the
 * session as ordinary untagged updates afterwards.
 */
#include "store-private.h"
#include "lib/arena.h"
#include "lib/mem.h"

#include <string.h>

#define FETCH_BATCH 256

struct store_fetch {
	struct store *s;
	int64_t mailbox_id;
	struct rangeset uids;
	unsigned want;
	sqlite3_stmt *st;
	struct arena *arena;
	struct store_msg batch[FETCH_BATCH];
	size_t count, pos;
	size_t range_idx;  /* the range being read */
	uint32_t last_uid; /* the last UID read, 0 before the first */
	bool exhausted;
};

static const char fetch_sql[] =
	"SELECT m.uid, m.flags, m.keywords, m.modseq, m.internaldate, m.tz, m.savedate, m.size,"
	" m.file_id, f.name, f.threadid,"
	" CASE WHEN ?4 & 1 THEN f.envelope END, CASE WHEN ?4 & 2 THEN f.bodystructure END,"
	" CASE WHEN ?4 & 4 THEN f.body END, CASE WHEN ?4 & 8 THEN f.parts END,"
	" CASE WHEN ?4 & 16 THEN f.headers END, CASE WHEN ?4 & 32 THEN f.preview END"
	" FROM messages m JOIN files f ON f.id = m.file_id"
	" WHERE m.mailbox_id = ?1 AND m.uid > ?2 AND m.uid <= ?3 ORDER BY m.uid LIMIT ?5";

int store_fetch_begin(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		      unsigned want, struct store_fetch **f_r)
{
	struct store_fetch *f = xcalloc(1, sizeof(*f));
	int rc = sqlite3_prepare_v2(s->db, fetch_sql, -1, &f->st, NULL);

	if (rc != SQLITE_OK) {
		free(f);
		return store_sql_error(s, rc, "prepare fetch");
	}
	f->s = s;
	f->mailbox_id = mailbox_id;
	f->want = want;
	if (uids != NULL)
		rangeset_copy(&f->uids, uids);
	else
		rangeset_add_range(&f->uids, 1, UINT32_MAX);
	f->arena = arena_new(64 * 1024);
	s->iterators++;
	*f_r = f;
	return STORE_OK;
}

static const char *col_text(struct store_fetch *f, int col, size_t *len_r)
{
	const void *p = sqlite3_column_blob(f->st, col);
	size_t len = (size_t)sqlite3_column_bytes(f->st, col);

	if (len_r != NULL)
		*len_r = len;
	if (p == NULL)
		return sqlite3_column_type(f->st, col) == SQLITE_NULL ? NULL : "";
	return arena_strndup(f->arena, p, len);
}

static void read_row(struct store_fetch *f, struct store_msg *m)
{
	sqlite3_stmt *st = f->st;

	memset(m, 0, sizeof(*m));
	m->uid = (uint32_t)sqlite3_column_int64(st, 0);
	m->flags = (unsigned)sqlite3_column_int(st, 1);
	m->keywords = col_text(f, 2, NULL);
	m->modseq = (uint64_t)sqlite3_column_int64(st, 3);
	m->internaldate = sqlite3_column_int64(st, 4);
	m->tz_offset = sqlite3_column_int(st, 5);
	m->savedate = sqlite3_column_int64(st, 6);
	m->size = (uint64_t)sqlite3_column_int64(st, 7);
	m->file_id = sqlite3_column_int64(st, 8);
	m->emailid = col_text(f, 9, NULL);
	m->threadid = col_text(f, 10, NULL);
	m->envelope = col_text(f, 11, NULL);
	m->bodystructure = col_text(f, 12, NULL);
	m->body = col_text(f, 13, NULL);
	m->part_index = col_text(f, 14, &m->part_index_len);
	m->headers = col_text(f, 15, &m->headers_len);
	m->preview = col_text(f, 16, NULL);
	if (m->keywords == NULL)
		m->keywords = "";
}

/* Fill the batch from the current range onwards. */
static int fill_batch(struct store_fetch *f)
{
	int rc = SQLITE_DONE;

	arena_clear(f->arena);
	f->count = f->pos = 0;
	while (f->count < FETCH_BATCH && f->range_idx < f->uids.count) {
		const struct range *r = &f->uids.r[f->range_idx];
		uint32_t lo = r->lo > 0 ? r->lo - 1 : 0;
		size_t got = 0;

		if (f->last_uid > lo)
			lo = f->last_uid;
		sqlite3_reset(f->st);
		sqlite3_bind_int64(f->st, 1, f->mailbox_id);
		sqlite3_bind_int64(f->st, 2, lo);
		sqlite3_bind_int64(f->st, 3, r->hi);
		sqlite3_bind_int(f->st, 4, (int)f->want);
		sqlite3_bind_int(f->st, 5, (int)(FETCH_BATCH - f->count));
		while ((rc = sqlite3_step(f->st)) == SQLITE_ROW) {
			read_row(f, &f->batch[f->count]);
			f->last_uid = f->batch[f->count].uid;
			f->count++;
			got++;
		}
		if (rc != SQLITE_DONE)
			break;
		/* A short read means the range is finished. */
		if (f->count < FETCH_BATCH || got == 0)
			f->range_idx++;
	}
	sqlite3_reset(f->st);
	if (rc != SQLITE_DONE)
		return store_sql_error(f->s, rc, "fetch");
	if (f->count == 0)
		f->exhausted = true;
	return STORE_OK;
}

int store_fetch_next(struct store_fetch *f, const struct store_msg **msg_r)
{
	if (f->pos == f->count) {
		int ret;

		if (f->exhausted)
			return 0;
		ret = fill_batch(f);
		if (ret != STORE_OK)
			return ret;
		if (f->count == 0)
			return 0;
	}
	*msg_r = &f->batch[f->pos++];
	return 1;
}

void store_fetch_end(struct store_fetch **fp)
{
	struct store_fetch *f = *fp;

	if (f == NULL)
		return;
	f->s->iterators--;
	sqlite3_finalize(f->st);
	rangeset_free(&f->uids);
	arena_free(&f->arena);
	free(f);
	*fp = NULL;
}
