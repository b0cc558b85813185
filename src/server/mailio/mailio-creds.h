/* mailio-creds.h — whose rights import and export use. Run as root, they
 * touch the user's store as the run_as user (so every file and directory
 * they create there belongs to it, even if the run is cut short) and the
 * Maildir or mbox outside with root's rights (to read /home/bob/Maildir or
 * write to /root/backup). Only the effective ids switch; not as root,
 * nothing happens. Not thread-safe: one command, one thread. */
#ifndef HAFEN_SERVER_MAILIO_CREDS_H
#define HAFEN_SERVER_MAILIO_CREDS_H

#include "server/privileges.h"
#include "lib/buf.h"

#include <stdint.h>
#include <sys/stat.h>

/* Remember ra (copied) and switch to the store side. -1 with *error_r
 * when the switch fails. */
int mailio_creds_init(const struct run_as *ra, const char **error_r);
/* Back to the invoking user for good (at the end of the command). */
void mailio_creds_done(void);
/* Switch for one operation on the outside files, and back. A failed
 * switch is fatal: carrying on with the wrong rights is never right. */
void mailio_creds_outside(void);
void mailio_creds_store(void);

/* "a/b" (caller frees). */
char *mailio_path_join(const char *a, const char *b);

/* Read a whole outside file (opened with outside rights) into out. Returns
 * 0, 1 when it is larger than max (out empty), -1 with *error_r (static,
 * with strerror) when it cannot be read or is not a regular file. */
int mailio_read_file(int dirfd, const char *path, uint64_t max, struct buf *out, struct stat *st_r,
		     const char **error_r);

#endif
