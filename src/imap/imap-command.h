/* imap-command.h — a parsed (or to-be-written) IMAP command, typed.
 *
 * The server gets these from imap_parser_next_command() (imap-parser.h);
 * the client fills one in and writes it with imap_command_write()
 * (imap-write.h). A parsed command owns one arena that holds the command,
 * every string and array it points to, and in-memory literal data;
 * imap_command_free() releases all of it, and releases each streamed
 * literal through the sink that produced it.
 *
 * Mailbox names and LIST patterns are kept exactly as sent (modified UTF-7
 * unless UTF8=ACCEPT is on, INBOX in whatever case the client chose): see
 * imap-utf7.h and imap-mailbox.h for the conversions a server applies.
 * Strings are NUL-terminated and never contain NUL (the grammar forbids it
 * outside literal8); message data (struct imap_literal) has a length.
 */
#ifndef HAFEN_IMAP_COMMAND_H
#define HAFEN_IMAP_COMMAND_H

#include "imap-date.h"
#include "imap-fetch.h"
#include "imap-search.h"
#include "imap-seqset.h"
#include "imap-value.h"

#include "lib/arena.h"

#include <stdbool.h>
#include <stdint.h>

enum imap_command_kind {
	IMAP_CMD_UNKNOWN, /* a name we do not know: answer "BAD unknown command" */
	/* RFC 9051 / RFC 3501 */
	IMAP_CMD_CAPABILITY,
	IMAP_CMD_NOOP,
	IMAP_CMD_LOGOUT,
	IMAP_CMD_STARTTLS,
	IMAP_CMD_AUTHENTICATE,
	IMAP_CMD_LOGIN,
	IMAP_CMD_ENABLE,
	IMAP_CMD_SELECT,
	IMAP_CMD_EXAMINE,
	IMAP_CMD_CREATE,
	IMAP_CMD_DELETE,
	IMAP_CMD_RENAME,
	IMAP_CMD_SUBSCRIBE,
	IMAP_CMD_UNSUBSCRIBE,
	IMAP_CMD_LIST,
	IMAP_CMD_LSUB,
	IMAP_CMD_NAMESPACE,
	IMAP_CMD_STATUS,
	IMAP_CMD_APPEND,
	IMAP_CMD_IDLE,
	IMAP_CMD_CHECK,
	IMAP_CMD_CLOSE,
	IMAP_CMD_UNSELECT,
	IMAP_CMD_EXPUNGE, /* with uid: UID EXPUNGE set */
	IMAP_CMD_SEARCH,
	IMAP_CMD_FETCH,
	IMAP_CMD_STORE,
	IMAP_CMD_COPY,
	IMAP_CMD_MOVE,
	IMAP_CMD_ID,
	/* extensions */
	IMAP_CMD_GETQUOTA,
	IMAP_CMD_GETQUOTAROOT,
	IMAP_CMD_SETQUOTA,
	IMAP_CMD_SORT,
	IMAP_CMD_THREAD,
	IMAP_CMD_COMPRESS,
	IMAP_CMD_NOTIFY,
	IMAP_CMD_GETACL,
	IMAP_CMD_SETACL,
	IMAP_CMD_DELETEACL,
	IMAP_CMD_LISTRIGHTS,
	IMAP_CMD_MYRIGHTS,
	IMAP_CMD_UNAUTHENTICATE,
	IMAP_CMD_REPLACE,
	IMAP_CMD_COUNT_
};

/* Message data of APPEND/REPLACE. In memory (data, size) unless the parser
 * streamed it to the literal sink (imap-parser.h), then data is NULL and
 * stream is the sink's handle; size is the literal's size either way. */
struct imap_literal {
	const char *data;
	uint64_t size;
	void *stream;
	bool literal8; /* sent as ~{n} (BINARY, RFC 3516) */
};

/* AUTHENTICATE mechanism [initial-response] (RFC 4959 SASL-IR). */
struct imap_cmd_authenticate {
	const char *mechanism;
	const char *initial_response; /* base64 as sent; "=" (empty response) as "="; NULL: none */
};

struct imap_cmd_login {
	const char *user, *password;
};

/* SELECT/EXAMINE with RFC 7162 parameters. */
struct imap_cmd_select {
	const char *mailbox;
	bool condstore;
	bool qresync;
	uint32_t uidvalidity; /* QRESYNC */
	uint64_t modseq;      /* QRESYNC */
	bool has_known_uids;
	struct imap_seqset known_uids;
	bool has_seq_match;
	struct imap_seqset known_seqs, known_seq_uids;
};

/* CREATE mailbox [(USE (attrs))] (RFC 6154). */
struct imap_cmd_create {
	const char *mailbox;
	bool has_use;
	struct imap_strlist use; /* "\Sent", ... */
};

/* DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT, GETACL, MYRIGHTS. */
struct imap_cmd_mailbox {
	const char *mailbox;
};

struct imap_cmd_rename {
	const char *from, *to;
};

/* LIST-EXTENDED selection options (RFC 5258, RFC 6154). */
enum imap_list_select {
	IMAP_LIST_SELECT_SUBSCRIBED = 1 << 0,
	IMAP_LIST_SELECT_REMOTE = 1 << 1,
	IMAP_LIST_SELECT_RECURSIVEMATCH = 1 << 2,
	IMAP_LIST_SELECT_SPECIAL_USE = 1 << 3,
};

/* LIST return options (RFC 5258, RFC 5819, RFC 6154). */
enum imap_list_return {
	IMAP_LIST_RETURN_SUBSCRIBED = 1 << 0,
	IMAP_LIST_RETURN_CHILDREN = 1 << 1,
	IMAP_LIST_RETURN_SPECIAL_USE = 1 << 2,
	IMAP_LIST_RETURN_STATUS = 1 << 3, /* status_items says which */
};

/* STATUS items (RFC 9051, RFC 7162, RFC 7889, RFC 8438, RFC 8474, RFC 9208). */
enum imap_status_item {
	IMAP_STATUS_MESSAGES = 1 << 0,
	IMAP_STATUS_RECENT = 1 << 1,
	IMAP_STATUS_UIDNEXT = 1 << 2,
	IMAP_STATUS_UIDVALIDITY = 1 << 3,
	IMAP_STATUS_UNSEEN = 1 << 4,
	IMAP_STATUS_DELETED = 1 << 5,
	IMAP_STATUS_SIZE = 1 << 6,
	IMAP_STATUS_HIGHESTMODSEQ = 1 << 7,
	IMAP_STATUS_APPENDLIMIT = 1 << 8,
	IMAP_STATUS_MAILBOXID = 1 << 9,
	IMAP_STATUS_DELETED_STORAGE = 1 << 10,
};
#define IMAP_STATUS_ITEM_COUNT 11

/* LIST [(select)] reference (pattern | (patterns)) [RETURN (...)]. */
struct imap_cmd_list {
	bool has_select; /* a selection option list was sent, maybe "()" */
	unsigned select; /* enum imap_list_select */
	const char *reference;
	struct imap_strlist patterns; /* >= 1 */
	bool patterns_list;           /* patterns were parenthesised */
	bool has_return;              /* RETURN (...) was sent, maybe empty */
	unsigned ret;                 /* enum imap_list_return */
	unsigned status_items;        /* enum imap_status_item, with IMAP_LIST_RETURN_STATUS */
};

struct imap_cmd_lsub {
	const char *reference, *pattern;
};

struct imap_cmd_status {
	const char *mailbox;
	unsigned items; /* enum imap_status_item, at least one */
};

struct imap_append_message {
	bool has_flags;
	struct imap_strlist flags;
	bool has_date;
	struct imap_datetime date;
	bool utf8; /* UTF8 (~{n}) of RFC 6855 */
	struct imap_literal data;
};

/* APPEND mailbox 1*message (several: MULTIAPPEND, RFC 3502). */
struct imap_cmd_append {
	const char *mailbox;
	struct imap_append_message *messages;
	size_t count; /* >= 1 */
};

/* SEARCH/SORT RETURN options (RFC 4731, RFC 5182, RFC 5267, RFC 9394). */
enum imap_search_return {
	IMAP_SEARCH_RETURN_MIN = 1 << 0,
	IMAP_SEARCH_RETURN_MAX = 1 << 1,
	IMAP_SEARCH_RETURN_ALL = 1 << 2,
	IMAP_SEARCH_RETURN_COUNT = 1 << 3,
	IMAP_SEARCH_RETURN_SAVE = 1 << 4,
	IMAP_SEARCH_RETURN_PARTIAL = 1 << 5, /* partial_first/last */
};

struct imap_search_options {
	bool has_return; /* "RETURN (...)" was sent; "RETURN ()" means ALL */
	unsigned ret;    /* enum imap_search_return */
	/* PARTIAL range: first:last, both positive or both negative (counted
	 * from the end, RFC 9394); as sent, not reordered. */
	int64_t partial_first, partial_last;
	const char *charset; /* NULL when no CHARSET was given */
	struct imap_search_key *keys;
	size_t key_count; /* >= 1 */
};

struct imap_cmd_search {
	struct imap_search_options opts;
};

/* FETCH set items [modifiers]. */
struct imap_cmd_fetch {
	struct imap_seqset set;
	enum imap_fetch_macro macro; /* when set, items hold its expansion */
	struct imap_fetch_item *items;
	size_t count;
	bool items_list; /* items were parenthesised */
	bool has_changedsince;
	uint64_t changedsince; /* RFC 7162: 0 is allowed (iOS sends it) */
	bool vanished;         /* RFC 7162, UID FETCH only */
	bool has_partial;      /* RFC 9394 PARTIAL modifier */
	int64_t partial_first, partial_last;
};

enum imap_store_mode {
	IMAP_STORE_REPLACE, /* FLAGS */
	IMAP_STORE_ADD,     /* +FLAGS */
	IMAP_STORE_REMOVE,  /* -FLAGS */
};

struct imap_cmd_store {
	struct imap_seqset set;
	bool has_unchangedsince;
	uint64_t unchangedsince;
	enum imap_store_mode mode;
	bool silent;
	struct imap_strlist flags;
	bool flags_list; /* flags were parenthesised */
};

/* COPY, MOVE. */
struct imap_cmd_copy {
	struct imap_seqset set;
	const char *mailbox;
};

/* UID EXPUNGE set (plain EXPUNGE has no arguments). */
struct imap_cmd_expunge {
	struct imap_seqset set;
};

struct imap_cmd_getquota {
	const char *root;
};

struct imap_quota_limit {
	const char *resource; /* "STORAGE", "MESSAGE", ... as sent */
	uint64_t limit;
};

struct imap_cmd_setquota {
	const char *root;
	const struct imap_quota_limit *limits;
	size_t count; /* may be 0: "SETQUOTA root ()" removes limits */
};

enum imap_sort_key {
	IMAP_SORT_ARRIVAL,
	IMAP_SORT_CC,
	IMAP_SORT_DATE,
	IMAP_SORT_FROM,
	IMAP_SORT_SIZE,
	IMAP_SORT_SUBJECT,
	IMAP_SORT_TO,
	IMAP_SORT_DISPLAYFROM, /* RFC 5957 */
	IMAP_SORT_DISPLAYTO,
};

struct imap_sort_criterion {
	bool reverse;
	enum imap_sort_key key;
};

/* SORT [RETURN (...)] (criteria) charset keys (RFC 5256, RFC 5267).
 * opts.charset is always set: SORT's charset is mandatory. */
struct imap_cmd_sort {
	const struct imap_sort_criterion *criteria;
	size_t criteria_count; /* >= 1 */
	struct imap_search_options opts;
};

/* THREAD algorithm charset keys (RFC 5256). */
struct imap_cmd_thread {
	const char *algorithm; /* "REFERENCES", "ORDEREDSUBJECT", ... as sent */
	struct imap_search_options opts;
};

struct imap_cmd_compress {
	const char *mechanism; /* "DEFLATE" */
};

enum imap_notify_filter {
	IMAP_NOTIFY_SELECTED,
	IMAP_NOTIFY_SELECTED_DELAYED,
	IMAP_NOTIFY_INBOXES,
	IMAP_NOTIFY_PERSONAL,
	IMAP_NOTIFY_SUBSCRIBED,
	IMAP_NOTIFY_SUBTREE,   /* mailboxes */
	IMAP_NOTIFY_MAILBOXES, /* mailboxes */
};

struct imap_notify_event {
	const char *name;                    /* "MessageNew", "FlagChange", ... as sent */
	struct imap_fetch_item *fetch_items; /* MessageNew (fetch-att ...) */
	size_t fetch_count;
};

struct imap_notify_group {
	enum imap_notify_filter filter;
	struct imap_strlist mailboxes; /* SUBTREE, MAILBOXES */
	bool mailboxes_list;           /* mailboxes were parenthesised */
	bool events_none;              /* "NONE" instead of an event list */
	const struct imap_notify_event *events;
	size_t event_count;
};

/* NOTIFY NONE | SET [STATUS] groups (RFC 5465). */
struct imap_cmd_notify {
	bool none;
	bool status;
	const struct imap_notify_group *groups;
	size_t group_count;
};

/* SETACL mailbox identifier rights; DELETEACL and LISTRIGHTS leave rights NULL. */
struct imap_cmd_acl {
	const char *mailbox;
	const char *identifier;
	const char *rights; /* "+lr", "-w", "lrswi" as sent */
};

/* REPLACE seq mailbox message (RFC 8508); with uid, the number is a UID. */
struct imap_cmd_replace {
	uint32_t number; /* may be RANGESET_STAR */
	const char *mailbox;
	struct imap_append_message message;
};

struct imap_command {
	struct arena *arena; /* owner of everything below; NULL when built by hand */
	const char *tag;
	const char *name; /* upper-case command name as sent ("FETCH"), for logs and UNKNOWN */
	enum imap_command_kind kind;
	bool uid; /* "UID" prefix (FETCH, STORE, COPY, MOVE, SEARCH, EXPUNGE, SORT, THREAD, REPLACE) */
	union {
		struct imap_cmd_authenticate authenticate;
		struct imap_cmd_login login;
		struct imap_strlist enable; /* capability names */
		struct imap_cmd_select select;
		struct imap_cmd_create create;
		struct imap_cmd_mailbox mailbox;
		struct imap_cmd_rename rename;
		struct imap_cmd_list list;
		struct imap_cmd_lsub lsub;
		struct imap_cmd_status status;
		struct imap_cmd_append append;
		struct imap_cmd_search search;
		struct imap_cmd_fetch fetch;
		struct imap_cmd_store store;
		struct imap_cmd_copy copy;
		struct imap_cmd_expunge expunge;
		struct imap_id_params id;
		struct imap_cmd_getquota getquota;
		struct imap_cmd_setquota setquota;
		struct imap_cmd_sort sort;
		struct imap_cmd_thread thread;
		struct imap_cmd_compress compress;
		struct imap_cmd_notify notify;
		struct imap_cmd_acl acl;
		struct imap_cmd_replace replace;
	} u;
	/* Private: literal handles to release (see imap-parser.h). */
	struct imap_command_streams *streams_;
};

/* Free a parsed command: its arena and, through the sink's release
 * callback, every streamed literal it holds. *cmd becomes NULL; accepts
 * NULL. A command built by hand owns nothing and needs no freeing. */
void imap_command_free(struct imap_command **cmd);
/* Wire name of a kind ("UID" prefix not included); "" for UNKNOWN. */
const char *imap_command_kind_name(enum imap_command_kind kind);
/* Look a command name up (case-insensitive); IMAP_CMD_UNKNOWN when unknown. */
enum imap_command_kind imap_command_kind_lookup(const char *name, size_t len);
/* May this kind follow "UID"? */
bool imap_command_kind_allows_uid(enum imap_command_kind kind);
/* Wire name of one STATUS item bit ("HIGHESTMODSEQ"), NULL if not one bit. */
const char *imap_status_item_name(unsigned item);
/* Look a STATUS item up (case-insensitive); 0 when unknown. */
unsigned imap_status_item_lookup(const char *name, size_t len);
/* Wire name of a sort key ("DISPLAYFROM"). */
const char *imap_sort_key_name(enum imap_sort_key key);

#endif
