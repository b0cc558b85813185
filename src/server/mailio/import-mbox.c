/* import-mbox.c — import an mbox file (into INBOX) or a tree of them: each
 * file is a mailbox named by its path below the root, a directory a level
 * of the hierarchy (Thunderbird's "Name.sbd" directories too). Dot files,
 * Thunderbird's ".msf" indexes and files that are not mbox are skipped.
 *
 * The internal date is the From_ line's; flags and keywords come from the
 * bookkeeping fields (mbox-meta.h), which are taken out. */
#include "import.h"
#include "maildir-name.h"
#include "mailio-creds.h"
#include "mbox-meta.h"
#include "mbox-read.h"
#include "lib/mem.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MBOX_TREE_DEPTH 32
#define MBOX_READ_CHUNK (256u << 10)

struct mbox_file {
	char *path;
	char *rel; /* path below the root, ".sbd" taken off directories */
	uint64_t size;
};

struct tree {
	struct mbox_file *files;
	size_t count;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static void add_file(struct tree *t, const char *path, const char *rel, uint64_t size)
{
	t->files = xreallocarray(t->files, t->count + 1, sizeof(*t->files));
	t->files[t->count].path = xstrdup(path);
	t->files[t->count].rel = xstrdup(rel);
	t->files[t->count++].size = size;
}

static void walk(struct tree *t, const char *dir, const char *rel, int depth)
{
	DIR *d;
	struct dirent *e;

	mailio_creds_outside();
	d = depth < MBOX_TREE_DEPTH ? opendir(dir) : NULL;
	mailio_creds_store();
	while (d != NULL && (e = readdir(d)) != NULL) {
		char *path, *name, *level;
		struct stat st;
		int ok;

		if (e->d_name[0] == '.' || ends_with(e->d_name, ".msf"))
			continue;
		path = mailio_path_join(dir, e->d_name);
		mailio_creds_outside();
		ok = stat(path, &st);
		mailio_creds_store();
		level = xstrdup(e->d_name);
		if (ok == 0 && S_ISDIR(st.st_mode) && ends_with(level, ".sbd"))
			level[strlen(level) - 4] = '\0';
		name = rel[0] != '\0' ? mailio_path_join(rel, level) : xstrdup(level);
		if (ok == 0 && S_ISDIR(st.st_mode))
			walk(t, path, name, depth + 1);
		else if (ok == 0 && S_ISREG(st.st_mode))
			add_file(t, path, name, (uint64_t)st.st_size);
		free(path);
		free(name);
		free(level);
	}
	if (d != NULL)
		closedir(d);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct mbox_file *)a)->rel, ((const struct mbox_file *)b)->rel);
}

static void split_keywords(struct buf *kw, const char ***list_r, size_t *count_r)
{
	char *p = buf_cstr(kw);
	const char **list = NULL;
	size_t n = 0;

	while (*p != '\0') {
		char *sp = strchr(p, ' ');

		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = p;
		if (sp == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	*list_r = list;
	*count_r = n;
}

struct one_file {
	struct importer *im;
	const struct mbox_file *f;
	const char *mailbox;
	bool opened; /* the mailbox was selected */
	struct buf stripped;
};

/* Select the mailbox at the first message (a file that turns out not to be
 * mbox creates nothing). 0, 1 (skip the file), -1. */
static int ensure_mailbox(struct one_file *o, const char **error_r)
{
	int ret;

	if (o->opened)
		return 0;
	ret = importer_mailbox(o->im, o->mailbox, error_r);
	o->opened = ret == 0;
	return ret;
}

static int take_mbox_message(struct one_file *o, const struct mbox_message *msg,
			     const char **error_r)
{
	struct mbox_meta meta;
	struct import_msg m;
	const char **kws;
	char what[4200];
	int ret = ensure_mailbox(o, error_r);

	if (ret != 0)
		return ret;
	snprintf(what, sizeof(what), "%s, message at byte %llu", o->f->path,
		 (unsigned long long)msg->offset);
	if (msg->too_big) {
		importer_skip(o->im, what, "larger than append_limit");
		return 0;
	}
	memset(&meta, 0, sizeof(meta));
	buf_reset(&o->stripped);
	mbox_meta_extract(msg->data, msg->len, &o->stripped, &meta);
	if (meta.pseudo || o->stripped.len == 0) {
		if (!meta.pseudo)
			importer_skip(o->im, what, "empty message");
		mbox_meta_clear(&meta);
		return 0;
	}
	memset(&m, 0, sizeof(m));
	split_keywords(&meta.keywords, &kws, &m.keyword_count);
	m.keywords = kws;
	m.data = o->stripped.data;
	m.len = o->stripped.len;
	m.flags = meta.flags;
	m.internaldate = msg->from.time;
	m.tz = msg->from.tz;
	ret = importer_add(o->im, &m, error_r);
	free(kws);
	mbox_meta_clear(&meta);
	return ret;
}

/* Feed the file to the reader; each message to take_message. */
static int read_messages(struct one_file *o, int fd, const char **error_r)
{
	struct mbox_reader *r = mbox_reader_new(importer_options(o->im)->mbox_format,
						(size_t)importer_options(o->im)->max_message);
	unsigned char *chunk = xmalloc(MBOX_READ_CHUNK);
	struct mbox_message msg;
	const char *rerr = NULL;
	ssize_t n;
	int ret = 0;

	while (ret == 0 && (n = read(fd, chunk, MBOX_READ_CHUNK)) > 0) {
		size_t pos = 0, used;
		int got;

		while (ret == 0 && pos < (size_t)n &&
		       (got = mbox_reader_feed(r, chunk + pos, (size_t)n - pos, &used, &msg,
					       &rerr)) != 0) {
			pos += used;
			ret = got < 0 ? 2 : take_mbox_message(o, &msg, error_r);
		}
		importer_progress_add(o->im, (uint64_t)n);
	}
	while (ret == 0) {
		int got = mbox_reader_finish(r, &msg, &rerr);

		if (got <= 0) {
			ret = got < 0 ? 2 : 0;
			break;
		}
		ret = take_mbox_message(o, &msg, error_r);
	}
	if (ret == 2)
		importer_skip(o->im, o->f->path, rerr);
	/* An empty file is an empty mailbox. */
	if (ret == 0 && o->f->size == 0)
		ret = ensure_mailbox(o, error_r);
	mbox_reader_free(&r);
	free(chunk);
	return ret < 0 ? -1 : 0;
}

static int import_mbox_file(struct importer *im, const struct mbox_file *f, const char *mailbox,
			    const char **error_r)
{
	struct one_file o = {im, f, mailbox, false, BUF_INIT};
	int fd, ret;

	mailio_creds_outside();
	fd = open(f->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	mailio_creds_store();
	if (fd < 0) {
		importer_skip(im, f->path, strerror(errno));
		return 0;
	}
	ret = read_messages(&o, fd, error_r);
	close(fd);
	buf_free(&o.stripped);
	return ret;
}

static int import_tree(struct importer *im, struct tree *t, const char **error_r)
{
	uint64_t total = 0;
	int ret = 0;

	if (t->count > 1)
		qsort(t->files, t->count, sizeof(*t->files), cmp_file);
	for (size_t i = 0; i < t->count; i++)
		total += t->files[i].size;
	importer_progress_total(im, total, true);
	for (size_t i = 0; i < t->count && ret == 0; i++) {
		struct buf name = BUF_INIT;
		const char *error;

		if (maildir_name_folder_decode(t->files[i].rel, strlen(t->files[i].rel),
					       MAILDIR_LAYOUT_TREE, &name, &error) < 0)
			importer_skip(im, t->files[i].path, error);
		else
			ret = import_mbox_file(im, &t->files[i], buf_cstr(&name), error_r);
		buf_free(&name);
	}
	return ret;
}

int import_mbox(struct importer *im, const char *path, const char **error_r)
{
	struct tree t = {NULL, 0};
	struct stat st;
	int ret;

	mailio_creds_outside();
	ret = stat(path, &st);
	mailio_creds_store();
	if (ret < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		add_file(&t, path, "INBOX", (uint64_t)st.st_size);
	} else if (S_ISDIR(st.st_mode)) {
		walk(&t, path, "", 0);
	} else {
		*error_r = "neither a file nor a directory";
		return -1;
	}
	ret = import_tree(im, &t, error_r);
	for (size_t i = 0; i < t.count; i++) {
		free(t.files[i].path);
		free(t.files[i].rel);
	}
	free(t.files);
	return ret;
}
