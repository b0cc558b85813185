/* store-test-util.c — helpers shared by the store's unit tests. */
#include "store-test-util.h"
#include "lib/buf.h"
#include "lib/err.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void test_tmpdir(char *buf, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, size, "%s/hafen-test-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(buf) == NULL)
		hf_panic("mkdtemp failed");
}

void test_sql_exec(const char *dir, const char *sql)
{
	char path[512];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		hf_panic("%s: %s", path, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void test_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int test_collect_name(void *ctx, const char *name)
{
	struct buf *b = ctx;

	if (b->len > 0)
		buf_append_byte(b, ',');
	buf_append_str(b, name);
	return 0;
}
