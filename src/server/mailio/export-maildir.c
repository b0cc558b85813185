/* export-maildir.c — a user's mailboxes as Maildir++ (see export.h). */
#include "export-private.h"
#include "maildir-keywords.h"
#include "maildir-name.h"
#include "mailio-creds.h"
#include "mailio-text.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct maildir_out {
	char host[256];
	char *dir; /* the folder being written */
	uint32_t uidvalidity;
	struct maildir_keywords kw;
	char **existing; /* base names in cur/ and new/, sorted */
	size_t existing_count;
	bool dropped_reported;
	struct buf body, name;
};

/* The host part of a name: '/' and ':' cannot be in it (the Maildir
 * specification writes them as \057 and \072), nor ',' (Dovecot's
 * S=/W= fields follow). */
static void set_host(struct maildir_out *o)
{
	char raw[200];
	struct buf b = BUF_INIT;

	if (gethostname(raw, sizeof(raw)) < 0 || raw[0] == '\0')
		snprintf(raw, sizeof(raw), "localhost");
	raw[sizeof(raw) - 1] = '\0';
	for (const char *p = raw; *p != '\0'; p++) {
		if (*p == '/' || *p == ':' || *p == ',' || (unsigned char)*p < 0x21 ||
		    (unsigned char)*p > 0x7e)
			buf_printf(&b, "\\%03o", (unsigned char)*p);
		else
			buf_append_byte(&b, (unsigned char)*p);
	}
	snprintf(o->host, sizeof(o->host), "%s", buf_cstr(&b));
	buf_free(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_existing(struct maildir_out *o)
{
	for (size_t i = 0; i < o->existing_count; i++)
		free(o->existing[i]);
	xfree(&o->existing);
	o->existing_count = 0;
}

static void load_existing(struct maildir_out *o)
{
	static const char *const subs[] = {"cur", "new"};

	for (size_t s = 0; s < HF_N_ELEMENTS(subs); s++) {
		char *dir = mailio_path_join(o->dir, subs[s]);
		DIR *d;
		struct dirent *e;

		mailio_creds_outside();
		d = opendir(dir);
		mailio_creds_store();
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			o->existing = xreallocarray(o->existing, o->existing_count + 1,
						    sizeof(*o->existing));
			o->existing[o->existing_count++] = xstrndup(
				e->d_name, maildir_name_base_len(e->d_name, strlen(e->d_name)));
		}
		if (d != NULL)
			closedir(d);
		free(dir);
	}
	if (o->existing_count > 1)
		qsort(o->existing, o->existing_count, sizeof(*o->existing), cmp_str);
}

static bool exists(const struct maildir_out *o, const char *base)
{
	return o->existing_count > 0 && bsearch(&base, o->existing, o->existing_count,
						sizeof(*o->existing), cmp_str) != NULL;
}

/* Write a small file whole: to a temporary name, then renamed. */
static int write_small(struct export *e, const char *dir, const char *name, const struct buf *b,
		       const char **error_r)
{
	char *tmp = mailio_path_join(dir, ".hafen-tmp"), *path = mailio_path_join(dir, name);
	int fd, ret = 0;

	mailio_creds_outside();
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || export_write_all(fd, b->data, b->len) < 0 || rename(tmp, path) < 0) {
		*error_r = export_errno(e, fd < 0 ? tmp : path);
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	mailio_creds_store();
	free(tmp);
	free(path);
	return ret;
}

static int add_keyword(void *ctx, const char *name)
{
	struct export *e = ctx;
	struct maildir_out *o = e->format_ctx;

	if (str_casecmp(name, MAILDIR_FORWARDED_KEYWORD) == 0)
		return 0;
	if (maildir_keywords_index(&o->kw, name, true) < 0 && !o->dropped_reported) {
		o->dropped_reported = true;
		export_report(e,
			      "%s: more than 26 keywords; Maildir cannot hold %s and later ones\n",
			      o->dir, name);
	}
	return 0;
}

/* The folder's keyword letters: those of an earlier export kept, the
 * mailbox's keywords added. */
static int setup_keywords(struct export *e, const struct store_mailbox *mb, const char **error_r)
{
	struct maildir_out *o = e->format_ctx;
	char *path = mailio_path_join(o->dir, MAILDIR_KEYWORDS_FILE);
	struct buf b = BUF_INIT;
	struct stat st;
	const char *err;
	int ret = 0;

	maildir_keywords_init(&o->kw);
	if (mailio_read_file(AT_FDCWD, path, 1 << 20, &b, &st, &err) == 0)
		maildir_keywords_parse(&o->kw, (const char *)b.data, b.len);
	free(path);
	ret = store_mailbox_keywords(e->s, mb->id, add_keyword, e);
	buf_reset(&b);
	maildir_keywords_write(&o->kw, &b);
	if (ret == STORE_OK && b.len > 0)
		ret = write_small(e, o->dir, MAILDIR_KEYWORDS_FILE, &b, error_r);
	else if (ret != STORE_OK) {
		*error_r = store_last_error(e->s);
		ret = -1;
	}
	buf_free(&b);
	return ret;
}

static int folder_dirs(struct export *e, const struct store_mailbox *mb, const char **error_r)
{
	static const char *const subs[] = {"cur", "new", "tmp"};
	struct maildir_out *o = e->format_ctx;
	struct buf name = BUF_INIT;
	int ret = 0;

	if (strcmp(mb->name, "INBOX") == 0) {
		o->dir = xstrdup(e->path);
	} else if (maildir_name_folder_encode(mb->name, e->opt->utf8_names, &name, error_r) < 0) {
		return -1;
	} else {
		o->dir = mailio_path_join(e->path, buf_cstr(&name));
	}
	buf_free(&name);
	ret = export_mkdir(e, o->dir, error_r);
	for (size_t i = 0; i < HF_N_ELEMENTS(subs) && ret == 0; i++) {
		char *sub = mailio_path_join(o->dir, subs[i]);

		ret = export_mkdir(e, sub, error_r);
		free(sub);
	}
	if (ret == 0 && strcmp(mb->name, "INBOX") != 0) {
		/* Maildir++: a folder says it is one. */
		struct buf empty = BUF_INIT;

		ret = write_small(e, o->dir, "maildirfolder", &empty, error_r);
	}
	return ret;
}

static int maildir_mailbox_begin(struct export *e, const struct store_mailbox *mb,
				 const char **error_r)
{
	struct maildir_out *o = e->format_ctx;

	o->uidvalidity = mb->uidvalidity;
	o->dropped_reported = false;
	if (folder_dirs(e, mb, error_r) < 0)
		return -1;
	load_existing(o);
	return setup_keywords(e, mb, error_r);
}

static void info_of(struct export *e, const struct store_msg *m, struct maildir_info *info)
{
	struct maildir_out *o = e->format_ctx;
	const char *p = m->keywords;

	memset(info, 0, sizeof(*info));
	info->flags = m->flags;
	while (p != NULL && *p != '\0') {
		const char *sp = strchr(p, ' ');
		size_t n = sp != NULL ? (size_t)(sp - p) : strlen(p);
		char *kw = xstrndup(p, n);
		int i;

		if (str_casecmp(kw, MAILDIR_FORWARDED_KEYWORD) == 0)
			info->forwarded = true;
		else if ((i = maildir_keywords_index(&o->kw, kw, false)) >= 0)
			info->keyword_mask |= 1u << i;
		else
			e->stats->keywords_dropped++;
		free(kw);
		p = sp != NULL ? sp + 1 : NULL;
	}
}

/* Write tmp/BASE, date it, rename to cur/BASE:2,FLAGS. */
static int write_file(struct export *e, const char *base, const struct buf *body,
		      const struct maildir_info *info, int64_t date, const char **error_r)
{
	struct maildir_out *o = e->format_ctx;
	struct timespec times[2] = {{(time_t)date, 0}, {(time_t)date, 0}};
	char *tmp, *cur;
	int fd, ret = 0;

	buf_reset(&o->name);
	buf_printf(&o->name, "tmp/%s", base);
	tmp = mailio_path_join(o->dir, buf_cstr(&o->name));
	buf_reset(&o->name);
	buf_printf(&o->name, "cur/%s", base);
	maildir_name_write_info(info, &o->name);
	cur = mailio_path_join(o->dir, buf_cstr(&o->name));
	mailio_creds_outside();
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || export_write_all(fd, body->data, body->len) < 0 || futimens(fd, times) < 0 ||
	    rename(tmp, cur) < 0) {
		*error_r = export_errno(e, fd < 0 ? tmp : cur);
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	mailio_creds_store();
	free(tmp);
	free(cur);
	return ret;
}

static int maildir_message(struct export *e, const struct store_msg *m, const struct buf *data,
			   const char **error_r)
{
	struct maildir_out *o = e->format_ctx;
	struct maildir_info info;
	char base[512];

	buf_reset(&o->body);
	if (mailio_lf_reversible(data->data, data->len))
		mailio_to_lf(data->data, data->len, &o->body);
	else
		buf_append(&o->body, data->data, data->len);
	snprintf(base, sizeof(base), "%lld.V%uU%u.%s,S=%zu,W=%zu", (long long)m->internaldate,
		 o->uidvalidity, m->uid, o->host, o->body.len, data->len);
	if (exists(o, base)) {
		e->stats->present++;
		return 0;
	}
	info_of(e, m, &info);
	if (write_file(e, base, &o->body, &info, m->internaldate, error_r) < 0)
		return -1;
	e->stats->exported++;
	return 0;
}

static int maildir_mailbox_end(struct export *e, const char **error_r)
{
	struct maildir_out *o = e->format_ctx;

	(void)error_r;
	free_existing(o);
	maildir_keywords_clear(&o->kw);
	xfree(&o->dir);
	return 0;
}

static const struct export_format maildir_writer = {maildir_mailbox_begin, maildir_message,
						    maildir_mailbox_end};

int export_maildir(struct store *s, const char *path, const struct export_options *opt,
		   struct export_stats *stats_r, int *store_err_r, const char **error_r)
{
	struct maildir_out o;
	struct export e;
	int ret, fd;

	memset(&o, 0, sizeof(o));
	memset(&e, 0, sizeof(e));
	memset(stats_r, 0, sizeof(*stats_r));
	set_host(&o);
	e.s = s;
	e.path = path;
	e.opt = opt;
	e.stats = stats_r;
	e.format_ctx = &o;
	ret = export_run(&e, &maildir_writer, store_err_r, error_r);
	if (o.dir != NULL)
		maildir_mailbox_end(&e, error_r);
	buf_free(&o.body);
	buf_free(&o.name);
	/* One sync for every file written, rather than one per message. */
	mailio_creds_outside();
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ret == 0 && (fd < 0 || syncfs(fd) < 0)) {
		*error_r = export_errno(&e, path);
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	mailio_creds_store();
	return ret;
}
