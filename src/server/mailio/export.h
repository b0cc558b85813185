/* export.h — writing a user's mailboxes out as Maildir++ or an mbox tree.
 *
 * Maildir: PATH is INBOX (cur/ new/ tmp/), every other mailbox a ".A.B"
 * folder with a maildirfolder file; a message is written to tmp/, given
 * its internal date as modification time and renamed into cur/ with its
 * flags in the ":2," info, keywords as letters through dovecot-keywords
 * ($Forwarded as 'P'). File names are "<date>.V<uidvalidity>U<uid>.<host>,
 * S=<file size>,W=<size with CRLF>": the same message gets the same name,
 * so an export run again into the same directory (after a crash, or to
 * bring a copy up to date) writes only what is missing; a name already in
 * cur/ or new/ is left as it is.
 *
 * mbox: every mailbox is a file named by its levels, children of "A" in
 * the directory "A.sbd" (Thunderbird's layout, which lets a mailbox have
 * both messages and children); each file is written to a temporary name
 * and renamed over the old one when complete.
 *
 * Message bytes are written with LF line ends when CRLF can be restored
 * exactly on import, else as stored (mailio-text.h), so import, export and
 * import again gives back every message byte for byte. Folder names are
 * modified UTF-7 unless utf8_names (maildir-name.h). All output is synced
 * to disk before the functions return.
 */
#ifndef HAFEN_SERVER_MAILIO_EXPORT_H
#define HAFEN_SERVER_MAILIO_EXPORT_H

#include "mbox-from.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct store;

struct export_options {
	bool utf8_names;
	enum mbox_format mbox_format;
	FILE *report;   /* per-mailbox lines and problems */
	FILE *progress; /* a progress line (a terminal), or NULL */
};

struct export_stats {
	uint64_t exported; /* messages written */
	uint64_t present;  /* Maildir: already there under the same name */
	uint64_t mailboxes;
	uint64_t keywords_dropped; /* Maildir: keywords past the 26 letters */
};

/* 0, or -1 with *error_r: *store_err_r is the store error when the store
 * failed, STORE_OK when writing the output did. */
int export_maildir(struct store *s, const char *path, const struct export_options *opt,
		   struct export_stats *stats_r, int *store_err_r, const char **error_r);
int export_mbox(struct store *s, const char *path, const struct export_options *opt,
		struct export_stats *stats_r, int *store_err_r, const char **error_r);

#endif
