/* imap-command.c — command names, lookups and freeing (see imap-command.h). */
#include "imap-command.h"
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

static const char *const command_names[IMAP_CMD_COUNT_] = {
	[IMAP_CMD_UNKNOWN] = "",
	[IMAP_CMD_CAPABILITY] = "CAPABILITY",
	[IMAP_CMD_NOOP] = "NOOP",
	[IMAP_CMD_LOGOUT] = "LOGOUT",
	[IMAP_CMD_STARTTLS] = "STARTTLS",
	[IMAP_CMD_AUTHENTICATE] = "AUTHENTICATE",
	[IMAP_CMD_LOGIN] = "LOGIN",
	[IMAP_CMD_ENABLE] = "ENABLE",
	[IMAP_CMD_SELECT] = "SELECT",
	[IMAP_CMD_EXAMINE] = "EXAMINE",
	[IMAP_CMD_CREATE] = "CREATE",
	[IMAP_CMD_DELETE] = "DELETE",
	[IMAP_CMD_RENAME] = "RENAME",
	[IMAP_CMD_SUBSCRIBE] = "SUBSCRIBE",
	[IMAP_CMD_UNSUBSCRIBE] = "UNSUBSCRIBE",
	[IMAP_CMD_LIST] = "LIST",
	[IMAP_CMD_LSUB] = "LSUB",
	[IMAP_CMD_NAMESPACE] = "NAMESPACE",
	[IMAP_CMD_STATUS] = "STATUS",
	[IMAP_CMD_APPEND] = "APPEND",
	[IMAP_CMD_IDLE] = "IDLE",
	[IMAP_CMD_CHECK] = "CHECK",
	[IMAP_CMD_CLOSE] = "CLOSE",
	[IMAP_CMD_UNSELECT] = "UNSELECT",
	[IMAP_CMD_EXPUNGE] = "EXPUNGE",
	[IMAP_CMD_SEARCH] = "SEARCH",
	[IMAP_CMD_FETCH] = "FETCH",
	[IMAP_CMD_STORE] = "STORE",
	[IMAP_CMD_COPY] = "COPY",
	[IMAP_CMD_MOVE] = "MOVE",
	[IMAP_CMD_ID] = "ID",
	[IMAP_CMD_GETQUOTA] = "GETQUOTA",
	[IMAP_CMD_GETQUOTAROOT] = "GETQUOTAROOT",
	[IMAP_CMD_SETQUOTA] = "SETQUOTA",
	[IMAP_CMD_SORT] = "SORT",
	[IMAP_CMD_THREAD] = "THREAD",
	[IMAP_CMD_COMPRESS] = "COMPRESS",
	[IMAP_CMD_NOTIFY] = "NOTIFY",
	[IMAP_CMD_GETACL] = "GETACL",
	[IMAP_CMD_SETACL] = "SETACL",
	[IMAP_CMD_DELETEACL] = "DELETEACL",
	[IMAP_CMD_LISTRIGHTS] = "LISTRIGHTS",
	[IMAP_CMD_MYRIGHTS] = "MYRIGHTS",
	[IMAP_CMD_UNAUTHENTICATE] = "UNAUTHENTICATE",
	[IMAP_CMD_REPLACE] = "REPLACE",
};

const char *imap_command_kind_name(enum imap_command_kind kind)
{
	return (unsigned)kind < IMAP_CMD_COUNT_ ? command_names[kind] : "";
}

enum imap_command_kind imap_command_kind_lookup(const char *name, size_t len)
{
	for (unsigned i = 1; i < IMAP_CMD_COUNT_; i++)
		if (str_eq_ci_n(name, len, command_names[i]))
			return (enum imap_command_kind)i;
	return IMAP_CMD_UNKNOWN;
}

bool imap_command_kind_allows_uid(enum imap_command_kind kind)
{
	switch (kind) {
	case IMAP_CMD_FETCH:
	case IMAP_CMD_STORE:
	case IMAP_CMD_COPY:
	case IMAP_CMD_MOVE:
	case IMAP_CMD_SEARCH:
	case IMAP_CMD_EXPUNGE:
	case IMAP_CMD_SORT:
	case IMAP_CMD_THREAD:
	case IMAP_CMD_REPLACE:
		return true;
	default:
		return false;
	}
}

static const char *const status_names[IMAP_STATUS_ITEM_COUNT] = {
	"MESSAGES", "RECENT",        "UIDNEXT",     "UIDVALIDITY", "UNSEEN",          "DELETED",
	"SIZE",     "HIGHESTMODSEQ", "APPENDLIMIT", "MAILBOXID",   "DELETED-STORAGE",
};

const char *imap_status_item_name(unsigned item)
{
	for (unsigned i = 0; i < IMAP_STATUS_ITEM_COUNT; i++)
		if (item == 1u << i)
			return status_names[i];
	return NULL;
}

unsigned imap_status_item_lookup(const char *name, size_t len)
{
	for (unsigned i = 0; i < IMAP_STATUS_ITEM_COUNT; i++)
		if (str_eq_ci_n(name, len, status_names[i]))
			return 1u << i;
	return 0;
}

const char *imap_sort_key_name(enum imap_sort_key key)
{
	static const char *const names[] = {"ARRIVAL", "CC", "DATE",        "FROM",     "SIZE",
					    "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"};

	return (unsigned)key < HF_N_ELEMENTS(names) ? names[key] : "";
}

void imap_streams_release(struct imap_command_streams *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->count; i++)
		st->sink.release(st->sink.context, st->handles[i]);
	st->count = 0;
}

void imap_command_free(struct imap_command **cmd)
{
	struct arena *arena;

	if (*cmd == NULL)
		return;
	imap_streams_release((*cmd)->streams_);
	arena = (*cmd)->arena;
	*cmd = NULL;
	arena_free(&arena);
}
