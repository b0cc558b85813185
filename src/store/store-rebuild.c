/* store-rebuild.c — rebuild a lost or damaged store.db from the message
 * files alone (store_check with repair). The damaged database is kept
 * aside, never deleted. What the files do not carry is lost: flags,
 * keywords and the mailbox each message was in; every message goes to
 * INBOX with its internal date taken from the file time. */
#include "store-check.h"
#include "store-parsed.h"
#include "store-private.h"
#include "lib/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REBUILD_BATCH 100

struct found_file {
	char name[33];
	int64_t mtime;
};

struct found_files {
	struct found_file *v;
	size_t count, cap;
};

static void found_add(struct found_files *f, const char *name, int64_t mtime)
{
	if (f->count == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
	}
	memcpy(f->v[f->count].name, name, 32); /* a valid name is 32 characters */
	f->v[f->count].name[32] = '\0';
	f->v[f->count++].mtime = mtime;
}

static int cmp_found(const void *a, const void *b)
{
	const struct found_file *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void scan_bucket(int msg_fd, const char *bucket, struct found_files *found)
{
	int fd = openat(msg_fd, bucket, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;

		if (store_msgfile_name_valid(de->d_name) && fstatat(fd, de->d_name, &sb, 0) == 0 &&
		    S_ISREG(sb.st_mode) && sb.st_size > 0)
			found_add(found, de->d_name, (int64_t)sb.st_mtime);
	}
	closedir(d);
}

static void scan_files(int msg_fd, struct found_files *found)
{
	int fd = dup(msg_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == 2 && de->d_name[0] != '.')
			scan_bucket(msg_fd, de->d_name, found);
	closedir(d);
	if (found->count > 1) /* v is NULL when nothing was found */
		qsort(found->v, found->count, sizeof(*found->v), cmp_found);
}

static int adopt_batch(struct store *s, const struct found_file *files, size_t n,
		       struct store_check_report *r)
{
	struct store_new_message msgs[REBUILD_BATCH];
	struct store_parsed *parsed[REBUILD_BATCH];
	char names[REBUILD_BATCH][33];
	uint32_t uids[REBUILD_BATCH], uidvalidity;
	size_t k = 0;
	int ret = STORE_OK;

	for (size_t i = 0; i < n; i++) {
		if (store_msgfile_parse(s, files[i].name, &parsed[k]) != STORE_OK)
			continue;
		memset(&msgs[k], 0, sizeof(msgs[k]));
		msgs[k].msg = parsed[k];
		msgs[k].internaldate = files[i].mtime;
		memcpy(names[k], files[i].name, 33);
		k++;
	}
	if (k > 0)
		ret = store_append_files(s, "INBOX", msgs, k, names, &uidvalidity, uids);
	if (ret == STORE_OK)
		r->messages_recovered += k;
	for (size_t i = 0; i < k; i++)
		store_parsed_free(&parsed[i]);
	return ret;
}

static void set_aside(const char *user_dir, const struct store_check_options *opt)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char from[4096], to[4200];
	long now = (long)time(NULL);

	for (size_t i = 0; i < HF_N_ELEMENTS(suffixes); i++) {
		snprintf(from, sizeof(from), "%s/store.db%s", user_dir, suffixes[i]);
		snprintf(to, sizeof(to), "%s/store.db.damaged-%ld%s", user_dir, now, suffixes[i]);
		if (rename(from, to) == 0 && opt->log != NULL && i == 0) {
			char line[4400];

			snprintf(line, sizeof(line), "kept the damaged database as %s", to);
			opt->log(opt->log_ctx, line);
		}
	}
}

int store_rebuild(const char *user_dir, const struct store_check_options *opt,
		  struct store_check_report *r)
{
	struct found_files found = {NULL, 0, 0};
	struct store *s;
	const char *error;
	int ret;

	set_aside(user_dir, opt);
	ret = store_open(user_dir, STORE_OPEN_CREATE, &s, &error);
	if (ret != STORE_OK)
		return ret;
	r->rebuilt = true;
	scan_files(s->msg_fd, &found);
	for (size_t i = 0; i < found.count && ret == STORE_OK; i += REBUILD_BATCH) {
		size_t n = found.count - i < REBUILD_BATCH ? found.count - i : REBUILD_BATCH;

		ret = adopt_batch(s, &found.v[i], n, r);
	}
	if (opt->log != NULL) {
		char line[256];

		snprintf(line, sizeof(line),
			 "rebuilt the database: %llu messages recovered into INBOX"
			 " (flags and folders are not kept in the files and were lost)",
			 (unsigned long long)r->messages_recovered);
		opt->log(opt->log_ctx, line);
	}
	free(found.v);
	store_close(&s);
	return ret;
}
