/* imap-response.h — a parsed (or to-be-written) IMAP server response, typed.
 *
 * The client gets these from imap_parser_next_response() (imap-parser.h);
 * the server fills one in and writes it with imap_response_write()
 * (imap-write.h), or uses the smaller writers there for responses it
 * streams (FETCH). A parsed response owns one arena holding everything it
 * points to; imap_response_free() releases it together with any streamed
 * literal (FETCH BODY[] data sent to the literal sink).
 *
 * Untagged responses we do not know are returned as IMAP_RESP_UNKNOWN with
 * their data parsed generically, never as an error: servers send
 * extensions the client did not ask about.
 */
#ifndef HAFEN_IMAP_RESPONSE_H
#define HAFEN_IMAP_RESPONSE_H

#include "imap-body.h"
#include "imap-date.h"
#include "imap-fetch.h"
#include "imap-seqset.h"
#include "imap-value.h"

#include "lib/arena.h"

#include <stdbool.h>
#include <stdint.h>

enum imap_response_kind {
	IMAP_RESP_CONTINUE,    /* "+ text": u.text */
	IMAP_RESP_STATUS,      /* tagged or untagged OK/NO/BAD, untagged PREAUTH/BYE: u.status */
	IMAP_RESP_CAPABILITY,  /* u.strings */
	IMAP_RESP_ENABLED,     /* u.strings */
	IMAP_RESP_FLAGS,       /* u.strings */
	IMAP_RESP_LIST,        /* u.list */
	IMAP_RESP_LSUB,        /* u.list */
	IMAP_RESP_STATUS_DATA, /* "* STATUS mailbox (...)": u.status_data */
	IMAP_RESP_SEARCH,      /* u.search */
	IMAP_RESP_SORT,        /* u.search */
	IMAP_RESP_ESEARCH,     /* u.esearch */
	IMAP_RESP_THREAD,      /* u.thread */
	IMAP_RESP_EXISTS,      /* u.number */
	IMAP_RESP_RECENT,      /* u.number */
	IMAP_RESP_EXPUNGE,     /* u.number */
	IMAP_RESP_VANISHED,    /* u.vanished */
	IMAP_RESP_FETCH,       /* u.fetch */
	IMAP_RESP_ID,          /* u.id (NIL: !list) */
	IMAP_RESP_NAMESPACE,   /* u.namespace */
	IMAP_RESP_QUOTA,       /* u.quota */
	IMAP_RESP_QUOTAROOT,   /* u.quotaroot */
	IMAP_RESP_ACL,         /* u.acl */
	IMAP_RESP_LISTRIGHTS,  /* u.listrights */
	IMAP_RESP_MYRIGHTS,    /* u.myrights */
	IMAP_RESP_UNKNOWN,     /* u.unknown */
};

enum imap_status_cond {
	IMAP_COND_OK,
	IMAP_COND_NO,
	IMAP_COND_BAD,
	IMAP_COND_PREAUTH,
	IMAP_COND_BYE,
};

enum imap_code_kind {
	IMAP_CODE_NONE, /* no "[...]" */
	IMAP_CODE_ALERT,
	IMAP_CODE_BADCHARSET, /* u.strings: may be empty */
	IMAP_CODE_CAPABILITY, /* u.strings */
	IMAP_CODE_PARSE,
	IMAP_CODE_PERMANENTFLAGS, /* u.strings, may hold "\*" */
	IMAP_CODE_READ_ONLY,
	IMAP_CODE_READ_WRITE,
	IMAP_CODE_TRYCREATE,
	IMAP_CODE_UIDNEXT,     /* u.number */
	IMAP_CODE_UIDVALIDITY, /* u.number */
	IMAP_CODE_UNSEEN,      /* u.number */
	IMAP_CODE_APPENDUID,   /* u.appenduid */
	IMAP_CODE_COPYUID,     /* u.copyuid */
	IMAP_CODE_UIDNOTSTICKY,
	IMAP_CODE_HIGHESTMODSEQ, /* u.number */
	IMAP_CODE_NOMODSEQ,
	IMAP_CODE_MODIFIED, /* u.set */
	IMAP_CODE_CLOSED,
	IMAP_CODE_ALREADYEXISTS,
	IMAP_CODE_NONEXISTENT,
	IMAP_CODE_AUTHENTICATIONFAILED,
	IMAP_CODE_AUTHORIZATIONFAILED,
	IMAP_CODE_EXPIRED,
	IMAP_CODE_PRIVACYREQUIRED,
	IMAP_CODE_CONTACTADMIN,
	IMAP_CODE_NOPERM,
	IMAP_CODE_INUSE,
	IMAP_CODE_EXPUNGEISSUED,
	IMAP_CODE_CORRUPTION,
	IMAP_CODE_SERVERBUG,
	IMAP_CODE_CLIENTBUG,
	IMAP_CODE_CANNOT,
	IMAP_CODE_LIMIT,
	IMAP_CODE_OVERQUOTA,
	IMAP_CODE_TOOBIG,
	IMAP_CODE_HASCHILDREN,
	IMAP_CODE_UNAVAILABLE,
	IMAP_CODE_MAILBOXID, /* u.objectid */
	IMAP_CODE_NOTSAVED,
	IMAP_CODE_COMPRESSIONACTIVE,
	IMAP_CODE_UNKNOWN_CTE,
	IMAP_CODE_USEATTR,
	IMAP_CODE_OTHER, /* any other atom: name, and text (or NULL) */
};

/* resp-text-code. A known code whose arguments do not parse is kept as
 * IMAP_CODE_OTHER with its raw text, so one odd server does not make the
 * whole response unreadable. */
struct imap_resp_code {
	enum imap_code_kind kind;
	const char *name; /* the atom, upper-cased as received */
	const char *text; /* OTHER: everything between the atom's SP and "]", or NULL */
	union {
		struct imap_strlist strings;
		uint64_t number;
		const char *objectid;
		struct imap_seqset set;
		struct {
			uint32_t uidvalidity;
			struct imap_seqset uids; /* one UID, or a uid-set with MULTIAPPEND */
		} appenduid;
		struct {
			uint32_t uidvalidity;
			struct imap_seqset src, dst; /* paired by position */
		} copyuid;
	} u;
};

struct imap_resp_status {
	enum imap_status_cond cond;
	struct imap_resp_code code;
	const char *text; /* "" when the server sent none */
};

/* One LIST-EXTENDED data item (RFC 5258 mbox-list-extended-item). */
struct imap_list_ext_item {
	const char *tag; /* "CHILDINFO", "OLDNAME", ... */
	struct imap_value value;
};

struct imap_resp_list {
	struct imap_strlist attrs;            /* "\HasNoChildren", "\Sent", ... */
	char delimiter;                       /* 0 for NIL */
	const char *mailbox;                  /* as sent: modified UTF-7 or UTF-8 */
	bool has_ext;                         /* an extended item list "(...)" was sent */
	struct imap_strlist childinfo;        /* CHILDINFO ("SUBSCRIBED") */
	const char *oldname;                  /* OLDNAME (mailbox), or NULL */
	const struct imap_list_ext_item *ext; /* other items, kept generically */
	size_t ext_count;
};

/* One STATUS attribute value; item is one enum imap_status_item bit. */
struct imap_status_value {
	unsigned item;
	uint64_t value;
	bool nil;             /* APPENDLIMIT NIL */
	const char *objectid; /* MAILBOXID */
};

struct imap_resp_status_data {
	const char *mailbox;
	const struct imap_status_value *values;
	size_t count;
};

/* SEARCH and SORT: the numbers, and the RFC 7162 "(MODSEQ n)" tail. */
struct imap_resp_search {
	const uint32_t *numbers;
	size_t count;
	bool has_modseq;
	uint64_t modseq;
};

/* ESEARCH (RFC 4731, RFC 9051): each part present only when its has_ flag is set. */
struct imap_resp_esearch {
	const char *tag; /* search-correlator, or NULL */
	bool uid;
	bool has_min, has_max, has_count, has_all, has_modseq, has_partial;
	uint32_t min, max, count;
	uint64_t modseq;
	struct imap_seqset all;
	int64_t partial_first, partial_last;
	bool partial_nil;           /* PARTIAL results NIL */
	struct imap_seqset partial; /* PARTIAL results */
};

/* A THREAD tree: id 0 is a node without a message of its own (a
 * parenthesised list that starts with nested threads). */
struct imap_thread_node {
	uint32_t id;
	const struct imap_thread_node *children;
	size_t child_count;
};

struct imap_resp_thread {
	const struct imap_thread_node *roots;
	size_t count;
};

struct imap_resp_vanished {
	bool earlier;
	struct imap_seqset uids;
};

/* One item of a FETCH response. item.kind says which union member holds
 * the value; item.section and item.partial_offset ("<origin>") describe
 * BODY[...]/BINARY[...] data. */
struct imap_fetch_attr {
	struct imap_fetch_item item;
	union {
		struct imap_strlist flags; /* FLAGS */
		struct imap_datetime date; /* INTERNALDATE */
		uint64_t number;           /* RFC822.SIZE, UID, BINARY.SIZE, MODSEQ */
		const struct imap_envelope *envelope;
		const struct imap_body *body; /* BODY, BODYSTRUCTURE */
		struct {
			const char *data; /* NULL for NIL, and when streamed */
			uint64_t len;
			void *stream; /* literal sink handle when streamed */
			bool literal8;
		} string;             /* BODY[], BINARY[], RFC822*, PREVIEW */
		const char *objectid; /* EMAILID, THREADID (NULL: NIL) */
		struct {
			bool nil;
			struct imap_datetime date;
		} savedate; /* SAVEDATE */
	} u;
};

struct imap_resp_fetch {
	uint32_t seq;
	const struct imap_fetch_attr *attrs;
	size_t count;
};

struct imap_namespace_ext {
	const char *name;
	struct imap_strlist values;
};

struct imap_namespace_descr {
	const char *prefix;
	char delimiter; /* 0 for NIL */
	const struct imap_namespace_ext *ext;
	size_t ext_count;
};

/* One of the three namespace groups; NIL is count 0. */
struct imap_namespace_group {
	const struct imap_namespace_descr *items;
	size_t count;
};

struct imap_resp_namespace {
	struct imap_namespace_group personal, other, shared;
};

struct imap_quota_resource {
	const char *name;
	uint64_t usage, limit;
};

struct imap_resp_quota {
	const char *root;
	const struct imap_quota_resource *resources;
	size_t count;
};

struct imap_resp_quotaroot {
	const char *mailbox;
	struct imap_strlist roots;
};

struct imap_acl_entry {
	const char *identifier, *rights;
};

struct imap_resp_acl {
	const char *mailbox;
	const struct imap_acl_entry *entries;
	size_t count;
};

struct imap_resp_listrights {
	const char *mailbox, *identifier;
	struct imap_strlist rights; /* required rights first, then optional groups */
};

struct imap_resp_myrights {
	const char *mailbox, *rights;
};

/* Anything else: "* [number SP] NAME values...". */
struct imap_resp_unknown {
	bool has_number;
	uint32_t number;
	const char *name;
	const struct imap_value *values;
	size_t count;
};

struct imap_response {
	struct arena *arena; /* owner of everything below; NULL when built by hand */
	enum imap_response_kind kind;
	const char *tag; /* tagged status responses only; NULL otherwise */
	union {
		const char *text; /* CONTINUE: everything after "+ " */
		struct imap_resp_status status;
		struct imap_strlist strings;
		struct imap_resp_list list;
		struct imap_resp_status_data status_data;
		struct imap_resp_search search;
		struct imap_resp_esearch esearch;
		struct imap_resp_thread thread;
		uint32_t number;
		struct imap_resp_vanished vanished;
		struct imap_resp_fetch fetch;
		struct imap_id_params id;
		struct imap_resp_namespace namespace_;
		struct imap_resp_quota quota;
		struct imap_resp_quotaroot quotaroot;
		struct imap_resp_acl acl;
		struct imap_resp_listrights listrights;
		struct imap_resp_myrights myrights;
		struct imap_resp_unknown unknown;
	} u;
	/* Private: literal handles to release (see imap-parser.h). */
	struct imap_command_streams *streams_;
};

/* Free a parsed response and release its streamed literals; *resp becomes
 * NULL; accepts NULL. A response built by hand owns nothing. */
void imap_response_free(struct imap_response **resp);
/* Wire name of a response code kind ("UIDNEXT"); NULL for NONE and OTHER. */
const char *imap_code_kind_name(enum imap_code_kind kind);
/* Look a code atom up (case-insensitive); IMAP_CODE_OTHER when unknown. */
enum imap_code_kind imap_code_kind_lookup(const char *name, size_t len);
/* "OK", "NO", "BAD", "PREAUTH", "BYE". */
const char *imap_status_cond_name(enum imap_status_cond cond);

#endif
