/* imap-cmd-parse-append.c — APPEND (RFC 9051, MULTIAPPEND RFC 3502,
 * literal8 RFC 3516, UTF8 data RFC 6855), REPLACE (RFC 8508) and NOTIFY
 * (RFC 5465) arguments.
 */
#include "imap-parser-private.h"
#include "lib/str.h"

#include <string.h>

static bool parse_append_data(struct imap_scan *s, struct imap_append_message *msg)
{
	struct imap_literal *d = &msg->data;
	bool utf8 = scan_keyword(s, "UTF8");

	if (utf8) {
		/* utf8-literal = "UTF8" SP "(" literal8 ")" */
		if (!scan_sp(s) || !scan_list_open(s))
			return false;
		if (!scan_at_literal(s) || !s->lits[s->lit_next].literal8)
			return scan_fail(s, "UTF8 data must be a literal8");
	} else if (!scan_at_literal(s)) {
		return scan_fail(s, "Message data must be a literal");
	}
	if (!scan_literal(s, true, &d->data, &d->size, &d->stream, &d->literal8))
		return false;
	msg->utf8 = utf8;
	return !utf8 || scan_list_close(s);
}

/* append-message = [SP flag-list] [SP date-time] SP append-data; the
 * leading SP is already consumed. */
static bool parse_append_message(struct imap_scan *s, struct imap_append_message *msg)
{
	if (scan_peek(s) == '(' && !scan_at_literal(s)) {
		if (!scan_flag_list(s, false, &msg->flags) || !scan_sp(s))
			return false;
		msg->has_flags = true;
	}
	if (scan_peek(s) == '"' && !scan_at_literal(s)) {
		if (!scan_datetime(s, &msg->date) || !scan_sp(s))
			return false;
		msg->has_date = true;
	}
	return parse_append_data(s, msg);
}

bool imap_cmd_parse_append(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_append *a = &cmd->u.append;
	size_t cap = 0, items = 0;

	if (!scan_sp(s) || !scan_astring(s, &a->mailbox))
		return false;
	do {
		if (!scan_sp(s) || !scan_list_item(s, &items))
			return false;
		a->messages = scan_grow(s, a->messages, a->count, &cap, sizeof(*a->messages));
		memset(&a->messages[a->count], 0, sizeof(a->messages[0]));
		if (!parse_append_message(s, &a->messages[a->count]))
			return false;
		a->count++;
	} while (!scan_eol(s));
	return true;
}

/* REPLACE seq-number SP mailbox append-message. */
bool imap_cmd_parse_replace(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_replace *r = &cmd->u.replace;

	if (!scan_sp(s))
		return false;
	if (scan_try_char(s, '*'))
		r->number = RANGESET_STAR;
	else if (!scan_nz_number(s, &r->number))
		return false;
	return scan_sp(s) && scan_astring(s, &r->mailbox) && scan_sp(s) &&
	       parse_append_message(s, &r->message);
}

/* one-or-more-mailbox = mailbox / "(" mailbox *(SP mailbox) ")" */
static bool parse_notify_mailboxes(struct imap_scan *s, struct imap_notify_group *g)
{
	struct strlist_builder b = {NULL, 0, 0};
	size_t count = 0;
	const char *mbox;

	if (!scan_sp(s))
		return false;
	if (scan_peek(s) != '(' || scan_at_literal(s)) {
		if (!scan_astring(s, &mbox))
			return false;
		strlist_add(s, &b, mbox);
		g->mailboxes = strlist_finish(&b);
		return true;
	}
	if (!scan_list_open(s))
		return false;
	do {
		if (count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &count) || !scan_astring(s, &mbox))
			return false;
		strlist_add(s, &b, mbox);
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	g->mailboxes = strlist_finish(&b);
	g->mailboxes_list = true;
	return true;
}

static bool parse_notify_filter(struct imap_scan *s, struct imap_notify_group *g)
{
	static const struct {
		const char *name;
		enum imap_notify_filter filter;
	} filters[] = {
		{"SELECTED", IMAP_NOTIFY_SELECTED},
		{"SELECTED-DELAYED", IMAP_NOTIFY_SELECTED_DELAYED},
		{"INBOXES", IMAP_NOTIFY_INBOXES},
		{"PERSONAL", IMAP_NOTIFY_PERSONAL},
		{"SUBSCRIBED", IMAP_NOTIFY_SUBSCRIBED},
		{"SUBTREE", IMAP_NOTIFY_SUBTREE},
		{"MAILBOXES", IMAP_NOTIFY_MAILBOXES},
	};

	for (size_t i = 0; i < HF_N_ELEMENTS(filters); i++) {
		if (scan_keyword(s, filters[i].name)) {
			g->filter = filters[i].filter;
			if (g->filter == IMAP_NOTIFY_SUBTREE || g->filter == IMAP_NOTIFY_MAILBOXES)
				return parse_notify_mailboxes(s, g);
			return true;
		}
	}
	return scan_fail(s, "Unknown NOTIFY mailbox filter");
}

/* event = name [SP "(" fetch-att *(SP fetch-att) ")"] (MessageNew only). */
static bool parse_notify_event(struct imap_scan *s, struct imap_notify_event *ev)
{
	const char *name;
	size_t n;

	if (!scan_label(s, &name, &n))
		return false;
	ev->name = arena_strndup(s->arena, name, n);
	if (str_eq_ci_n(name, n, "MessageNew") && scan_sp_if_next(s, '('))
		return imap_parse_fetch_items(s, &ev->fetch_items, &ev->fetch_count);
	return true;
}

static bool parse_notify_events(struct imap_scan *s, struct imap_notify_group *g)
{
	struct imap_notify_event *events = NULL;
	size_t cap = 0, items = 0;

	if (scan_keyword(s, "NONE")) {
		g->events_none = true;
		return true;
	}
	if (!scan_list_open(s))
		return false;
	do {
		if (g->event_count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		events = scan_grow(s, events, g->event_count, &cap, sizeof(*events));
		memset(&events[g->event_count], 0, sizeof(*events));
		if (!parse_notify_event(s, &events[g->event_count]))
			return false;
		g->event_count++;
	} while (!scan_try_char(s, ')'));
	scan_leave(s);
	g->events = events;
	return true;
}

/* NOTIFY SP ("NONE" / "SET" [SP "STATUS"] SP event-group *(SP event-group)). */
bool imap_cmd_parse_notify(struct imap_scan *s, struct imap_command *cmd)
{
	struct imap_cmd_notify *n = &cmd->u.notify;
	struct imap_notify_group *groups = NULL;
	size_t cap = 0, items = 0;

	if (!scan_sp(s))
		return false;
	if (scan_keyword(s, "NONE")) {
		n->none = true;
		return true;
	}
	if (!scan_keyword(s, "SET"))
		return scan_fail(s, "Expected SET or NONE");
	if (!scan_sp(s))
		return false;
	if (scan_keyword(s, "STATUS")) {
		n->status = true;
		if (!scan_sp(s))
			return false;
	}
	do {
		if (n->group_count > 0 && !scan_sp(s))
			return false;
		if (!scan_list_item(s, &items))
			return false;
		groups = scan_grow(s, groups, n->group_count, &cap, sizeof(*groups));
		memset(&groups[n->group_count], 0, sizeof(*groups));
		if (!scan_list_open(s) || !parse_notify_filter(s, &groups[n->group_count]) ||
		    !scan_sp(s) || !parse_notify_events(s, &groups[n->group_count]) ||
		    !scan_list_close(s))
			return false;
		n->group_count++;
	} while (!scan_eol(s));
	n->groups = groups;
	return true;
}
