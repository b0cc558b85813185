/* store-client-local.c — changes the user makes in the client cache: each
 * applied to the cache and journalled for the server in one transaction
 * (folder operations: journalled first, see store-client-journal.c). */
#include "store-client-private.h"
#include "store-keywords.h"
#include "store-parsed.h"
#include "store-remove.h"
#include "lib/mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int mailbox_by_id(struct store *s, int64_t id, struct store_mailbox *mb_r)
{
	return store_mailbox_get_by_id(s, id, mb_r);
}

/* "<message-id> size" of a cached message, NULL when it has no Message-ID. */
static int message_ident(struct store *s, const struct store_client_msg *m, char **ident_r)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT message_id FROM files WHERE id = ?1", -1, &st,
				    NULL);

	*ident_r = NULL;
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "read message id");
	sqlite3_bind_int64(st, 1, m->file_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		size_t n = strlen(id) + 24;

		*ident_r = xmalloc(n);
		snprintf(*ident_r, n, "%s %llu", id, (unsigned long long)m->size);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK
						     : store_sql_error(s, rc, "read message id");
}

/* Keywords after +add -remove (space-separated lists). */
static char *apply_keywords(const char *cur, const char *add, const char *remove)
{
	struct store_keyword_list a, r;
	char *k1, *k2;

	store_keywords_split(add ? add : "", &a);
	store_keywords_split(remove ? remove : "", &r);
	k1 = store_keywords_apply(cur, STORE_FLAGS_ADD, (const char *const *)a.items, a.count);
	k2 = store_keywords_apply(k1, STORE_FLAGS_REMOVE, (const char *const *)r.items, r.count);
	free(k1);
	store_keyword_list_free(&a);
	store_keyword_list_free(&r);
	return k2;
}

static int write_local_flags(struct store *s, const struct store_client_msg *m, unsigned flags,
			     const char *kw)
{
	uint64_t modseq;
	int ret = store_mailbox_next_modseq(s, m->mailbox_id, &modseq);

	if (ret == STORE_OK)
		ret = store_client_exec(s,
					"UPDATE messages SET flags = ?3, keywords = ?4, modseq = ?5"
					" WHERE mailbox_id = ?1 AND uid = ?2",
					"iiiti", m->mailbox_id, (int64_t)m->uid, (int64_t)flags, kw,
					(int64_t)modseq);
	if (ret == STORE_OK)
		ret = store_keywords_register(s, m->mailbox_id, kw);
	if (ret == STORE_OK)
		ret = store_mailbox_adjust(s, m->mailbox_id, 0,
					   (int64_t)((m->flags & STORE_FLAG_SEEN) != 0) -
						   ((flags & STORE_FLAG_SEEN) != 0),
					   (int64_t)((flags & STORE_FLAG_DELETED) != 0) -
						   ((m->flags & STORE_FLAG_DELETED) != 0),
					   0);
	return ret;
}

static int flags_locked(struct store *s, const struct store_client_msg *m, unsigned add,
			unsigned remove, const char *kw_add, const char *kw_remove, bool journal)
{
	unsigned flags = (m->flags | add) & ~remove & STORE_FLAGS_ALL;
	unsigned base = (m->base_flags | add) & ~remove & STORE_FLAGS_ALL;
	char *kw = apply_keywords(m->keywords, kw_add, kw_remove);
	char *base_kw = apply_keywords(m->base_keywords, kw_add, kw_remove);
	bool local_changes = flags != m->flags || strcmp(kw, m->keywords) != 0;
	bool server_changes = base != m->base_flags || strcmp(base_kw, m->base_keywords) != 0;
	int ret = STORE_OK;

	if (local_changes)
		ret = write_local_flags(s, m, flags, kw);
	if (ret == STORE_OK && !journal && server_changes)
		ret = store_client_exec(
			s,
			"UPDATE client_messages SET base_flags = ?2, base_keywords = ?3"
			" WHERE cid = ?1",
			"iit", m->cid, (int64_t)base, base_kw);
	/* Journalled when it changes the local view: setting \Seen twice
	 * queues one entry. (A local view that differs from the base always
	 * has an entry queued, so nothing is lost by this test.) */
	if (ret == STORE_OK && journal && local_changes) {
		struct store_mailbox mb = {0};
		struct store_journal_entry e = {.kind = STORE_JOURNAL_FLAGS,
						.uid = m->uid,
						.cid = m->cid,
						.flags_add = add & STORE_FLAGS_ALL,
						.flags_remove = remove & STORE_FLAGS_ALL,
						.kw_add = kw_add,
						.kw_remove = kw_remove};

		char *ident = NULL;

		ret = mailbox_by_id(s, m->mailbox_id, &mb);
		if (ret == STORE_OK)
			ret = store_client_folder_uidvalidity(s, m->mailbox_id, &e.uidvalidity);
		if (ret == STORE_OK)
			ret = message_ident(s, m, &ident);
		e.mailbox = mb.name;
		e.data = ident;
		e.data_len = ident ? strlen(ident) : 0;
		if (ret == STORE_OK)
			ret = store_client_journal_insert(s, &e);
		free(ident);
		store_mailbox_clear(&mb);
	}
	free(kw);
	free(base_kw);
	return ret;
}

int store_client_local_flags(struct store *s, int64_t mailbox_id, uint32_t uid, unsigned add,
			     unsigned remove, const char *kw_add, const char *kw_remove,
			     bool journal)
{
	struct store_client_msg m = {0};
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = store_client_msg_get(s, mailbox_id, uid, &m);
	if (ret == STORE_OK)
		ret = flags_locked(s, &m, add, remove, kw_add, kw_remove, journal);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	store_client_msg_clear(&m);
	return ret;
}

/* ---- move ---- */

static int move_counters(struct store *s, const struct store_client_msg *m, int64_t dest_id)
{
	int64_t unseen = (m->flags & STORE_FLAG_SEEN) == 0;
	int64_t deleted = (m->flags & STORE_FLAG_DELETED) != 0;
	int ret = store_mailbox_adjust(s, m->mailbox_id, -1, -unseen, -deleted, -(int64_t)m->size);

	if (ret == STORE_OK)
		ret = store_mailbox_adjust(s, dest_id, 1, unseen, deleted, (int64_t)m->size);
	if (ret == STORE_OK)
		ret = store_keywords_register(s, dest_id, m->keywords);
	return ret;
}

static int move_locked(struct store *s, const struct store_client_msg *m,
		       const struct store_mailbox *src, const struct store_mailbox *dest,
		       bool journal, uint32_t *new_uid_r)
{
	uint32_t ph;
	int ret = store_client_placeholder_next(s, &ph);

	if (ret == STORE_OK)
		ret = store_client_exec(s,
					"UPDATE messages SET mailbox_id = ?3, uid = ?4"
					" WHERE mailbox_id = ?1 AND uid = ?2",
					"iiii", m->mailbox_id, (int64_t)m->uid, dest->id,
					(int64_t)ph);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s,
			"UPDATE client_messages SET mailbox_id = ?2, uid = ?3, pending = 1"
			" WHERE cid = ?1",
			"iii", m->cid, dest->id, (int64_t)ph);
	if (ret == STORE_OK)
		ret = move_counters(s, m, dest->id);
	if (ret == STORE_OK && journal) {
		struct store_journal_entry e = {.kind = STORE_JOURNAL_MOVE,
						.mailbox = src->name,
						.uid = m->uid,
						.cid = m->cid,
						.target = dest->name,
						.target_uid = ph};
		char *ident = NULL;

		ret = store_client_folder_uidvalidity(s, src->id, &e.uidvalidity);
		if (ret == STORE_OK)
			ret = message_ident(s, m, &ident);
		e.data = ident;
		e.data_len = ident ? strlen(ident) : 0;
		if (ret == STORE_OK)
			ret = store_client_journal_insert(s, &e);
		free(ident);
	}
	*new_uid_r = ph;
	return ret;
}

int store_client_local_move(struct store *s, int64_t mailbox_id, uint32_t uid, const char *dest,
			    bool journal, uint32_t *new_uid_r)
{
	struct store_mailbox src = {0}, dst = {0};
	struct store_client_msg m = {0};
	uint32_t ph = 0;
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = store_mailbox_get(s, dest, &dst);
	if (ret == STORE_OK && dst.noselect)
		ret = store_fail(s, STORE_ERR_NOSELECT, "folder %s cannot hold messages", dst.name);
	if (ret == STORE_OK && dst.id == mailbox_id)
		ret = store_fail(s, STORE_ERR_INVALID, "the message is in %s already", dst.name);
	if (ret == STORE_OK)
		ret = mailbox_by_id(s, mailbox_id, &src);
	if (ret == STORE_OK)
		ret = store_client_msg_get(s, mailbox_id, uid, &m);
	if (ret == STORE_OK)
		ret = move_locked(s, &m, &src, &dst, journal, &ph);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (new_uid_r != NULL)
		*new_uid_r = ret == STORE_OK ? ph : 0;
	store_client_msg_clear(&m);
	store_mailbox_clear(&src);
	store_mailbox_clear(&dst);
	return ret;
}

/* ---- expunge ---- */

static int expunge_locked(struct store *s, int64_t mailbox_id, uint32_t uid, bool journal,
			  struct store_unlink_list *unlink)
{
	struct store_removal r = {NULL, 0, 0};
	struct rangeset one = RANGESET_INIT;
	struct store_client_msg m = {0};
	struct store_mailbox mb = {0};
	int ret = store_client_msg_get(s, mailbox_id, uid, &m);

	if (ret == STORE_OK)
		ret = mailbox_by_id(s, mailbox_id, &mb);
	if (ret == STORE_OK && journal) {
		struct store_journal_entry e = {.kind = STORE_JOURNAL_EXPUNGE,
						.mailbox = mb.name,
						.uid = uid,
						.cid = m.cid};
		char *ident = NULL;

		/* The row goes now, so the entry keeps what identifies the
		 * message should its UID change before the replay. */
		ret = store_client_folder_uidvalidity(s, mailbox_id, &e.uidvalidity);
		if (ret == STORE_OK)
			ret = message_ident(s, &m, &ident);
		e.data = ident;
		e.data_len = ident ? strlen(ident) : 0;
		if (ret == STORE_OK)
			ret = store_client_journal_insert(s, &e);
		free(ident);
	}
	rangeset_add(&one, uid);
	if (ret == STORE_OK)
		ret = store_removal_collect(s, mailbox_id, &one, false, &r);
	if (ret == STORE_OK)
		ret = store_removal_apply(s, mailbox_id, &r, false, unlink);
	store_removal_free(&r);
	rangeset_free(&one);
	store_client_msg_clear(&m);
	store_mailbox_clear(&mb);
	return ret;
}

int store_client_local_expunge(struct store *s, int64_t mailbox_id, uint32_t uid, bool journal)
{
	struct store_unlink_list unlink = {NULL, 0, 0};
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = expunge_locked(s, mailbox_id, uid, journal, &unlink);
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (ret == STORE_OK)
		store_unlink_list_run(s, &unlink);
	else
		store_unlink_list_free(&unlink);
	return ret;
}

/* ---- append ---- */

struct local_append {
	const struct store_parsed *p;
	const char *file_name;
	unsigned flags;
	const void *envelope;
	size_t envelope_len;
	int64_t cid;
	uint32_t uid;
};

static int append_journal(struct store *s, const struct store_mailbox *mb,
			  const struct local_append *la)
{
	struct store_journal_entry e = {.mailbox = mb->name, .uid = la->uid, .cid = la->cid};
	int ret = STORE_OK;

	if (la->envelope != NULL) {
		e.kind = STORE_JOURNAL_SEND;
		e.data = la->envelope;
		e.data_len = la->envelope_len;
		ret = store_client_journal_insert(s, &e);
		e.data = NULL;
		e.data_len = 0;
	}
	e.kind = STORE_JOURNAL_APPEND;
	if (ret == STORE_OK)
		ret = store_client_journal_insert(s, &e);
	return ret;
}

static int append_locked(struct store *s, const char *mailbox, struct local_append *la)
{
	struct store_new_message nm = {.msg = la->p, .flags = la->flags & STORE_FLAGS_ALL};
	struct store_mailbox mb = {0};
	int64_t now = (int64_t)time(NULL);
	uint64_t modseq;
	int ret = store_mailbox_get(s, mailbox, &mb);

	if (ret == STORE_OK && mb.noselect)
		ret = store_fail(s, STORE_ERR_NOSELECT, "folder %s cannot hold messages", mb.name);
	if (ret == STORE_OK)
		ret = store_client_placeholder_next(s, &la->uid);
	if (ret == STORE_OK)
		ret = store_mailbox_next_modseq(s, mb.id, &modseq);
	if (ret == STORE_OK)
		ret = store_append_row(s, mb.id, &nm, la->file_name, la->uid, modseq, now);
	if (ret == STORE_OK)
		ret = store_client_counter_next(s, "client_next_cid", 1, &la->cid);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s,
			"INSERT INTO client_messages(mailbox_id, uid, cid, has_body, pending)"
			" VALUES (?1, ?2, ?3, 1, 1)",
			"iii", mb.id, (int64_t)la->uid, la->cid);
	if (ret == STORE_OK)
		ret = store_mailbox_adjust(s, mb.id, 1, (nm.flags & STORE_FLAG_SEEN) == 0,
					   (nm.flags & STORE_FLAG_DELETED) != 0,
					   (int64_t)store_parsed_size(la->p));
	if (ret == STORE_OK)
		ret = store_quota_charge(s, (int64_t)store_parsed_size(la->p), 1);
	if (ret == STORE_OK)
		ret = append_journal(s, &mb, la);
	store_mailbox_clear(&mb);
	return ret;
}

int store_client_local_append(struct store *s, const char *mailbox, const void *data, size_t len,
			      unsigned flags, const void *envelope, size_t envelope_len,
			      int64_t *cid_r, uint32_t *uid_r)
{
	struct store_parsed *p;
	struct store_msgfile_data file;
	struct local_append la = {
		.flags = flags, .envelope = envelope, .envelope_len = envelope_len};
	char name[1][33];
	int ret;

	if (len == 0)
		return store_fail(s, STORE_ERR_INVALID, "empty message");
	p = store_parsed_new(data, len);
	file.data = p->data;
	file.len = p->size;
	file.mtime = (int64_t)time(NULL);
	la.p = p;
	ret = store_msgfile_write(s, &file, 1, name);
	la.file_name = name[0];
	if (ret == STORE_OK) {
		ret = store_tx_begin(s);
		if (ret == STORE_OK) {
			ret = append_locked(s, mailbox, &la);
			if (ret == STORE_OK)
				ret = store_tx_commit(s);
			else
				store_tx_rollback(s);
		}
		if (ret != STORE_OK)
			store_msgfile_unlink(s, name[0]);
	}
	store_parsed_free(&p);
	if (cid_r != NULL)
		*cid_r = ret == STORE_OK ? la.cid : 0;
	if (uid_r != NULL)
		*uid_r = ret == STORE_OK ? la.uid : 0;
	return ret;
}

/* ---- folders ---- */

static int journal_folder_entry(struct store *s, enum store_journal_kind kind, const char *name,
				const char *target, int64_t *id_r)
{
	struct store_journal_entry e = {.kind = kind, .mailbox = name, .target = target};
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = store_client_journal_insert(s, &e);
	*id_r = sqlite3_last_insert_rowid(s->db);
	if (ret == STORE_OK)
		return store_tx_commit(s);
	store_tx_rollback(s);
	return ret;
}

static int folder_apply(struct store *s, enum store_journal_kind kind, const char *name,
			const char *target)
{
	switch (kind) {
	case STORE_JOURNAL_CREATE:
		return store_mailbox_create(s, name, 0);
	case STORE_JOURNAL_DELETE:
		return store_mailbox_delete(s, name);
	case STORE_JOURNAL_RENAME:
		return store_mailbox_rename(s, name, target);
	default:
		return store_fail(s, STORE_ERR_INVALID, "not a folder operation");
	}
}

int store_client_local_folder(struct store *s, enum store_journal_kind kind, const char *name,
			      const char *target, bool journal)
{
	char *canon = NULL, *canon_target = NULL;
	int64_t id = 0;
	int ret = store_mailbox_name_canonical(name, &canon);

	if (ret == STORE_OK && kind == STORE_JOURNAL_RENAME)
		ret = target ? store_mailbox_name_canonical(target, &canon_target)
			     : STORE_ERR_INVALID;
	if (ret != STORE_OK) {
		free(canon);
		return store_fail(s, ret, "invalid folder name");
	}
	/* The entry first: a crash before the local change still replays it,
	 * and the next sync mirrors the result back. */
	if (journal)
		ret = journal_folder_entry(s, kind, canon, canon_target, &id);
	if (ret == STORE_OK)
		ret = folder_apply(s, kind, canon, canon_target);
	if (ret != STORE_OK && id != 0) {
		char msg[sizeof(s->err)];

		memcpy(msg, s->err, sizeof(msg));
		if (store_tx_begin(s) == STORE_OK) {
			if (store_client_exec(s, "DELETE FROM client_journal WHERE id = ?1", "i",
					      id) == STORE_OK)
				store_tx_commit(s);
			else
				store_tx_rollback(s);
		}
		memcpy(s->err, msg, sizeof(msg));
	}
	free(canon);
	free(canon_target);
	return ret;
}
