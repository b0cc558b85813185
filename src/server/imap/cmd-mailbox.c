/* cmd-mailbox.c — CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE (RFC 9051
 * 6.3.4-6.3.8, RFC 6154 CREATE-SPECIAL-USE).
 *
 * The selected mailbox and these commands:
 *   DELETE of the selected mailbox is allowed. The session leaves the
 *   selected state first (as after CLOSE, but nothing is expunged: the
 *   messages go with the mailbox), says so with "* OK [CLOSED]" and is in
 *   the authenticated state when the tagged OK arrives; commands that need
 *   a selected mailbox then get BAD until the next SELECT.
 *   RENAME of the selected mailbox (or of one of its parents) keeps it
 *   selected under its new name: UIDs and UIDVALIDITY do not change.
 *   RENAME of INBOX while INBOX is selected keeps INBOX selected; its
 *   messages moved away, so the client sees them expunged.
 */
#include "imap-commands.h"
#include "imap-selected.h"
#include "mailbox-rules.h"
#include "imap/imap-mailbox.h"
#include "lib/mem.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The special uses CREATE accepts (RFC 6154 3). \All and \Flagged name
 * virtual mailboxes that gather messages from others, which hafend does
 * not have: a plain mailbox with those attributes would mislead clients. */
#define CREATE_USES                                                                                \
	(STORE_USE_ARCHIVE | STORE_USE_DRAFTS | STORE_USE_JUNK | STORE_USE_SENT | STORE_USE_TRASH)

static int parse_use(struct imap_session *s, const struct imap_strlist *use, unsigned *uses_r)
{
	*uses_r = 0;
	for (size_t i = 0; i < use->count; i++) {
		const char *attr = use->items[i];
		unsigned bit = store_special_use_parse(attr, strlen(attr));

		if (!(bit & CREATE_USES)) {
			/* RFC 6154 3: NO with USEATTR, and no mailbox made. */
			session_tagged(s, IMAP_COND_NO, "USEATTR", "%s is not supported",
				       bit != 0 ? attr : "That special use");
			return -1;
		}
		*uses_r |= bit;
	}
	return 0;
}

enum cmd_result cmd_create(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_create *c = &cmd->u.create;
	struct store_mailbox mb;
	char code[64];
	unsigned uses = 0;
	char *name;
	int ret;

	if (c->has_use && parse_use(s, &c->use, &uses) < 0)
		return CMD_DONE;
	if (mailbox_read_new_name(s, c->mailbox, true, &name) < 0)
		return CMD_DONE;
	if (mailbox_check_room(s, name, true) < 0) {
		free(name);
		return CMD_DONE;
	}
	/* INBOX always exists, so CREATE INBOX is ALREADYEXISTS (6.3.4). */
	ret = store_mailbox_create(session_store(s), name, uses);
	if (ret == STORE_OK)
		ret = store_mailbox_get(session_store(s), name, &mb);
	free(name);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	/* RFC 8474 4.1: the new mailbox's MAILBOXID in the tagged OK. */
	snprintf(code, sizeof(code), "MAILBOXID (%s)", mb.mailboxid);
	store_mailbox_clear(&mb);
	session_tagged(s, IMAP_COND_OK, code, "CREATE completed");
	return CMD_DONE;
}

/* Is name (UTF-8, as the client wrote it) the mailbox this session has
 * selected? Compared by id, so "inbox" and "INBOX" are the same. */
static bool is_selected(struct imap_session *s, const char *name)
{
	struct store_mailbox mb;
	bool yes;

	if (s->sel == NULL || store_mailbox_get(session_store(s), name, &mb) != STORE_OK)
		return false;
	yes = mb.id == s->sel->mailbox_id;
	store_mailbox_clear(&mb);
	return yes;
}

/* Leave the selected state because the mailbox went away under us. */
static void close_deleted(struct imap_session *s)
{
	imap_selected_free(&s->sel);
	s->state = IMAP_STATE_AUTH;
	/* RFC 5182 2.1: the saved search result goes with the mailbox. */
	rangeset_clear(&s->search_saved);
	s->search_saved_valid = false;
	/* RFC 9051 7.1 CLOSED: the boundary after which no response is about
	 * the mailbox that was selected. */
	session_untagged(s, "OK [CLOSED] Selected mailbox was deleted");
}

enum cmd_result cmd_delete(struct imap_session *s, struct imap_command *cmd)
{
	bool selected;
	char *name;
	int ret;

	if (session_read_mailbox(s, cmd->u.mailbox.mailbox, &name) < 0)
		return CMD_DONE;
	if (imap_mailbox_is_inbox(name)) {
		free(name);
		session_tagged(s, IMAP_COND_NO, "CANNOT", "INBOX cannot be deleted");
		return CMD_DONE;
	}
	selected = is_selected(s, name);
	ret = store_mailbox_delete(session_store(s), name);
	free(name);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	if (selected)
		close_deleted(s);
	session_tagged(s, IMAP_COND_OK, NULL, "DELETE completed");
	return CMD_DONE;
}

/* After RENAME from -> to: the selected mailbox, when it was from or below
 * it, has a new name (INBOX's rename leaves INBOX where it is). */
static void rename_selected(struct imap_session *s, const char *from, const char *to)
{
	char *cfrom = NULL, *cto = NULL;
	size_t flen;

	if (s->sel == NULL || imap_mailbox_is_inbox(from))
		return;
	if (store_mailbox_name_canonical(from, &cfrom) == STORE_OK &&
	    store_mailbox_name_canonical(to, &cto) == STORE_OK) {
		flen = strlen(cfrom);
		if (strncmp(s->sel->name, cfrom, flen) == 0 &&
		    (s->sel->name[flen] == '\0' || s->sel->name[flen] == '/')) {
			size_t rest = strlen(s->sel->name + flen), tlen = strlen(cto);
			char *renamed = xmalloc(tlen + rest + 1);

			memcpy(renamed, cto, tlen);
			memcpy(renamed + tlen, s->sel->name + flen, rest + 1);
			free(s->sel->name);
			s->sel->name = renamed;
		}
	}
	free(cfrom);
	free(cto);
}

enum cmd_result cmd_rename(struct imap_session *s, struct imap_command *cmd)
{
	char *from = NULL, *to = NULL;
	int ret;

	if (session_read_mailbox(s, cmd->u.rename.from, &from) < 0)
		return CMD_DONE;
	if (mailbox_read_new_name(s, cmd->u.rename.to, false, &to) < 0 ||
	    mailbox_check_room(s, to, imap_mailbox_is_inbox(from)) < 0 ||
	    mailbox_check_rename_depth(s, from, to) < 0) {
		free(from);
		free(to);
		return CMD_DONE;
	}
	ret = store_mailbox_rename(session_store(s), from, to);
	if (ret == STORE_OK)
		rename_selected(s, from, to);
	free(from);
	free(to);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	session_tagged(s, IMAP_COND_OK, NULL, "RENAME completed");
	return CMD_DONE;
}

/* SUBSCRIBE and UNSUBSCRIBE: names need not exist (RFC 9051 6.3.7), and
 * unsubscribing a name that is not subscribed is OK too (6.3.8). */
enum cmd_result cmd_subscribe(struct imap_session *s, struct imap_command *cmd)
{
	bool on = cmd->kind == IMAP_CMD_SUBSCRIBE;
	const char *what = on ? "SUBSCRIBE" : "UNSUBSCRIBE";
	char *name;
	int ret;

	if (on) {
		if (mailbox_read_new_name(s, cmd->u.mailbox.mailbox, false, &name) < 0)
			return CMD_DONE;
		if (mailbox_check_subscriptions(s, name) < 0) {
			free(name);
			return CMD_DONE;
		}
	} else if (session_read_mailbox(s, cmd->u.mailbox.mailbox, &name) < 0) {
		return CMD_DONE;
	}
	ret = store_subscribe(session_store(s), name, on);
	free(name);
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return CMD_DONE;
	}
	session_tagged(s, IMAP_COND_OK, NULL, "%s completed", what);
	return CMD_DONE;
}
