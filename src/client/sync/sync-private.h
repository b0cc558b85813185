/* sync-private.h — the sync engine's internals, shared by sync-*.c. */
#ifndef HAFEN_CLIENT_SYNC_PRIVATE_H
#define HAFEN_CLIENT_SYNC_PRIVATE_H

#include "sync.h"

#include "lib/buf.h"

/* Messages per FETCH command, and how many such commands are in flight at
 * once: a window keeps the pipe full without queueing the whole mailbox. */
#define SYNC_FETCH_CHUNK  500
#define SYNC_FETCH_WINDOW 4
/* Bodies: per command, and the bytes held before they go to the cache. */
#define SYNC_BODY_CHUNK       50
#define SYNC_BODY_FLUSH_BYTES (16u * 1024u * 1024u)
/* Largest message body hafen downloads (a bigger one stays a stub). */
#define SYNC_BODY_MAX (256u * 1024u * 1024u)

/* What STATUS said about a folder before the sync opened it. */
struct sync_hint {
	char *local;
	uint32_t messages, uidnext, uidvalidity;
	uint64_t highestmodseq;
	bool used; /* valid for the first sync of the folder only */
};

struct sync {
	struct store *store;
	struct imapc *c;
	const struct account *acct;
	struct sync_options opt;
	struct sync_stats stats;
	char delim;
	bool delim_known;
	int64_t selected_id; /* local mailbox selected on the server, 0 for none */
	struct sync_hint *hints;
	size_t hint_count;
	char *smtp_password;
	struct buf err;
	/* progress on a terminal */
	const char *progress_what;
	uint64_t progress_done, progress_total;
	int64_t progress_last_ms;
};

/* Set the error text and return it. */
const char *sync_error(struct sync *s, const char *fmt, ...) HF_PRINTF(2, 3);
/* A store failure, in words. */
const char *sync_store_error(struct sync *s, int ret, const char *what);
void sync_progress(struct sync *s, const char *what, uint64_t done, uint64_t total);
void sync_progress_end(struct sync *s);

/* sync-folders.c: STATUS as seen by the last sync_folders(). */
struct sync_hint *sync_hint(struct sync *s, const char *local);

/* The wire form of a local folder name for this server. */
int sync_wire_name(struct sync *s, const char *local, struct buf *out, const char **error_r);

/* SELECT a local folder. qresync: send the QRESYNC parameters from the
 * folder's sync state (the SELECT's untagged responses go to untagged).
 * Returns 0, or -1 with *error_r (NO or lost connection). */
int sync_select(struct sync *s, const struct store_client_folder *f, bool qresync,
		imapc_untagged_cb *untagged, void *ctx, const char **error_r);

/* System flags and keywords of a FLAGS list: the keywords joined with
 * spaces into kw (reset first). \Recent and other system flags we do not
 * keep are dropped. */
unsigned sync_parse_flags(const struct imap_strlist *list, struct buf *kw);

/* ---- fetching (sync-fetch.c) ---- */

/* One message of a FETCH response. */
struct sync_fetched {
	uint32_t uid;
	bool has_flags;
	unsigned flags;
	char *keywords;
	uint64_t modseq;
	int64_t internaldate;
	int tz;
	uint64_t size;
	char *data; /* header fields or the whole message */
	size_t len;
	bool whole;
};

/* Fetch headers (and flags) of uids into the cache; the folder must be
 * selected. */
int sync_fetch_headers(struct sync *s, int64_t mailbox_id, const struct rangeset *uids,
		       const char **error_r);
/* Fetch bodies of uids into the cache (the folder selected). */
int sync_fetch_bodies(struct sync *s, int64_t mailbox_id, const struct rangeset *uids,
		      const char **error_r);
/* Read a FETCH response into *f (strings malloc'ed); false when it has no UID. */
bool sync_fetched_read(const struct imap_resp_fetch *fetch, struct sync_fetched *f);
void sync_fetched_clear(struct sync_fetched *f);
/* UID FETCH uids (FLAGS [MODSEQ]) [(CHANGEDSINCE m)]: merge flags of cached
 * messages three-way; UIDs seen go to seen_r (may be NULL). */
int sync_fetch_flags(struct sync *s, int64_t mailbox_id, const struct rangeset *uids,
		     uint64_t changedsince, struct rangeset *seen_r, const char **error_r);
/* Merge a batch of flag updates; counts into the stats. */
int sync_merge(struct sync *s, int64_t mailbox_id, struct sync_fetched *v, size_t n,
	       const char **error_r);

/* ---- UIDVALIDITY (sync-rematch.c) ---- */

/* The folder (selected) has a new UIDVALIDITY: re-match cached messages
 * by Message-ID and size and re-key them and their journal entries. */
int sync_rematch(struct sync *s, const struct store_client_folder *f, uint32_t uidvalidity,
		 const char **error_r);

/* ---- the journal (sync-replay*.c) ---- */

enum sync_replay_result {
	SYNC_REPLAY_DONE,    /* confirmed: remove the entry */
	SYNC_REPLAY_FAILED,  /* the server refused: keep it, report, go on */
	SYNC_REPLAY_AGAIN,   /* entries were re-keyed: read this entry again */
	SYNC_REPLAY_LOST,    /* the connection is gone: stop */
	SYNC_REPLAY_DROPPED, /* its folder or message is gone on the server: remove it */
};

enum sync_replay_result sync_replay_append(struct sync *s, const struct store_journal_entry *e,
					   const char **error_r);
enum sync_replay_result sync_replay_send(struct sync *s, const struct store_journal_entry *e,
					 const char **error_r);
/* Select the local folder name for a journal entry; AGAIN after a
 * UIDVALIDITY change re-keyed the journal. */
enum sync_replay_result sync_replay_select(struct sync *s, const char *name, uint32_t uidvalidity,
					   const char **error_r);
/* UID SEARCH HEADER Message-ID in the selected folder: the highest UID, 0
 * for none. */
int sync_find_msgid(struct sync *s, const char *message_id, uint32_t *uid_r);
/* The Message-ID of a cached message (by cid), "" when it has none; out
 * is NUL-terminated afterwards. */
int sync_cached_msgid(struct sync *s, int64_t cid, struct buf *out);
/* Read a cached message's whole text (it must have its body). */
int sync_cached_message(struct sync *s, int64_t cid, struct buf *out, const char **error_r);

#endif
