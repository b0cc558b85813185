/* notify-watch.c — NOTIFY events of mailboxes other than the selected one
 * (RFC 5465 5.1-5.5): a snapshot of the user's mailboxes and
 * subscriptions, compared with the store when it changed, gives STATUS
 * responses for message events and LIST responses for MailboxName and
 * SubscriptionChange.
 *
 * The snapshot holds every mailbox (watched or not, selected or not), so
 * a mailbox that starts to match a filter, or stops being selected, is
 * compared with what it was, not with nothing. Several changes between
 * two deliveries make one response per mailbox.
 */
#include "mailbox-status.h"
#include "notify-private.h"
#include "imap-selected.h"
#include "lib/mem.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* ---- the snapshot ---- */

struct load_ctx {
	struct notify_snapshot *snap;
	size_t cap, max;
	bool over;
};

static int collect_mbox(void *ctx, const struct store_mailbox *mb)
{
	struct load_ctx *c = ctx;
	struct notify_mbox *m;

	if (c->snap->count >= c->max) {
		c->over = true;
		return 1;
	}
	if (c->snap->count == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->snap->mboxes = xrealloc(c->snap->mboxes, c->cap * sizeof(*m));
	}
	m = &c->snap->mboxes[c->snap->count++];
	m->id = mb->id;
	m->name = xstrdup(mb->name);
	m->uidvalidity = mb->uidvalidity;
	m->uidnext = mb->uidnext;
	m->messages = mb->messages;
	m->unseen = mb->unseen;
	m->modseq = mb->highestmodseq;
	m->special_use = mb->special_use;
	m->noselect = mb->noselect;
	m->has_children = mb->has_children;
	return 0;
}

static int collect_sub(void *ctx, const char *name)
{
	struct load_ctx *c = ctx;

	if (c->snap->sub_count >= c->max) {
		c->over = true;
		return 1;
	}
	if (c->snap->sub_count == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->snap->subs = xrealloc(c->snap->subs, c->cap * sizeof(char *));
	}
	c->snap->subs[c->snap->sub_count++] = xstrdup(name);
	return 0;
}

/* qsort() with the NULL base of an empty array is undefined. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int by_id(const void *a, const void *b)
{
	const struct notify_mbox *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void notify_snapshot_clear(struct notify_snapshot *snap)
{
	for (size_t i = 0; i < snap->count; i++)
		free(snap->mboxes[i].name);
	for (size_t i = 0; i < snap->sub_count; i++)
		free(snap->subs[i]);
	free(snap->mboxes);
	free(snap->subs);
	memset(snap, 0, sizeof(*snap));
}

int notify_snapshot_load(struct imap_session *s, const struct notify *n,
			 struct notify_snapshot *snap_r)
{
	struct store *st = session_store(s);
	struct load_ctx c;
	int ret;

	/* Cleared before its address is kept: cppcheck otherwise takes the
	 * caller's uninitialised snapshot for read here. */
	memset(snap_r, 0, sizeof(*snap_r));
	c = (struct load_ctx){snap_r, 0, n->max_mailboxes, false};
	if (st == NULL)
		return STORE_ERR_IO;
	ret = store_mailbox_list(st, NULL, collect_mbox, &c);
	if (ret >= 0 && !c.over) {
		c.cap = 0;
		ret = store_subscriptions(st, collect_sub, &c);
	}
	if (c.over || ret < 0) {
		notify_snapshot_clear(snap_r);
		return c.over ? 1 : ret;
	}
	/* Kept until the next change: no room to spare. */
	if (snap_r->count > 0)
		snap_r->mboxes = xrealloc(snap_r->mboxes, snap_r->count * sizeof(*snap_r->mboxes));
	if (snap_r->sub_count > 0)
		snap_r->subs = xrealloc(snap_r->subs, snap_r->sub_count * sizeof(char *));
	sort(snap_r->mboxes, snap_r->count, sizeof(*snap_r->mboxes), by_id);
	sort(snap_r->subs, snap_r->sub_count, sizeof(char *), by_str);
	return STORE_OK;
}

static bool is_subscribed(const struct notify_snapshot *snap, const char *name)
{
	return snap->sub_count > 0 &&
	       bsearch(&name, snap->subs, snap->sub_count, sizeof(char *), by_str) != NULL;
}

/* ---- one comparison ---- */

struct rename_pair {
	const char *old_name, *new_name;
};

struct diff {
	struct imap_session *s;
	struct notify *n;
	const struct notify_snapshot *now;
	struct notify_mbox **by_name; /* now's mailboxes in name order */
	struct rename_pair *renames;
	size_t rename_count;
	char **listed; /* names a LIST went out for */
	size_t listed_count, listed_cap;
	char **parents; /* parents of created and deleted ones */
	size_t parent_count, parent_cap;
};

static int mbox_name_cmp(const void *a, const void *b)
{
	return strcmp((*(struct notify_mbox *const *)a)->name,
		      (*(struct notify_mbox *const *)b)->name);
}

static struct notify_mbox *find_name(const struct diff *d, const char *name)
{
	struct notify_mbox key = {.name = (char *)name}, *kp = &key, **found;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	found = bsearch(&kp, d->by_name, d->now->count, sizeof(*d->by_name), mbox_name_cmp);
	return found != NULL ? *found : NULL;
}

static void push(char ***v, size_t *count, size_t *cap, const char *name)
{
	if (*count == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = xrealloc(*v, *cap * sizeof(char *));
	}
	(*v)[(*count)++] = xstrdup(name);
}

/* This session changed name itself (RFC 5465 section 5: not echoed); for
 * CREATE, DELETE and RENAME also the mailboxes below and above it. */
static bool own(const struct notify *n, const char *name)
{
	for (size_t i = 0; i < n->touched_count; i++) {
		size_t a = strlen(name), b = strlen(n->touched[i]);

		if (!n->touched_tree[i]) {
			if (strcmp(name, n->touched[i]) == 0)
				return true;
			continue;
		}
		const char *shorter = a < b ? name : n->touched[i];
		const char *longer = a < b ? n->touched[i] : name;
		size_t len = a < b ? a : b;

		if (strncmp(shorter, longer, len) == 0 &&
		    (longer[len] == '\0' || longer[len] == '/'))
			return true;
	}
	return false;
}

static unsigned events(const struct diff *d, const char *name)
{
	bool sub = is_subscribed(d->now, name) || is_subscribed(&d->n->snap, name);

	return notify_events_for(d->n, name, sub);
}

/* "* LIST (attrs) "/" name [("OLDNAME" (old))]"; m NULL: \NonExistent. */
static void send_list(struct diff *d, const struct notify_mbox *m, const char *name,
		      const char *old_name)
{
	struct imap_session *s = d->s;
	struct buf attrs = BUF_INIT;
	bool sub = is_subscribed(d->now, name);

	if (m != NULL) {
		struct store_mailbox smb = {.noselect = m->noselect, .special_use = m->special_use};

		session_write_mailbox_attrs(&attrs, &smb, m->has_children);
		attrs.len--; /* the ')' */
		if (sub)
			buf_append_str(&attrs, " \\Subscribed");
		buf_append_byte(&attrs, ')');
	} else {
		buf_append_str(&attrs, sub ? "(\\NonExistent \\Subscribed)" : "(\\NonExistent)");
	}
	buf_reset(&s->out);
	buf_printf(&s->out, "* LIST %s \"/\" ", buf_cstr(&attrs));
	session_write_mailbox(s, &s->out, name);
	if (old_name != NULL) {
		buf_append_str(&s->out, " (\"OLDNAME\" (");
		session_write_mailbox(s, &s->out, old_name);
		buf_append_str(&s->out, "))");
	}
	session_send_line(s);
	buf_free(&attrs);
	push(&d->listed, &d->listed_count, &d->listed_cap, name);
}

/* Created or deleted: the mailbox and its parent are affected (5.4). */
static void name_event(struct diff *d, const struct notify_mbox *m, const char *name)
{
	const char *slash = strrchr(name, '/');

	if (own(d->n, name) || !(events(d, name) & NOTIFY_EV_MAILBOX_NAME))
		return;
	send_list(d, m, name, NULL);
	if (slash != NULL) {
		char *parent = xstrndup(name, (size_t)(slash - name));

		push(&d->parents, &d->parent_count, &d->parent_cap, parent);
		free(parent);
	}
}

static void send_status(struct imap_session *s, const struct notify_mbox *m, unsigned items)
{
	struct mailbox_status st = {
		.items = items,
		.messages = m->messages,
		.uidnext = m->uidnext,
		.uidvalidity = m->uidvalidity,
		.unseen = m->unseen,
		.highestmodseq = m->modseq,
	};

	mailbox_status_send(s, m->name, &st);
}

static bool condstore(const struct imap_session *s)
{
	return (s->enabled & (IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC)) != 0;
}

/* Message events of a mailbox that is not selected (5.1-5.3). */
static void counters(struct diff *d, const struct notify_mbox *o, const struct notify_mbox *m)
{
	struct imap_session *s = d->s;
	unsigned ev, items = 0;

	if (m->noselect || (s->sel != NULL && s->sel->mailbox_id == m->id) || own(d->n, m->name))
		return;
	ev = events(d, m->name);
	if ((ev & NOTIFY_EV_MESSAGE_NEW) &&
	    (o->uidnext != m->uidnext || o->messages != m->messages))
		items |= IMAP_STATUS_UIDNEXT | IMAP_STATUS_MESSAGES;
	if ((ev & NOTIFY_EV_FLAG_CHANGE) && o->modseq != m->modseq) {
		if (condstore(s))
			items |= IMAP_STATUS_UIDVALIDITY | IMAP_STATUS_HIGHESTMODSEQ;
		if (o->unseen != m->unseen)
			items |= IMAP_STATUS_UNSEEN;
	}
	if ((ev & NOTIFY_EV_MESSAGE_NEW) && o->uidvalidity != m->uidvalidity)
		items |= IMAP_STATUS_UIDVALIDITY | IMAP_STATUS_UIDNEXT | IMAP_STATUS_MESSAGES;
	if (items != 0 && condstore(s))
		items |= IMAP_STATUS_HIGHESTMODSEQ;
	if (items != 0)
		send_status(s, m, items);
}

static void compare(struct diff *d, const struct notify_mbox *o, const struct notify_mbox *m)
{
	if (strcmp(o->name, m->name) != 0) {
		if (d->rename_count % 16 == 0)
			d->renames =
				xrealloc(d->renames, (d->rename_count + 16) * sizeof(*d->renames));
		d->renames[d->rename_count++] = (struct rename_pair){o->name, m->name};
		return;
	}
	if ((o->noselect != m->noselect || o->uidvalidity != m->uidvalidity) &&
	    !own(d->n, m->name) && (events(d, m->name) & NOTIFY_EV_MAILBOX_NAME))
		send_list(d, m, m->name, NULL);
	if (!o->noselect)
		counters(d, o, m);
}

static int rename_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rename_pair *)a)->old_name,
		      ((const struct rename_pair *)b)->old_name);
}

/* A child renamed with its parent gets no event of its own (5.4). */
static bool renamed_with_parent(const struct diff *d, const struct rename_pair *r)
{
	const char *slash = strrchr(r->old_name, '/');
	struct rename_pair key = {0}, *p;
	char *parent;
	size_t plen;

	if (slash == NULL)
		return false;
	parent = xstrndup(r->old_name, (size_t)(slash - r->old_name));
	key.old_name = parent;
	p = bsearch(&key, d->renames, d->rename_count, sizeof(*d->renames), rename_cmp);
	free(parent);
	if (p == NULL)
		return false;
	plen = strlen(p->new_name);
	return strncmp(r->new_name, p->new_name, plen) == 0 &&
	       strcmp(r->new_name + plen, slash) == 0;
}

static void send_renames(struct diff *d)
{
	sort(d->renames, d->rename_count, sizeof(*d->renames), rename_cmp);
	for (size_t i = 0; i < d->rename_count; i++) {
		const struct rename_pair *r = &d->renames[i];

		if (renamed_with_parent(d, r) || own(d->n, r->old_name) || own(d->n, r->new_name))
			continue;
		if ((events(d, r->old_name) | events(d, r->new_name)) & NOTIFY_EV_MAILBOX_NAME)
			send_list(d, find_name(d, r->new_name), r->new_name, r->old_name);
	}
}

static void send_parents(struct diff *d)
{
	sort(d->listed, d->listed_count, sizeof(char *), by_str);
	sort(d->parents, d->parent_count, sizeof(char *), by_str);
	for (size_t i = 0; i < d->parent_count; i++) {
		const char *name = d->parents[i];

		if (i > 0 && strcmp(name, d->parents[i - 1]) == 0)
			continue;
		if (bsearch(&name, d->listed, d->listed_count, sizeof(char *), by_str) != NULL ||
		    own(d->n, name) || !(events(d, name) & NOTIFY_EV_MAILBOX_NAME))
			continue;
		send_list(d, find_name(d, name), name, NULL);
	}
}

/* SubscriptionChange (5.5): a LIST for each name that was subscribed or
 * unsubscribed, with \Subscribed when it now is. */
static void send_subscriptions(struct diff *d)
{
	const struct notify_snapshot *a = &d->n->snap, *b = d->now;
	size_t i = 0, k = 0;

	while (i < a->sub_count || k < b->sub_count) {
		int c = i == a->sub_count   ? 1
			: k == b->sub_count ? -1
					    : strcmp(a->subs[i], b->subs[k]);
		const char *name = c <= 0 ? a->subs[i] : b->subs[k];

		if (c == 0) {
			i++, k++;
			continue;
		}
		c < 0 ? i++ : k++;
		if (!own(d->n, name) && (events(d, name) & NOTIFY_EV_SUBSCRIPTION_CHANGE))
			send_list(d, find_name(d, name), name, NULL);
	}
}

static void compare_all(struct diff *d)
{
	const struct notify_snapshot *a = &d->n->snap, *b = d->now;
	size_t i = 0, k = 0;

	while (i < a->count || k < b->count) {
		if (k == b->count || (i < a->count && a->mboxes[i].id < b->mboxes[k].id)) {
			name_event(d, NULL, a->mboxes[i].name); /* deleted */
			i++;
		} else if (i == a->count || b->mboxes[k].id < a->mboxes[i].id) {
			name_event(d, &b->mboxes[k], b->mboxes[k].name); /* created */
			k++;
		} else {
			compare(d, &a->mboxes[i++], &b->mboxes[k++]);
		}
	}
}

static void diff_free(struct diff *d)
{
	for (size_t i = 0; i < d->listed_count; i++)
		free(d->listed[i]);
	for (size_t i = 0; i < d->parent_count; i++)
		free(d->parents[i]);
	free(d->listed);
	free(d->parents);
	free(d->renames);
	free(d->by_name);
}

int notify_watch_deliver(struct imap_session *s, struct notify *n)
{
	struct notify_snapshot now;
	struct diff d = {.s = s, .n = n, .now = &now};
	int ret = notify_snapshot_load(s, n, &now);

	if (ret != STORE_OK)
		return ret;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	d.by_name = xcalloc(now.count + 1, sizeof(*d.by_name));
	for (size_t i = 0; i < now.count; i++)
		d.by_name[i] = &now.mboxes[i];
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	sort(d.by_name, now.count, sizeof(*d.by_name), mbox_name_cmp);
	compare_all(&d);
	send_renames(&d);
	send_parents(&d);
	send_subscriptions(&d);
	diff_free(&d);
	notify_snapshot_clear(&n->snap);
	n->snap = now;
	return 0;
}

void notify_watch_send_status(struct imap_session *s, const struct notify *n)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	struct notify_mbox **order = xcalloc(n->snap.count + 1, sizeof(*order));

	for (size_t i = 0; i < n->snap.count; i++)
		order[i] = &n->snap.mboxes[i];
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	sort(order, n->snap.count, sizeof(*order), mbox_name_cmp);
	for (size_t i = 0; i < n->snap.count; i++) {
		const struct notify_mbox *m = order[i];
		unsigned ev, items;

		if (m->noselect || (s->sel != NULL && s->sel->mailbox_id == m->id))
			continue;
		ev = notify_events_for(n, m->name, is_subscribed(&n->snap, m->name));
		if (!(ev & NOTIFY_EV_MESSAGE))
			continue;
		/* RFC 5465 3.1: MESSAGES, UIDNEXT and UIDVALIDITY for MessageNew,
		 * HIGHESTMODSEQ for FlagChange once CONDSTORE is on. */
		items = IMAP_STATUS_MESSAGES | IMAP_STATUS_UIDNEXT | IMAP_STATUS_UIDVALIDITY;
		if (ev & NOTIFY_EV_FLAG_CHANGE)
			items |= IMAP_STATUS_UNSEEN;
		if (condstore(s))
			items |= IMAP_STATUS_HIGHESTMODSEQ;
		send_status(s, m, items);
	}
	free(order);
}
