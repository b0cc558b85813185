/* export-mbox.c — a user's mailboxes as a tree of mbox files (see
 * export.h). */
#include "export-private.h"
#include "maildir-name.h"
#include "mailio-creds.h"
#include "mbox-meta.h"
#include "lib/mem.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Output is written when this much is buffered. */
#define MBOX_WRITE_CHUNK (1u << 20)

struct mbox_out {
	char *tmp, *final; /* the file being written and its name when done */
	int fd;
	struct buf out;
};

/* PATH/A.sbd/B.sbd/C for "A/B/C", making the directories. */
static int file_path(struct export *e, const char *name, struct buf *path, const char **error_r)
{
	size_t len = strlen(name), begin = 0;

	buf_append_str(path, e->path);
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		buf_append_byte(path, '/');
		if (maildir_name_level_encode(name + begin, i - begin, MAILDIR_LAYOUT_TREE,
					      e->opt->utf8_names, path, error_r) < 0)
			return -1;
		if (i < len) {
			buf_append_str(path, ".sbd");
			if (export_mkdir(e, buf_cstr(path), error_r) < 0)
				return -1;
		}
		begin = i + 1;
	}
	return 0;
}

static int mbox_mailbox_begin(struct export *e, const struct store_mailbox *mb,
			      const char **error_r)
{
	struct mbox_out *o = e->format_ctx;
	struct buf path = BUF_INIT;
	char *slash;

	if (file_path(e, mb->name, &path, error_r) < 0) {
		buf_free(&path);
		return -1;
	}
	o->final = buf_detach(&path, NULL);
	/* The temporary file beside it: ".NAME.hafen-tmp" (a dot file, so an
	 * import never takes it for a mailbox). */
	slash = strrchr(o->final, '/');
	buf_append(&path, o->final, (size_t)(slash + 1 - o->final));
	buf_printf(&path, ".%s.hafen-tmp", slash + 1);
	o->tmp = buf_detach(&path, NULL);
	mailio_creds_outside();
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	mailio_creds_store();
	if (o->fd < 0) {
		*error_r = export_errno(e, o->tmp);
		return -1;
	}
	return 0;
}

static int flush_out(struct export *e, const char **error_r)
{
	struct mbox_out *o = e->format_ctx;

	if (export_write_all(o->fd, o->out.data, o->out.len) < 0) {
		*error_r = export_errno(e, o->tmp);
		return -1;
	}
	buf_reset(&o->out);
	return 0;
}

static int mbox_message(struct export *e, const struct store_msg *m, const struct buf *data,
			const char **error_r)
{
	struct mbox_out *o = e->format_ctx;

	mbox_write_record(data->data, data->len, m->flags, m->keywords, m->internaldate,
			  m->tz_offset, e->opt->mbox_format, &o->out);
	e->stats->exported++;
	return o->out.len >= MBOX_WRITE_CHUNK ? flush_out(e, error_r) : 0;
}

static void close_out(struct mbox_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	xfree(&o->tmp);
	xfree(&o->final);
	buf_reset(&o->out);
}

static int mbox_mailbox_end(struct export *e, const char **error_r)
{
	struct mbox_out *o = e->format_ctx;
	int ret = flush_out(e, error_r);

	if (ret == 0 && fsync(o->fd) < 0) {
		*error_r = export_errno(e, o->tmp);
		ret = -1;
	}
	mailio_creds_outside();
	if (ret == 0 && rename(o->tmp, o->final) < 0) {
		*error_r = export_errno(e, o->final);
		ret = -1;
	}
	if (ret < 0)
		unlink(o->tmp);
	mailio_creds_store();
	close_out(o);
	return ret;
}

static const struct export_format mbox_writer = {mbox_mailbox_begin, mbox_message,
						 mbox_mailbox_end};

int export_mbox(struct store *s, const char *path, const struct export_options *opt,
		struct export_stats *stats_r, int *store_err_r, const char **error_r)
{
	struct mbox_out o;
	struct export e;
	int ret, fd;

	memset(&o, 0, sizeof(o));
	memset(&e, 0, sizeof(e));
	memset(stats_r, 0, sizeof(*stats_r));
	o.fd = -1;
	e.s = s;
	e.path = path;
	e.opt = opt;
	e.stats = stats_r;
	e.format_ctx = &o;
	ret = export_run(&e, &mbox_writer, store_err_r, error_r);
	if (o.tmp != NULL) {
		/* Stopped in the middle of a mailbox: leave no half file. */
		mailio_creds_outside();
		unlink(o.tmp);
		mailio_creds_store();
	}
	close_out(&o);
	buf_free(&o.out);
	/* The renames of the mailbox files, made durable at once. */
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
