/* store-quota.c — per-user quota (RFC 9208 STORAGE and MESSAGE resources):
 * usage moves in the same transaction as the change that causes it, so it
 * is always exact; store_check recomputes it anyway. */
#include "store-private.h"

int store_quota_charge(struct store *s, int64_t bytes, int64_t messages)
{
	int64_t used_b, used_m, lim_b, lim_m;
	int ret;

	if ((ret = store_meta_get(s, "used_bytes", &used_b)) != STORE_OK ||
	    (ret = store_meta_get(s, "used_messages", &used_m)) != STORE_OK)
		return ret;
	if (bytes > 0 || messages > 0) {
		if ((ret = store_meta_get(s, "quota_bytes", &lim_b)) != STORE_OK ||
		    (ret = store_meta_get(s, "quota_messages", &lim_m)) != STORE_OK)
			return ret;
		/* RFC 9208 5.1: refuse what would go over the limit. */
		if ((lim_b > 0 && bytes > 0 && used_b + bytes > lim_b) ||
		    (lim_m > 0 && messages > 0 && used_m + messages > lim_m))
			return store_fail(s, STORE_ERR_OVERQUOTA, "%s: quota exceeded", s->dir);
	}
	used_b += bytes;
	used_m += messages;
	if (used_b < 0)
		used_b = 0;
	if (used_m < 0)
		used_m = 0;
	if ((ret = store_meta_set(s, "used_bytes", used_b)) != STORE_OK)
		return ret;
	return store_meta_set(s, "used_messages", used_m);
}

int store_quota_get(struct store *s, struct store_quota *q_r)
{
	int64_t v[4];
	static const char *const keys[4] = {"used_bytes", "quota_bytes", "used_messages",
					    "quota_messages"};
	int ret;

	for (int i = 0; i < 4; i++)
		if ((ret = store_meta_get(s, keys[i], &v[i])) != STORE_OK)
			return ret;
	q_r->bytes_used = (uint64_t)v[0];
	q_r->bytes_limit = (uint64_t)v[1];
	q_r->messages_used = (uint64_t)v[2];
	q_r->messages_limit = (uint64_t)v[3];
	return STORE_OK;
}

int store_quota_set_limits(struct store *s, uint64_t bytes_limit, uint64_t messages_limit)
{
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = store_meta_set(s, "quota_bytes", (int64_t)bytes_limit);
	if (ret == STORE_OK)
		ret = store_meta_set(s, "quota_messages", (int64_t)messages_limit);
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}

int store_mailbox_deleted_size(struct store *s, int64_t mailbox_id, uint64_t *size_r)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT COALESCE(sum(size), 0) FROM messages"
				    " WHERE mailbox_id = ?1 AND (flags & 8) != 0",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "deleted size");
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = sqlite3_step(st);
	*size_r = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? STORE_OK : store_sql_error(s, rc, "deleted size");
}
