/* append-sink.c — large APPEND literals in unnamed temporary files (see
 * append-sink.h). The files are a staging area, not the store: they are
 * never fsynced, because store_append writes the durable message file. */
#include "append-sink.h"
#include "imap/imap-parser.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct append_sink {
	char *dir;          /* store_dir/msg */
	uint64_t max_total; /* bytes in live handles at most */
	uint64_t live;      /* bytes reserved by live handles */
};

struct sink_file {
	struct append_sink *sink;
	int fd;
	uint64_t size, written;
	void *map;
};

struct append_sink *append_sink_new(const char *store_dir, uint64_t append_limit)
{
	struct append_sink *sink = xcalloc(1, sizeof(*sink));
	size_t len = strlen(store_dir) + sizeof("/msg");

	sink->dir = xmalloc(len);
	snprintf(sink->dir, len, "%s/msg", store_dir);
	sink->max_total =
		append_limit > APPEND_SINK_MAX_TOTAL ? append_limit : APPEND_SINK_MAX_TOTAL;
	return sink;
}

void append_sink_free(struct append_sink **sinkp)
{
	struct append_sink *sink = *sinkp;

	if (sink == NULL)
		return;
	if (sink->live != 0)
		log_error("append sink %s: freed with %llu bytes in live literals", sink->dir,
			  (unsigned long long)sink->live);
	free(sink->dir);
	free(sink);
	*sinkp = NULL;
}

uint64_t append_sink_live_bytes(const struct append_sink *sink)
{
	return sink->live;
}

/* An unnamed file in dir: O_TMPFILE, else a name unlinked at once (a
 * crash in between leaves a "tmp.*" file, which store_check removes). */
static int open_unnamed(const char *dir)
{
	size_t len = strlen(dir) + sizeof("/tmp.append.XXXXXX");
	char *path;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	path = xmalloc(len);
	snprintf(path, len, "%s/tmp.append.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		(void)unlink(path);
	free(path);
	return fd;
}

/* Reserve the space now, so a full disk refuses the literal before the
 * client sends it instead of after. */
static int reserve(int fd, uint64_t size)
{
	int err;

	if (size == 0)
		return 0;
	err = posix_fallocate(fd, 0, (off_t)size);
	if (err == 0 || err == EOPNOTSUPP || err == EINVAL)
		return 0;
	errno = err;
	return -1;
}

static void *sink_begin(void *context, uint64_t size, bool literal8)
{
	struct append_sink *sink = context;
	struct sink_file *f;
	int fd;

	(void)literal8;
	if (size > sink->max_total - sink->live) {
		log_info("append sink %s: refused a %llu byte literal (%llu bytes pending)",
			 sink->dir, (unsigned long long)size, (unsigned long long)sink->live);
		return NULL;
	}
	fd = open_unnamed(sink->dir);
	if (fd < 0 || reserve(fd, size) < 0) {
		log_warn("append sink %s: cannot stage a %llu byte literal: %s", sink->dir,
			 (unsigned long long)size, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->sink = sink;
	f->fd = fd;
	f->size = size;
	sink->live += size;
	return f;
}

static int sink_write(void *context, void *handle, const void *data, size_t len)
{
	struct sink_file *f = handle;
	const char *p = data;

	(void)context;
	if (len > f->size - f->written)
		return -1;
	while (len > 0) {
		ssize_t n = pwrite(f->fd, p, len, (off_t)f->written);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("append sink %s: write: %s", f->sink->dir,
				 n < 0 ? strerror(errno) : "nothing written");
			return -1;
		}
		p += n;
		len -= (size_t)n;
		f->written += (uint64_t)n;
	}
	return 0;
}

static int sink_end(void *context, void *handle)
{
	struct sink_file *f = handle;

	(void)context;
	return f->written == f->size ? 0 : -1;
}

static void sink_release(void *context, void *handle)
{
	struct sink_file *f = handle;

	(void)context;
	if (f->map != NULL)
		munmap(f->map, (size_t)f->size);
	close(f->fd);
	f->sink->live -= f->size;
	free(f);
}

void append_sink_attach(struct append_sink *sink, struct imap_parser *parser,
			struct imap_parser_limits *limits)
{
	const struct imap_literal_sink callbacks = {
		.begin = sink_begin,
		.write = sink_write,
		.end = sink_end,
		.release = sink_release,
		.context = sink,
	};

	limits->stream_threshold = APPEND_SINK_THRESHOLD;
	imap_parser_set_sink(parser, &callbacks);
}

int append_sink_map(void *handle, const void **data_r, size_t *size_r, const char **error_r)
{
	struct sink_file *f = handle;

	if (f->written != f->size || f->size == 0 || f->size > SIZE_MAX) {
		*error_r = "literal incomplete";
		return -1;
	}
	if (f->map == NULL) {
		void *map = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);

		if (map == MAP_FAILED) {
			*error_r = strerror(errno);
			return -1;
		}
		/* Read once, front to back, by the parser and the file writer. */
		(void)madvise(map, (size_t)f->size, MADV_SEQUENTIAL);
		f->map = map;
	}
	*data_r = f->map;
	*size_r = (size_t)f->size;
	return 0;
}
