/* store-append.c — APPEND, MULTIAPPEND and delivery: files first (durable
 * before any row names them), then every row in one transaction (the
 * search text is indexed in it, or queued: store-fts.c).
 *
 * The files are written before the write lock is taken, so the slow part
 * (fsync of large messages) never blocks other writers of this user. */
#include "store-keywords.h"
#include "store-parsed.h"
#include "store-private.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int bind_text_or_null(sqlite3_stmt *st, int col, const char *text)
{
	return text ? sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC)
		    : sqlite3_bind_null(st, col);
}

static void bind_buf(sqlite3_stmt *st, int col, const struct buf *b, bool blob)
{
	const void *p = b->data ? (const void *)b->data : "";

	if (blob)
		sqlite3_bind_blob(st, col, p, (int)b->len, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, col, p, (int)b->len, SQLITE_STATIC);
}

/* THREADID (RFC 8474 5.2): the thread of the nearest ancestor we hold,
 * found through In-Reply-To and References; else a new thread. */
static char *find_thread(struct store *s, const struct store_parsed *p, const char *file_name)
{
	for (size_t i = 0; i < p->reference_count; i++) {
		sqlite3_stmt *st = store_stmt(s, STMT_THREAD_BY_MSGID);
		char *found = NULL;

		if (st == NULL)
			break;
		sqlite3_bind_text(st, 1, p->references[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			found = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if (found != NULL)
			return found;
	}
	{
		char *fresh = xmalloc(26);

		snprintf(fresh, 26, "T%.24s", file_name);
		return fresh;
	}
}

static int insert_file(struct store *s, const struct store_parsed *p, const char *name,
		       int64_t *file_id_r)
{
	char *thread = find_thread(s, p, name);
	sqlite3_stmt *st = store_stmt(s, STMT_FILE_INSERT);
	int rc;

	if (st == NULL) {
		free(thread);
		return STORE_ERR_IO;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)p->size);
	if (p->has_sent_date) {
		sqlite3_bind_int64(st, 3, p->sent_date);
		sqlite3_bind_int(st, 4, p->sent_tz);
	}
	bind_buf(st, 5, &p->envelope, false);
	bind_buf(st, 6, &p->bodystructure, false);
	bind_buf(st, 7, &p->body, false);
	bind_buf(st, 8, &p->parts, true);
	bind_buf(st, 9, &p->headers, true);
	bind_text_or_null(st, 10, p->message_id);
	sqlite3_bind_text(st, 11, thread, -1, SQLITE_STATIC);
	bind_text_or_null(st, 12, p->sort_subject);
	bind_text_or_null(st, 13, p->sort_from);
	bind_text_or_null(st, 14, p->sort_to);
	bind_text_or_null(st, 15, p->sort_cc);
	bind_text_or_null(st, 16, p->display_from);
	bind_text_or_null(st, 17, p->display_to);
	bind_text_or_null(st, 18, p->preview);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(thread);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "insert file");
	*file_id_r = sqlite3_last_insert_rowid(s->db);
	return STORE_OK;
}

static int insert_message(struct store *s, int64_t mailbox_id, uint32_t uid, int64_t file_id,
			  const struct store_new_message *m, const char *kw, uint64_t modseq,
			  int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MSG_INSERT);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_int64(st, 3, file_id);
	sqlite3_bind_int(st, 4, (int)(m->flags & STORE_FLAGS_ALL));
	sqlite3_bind_text(st, 5, kw, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)modseq);
	sqlite3_bind_int64(st, 7, m->internaldate ? m->internaldate : now);
	sqlite3_bind_int(st, 8, m->tz_offset);
	sqlite3_bind_int64(st, 9, now);
	sqlite3_bind_int64(st, 10, (int64_t)m->msg->size);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "insert message");
}

int store_append_file_row(struct store *s, const struct store_parsed *p, const char *file_name,
			  int64_t *file_id_r)
{
	int ret = insert_file(s, p, file_name, file_id_r);

	if (ret == STORE_OK)
		ret = store_fts_add(s, p, *file_id_r);
	return ret;
}

int store_append_row(struct store *s, int64_t mailbox_id, const struct store_new_message *m,
		     const char *file_name, uint32_t uid, uint64_t modseq, int64_t now)
{
	char *kw = store_keywords_join(m->keywords, m->keyword_count);
	int64_t file_id = 0;
	int ret = store_append_file_row(s, m->msg, file_name, &file_id);

	if (ret == STORE_OK)
		ret = insert_message(s, mailbox_id, uid, file_id, m, kw, modseq, now);
	if (ret == STORE_OK)
		ret = store_keywords_register(s, mailbox_id, kw);
	free(kw);
	return ret;
}

static int append_locked(struct store *s, const char *canon, const struct store_new_message *msgs,
			 size_t n, char (*names)[33], uint32_t *uidvalidity_r, uint32_t *uids_r)
{
	struct store_mailbox mb;
	uint64_t modseq, bytes = 0;
	int64_t unseen = 0, deleted = 0, now = (int64_t)time(NULL);
	uint32_t first;
	int ret = store_mailbox_lookup(s, canon, &mb);

	if (ret != STORE_OK)
		return ret;
	if (mb.noselect) {
		store_mailbox_clear(&mb);
		return store_fail(s, STORE_ERR_NOSELECT, "mailbox %s cannot hold messages", canon);
	}
	for (size_t i = 0; i < n; i++) {
		bytes += msgs[i].msg->size;
		unseen += (msgs[i].flags & STORE_FLAG_SEEN) == 0;
		deleted += (msgs[i].flags & STORE_FLAG_DELETED) != 0;
	}
	ret = store_quota_charge(s, (int64_t)bytes, (int64_t)n);
	if (ret == STORE_OK)
		ret = store_mailbox_take_uids(s, mb.id, (uint32_t)n, &first, &modseq);
	for (size_t i = 0; i < n && ret == STORE_OK; i++) {
		uids_r[i] = first + (uint32_t)i;
		ret = store_append_row(s, mb.id, &msgs[i], names[i], uids_r[i], modseq, now);
	}
	if (ret == STORE_OK)
		ret = store_mailbox_adjust(s, mb.id, (int64_t)n, unseen, deleted, (int64_t)bytes);
	*uidvalidity_r = mb.uidvalidity;
	store_mailbox_clear(&mb);
	return ret;
}

static void unlink_written(struct store *s, char (*names)[33], size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_msgfile_unlink(s, names[i]);
}

int store_append_files(struct store *s, const char *canon, const struct store_new_message *msgs,
		       size_t n, char (*names)[33], uint32_t *uidvalidity_r, uint32_t *uids_r)
{
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = append_locked(s, canon, msgs, n, names, uidvalidity_r, uids_r);
	if (ret == STORE_OK)
		return store_tx_commit(s);
	store_tx_rollback(s);
	return ret;
}

int store_append(struct store *s, const char *mailbox, const struct store_new_message *msgs,
		 size_t n, uint32_t *uidvalidity_r, uint32_t *uids_r)
{
	struct store_msgfile_data *files;
	char(*names)[33];
	char *canon;
	int ret;

	if (n == 0)
		return store_fail(s, STORE_ERR_INVALID, "nothing to append");
	for (size_t i = 0; i < n; i++)
		if (msgs[i].msg->size == 0)
			return store_fail(s, STORE_ERR_INVALID, "empty message");
	ret = store_mailbox_name_canonical(mailbox, &canon);
	if (ret != STORE_OK)
		return store_fail(s, ret, "invalid mailbox name");
	names = xcalloc(n, sizeof(*names));
	files = xcalloc(n, sizeof(*files));
	for (size_t i = 0; i < n; i++) {
		files[i].data = msgs[i].msg->data;
		files[i].len = msgs[i].msg->size;
		files[i].mtime = msgs[i].internaldate ? msgs[i].internaldate : (int64_t)time(NULL);
	}
	ret = store_msgfile_write(s, files, n, names);
	if (ret == STORE_OK) {
		ret = store_append_files(s, canon, msgs, n, names, uidvalidity_r, uids_r);
		/* Nothing committed: the files are garbage now, remove them. */
		if (ret != STORE_OK)
			unlink_written(s, names, n);
	}
	/* The messages are committed whatever this says: the queue stays
	 * for the next batch. */
	if (ret == STORE_OK && store_fts_after_append(s) != STORE_OK)
		log_error("%s", store_last_error(s));
	free(files);
	free(names);
	free(canon);
	return ret;
}
