/* export-private.h — the mailbox walk shared by the Maildir and mbox
 * writers (export.c): it lists the mailboxes, reads every message file
 * from the store and hands it to the format's callbacks. */
#ifndef HAFEN_SERVER_MAILIO_EXPORT_PRIVATE_H
#define HAFEN_SERVER_MAILIO_EXPORT_PRIVATE_H

#include "export.h"
#include "lib/buf.h"

struct store_mailbox;
struct store_msg;
struct export;

struct export_format {
	/* A mailbox begins; 0 or -1 (*error_r, output failed). */
	int (*mailbox_begin)(struct export *e, const struct store_mailbox *mb,
			     const char **error_r);
	/* One message; data is its stored bytes. 0, or -1. */
	int (*message)(struct export *e, const struct store_msg *m, const struct buf *data,
		       const char **error_r);
	int (*mailbox_end)(struct export *e, const char **error_r);
};

struct export
{
	struct store *s;
	const char *path;
	const struct export_options *opt;
	struct export_stats *stats;
	void *format_ctx;
	uint64_t total, done;
	bool shown;
	int64_t last_ms;
};

int export_run(struct export *e, const struct export_format *fmt, int *store_err_r,
	       const char **error_r);
/* "path: strerror(errno)", in a static buffer valid until the next error. */
const char *export_errno(struct export *e, const char *path);
/* The same buffer, for other messages. */
char *export_errbuf(size_t *size_r);
/* Make the directory (outside rights); an existing one is fine. */
int export_mkdir(struct export *e, const char *path, const char **error_r);
/* Write all of data to fd. */
int export_write_all(int fd, const void *data, size_t len);
void export_report(struct export *e, const char *fmt, ...) HF_PRINTF(2, 3);

#endif
