/* sync.h — two-way synchronisation of an account's local cache
 * (store-client.h) with its IMAP server (imapc.h).
 *
 * A sync runs in this order (docs/client.md has the rules):
 *   1. replay the offline journal, oldest entry first; each entry leaves
 *      the journal only once the server confirmed it, and one that fails
 *      is kept, reported, and does not block the others;
 *   2. mirror the folder list (new, deleted, and — by MAILBOXID when the
 *      server has OBJECTID — renamed folders);
 *   3. per folder, pull what changed: with QRESYNC one SELECT brings
 *      VANISHED (EARLIER) and the changed flags; with CONDSTORE a
 *      CHANGEDSINCE fetch and a UID list for expunges; otherwise a
 *      comparison of every UID and its flags. Flags merge three-way;
 *      new messages are cached with their list-view header fields;
 *      bodies follow the account's policy;
 *   4. a UIDVALIDITY change re-matches cached messages by Message-ID and
 *      size, keeping their bodies and local changes.
 *
 * Interruption at any point loses nothing and duplicates nothing: every
 * batch is its own transaction, UIDs already cached are skipped, and a
 * folder's UIDNEXT/HIGHESTMODSEQ advance only when it is complete.
 */
#ifndef HAFEN_CLIENT_SYNC_H
#define HAFEN_CLIENT_SYNC_H

#include "client/account/account.h"
#include "client/imapc/imapc.h"
#include "lib/buf.h"
#include "store/store-client.h"

#include <stdbool.h>
#include <stdint.h>

struct sync_stats {
	unsigned folders; /* folders looked at */
	unsigned folders_new, folders_gone, folders_renamed;
	uint64_t added;         /* messages cached */
	uint64_t expunged;      /* messages the server no longer has */
	uint64_t flags_changed; /* local views changed by server flags */
	uint64_t bodies;        /* bodies downloaded */
	unsigned replayed;      /* journal entries confirmed */
	unsigned replay_failed; /* journal entries kept after a failure */
	unsigned dropped;       /* entries dropped: their message was gone */
	unsigned uidvalidity_resets;
};

struct sync_options {
	const char *folder; /* only this folder (local name), NULL: all */
	bool no_bodies;     /* ignore the bodies policy this time */
	bool progress;      /* progress lines on stderr (a terminal) */
	bool verbose;       /* a line per folder on stderr */
};

struct sync;

/* store and imapc stay the caller's; acct too (for SMTP and the policy). */
struct sync *sync_new(struct store *store, struct imapc *imapc, const struct account *acct,
		      const struct sync_options *opt);
void sync_free(struct sync **sp);

/* The whole sync (steps 1-4). Returns 0, or -1 with *error_r when the
 * connection was lost or the cache failed; what was done stays done. */
int sync_run(struct sync *s, const char **error_r);
/* Step 1 alone: push the journal (what commands do when online). */
int sync_replay(struct sync *s, const char **error_r);
/* Step 2 alone; cb (may be NULL) hears of each remote folder with its
 * STATUS counts, for "hafen folders" online. */
typedef void sync_folder_status_cb(void *ctx, const char *local_name, uint32_t messages,
				   uint32_t unseen);
int sync_folders(struct sync *s, sync_folder_status_cb *cb, void *ctx, const char **error_r);
/* Forget the STATUS counts the last sync_folders() saw: a later
 * sync_folder() then opens the folder even if they said "unchanged"
 * (for a long-lived connection, where they go stale). */
void sync_hints_clear(struct sync *s);
/* Step 3 for one folder (local name). */
int sync_folder(struct sync *s, const char *name, const char **error_r);
/* SELECT a folder (local name) unless it is selected already: IDLE needs
 * one. */
int sync_open(struct sync *s, const char *name, const char **error_r);
/* The server's hierarchy delimiter (LIST "" "", once per sync). */
int sync_delimiter(struct sync *s, char *delim_r, const char **error_r);
/* The local name (caller frees) of a mailbox name as an untagged response
 * carries it (modified UTF-7, or UTF-8 with UTF8=ACCEPT), with the
 * delimiter sync_delimiter() learnt; NULL when it has no local form. Sends
 * nothing, so it is safe inside an untagged callback. */
char *sync_local_from_wire(struct sync *s, const char *wire);
/* Download the body of one cached message now (hafen read). */
int sync_fetch_body(struct sync *s, int64_t mailbox_id, uint32_t uid, const char **error_r);
/* UID SEARCH on the server in one folder with an IMAP search program
 * (the caller built it); matching UIDs are added to uids_r. */
int sync_search(struct sync *s, const char *name, const struct imap_search_key *keys,
		size_t key_count, struct rangeset *uids_r, const char **error_r);

/* The whole text of a cached message whose body is here (no connection
 * needed). Returns 0, or -1 with *error_r. */
int sync_read_cached(struct store *store, int64_t cid, struct buf *out, const char **error_r);

const struct sync_stats *sync_stats(const struct sync *s);
/* The options, to change between calls (the folder string must outlive
 * its use). */
struct sync_options *sync_options(struct sync *s);

/* Local folder name <-> the server's name with its delimiter. Returns
 * malloc'ed names, or NULL when the name cannot be mapped (a server name
 * that holds '/' while its delimiter is something else). */
char *sync_local_name(const char *remote, char delimiter);
char *sync_remote_name(const char *local, char delimiter);

#endif
