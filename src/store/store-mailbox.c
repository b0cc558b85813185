/* store-mailbox.c — looking up, creating and listing mailboxes; UID, MODSEQ
 * and UIDVALIDITY allocation; subscriptions and \Recent. */
#include "store-private.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "lib/wildmat.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void store_mailbox_clear(struct store_mailbox *mb)
{
	free(mb->name);
	memset(mb, 0, sizeof(*mb));
}

/* Columns 0..13 of the mailbox SELECTs in store-db.c. */
static void row_to_mailbox(sqlite3_stmt *st, struct store_mailbox *mb)
{
	const char *id;

	memset(mb, 0, sizeof(*mb));
	mb->id = sqlite3_column_int64(st, 0);
	mb->name = xstrdup((const char *)sqlite3_column_text(st, 1));
	mb->uidvalidity = (uint32_t)sqlite3_column_int64(st, 2);
	mb->uidnext = (uint32_t)sqlite3_column_int64(st, 3);
	mb->highestmodseq = (uint64_t)sqlite3_column_int64(st, 4);
	mb->messages = (uint32_t)sqlite3_column_int64(st, 5);
	mb->unseen = (uint32_t)sqlite3_column_int64(st, 6);
	mb->deleted = (uint32_t)sqlite3_column_int64(st, 7);
	mb->size = (uint64_t)sqlite3_column_int64(st, 8);
	mb->first_recent_uid = (uint32_t)sqlite3_column_int64(st, 9);
	mb->special_use = (unsigned)sqlite3_column_int(st, 10);
	mb->noselect = sqlite3_column_int(st, 11) != 0;
	id = (const char *)sqlite3_column_text(st, 12);
	snprintf(mb->mailboxid, sizeof(mb->mailboxid), "%s", id ? id : "");
	mb->subscribed = sqlite3_column_int(st, 13) != 0;
}

static int lookup(struct store *s, enum store_stmt which, const char *name, int64_t id,
		  struct store_mailbox *mb_r)
{
	sqlite3_stmt *st = store_stmt(s, which);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_to_mailbox(st, mb_r);
		sqlite3_reset(st);
		return STORE_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return store_fail(s, STORE_ERR_NONEXISTENT, "no mailbox %s", name ? name : "by id");
	return store_sql_error(s, rc, "look up mailbox");
}

int store_mailbox_lookup(struct store *s, const char *canon_name, struct store_mailbox *mb_r)
{
	return lookup(s, STMT_MAILBOX_BY_NAME, canon_name, 0, mb_r);
}

int store_mailbox_get(struct store *s, const char *name, struct store_mailbox *mb_r)
{
	char *canon;
	int ret = store_mailbox_name_canonical(name, &canon);

	if (ret != STORE_OK)
		return store_fail(s, ret, "invalid mailbox name");
	ret = store_mailbox_lookup(s, canon, mb_r);
	free(canon);
	return ret;
}

int store_mailbox_get_by_id(struct store *s, int64_t id, struct store_mailbox *mb_r)
{
	return lookup(s, STMT_MAILBOX_BY_ID, NULL, id, mb_r);
}

static void new_mailboxid(char out[32])
{
	unsigned char rnd[12];
	static const char hex[] = "0123456789abcdef";

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		hf_panic("getrandom failed");
	out[0] = 'F';
	for (size_t i = 0; i < sizeof(rnd); i++) {
		out[1 + 2 * i] = hex[rnd[i] >> 4];
		out[2 + 2 * i] = hex[rnd[i] & 15];
	}
	out[1 + 2 * sizeof(rnd)] = '\0';
}

/* Insert one mailbox row inside a transaction. */
static int insert_mailbox(struct store *s, const char *canon, unsigned special_use, bool noselect)
{
	sqlite3_stmt *st;
	uint32_t uidvalidity;
	char mailboxid[32];
	int ret, rc;

	ret = store_next_uidvalidity(s, &uidvalidity);
	if (ret != STORE_OK)
		return ret;
	new_mailboxid(mailboxid);
	st = store_stmt(s, STMT_MAILBOX_INSERT);
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int(st, 3, (int)special_use);
	sqlite3_bind_int(st, 4, noselect);
	sqlite3_bind_text(st, 5, mailboxid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "create mailbox");
	return STORE_OK;
}

/* Turn a \Noselect placeholder into a real mailbox with a fresh UIDVALIDITY. */
static int make_selectable(struct store *s, int64_t id, unsigned special_use)
{
	char sql[160];
	uint32_t uidvalidity;
	int ret = store_next_uidvalidity(s, &uidvalidity);

	if (ret != STORE_OK)
		return ret;
	snprintf(sql, sizeof(sql),
		 "UPDATE mailboxes SET noselect = 0, uidvalidity = %u, special_use = %u"
		 " WHERE id = %lld",
		 uidvalidity, special_use, (long long)id);
	return store_exec(s, sql);
}

/* Create every missing ancestor of canon as an ordinary mailbox. */
int store_mailbox_create_parents(struct store *s, const char *canon)
{
	const char *slash;
	int ret = STORE_OK;

	for (slash = strchr(canon, '/'); slash != NULL && ret == STORE_OK;
	     slash = strchr(slash + 1, '/')) {
		char *parent = xstrndup(canon, (size_t)(slash - canon));
		struct store_mailbox mb;

		ret = store_mailbox_lookup(s, parent, &mb);
		if (ret == STORE_OK)
			store_mailbox_clear(&mb);
		else if (ret == STORE_ERR_NONEXISTENT)
			ret = insert_mailbox(s, parent, 0, false);
		free(parent);
	}
	return ret;
}

int store_mailbox_create_locked(struct store *s, const char *canon, unsigned special_use)
{
	struct store_mailbox mb;
	int ret = store_mailbox_lookup(s, canon, &mb);

	if (ret == STORE_OK) {
		bool noselect = mb.noselect;
		int64_t id = mb.id;

		store_mailbox_clear(&mb);
		if (!noselect)
			return store_fail(s, STORE_ERR_EXISTS, "mailbox %s exists", canon);
		return make_selectable(s, id, special_use);
	}
	if (ret != STORE_ERR_NONEXISTENT)
		return ret;
	ret = store_mailbox_create_parents(s, canon);
	if (ret == STORE_OK)
		ret = insert_mailbox(s, canon, special_use, false);
	return ret;
}

int store_mailbox_create(struct store *s, const char *name, unsigned special_use)
{
	char *canon;
	int ret = store_mailbox_name_canonical(name, &canon);

	if (ret != STORE_OK)
		return store_fail(s, ret, "invalid mailbox name");
	ret = store_tx_begin(s);
	if (ret == STORE_OK) {
		ret = store_mailbox_create_locked(s, canon, special_use);
		if (ret == STORE_OK)
			ret = store_tx_commit(s);
		else
			store_tx_rollback(s);
	}
	free(canon);
	return ret;
}

int store_mailbox_set_special_use(struct store *s, const char *name, unsigned special_use)
{
	struct store_mailbox mb;
	char sql[128];
	int ret = store_mailbox_get(s, name, &mb);

	if (ret != STORE_OK)
		return ret;
	snprintf(sql, sizeof(sql), "UPDATE mailboxes SET special_use = %u WHERE id = %lld",
		 special_use, (long long)mb.id);
	store_mailbox_clear(&mb);
	ret = store_exec(s, sql);
	if (ret == STORE_OK)
		store_notify_poke(s);
	return ret;
}

/* INBOX matches case-insensitively in patterns too (RFC 9051 6.3.9). */
static char *canonical_pattern(const char *pattern)
{
	char *p = xstrdup(pattern);
	size_t len = strlen(p);

	if (len >= 5 && str_has_prefix_ci(p, len, "inbox") &&
	    (len == 5 || p[5] == '/' || p[5] == '*' || p[5] == '%'))
		memcpy(p, "INBOX", 5);
	return p;
}

int store_mailbox_list(struct store *s, const char *pattern, store_mailbox_cb *cb, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MAILBOX_LIST);
	char *pat = pattern ? canonical_pattern(pattern) : NULL;
	size_t plen = pat ? strlen(pat) : 0;
	int rc, ret = STORE_OK;

	if (st == NULL) {
		free(pat);
		return STORE_ERR_IO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		struct store_mailbox mb;

		if (pat && !wildmat_match(pat, plen, name, strlen(name), '/'))
			continue;
		row_to_mailbox(st, &mb);
		mb.has_children = sqlite3_column_int(st, 14) != 0;
		ret = cb(ctx, &mb);
		store_mailbox_clear(&mb);
		if (ret != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_sql_error(s, rc, "list mailboxes");
	sqlite3_reset(st);
	free(pat);
	return ret;
}

int store_subscribe(struct store *s, const char *name, bool on)
{
	sqlite3_stmt *st;
	char *canon;
	int ret = store_mailbox_name_canonical(name, &canon), rc;

	if (ret != STORE_OK)
		return store_fail(s, ret, "invalid mailbox name");
	st = store_stmt(s, on ? STMT_SUB_SET : STMT_SUB_DEL);
	if (st == NULL) {
		free(canon);
		return STORE_ERR_IO;
	}
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(canon);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "subscribe");
	store_notify_poke(s);
	return STORE_OK;
}

int store_subscriptions(struct store *s, store_name_cb *cb, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, STMT_SUB_GET);
	int rc, ret = STORE_OK;

	if (st == NULL)
		return STORE_ERR_IO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = cb(ctx, (const char *)sqlite3_column_text(st, 0));
		if (ret != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_sql_error(s, rc, "list subscriptions");
	sqlite3_reset(st);
	return ret;
}

int store_mailbox_take_uids(struct store *s, int64_t mailbox_id, uint32_t n, uint32_t *first_uid_r,
			    uint64_t *modseq_r)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MAILBOX_TAKE_UIDS);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, n);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return store_fail(s, STORE_ERR_NOSELECT, "mailbox cannot hold messages");
		return store_sql_error(s, rc, "allocate UIDs");
	}
	*first_uid_r = (uint32_t)sqlite3_column_int64(st, 0);
	*modseq_r = (uint64_t)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	/* UIDs are 32-bit and never reused (RFC 9051 2.3.1.1). */
	if ((uint64_t)*first_uid_r + n > UINT32_MAX)
		return store_fail(s, STORE_ERR_LIMIT, "mailbox ran out of UIDs");
	return STORE_OK;
}

int store_mailbox_next_modseq(struct store *s, int64_t mailbox_id, uint64_t *modseq_r)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MAILBOX_BUMP_MODSEQ);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*modseq_r = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return STORE_OK;
	}
	if (rc == SQLITE_DONE)
		return store_fail(s, STORE_ERR_CHANGED, "mailbox vanished");
	return store_sql_error(s, rc, "allocate MODSEQ");
}

int store_mailbox_adjust(struct store *s, int64_t mailbox_id, int64_t messages, int64_t unseen,
			 int64_t deleted, int64_t size)
{
	sqlite3_stmt *st = store_stmt(s, STMT_MAILBOX_COUNTERS_ADD);
	int rc;

	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, messages);
	sqlite3_bind_int64(st, 3, unseen);
	sqlite3_bind_int64(st, 4, deleted);
	sqlite3_bind_int64(st, 5, size);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "update counters");
}

int store_mailbox_claim_recent(struct store *s, int64_t mailbox_id, uint32_t *first_recent_r)
{
	struct store_mailbox mb;
	sqlite3_stmt *st;
	uint32_t uidnext;
	int ret, rc;

	/* Most sessions find nothing left to claim (another session saw the
	 * new messages first): answer that without a write transaction. */
	ret = store_mailbox_get_by_id(s, mailbox_id, &mb);
	if (ret != STORE_OK)
		return ret;
	*first_recent_r = mb.first_recent_uid;
	uidnext = mb.uidnext;
	store_mailbox_clear(&mb);
	if (*first_recent_r >= uidnext)
		return STORE_OK;
	/* No fsync for a claim: should a power failure undo it, the messages
	 * are \Recent once more for the next session, which RFC 3501 2.3.2
	 * allows (\Recent is a hint, not data a client was promised). */
	ret = store_tx_begin_relaxed(s);
	if (ret != STORE_OK)
		return ret;
	/* Claim in one statement: whoever commits first gets them. */
	st = store_stmt_sql(s, "UPDATE mailboxes SET first_recent_uid = uidnext WHERE id = ?1");
	ret = st == NULL ? STORE_ERR_IO : STORE_OK;
	if (st != NULL) {
		ret = store_mailbox_get_by_id(s, mailbox_id, &mb);
		if (ret == STORE_OK) {
			*first_recent_r = mb.first_recent_uid;
			store_mailbox_clear(&mb);
			sqlite3_bind_int64(st, 1, mailbox_id);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc != SQLITE_DONE)
				ret = store_sql_error(s, rc, "claim recent");
		}
	}
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}
