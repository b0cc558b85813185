/* import-maildir.c — walk a Maildir: the root (INBOX) with its Maildir++
 * ".A.B" folders, or a tree of maildirs (Dovecot's LAYOUT=fs, mbsync's
 * SubFolders Verbatim), and import every message of cur/ and new/ (tmp/
 * holds deliveries in progress and is left alone).
 *
 * Flags come from the ":2," info, keywords from the letters a..z through
 * the folder's dovecot-keywords file, the internal date from the file's
 * modification time (Dovecot keeps the received date there). Messages go
 * in oldest first, as they arrived. */
#include "import.h"
#include "maildir-keywords.h"
#include "maildir-name.h"
#include "mailio-creds.h"
#include "lib/mem.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Deeper trees than this are not followed (a symlink loop, a mistake). */
#define MAILDIR_TREE_DEPTH 32

struct folder {
	char *path; /* directory on disk */
	char *name; /* mailbox name */
};

struct walk {
	struct importer *im;
	struct folder *folders;
	size_t count;
};

struct entry {
	char *name; /* "cur/..." or "new/..." */
	int64_t mtime;
};

static bool is_dir(const char *path)
{
	struct stat st;
	bool ret;

	mailio_creds_outside();
	ret = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	mailio_creds_store();
	return ret;
}

static bool is_maildir(const char *path)
{
	char *cur = mailio_path_join(path, "cur"), *new = mailio_path_join(path, "new");
	bool ret = is_dir(cur) || is_dir(new);

	free(cur);
	free(new);
	return ret;
}

static DIR *open_dir(const char *path)
{
	DIR *d;

	mailio_creds_outside();
	d = opendir(path);
	mailio_creds_store();
	return d;
}

static void add_folder(struct walk *w, const char *path, const char *name)
{
	w->folders = xreallocarray(w->folders, w->count + 1, sizeof(*w->folders));
	w->folders[w->count].path = xstrdup(path);
	w->folders[w->count++].name = xstrdup(name);
}

static bool skip_name(const char *n)
{
	return strcmp(n, "cur") == 0 || strcmp(n, "new") == 0 || strcmp(n, "tmp") == 0;
}

/* A tree of maildirs below dir; rel is the mailbox name so far. */
static void find_tree(struct walk *w, const char *dir, const char *rel, int depth)
{
	DIR *d = depth < MAILDIR_TREE_DEPTH ? open_dir(dir) : NULL;
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char *path, *name;

		if (e->d_name[0] == '.' || skip_name(e->d_name))
			continue;
		path = mailio_path_join(dir, e->d_name);
		name = rel[0] != '\0' ? mailio_path_join(rel, e->d_name) : xstrdup(e->d_name);
		if (is_dir(path)) {
			if (is_maildir(path))
				add_folder(w, path, name);
			find_tree(w, path, name, depth + 1);
		}
		free(path);
		free(name);
	}
	if (d != NULL)
		closedir(d);
}

static int cmp_folder(const void *a, const void *b)
{
	return strcmp(((const struct folder *)a)->name, ((const struct folder *)b)->name);
}

/* Decode every folder's on-disk name into a mailbox name; folders whose
 * name cannot be mapped are reported and dropped. */
static void decode_names(struct walk *w, size_t tree_from)
{
	size_t keep = 0;

	for (size_t i = 0; i < w->count; i++) {
		struct folder *f = &w->folders[i];
		struct buf name = BUF_INIT;
		const char *error;
		enum maildir_layout layout =
			i >= tree_from ? MAILDIR_LAYOUT_TREE : MAILDIR_LAYOUT_MAILDIRPP;
		int ret = strcmp(f->name, "INBOX") == 0 && i == 0
				  ? (buf_append_str(&name, "INBOX"), 0)
				  : maildir_name_folder_decode(f->name, strlen(f->name), layout,
							       &name, &error);

		if (ret < 0) {
			importer_skip(w->im, f->path, error);
			free(f->path);
			free(f->name);
			buf_free(&name);
			continue;
		}
		free(f->name);
		w->folders[keep].path = f->path;
		w->folders[keep].name = buf_detach(&name, NULL);
		keep++;
	}
	w->count = keep;
}

static void find_folders(struct walk *w, const char *root)
{
	DIR *d = open_dir(root);
	struct dirent *e;
	size_t tree_from;

	if (is_maildir(root))
		add_folder(w, root, "INBOX");
	while (d != NULL && (e = readdir(d)) != NULL) {
		char *path;

		if (e->d_name[0] != '.' || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		path = mailio_path_join(root, e->d_name);
		if (is_maildir(path))
			add_folder(w, path, e->d_name + 1);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	tree_from = w->count;
	find_tree(w, root, "", 0);
	decode_names(w, tree_from);
	if (w->count > 1)
		qsort(w->folders + 1, w->count - 1, sizeof(*w->folders), cmp_folder);
}

/* The message files of cur/ and new/, oldest first. */
static void list_messages(const char *folder, struct entry **entries_r, size_t *count_r)
{
	static const char *const subs[] = {"cur", "new"};
	struct entry *entries = NULL;
	size_t count = 0;

	for (size_t s = 0; s < HF_N_ELEMENTS(subs); s++) {
		char *dir = mailio_path_join(folder, subs[s]);
		DIR *d = open_dir(dir);
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			struct stat st;

			if (e->d_name[0] == '.')
				continue;
			mailio_creds_outside();
			if (fstatat(dirfd(d), e->d_name, &st, 0) < 0)
				st.st_mtime = 0;
			mailio_creds_store();
			entries = xreallocarray(entries, count + 1, sizeof(*entries));
			entries[count].name = mailio_path_join(subs[s], e->d_name);
			entries[count++].mtime = (int64_t)st.st_mtime;
		}
		if (d != NULL)
			closedir(d);
		free(dir);
	}
	*entries_r = entries;
	*count_r = count;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void read_keywords(const char *folder, struct maildir_keywords *kw)
{
	char *path = mailio_path_join(folder, MAILDIR_KEYWORDS_FILE);
	struct buf data = BUF_INIT;
	struct stat st;
	const char *error;

	maildir_keywords_init(kw);
	if (mailio_read_file(AT_FDCWD, path, 1 << 20, &data, &st, &error) == 0)
		maildir_keywords_parse(kw, (const char *)data.data, data.len);
	free(path);
	buf_free(&data);
}

static int local_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	return localtime_r(&tt, &tm) != NULL ? (int)(tm.tm_gmtoff / 60) : 0;
}

static int import_maildir_file(struct importer *im, const char *folder, const struct entry *e,
			       struct maildir_keywords *kw, struct buf *data, const char **error_r)
{
	const char *kws[MAILDIR_KEYWORD_LETTERS + 1], *error;
	char *path = mailio_path_join(folder, e->name);
	struct maildir_info info;
	struct import_msg m;
	struct stat st;
	size_t nkw = 0;
	int ret = mailio_read_file(AT_FDCWD, path, importer_options(im)->max_message, data, &st,
				   &error);

	if (ret != 0 || data->len == 0) {
		importer_skip(im, path,
			      ret < 0   ? error
			      : ret > 0 ? "larger than append_limit"
					: "empty file");
		free(path);
		return 0;
	}
	free(path);
	maildir_name_parse_info(e->name, strlen(e->name), &info);
	for (unsigned i = 0; i < MAILDIR_KEYWORD_LETTERS; i++)
		if ((info.keyword_mask & (1u << i)) != 0 && kw->names[i] != NULL)
			kws[nkw++] = kw->names[i];
	if (info.forwarded)
		kws[nkw++] = MAILDIR_FORWARDED_KEYWORD;
	memset(&m, 0, sizeof(m));
	m.data = data->data;
	m.len = data->len;
	m.flags = info.flags;
	m.keywords = kws;
	m.keyword_count = nkw;
	m.internaldate = (int64_t)st.st_mtime;
	m.tz = local_offset(m.internaldate);
	return importer_add(im, &m, error_r);
}

static int import_folder(struct importer *im, const struct folder *f, const char **error_r)
{
	struct maildir_keywords kw;
	struct entry *entries;
	struct buf data = BUF_INIT;
	size_t count;
	int ret = importer_mailbox(im, f->name, error_r);

	if (ret != 0)
		return ret < 0 ? -1 : 0;
	read_keywords(f->path, &kw);
	list_messages(f->path, &entries, &count);
	if (count > 1)
		qsort(entries, count, sizeof(*entries), cmp_entry);
	for (size_t i = 0; i < count && ret == 0; i++) {
		ret = import_maildir_file(im, f->path, &entries[i], &kw, &data, error_r);
		importer_progress_add(im, 1);
	}
	for (size_t i = 0; i < count; i++)
		free(entries[i].name);
	free(entries);
	buf_free(&data);
	maildir_keywords_clear(&kw);
	return ret;
}

static uint64_t count_messages(const struct walk *w)
{
	uint64_t total = 0;

	for (size_t i = 0; i < w->count; i++) {
		struct entry *entries;
		size_t count;

		list_messages(w->folders[i].path, &entries, &count);
		for (size_t j = 0; j < count; j++)
			free(entries[j].name);
		free(entries);
		total += count;
	}
	return total;
}

int import_maildir(struct importer *im, const char *path, const char **error_r)
{
	struct walk w = {im, NULL, 0};
	int ret = 0;

	if (!is_dir(path)) {
		*error_r = "not a directory";
		return -1;
	}
	find_folders(&w, path);
	if (w.count == 0 && importer_stats(im)->skipped == 0) {
		*error_r = "no maildir there (no cur/ or new/ in it or below it)";
		return -1;
	}
	importer_progress_total(im, count_messages(&w), false);
	for (size_t i = 0; i < w.count && ret == 0; i++)
		ret = import_folder(im, &w.folders[i], error_r);
	for (size_t i = 0; i < w.count; i++) {
		free(w.folders[i].path);
		free(w.folders[i].name);
	}
	free(w.folders);
	return ret;
}
