/* import.h — bringing messages from Maildir and mbox into a user's store.
 *
 * The walkers (import-maildir.c, import-mbox.c) find folders and messages
 * and hand each message to the importer, which maps it into a mailbox
 * (created and subscribed when missing), skips it when the mailbox
 * already holds the same bytes (import-dedup.h), and appends the rest in
 * batches, each one store_append (all or nothing).
 *
 * Crash and re-run: an import acknowledges nothing to anybody. The store
 * commits each batch atomically, after its files are durable; a crash
 * loses at most the batch in flight, and leaves no row without its file.
 * Run again, the importer finds every message committed before the crash
 * already present (by content, one stored copy per source copy) and
 * appends only the rest: nothing is lost, nothing is doubled.
 *
 * Problems with single source items (an unreadable file, a folder name
 * that cannot be mapped, an oversized or empty message) are reported on
 * the report stream and counted as skipped; the import goes on. A store
 * error stops it.
 */
#ifndef HAFEN_SERVER_MAILIO_IMPORT_H
#define HAFEN_SERVER_MAILIO_IMPORT_H

#include "mbox-from.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;
struct importer;

/* A batch is appended when it holds this many messages or bytes. */
#define IMPORT_BATCH_MESSAGES 256
#define IMPORT_BATCH_BYTES    (32u << 20)

struct import_options {
	uint64_t max_message; /* larger messages are skipped (append_limit) */
	enum mbox_format mbox_format;
	FILE *report;   /* skipped items and the summary */
	FILE *progress; /* a progress line (a terminal), or NULL */
};

struct import_stats {
	uint64_t imported;  /* appended now */
	uint64_t present;   /* already in the mailbox */
	uint64_t skipped;   /* could not be imported (reported) */
	uint64_t mailboxes; /* mailboxes imported into */
	uint64_t created;   /* of which created now */
};

/* A message as found: data with any line ends (made CRLF here). */
struct import_msg {
	const void *data;
	size_t len;
	unsigned flags;              /* enum store_flag */
	const char *const *keywords; /* invalid ones are dropped */
	size_t keyword_count;
	int64_t internaldate; /* unix time */
	int tz;               /* minutes east of UTC */
};

struct importer *importer_new(struct store *s, const struct import_options *opt);
/* Frees; an unflushed batch is dropped (call importer_finish first). */
void importer_free(struct importer **imp);
const struct import_options *importer_options(const struct importer *im);

/* Progress is counted in units the walker chooses (messages or bytes). */
void importer_progress_total(struct importer *im, uint64_t total, bool bytes);
void importer_progress_add(struct importer *im, uint64_t n);

/* Messages from now on go to this mailbox (UTF-8, '/' between levels);
 * the batch so far is appended first. Returns 0, -1 on a store error, 1
 * when the name cannot be a mailbox (reported; the caller skips the
 * folder). */
int importer_mailbox(struct importer *im, const char *name, const char **error_r);
/* Take one message. 0, or -1 on a store error (*error_r). */
int importer_add(struct importer *im, const struct import_msg *m, const char **error_r);
/* Report a source item that is skipped ("what: why"). */
void importer_skip(struct importer *im, const char *what, const char *why);
/* Append what is left. 0 or -1 (*error_r). */
int importer_finish(struct importer *im, const char **error_r);
const struct import_stats *importer_stats(const struct importer *im);
/* The store error that stopped the import (STORE_OK when none). */
int importer_store_error(const struct importer *im);

/* The walkers. path is outside (read with outside rights). They return 0
 * when the walk is complete (items may have been skipped), -1 with
 * *error_r when the source is not what it should be or the store failed. */
int import_maildir(struct importer *im, const char *path, const char **error_r);
int import_mbox(struct importer *im, const char *path, const char **error_r);

#endif
