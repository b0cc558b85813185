/* store-msgfile.c — message files: written once, durably, never changed.
 *
 * Crash invariants:
 *  - a file is complete and fsynced, and its directory entry fsynced,
 *    before any database row names it; so a row never names a missing or
 *    partial file;
 *  - a temporary file ("tmp.*" in msg/) or a file no row names is garbage
 *    that store_check removes; it is never mistaken for a message;
 *  - a file is unlinked only after the transaction that removed its last
 *    row committed, so a rollback never leaves a row without its file.
 * Files live in msg/<first two hex digits>/<32 hex digits>; the files of
 * one append share a bucket, so one directory fsync covers all renames.
 */
#include "store-private.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static void random_name(char name[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[16];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		hf_panic("getrandom failed");
	for (size_t i = 0; i < sizeof(rnd); i++) {
		name[2 * i] = hex[rnd[i] >> 4];
		name[2 * i + 1] = hex[rnd[i] & 15];
	}
	name[32] = '\0';
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Open (creating and making durable if needed) the bucket directory. */
static int bucket_open(struct store *s, const char *name, int *fd_r)
{
	char bucket[3] = {name[0], name[1], '\0'};

	if (mkdirat(s->msg_fd, bucket, 0700) == 0) {
		if (fsync(s->msg_fd) < 0)
			return store_fail(s, STORE_ERR_IO, "%s/msg: fsync: %s", s->dir,
					  strerror(errno));
	} else if (errno != EEXIST) {
		return store_fail(s, STORE_ERR_IO, "%s/msg/%s: mkdir: %s", s->dir, bucket,
				  strerror(errno));
	}
	*fd_r = openat(s->msg_fd, bucket, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd_r < 0)
		return store_fail(s, STORE_ERR_IO, "%s/msg/%s: %s", s->dir, bucket,
				  strerror(errno));
	return STORE_OK;
}

static int write_tmp(struct store *s, const char *tmp, const void *data, size_t len, int64_t mtime)
{
	struct timespec times[2] = {{(time_t)mtime, 0}, {(time_t)mtime, 0}};
	int fd = openat(s->msg_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int err;

	if (fd < 0)
		return store_fail(s, STORE_ERR_IO, "%s/msg/%s: %s", s->dir, tmp, strerror(errno));
	/* The file time carries the internal date, so a store rebuilt from
	 * the files alone keeps it. */
	if (write_all(fd, data, len) < 0 || (mtime > 0 && futimens(fd, times) < 0) ||
	    fsync(fd) < 0) {
		err = errno;
		close(fd);
		unlinkat(s->msg_fd, tmp, 0);
		return store_fail(s, STORE_ERR_IO, "%s/msg/%s: write: %s", s->dir, tmp,
				  strerror(err));
	}
	if (close(fd) < 0) {
		err = errno;
		unlinkat(s->msg_fd, tmp, 0);
		return store_fail(s, STORE_ERR_IO, "%s/msg/%s: close: %s", s->dir, tmp,
				  strerror(err));
	}
	return STORE_OK;
}

/* Names for a batch: random, but all in the bucket of the first, so one
 * fsync of one directory makes every rename durable. */
static void batch_names(char (*names_r)[33], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		random_name(names_r[i]);
		if (i > 0)
			memcpy(names_r[i], names_r[0], 2);
	}
}

static void unlink_renamed(struct store *s, char (*names)[33], size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_msgfile_unlink(s, names[i]);
}

int store_msgfile_write(struct store *s, const struct store_msgfile_data *files, size_t n,
			char (*names_r)[33])
{
	char tmp[40], final[40];
	size_t renamed = 0;
	int bucket_fd = -1, ret;

	batch_names(names_r, n);
	ret = bucket_open(s, names_r[0], &bucket_fd);
	if (ret != STORE_OK)
		return ret;
	for (; renamed < n && ret == STORE_OK; renamed++) {
		const char *name = names_r[renamed];

		snprintf(tmp, sizeof(tmp), "tmp.%s", name);
		snprintf(final, sizeof(final), "%.2s/%s", name, name);
		ret = write_tmp(s, tmp, files[renamed].data, files[renamed].len,
				files[renamed].mtime);
		if (ret != STORE_OK)
			break;
		if (renameat(s->msg_fd, tmp, s->msg_fd, final) < 0) {
			ret = store_fail(s, STORE_ERR_IO, "%s/msg/%s: rename: %s", s->dir, final,
					 strerror(errno));
			unlinkat(s->msg_fd, tmp, 0);
			break;
		}
	}
	if (ret == STORE_OK && fsync(bucket_fd) < 0)
		ret = store_fail(s, STORE_ERR_IO, "%s/msg/%.2s: fsync: %s", s->dir, names_r[0],
				 strerror(errno));
	if (ret != STORE_OK)
		unlink_renamed(s, names_r, renamed);
	close(bucket_fd);
	return ret;
}

int store_msgfile_open(struct store *s, const char *name, int *fd_r)
{
	char path[40];

	snprintf(path, sizeof(path), "%.2s/%s", name, name);
	*fd_r = openat(s->msg_fd, path, O_RDONLY | O_CLOEXEC);
	if (*fd_r < 0)
		return store_fail(s, errno == ENOENT ? STORE_ERR_CORRUPT : STORE_ERR_IO,
				  "%s/msg/%s: %s", s->dir, path, strerror(errno));
	return STORE_OK;
}

bool store_msgfile_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return i == 32;
}

void store_msgfile_unlink(struct store *s, const char *name)
{
	char path[40];

	snprintf(path, sizeof(path), "%.2s/%s", name, name);
	/* A failure leaves an orphan that store_check sweeps; never an error. */
	unlinkat(s->msg_fd, path, 0);
}

int store_file_release(struct store *s, int64_t file_id, struct store_unlink_list *l)
{
	sqlite3_stmt *st;
	bool released = false;
	int rc;

	st = store_stmt_sql(s, "DELETE FROM files WHERE id = ?1 AND NOT EXISTS"
			       " (SELECT 1 FROM messages WHERE file_id = ?1) RETURNING name");
	if (st == NULL)
		return STORE_ERR_IO;
	sqlite3_bind_int64(st, 1, file_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (l->count == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 8;
			l->names = xreallocarray(l->names, l->cap, sizeof(*l->names));
		}
		l->names[l->count++] = xstrdup((const char *)sqlite3_column_text(st, 0));
		released = true;
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, rc, "release file");
	return released ? store_fts_forget(s, file_id) : STORE_OK;
}

void store_unlink_list_run(struct store *s, struct store_unlink_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		store_msgfile_unlink(s, l->names[i]);
	store_unlink_list_free(l);
}

void store_unlink_list_free(struct store_unlink_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->count = l->cap = 0;
}
