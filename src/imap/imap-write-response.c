/* imap-write-response.c — responses in wire form, for the server (see
 * imap-write.h); the mirror of imap-resp-parse*.c.
 */
#include "imap-write-private.h"
#include "lib/istring.h"

#include <string.h>

/* Text inside "[...]" must not end the code early or break the line. */
static void w_code_text(struct imap_writer *w, const char *text)
{
	for (; *text != '\0'; text++)
		w_byte(w, *text == ']' || *text == '\r' || *text == '\n' ? ' ' : *text);
}

/* A charset inside a response code: on a text line no literal may
 * appear, so anything that is not an atom is quoted. */
static void w_code_charset(struct imap_writer *w, const char *cs)
{
	bool atom = *cs != '\0';

	for (const char *p = cs; *p != '\0'; p++)
		atom = atom && istring_is_atom_char((unsigned char)*p);
	if (atom)
		w_str(w, cs);
	else
		w_quoted(w, cs);
}

static void w_code_args(struct imap_writer *w, const struct imap_resp_code *code)
{
	switch (code->kind) {
	case IMAP_CODE_BADCHARSET:
		if (code->u.strings.count == 0)
			break;
		w_str(w, " (");
		for (size_t i = 0; i < code->u.strings.count; i++) {
			if (i > 0)
				w_byte(w, ' ');
			w_code_charset(w, code->u.strings.items[i]);
		}
		w_byte(w, ')');
		break;
	case IMAP_CODE_CAPABILITY:
		w_strlist_atoms(w, &code->u.strings);
		break;
	case IMAP_CODE_PERMANENTFLAGS:
		w_byte(w, ' ');
		w_flag_list(w, &code->u.strings);
		break;
	case IMAP_CODE_UIDNEXT:
	case IMAP_CODE_UIDVALIDITY:
	case IMAP_CODE_UNSEEN:
	case IMAP_CODE_HIGHESTMODSEQ:
		w_byte(w, ' ');
		w_u64(w, code->u.number);
		break;
	case IMAP_CODE_APPENDUID:
		buf_printf(w->buf, " %u ", code->u.appenduid.uidvalidity);
		w_seqset(w, &code->u.appenduid.uids);
		break;
	case IMAP_CODE_COPYUID:
		buf_printf(w->buf, " %u ", code->u.copyuid.uidvalidity);
		w_seqset(w, &code->u.copyuid.src);
		w_byte(w, ' ');
		w_seqset(w, &code->u.copyuid.dst);
		break;
	case IMAP_CODE_MODIFIED:
		w_byte(w, ' ');
		w_seqset(w, &code->u.set);
		break;
	case IMAP_CODE_MAILBOXID:
		w_str(w, " (");
		w_str(w, code->u.objectid);
		w_byte(w, ')');
		break;
	default:
		if (code->text != NULL && code->text[0] != '\0') {
			w_byte(w, ' ');
			w_code_text(w, code->text);
		}
		break;
	}
}

void w_resp_code(struct imap_writer *w, const struct imap_resp_code *code)
{
	const char *name = imap_code_kind_name(code->kind);

	if (code->kind == IMAP_CODE_NONE)
		return;
	w_byte(w, '[');
	w_str(w, name != NULL ? name : code->name != NULL ? code->name : "X-UNKNOWN");
	w_code_args(w, code);
	w_byte(w, ']');
}

static const char *default_text(enum imap_status_cond cond)
{
	switch (cond) {
	case IMAP_COND_OK:
	case IMAP_COND_PREAUTH:
		return "completed";
	case IMAP_COND_NO:
		return "failed";
	case IMAP_COND_BAD:
		return "invalid";
	case IMAP_COND_BYE:
		return "closing";
	}
	return "completed";
}

static void w_status(struct imap_writer *w, const char *tag, enum imap_status_cond cond,
		     const struct imap_resp_code *code, const char *text)
{
	w_str(w, tag != NULL ? tag : "*");
	w_byte(w, ' ');
	w_str(w, imap_status_cond_name(cond));
	w_byte(w, ' ');
	if (code != NULL && code->kind != IMAP_CODE_NONE) {
		w_resp_code(w, code);
		w_byte(w, ' ');
	}
	w_text(w, text != NULL && text[0] != '\0' ? text : default_text(cond));
}

void imap_write_status(struct buf *out, const char *tag, enum imap_status_cond cond,
		       const struct imap_resp_code *code, const char *text)
{
	struct imap_writer w = imap_writer_response(out, 0);

	w_status(&w, tag, cond, code, text);
}

static void w_delimiter(struct imap_writer *w, char delim)
{
	if (delim == '\0') {
		w_str(w, "NIL");
		return;
	}
	w_byte(w, '"');
	if (delim == '"' || delim == '\\')
		w_byte(w, '\\');
	w_byte(w, delim);
	w_byte(w, '"');
}

static void w_list_ext(struct imap_writer *w, const struct imap_resp_list *l)
{
	bool first = true;

	w_str(w, " (");
	if (l->childinfo.count > 0) {
		w_str(w, "CHILDINFO (");
		for (size_t i = 0; i < l->childinfo.count; i++) {
			if (i > 0)
				w_byte(w, ' ');
			w_string(w, l->childinfo.items[i], strlen(l->childinfo.items[i]), false);
		}
		w_byte(w, ')');
		first = false;
	}
	if (l->oldname != NULL) {
		w_str(w, first ? "OLDNAME (" : " OLDNAME (");
		w_astring(w, l->oldname);
		w_byte(w, ')');
		first = false;
	}
	for (size_t i = 0; i < l->ext_count; i++) {
		if (!first)
			w_byte(w, ' ');
		w_astring(w, l->ext[i].tag);
		w_byte(w, ' ');
		w_value(w, &l->ext[i].value);
		first = false;
	}
	w_byte(w, ')');
}

static void w_list_resp(struct imap_writer *w, const struct imap_resp_list *l)
{
	w_byte(w, ' ');
	w_flag_list(w, &l->attrs);
	w_byte(w, ' ');
	w_delimiter(w, l->delimiter);
	w_byte(w, ' ');
	w_astring(w, l->mailbox);
	if (l->has_ext || l->childinfo.count > 0 || l->oldname != NULL || l->ext_count > 0)
		w_list_ext(w, l);
}

static void w_status_data(struct imap_writer *w, const struct imap_resp_status_data *st)
{
	w_byte(w, ' ');
	w_astring(w, st->mailbox);
	w_str(w, " (");
	for (size_t i = 0; i < st->count; i++) {
		const struct imap_status_value *v = &st->values[i];

		if (i > 0)
			w_byte(w, ' ');
		w_str(w, imap_status_item_name(v->item));
		w_byte(w, ' ');
		if (v->item == IMAP_STATUS_MAILBOXID) {
			w_byte(w, '(');
			w_str(w, v->objectid);
			w_byte(w, ')');
		} else if (v->nil) {
			w_str(w, "NIL");
		} else {
			w_u64(w, v->value);
		}
	}
	w_byte(w, ')');
}

static void w_search(struct imap_writer *w, const struct imap_resp_search *r)
{
	for (size_t i = 0; i < r->count; i++) {
		w_byte(w, ' ');
		w_u64(w, r->numbers[i]);
	}
	if (r->has_modseq)
		buf_printf(w->buf, " (MODSEQ %llu)", (unsigned long long)r->modseq);
}

static void w_esearch(struct imap_writer *w, const struct imap_resp_esearch *e)
{
	if (e->tag != NULL) {
		w_str(w, " (TAG ");
		w_string(w, e->tag, strlen(e->tag), false);
		w_byte(w, ')');
	}
	if (e->uid)
		w_str(w, " UID");
	if (e->has_min)
		buf_printf(w->buf, " MIN %u", e->min);
	if (e->has_max)
		buf_printf(w->buf, " MAX %u", e->max);
	if (e->has_all) {
		w_str(w, " ALL ");
		w_seqset(w, &e->all);
	}
	if (e->has_count)
		buf_printf(w->buf, " COUNT %u", e->count);
	if (e->has_modseq)
		buf_printf(w->buf, " MODSEQ %llu", (unsigned long long)e->modseq);
	if (e->has_partial) {
		w_str(w, " PARTIAL (");
		w_partial_range(w, e->partial_first, e->partial_last);
		w_byte(w, ' ');
		if (e->partial_nil)
			w_str(w, "NIL");
		else
			w_seqset(w, &e->partial);
		w_byte(w, ')');
	}
}

static void w_thread_list(struct imap_writer *w, const struct imap_thread_node *node)
{
	w_byte(w, '(');
	if (node->id != 0) {
		w_u64(w, node->id);
		/* A single child continues the chain: "3 6 4". */
		while (node->child_count == 1 && node->children[0].id != 0) {
			node = &node->children[0];
			w_byte(w, ' ');
			w_u64(w, node->id);
		}
		if (node->child_count > 0)
			w_byte(w, ' ');
	}
	for (size_t i = 0; i < node->child_count; i++)
		w_thread_list(w, &node->children[i]);
	w_byte(w, ')');
}

static void w_thread(struct imap_writer *w, const struct imap_resp_thread *t)
{
	if (t->count > 0)
		w_byte(w, ' ');
	for (size_t i = 0; i < t->count; i++)
		w_thread_list(w, &t->roots[i]);
}

static void w_ns_group(struct imap_writer *w, const struct imap_namespace_group *g)
{
	if (g->count == 0) {
		w_str(w, "NIL");
		return;
	}
	w_byte(w, '(');
	for (size_t i = 0; i < g->count; i++) {
		const struct imap_namespace_descr *d = &g->items[i];

		w_byte(w, '(');
		w_string(w, d->prefix, strlen(d->prefix), false);
		w_byte(w, ' ');
		w_delimiter(w, d->delimiter);
		for (size_t j = 0; j < d->ext_count; j++) {
			w_byte(w, ' ');
			w_string(w, d->ext[j].name, strlen(d->ext[j].name), false);
			w_str(w, " (");
			for (size_t k = 0; k < d->ext[j].values.count; k++) {
				if (k > 0)
					w_byte(w, ' ');
				w_string(w, d->ext[j].values.items[k],
					 strlen(d->ext[j].values.items[k]), false);
			}
			w_byte(w, ')');
		}
		w_byte(w, ')');
	}
	w_byte(w, ')');
}

static void w_namespace(struct imap_writer *w, const struct imap_resp_namespace *ns)
{
	w_byte(w, ' ');
	w_ns_group(w, &ns->personal);
	w_byte(w, ' ');
	w_ns_group(w, &ns->other);
	w_byte(w, ' ');
	w_ns_group(w, &ns->shared);
}

static void w_quota(struct imap_writer *w, const struct imap_resp_quota *q)
{
	w_byte(w, ' ');
	w_astring(w, q->root);
	w_str(w, " (");
	for (size_t i = 0; i < q->count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		buf_printf(w->buf, "%s %llu %llu", q->resources[i].name,
			   (unsigned long long)q->resources[i].usage,
			   (unsigned long long)q->resources[i].limit);
	}
	w_byte(w, ')');
}

static void w_astrings(struct imap_writer *w, const struct imap_strlist *list)
{
	for (size_t i = 0; i < list->count; i++) {
		w_byte(w, ' ');
		w_astring(w, list->items[i]);
	}
}

static void w_acl(struct imap_writer *w, const struct imap_resp_acl *acl)
{
	w_byte(w, ' ');
	w_astring(w, acl->mailbox);
	for (size_t i = 0; i < acl->count; i++) {
		w_byte(w, ' ');
		w_astring(w, acl->entries[i].identifier);
		w_byte(w, ' ');
		w_astring(w, acl->entries[i].rights);
	}
}

static void w_fetch_resp(struct imap_writer *w, const struct imap_resp_fetch *f)
{
	w_str(w, " FETCH (");
	for (size_t i = 0; i < f->count; i++) {
		if (i > 0)
			w_byte(w, ' ');
		w_fetch_attr(w, &f->attrs[i]);
	}
	w_byte(w, ')');
}

static void w_unknown(struct imap_writer *w, const struct imap_resp_unknown *u)
{
	if (u->has_number) {
		w_u64(w, u->number);
		w_byte(w, ' ');
	}
	w_str(w, u->name);
	for (size_t i = 0; i < u->count; i++) {
		w_byte(w, ' ');
		w_value(w, &u->values[i]);
	}
}

static const char *const data_names[] = {
	[IMAP_RESP_CAPABILITY] = "CAPABILITY",
	[IMAP_RESP_ENABLED] = "ENABLED",
	[IMAP_RESP_FLAGS] = "FLAGS",
	[IMAP_RESP_LIST] = "LIST",
	[IMAP_RESP_LSUB] = "LSUB",
	[IMAP_RESP_STATUS_DATA] = "STATUS",
	[IMAP_RESP_SEARCH] = "SEARCH",
	[IMAP_RESP_SORT] = "SORT",
	[IMAP_RESP_ESEARCH] = "ESEARCH",
	[IMAP_RESP_THREAD] = "THREAD",
	[IMAP_RESP_VANISHED] = "VANISHED",
	[IMAP_RESP_ID] = "ID",
	[IMAP_RESP_NAMESPACE] = "NAMESPACE",
	[IMAP_RESP_QUOTA] = "QUOTA",
	[IMAP_RESP_QUOTAROOT] = "QUOTAROOT",
	[IMAP_RESP_ACL] = "ACL",
	[IMAP_RESP_LISTRIGHTS] = "LISTRIGHTS",
	[IMAP_RESP_MYRIGHTS] = "MYRIGHTS",
};

static void w_data(struct imap_writer *w, const struct imap_response *r)
{
	switch (r->kind) {
	case IMAP_RESP_CAPABILITY:
	case IMAP_RESP_ENABLED:
		w_strlist_atoms(w, &r->u.strings);
		break;
	case IMAP_RESP_FLAGS:
		w_byte(w, ' ');
		w_flag_list(w, &r->u.strings);
		break;
	case IMAP_RESP_LIST:
	case IMAP_RESP_LSUB:
		w_list_resp(w, &r->u.list);
		break;
	case IMAP_RESP_STATUS_DATA:
		w_status_data(w, &r->u.status_data);
		break;
	case IMAP_RESP_SEARCH:
	case IMAP_RESP_SORT:
		w_search(w, &r->u.search);
		break;
	case IMAP_RESP_ESEARCH:
		w_esearch(w, &r->u.esearch);
		break;
	case IMAP_RESP_THREAD:
		w_thread(w, &r->u.thread);
		break;
	case IMAP_RESP_VANISHED:
		w_str(w, r->u.vanished.earlier ? " (EARLIER) " : " ");
		w_seqset(w, &r->u.vanished.uids);
		break;
	case IMAP_RESP_ID:
		w_byte(w, ' ');
		w_id_params(w, &r->u.id);
		break;
	case IMAP_RESP_NAMESPACE:
		w_namespace(w, &r->u.namespace_);
		break;
	case IMAP_RESP_QUOTA:
		w_quota(w, &r->u.quota);
		break;
	case IMAP_RESP_QUOTAROOT:
		w_byte(w, ' ');
		w_astring(w, r->u.quotaroot.mailbox);
		w_astrings(w, &r->u.quotaroot.roots);
		break;
	case IMAP_RESP_ACL:
		w_acl(w, &r->u.acl);
		break;
	case IMAP_RESP_LISTRIGHTS:
		w_byte(w, ' ');
		w_astring(w, r->u.listrights.mailbox);
		w_byte(w, ' ');
		w_astring(w, r->u.listrights.identifier);
		w_astrings(w, &r->u.listrights.rights);
		break;
	case IMAP_RESP_MYRIGHTS:
		w_byte(w, ' ');
		w_astring(w, r->u.myrights.mailbox);
		w_byte(w, ' ');
		w_astring(w, r->u.myrights.rights);
		break;
	default:
		break;
	}
}

void imap_response_write(struct buf *out, const struct imap_response *r, unsigned flags)
{
	struct imap_writer w = imap_writer_response(out, flags);

	switch (r->kind) {
	case IMAP_RESP_CONTINUE:
		w_str(&w, "+ ");
		w_text(&w, r->u.text);
		break;
	case IMAP_RESP_STATUS:
		w_status(&w, r->tag, r->u.status.cond, &r->u.status.code, r->u.status.text);
		break;
	case IMAP_RESP_EXISTS:
	case IMAP_RESP_RECENT:
	case IMAP_RESP_EXPUNGE:
		buf_printf(out, "* %u %s", r->u.number,
			   r->kind == IMAP_RESP_EXISTS   ? "EXISTS"
			   : r->kind == IMAP_RESP_RECENT ? "RECENT"
							 : "EXPUNGE");
		break;
	case IMAP_RESP_FETCH:
		buf_printf(out, "* %u", r->u.fetch.seq);
		w_fetch_resp(&w, &r->u.fetch);
		break;
	case IMAP_RESP_UNKNOWN:
		w_str(&w, "* ");
		w_unknown(&w, &r->u.unknown);
		break;
	default:
		w_str(&w, "* ");
		w_str(&w, data_names[r->kind]);
		w_data(&w, r);
		break;
	}
	w_str(&w, "\r\n");
}
