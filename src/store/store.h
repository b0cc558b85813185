/* store.h — the mail store: one user's mailboxes, messages, flags, UIDs and
 * MODSEQs, behind an API in IMAP's terms that hides SQLite and files.
 *
 * Layout of a user directory (DATA/users/<name>/):
 *   store.db      SQLite (WAL, foreign keys, synchronous=FULL): mailboxes,
 *                 messages, cached parse results, expunge log, quota, FTS
 *   msg/xx/<id>   message files: immutable, written to a temporary name,
 *                 fsynced, renamed, directory fsynced; shared by several
 *                 rows after COPY; unlinked when the last row goes
 *   notify        a file every committed change touches, so processes
 *                 watching this user wake through inotify (store_watcher)
 *
 * Write order: file durable first, then the row in one transaction. A crash
 * can leave an orphan file (store_check sweeps it), never a row without its
 * file. A function returning STORE_OK for a write means the change is
 * committed and durable.
 *
 * Errors: functions return STORE_OK (0) or a negative enum store_err;
 * store_last_error() has a sentence for the log. Names are UTF-8 with '/'
 * as hierarchy delimiter; "INBOX" is case-insensitive and canonicalised.
 *
 * A struct store is used by one thread; several processes may open the
 * same user at once (SQLite WAL, busy timeout, short write transactions).
 */
#ifndef HAFEN_STORE_STORE_H
#define HAFEN_STORE_STORE_H

#include "lib/buf.h"
#include "lib/rangeset.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum store_err {
	STORE_OK = 0,
	STORE_ERR_NONEXISTENT = -1, /* no such mailbox */
	STORE_ERR_EXISTS = -2,      /* mailbox already exists */
	STORE_ERR_INVALID = -3,     /* bad mailbox name or argument */
	STORE_ERR_OVERQUOTA = -4,   /* quota would be exceeded */
	STORE_ERR_NOSELECT = -5,    /* mailbox is \Noselect: holds no messages */
	STORE_ERR_HASCHILDREN = -6, /* \Noselect mailbox with children cannot be deleted */
	STORE_ERR_CANNOT = -7,      /* operation not allowed (e.g. delete INBOX) */
	STORE_ERR_IO = -8,          /* disk or database failure: retry later */
	STORE_ERR_BUSY = -9,        /* database locked too long: retry later */
	STORE_ERR_CORRUPT = -10,    /* database or file damaged: run check */
	STORE_ERR_TOOBIG = -11,     /* message larger than allowed */
	STORE_ERR_LIMIT = -12,      /* a configured limit (e.g. mailbox count) */
	STORE_ERR_CHANGED = -13,    /* mailbox was deleted or re-created meanwhile */
};

const char *store_strerror(int err);

/* System flags as a bitmask; keywords are carried separately. */
enum store_flag {
	STORE_FLAG_SEEN = 1 << 0,
	STORE_FLAG_ANSWERED = 1 << 1,
	STORE_FLAG_FLAGGED = 1 << 2,
	STORE_FLAG_DELETED = 1 << 3,
	STORE_FLAG_DRAFT = 1 << 4,
};
#define STORE_FLAGS_ALL 0x1fu

/* Special-use attributes (RFC 6154) as a bitmask. */
enum store_special_use {
	STORE_USE_ALL = 1 << 0,
	STORE_USE_ARCHIVE = 1 << 1,
	STORE_USE_DRAFTS = 1 << 2,
	STORE_USE_FLAGGED = 1 << 3,
	STORE_USE_JUNK = 1 << 4,
	STORE_USE_SENT = 1 << 5,
	STORE_USE_TRASH = 1 << 6,
};
/* "\Sent" -> STORE_USE_SENT (case-insensitive); 0 when unknown. */
unsigned store_special_use_parse(const char *name, size_t len);
/* Append the attributes as "\Sent \Trash" (space-separated) to out. */
void store_special_use_write(unsigned uses, struct buf *out);

struct store;

enum store_open_flags {
	STORE_OPEN_CREATE = 1 << 0, /* create the directory and database when missing */
};

/* Open the store in user_dir. Returns STORE_OK or an error with *error_r. */
int store_open(const char *user_dir, unsigned flags, struct store **store_r, const char **error_r);
/* Close; *sp becomes NULL. Accepts NULL. */
void store_close(struct store **sp);
/* The last error's sentence (for logs), valid until the next call. */
const char *store_last_error(const struct store *s);
const char *store_dir(const struct store *s);
/* Is something still using the handle (a transaction, a fetch iterator)?
 * Then it must not be closed yet. */
bool store_in_use(const struct store *s);

/* The full-text index (store-fts.c). A handle indexes a message's text in
 * the transaction that adds it, unless told to defer: then that
 * transaction only queues the file (the message and its metadata are as
 * durable as ever; only the derived index lags) and removals are queued
 * too. The owner of a deferring handle works the queue off with
 * store_fts_index_pending() when the handle is idle; an append that finds
 * more than STORE_FTS_QUEUE_HIGH queued works off a batch itself; a search
 * that reads the index first indexes whatever is queued (by any process),
 * so it never misses a message. The queue is a table: it survives a crash
 * and any handle, and store_check(), picks it up. */
#define STORE_FTS_BATCH      50
#define STORE_FTS_QUEUE_HIGH 500
void store_fts_defer(struct store *s, bool defer);
/* Work off up to max (at most STORE_FTS_BATCH) queued entries in one
 * transaction; *left_r (may be NULL) is how many are still queued.
 * Returns STORE_OK or a store error. */
int store_fts_index_pending(struct store *s, size_t max, size_t *left_r);

/* ---- mailboxes ---- */

struct store_mailbox {
	int64_t id; /* never reused within a user, even after delete */
	char *name; /* canonical UTF-8 name, owned by the struct */
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq;
	uint32_t messages;
	uint32_t unseen;
	uint32_t deleted;          /* messages with \Deleted (STATUS DELETED) */
	uint64_t size;             /* sum of message sizes (STATUS SIZE) */
	uint32_t first_recent_uid; /* first UID not yet claimed as \Recent */
	unsigned special_use;
	bool noselect;
	bool subscribed;
	bool has_children;  /* filled by store_mailbox_list only */
	char mailboxid[32]; /* OBJECTID (RFC 8474) */
};

void store_mailbox_clear(struct store_mailbox *mb);

/* Put the canonical form of name in *canon_r (caller frees): INBOX and
 * "inbox/..." folded to "INBOX", no leading, trailing or double '/'.
 * STORE_ERR_INVALID for names that are empty, too long (max 255 bytes
 * per level, 1024 in all), not UTF-8 or contain control characters. */
int store_mailbox_name_canonical(const char *name, char **canon_r);

/* Create (with parents as needed, which become ordinary mailboxes, RFC 9051
 * 6.3.4). special_use: attributes for CREATE-SPECIAL-USE. Creating the name
 * of a \Noselect placeholder turns it into a real mailbox. */
int store_mailbox_create(struct store *s, const char *name, unsigned special_use);
/* Delete: a mailbox with children becomes \Noselect (its messages go); a
 * \Noselect one with children is refused (STORE_ERR_HASCHILDREN); INBOX
 * cannot be deleted. */
int store_mailbox_delete(struct store *s, const char *name);
/* Rename with its children. Renaming INBOX moves its messages into the new
 * mailbox and leaves INBOX empty (RFC 9051 6.3.6). */
int store_mailbox_rename(struct store *s, const char *from, const char *to);
int store_mailbox_get(struct store *s, const char *name, struct store_mailbox *mb_r);
int store_mailbox_get_by_id(struct store *s, int64_t id, struct store_mailbox *mb_r);
int store_mailbox_set_special_use(struct store *s, const char *name, unsigned special_use);

/* Called once per mailbox, in name order; return nonzero to stop. */
typedef int store_mailbox_cb(void *ctx, const struct store_mailbox *mb);
/* List mailboxes whose name matches pattern ('*' any, '%' any but '/';
 * NULL = all). The struct passed to cb is valid during the call only. */
int store_mailbox_list(struct store *s, const char *pattern, store_mailbox_cb *cb, void *ctx);

/* Subscriptions may name mailboxes that do not exist (RFC 9051 6.3.7). */
int store_subscribe(struct store *s, const char *name, bool on);
typedef int store_name_cb(void *ctx, const char *name);
int store_subscriptions(struct store *s, store_name_cb *cb, void *ctx);

/* The keywords used in a mailbox, for its FLAGS response, in name order. */
int store_mailbox_keywords(struct store *s, int64_t mailbox_id, store_name_cb *cb, void *ctx);

/* Claim \Recent (RFC 3501 2.3.2): returns the first UID that is recent for
 * this session and marks everything up to UIDNEXT as claimed. */
int store_mailbox_claim_recent(struct store *s, int64_t mailbox_id, uint32_t *first_recent_r);

/* ---- appending ---- */

struct store_parsed; /* a message parsed once, appendable to many stores */

/* Parse a message (bare LF line ends become CRLF). The bytes are copied. */
struct store_parsed *store_parsed_new(const void *data, size_t len);
/* The same for data that stays valid and unchanged until
 * store_parsed_free (a mapped file): when it already has CRLF line ends
 * it is used in place, not copied, so a large message is in memory once. */
struct store_parsed *store_parsed_new_mapped(const void *data, size_t len);
void store_parsed_free(struct store_parsed **pp);
size_t store_parsed_size(const struct store_parsed *p);

struct store_new_message {
	const struct store_parsed *msg;
	unsigned flags; /* enum store_flag */
	const char *const *keywords;
	size_t keyword_count;
	int64_t internaldate; /* unix time; 0 = now */
	int tz_offset;        /* minutes east of UTC for internaldate */
};

/* Append n messages atomically to one mailbox: all are stored or none.
 * On success *uidvalidity_r and uids_r[0..n-1] are set (APPENDUID). */
int store_append(struct store *s, const char *mailbox, const struct store_new_message *msgs,
		 size_t n, uint32_t *uidvalidity_r, uint32_t *uids_r);

/* ---- reading ---- */

enum store_fetch_want {
	STORE_WANT_ENVELOPE = 1 << 0,
	STORE_WANT_BODYSTRUCTURE = 1 << 1,
	STORE_WANT_BODY = 1 << 2,
	STORE_WANT_PARTS = 1 << 3,   /* part index, for body sections */
	STORE_WANT_HEADERS = 1 << 4, /* cached list-view header lines */
	STORE_WANT_PREVIEW = 1 << 5,
};

struct store_msg {
	uint32_t uid;
	unsigned flags;
	const char *keywords; /* space-separated, "" when none */
	uint64_t modseq;
	int64_t internaldate;
	int tz_offset;
	int64_t savedate;
	uint64_t size;
	int64_t file_id;
	const char *emailid;
	const char *threadid;
	/* the following are set when asked for, else NULL */
	const char *envelope;
	const char *bodystructure;
	const char *body;
	const void *part_index;
	size_t part_index_len;
	const char *headers; /* cached header lines (raw), for HEADER.FIELDS */
	size_t headers_len;
	const char *preview;
};

/* Iterate messages of a mailbox whose UIDs are in uids (NULL = all), in UID
 * order. Rows are read in batches with no transaction held between calls,
 * so a slow consumer never pins the database. */
struct store_fetch;
int store_fetch_begin(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		      unsigned want, struct store_fetch **f_r);
/* 1: *msg_r set (valid until the next call); 0: done; <0: store_err. */
int store_fetch_next(struct store_fetch *f, const struct store_msg **msg_r);
void store_fetch_end(struct store_fetch **fp);

/* The lowest UID without \Seen, 0 when every message is seen. */
int store_mailbox_first_unseen(struct store *s, int64_t mailbox_id, uint32_t *uid_r);
/* All UIDs of a mailbox in order (the session's sequence map). */
int store_mailbox_uids(struct store *s, int64_t mailbox_id, uint32_t **uids_r, size_t *count_r);

/* Which part of a message to read (RFC 9051 6.4.5 BODY[...]). */
enum store_section_kind {
	STORE_SECTION_ALL,           /* BODY[] or BODY[1.2]: the part's content */
	STORE_SECTION_HEADER,        /* BODY[HEADER], BODY[1.2.HEADER] */
	STORE_SECTION_HEADER_FIELDS, /* BODY[HEADER.FIELDS (...)] */
	STORE_SECTION_HEADER_FIELDS_NOT,
	STORE_SECTION_TEXT, /* BODY[TEXT], BODY[1.2.TEXT] */
	STORE_SECTION_MIME, /* BODY[1.2.MIME] */
};

struct store_section {
	const uint32_t *part; /* part path, e.g. {1, 2}; NULL/0 = message */
	size_t depth;
	enum store_section_kind kind;
	const char *const *fields; /* for HEADER.FIELDS[.NOT] */
	size_t field_count;
	bool binary; /* BINARY[...]: content-transfer-decoded */
};

/* Read a section (whole, before any partial range is applied) into out.
 * STORE_ERR_NONEXISTENT when the part does not exist (the caller answers
 * with an empty string, RFC 9051 6.4.5); STORE_ERR_INVALID for BINARY of
 * an unknown encoding ([UNKNOWN-CTE], RFC 3516). */
int store_section_read(struct store *s, const struct store_msg *m, const struct store_section *sec,
		       struct buf *out);
/* Would store_section_read() answer sec from the cached list-view header
 * lines alone (a store_msg fetched with STORE_WANT_HEADERS), without the
 * part index or the message file? True for top-level HEADER.FIELDS whose
 * names are all among the cached fields. */
bool store_section_cached(const struct store_section *sec);
/* The size a section would have (BINARY.SIZE, RFC 3516). */
int store_section_size(struct store *s, const struct store_msg *m, const struct store_section *sec,
		       uint64_t *size_r);
/* When a section is a plain byte range of the file (not BINARY, not
 * HEADER.FIELDS), give it, so a large body can be sent straight from the
 * file (store_msg_open) without being held in memory. STORE_ERR_INVALID
 * when the section needs store_section_read(). */
int store_section_range(struct store *s, const struct store_msg *m, const struct store_section *sec,
			uint64_t *offset_r, uint64_t *size_r);
/* Open the message file read-only; the caller closes the fd. */
int store_msg_open(struct store *s, const struct store_msg *m, int *fd_r);

/* ---- changing ---- */

enum store_flags_mode { STORE_FLAGS_REPLACE, STORE_FLAGS_ADD, STORE_FLAGS_REMOVE };

struct store_flag_change {
	unsigned flags;
	const char *const *keywords;
	size_t keyword_count;
	enum store_flags_mode mode;
	uint64_t unchangedsince; /* 0: unconditional (RFC 7162 3.1.3) */
};

/* A message's flags after an operation; changed is false when the
 * operation left them as they were (their MODSEQ did not move then). */
typedef void store_flags_cb(void *ctx, uint32_t uid, unsigned flags, const char *keywords,
			    uint64_t modseq, bool changed);
/* Change flags of the messages in uids, all in one transaction with one new
 * MODSEQ (RFC 7162 3.1.3). cb hears of every existing message in uids. A
 * message whose MODSEQ is above unchangedsince is left alone and added to
 * failed_r (may be NULL); a message whose flags would not change keeps its
 * MODSEQ. */
int store_set_flags(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		    const struct store_flag_change *chg, store_flags_cb *cb, void *ctx,
		    struct rangeset *failed_r);

/* Copy (or move) the messages in uids to dest. src_uids_r and dst_uids_r
 * receive the COPYUID mapping (same order), dst_uidvalidity_r its UIDVALIDITY. */
int store_copy(struct store *s, int64_t mailbox_id, const struct rangeset *uids, const char *dest,
	       bool move, uint32_t *dst_uidvalidity_r, struct rangeset *src_uids_r,
	       struct rangeset *dst_uids_r);

/* Expunge messages flagged \Deleted (only those also in uids, when given). */
typedef void store_expunged_cb(void *ctx, uint32_t uid);
int store_expunge(struct store *s, int64_t mailbox_id, const struct rangeset *uids,
		  store_expunged_cb *cb, void *ctx);

/* ---- changes, for sessions and CONDSTORE/QRESYNC ---- */

/* A message's current flags and MODSEQ. */
typedef void store_changed_cb(void *ctx, uint32_t uid, unsigned flags, const char *keywords,
			      uint64_t modseq);
/* Report messages with MODSEQ above since (new or changed: cb) and UIDs
 * expunged with MODSEQ above since (expunged_r). */
int store_changes(struct store *s, int64_t mailbox_id, uint64_t since, store_changed_cb *cb,
		  void *ctx, struct rangeset *expunged_r);

/* Where store_changes_page() goes on: zero it to start. */
struct store_changes_pos {
	uint64_t modseq;
	uint32_t uid;
};
/* The messages with MODSEQ above since, a page at a time, for a caller
 * that writes them as its client reads (QRESYNC): up to limit rows in
 * (MODSEQ, UID) order after *pos, which moves past them. No transaction
 * is held between pages; a message changed meanwhile comes again later
 * with its new MODSEQ, so nothing is missed. Returns the number of rows
 * given to cb (fewer than limit: no more), or a store error. */
int store_changes_page(struct store *s, int64_t mailbox_id, uint64_t since,
		       struct store_changes_pos *pos, unsigned limit, store_changed_cb *cb,
		       void *ctx);

/* ---- quota (bytes and messages; 0 = unlimited) ---- */

struct store_quota {
	uint64_t bytes_used, bytes_limit;
	uint64_t messages_used, messages_limit;
};
int store_quota_get(struct store *s, struct store_quota *q_r);
int store_quota_set_limits(struct store *s, uint64_t bytes_limit, uint64_t messages_limit);
/* The bytes an EXPUNGE of the mailbox would free: the sum of the sizes of
 * its \Deleted messages (STATUS DELETED-STORAGE, RFC 9208 4.1.4). */
int store_mailbox_deleted_size(struct store *s, int64_t mailbox_id, uint64_t *size_r);

#endif
