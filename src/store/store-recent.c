/* store-recent.c — counting the unclaimed \Recent messages of a mailbox
 * (see store-recent.h). */
#include "store-recent.h"
#include "store-private.h"

int store_mailbox_count_recent(struct store *s, const struct store_mailbox *mb, uint32_t *count_r)
{
	sqlite3_stmt *st;
	int rc;

	*count_r = 0;
	if (mb->first_recent_uid >= mb->uidnext)
		return STORE_OK;
	st = store_stmt_sql(s, "SELECT count(*) FROM messages WHERE mailbox_id = ?1 AND uid >= ?2");
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, mb->id);
	sqlite3_bind_int64(st, 2, mb->first_recent_uid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count_r = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : store_sql_error(s, rc, "count recent messages");
}
