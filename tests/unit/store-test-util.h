/* store-test-util.h — helpers shared by the store's unit tests. */
#ifndef HAFEN_TEST_STORE_UTIL_H
#define HAFEN_TEST_STORE_UTIL_H

#include <stddef.h>

/* Make a fresh directory under TMPDIR (or /tmp); path goes to buf. */
void test_tmpdir(char *buf, size_t size);
/* Remove a directory tree (the test's own). */
void test_rmtree(const char *path);
/* Run SQL statements on dir/store.db directly, beside the store (to set
 * up damage or an older schema); aborts the test on failure. */
void test_sql_exec(const char *dir, const char *sql);
/* store_name_cb that appends "name," to a struct buf. */
int test_collect_name(void *ctx, const char *name);

#endif
