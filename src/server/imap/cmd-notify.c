/* cmd-notify.c — the NOTIFY command (RFC 5465 3.1): checking the event
 * groups, replacing the session's notify state, the STATUS indicator, and
 * the NOTIFY capability. Delivery is in notify.c. */
#include "imap-commands.h"
#include "notify-private.h"
#include "server/worker.h"
#include "imap/imap-utf7.h"
#include "lib/arena.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "store/store.h"

#include <string.h>

/* ---- which mailboxes a group covers ---- */

static bool under(const char *name, const char *top)
{
	size_t n = strlen(top);

	return strncmp(name, top, n) == 0 && (name[n] == '\0' || name[n] == '/');
}

static bool group_matches(const struct notify *n, const struct notify_group *g, const char *name,
			  bool subscribed)
{
	switch (g->filter) {
	case IMAP_NOTIFY_INBOXES:
		return n->inboxes_all || strcmp(name, "INBOX") == 0;
	case IMAP_NOTIFY_PERSONAL:
		return true; /* hafend has only the personal namespace */
	case IMAP_NOTIFY_SUBSCRIBED:
		return subscribed;
	case IMAP_NOTIFY_SUBTREE:
	case IMAP_NOTIFY_MAILBOXES:
		for (size_t i = 0; i < g->name_count; i++) {
			if (g->filter == IMAP_NOTIFY_SUBTREE ? under(name, g->names[i])
							     : strcmp(name, g->names[i]) == 0)
				return true;
		}
		return false;
	default:
		return false;
	}
}

unsigned notify_events_for(const struct notify *n, const char *name, bool subscribed)
{
	unsigned ev = 0;

	for (size_t i = 0; i < n->group_count; i++)
		if (group_matches(n, &n->groups[i], name, subscribed))
			ev |= n->groups[i].events;
	return ev;
}

int notify_name_decode(struct imap_session *s, const char *wire, char **utf8_r)
{
	struct buf dec = BUF_INIT;
	const char *error;
	int ret;

	*utf8_r = NULL;
	if (s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) {
		if (!utf8_valid(wire, strlen(wire)))
			return -1;
		buf_append_str(&dec, wire);
	} else if (imap_utf7_decode(wire, strlen(wire), &dec, &error) < 0) {
		buf_free(&dec);
		return -1;
	}
	ret = store_mailbox_name_canonical(buf_cstr(&dec), utf8_r);
	buf_free(&dec);
	return ret == STORE_OK ? 0 : -1;
}

/* ---- checking the command ---- */

static unsigned event_bit(const char *name, bool *unsupported_r)
{
	static const struct {
		const char *name;
		unsigned bit;
	} events[] = {
		{"MessageNew", NOTIFY_EV_MESSAGE_NEW},
		{"MessageExpunge", NOTIFY_EV_MESSAGE_EXPUNGE},
		{"FlagChange", NOTIFY_EV_FLAG_CHANGE},
		{"MailboxName", NOTIFY_EV_MAILBOX_NAME},
		{"SubscriptionChange", NOTIFY_EV_SUBSCRIPTION_CHANGE},
	};

	for (size_t i = 0; i < HF_N_ELEMENTS(events); i++)
		if (str_casecmp(name, events[i].name) == 0)
			return events[i].bit;
	*unsupported_r = true;
	/* Only for the rules below: AnnotationChange is a message event. */
	return str_casecmp(name, "AnnotationChange") == 0 ? NOTIFY_EV_FLAG_CHANGE : 0;
}

static bool is_selected_filter(enum imap_notify_filter f)
{
	return f == IMAP_NOTIFY_SELECTED || f == IMAP_NOTIFY_SELECTED_DELAYED;
}

/* The rules of RFC 5465 section 5 and 6.1 that make a command BAD; NULL
 * when it has none of those faults. *unsupported_r: an event we do not
 * report was asked for (NO [BADEVENT], checked after these). */
static const char *group_fault(const struct imap_notify_group *g, unsigned *events_r,
			       bool *unsupported_r)
{
	unsigned ev = 0;

	for (size_t i = 0; i < g->event_count; i++) {
		ev |= event_bit(g->events[i].name, unsupported_r);
		if (g->events[i].fetch_count > 0 && !is_selected_filter(g->filter))
			return "MessageNew fetch attributes are only for SELECTED";
	}
	if (is_selected_filter(g->filter) && (ev & ~NOTIFY_EV_MESSAGE))
		return "Only message events are allowed for the selected mailbox";
	if (!(ev & NOTIFY_EV_MESSAGE_NEW) != !(ev & NOTIFY_EV_MESSAGE_EXPUNGE))
		return "MessageNew and MessageExpunge must be given together";
	if ((ev & NOTIFY_EV_FLAG_CHANGE) && !(ev & NOTIFY_EV_MESSAGE_NEW))
		return "FlagChange needs MessageNew and MessageExpunge";
	*events_r = ev;
	return NULL;
}

static void group_names(struct imap_session *s, const struct imap_notify_group *g,
			struct notify_group *out)
{
	out->names = xcalloc(g->mailboxes.count + 1, sizeof(*out->names));
	for (size_t i = 0; i < g->mailboxes.count; i++) {
		char *name;

		/* A name that cannot exist is ignored (RFC 5465 3.1). */
		if (notify_name_decode(s, g->mailboxes.items[i], &name) == 0)
			out->names[out->name_count++] = name;
	}
}

/* Keep the MessageNew fetch items beyond the command, in as little room
 * as they need. */
static void items_copy(struct notify *n, const struct imap_fetch_item *src, size_t count)
{
	struct imap_fetch_item *items;
	struct arena *a;

	arena_free(&n->fetch_arena);
	a = n->fetch_arena = arena_new(512);
	items = arena_memdup(a, src, count * sizeof(*src));
	for (size_t i = 0; i < count; i++) {
		struct imap_section *sec = &items[i].section;
		const char **fields = arena_zalloc(a, (sec->fields.count + 1) * sizeof(char *));

		if (sec->part_count > 0)
			sec->parts =
				arena_memdup(a, sec->parts, sec->part_count * sizeof(uint32_t));
		for (size_t k = 0; k < sec->fields.count; k++)
			fields[k] = arena_strdup(a, sec->fields.items[k]);
		sec->fields.items = fields;
	}
	n->fetch_req.items = items;
	n->fetch_req.count = count;
}

/* Turn the parsed groups into n; -1 with the tagged reply sent. */
static int build(struct imap_session *s, const struct imap_cmd_notify *c, struct notify *n)
{
	bool unsupported = false;
	size_t names = c->group_count;

	for (size_t i = 0; i < c->group_count; i++)
		names += c->groups[i].mailboxes.count;
	if (names > NOTIFY_MAX_NAMES) {
		session_tagged(s, IMAP_COND_NO, "LIMIT",
			       "More than %d event groups and mailbox names", NOTIFY_MAX_NAMES);
		return -1;
	}

	n->groups = xcalloc(c->group_count + 1, sizeof(*n->groups));
	for (size_t i = 0; i < c->group_count; i++) {
		const struct imap_notify_group *g = &c->groups[i];
		unsigned ev = 0;
		const char *fault = group_fault(g, &ev, &unsupported);

		if (fault != NULL) {
			session_tagged(s, IMAP_COND_BAD, NULL, "%s", fault);
			return -1;
		}
		if (is_selected_filter(g->filter)) {
			if (n->selected) {
				session_tagged(s, IMAP_COND_BAD, NULL,
					       "Only one of SELECTED and SELECTED-DELAYED");
				return -1;
			}
			n->selected = true;
			n->selected_delayed = g->filter == IMAP_NOTIFY_SELECTED_DELAYED;
			n->selected_events = ev;
			for (size_t k = 0; k < g->event_count; k++)
				if (g->events[k].fetch_count > 0)
					items_copy(n, g->events[k].fetch_items,
						   g->events[k].fetch_count);
			continue;
		}
		struct notify_group *out = &n->groups[n->group_count++];

		out->filter = g->filter;
		out->events = ev;
		if (g->filter == IMAP_NOTIFY_SUBTREE || g->filter == IMAP_NOTIFY_MAILBOXES)
			group_names(s, g, out);
		n->watch_other |= ev != 0;
	}
	if (unsupported) {
		session_tagged(s, IMAP_COND_NO, "BADEVENT (" NOTIFY_EVENT_NAMES ")",
			       "Event not supported");
		return -1;
	}
	return 0;
}

static struct notify *notify_new(struct imap_session *s)
{
	struct notify *n = xcalloc(1, sizeof(*n));
	const char *delim = s->w->cfg->recipient_delimiter;

	/* RFC 5465 6.3: with subaddresses (user+box) the delivery agent may
	 * file into any mailbox, so every mailbox is an inbox; without them
	 * only INBOX is. */
	n->inboxes_all = delim != NULL && delim[0] != '\0';
	n->max_mailboxes = (unsigned)s->w->cfg->notify_max_mailboxes;
	notify_fetch_init(&n->fetch);
	return n;
}

/* Everything that can refuse the command; 0 when n may replace the
 * session's state. */
static int prepare(struct imap_session *s, struct imap_command *cmd, struct notify *n)
{
	int ret;

	if (build(s, &cmd->u.notify, n) < 0)
		return -1;
	if (n->fetch_req.count > 0 && notify_fetch_setup(s, n) < 0)
		return -1;
	if (!n->watch_other)
		return 0;
	ret = notify_snapshot_load(s, n, &n->snap);
	if (ret == 1) {
		session_tagged(s, IMAP_COND_NO, "NOTIFICATIONOVERFLOW",
			       "More than %u mailboxes to watch", n->max_mailboxes);
		return -1;
	}
	if (ret != STORE_OK) {
		session_store_error(s, ret);
		return -1;
	}
	return 0;
}

enum cmd_result cmd_notify(struct imap_session *s, struct imap_command *cmd)
{
	struct notify *n = notify_new(s);

	if (!cmd->u.notify.none && prepare(s, cmd, n) < 0) {
		notify_free(&n);
		return CMD_DONE;
	}
	notify_free(&s->notify);
	s->notify = n;
	/* RFC 7162 3.1: a MODSEQ fetch item enables CONDSTORE. */
	if (n->fetch.plan.has_modseq)
		session_enable_condstore(s);
	if (cmd->u.notify.status)
		notify_watch_send_status(s, n);
	/* The tagged reply reports what waited in the selected mailbox: the
	 * implicit NOOP of RFC 5465 3.1. */
	session_tagged(s, IMAP_COND_OK, NULL, "NOTIFY completed");
	return CMD_DONE;
}

void caps_notify(struct imap_session *s, struct buf *out)
{
	(void)s;
	buf_append_str(out, " NOTIFY");
}
