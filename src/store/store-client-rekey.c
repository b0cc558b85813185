/* store-client-rekey.c — giving cached messages new UIDs: a local-only
 * message confirmed by the server, and a whole mailbox after its
 * UIDVALIDITY changed, with the journal entries that name them. */
#include "store-client-private.h"
#include "store-remove.h"
#include "lib/mem.h"

#include <string.h>

/* Inside a transaction: forget messages (no tombstones: the cache keeps
 * none), files unlinked by the caller after commit. */
static int drop_rows(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		     struct store_unlink_list *unlink)
{
	struct store_removal r = {NULL, 0, 0};
	int ret = store_removal_collect(s, mailbox_id, uids, false, &r);

	if (ret == STORE_OK)
		ret = store_removal_apply(s, mailbox_id, &r, false, unlink);
	store_removal_free(&r);
	return ret;
}

static int finish_tx(struct store *s, int ret, struct store_unlink_list *unlink)
{
	if (ret == STORE_OK)
		ret = store_tx_commit(s);
	else
		store_tx_rollback(s);
	if (ret == STORE_OK)
		store_unlink_list_run(s, unlink);
	else
		store_unlink_list_free(unlink);
	return ret;
}

/* A mailbox not synced yet takes the UIDVALIDITY the server just gave. */
static int adopt_uidvalidity(struct store *s, int64_t mailbox_id, uint32_t uidvalidity)
{
	uint32_t known;
	int ret = store_client_folder_uidvalidity(s, mailbox_id, &known);

	if (ret != STORE_OK || known != 0 || uidvalidity == 0)
		return ret;
	ret = store_client_exec(s, "UPDATE mailboxes SET uidvalidity = ?2 WHERE id = ?1", "ii",
				mailbox_id, (int64_t)uidvalidity);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s,
			"INSERT INTO client_folders(mailbox_id, uidvalidity) VALUES (?1, ?2)"
			" ON CONFLICT(mailbox_id) DO UPDATE SET uidvalidity = excluded.uidvalidity",
			"ii", mailbox_id, (int64_t)uidvalidity);
	return ret;
}

static int confirm_locked(struct store *s, int64_t mailbox_id, uint32_t placeholder,
			  uint32_t new_uid, uint64_t modseq, bool base_from_local,
			  struct store_unlink_list *unlink)
{
	struct rangeset dup = RANGESET_INIT;
	uint32_t uidvalidity;
	bool here;
	int64_t v;
	int ret;

	/* A sync that ran first may have cached the same message under its
	 * real UID; the local row (with its body and its cid) wins. When the
	 * row has moved on (a later offline move), only the journal follows. */
	ret = store_client_query_int(s, &v, &here,
				     "SELECT 1 FROM messages WHERE mailbox_id = ?1 AND uid = ?2",
				     "ii", mailbox_id, (int64_t)placeholder);
	rangeset_add(&dup, new_uid);
	if (ret == STORE_OK && here)
		ret = drop_rows(s, mailbox_id, &dup, unlink);
	rangeset_free(&dup);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE messages SET uid = ?3 WHERE mailbox_id = ?1 AND uid = ?2", "iii",
			mailbox_id, (int64_t)placeholder, (int64_t)new_uid);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s,
			"UPDATE client_messages SET uid = ?3, pending = 0, remote_modseq = ?4,"
			" base_flags = CASE WHEN ?5 THEN (SELECT flags FROM messages m WHERE"
			"  m.mailbox_id = ?1 AND m.uid = ?3) ELSE base_flags END,"
			" base_keywords = CASE WHEN ?5 THEN (SELECT keywords FROM messages m WHERE"
			"  m.mailbox_id = ?1 AND m.uid = ?3) ELSE base_keywords END"
			" WHERE mailbox_id = ?1 AND uid = ?2",
			"iiiii", mailbox_id, (int64_t)placeholder, (int64_t)new_uid,
			(int64_t)modseq, (int64_t)base_from_local);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE mailboxes SET uidnext = max(uidnext, ?2 + 1) WHERE id = ?1",
			"ii", mailbox_id, (int64_t)new_uid);
	if (ret == STORE_OK)
		ret = store_client_folder_uidvalidity(s, mailbox_id, &uidvalidity);
	/* Placeholders are unique across mailboxes, so the UID alone finds
	 * every entry that names this message. */
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE client_journal SET uid = ?2, uidvalidity = ?3 WHERE uid = ?1",
			"iii", (int64_t)placeholder, (int64_t)new_uid, (int64_t)uidvalidity);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE client_journal SET target_uid = ?2 WHERE target_uid = ?1", "ii",
			(int64_t)placeholder, (int64_t)new_uid);
	return ret;
}

int store_client_confirm(struct store *s, int64_t mailbox_id, uint32_t placeholder,
			 uint32_t new_uid, uint32_t uidvalidity, uint64_t modseq,
			 bool base_from_local)
{
	struct store_unlink_list unlink = {NULL, 0, 0};
	int ret;

	if (placeholder < STORE_CLIENT_PLACEHOLDER_MIN || new_uid == 0 ||
	    new_uid >= STORE_CLIENT_PLACEHOLDER_MIN)
		return store_fail(s, STORE_ERR_INVALID, "cannot confirm UID %u as %u", placeholder,
				  new_uid);
	ret = store_tx_begin(s);
	if (ret != STORE_OK)
		return ret;
	ret = adopt_uidvalidity(s, mailbox_id, uidvalidity);
	if (ret == STORE_OK)
		ret = confirm_locked(s, mailbox_id, placeholder, new_uid, modseq, base_from_local,
				     &unlink);
	return finish_tx(s, ret, &unlink);
}

/* ---- UIDVALIDITY changes ---- */

static int mailbox_name(struct store *s, int64_t mailbox_id, char **name_r)
{
	struct store_mailbox mb = {0};
	int ret = store_mailbox_get_by_id(s, mailbox_id, &mb);

	if (ret == STORE_OK) {
		*name_r = mb.name;
		mb.name = NULL;
	}
	store_mailbox_clear(&mb);
	return ret;
}

/* New UIDs may collide with old ones not yet renumbered, so every matched
 * row first goes to -new (renumber_out), then all negative UIDs flip
 * (renumber_in). */
static int renumber_out(struct store *s, int64_t mailbox_id, const char *name,
			const uint32_t *old_uids, const uint32_t *new_uids, size_t n)
{
	int ret = STORE_OK;

	for (size_t i = 0; i < n && ret == STORE_OK; i++) {
		int64_t from = old_uids[i], to = -(int64_t)new_uids[i];

		ret = store_client_exec(
			s, "UPDATE messages SET uid = ?3 WHERE mailbox_id = ?1 AND uid = ?2", "iii",
			mailbox_id, from, to);
		if (ret == STORE_OK)
			ret = store_client_exec(s,
						"UPDATE client_messages SET uid = ?3"
						" WHERE mailbox_id = ?1 AND uid = ?2",
						"iii", mailbox_id, from, to);
		if (ret == STORE_OK)
			ret = store_client_exec(
				s,
				"UPDATE client_journal SET uid = ?3 WHERE mailbox = ?1"
				" AND uid = ?2",
				"tii", name, from, to);
	}
	return ret;
}

static int renumber_in(struct store *s, int64_t mailbox_id, const char *name)
{
	int ret = store_client_exec(
		s, "UPDATE messages SET uid = -uid WHERE mailbox_id = ?1 AND uid < 0", "i",
		mailbox_id);

	if (ret == STORE_OK)
		ret = store_client_exec(s,
					"UPDATE client_messages SET uid = -uid, remote_modseq = 0"
					" WHERE mailbox_id = ?1 AND uid < 0",
					"i", mailbox_id);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE client_journal SET uid = -uid WHERE mailbox = ?1 AND uid < 0",
			"t", name);
	return ret;
}

/* Between the two renumbering steps, an entry that still names a real
 * (positive, not placeholder) UID names a message the server no longer
 * has under any UID we could match: its message is gone, so the entry is
 * dropped (the server's deletion wins, docs/client.md). */
static int drop_unmatched_entries(struct store *s, const char *name, size_t *dropped)
{
	int ret = store_client_exec(s,
				    "DELETE FROM client_journal WHERE mailbox = ?1 AND uid > 0"
				    " AND uid < ?2",
				    "ti", name, (int64_t)STORE_CLIENT_PLACEHOLDER_MIN);

	if (ret == STORE_OK)
		*dropped += (size_t)sqlite3_changes(s->db);
	return ret;
}

static int reset_locked(struct store *s, int64_t mailbox_id, uint32_t uidvalidity,
			const uint32_t *old_uids, const uint32_t *new_uids, size_t n,
			size_t *dropped, struct store_unlink_list *unlink)
{
	struct rangeset gone = RANGESET_INIT, matched = RANGESET_INIT;
	uint32_t max_new = 0;
	char *name = NULL;
	int ret = mailbox_name(s, mailbox_id, &name);

	if (ret == STORE_OK)
		ret = store_client_uids(s, mailbox_id, &gone);
	for (size_t i = 0; i < n; i++) {
		rangeset_add(&matched, old_uids[i]);
		if (new_uids[i] > max_new)
			max_new = new_uids[i];
	}
	rangeset_subtract(&gone, &matched);
	if (ret == STORE_OK && !rangeset_is_empty(&gone))
		ret = drop_rows(s, mailbox_id, &gone, unlink);
	if (ret == STORE_OK)
		ret = renumber_out(s, mailbox_id, name, old_uids, new_uids, n);
	if (ret == STORE_OK)
		ret = drop_unmatched_entries(s, name, dropped);
	if (ret == STORE_OK)
		ret = renumber_in(s, mailbox_id, name);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE client_journal SET uidvalidity = ?2 WHERE mailbox = ?1", "ti",
			name, (int64_t)uidvalidity);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s, "UPDATE mailboxes SET uidvalidity = ?2, uidnext = ?3 WHERE id = ?1",
			"iii", mailbox_id, (int64_t)uidvalidity, (int64_t)max_new + 1);
	if (ret == STORE_OK)
		ret = store_client_exec(
			s,
			"INSERT INTO client_folders(mailbox_id, uidvalidity) VALUES (?1, ?2)"
			" ON CONFLICT(mailbox_id) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
			" uidnext = 0, highestmodseq = 0",
			"ii", mailbox_id, (int64_t)uidvalidity);
	free(name);
	rangeset_free(&gone);
	rangeset_free(&matched);
	return ret;
}

int store_client_reset(struct store *s, int64_t mailbox_id, uint32_t uidvalidity,
		       const uint32_t *old_uids, const uint32_t *new_uids, size_t n,
		       size_t *dropped_r)
{
	struct store_unlink_list unlink = {NULL, 0, 0};
	size_t dropped = 0;
	int ret;

	for (size_t i = 0; i < n; i++)
		if (old_uids[i] == 0 || old_uids[i] >= STORE_CLIENT_PLACEHOLDER_MIN ||
		    new_uids[i] == 0 || new_uids[i] >= STORE_CLIENT_PLACEHOLDER_MIN)
			return store_fail(s, STORE_ERR_INVALID, "cannot re-key UID %u as %u",
					  old_uids[i], new_uids[i]);
	ret = store_tx_begin(s);
	if (ret != STORE_OK)
		return ret;
	ret = reset_locked(s, mailbox_id, uidvalidity, old_uids, new_uids, n, &dropped, &unlink);
	ret = finish_tx(s, ret, &unlink);
	if (dropped_r != NULL)
		*dropped_r = ret == STORE_OK ? dropped : 0;
	return ret;
}

int store_client_idents(struct store *s, int64_t mailbox_id, store_client_ident_cb *cb, void *ctx)
{
	sqlite3_stmt *st;
	int rc, ret = STORE_OK;

	rc = sqlite3_prepare_v2(s->db,
				"SELECT m.uid, f.message_id, m.size FROM messages m"
				" JOIN files f ON f.id = m.file_id"
				" WHERE m.mailbox_id = ?1 AND m.uid < ?2 ORDER BY m.uid",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "list message ids");
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, STORE_CLIENT_PLACEHOLDER_MIN);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = cb(ctx, (uint32_t)sqlite3_column_int64(st, 0),
			 (const char *)sqlite3_column_text(st, 1),
			 (uint64_t)sqlite3_column_int64(st, 2));
		if (ret != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_sql_error(s, rc, "list message ids");
	sqlite3_finalize(st);
	return ret;
}

int store_client_find_msgid(struct store *s, int64_t mailbox_id, const char *message_id,
			    uint32_t *uid_r)
{
	int64_t v;
	int ret = store_client_query_int(
		s, &v, NULL,
		"SELECT m.uid FROM messages m JOIN files f ON f.id = m.file_id"
		" WHERE m.mailbox_id = ?1 AND f.message_id = ?2 AND m.uid < ?3"
		" ORDER BY m.uid LIMIT 1",
		"iti", mailbox_id, message_id, (int64_t)STORE_CLIENT_PLACEHOLDER_MIN);

	*uid_r = (uint32_t)v;
	return ret;
}
