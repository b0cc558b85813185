/* store-mailbox-change.c — DELETE and RENAME of mailboxes (RFC 9051 6.3.4,
 * 6.3.6): \Noselect parents, children following a rename, and the special
 * rename of INBOX. */
#include "store-remove.h"
#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

static int has_children(struct store *s, const char *canon, bool *yes_r)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MAILBOX_CHILD_EXISTS);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(s, rc, "look for children");
	*yes_r = rc == SQLITE_ROW;
	return STORE_OK;
}

/* Remove every message of a mailbox (no tombstones when the mailbox goes). */
static int empty_mailbox(struct store *s, int64_t id, bool tombstones,
			 struct store_unlink_list *unlink)
{
	struct store_removal r = {NULL, 0, 0};
	int ret = store_removal_collect(s, id, NULL, false, &r);

	if (ret == STORE_OK)
		ret = store_removal_apply(s, id, &r, tombstones, unlink);
	store_removal_free(&r);
	return ret;
}

/* Run one statement whose only parameter ?1 is a mailbox id. */
static int exec_id(struct store *s, const char *sql, int64_t id)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, sql);
}

static int drop_mailbox_row(struct store *s, int64_t id)
{
	int ret = exec_id(s, "DELETE FROM expunged WHERE mailbox_id = ?1", id);

	if (ret == STORE_OK)
		ret = exec_id(s, "DELETE FROM keywords WHERE mailbox_id = ?1", id);
	if (ret == STORE_OK)
		ret = exec_id(s, "DELETE FROM mailboxes WHERE id = ?1", id);
	return ret;
}

/* After a delete, a \Noselect ancestor left without children goes too. */
static int prune_parents(struct store *s, const char *canon)
{
	char *name = xstrdup(canon);
	int ret = STORE_OK;

	for (char *slash = strrchr(name, '/'); slash != NULL && ret == STORE_OK;
	     slash = strrchr(name, '/')) {
		struct store_mailbox mb;
		bool children;

		*slash = '\0';
		if (store_mailbox_lookup(s, name, &mb) != STORE_OK)
			break;
		ret = has_children(s, name, &children);
		if (ret == STORE_OK && mb.noselect && !children)
			ret = drop_mailbox_row(s, mb.id);
		else
			slash = NULL;
		store_mailbox_clear(&mb);
		if (slash == NULL)
			break;
	}
	free(name);
	return ret;
}

static int delete_locked(struct store *s, const char *canon, struct store_unlink_list *unlink)
{
	struct store_mailbox mb;
	bool children;
	int ret;

	if (strcmp(canon, "INBOX") == 0)
		return store_fail(s, STORE_ERR_CANNOT, "INBOX cannot be deleted");
	ret = store_mailbox_lookup(s, canon, &mb);
	if (ret != STORE_OK)
		return ret;
	ret = has_children(s, canon, &children);
	if (ret == STORE_OK && children && mb.noselect)
		ret = store_fail(s, STORE_ERR_HASCHILDREN, "%s has children", canon);
	if (ret == STORE_OK)
		ret = empty_mailbox(s, mb.id, children, unlink);
	if (ret == STORE_OK && children)
		/* RFC 9051 6.3.4: it stays as \Noselect for its children. */
		ret = exec_id(s, "UPDATE mailboxes SET noselect = 1, special_use = 0 WHERE id = ?1",
			      mb.id);
	else if (ret == STORE_OK)
		ret = drop_mailbox_row(s, mb.id);
	if (ret == STORE_OK && !children)
		ret = prune_parents(s, canon);
	store_mailbox_clear(&mb);
	return ret;
}

int store_mailbox_delete(struct store *s, const char *name)
{
	struct store_unlink_list unlink = {NULL, 0, 0};
	char *canon;
	int ret = store_mailbox_name_canonical(name, &canon);

	if (ret != STORE_OK)
		return store_fail(s, ret, "invalid mailbox name");
	ret = store_tx_begin(s);
	if (ret == STORE_OK) {
		ret = delete_locked(s, canon, &unlink);
		if (ret == STORE_OK)
			ret = store_tx_commit(s);
		else
			store_tx_rollback(s);
	}
	if (ret == STORE_OK)
		store_unlink_list_run(s, &unlink);
	else
		store_unlink_list_free(&unlink);
	free(canon);
	return ret;
}

/* Move every row of INBOX to dest, leaving a tombstone for each in INBOX. */
static int move_inbox_rows(struct store *s, const struct store_mailbox *inbox, int64_t dest_id)
{
	char sql[512];
	uint64_t modseq;
	int ret = store_mailbox_next_modseq(s, inbox->id, &modseq);

	if (ret != STORE_OK)
		return ret;
	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq)"
		 " SELECT mailbox_id, uid, %llu FROM messages WHERE mailbox_id = %lld;"
		 "INSERT OR IGNORE INTO keywords(mailbox_id, name)"
		 " SELECT %lld, name FROM keywords WHERE mailbox_id = %lld;"
		 "UPDATE messages SET mailbox_id = %lld WHERE mailbox_id = %lld;"
		 "UPDATE mailboxes SET messages = 0, unseen = 0, deleted = 0, size = 0"
		 " WHERE id = %lld",
		 (unsigned long long)modseq, (long long)inbox->id, (long long)dest_id,
		 (long long)inbox->id, (long long)dest_id, (long long)inbox->id,
		 (long long)inbox->id);
	return store_exec(s, sql);
}

/* RFC 9051 6.3.6: renaming INBOX moves its messages into a new mailbox and
 * leaves INBOX empty; INBOX's children stay where they are. */
static int rename_inbox(struct store *s, const char *to)
{
	struct store_mailbox inbox, dest;
	char sql[256];
	int ret;

	ret = store_mailbox_create_locked(s, to, 0);
	if (ret != STORE_OK)
		return ret;
	ret = store_mailbox_lookup(s, "INBOX", &inbox);
	if (ret != STORE_OK)
		return ret;
	ret = store_mailbox_lookup(s, to, &dest);
	if (ret != STORE_OK) {
		store_mailbox_clear(&inbox);
		return ret;
	}
	/* The rows keep their UIDs and MODSEQs: the new mailbox has its own
	 * UIDVALIDITY, and its counters start where INBOX's were. */
	snprintf(sql, sizeof(sql),
		 "UPDATE mailboxes SET uidnext = %u, highestmodseq = %llu, messages = %u,"
		 " unseen = %u, deleted = %u, size = %llu WHERE id = %lld",
		 inbox.uidnext, (unsigned long long)inbox.highestmodseq, inbox.messages,
		 inbox.unseen, inbox.deleted, (unsigned long long)inbox.size, (long long)dest.id);
	ret = store_exec(s, sql);
	if (ret == STORE_OK)
		ret = move_inbox_rows(s, &inbox, dest.id);
	store_mailbox_clear(&inbox);
	store_mailbox_clear(&dest);
	return ret;
}

static int rename_locked(struct store *s, const char *from, const char *to)
{
	struct store_mailbox mb;
	size_t flen = strlen(from);
	sqlite3_stmt *st;
	int ret, rc;

	/* INBOX is the exception: its rename moves only its messages, and its
	 * children stay, so "INBOX/old" is a fine new name (RFC 9051 6.3.6). */
	if (strncmp(to, from, flen) == 0 && to[flen] == '/' && strcmp(from, "INBOX") != 0)
		return store_fail(s, STORE_ERR_INVALID, "cannot rename %s into itself", from);
	ret = store_mailbox_lookup(s, to, &mb);
	if (ret == STORE_OK) {
		store_mailbox_clear(&mb);
		return store_fail(s, STORE_ERR_EXISTS, "mailbox %s exists", to);
	}
	if (ret != STORE_ERR_NONEXISTENT)
		return ret;
	ret = store_mailbox_lookup(s, from, &mb);
	if (ret != STORE_OK)
		return ret;
	store_mailbox_clear(&mb);
	if (strcmp(from, "INBOX") == 0)
		return rename_inbox(s, to);
	ret = store_mailbox_create_parents(s, to);
	if (ret != STORE_OK)
		return ret;
	/* The mailbox and all its children, and their subscriptions. */
	rc = sqlite3_prepare_v2(s->db,
				"UPDATE mailboxes SET name = ?2 || substr(name, length(?1) + 1)"
				" WHERE name = ?1 OR (name > ?1 || '/' AND name < ?1 || '0');",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "rename mailbox");
	rc = sqlite3_prepare_v2(
		s->db,
		"UPDATE OR REPLACE subscriptions SET name = ?2 || substr(name, length(?1) + 1)"
		" WHERE name = ?1 OR (name > ?1 || '/' AND name < ?1 || '0')",
		-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "rename subscriptions");
	return prune_parents(s, from);
}

int store_mailbox_rename(struct store *s, const char *from, const char *to)
{
	char *cfrom = NULL, *cto = NULL;
	int ret = store_mailbox_name_canonical(from, &cfrom);

	if (ret == STORE_OK)
		ret = store_mailbox_name_canonical(to, &cto);
	if (ret != STORE_OK) {
		free(cfrom);
		return store_fail(s, ret, "invalid mailbox name");
	}
	ret = store_tx_begin(s);
	if (ret == STORE_OK) {
		ret = rename_locked(s, cfrom, cto);
		if (ret == STORE_OK)
			ret = store_tx_commit(s);
		else
			store_tx_rollback(s);
	}
	free(cfrom);
	free(cto);
	return ret;
}
