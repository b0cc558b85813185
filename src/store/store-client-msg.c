/* store-client-msg.c — cached messages of the client store: adding what
 * the server reported, reading them back, merging the server's flags
 * three-way, bodies arriving, and forgetting what the server expunged.
 * (Re-keying after UIDVALIDITY changes and placeholders: store-client-rekey.c.) */
#include "store-client-private.h"
#include "store-keywords.h"
#include "store-parsed.h"
#include "store-remove.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>
#include <time.h>

static int uid_cached(struct store *s, int64_t mailbox_id, uint32_t uid, bool *yes_r)
{
	int64_t v;

	return store_client_query_int(s, &v, yes_r,
				      "SELECT 1 FROM messages WHERE mailbox_id = ?1 AND uid = ?2",
				      "ii", mailbox_id, (int64_t)uid);
}

struct add_totals {
	int64_t unseen, deleted, bytes, count;
	uint32_t max_uid;
};

static int add_one(struct store *s, int64_t mailbox_id, const struct store_client_new *m,
		   const struct store_parsed *p, const char *file_name, uint64_t modseq,
		   int64_t now, struct add_totals *t)
{
	struct store_keyword_list kw;
	struct store_new_message nm = {.msg = p,
				       .flags = m->flags & STORE_FLAGS_ALL,
				       .internaldate = m->internaldate,
				       .tz_offset = m->tz_offset};
	char *joined;
	int64_t cid = 0;
	int ret;

	store_keywords_split(m->keywords ? m->keywords : "", &kw);
	nm.keywords = (const char *const *)kw.items;
	nm.keyword_count = kw.count;
	joined = store_keywords_join(nm.keywords, nm.keyword_count);
	ret = store_append_row(s, mailbox_id, &nm, file_name, m->uid, modseq, now);
	if (ret == STORE_OK)
		ret = store_client_counter_next(s, "client_next_cid", 1, &cid);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE messages SET size = ?3 WHERE mailbox_id = ?1 AND uid = ?2",
			"iii", mailbox_id, (int64_t)m->uid, (int64_t)m->size);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s,
			"INSERT INTO client_messages(mailbox_id, uid, cid, base_flags, "
			"base_keywords,"
			" remote_modseq, has_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			"iiiitii", mailbox_id, (int64_t)m->uid, cid, (int64_t)nm.flags, joined,
			(int64_t)m->modseq, (int64_t)m->whole);
	if (ret == STORE_OK) {
		t->count++;
		t->bytes += (int64_t)m->size;
		t->unseen += (nm.flags & STORE_FLAG_SEEN) == 0;
		t->deleted += (nm.flags & STORE_FLAG_DELETED) != 0;
		if (m->uid > t->max_uid)
			t->max_uid = m->uid;
	}
	free(joined);
	store_keyword_list_free(&kw);
	return ret;
}

struct add_batch {
	const struct store_client_new *msgs;
	size_t n;
	struct store_parsed **parsed;
	char (*names)[33];
	bool *whole; /* has a file of its own */
	bool *used;  /* a row took it */
};

static int add_locked(struct store *s, int64_t mailbox_id, const struct add_batch *b)
{
	struct add_totals t = {0, 0, 0, 0, 0};
	int64_t now = (int64_t)time(NULL);
	uint64_t modseq;
	int ret = store_mailbox_next_modseq(s, mailbox_id, &modseq);

	for (size_t i = 0; i < b->n && ret == STORE_OK; i++) {
		const struct store_client_new *m = &b->msgs[i];
		bool cached;

		if (m->uid == 0 || m->uid >= STORE_CLIENT_PLACEHOLDER_MIN)
			continue;
		ret = uid_cached(s, mailbox_id, m->uid, &cached);
		if (ret != STORE_OK || cached)
			continue;
		ret = add_one(s, mailbox_id, m, b->parsed[i], b->names[i], modseq, now, &t);
		b->used[i] = ret == STORE_OK;
	}
	if (ret == STORE_OK && t.count > 0)
		ret = store_mailbox_adjust(s, mailbox_id, t.count, t.unseen, t.deleted, t.bytes);
	if (ret == STORE_OK && t.count > 0)
		ret = store_quota_charge(s, t.bytes, t.count);
	if (ret == STORE_OK && t.count > 0)
		ret = store_client_exec(
			s, "UPDATE mailboxes SET uidnext = max(uidnext, ?2) WHERE id = ?1", "ii",
			mailbox_id, (int64_t)t.max_uid + 1);
	return ret;
}

/* Whole messages get durable files (CRLF line ends, as parsed) before the
 * transaction, in store.h's write order; stubs get a name and no file. */
static int write_files(struct store *s, const struct add_batch *b)
{
	struct store_msgfile_data *files = xcalloc(b->n, sizeof(*files));
	size_t *idx = xcalloc(b->n, sizeof(*idx));
	char(*written)[33] = xcalloc(b->n, sizeof(*written));
	size_t nwhole = 0;
	int ret = STORE_OK;

	for (size_t i = 0; i < b->n; i++) {
		store_client_stub_name(b->names[i]);
		if (!b->whole[i])
			continue;
		files[nwhole].data = b->parsed[i]->data;
		files[nwhole].len = b->parsed[i]->size;
		files[nwhole].mtime = b->msgs[i].internaldate;
		idx[nwhole++] = i;
	}
	if (nwhole > 0)
		ret = store_msgfile_write(s, files, nwhole, written);
	for (size_t k = 0; ret == STORE_OK && k < nwhole; k++)
		memcpy(b->names[idx[k]], written[k], 33);
	free(written);
	free(idx);
	free(files);
	return ret;
}

static void batch_init(struct add_batch *b, const struct store_client_new *msgs, size_t n)
{
	b->msgs = msgs;
	b->n = n;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	b->parsed = xcalloc(n, sizeof(*b->parsed));
	b->names = xcalloc(n, sizeof(*b->names));
	b->whole = xcalloc(n, sizeof(*b->whole));
	b->used = xcalloc(n, sizeof(*b->used));
	for (size_t i = 0; i < n; i++) {
		/* A message with none of the fetched header fields still needs
		 * the blank line that ends a header. */
		b->parsed[i] = msgs[i].len > 0 ? store_parsed_new(msgs[i].data, msgs[i].len)
					       : store_parsed_new("\r\n", 2);
		b->whole[i] = msgs[i].whole && msgs[i].len > 0;
	}
}

static void batch_free(struct add_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		store_parsed_free(&b->parsed[i]);
	free(b->parsed);
	free(b->names);
	free(b->whole);
	free(b->used);
}

int store_client_add(struct store *s, int64_t mailbox_id, const struct store_client_new *msgs,
		     size_t n, size_t *added_r)
{
	struct add_batch b;
	size_t added = 0;
	int ret;

	if (added_r != NULL)
		*added_r = 0;
	if (n == 0)
		return STORE_OK;
	batch_init(&b, msgs, n);
	ret = write_files(s, &b);
	if (ret == STORE_OK)
		ret = store_tx_begin(s);
	if (ret == STORE_OK) {
		ret = add_locked(s, mailbox_id, &b);
		if (ret == STORE_OK)
			ret = store_tx_commit(s);
		else
			store_tx_rollback(s);
	}
	/* Files that no row took (already cached, or the transaction failed)
	 * are garbage now. */
	for (size_t i = 0; i < n; i++) {
		if (ret == STORE_OK && b.used[i])
			added++;
		else if (b.whole[i])
			store_msgfile_unlink(s, b.names[i]);
	}
	if (added_r != NULL && ret == STORE_OK)
		*added_r = added;
	batch_free(&b);
	return ret;
}

/* ---- reading ---- */

void store_client_msg_clear(struct store_client_msg *m)
{
	free(m->keywords);
	free(m->base_keywords);
	memset(m, 0, sizeof(*m));
}

#define MSG_SELECT                                                                                 \
	"SELECT c.cid, c.mailbox_id, c.uid, m.flags, m.keywords, c.base_flags, c.base_keywords,"   \
	" c.remote_modseq, m.size, m.internaldate, c.has_body, c.pending, m.file_id"               \
	" FROM client_messages c JOIN messages m ON m.mailbox_id = c.mailbox_id AND m.uid = c.uid"

static int msg_query(struct store *s, const char *sql, int64_t a, int64_t b,
		     struct store_client_msg *m_r)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "read message");
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(m_r, 0, sizeof(*m_r));
		m_r->cid = sqlite3_column_int64(st, 0);
		m_r->mailbox_id = sqlite3_column_int64(st, 1);
		m_r->uid = (uint32_t)sqlite3_column_int64(st, 2);
		m_r->flags = (unsigned)sqlite3_column_int(st, 3);
		m_r->keywords = xstrdup((const char *)sqlite3_column_text(st, 4));
		m_r->base_flags = (unsigned)sqlite3_column_int(st, 5);
		m_r->base_keywords = xstrdup((const char *)sqlite3_column_text(st, 6));
		m_r->remote_modseq = (uint64_t)sqlite3_column_int64(st, 7);
		m_r->size = (uint64_t)sqlite3_column_int64(st, 8);
		m_r->internaldate = sqlite3_column_int64(st, 9);
		m_r->has_body = sqlite3_column_int(st, 10) != 0;
		m_r->pending = sqlite3_column_int(st, 11) != 0;
		m_r->file_id = sqlite3_column_int64(st, 12);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return store_fail(s, STORE_ERR_NONEXISTENT, "no such message");
	return rc == SQLITE_ROW ? STORE_OK : store_sql_error(s, rc, "read message");
}

int store_client_msg_by_cid(struct store *s, int64_t cid, struct store_client_msg *m_r)
{
	return msg_query(s, MSG_SELECT " WHERE c.cid = ?1 AND ?2 = 0", cid, 0, m_r);
}

int store_client_msg_get(struct store *s, int64_t mailbox_id, uint32_t uid,
			 struct store_client_msg *m_r)
{
	return msg_query(s, MSG_SELECT " WHERE c.mailbox_id = ?1 AND c.uid = ?2", mailbox_id, uid,
			 m_r);
}

static int collect_uids(struct store *s, const char *sql, int64_t mailbox_id, int64_t since,
			struct rangeset *uids_r)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "list cached messages");
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, STORE_CLIENT_PLACEHOLDER_MIN);
	sqlite3_bind_int64(st, 3, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rangeset_add(uids_r, (uint32_t)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "list cached messages");
}

int store_client_uids(struct store *s, int64_t mailbox_id, struct rangeset *uids_r)
{
	return collect_uids(s,
			    "SELECT uid FROM client_messages WHERE mailbox_id = ?1 AND uid < ?2"
			    " AND ?3 = 0 ORDER BY uid",
			    mailbox_id, 0, uids_r);
}

int store_client_stubs(struct store *s, int64_t mailbox_id, int64_t since, struct rangeset *uids_r)
{
	return collect_uids(s,
			    "SELECT c.uid FROM client_messages c JOIN messages m"
			    " ON m.mailbox_id = c.mailbox_id AND m.uid = c.uid"
			    " WHERE c.mailbox_id = ?1 AND c.uid < ?2 AND c.has_body = 0"
			    " AND m.internaldate >= ?3 ORDER BY c.uid",
			    mailbox_id, since, uids_r);
}

/* ---- the three-way flag merge ---- */

static bool kw_has(const struct store_keyword_list *l, const char *k)
{
	for (size_t i = 0; i < l->count; i++)
		if (str_casecmp(l->items[i], k) == 0)
			return true;
	return false;
}

/* Per keyword: the local value when it differs from the base, else the
 * remote one. Returns the joined result (caller frees). */
static char *merge_keywords(const char *local, const char *base, const char *remote)
{
	struct store_keyword_list l, b, r;
	const char **out;
	size_t n = 0;
	char *joined;

	store_keywords_split(local, &l);
	store_keywords_split(base, &b);
	store_keywords_split(remote, &r);
	out = xcalloc(l.count + b.count + r.count + 1, sizeof(*out));
	for (int pass = 0; pass < 3; pass++) {
		const struct store_keyword_list *src = pass == 0 ? &l : pass == 1 ? &b : &r;

		for (size_t i = 0; i < src->count; i++) {
			const char *k = src->items[i];
			bool in_l = kw_has(&l, k), in_b = kw_has(&b, k), in_r = kw_has(&r, k);

			if (in_l != in_b ? in_l : in_r)
				out[n++] = k;
		}
	}
	joined = store_keywords_join(out, n); /* de-duplicates */
	free(out);
	store_keyword_list_free(&l);
	store_keyword_list_free(&b);
	store_keyword_list_free(&r);
	return joined;
}

static char *normalize_keywords(const char *kw)
{
	struct store_keyword_list l;
	char *joined;

	store_keywords_split(kw ? kw : "", &l);
	joined = store_keywords_join((const char *const *)l.items, l.count);
	store_keyword_list_free(&l);
	return joined;
}

static int merge_one(struct store *s, int64_t mailbox_id, const struct store_client_flags *v,
		     uint64_t *modseq, size_t *changed)
{
	struct store_client_msg m = {0};
	char *remote_kw, *kw;
	unsigned mask, flags;
	int ret = store_client_msg_get(s, mailbox_id, v->uid, &m);

	if (ret == STORE_ERR_NONEXISTENT)
		return STORE_OK; /* not cached (yet): the header sync adds it */
	if (ret != STORE_OK)
		return ret;
	remote_kw = normalize_keywords(v->keywords);
	mask = m.flags ^ m.base_flags;
	flags = ((v->flags & STORE_FLAGS_ALL) & ~mask) | (m.flags & mask);
	kw = merge_keywords(m.keywords, m.base_keywords, remote_kw);
	if (flags != m.flags || strcmp(kw, m.keywords) != 0) {
		if (*modseq == 0)
			ret = store_mailbox_next_modseq(s, mailbox_id, modseq);
		if (ret == STORE_OK)
			ret = store_client_exec(
				s,
				"UPDATE messages SET flags = ?3, keywords = ?4, modseq = ?5"
				" WHERE mailbox_id = ?1 AND uid = ?2",
				"iiiti", mailbox_id, (int64_t)v->uid, (int64_t)flags, kw,
				(int64_t)*modseq);
		if (ret == STORE_OK)
			ret = store_keywords_register(s, mailbox_id, kw);
		if (ret == STORE_OK)
			ret = store_mailbox_adjust(s, mailbox_id, 0,
						   (int64_t)((m.flags & STORE_FLAG_SEEN) != 0) -
							   ((flags & STORE_FLAG_SEEN) != 0),
						   (int64_t)((flags & STORE_FLAG_DELETED) != 0) -
							   ((m.flags & STORE_FLAG_DELETED) != 0),
						   0);
		(*changed)++;
	}
	if (ret == STORE_OK)
		ret = store_client_exec(
			s,
			"UPDATE client_messages SET base_flags = ?3, base_keywords = ?4,"
			" remote_modseq = max(remote_modseq, ?5)"
			" WHERE mailbox_id = ?1 AND uid = ?2",
			"iiiti", mailbox_id, (int64_t)v->uid, (int64_t)(v->flags & STORE_FLAGS_ALL),
			remote_kw, (int64_t)v->modseq);
	free(kw);
	free(remote_kw);
	store_client_msg_clear(&m);
	return ret;
}

int store_client_merge_flags(struct store *s, int64_t mailbox_id,
			     const struct store_client_flags *v, size_t n, size_t *changed_r)
{
	uint64_t modseq = 0;
	size_t changed = 0;
	int ret;

	if (n == 0) {
		if (changed_r != NULL)
			*changed_r = 0;
		return STORE_OK;
	}
	ret = store_tx_begin(s);
	for (size_t i = 0; i < n && ret == STORE_OK; i++)
		ret = merge_one(s, mailbox_id, &v[i], &modseq, &changed);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (changed_r != NULL)
		*changed_r = ret == STORE_OK ? changed : 0;
	return ret;
}

/* ---- removal and bodies ---- */

int store_client_remove(struct store *s, int64_t mailbox_id, const struct rangeset *uids)
{
	struct store_removal r = {NULL, 0, 0};
	struct store_unlink_list unlink = {NULL, 0, 0};
	struct rangeset real = RANGESET_INIT;
	int ret;

	rangeset_copy(&real, uids);
	rangeset_clip(&real, STORE_CLIENT_PLACEHOLDER_MIN - 1);
	if (rangeset_is_empty(&real)) {
		rangeset_free(&real);
		return STORE_OK;
	}
	ret = store_tx_begin(s);
	if (ret == STORE_OK)
		ret = store_removal_collect(s, mailbox_id, &real, false, &r);
	if (ret == STORE_OK)
		ret = store_removal_apply(s, mailbox_id, &r, false, &unlink);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (ret == STORE_OK)
		store_unlink_list_run(s, &unlink);
	else
		store_unlink_list_free(&unlink);
	store_removal_free(&r);
	rangeset_free(&real);
	return ret;
}

static int set_body_locked(struct store *s, const struct store_client_msg *m,
			   const struct store_parsed *p, const char *name,
			   struct store_unlink_list *unlink)
{
	int64_t file_id = 0;
	int ret = store_append_file_row(s, p, name, &file_id);

	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE messages SET file_id = ?3 WHERE mailbox_id = ?1 AND uid = ?2",
			"iii", m->mailbox_id, (int64_t)m->uid, file_id);
	/* The stub's row goes; its name is in the unlink list, where a missing
	 * file is no error. */
	if (ret == STORE_OK)
		ret = store_file_release(s, m->file_id, unlink);
	if (ret == STORE_OK)
		ret = store_client_exec(s,
					"UPDATE client_messages SET has_body = 1"
					" WHERE mailbox_id = ?1 AND uid = ?2",
					"ii", m->mailbox_id, (int64_t)m->uid);
	return ret;
}

/* One body of a batch, ready to be written. */
struct body_job {
	struct store_client_msg m;
	struct store_parsed *p;
};

/* The rows of a batch whose files are written: one transaction. */
static int set_bodies_rows(struct store *s, struct body_job *jobs, size_t k, char (*names)[33])
{
	struct store_unlink_list unlink = {NULL, 0, 0};
	int ret = store_tx_begin(s);

	if (ret == STORE_OK) {
		for (size_t j = 0; j < k && ret == STORE_OK; j++)
			ret = set_body_locked(s, &jobs[j].m, jobs[j].p, names[j], &unlink);
		if (ret == STORE_OK)
			ret = store_tx_commit(s);
		else
			store_tx_rollback(s);
	}
	if (ret == STORE_OK) {
		store_unlink_list_run(s, &unlink);
	} else {
		store_unlink_list_free(&unlink);
		for (size_t j = 0; j < k; j++)
			store_msgfile_unlink(s, names[j]);
	}
	return ret;
}

/* Is uid already among the first k jobs? (k is bounded by the batch.) */
static bool job_has(const struct body_job *jobs, size_t k, uint32_t uid)
{
	for (size_t j = 0; j < k; j++)
		if (jobs[j].m.uid == uid)
			return true;
	return false;
}

int store_client_set_bodies(struct store *s, int64_t mailbox_id, const struct store_client_body *b,
			    size_t n)
{
	struct body_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	struct store_msgfile_data *files = xcalloc(n ? n : 1, sizeof(*files));
	char(*names)[33] = xcalloc(n ? n : 1, sizeof(*names));
	size_t k = 0;
	int ret = STORE_OK;

	for (size_t i = 0; i < n && ret == STORE_OK; i++) {
		struct store_client_msg m = {0};

		ret = store_client_msg_get(s, mailbox_id, b[i].uid, &m);
		if (ret != STORE_OK || m.has_body || b[i].len == 0 || job_has(jobs, k, m.uid)) {
			store_client_msg_clear(&m);
			continue;
		}
		jobs[k].m = m;
		jobs[k].p = store_parsed_new(b[i].data, b[i].len);
		/* CRLF line ends, as every store file has */
		files[k] = (struct store_msgfile_data){jobs[k].p->data, jobs[k].p->size,
						       m.internaldate};
		k++;
	}
	if (ret == STORE_OK && k > 0)
		ret = store_msgfile_write(s, files, k, names);
	if (ret == STORE_OK && k > 0)
		ret = set_bodies_rows(s, jobs, k, names);
	for (size_t j = 0; j < k; j++) {
		store_parsed_free(&jobs[j].p);
		store_client_msg_clear(&jobs[j].m);
	}
	free(names);
	free(files);
	free(jobs);
	return ret;
}

int store_client_set_body(struct store *s, int64_t mailbox_id, uint32_t uid, const void *data,
			  size_t len)
{
	struct store_client_body b = {uid, data, len};

	return store_client_set_bodies(s, mailbox_id, &b, 1);
}
