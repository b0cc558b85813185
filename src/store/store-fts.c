/* store-fts.c — the full-text index kept off the command path: a handle
 * that defers (store_fts_defer) queues a new file's id in the transaction
 * that adds it and indexes the queue later in batches (see store.h).
 *
 * The queue is the fts_pending table (store-schema.c): op 1 = index the
 * file's text, op 0 = remove the file's entry from the index. File ids are
 * never reused (AUTOINCREMENT), so an index entry whose file is gone can
 * match no message while its removal waits. */
#include "store-parsed.h"
#include "store-private.h"
#include "store-search.h"
#include "lib/log.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum fts_op { FTS_OP_REMOVE = 0, FTS_OP_INDEX = 1 };

static void bind_text_buf(sqlite3_stmt *st, int col, const struct buf *b)
{
	sqlite3_bind_text(st, col, b->data ? (const char *)b->data : "", (int)b->len,
			  SQLITE_STATIC);
}

static int index_text(struct store *s, const struct store_parsed *p, int64_t file_id)
{
	sqlite3_stmt *st = store_stmt(s, STMT_FTS_INSERT);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, file_id);
	bind_text_buf(st, 2, &p->fts_from);
	bind_text_buf(st, 3, &p->fts_to);
	bind_text_buf(st, 4, &p->fts_cc);
	bind_text_buf(st, 5, &p->fts_bcc);
	bind_text_buf(st, 6, &p->fts_subject);
	bind_text_buf(st, 7, &p->fts_headers);
	bind_text_buf(st, 8, &p->fts_body);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "index message text");
}

static int run_id(struct store *s, const char *sql, int64_t file_id, const char *what)
{
	sqlite3_stmt *st = store_stmt_sql(s, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, file_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, what);
}

static int queue(struct store *s, int64_t file_id, enum fts_op op)
{
	sqlite3_stmt *st = store_stmt_sql(s, "INSERT OR REPLACE INTO fts_pending(file_id, op)"
					     " VALUES (?1, ?2)");
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int(st, 2, op);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "queue for the search index");
}

void store_fts_defer(struct store *s, bool defer)
{
	s->fts_deferred = defer;
}

int store_fts_add(struct store *s, const struct store_parsed *p, int64_t file_id)
{
	return s->fts_deferred ? queue(s, file_id, FTS_OP_INDEX) : index_text(s, p, file_id);
}

int store_fts_forget(struct store *s, int64_t file_id)
{
	int ret = run_id(s, "DELETE FROM fts_pending WHERE file_id = ?1 AND op = 1", file_id,
			 "unqueue from the search index");

	if (ret != STORE_OK)
		return ret;
	/* Queued and never indexed: nothing is in the index to remove. */
	if (sqlite3_changes(s->db) > 0)
		return STORE_OK;
	if (s->fts_deferred)
		return queue(s, file_id, FTS_OP_REMOVE);
	return run_id(s, "DELETE FROM fts WHERE rowid = ?1", file_id, "release file text");
}

int store_msgfile_parse(struct store *s, const char *name, struct store_parsed **p_r)
{
	struct stat sb;
	void *map;
	int fd;

	if (store_msgfile_open(s, name, &fd) != STORE_OK)
		return STORE_ERR_NONEXISTENT;
	if (fstat(fd, &sb) < 0 || sb.st_size <= 0) {
		close(fd);
		return STORE_ERR_NONEXISTENT;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return STORE_ERR_NONEXISTENT;
	*p_r = store_parsed_new(map, (size_t)sb.st_size);
	munmap(map, (size_t)sb.st_size);
	return STORE_OK;
}

/* Index the text of one queued file. A file that cannot be read (only a
 * damaged store has a row without its file: store_check reports it) is
 * left out rather than retried forever. */
static int index_queued(struct store *s, int64_t file_id, const char *name)
{
	struct store_parsed *p = NULL;
	int ret;

	if (name == NULL || store_msgfile_parse(s, name, &p) != STORE_OK) {
		log_error("%s: message file %s cannot be read for the search index", s->dir,
			  name ? name : "(no row)");
		return STORE_OK;
	}
	ret = index_text(s, p, file_id);
	store_parsed_free(&p);
	return ret;
}

struct queued {
	int64_t file_id;
	int op;
	char name[33];
	bool has_name;
};

/* Read up to max queue entries (oldest first) into q; *n_r how many. */
static int read_queue(struct store *s, bool only_index, struct queued *q, size_t max, size_t *n_r)
{
	sqlite3_stmt *st = store_stmt_sql(s, "SELECT q.file_id, q.op, f.name FROM fts_pending q"
					     " LEFT JOIN files f ON f.id = q.file_id"
					     " WHERE q.op >= ?1 ORDER BY q.file_id LIMIT ?2");
	size_t n = 0;
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int(st, 1, only_index ? FTS_OP_INDEX : FTS_OP_REMOVE);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		const unsigned char *name = sqlite3_column_text(st, 2);

		q[n].file_id = sqlite3_column_int64(st, 0);
		q[n].op = sqlite3_column_int(st, 1);
		q[n].has_name = name != NULL && store_msgfile_name_valid((const char *)name);
		if (q[n].has_name)
			memcpy(q[n].name, name, 33);
		n++;
	}
	sqlite3_reset(st);
	*n_r = n;
	return rc == SQLITE_DONE || rc == SQLITE_ROW
		       ? STORE_OK
		       : store_sql_error(s, rc, "read the index queue");
}

static int apply_one(struct store *s, const struct queued *q)
{
	int ret;

	if (q->op == FTS_OP_INDEX)
		ret = index_queued(s, q->file_id, q->has_name ? q->name : NULL);
	else
		ret = run_id(s, "DELETE FROM fts WHERE rowid = ?1", q->file_id,
			     "remove text from the search index");
	if (ret == STORE_OK)
		ret = run_id(s, "DELETE FROM fts_pending WHERE file_id = ?1", q->file_id,
			     "unqueue from the search index");
	return ret;
}

static int count_queue(struct store *s, bool only_index, size_t *count_r)
{
	sqlite3_stmt *st = store_stmt_sql(s, "SELECT count(*) FROM fts_pending WHERE op >= ?1");
	int rc;

	*count_r = 0;
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int(st, 1, only_index ? FTS_OP_INDEX : FTS_OP_REMOVE);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count_r = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : store_sql_error(s, rc, "count the index queue");
}

/* One batch in one transaction. Its commit need not wait for the disk: the
 * index and the queue change together, so a crash loses both or neither,
 * and whatever is lost is simply done again. */
static int run_batch(struct store *s, bool only_index, size_t max, size_t *left_r)
{
	struct queued q[STORE_FTS_BATCH];
	size_t n = 0, left = 0;
	int ret;

	if (max > STORE_FTS_BATCH)
		max = STORE_FTS_BATCH;
	ret = store_tx_begin_relaxed(s);
	if (ret != STORE_OK)
		return ret;
	ret = read_queue(s, only_index, q, max, &n);
	for (size_t i = 0; i < n && ret == STORE_OK; i++)
		ret = apply_one(s, &q[i]);
	if (ret == STORE_OK)
		ret = count_queue(s, only_index, &left);
	/* An empty queue changed nothing: no commit, so no change notification
	 * (store-watch.h). A commit would wake every session of the user in
	 * every process; each reopens the handle, which closes idle 3 s later
	 * and runs this again: the handles of users in IDLE never stayed
	 * closed, and all their sessions woke every 3 s. */
	if (ret == STORE_OK && n > 0)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (left_r != NULL)
		*left_r = left;
	return ret;
}

int store_fts_index_pending(struct store *s, size_t max, size_t *left_r)
{
	return run_batch(s, false, max, left_r);
}

static bool key_reads_text(const struct store_search_key *k)
{
	for (; k != NULL; k = k->next) {
		switch (k->op) {
		case STORE_SEARCH_HEADER:
		case STORE_SEARCH_FROM:
		case STORE_SEARCH_TO:
		case STORE_SEARCH_CC:
		case STORE_SEARCH_BCC:
		case STORE_SEARCH_SUBJECT:
		case STORE_SEARCH_BODY:
		case STORE_SEARCH_TEXT:
			return true;
		default:
			if (key_reads_text(k->child))
				return true;
		}
	}
	return false;
}

int store_fts_catch_up(struct store *s, const struct store_search_key *key)
{
	size_t left;
	int ret;

	if (!key_reads_text(key))
		return STORE_OK;

	/* Inside the caller's transaction the queue cannot be worked off; no
	 * store path searches inside one. */
	if (s->in_tx)
		return STORE_OK;
	ret = count_queue(s, true, &left);

	while (ret == STORE_OK && left > 0)
		ret = run_batch(s, true, STORE_FTS_BATCH, &left);
	return ret;
}

int store_fts_after_append(struct store *s)
{
	size_t queued;
	int ret;

	if (!s->fts_deferred)
		return STORE_OK;
	ret = count_queue(s, false, &queued);
	if (ret == STORE_OK && queued > STORE_FTS_QUEUE_HIGH)
		ret = run_batch(s, false, STORE_FTS_BATCH, NULL);
	return ret;
}

/* Queue-fixing statements for store_fts_check(), each one pass over the
 * files, the index's rowids and the queue. */
static const char *const check_fixes[] = {
	/* Queued for indexing, but the file row is gone. */
	"DELETE FROM fts_pending WHERE op = 1 AND file_id NOT IN (SELECT id FROM files)",
	/* A removal queued for a file that still has its row. */
	"DELETE FROM fts_pending WHERE op = 0 AND file_id IN (SELECT id FROM files)",
	/* Text never indexed and not queued. */
	"INSERT INTO fts_pending(file_id, op) SELECT id, 1 FROM files WHERE"
	" id NOT IN (SELECT rowid FROM fts) AND id NOT IN (SELECT file_id FROM fts_pending)",
	/* Index entries of files that are gone, their removal not queued. */
	"INSERT INTO fts_pending(file_id, op) SELECT rowid, 0 FROM fts WHERE"
	" rowid NOT IN (SELECT id FROM files) AND rowid NOT IN (SELECT file_id FROM fts_pending)",
};

static int check_queue(struct store *s, uint64_t *fixed_r)
{
	int ret = store_tx_begin(s);

	for (size_t i = 0; i < HF_N_ELEMENTS(check_fixes) && ret == STORE_OK; i++) {
		ret = store_exec(s, check_fixes[i]);
		if (ret == STORE_OK)
			*fixed_r += (uint64_t)sqlite3_changes(s->db);
	}
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}

int store_fts_check(struct store *s, uint64_t *fixed_r, uint64_t *worked_r)
{
	size_t left;
	int ret;

	*fixed_r = *worked_r = 0;
	ret = check_queue(s, fixed_r);
	if (ret == STORE_OK)
		ret = count_queue(s, false, &left);
	if (ret == STORE_OK)
		*worked_r = left;
	while (ret == STORE_OK && left > 0)
		ret = run_batch(s, false, STORE_FTS_BATCH, &left);
	return ret;
}
