/* store-client.h — the hafen client's local cache on the store engine: a
 * store whose mailboxes mirror a remote IMAP account, plus the durable
 * journal of changes made while offline.
 *
 * A client store is an ordinary store (store.h) opened by the client and
 * prepared with store_client_init(), which adds three tables of its own
 * (docs/client.md describes them):
 *
 *   client_folders   per local mailbox: the server's name and delimiter,
 *                    the remote UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ as
 *                    of the last completed sync, the MAILBOXID (RFC 8474)
 *   client_messages  per cached message: a short stable id (cid) that
 *                    survives moves and UID changes, the flags as last
 *                    synced (the base of the three-way merge), the remote
 *                    MODSEQ, whether the body is here, whether the message
 *                    is local-only (not yet on the server)
 *   client_journal   the ordered log of offline changes
 *
 * Keys: a cached message has the remote UID as its store UID, and the
 * local mailbox has the remote UIDVALIDITY, so (mailbox, UIDVALIDITY, UID)
 * names the same message locally and remotely. A message that exists only
 * here (moved or appended offline, not yet confirmed by the server) gets a
 * placeholder UID at or above STORE_CLIENT_PLACEHOLDER_MIN until the server
 * tells its real UID (COPYUID/APPENDUID, or a search by Message-ID).
 *
 * Bodies: a message is cached with its list-view header fields only (a
 * "stub": parsed and indexed like any message, but with no message file),
 * or whole (a durable message file as the store always writes). Stubs are
 * written without any file, so a header sync of 10 000 messages costs one
 * transaction per batch rather than 10 000 fsyncs.
 *
 * Crash invariants (everything here is one SQLite transaction each):
 *  - a local change and its journal entry commit together, so a change
 *    made offline is never applied without being queued, or queued without
 *    being applied;
 *  - a journal entry is removed only by store_client_journal_done(), which
 *    the caller calls after the server confirmed it; a crash in between
 *    replays the entry, so every entry must be idempotent (docs/client.md);
 *  - the folder's sync state (UIDNEXT, HIGHESTMODSEQ) is advanced only
 *    after every message it covers is cached, so an interrupted sync
 *    repeats work but never skips any; adding a UID that is already cached
 *    is a no-op, so repeating never duplicates.
 *
 * Triggers keep the side tables in step with the store's own rows: a
 * message or mailbox removed by any store function takes its client row
 * with it.
 */
#ifndef HAFEN_STORE_CLIENT_H
#define HAFEN_STORE_CLIENT_H

#include "store.h"

#include "lib/arena.h"
#include "lib/rangeset.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Local-only messages get UIDs from here up; a server UID in this range is
 * refused by store_client_add() (STORE_ERR_LIMIT). No server we know hands
 * out UIDs this large (they count up from 1). */
#define STORE_CLIENT_PLACEHOLDER_MIN 0xf0000000u
#define STORE_CLIENT_PLACEHOLDER_MAX 0xfffffffeu

/* Create the client tables and triggers when missing. Idempotent. */
int store_client_init(struct store *s);

/* ---- folders ---- */

struct store_client_folder {
	int64_t mailbox_id;
	char *name;             /* local canonical name ('/' delimiter) */
	char *remote_name;      /* the server's name in UTF-8, NULL when never seen */
	char delimiter;         /* the server's hierarchy delimiter, 0 for none */
	uint32_t uidvalidity;   /* remote; 0 when never synced */
	uint32_t uidnext;       /* remote, as of the last completed sync */
	uint64_t highestmodseq; /* remote, as of the last completed sync; 0 without CONDSTORE */
	char *mailboxid;        /* remote MAILBOXID, NULL when unknown */
	int64_t synced_at;      /* unix time of the last completed sync, 0 for never */
	/* From the store's own row, for display: */
	unsigned special_use;
	uint32_t messages, unseen;
	bool noselect;
};

void store_client_folder_clear(struct store_client_folder *f);
/* The folder by local name. STORE_ERR_NONEXISTENT when no such mailbox; a
 * mailbox without a client row yet reads with zero sync state. */
int store_client_folder_get(struct store *s, const char *name, struct store_client_folder *f_r);
/* Write the sync state of f->mailbox_id (name and store counters are
 * ignored). remote_name NULL keeps the stored one. */
int store_client_folder_put(struct store *s, const struct store_client_folder *f);
typedef int store_client_folder_cb(void *ctx, const struct store_client_folder *f);
/* Every local mailbox in name order (INBOX first); cb returns nonzero to stop. */
int store_client_folder_list(struct store *s, store_client_folder_cb *cb, void *ctx);

/* ---- messages ---- */

/* A message as the server reported it, to be cached. */
struct store_client_new {
	uint32_t uid;
	const void *data; /* the list-view header fields, or the whole message */
	size_t len;
	bool whole;           /* data is the whole message (BODY[]) */
	unsigned flags;       /* enum store_flag */
	const char *keywords; /* space-separated, may be NULL */
	int64_t internaldate; /* unix time */
	int tz_offset;
	uint64_t size;   /* RFC822.SIZE */
	uint64_t modseq; /* 0 without CONDSTORE */
};

/* Cache messages in one transaction. A UID already cached is skipped (so
 * a repeated sync never duplicates); *added_r (may be NULL) counts the new
 * ones. The remote state becomes both the local view and the merge base. */
int store_client_add(struct store *s, int64_t mailbox_id, const struct store_client_new *msgs,
		     size_t n, size_t *added_r);

struct store_client_msg {
	int64_t cid; /* stable id, never reused */
	int64_t mailbox_id;
	uint32_t uid;
	unsigned flags; /* local view */
	char *keywords;
	unsigned base_flags; /* as last synced */
	char *base_keywords;
	uint64_t remote_modseq;
	uint64_t size; /* remote size */
	int64_t internaldate;
	bool has_body;
	bool pending; /* local only: placeholder UID */
	int64_t file_id;
};

void store_client_msg_clear(struct store_client_msg *m);
/* STORE_ERR_NONEXISTENT (with a sentence) when no such message. */
int store_client_msg_by_cid(struct store *s, int64_t cid, struct store_client_msg *m_r);
int store_client_msg_get(struct store *s, int64_t mailbox_id, uint32_t uid,
			 struct store_client_msg *m_r);
/* Add the UIDs of the cached messages to uids_r (placeholders excluded). */
int store_client_uids(struct store *s, int64_t mailbox_id, struct rangeset *uids_r);
/* Add to uids_r the cached messages without a body whose internal date is
 * at or after since (0: all). */
int store_client_stubs(struct store *s, int64_t mailbox_id, int64_t since, struct rangeset *uids_r);

/* Flags the server reported for a message. */
struct store_client_flags {
	uint32_t uid;
	unsigned flags;
	const char *keywords; /* space-separated; NULL means none */
	uint64_t modseq;
};

/* Merge server flags three-way (docs/client.md): for each flag and keyword,
 * a local view that differs from the base keeps the local value (a change
 * not yet confirmed by the server); otherwise the server's value is taken.
 * The base becomes the server's state. Unknown UIDs are ignored. One
 * transaction; *changed_r (may be NULL) counts local views that changed. */
int store_client_merge_flags(struct store *s, int64_t mailbox_id,
			     const struct store_client_flags *v, size_t n, size_t *changed_r);
/* Forget messages the server expunged (placeholders are never in uids). */
int store_client_remove(struct store *s, int64_t mailbox_id, const struct rangeset *uids);
/* The whole message arrived: write its file durably, then point the row at
 * it (re-parsed: structure, attachments, body text for search). A message
 * that already has its body is left alone. */
int store_client_set_body(struct store *s, int64_t mailbox_id, uint32_t uid, const void *data,
			  size_t len);
/* Several whole messages of one mailbox at once, as store_client_set_body
 * does for one, but with one directory fsync for their files and one
 * transaction for their rows (a header-then-bodies sync of many messages
 * costs one file fsync per message, not three). The data is borrowed for
 * the call. An unknown UID fails the batch (nothing of it is kept);
 * messages that have their body already, a UID given twice and empty data
 * are skipped. */
struct store_client_body {
	uint32_t uid;
	const void *data;
	size_t len;
};
int store_client_set_bodies(struct store *s, int64_t mailbox_id, const struct store_client_body *b,
			    size_t n);
/* The server confirmed a local-only message under a real UID of a
 * mailbox whose UIDVALIDITY is uidvalidity: re-key the row (when it is
 * still in that mailbox) and every journal entry that names the
 * placeholder. A row already cached under new_uid (a sync got there
 * first) is the same message and is dropped; the local row keeps its cid
 * and body. A mailbox never synced adopts uidvalidity, so the next sync
 * keeps the row. base_from_local: the server now has exactly the local
 * flags (APPEND sent them), else the base stays (MOVE keeps the server's
 * flags). */
int store_client_confirm(struct store *s, int64_t mailbox_id, uint32_t placeholder,
			 uint32_t new_uid, uint32_t uidvalidity, uint64_t modseq,
			 bool base_from_local);
/* UIDVALIDITY changed (RFC 9051 2.3.1.1): in one transaction, re-key the
 * messages the caller matched (old_uids[i] -> new_uids[i]), drop every other
 * non-placeholder message of the mailbox, re-key journal entries that name
 * matched messages and drop those that name dropped ones (their count goes
 * to *dropped_r, may be NULL), and set the new UIDVALIDITY with empty sync
 * state. */
int store_client_reset(struct store *s, int64_t mailbox_id, uint32_t uidvalidity,
		       const uint32_t *old_uids, const uint32_t *new_uids, size_t n,
		       size_t *dropped_r);
/* The cached Message-ID ("<id@host>", NULL when none) and size of every message of a
 * mailbox, for matching after a UIDVALIDITY change; cb returns nonzero to stop. */
typedef int store_client_ident_cb(void *ctx, uint32_t uid, const char *message_id, uint64_t size);
int store_client_idents(struct store *s, int64_t mailbox_id, store_client_ident_cb *cb, void *ctx);
/* The lowest cached UID (not a placeholder) of a message with this
 * Message-ID ("<id@host>", as the header gives it) in a mailbox; *uid_r
 * 0 when none. */
int store_client_find_msgid(struct store *s, int64_t mailbox_id, const char *message_id,
			    uint32_t *uid_r);

/* ---- the journal ---- */

enum store_journal_kind {
	STORE_JOURNAL_FLAGS = 1,   /* mailbox uid: +flags_add -flags_remove, keywords too */
	STORE_JOURNAL_MOVE = 2,    /* mailbox uid -> target (placeholder target_uid there) */
	STORE_JOURNAL_EXPUNGE = 3, /* mailbox uid: \Deleted and UID EXPUNGE */
	STORE_JOURNAL_CREATE = 4,  /* mailbox */
	STORE_JOURNAL_DELETE = 5,  /* mailbox */
	STORE_JOURNAL_RENAME = 6,  /* mailbox -> target */
	STORE_JOURNAL_APPEND = 7,  /* the local message mailbox uid (placeholder) to the server */
	STORE_JOURNAL_SEND = 8,    /* submit the local message mailbox uid; data: envelope */
};

const char *store_journal_kind_name(enum store_journal_kind kind);

struct store_journal_entry {
	int64_t id; /* order of replay */
	enum store_journal_kind kind;
	const char *mailbox;
	uint32_t uidvalidity; /* of mailbox when the entry was made; 0 for folder ops */
	uint32_t uid;
	int64_t cid;         /* the message, 0 for folder ops */
	const char *target;  /* MOVE destination, RENAME new name */
	uint32_t target_uid; /* MOVE: the placeholder in target */
	unsigned flags_add, flags_remove;
	const char *kw_add, *kw_remove; /* space-separated, "" for none */
	/* SEND: the envelope as the client wrote it. FLAGS, MOVE, EXPUNGE:
	 * "<message-id> size" of the message (NULL without a Message-ID), so
	 * a UIDVALIDITY change can re-match it even when its row has gone. */
	const void *data;
	size_t data_len;
	int64_t created;
	unsigned attempts; /* failed or interrupted replays so far */
	bool attempted;    /* a replay was started: check before repeating */
	const char *last_error;
};

/* The first entry with an id above after_id (0: the first entry): 1 with
 * *e_r filled (strings allocated in arena), 0 when there is none, or a
 * negative store error. Replay walks the journal with this, so entries
 * may be removed or added between calls. */
int store_client_journal_next(struct store *s, int64_t after_id, struct arena *arena,
			      struct store_journal_entry *e_r);
int store_client_journal_count(struct store *s, uint64_t *count_r);
/* Record that a replay of entry id starts (durably, before the command is sent). */
int store_client_journal_attempt(struct store *s, int64_t id);
/* The replay failed; the entry stays (attempts counted, error kept). */
int store_client_journal_failed(struct store *s, int64_t id, const char *error);
/* The server confirmed the entry: remove it. For FLAGS the change also
 * enters the merge base of its message, in the same transaction. */
int store_client_journal_done(struct store *s, int64_t id);

/* Remove every entry that names the local-only message with placeholder
 * UID uid (its move was dropped, so they can never apply). *count_r (may
 * be NULL) gets how many. */
int store_client_journal_drop_uid(struct store *s, uint32_t uid, size_t *count_r);

/* ---- local changes, each committed together with its journal entry ---- */

/* journal false: change the cache only (the change was made online and
 * confirmed already). */
int store_client_local_flags(struct store *s, int64_t mailbox_id, uint32_t uid, unsigned add,
			     unsigned remove, const char *kw_add, const char *kw_remove,
			     bool journal);
/* Move a cached message to another local mailbox under a placeholder UID
 * (*new_uid_r, may be NULL); its cid stays. */
int store_client_local_move(struct store *s, int64_t mailbox_id, uint32_t uid, const char *dest,
			    bool journal, uint32_t *new_uid_r);
/* Remove a message for good (journal: \Deleted + UID EXPUNGE on the server). */
int store_client_local_expunge(struct store *s, int64_t mailbox_id, uint32_t uid, bool journal);
/* A new local message (draft, sent copy) in mailbox under a placeholder:
 * journalled as APPEND, preceded by SEND with envelope when envelope is
 * not NULL. *cid_r and *uid_r (may be NULL) identify it. */
int store_client_local_append(struct store *s, const char *mailbox, const void *data, size_t len,
			      unsigned flags, const void *envelope, size_t envelope_len,
			      int64_t *cid_r, uint32_t *uid_r);
/* Folder operations: CREATE / DELETE / RENAME locally, and journalled. */
int store_client_local_folder(struct store *s, enum store_journal_kind kind, const char *name,
			      const char *target, bool journal);

#endif
