/* export.c — the mailbox walk of an export, and its progress (see
 * export-private.h). */
#include "export-private.h"
#include "mailio-creds.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct names {
	char **names;
	size_t count;
};

static int collect(void *ctx, const struct store_mailbox *mb)
{
	struct names *n = ctx;

	if (mb->noselect)
		return 0;
	n->names = xreallocarray(n->names, n->count + 1, sizeof(*n->names));
	n->names[n->count++] = xstrdup(mb->name);
	return 0;
}

static char errbuf[4400];

char *export_errbuf(size_t *size_r)
{
	*size_r = sizeof(errbuf);
	return errbuf;
}

const char *export_errno(struct export *e, const char *path)
{
	(void)e;
	snprintf(errbuf, sizeof(errbuf), "%s: %s", path, strerror(errno));
	return errbuf;
}

int export_mkdir(struct export *e, const char *path, const char **error_r)
{
	struct stat st;
	int ret;

	mailio_creds_outside();
	ret = mkdir(path, 0700);
	if (ret < 0 && errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		ret = 0;
	if (ret < 0)
		*error_r = export_errno(e, path);
	mailio_creds_store();
	return ret;
}

int export_write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void export_progress_clear(struct export *e)
{
	if (e->shown && e->opt->progress != NULL) {
		fputs("\r\033[K", e->opt->progress);
		fflush(e->opt->progress);
	}
	e->shown = false;
}

void export_report(struct export *e, const char *fmt, ...)
{
	va_list ap;

	export_progress_clear(e);
	va_start(ap, fmt);
	vfprintf(e->opt->report, fmt, ap);
	va_end(ap);
	fflush(e->opt->report);
}

static void export_progress(struct export *e)
{
	int64_t now;

	if (e->opt->progress == NULL)
		return;
	now = clock_monotonic_ms();
	if (now - e->last_ms < 100)
		return;
	e->last_ms = now;
	fprintf(e->opt->progress, "\r\033[Kexporting: %llu/%llu messages",
		(unsigned long long)e->done, (unsigned long long)e->total);
	fflush(e->opt->progress);
	e->shown = true;
}

static int read_message(struct export *e, const struct store_msg *m, struct buf *data)
{
	int fd, ret = store_msg_open(e->s, m, &fd);
	ssize_t n;

	if (ret != STORE_OK)
		return ret;
	buf_reset(data);
	buf_reserve(data, (size_t)m->size);
	do {
		buf_reserve(data, 65536);
		n = read(fd, data->data + data->len, data->cap - data->len);
		if (n > 0)
			data->len += (size_t)n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	close(fd);
	return n < 0 ? STORE_ERR_IO : STORE_OK;
}

static int export_mailbox(struct export *e, const struct export_format *fmt,
			  const struct store_mailbox *mb, int *store_err_r, const char **error_r)
{
	struct buf data = BUF_INIT;
	struct store_fetch *f;
	const struct store_msg *m;
	uint64_t before = e->stats->exported;
	int ret = fmt->mailbox_begin(e, mb, error_r), err;

	if (ret < 0)
		return -1;
	err = store_fetch_begin(e->s, mb->id, NULL, 0, &f);
	while (err >= 0 && ret == 0 && (err = store_fetch_next(f, &m)) == 1) {
		err = read_message(e, m, &data);
		if (err == STORE_OK)
			ret = fmt->message(e, m, &data, error_r);
		e->done++;
		export_progress(e);
	}
	store_fetch_end(&f);
	buf_free(&data);
	if (err < 0) {
		*store_err_r = err;
		snprintf(errbuf, sizeof(errbuf), "%s: %s", mb->name, store_last_error(e->s));
		*error_r = errbuf;
		return -1;
	}
	if (ret < 0 || fmt->mailbox_end(e, error_r) < 0)
		return -1;
	e->stats->mailboxes++;
	export_report(e, "%s: %llu exported\n", mb->name,
		      (unsigned long long)(e->stats->exported - before));
	return 0;
}

int export_run(struct export *e, const struct export_format *fmt, int *store_err_r,
	       const char **error_r)
{
	struct names n = {NULL, 0};
	int ret = store_mailbox_list(e->s, NULL, collect, &n);

	*store_err_r = ret;
	if (ret != STORE_OK) {
		*error_r = store_last_error(e->s);
		return -1;
	}
	ret = export_mkdir(e, e->path, error_r);
	for (size_t i = 0; i < n.count && ret == 0; i++) {
		struct store_mailbox mb;

		ret = store_mailbox_get(e->s, n.names[i], &mb);
		if (ret == STORE_ERR_NONEXISTENT)
			continue; /* deleted meanwhile */
		if (ret != STORE_OK) {
			*store_err_r = ret;
			*error_r = store_last_error(e->s);
			ret = -1;
			break;
		}
		e->total += mb.messages;
		store_mailbox_clear(&mb);
	}
	for (size_t i = 0; i < n.count && ret == 0; i++) {
		struct store_mailbox mb;

		if (store_mailbox_get(e->s, n.names[i], &mb) != STORE_OK)
			continue;
		ret = export_mailbox(e, fmt, &mb, store_err_r, error_r);
		store_mailbox_clear(&mb);
	}
	for (size_t i = 0; i < n.count; i++)
		free(n.names[i]);
	free(n.names);
	export_progress_clear(e);
	return ret;
}
