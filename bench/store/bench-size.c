/* bench-size.c — how much disk the store takes: store.db and its WAL after
 * a checkpoint, split by table where SQLite's dbstat table is available,
 * and the message files. Opens store.db directly, as an admin tool would. */
#include "bench-util.h"
#include "store-bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t file_size(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Pages per table and index, grouped the way the report shows them. */
static void split_by_table(sqlite3 *db, struct bench_size *sz)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name", -1, &st,
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "store-bench: no dbstat table: %s\n", sqlite3_errmsg(db));
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		uint64_t bytes = (uint64_t)sqlite3_column_int64(st, 1);

		if (strncmp(name, "fts", 3) == 0)
			sz->part_fts += bytes;
		else if (strcmp(name, "files") == 0 || strncmp(name, "files_", 6) == 0 ||
			 strcmp(name, "sqlite_autoindex_files_1") == 0)
			sz->part_files += bytes;
		else if (strncmp(name, "messages", 8) == 0)
			sz->part_messages += bytes;
		else
			sz->part_other += bytes;
	}
	sqlite3_finalize(st);
}

int bench_measure_size(const struct bench_options *opt, struct bench_results *r)
{
	struct bench_size *sz = &r->size;
	char path[4096];
	sqlite3 *db;
	uint64_t t0;
	int rc;

	snprintf(path, sizeof(path), "%s/store.db", opt->dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "store-bench: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 15000);
	t0 = bench_now_ns();
	rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sz->checkpoint_ms = (double)(bench_now_ns() - t0) / 1e6;
	if (rc != SQLITE_OK)
		fprintf(stderr, "store-bench: checkpoint: %s\n", sqlite3_errmsg(db));
	split_by_table(db, sz);
	sqlite3_close(db);
	sz->db = file_size(opt->dir, "store.db");
	sz->wal = file_size(opt->dir, "store.db-wal");
	snprintf(path, sizeof(path), "%s/msg", opt->dir);
	bench_tree_bytes(path, &sz->msg_apparent, &sz->msg_allocated, &sz->msg_files);
	return 0;
}
