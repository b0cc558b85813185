/* store-check.c — verify and repair a user's store (see store-check.h).
 *
 * Safe to run while the server serves the user: everything it changes is
 * done in short transactions, and files younger than the grace period are
 * never treated as orphans, because a concurrent append writes its file
 * before it commits the row naming it.
 */
#include "store-check.h"
#include "store-parsed.h"
#include "store-private.h"
#include "store-remove.h"
#include "lib/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct checker {
	const struct store_check_options *opt;
	struct store_check_report *report;
	struct store *s;
	time_t now;
};

static void say(struct checker *c, const char *fmt, ...) HF_PRINTF(2, 3);
static void say(struct checker *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (c->opt->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->opt->log(c->opt->log_ctx, line);
}

static bool old_enough(struct checker *c, const struct stat *st)
{
	return st->st_ctime + (time_t)c->opt->grace_seconds <= c->now;
}

/* Rows whose file is missing or has the wrong size. */
static int check_file_rows(struct checker *c)
{
	struct store *s = c->s;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT id, name, size FROM files", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "read files");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		char path[40];
		struct stat sb;

		c->report->files_checked++;
		snprintf(path, sizeof(path), "%.2s/%s", name, name);
		if (fstatat(s->msg_fd, path, &sb, 0) < 0) {
			c->report->missing_files++;
			say(c, "message file %s is missing", name);
		} else if ((uint64_t)sb.st_size != (uint64_t)sqlite3_column_int64(st, 2)) {
			c->report->size_mismatches++;
			say(c, "message file %s has %lld bytes, expected %lld", name,
			    (long long)sb.st_size, (long long)sqlite3_column_int64(st, 2));
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "read files");
}

/* The ids of file rows whose file is gone. */
static int find_missing(struct checker *c, int64_t **ids_r, size_t *count_r)
{
	struct store *s = c->s;
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t count = 0;
	int rc = sqlite3_prepare_v2(s->db, "SELECT id, name FROM files", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "find missing files");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		char path[40];
		struct stat sb;

		snprintf(path, sizeof(path), "%.2s/%s", name, name);
		if (fstatat(s->msg_fd, path, &sb, 0) == 0)
			continue;
		ids = xreallocarray(ids, count + 1, sizeof(*ids));
		ids[count++] = sqlite3_column_int64(st, 0);
		say(c, "dropping the messages of missing file %s", name);
	}
	sqlite3_finalize(st);
	*ids_r = ids;
	*count_r = count;
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "find missing files");
}

/* With repair: drop the message rows of files that are gone, leaving
 * tombstones so every session and QRESYNC client learns of it. */
static int drop_missing(struct checker *c)
{
	struct store *s = c->s;
	int64_t *ids = NULL;
	size_t count = 0;
	int ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	ret = find_missing(c, &ids, &count);
	for (size_t i = 0; i < count && ret == STORE_OK; i++) {
		char sql[640];
		long long id = (long long)ids[i];

		snprintf(sql, sizeof(sql),
			 "INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq)"
			 " SELECT m.mailbox_id, m.uid, b.highestmodseq + 1 FROM messages m"
			 " JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.file_id = %lld;"
			 "DELETE FROM messages WHERE file_id = %lld; DELETE FROM fts WHERE rowid = "
			 "%lld;"
			 "DELETE FROM fts_pending WHERE file_id = %lld;"
			 "DELETE FROM files WHERE id = %lld",
			 id, id, id, id, id);
		ret = store_exec(s, sql);
	}
	free(ids);
	/* The tombstones' MODSEQ must not be above the mailbox's. */
	if (ret == STORE_OK)
		ret = store_exec(s, "UPDATE mailboxes SET highestmodseq = max(highestmodseq,"
				    " (SELECT COALESCE(max(modseq), 0) FROM expunged"
				    "  WHERE expunged.mailbox_id = mailboxes.id))");
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}

static const char recount_sql[] =
	"SELECT id, name, messages, unseen, deleted, size,"
	" (SELECT count(*) FROM messages m WHERE m.mailbox_id = b.id),"
	" (SELECT count(*) FROM messages m WHERE m.mailbox_id = b.id AND (m.flags & 1) = 0),"
	" (SELECT count(*) FROM messages m WHERE m.mailbox_id = b.id AND (m.flags & 8) != 0),"
	" (SELECT COALESCE(sum(size), 0) FROM messages m WHERE m.mailbox_id = b.id)"
	" FROM mailboxes b";

static int fix_counters(struct checker *c)
{
	struct store *s = c->s;
	sqlite3_stmt *st;
	int rc, ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	rc = sqlite3_prepare_v2(s->db, recount_sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		store_tx_rollback(s);
		return store_sql_error(s, rc, "recount");
	}
	while (ret == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char sql[256];
		bool same = true;

		for (int i = 2; i < 6; i++)
			same = same &&
			       sqlite3_column_int64(st, i) == sqlite3_column_int64(st, i + 4);
		if (same)
			continue;
		c->report->counters_fixed++;
		say(c, "mailbox %s: counters were wrong, fixed", sqlite3_column_text(st, 1));
		snprintf(sql, sizeof(sql),
			 "UPDATE mailboxes SET messages = %lld, unseen = %lld, deleted = %lld,"
			 " size = %lld WHERE id = %lld",
			 (long long)sqlite3_column_int64(st, 6),
			 (long long)sqlite3_column_int64(st, 7),
			 (long long)sqlite3_column_int64(st, 8),
			 (long long)sqlite3_column_int64(st, 9),
			 (long long)sqlite3_column_int64(st, 0));
		ret = store_exec(s, sql);
	}
	sqlite3_finalize(st);
	if (ret == STORE_OK && rc != SQLITE_DONE)
		ret = store_sql_error(s, rc, "recount");
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}

static int fix_quota(struct checker *c)
{
	struct store *s = c->s;
	sqlite3_stmt *st;
	int64_t bytes = 0, count = 0, used_b, used_m;
	int rc, ret = store_tx_begin(s);

	if (ret != STORE_OK)
		return ret;
	rc = sqlite3_prepare_v2(s->db, "SELECT COALESCE(sum(size), 0), count(*) FROM messages", -1,
				&st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		bytes = sqlite3_column_int64(st, 0);
		count = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		ret = store_sql_error(s, rc, "sum quota");
	if (ret == STORE_OK)
		ret = store_meta_get(s, "used_bytes", &used_b);
	if (ret == STORE_OK)
		ret = store_meta_get(s, "used_messages", &used_m);
	if (ret == STORE_OK && (used_b != bytes || used_m != count)) {
		c->report->quota_fixed = true;
		say(c, "quota usage was %lld bytes in %lld messages, is %lld in %lld",
		    (long long)used_b, (long long)used_m, (long long)bytes, (long long)count);
		ret = store_meta_set(s, "used_bytes", bytes);
		if (ret == STORE_OK)
			ret = store_meta_set(s, "used_messages", count);
	}
	if (ret != STORE_OK) {
		store_tx_rollback(s);
		return ret;
	}
	return store_tx_commit(s);
}

/* The search index lags behind appends by design (store.h); a crash may
 * leave its queue waiting, which is normal and not reported as a finding.
 * What disagrees with the files is fixed; then all of it is indexed. */
static int catch_up_index(struct checker *c)
{
	int ret = store_fts_check(c->s, &c->report->index_fixed, &c->report->index_caught_up);

	if (c->report->index_fixed > 0)
		say(c, "search index queue: %llu entries did not agree with the files, fixed",
		    (unsigned long long)c->report->index_fixed);
	return ret;
}

static bool file_row_exists(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	bool found = true; /* on a database error, keep the file */

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM files WHERE name = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);

		found = rc != SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return found;
}

static void sweep_bucket(struct checker *c, const char *bucket)
{
	int fd = openat(c->s->msg_fd, bucket, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;

		if (!store_msgfile_name_valid(de->d_name) ||
		    fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !old_enough(c, &sb) ||
		    file_row_exists(c->s, de->d_name))
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0) {
			c->report->orphans_removed++;
			say(c, "removed orphan message file %s", de->d_name);
		}
	}
	closedir(d);
}

static void sweep(struct checker *c)
{
	DIR *d;
	struct dirent *de;
	int fd = dup(c->s->msg_fd);

	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		struct stat sb;

		if (strncmp(de->d_name, "tmp.", 4) == 0) {
			if (fstatat(c->s->msg_fd, de->d_name, &sb, 0) == 0 && old_enough(c, &sb) &&
			    unlinkat(c->s->msg_fd, de->d_name, 0) == 0) {
				c->report->temp_removed++;
				say(c, "removed stale temporary file %s", de->d_name);
			}
		} else if (strlen(de->d_name) == 2 && de->d_name[0] != '.') {
			sweep_bucket(c, de->d_name);
		}
	}
	closedir(d);
}

static bool integrity_ok(struct store *s)
{
	sqlite3_stmt *st;
	bool ok = false;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}

static int check_open_store(struct checker *c)
{
	int ret = check_file_rows(c);

	if (ret == STORE_OK && c->opt->repair && c->report->missing_files > 0)
		ret = drop_missing(c);
	if (ret == STORE_OK)
		ret = fix_counters(c);
	if (ret == STORE_OK)
		ret = fix_quota(c);
	if (ret == STORE_OK)
		ret = catch_up_index(c);
	if (ret == STORE_OK)
		sweep(c);
	return ret;
}

int store_check(const char *user_dir, const struct store_check_options *opt,
		struct store_check_report *report_r)
{
	struct checker c;
	const char *error;
	int ret;

	memset(report_r, 0, sizeof(*report_r));
	c.opt = opt;
	c.report = report_r;
	c.s = NULL;
	c.now = time(NULL);
	ret = store_open(user_dir, 0, &c.s, &error);
	if (ret == STORE_OK && !integrity_ok(c.s)) {
		store_close(&c.s);
		ret = STORE_ERR_CORRUPT;
		error = "integrity check failed";
	}
	if (ret == STORE_ERR_CORRUPT || ret == STORE_ERR_IO) {
		say(&c, "store.db cannot be used: %s", error);
		if (!opt->repair)
			return ret;
		return store_rebuild(user_dir, opt, report_r);
	}
	if (ret != STORE_OK) {
		say(&c, "cannot open the store: %s", error);
		return ret;
	}
	ret = check_open_store(&c);
	if (ret != STORE_OK)
		say(&c, "check stopped: %s", store_last_error(c.s));
	store_close(&c.s);
	return ret;
}
