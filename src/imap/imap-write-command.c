/* imap-write-command.c — commands in wire form, for the client (see
 * imap-write.h). Each writer mirrors its parser in imap-cmd-parse*.c.
 */
#include "imap-write-private.h"
#include "lib/mem.h"

#include <string.h>

void imap_command_output_free(struct imap_command_output *out)
{
	buf_free(&out->buf);
	xfree(&out->marks);
	out->mark_count = out->mark_cap = 0;
}

static void w_sp_astring(struct imap_writer *w, const char *s)
{
	w_byte(w, ' ');
	w_astring(w, s);
}

static void w_select(struct imap_writer *w, const struct imap_cmd_select *sel)
{
	w_sp_astring(w, sel->mailbox);
	if (!sel->condstore && !sel->qresync)
		return;
	w_str(w, " (");
	if (sel->condstore)
		w_str(w, sel->qresync ? "CONDSTORE " : "CONDSTORE");
	if (sel->qresync) {
		buf_printf(w->buf, "QRESYNC (%u %llu", sel->uidvalidity,
			   (unsigned long long)sel->modseq);
		if (sel->has_known_uids) {
			w_byte(w, ' ');
			w_seqset(w, &sel->known_uids);
		}
		if (sel->has_seq_match) {
			w_str(w, " (");
			w_seqset(w, &sel->known_seqs);
			w_byte(w, ' ');
			w_seqset(w, &sel->known_seq_uids);
			w_byte(w, ')');
		}
		w_byte(w, ')');
	}
	w_byte(w, ')');
}

static void w_create(struct imap_writer *w, const struct imap_cmd_create *c)
{
	w_sp_astring(w, c->mailbox);
	if (c->has_use) {
		w_str(w, " (USE ");
		w_flag_list(w, &c->use);
		w_byte(w, ')');
	}
}

static void w_bits(struct imap_writer *w, unsigned bits, const char *const *names, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (!first)
			w_byte(w, ' ');
		w_str(w, names[i]);
		first = false;
	}
}

static void w_list(struct imap_writer *w, const struct imap_cmd_list *l)
{
	static const char *const sel_names[] = {"SUBSCRIBED", "REMOTE", "RECURSIVEMATCH",
						"SPECIAL-USE"};
	static const char *const ret_names[] = {"SUBSCRIBED", "CHILDREN", "SPECIAL-USE"};

	if (l->has_select) {
		w_str(w, " (");
		w_bits(w, l->select, sel_names, HF_N_ELEMENTS(sel_names));
		w_byte(w, ')');
	}
	w_sp_astring(w, l->reference);
	w_byte(w, ' ');
	if (l->patterns_list || l->patterns.count != 1)
		w_byte(w, '(');
	for (size_t i = 0; i < l->patterns.count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		w_list_mailbox(w, l->patterns.items[i]);
	}
	if (l->patterns_list || l->patterns.count != 1)
		w_byte(w, ')');
	if (!l->has_return)
		return;
	w_str(w, " RETURN (");
	w_bits(w, l->ret, ret_names, HF_N_ELEMENTS(ret_names));
	if (l->ret & IMAP_LIST_RETURN_STATUS) {
		w_str(w, (l->ret & ~(unsigned)IMAP_LIST_RETURN_STATUS) ? " STATUS " : "STATUS ");
		w_status_items(w, l->status_items);
	}
	w_byte(w, ')');
}

static void w_append_message(struct imap_writer *w, const struct imap_append_message *m)
{
	if (m->has_flags) {
		w_byte(w, ' ');
		w_flag_list(w, &m->flags);
	}
	if (m->has_date) {
		w_byte(w, ' ');
		w_datetime(w, &m->date);
	}
	w_str(w, m->utf8 ? " UTF8 (" : " ");
	w_literal_header(w, m->data.size, m->data.literal8 || m->utf8);
	if (m->data.data != NULL)
		buf_append(w->buf, m->data.data, (size_t)m->data.size);
	else
		w_stream_mark(w, m->data.size, m->data.stream);
	if (m->utf8)
		w_byte(w, ')');
}

static void w_search_return(struct imap_writer *w, const struct imap_search_options *o)
{
	static const char *const names[] = {"MIN", "MAX", "ALL", "COUNT", "SAVE"};

	if (!o->has_return)
		return;
	w_str(w, " RETURN (");
	w_bits(w, o->ret, names, HF_N_ELEMENTS(names));
	if (o->ret & IMAP_SEARCH_RETURN_PARTIAL) {
		w_str(w,
		      (o->ret & ~(unsigned)IMAP_SEARCH_RETURN_PARTIAL) ? " PARTIAL " : "PARTIAL ");
		w_partial_range(w, o->partial_first, o->partial_last);
	}
	w_byte(w, ')');
}

static void w_search_program(struct imap_writer *w, const struct imap_search_options *o,
			     bool charset_keyword)
{
	if (o->charset != NULL) {
		w_str(w, charset_keyword ? " CHARSET " : " ");
		w_charset(w, o->charset);
	}
	w_search_keys(w, o->keys, o->key_count);
}

static void w_fetch(struct imap_writer *w, const struct imap_command *cmd)
{
	static const char *const macros[] = {"", "ALL", "FAST", "FULL"};
	const struct imap_cmd_fetch *f = &cmd->u.fetch;
	bool first = true;

	w_byte(w, ' ');
	w_seqset(w, &f->set);
	w_byte(w, ' ');
	if (f->macro != IMAP_FETCH_MACRO_NONE) {
		w_str(w, macros[f->macro]);
	} else {
		if (f->items_list || f->count != 1)
			w_byte(w, '(');
		for (size_t i = 0; i < f->count; i++) {
			if (i > 0)
				w_byte(w, ' ');
			w_fetch_item(w, &f->items[i], false);
		}
		if (f->items_list || f->count != 1)
			w_byte(w, ')');
	}
	if (!f->has_changedsince && !f->vanished && !f->has_partial)
		return;
	w_str(w, " (");
	if (f->has_changedsince) {
		buf_printf(w->buf, "CHANGEDSINCE %llu", (unsigned long long)f->changedsince);
		first = false;
	}
	if (f->vanished) {
		w_str(w, first ? "VANISHED" : " VANISHED");
		first = false;
	}
	if (f->has_partial) {
		w_str(w, first ? "PARTIAL " : " PARTIAL ");
		w_partial_range(w, f->partial_first, f->partial_last);
	}
	w_byte(w, ')');
}

static void w_store(struct imap_writer *w, const struct imap_cmd_store *st)
{
	w_byte(w, ' ');
	w_seqset(w, &st->set);
	if (st->has_unchangedsince)
		buf_printf(w->buf, " (UNCHANGEDSINCE %llu)",
			   (unsigned long long)st->unchangedsince);
	w_str(w, st->mode == IMAP_STORE_ADD ? " +" : st->mode == IMAP_STORE_REMOVE ? " -" : " ");
	w_str(w, st->silent ? "FLAGS.SILENT " : "FLAGS ");
	if (st->flags_list || st->flags.count == 0) {
		w_flag_list(w, &st->flags);
		return;
	}
	for (size_t i = 0; i < st->flags.count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		w_str(w, st->flags.items[i]);
	}
}

static void w_setquota(struct imap_writer *w, const struct imap_cmd_setquota *q)
{
	w_sp_astring(w, q->root);
	w_str(w, " (");
	for (size_t i = 0; i < q->count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		buf_printf(w->buf, "%s %llu", q->limits[i].resource,
			   (unsigned long long)q->limits[i].limit);
	}
	w_byte(w, ')');
}

static void w_sort(struct imap_writer *w, const struct imap_cmd_sort *so)
{
	w_search_return(w, &so->opts);
	w_str(w, " (");
	for (size_t i = 0; i < so->criteria_count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		if (so->criteria[i].reverse)
			w_str(w, "REVERSE ");
		w_str(w, imap_sort_key_name(so->criteria[i].key));
	}
	w_byte(w, ')');
	w_search_program(w, &so->opts, false);
}

static void w_notify_group(struct imap_writer *w, const struct imap_notify_group *g)
{
	static const char *const filters[] = {"SELECTED", "SELECTED-DELAYED", "INBOXES",
					      "PERSONAL", "SUBSCRIBED",       "SUBTREE",
					      "MAILBOXES"};

	w_byte(w, '(');
	w_str(w, filters[g->filter]);
	if (g->filter == IMAP_NOTIFY_SUBTREE || g->filter == IMAP_NOTIFY_MAILBOXES) {
		w_str(w, g->mailboxes_list || g->mailboxes.count != 1 ? " (" : " ");
		for (size_t i = 0; i < g->mailboxes.count; i++) {
			if (i > 0)
				w_byte(w, ' ');
			w_astring(w, g->mailboxes.items[i]);
		}
		if (g->mailboxes_list || g->mailboxes.count != 1)
			w_byte(w, ')');
	}
	if (g->events_none) {
		w_str(w, " NONE)");
		return;
	}
	w_str(w, " (");
	for (size_t i = 0; i < g->event_count; i++) {
		const struct imap_notify_event *ev = &g->events[i];

		if (i > 0)
			w_byte(w, ' ');
		w_str(w, ev->name);
		if (ev->fetch_count > 0) {
			w_str(w, " (");
			for (size_t j = 0; j < ev->fetch_count; j++) {
				if (j > 0)
					w_byte(w, ' ');
				w_fetch_item(w, &ev->fetch_items[j], false);
			}
			w_byte(w, ')');
		}
	}
	w_str(w, "))");
}

static void w_notify(struct imap_writer *w, const struct imap_cmd_notify *n)
{
	if (n->none) {
		w_str(w, " NONE");
		return;
	}
	w_str(w, n->status ? " SET STATUS" : " SET");
	for (size_t i = 0; i < n->group_count; i++) {
		w_byte(w, ' ');
		w_notify_group(w, &n->groups[i]);
	}
}

static void w_authenticate(struct imap_writer *w, const struct imap_command *cmd)
{
	w_byte(w, ' ');
	w_str(w, cmd->u.authenticate.mechanism);
	if (cmd->u.authenticate.initial_response != NULL) {
		w_byte(w, ' ');
		w_str(w, cmd->u.authenticate.initial_response);
	}
}

static void w_login(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.login.user);
	w_sp_astring(w, cmd->u.login.password);
}

static void w_enable(struct imap_writer *w, const struct imap_command *cmd)
{
	w_strlist_atoms(w, &cmd->u.enable);
}

static void w_select_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_select(w, &cmd->u.select);
}

static void w_create_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_create(w, &cmd->u.create);
}

static void w_mailbox(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.mailbox.mailbox);
}

static void w_rename(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.rename.from);
	w_sp_astring(w, cmd->u.rename.to);
}

static void w_list_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_list(w, &cmd->u.list);
}

static void w_lsub(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.lsub.reference);
	w_byte(w, ' ');
	w_list_mailbox(w, cmd->u.lsub.pattern);
}

static void w_status_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.status.mailbox);
	w_byte(w, ' ');
	w_status_items(w, cmd->u.status.items);
}

static void w_append(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.append.mailbox);
	for (size_t i = 0; i < cmd->u.append.count; i++)
		w_append_message(w, &cmd->u.append.messages[i]);
}

static void w_expunge(struct imap_writer *w, const struct imap_command *cmd)
{
	if (cmd->uid) {
		w_byte(w, ' ');
		w_seqset(w, &cmd->u.expunge.set);
	}
}

static void w_search(struct imap_writer *w, const struct imap_command *cmd)
{
	w_search_return(w, &cmd->u.search.opts);
	w_search_program(w, &cmd->u.search.opts, true);
}

static void w_store_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_store(w, &cmd->u.store);
}

static void w_copy(struct imap_writer *w, const struct imap_command *cmd)
{
	w_byte(w, ' ');
	w_seqset(w, &cmd->u.copy.set);
	w_sp_astring(w, cmd->u.copy.mailbox);
}

static void w_id(struct imap_writer *w, const struct imap_command *cmd)
{
	w_byte(w, ' ');
	w_id_params(w, &cmd->u.id);
}

static void w_getquota(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.getquota.root);
}

static void w_setquota_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_setquota(w, &cmd->u.setquota);
}

static void w_sort_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sort(w, &cmd->u.sort);
}

static void w_thread(struct imap_writer *w, const struct imap_command *cmd)
{
	w_byte(w, ' ');
	w_str(w, cmd->u.thread.algorithm);
	w_search_program(w, &cmd->u.thread.opts, false);
}

static void w_compress(struct imap_writer *w, const struct imap_command *cmd)
{
	w_byte(w, ' ');
	w_str(w, cmd->u.compress.mechanism);
}

static void w_notify_cmd(struct imap_writer *w, const struct imap_command *cmd)
{
	w_notify(w, &cmd->u.notify);
}

/* SETACL, DELETEACL, LISTRIGHTS */
static void w_acl(struct imap_writer *w, const struct imap_command *cmd)
{
	w_sp_astring(w, cmd->u.acl.mailbox);
	w_sp_astring(w, cmd->u.acl.identifier);
	if (cmd->kind == IMAP_CMD_SETACL)
		w_sp_astring(w, cmd->u.acl.rights);
}

static void w_replace(struct imap_writer *w, const struct imap_command *cmd)
{
	w_byte(w, ' ');
	if (cmd->u.replace.number == RANGESET_STAR)
		w_byte(w, '*');
	else
		w_u64(w, cmd->u.replace.number);
	w_sp_astring(w, cmd->u.replace.mailbox);
	w_append_message(w, &cmd->u.replace.message);
}

typedef void cmd_write_fn(struct imap_writer *w, const struct imap_command *cmd);

/* Argument writers by kind; NULL: the command has no arguments. */
static cmd_write_fn *const writers[IMAP_CMD_COUNT_] = {
	[IMAP_CMD_AUTHENTICATE] = w_authenticate,
	[IMAP_CMD_LOGIN] = w_login,
	[IMAP_CMD_ENABLE] = w_enable,
	[IMAP_CMD_SELECT] = w_select_cmd,
	[IMAP_CMD_EXAMINE] = w_select_cmd,
	[IMAP_CMD_CREATE] = w_create_cmd,
	[IMAP_CMD_DELETE] = w_mailbox,
	[IMAP_CMD_RENAME] = w_rename,
	[IMAP_CMD_SUBSCRIBE] = w_mailbox,
	[IMAP_CMD_UNSUBSCRIBE] = w_mailbox,
	[IMAP_CMD_LIST] = w_list_cmd,
	[IMAP_CMD_LSUB] = w_lsub,
	[IMAP_CMD_STATUS] = w_status_cmd,
	[IMAP_CMD_APPEND] = w_append,
	[IMAP_CMD_EXPUNGE] = w_expunge,
	[IMAP_CMD_SEARCH] = w_search,
	[IMAP_CMD_FETCH] = w_fetch,
	[IMAP_CMD_STORE] = w_store_cmd,
	[IMAP_CMD_COPY] = w_copy,
	[IMAP_CMD_MOVE] = w_copy,
	[IMAP_CMD_ID] = w_id,
	[IMAP_CMD_GETQUOTA] = w_getquota,
	[IMAP_CMD_GETQUOTAROOT] = w_mailbox,
	[IMAP_CMD_SETQUOTA] = w_setquota_cmd,
	[IMAP_CMD_SORT] = w_sort_cmd,
	[IMAP_CMD_THREAD] = w_thread,
	[IMAP_CMD_COMPRESS] = w_compress,
	[IMAP_CMD_NOTIFY] = w_notify_cmd,
	[IMAP_CMD_GETACL] = w_mailbox,
	[IMAP_CMD_SETACL] = w_acl,
	[IMAP_CMD_DELETEACL] = w_acl,
	[IMAP_CMD_LISTRIGHTS] = w_acl,
	[IMAP_CMD_MYRIGHTS] = w_mailbox,
	[IMAP_CMD_REPLACE] = w_replace,
};

void imap_command_write(struct imap_command_output *out, const struct imap_command *cmd,
			unsigned flags)
{
	struct imap_writer w = {&out->buf, flags, out};

	w_str(&w, cmd->tag);
	w_str(&w, cmd->uid ? " UID " : " ");
	if (cmd->kind == IMAP_CMD_UNKNOWN)
		w_str(&w, cmd->name != NULL ? cmd->name : "");
	else
		w_str(&w, imap_command_kind_name(cmd->kind));
	if ((unsigned)cmd->kind < IMAP_CMD_COUNT_ && writers[cmd->kind] != NULL)
		writers[cmd->kind](&w, cmd);
	w_str(&w, "\r\n");
}
