/* imap-commands.c — the command table (see imap-commands.h). */
#include "imap-commands.h"

#include <stddef.h>

static const struct imap_cmd_def defs[] = {
	{IMAP_CMD_CAPABILITY, IMAP_STATE_ANY, 0, cmd_capability},
	{IMAP_CMD_NOOP, IMAP_STATE_ANY, 0, cmd_noop},
	{IMAP_CMD_LOGOUT, IMAP_STATE_ANY, 0, cmd_logout},
	{IMAP_CMD_STARTTLS, IMAP_STATE_NOT_AUTH, 0, cmd_starttls},
	{IMAP_CMD_LOGIN, IMAP_STATE_NOT_AUTH, 0, cmd_login},
	{IMAP_CMD_AUTHENTICATE, IMAP_STATE_NOT_AUTH, 0, cmd_authenticate},
	{IMAP_CMD_ENABLE, IMAP_STATE_AUTH, 0, cmd_enable},
	{IMAP_CMD_ID, IMAP_STATE_ANY, 0, cmd_id},
	{IMAP_CMD_SELECT, IMAP_STATE_LOGGED_IN, 0, cmd_select},
	{IMAP_CMD_EXAMINE, IMAP_STATE_LOGGED_IN, 0, cmd_select},
	{IMAP_CMD_CLOSE, IMAP_STATE_SELECTED, 0, cmd_close},
	{IMAP_CMD_UNSELECT, IMAP_STATE_SELECTED, 0, cmd_unselect},
	{IMAP_CMD_CHECK, IMAP_STATE_SELECTED, 0, cmd_noop},
	{IMAP_CMD_IDLE, IMAP_STATE_LOGGED_IN, 0, cmd_idle},
	{IMAP_CMD_NAMESPACE, IMAP_STATE_LOGGED_IN, 0, cmd_namespace},
	{IMAP_CMD_LIST, IMAP_STATE_LOGGED_IN, 0, cmd_list},
	{IMAP_CMD_LSUB, IMAP_STATE_LOGGED_IN, 0, cmd_list},
	{IMAP_CMD_CREATE, IMAP_STATE_LOGGED_IN, 0, cmd_create},
	{IMAP_CMD_DELETE, IMAP_STATE_LOGGED_IN, 0, cmd_delete},
	{IMAP_CMD_RENAME, IMAP_STATE_LOGGED_IN, 0, cmd_rename},
	{IMAP_CMD_SUBSCRIBE, IMAP_STATE_LOGGED_IN, 0, cmd_subscribe},
	{IMAP_CMD_UNSUBSCRIBE, IMAP_STATE_LOGGED_IN, 0, cmd_subscribe},
	{IMAP_CMD_STATUS, IMAP_STATE_LOGGED_IN, 0, cmd_status},
	{IMAP_CMD_APPEND, IMAP_STATE_LOGGED_IN, 0, cmd_append},
	{IMAP_CMD_FETCH, IMAP_STATE_SELECTED, CMD_F_SEQS, cmd_fetch},
	{IMAP_CMD_SEARCH, IMAP_STATE_SELECTED, CMD_F_SEQS, cmd_search},
	{IMAP_CMD_SORT, IMAP_STATE_SELECTED, CMD_F_SEQS, cmd_sort},
	{IMAP_CMD_THREAD, IMAP_STATE_SELECTED, CMD_F_SEQS, cmd_thread},
	{IMAP_CMD_STORE, IMAP_STATE_SELECTED, CMD_F_SEQS | CMD_F_WRITE, cmd_store},
	{IMAP_CMD_COPY, IMAP_STATE_SELECTED, 0, cmd_copy},
	{IMAP_CMD_MOVE, IMAP_STATE_SELECTED, CMD_F_WRITE, cmd_copy},
	{IMAP_CMD_EXPUNGE, IMAP_STATE_SELECTED, CMD_F_WRITE, cmd_expunge},
	{IMAP_CMD_COMPRESS, IMAP_STATE_LOGGED_IN, 0, cmd_compress},
	{IMAP_CMD_NOTIFY, IMAP_STATE_LOGGED_IN, 0, cmd_notify},
	{IMAP_CMD_GETQUOTA, IMAP_STATE_LOGGED_IN, 0, cmd_getquota},
	{IMAP_CMD_GETQUOTAROOT, IMAP_STATE_LOGGED_IN, 0, cmd_getquotaroot},
	{IMAP_CMD_SETQUOTA, IMAP_STATE_LOGGED_IN, 0, cmd_setquota},
};

const struct imap_cmd_def *imap_cmd_def_find(enum imap_command_kind kind)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (defs[i].kind == kind)
			return &defs[i];
	return NULL;
}
