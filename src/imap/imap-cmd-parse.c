/* imap-cmd-parse.c — the command grammar: tag, name, dispatch, and the
 * commands whose arguments are simple (RFC 9051 section 9 "command").
 * The larger families live in imap-cmd-parse-*.c.
 */
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

typedef bool cmd_parse_fn(struct imap_scan *s, struct imap_command *cmd);

static bool parse_none(struct imap_scan *s, struct imap_command *cmd)
{
	return true;
}

static bool is_base64_char(int c)
{
	return ascii_isalpha(c) || ascii_isdigit(c) || c == '+' || c == '/';
}

/* base64 = *(4base64-char) [base64-terminal]: padding only at the end. */
static bool valid_base64(const char *s, size_t n)
{
	size_t pad = 0;

	if (n % 4 != 0)
		return false;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (!is_base64_char((unsigned char)s[i]))
			return false;
	return true;
}

/* AUTHENTICATE mechanism [SP (base64 / "=")] (RFC 4959). */
static bool parse_authenticate(struct imap_scan *s, struct imap_command *cmd)
{
	const char *ir;
	size_t n;

	if (!scan_sp(s) || !scan_atom_dup(s, &cmd->u.authenticate.mechanism))
		return false;
	if (scan_eol(s))
		return true;
	if (!scan_sp(s) || !scan_atom(s, &ir, &n))
		return false;
	if (!(n == 1 && ir[0] == '=') && !valid_base64(ir, n))
		return scan_fail(s, "Invalid base64 initial response");
	cmd->u.authenticate.initial_response = arena_strndup(s->arena, ir, n);
	return true;
}

static bool parse_login(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.login.user) && scan_sp(s) &&
	       scan_astring(s, &cmd->u.login.password);
}

/* ENABLE 1*(SP capability) (RFC 5161). */
static bool parse_enable(struct imap_scan *s, struct imap_command *cmd)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;

	do {
		const char *cap;

		if (!scan_sp(s) || !scan_list_item(s, &count) || !scan_atom_dup(s, &cap))
			return false;
		strlist_add(s, &b, cap);
	} while (!scan_eol(s));
	cmd->u.enable = strlist_finish(&b);
	return true;
}

static bool parse_mailbox(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.mailbox.mailbox);
}

static bool parse_rename(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.rename.from) && scan_sp(s) &&
	       scan_astring(s, &cmd->u.rename.to);
}

static bool parse_copy(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) &&
	       scan_seqset(s, IMAP_SEQSET_ALLOW_STAR | IMAP_SEQSET_ALLOW_DOLLAR,
			   &cmd->u.copy.set) &&
	       scan_sp(s) && scan_astring(s, &cmd->u.copy.mailbox);
}

/* EXPUNGE; UID EXPUNGE sequence-set (RFC 4315). */
static bool parse_expunge(struct imap_scan *s, struct imap_command *cmd)
{
	if (!cmd->uid)
		return true;
	return scan_sp(s) && scan_seqset(s, IMAP_SEQSET_ALLOW_STAR | IMAP_SEQSET_ALLOW_DOLLAR,
					 &cmd->u.expunge.set);
}

/* ID ("(" [string SP nstring *(SP string SP nstring)] ")" / NIL) (RFC 2971). */
static bool parse_id(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_id_param *params = NULL;
	size_t count = 0, cap = 0, items = 0;

	if (!scan_sp(s))
		return false;
	if (scan_nil(s))
		return true;
	if (!scan_list_open(s))
		return false;
	while (!scan_try_char(s, ')')) {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		params = scan_grow(s, params, count, &cap, sizeof(*params));
		if (!scan_string(s, &params[count].key) || !scan_sp(s) ||
		    !scan_nstring(s, &params[count].value))
			return false;
		count++;
	}
	scan_leave(s);
	cmd->u.id.list = true;
	cmd->u.id.params = params;
	cmd->u.id.count = count;
	return true;
}

static bool parse_getquota(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.getquota.root);
}

static bool parse_compress(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_atom_dup(s, &cmd->u.compress.mechanism);
}

/* SETACL mailbox identifier rights (RFC 4314). */
static bool parse_setacl(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.acl.mailbox) && scan_sp(s) &&
	       scan_astring(s, &cmd->u.acl.identifier) && scan_sp(s) &&
	       scan_astring(s, &cmd->u.acl.rights);
}

/* DELETEACL / LISTRIGHTS mailbox identifier. */
static bool parse_acl_identifier(struct imap_scan *s, struct imap_command *cmd)
{
	return scan_sp(s) && scan_astring(s, &cmd->u.acl.mailbox) && scan_sp(s) &&
	       scan_astring(s, &cmd->u.acl.identifier);
}

static cmd_parse_fn *const parsers[IMAP_CMD_COUNT_] = {
	[IMAP_CMD_UNKNOWN] = parse_none,
	[IMAP_CMD_CAPABILITY] = parse_none,
	[IMAP_CMD_NOOP] = parse_none,
	[IMAP_CMD_LOGOUT] = parse_none,
	[IMAP_CMD_STARTTLS] = parse_none,
	[IMAP_CMD_AUTHENTICATE] = parse_authenticate,
	[IMAP_CMD_LOGIN] = parse_login,
	[IMAP_CMD_ENABLE] = parse_enable,
	[IMAP_CMD_SELECT] = imap_cmd_parse_select,
	[IMAP_CMD_EXAMINE] = imap_cmd_parse_select,
	[IMAP_CMD_CREATE] = imap_cmd_parse_create,
	[IMAP_CMD_DELETE] = parse_mailbox,
	[IMAP_CMD_RENAME] = parse_rename,
	[IMAP_CMD_SUBSCRIBE] = parse_mailbox,
	[IMAP_CMD_UNSUBSCRIBE] = parse_mailbox,
	[IMAP_CMD_LIST] = imap_cmd_parse_list,
	[IMAP_CMD_LSUB] = imap_cmd_parse_lsub,
	[IMAP_CMD_NAMESPACE] = parse_none,
	[IMAP_CMD_STATUS] = imap_cmd_parse_status,
	[IMAP_CMD_APPEND] = imap_cmd_parse_append,
	[IMAP_CMD_IDLE] = parse_none,
	[IMAP_CMD_CHECK] = parse_none,
	[IMAP_CMD_CLOSE] = parse_none,
	[IMAP_CMD_UNSELECT] = parse_none,
	[IMAP_CMD_EXPUNGE] = parse_expunge,
	[IMAP_CMD_SEARCH] = imap_cmd_parse_search,
	[IMAP_CMD_FETCH] = imap_cmd_parse_fetch,
	[IMAP_CMD_STORE] = imap_cmd_parse_store,
	[IMAP_CMD_COPY] = parse_copy,
	[IMAP_CMD_MOVE] = parse_copy,
	[IMAP_CMD_ID] = parse_id,
	[IMAP_CMD_GETQUOTA] = parse_getquota,
	[IMAP_CMD_GETQUOTAROOT] = parse_mailbox,
	[IMAP_CMD_SETQUOTA] = imap_cmd_parse_setquota,
	[IMAP_CMD_SORT] = imap_cmd_parse_sort,
	[IMAP_CMD_THREAD] = imap_cmd_parse_thread,
	[IMAP_CMD_COMPRESS] = parse_compress,
	[IMAP_CMD_NOTIFY] = imap_cmd_parse_notify,
	[IMAP_CMD_GETACL] = parse_mailbox,
	[IMAP_CMD_SETACL] = parse_setacl,
	[IMAP_CMD_DELETEACL] = parse_acl_identifier,
	[IMAP_CMD_LISTRIGHTS] = parse_acl_identifier,
	[IMAP_CMD_MYRIGHTS] = parse_mailbox,
	[IMAP_CMD_UNAUTHENTICATE] = parse_none,
	[IMAP_CMD_REPLACE] = imap_cmd_parse_replace,
};

static bool parse_name(struct imap_scan *s, struct imap_command *cmd)
{
	const char *name;
	size_t n;
	char *upper;

	if (!scan_label(s, &name, &n))
		return scan_fail(s, "Missing command");
	if (str_eq_ci_n(name, n, "UID")) {
		cmd->uid = true;
		if (!scan_sp(s) || !scan_label(s, &name, &n))
			return scan_fail(s, "Missing command after UID");
	}
	upper = arena_strndup(s->arena, name, n);
	str_upper_inplace(upper);
	cmd->name = upper;
	cmd->kind = imap_command_kind_lookup(name, n);
	if (cmd->uid && cmd->kind != IMAP_CMD_UNKNOWN && !imap_command_kind_allows_uid(cmd->kind))
		return scan_fail(s, "This command has no UID form");
	return true;
}

bool imap_command_parse(struct imap_scan *s, struct imap_command *cmd)
{
	if (!scan_tag(s, &cmd->tag))
		return false;
	if (!scan_sp(s) || !parse_name(s, cmd))
		return false;
	/* An unknown command keeps its arguments unread: the answer is BAD. */
	if (cmd->kind == IMAP_CMD_UNKNOWN)
		return true;
	if (!parsers[cmd->kind](s, cmd))
		return false;
	return scan_end(s);
}
