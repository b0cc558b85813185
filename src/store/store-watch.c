/* store-watch.c — inotify on each watched user's notify file (see store-watch.h). */
#include "store-watch.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct watch_ref {
	int wd;
	unsigned refs;
};

struct store_watcher {
	int fd;
	struct watch_ref *refs;
	size_t count, cap;
};

int store_watcher_new(struct store_watcher **w_r, const char **error_r)
{
	struct store_watcher *w;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	*w_r = w;
	return 0;
}

void store_watcher_free(struct store_watcher **wp)
{
	struct store_watcher *w = *wp;

	if (w == NULL)
		return;
	close(w->fd);
	free(w->refs);
	free(w);
	*wp = NULL;
}

int store_watcher_fd(const struct store_watcher *w)
{
	return w->fd;
}

static struct watch_ref *find(struct store_watcher *w, int wd)
{
	for (size_t i = 0; i < w->count; i++)
		if (w->refs[i].wd == wd)
			return &w->refs[i];
	return NULL;
}

int store_watcher_add(struct store_watcher *w, const char *user_dir, const char **error_r)
{
	char path[PATH_MAX];
	struct watch_ref *ref;
	int wd;

	snprintf(path, sizeof(path), "%s/notify", user_dir);
	/* The same inode gives the same wd: inotify itself de-duplicates. */
	wd = inotify_add_watch(w->fd, path, IN_MODIFY);
	if (wd < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	ref = find(w, wd);
	if (ref == NULL) {
		if (w->count == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 16;
			w->refs = xreallocarray(w->refs, w->cap, sizeof(*w->refs));
		}
		ref = &w->refs[w->count++];
		ref->wd = wd;
		ref->refs = 0;
	}
	ref->refs++;
	return wd;
}

void store_watcher_remove(struct store_watcher *w, int id)
{
	struct watch_ref *ref = find(w, id);

	if (ref == NULL || --ref->refs > 0)
		return;
	inotify_rm_watch(w->fd, id);
	*ref = w->refs[--w->count];
}

int store_watcher_drain(struct store_watcher *w, store_watch_cb *cb, void *ctx)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* IN_IGNORED: the watch went away (user deleted). */
			if ((ev->mask & IN_MODIFY) && find(w, ev->wd) != NULL)
				cb(ctx, ev->wd);
			p += sizeof(*ev) + ev->len;
		}
	}
}
