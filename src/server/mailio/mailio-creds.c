/* mailio-creds.c — effective id switching for import and export, and
 * reading outside files (see mailio-creds.h). */
#include "mailio-creds.h"
#include "lib/err.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct run_as creds;
static bool on_store_side;

void mailio_creds_store(void)
{
	if (!creds.active || on_store_side)
		return;
	if (setegid(creds.gid) < 0 || seteuid(creds.uid) < 0)
		hf_panic("cannot switch to user %s: %s", creds.name, strerror(errno));
	on_store_side = true;
}

void mailio_creds_outside(void)
{
	if (!creds.active || !on_store_side)
		return;
	if (seteuid(0) < 0 || setegid(0) < 0)
		hf_panic("cannot switch back to root: %s", strerror(errno));
	on_store_side = false;
}

int mailio_creds_init(const struct run_as *ra, const char **error_r)
{
	static char errbuf[256];

	creds = *ra;
	on_store_side = false;
	if (!creds.active)
		return 0;
	if (setegid(creds.gid) < 0 || seteuid(creds.uid) < 0) {
		snprintf(errbuf, sizeof(errbuf), "cannot switch to user %s: %s", creds.name,
			 strerror(errno));
		*error_r = errbuf;
		return -1;
	}
	on_store_side = true;
	return 0;
}

void mailio_creds_done(void)
{
	mailio_creds_outside();
	creds.active = false;
}

char *mailio_path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static int read_fd(int fd, size_t size, struct buf *out)
{
	size_t got = 0;

	buf_reserve(out, size);
	while (got < size) {
		ssize_t n = read(fd, out->data + out->len, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break; /* shrank meanwhile: take what is there */
		out->len += (size_t)n;
		got += (size_t)n;
	}
	return 0;
}

int mailio_read_file(int dirfd, const char *path, uint64_t max, struct buf *out, struct stat *st_r,
		     const char **error_r)
{
	static char errbuf[512];
	int fd, ret = -1;

	mailio_creds_outside();
	fd = openat(dirfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	mailio_creds_store();
	buf_reset(out);
	if (fd < 0 || fstat(fd, st_r) < 0)
		snprintf(errbuf, sizeof(errbuf), "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st_r->st_mode))
		snprintf(errbuf, sizeof(errbuf), "%s: not a regular file", path);
	else if ((uint64_t)st_r->st_size > max)
		ret = 1;
	else if (read_fd(fd, (size_t)st_r->st_size, out) < 0)
		snprintf(errbuf, sizeof(errbuf), "%s: %s", path, strerror(errno));
	else
		ret = 0;
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		*error_r = errbuf;
	return ret;
}
