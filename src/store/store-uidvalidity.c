/* store-uidvalidity.c — fresh UIDVALIDITY values that stay above every one
 * the user's mailboxes ever had, even after the database is rebuilt.
 *
 * RFC 9051 2.3.1.1: UIDs of a mailbox name may be reused only under a new,
 * higher UIDVALIDITY. Values are time-based, but a burst of creations runs
 * ahead of the clock (a new user's six mailboxes take six consecutive
 * values), so a database rebuilt from the message files soon after could
 * hand INBOX the value it had before, with other UIDs behind it. The last
 * value given out is therefore also kept beside the database, in the file
 * `uidvalidity` of the user directory, written and made durable before the
 * transaction that uses it commits, and read back when the database no
 * longer knows it. */
#include "store-private.h"
#include "lib/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define UIDVALIDITY_FILE "uidvalidity"
#define UIDVALIDITY_TMP  "uidvalidity.tmp"

/* The value in the file; 0 when there is none (a store from before the
 * file, or a fresh one). A damaged file counts as none: the clock and the
 * database still bound the value from below. */
static int64_t file_read(struct store *s)
{
	char text[32];
	ssize_t n;
	uint64_t v;
	int fd = openat(s->dir_fd, UIDVALIDITY_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n <= 1 || text[n - 1] != '\n' || !str_to_u64(text, (size_t)n - 1, UINT32_MAX, &v))
		return 0;
	return (int64_t)v;
}

/* Replace the file durably: write a temporary, fsync, rename, fsync the
 * directory. Callers hold the store's write transaction, so no two
 * writers meet here. */
static int file_write(struct store *s, int64_t v)
{
	char text[32];
	int len = snprintf(text, sizeof(text), "%lld\n", (long long)v);
	int fd = openat(s->dir_fd, UIDVALIDITY_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return store_fail(s, STORE_ERR_IO, "%s/%s: %s", s->dir, UIDVALIDITY_TMP,
				  strerror(errno));
	if (write(fd, text, (size_t)len) != len || fsync(fd) < 0) {
		int err = errno;

		close(fd);
		return store_fail(s, STORE_ERR_IO, "%s/%s: %s", s->dir, UIDVALIDITY_TMP,
				  strerror(err));
	}
	close(fd);
	if (renameat(s->dir_fd, UIDVALIDITY_TMP, s->dir_fd, UIDVALIDITY_FILE) < 0 ||
	    fsync(s->dir_fd) < 0)
		return store_fail(s, STORE_ERR_IO, "%s/%s: %s", s->dir, UIDVALIDITY_FILE,
				  strerror(errno));
	return STORE_OK;
}

int store_next_uidvalidity(struct store *s, uint32_t *uidvalidity_r)
{
	int64_t last, kept, now = (int64_t)time(NULL), v;
	int ret = store_meta_get(s, "last_uidvalidity", &last);

	if (ret != STORE_OK)
		return ret;
	kept = file_read(s);
	if (kept > last)
		last = kept;
	v = now > last ? now : last + 1;
	if (v > UINT32_MAX)
		v = last + 1 > UINT32_MAX ? 1 : last + 1;
	ret = file_write(s, v);
	if (ret != STORE_OK)
		return ret;
	*uidvalidity_r = (uint32_t)v;
	return store_meta_set(s, "last_uidvalidity", v);
}
