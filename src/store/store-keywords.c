/* store-keywords.c — message keywords as a sorted, space-separated string,
 * and each mailbox's list of keywords in use (its FLAGS response). */
#include "store-keywords.h"
#include "store-private.h"
#include "lib/buf.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <stdlib.h>
#include <string.h>

static int cmp_kw(const void *a, const void *b)
{
	return str_casecmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keywords compare case-insensitively; the first spelling seen wins. */
static char *join_sorted(const char **kw, size_t n)
{
	struct buf b = BUF_INIT;

	qsort(kw, n, sizeof(*kw), cmp_kw);
	for (size_t i = 0; i < n; i++) {
		if (kw[i][0] == '\0' || (i > 0 && str_casecmp(kw[i], kw[i - 1]) == 0))
			continue;
		if (b.len > 0)
			buf_append_byte(&b, ' ');
		buf_append_str(&b, kw[i]);
	}
	return buf_detach(&b, NULL);
}

char *store_keywords_join(const char *const *kw, size_t n)
{
	const char **copy = xcalloc(n ? n : 1, sizeof(*copy));
	char *out;

	if (n > 0)
		memcpy(copy, kw, n * sizeof(*copy));
	out = join_sorted(copy, n);
	free(copy);
	return out;
}

void store_keywords_split(const char *joined, struct store_keyword_list *l)
{
	l->items = NULL;
	l->count = 0;
	l->storage = xstrdup(joined);
	for (char *q = l->storage; *q != '\0';) {
		char *sp = strchr(q, ' ');

		l->items = xreallocarray(l->items, l->count + 1, sizeof(*l->items));
		l->items[l->count++] = q;
		if (sp == NULL)
			break;
		*sp = '\0';
		q = sp + 1;
	}
}

void store_keyword_list_free(struct store_keyword_list *l)
{
	free(l->items);
	free(l->storage);
	l->items = NULL;
	l->storage = NULL;
	l->count = 0;
}

static bool contains(const char *const *kw, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (str_casecmp(kw[i], k) == 0)
			return true;
	return false;
}

char *store_keywords_apply(const char *current, int mode, const char *const *kw, size_t n)
{
	struct store_keyword_list cur;
	const char **out;
	size_t count = 0;
	char *joined;

	if (mode == STORE_FLAGS_REPLACE)
		return store_keywords_join(kw, n);
	store_keywords_split(current, &cur);
	out = xcalloc(cur.count + n + 1, sizeof(*out));
	for (size_t i = 0; i < cur.count; i++)
		if (mode != STORE_FLAGS_REMOVE || !contains(kw, n, cur.items[i]))
			out[count++] = cur.items[i];
	if (mode == STORE_FLAGS_ADD)
		for (size_t i = 0; i < n; i++)
			out[count++] = kw[i];
	joined = join_sorted(out, count);
	free(out);
	store_keyword_list_free(&cur);
	return joined;
}

int store_keywords_register(struct store *s, int64_t mailbox_id, const char *joined)
{
	struct store_keyword_list l;
	int ret = STORE_OK;

	if (joined[0] == '\0')
		return STORE_OK;
	store_keywords_split(joined, &l);
	for (size_t i = 0; i < l.count && ret == STORE_OK; i++) {
		sqlite3_stmt *st = store_stmt(s, STMT_KEYWORD_ADD);
		int rc;

		if (st == NULL) {
			ret = STORE_ERR_IO;
			break;
		}
		sqlite3_bind_int64(st, 1, mailbox_id);
		sqlite3_bind_text(st, 2, l.items[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			ret = store_sql_error(s, rc, "register keyword");
	}
	store_keyword_list_free(&l);
	return ret;
}

int store_mailbox_keywords(struct store *s, int64_t mailbox_id, store_name_cb *cb, void *ctx)
{
	sqlite3_stmt *st;
	int rc, ret = STORE_OK;

	rc = sqlite3_prepare_v2(s->db,
				"SELECT name FROM keywords WHERE mailbox_id = ?1 ORDER BY name", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "list keywords");
	sqlite3_bind_int64(st, 1, mailbox_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = cb(ctx, (const char *)sqlite3_column_text(st, 0));
		if (ret != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_sql_error(s, rc, "list keywords");
	sqlite3_finalize(st);
	return ret;
}
