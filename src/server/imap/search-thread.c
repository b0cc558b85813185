/* search-thread.c — ORDEREDSUBJECT and REFERENCES threading (RFC 5256
 * section 3) and the THREAD response form (section 4); see
 * search-thread.h.
 *
 * REFERENCES works on a tree of containers (a message, or a dummy for a
 * referenced message that is not there) kept as index-linked lists, with
 * msg-ids and subjects interned by sorting, so no step depends on a hash
 * an attacker could flood and none recurses. Parent links stay exact
 * until step 3; after it only the root's children keep theirs (steps 5
 * and 6 and the output never look up a deeper parent).
 */
#include "search-thread.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX
/* Stack markers for writing the response; never valid node indices. */
#define MARK_OPEN  (SIZE_MAX - 1)
#define MARK_CLOSE (SIZE_MAX - 2)

/* ---- interned strings: sorted, unique, found by binary search ---- */

struct interner {
	const char **strs;
	size_t count;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Takes ownership of the array strs (malloc'ed, n entries). */
static void intern_build(struct interner *in, const char **strs, size_t n)
{
	size_t k = 0;

	if (n > 0)
		qsort(strs, n, sizeof(*strs), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(strs[k - 1], strs[i]) != 0)
			strs[k++] = strs[i];
	in->strs = strs;
	in->count = k;
}

static size_t intern_find(const struct interner *in, const char *s)
{
	size_t lo = 0, hi = in->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(in->strs[mid], s);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

/* ---- the container tree ---- */

struct node {
	const struct thread_msg *msg; /* NULL: a dummy */
	size_t index;                 /* msg's place in mailbox order */
	size_t parent, first, last, prev, next;
};

struct tree {
	struct node *v;
	size_t count, cap;
};

static size_t node_new(struct tree *t, const struct thread_msg *msg, size_t index)
{
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->count] = (struct node){msg, index, NONE, NONE, NONE, NONE, NONE};
	return t->count++;
}

static bool is_dummy(const struct tree *t, size_t u)
{
	return t->v[u].msg == NULL;
}

static void link_child(struct tree *t, size_t parent, size_t child)
{
	size_t last = t->v[parent].last;

	t->v[child].parent = parent;
	t->v[child].prev = last;
	t->v[child].next = NONE;
	if (last != NONE)
		t->v[last].next = child;
	else
		t->v[parent].first = child;
	t->v[parent].last = child;
}

static void unlink_child(struct tree *t, size_t child)
{
	struct node *c = &t->v[child];
	size_t parent = c->parent;

	if (c->prev != NONE)
		t->v[c->prev].next = c->next;
	else
		t->v[parent].first = c->next;
	if (c->next != NONE)
		t->v[c->next].prev = c->prev;
	else
		t->v[parent].last = c->prev;
	c->parent = c->prev = c->next = NONE;
}

/* Append the sibling run a..b (already linked by next) to a list. */
static void append_run(struct tree *t, size_t *first, size_t *last, size_t a, size_t b)
{
	t->v[a].prev = *last;
	if (*last != NONE)
		t->v[*last].next = a;
	else
		*first = a;
	t->v[b].next = NONE;
	*last = b;
}

/* Every node, each before its descendants (so the reverse visits
 * children before parents). The caller frees the array. */
static size_t *preorder(const struct tree *t, size_t root, size_t *count_r)
{
	size_t *order = xreallocarray(NULL, t->count, sizeof(*order));
	size_t *stack = xreallocarray(NULL, t->count, sizeof(*stack));
	size_t n = 0, sp = 0;

	stack[sp++] = root;
	while (sp > 0) {
		size_t u = stack[--sp];

		order[n++] = u;
		for (size_t c = t->v[u].first; c != NONE; c = t->v[c].next)
			stack[sp++] = c;
	}
	free(stack);
	*count_r = n;
	return order;
}

/* ---- step 1: links from references ---- */

/* Would making parent the parent of child create a loop: is parent the
 * child itself or one of its descendants? A childless child has none;
 * otherwise walk up from parent, at most THREAD_MAX_WALK steps (deeper
 * counts as a loop, see search-thread.h). */
static bool would_loop(const struct tree *t, size_t parent, size_t child)
{
	size_t steps = 0;

	if (parent == child)
		return true;
	if (t->v[child].first == NONE)
		return false;
	for (size_t p = t->v[parent].parent; p != NONE; p = t->v[p].parent) {
		if (p == child || ++steps > THREAD_MAX_WALK)
			return true;
	}
	return false;
}

struct refs_ctx {
	struct tree *t;
	struct interner ids;
	size_t *by_id; /* container of each interned msg-id, or NONE */
};

static size_t id_container(struct refs_ctx *r, const char *id)
{
	size_t k = intern_find(&r->ids, id);

	if (r->by_id[k] == NONE)
		/* RFC 5256 3 step 1.A: a dummy for an id no message has (yet). */
		r->by_id[k] = node_new(r->t, NULL, NONE);
	return r->by_id[k];
}

/* The container of message i: the dummy waiting for its id, a new one,
 * or a new one without id for a duplicate or missing Message-ID. */
static size_t message_container(struct refs_ctx *r, const struct thread_msg *m, size_t i)
{
	size_t k = m->message_id != NULL ? intern_find(&r->ids, m->message_id) : NONE;
	size_t u;

	if (k != NONE && r->by_id[k] != NONE && is_dummy(r->t, r->by_id[k])) {
		u = r->by_id[k];
		r->t->v[u].msg = m;
		r->t->v[u].index = i;
		return u;
	}
	u = node_new(r->t, m, i);
	if (k != NONE && r->by_id[k] == NONE)
		r->by_id[k] = u;
	return u;
}

static void link_references(struct refs_ctx *r, const struct thread_msg *m, size_t me)
{
	struct tree *t = r->t;
	size_t prev = NONE;

	/* 1.A: each reference the parent of the next, unless that one has a
	 * parent already or the link would make a loop. */
	for (size_t j = 0; j < m->nrefs; j++) {
		size_t cur = id_container(r, m->refs[j]);

		if (prev != NONE && t->v[cur].parent == NONE && !would_loop(t, prev, cur))
			link_child(t, prev, cur);
		prev = cur;
	}
	/* 1.B: the last reference becomes the parent, replacing any other. */
	if (prev != NONE && t->v[me].parent == prev)
		return;
	if (t->v[me].parent != NONE)
		unlink_child(t, me);
	if (prev != NONE && !would_loop(t, prev, me))
		link_child(t, prev, me);
}

static void intern_ids(struct refs_ctx *r, const struct thread_msg *msgs, size_t n)
{
	const char **all;
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += (msgs[i].message_id != NULL) + msgs[i].nrefs;
	all = xreallocarray(NULL, total ? total : 1, sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		if (msgs[i].message_id != NULL)
			all[k++] = msgs[i].message_id;
		for (size_t j = 0; j < msgs[i].nrefs; j++)
			all[k++] = msgs[i].refs[j];
	}
	intern_build(&r->ids, all, k);
	r->by_id = xreallocarray(NULL, r->ids.count ? r->ids.count : 1, sizeof(*r->by_id));
	for (size_t i = 0; i < r->ids.count; i++)
		r->by_id[i] = NONE;
}

/* Steps 1 and 2: build the containers; returns the root. */
static size_t build_tree(struct tree *t, const struct thread_msg *msgs, size_t n)
{
	struct refs_ctx r = {t, {NULL, 0}, NULL};
	size_t root;

	intern_ids(&r, msgs, n);
	for (size_t i = 0; i < n; i++)
		link_references(&r, &msgs[i], message_container(&r, &msgs[i], i));
	root = node_new(t, NULL, NONE);
	for (size_t u = 0; u < root; u++)
		if (t->v[u].parent == NONE)
			link_child(t, root, u);
	free(r.ids.strs);
	free(r.by_id);
	return root;
}

/* ---- step 3: pruning dummies ---- */

/* Below the root a dummy gives way to its children (already pruned,
 * since children come first), or vanishes when it has none. */
static void splice_dummies(struct tree *t, size_t u)
{
	size_t first = NONE, last = NONE, c = t->v[u].first;

	while (c != NONE) {
		size_t next = t->v[c].next;

		if (!is_dummy(t, c))
			append_run(t, &first, &last, c, c);
		else if (t->v[c].first != NONE)
			append_run(t, &first, &last, t->v[c].first, t->v[c].last);
		c = next;
	}
	t->v[u].first = first;
	t->v[u].last = last;
}

/* At the root a dummy stays unless it has no child (removed) or one
 * (promoted in its place): children are not promoted to the root. */
static void prune_root(struct tree *t, size_t root)
{
	size_t first = NONE, last = NONE, c = t->v[root].first;

	while (c != NONE) {
		size_t next = t->v[c].next, kid = t->v[c].first;

		if (!is_dummy(t, c) || (kid != NONE && kid != t->v[c].last)) {
			append_run(t, &first, &last, c, c);
		} else if (kid != NONE) {
			t->v[kid].parent = root;
			append_run(t, &first, &last, kid, kid);
		}
		c = next;
	}
	t->v[root].first = first;
	t->v[root].last = last;
}

static void prune(struct tree *t, size_t root)
{
	size_t n, *order = preorder(t, root, &n);

	for (size_t k = n; k > 1; k--)
		splice_dummies(t, order[k - 1]); /* order[0] is the root */
	free(order);
	prune_root(t, root);
}

/* ---- steps 4 and 6: sorting siblings by sent date ---- */

struct keyed {
	int64_t sent;
	size_t index;
	size_t node;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->sent != y->sent)
		return x->sent < y->sent ? -1 : 1;
	/* RFC 5256 2.2: equal dates keep mailbox order. */
	return x->index < y->index ? -1 : x->index > y->index;
}

/* A dummy sorts as its first child (RFC 5256 3 steps 4 and 6). */
static void node_key(const struct tree *t, size_t u, struct keyed *k)
{
	k->node = u;
	while (is_dummy(t, u) && t->v[u].first != NONE)
		u = t->v[u].first;
	k->sent = t->v[u].msg != NULL ? t->v[u].msg->sent : INT64_MIN;
	k->index = t->v[u].msg != NULL ? t->v[u].index : 0;
}

static void sort_children(struct tree *t, size_t u, struct keyed **scratch, size_t *cap)
{
	size_t n = 0, first = NONE, last = NONE;

	for (size_t c = t->v[u].first; c != NONE; c = t->v[c].next)
		n++;
	if (n < 2)
		return;
	if (n > *cap) {
		*cap = n;
		*scratch = xreallocarray(*scratch, n, sizeof(**scratch));
	}
	n = 0;
	for (size_t c = t->v[u].first; c != NONE; c = t->v[c].next)
		node_key(t, c, &(*scratch)[n++]);
	qsort(*scratch, n, sizeof(**scratch), cmp_keyed);
	for (size_t i = 0; i < n; i++)
		append_run(t, &first, &last, (*scratch)[i].node, (*scratch)[i].node);
	t->v[u].first = first;
	t->v[u].last = last;
}

/* Sort every set of siblings, the deepest first, so a dummy's children
 * are in order before the dummy is placed by its first child. */
static void sort_all(struct tree *t, size_t root)
{
	size_t n, *order = preorder(t, root, &n), cap = 0;
	struct keyed *scratch = NULL;

	for (size_t k = n; k > 0; k--)
		sort_children(t, order[k - 1], &scratch, &cap);
	free(scratch);
	free(order);
}

/* ---- step 5: gathering threads with the same base subject ---- */

struct subjects {
	struct interner in;
	size_t *of_msg; /* interned subject of each message, NONE when empty */
	size_t *table;  /* the subject table: a root child per subject */
};

static void subjects_init(struct subjects *sj, const struct thread_msg *msgs, size_t n)
{
	const char **all = xreallocarray(NULL, n ? n : 1, sizeof(*all));
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (msgs[i].subject[0] != '\0')
			all[k++] = msgs[i].subject;
	intern_build(&sj->in, all, k);
	sj->of_msg = xreallocarray(NULL, n ? n : 1, sizeof(*sj->of_msg));
	for (size_t i = 0; i < n; i++)
		sj->of_msg[i] =
			msgs[i].subject[0] != '\0' ? intern_find(&sj->in, msgs[i].subject) : NONE;
	sj->table = xreallocarray(NULL, sj->in.count ? sj->in.count : 1, sizeof(*sj->table));
	for (size_t i = 0; i < sj->in.count; i++)
		sj->table[i] = NONE;
}

static void subjects_free(struct subjects *sj)
{
	free(sj->in.strs);
	free(sj->of_msg);
	free(sj->table);
}

/* 5.B.i: the base subject of the message, or of a dummy's first child. */
static size_t thread_subject(const struct tree *t, const struct subjects *sj, size_t u)
{
	while (is_dummy(t, u) && t->v[u].first != NONE)
		u = t->v[u].first;
	return is_dummy(t, u) ? NONE : sj->of_msg[t->v[u].index];
}

static bool is_reply(const struct tree *t, size_t u)
{
	return !is_dummy(t, u) && t->v[u].msg->reply;
}

/* Put d where u is in its list; u leaves the list. */
static void replace_node(struct tree *t, size_t u, size_t d)
{
	struct node *n = &t->v[u];
	size_t parent = n->parent;

	t->v[d].parent = parent;
	t->v[d].prev = n->prev;
	t->v[d].next = n->next;
	if (n->prev != NONE)
		t->v[n->prev].next = d;
	else
		t->v[parent].first = d;
	if (n->next != NONE)
		t->v[n->next].prev = d;
	else
		t->v[parent].last = d;
	n->parent = n->prev = n->next = NONE;
}

/* 5.C: merge root child r into the thread tab holds for its subject. */
static void merge(struct tree *t, struct subjects *sj, size_t subject, size_t r)
{
	size_t tab = sj->table[subject], d;

	if (is_dummy(t, tab) && is_dummy(t, r)) {
		size_t first = t->v[tab].first, last = t->v[tab].last;

		if (t->v[r].first != NONE)
			append_run(t, &first, &last, t->v[r].first, t->v[r].last);
		t->v[tab].first = first;
		t->v[tab].last = last;
		unlink_child(t, r);
	} else if (is_dummy(t, tab) || (is_reply(t, r) && !is_reply(t, tab))) {
		unlink_child(t, r);
		link_child(t, tab, r);
	} else {
		d = node_new(t, NULL, NONE);
		replace_node(t, tab, d);
		link_child(t, d, tab);
		unlink_child(t, r);
		link_child(t, d, r);
		sj->table[subject] = d;
	}
}

static void gather_subjects(struct tree *t, size_t root, const struct thread_msg *msgs, size_t n)
{
	struct subjects sj;
	size_t count = 0, k = 0, *kids;

	subjects_init(&sj, msgs, n);
	for (size_t c = t->v[root].first; c != NONE; c = t->v[c].next)
		count++;
	kids = xreallocarray(NULL, count ? count : 1, sizeof(*kids));
	for (size_t c = t->v[root].first; c != NONE; c = t->v[c].next)
		kids[k++] = c;
	/* 5.B: one container per subject; a dummy wins over a message, a
	 * message over a reply. */
	for (size_t i = 0; i < count; i++) {
		size_t s = thread_subject(t, &sj, kids[i]), cur;

		if (s == NONE)
			continue;
		cur = sj.table[s];
		if (cur == NONE ||
		    (!is_dummy(t, cur) &&
		     (is_dummy(t, kids[i]) || (is_reply(t, cur) && !is_reply(t, kids[i])))))
			sj.table[s] = kids[i];
	}
	/* 5.C: merge the others into it (those still under the root). */
	for (size_t i = 0; i < count; i++) {
		size_t s;

		if (t->v[kids[i]].parent != root)
			continue;
		s = thread_subject(t, &sj, kids[i]);
		if (s != NONE && sj.table[s] != kids[i])
			merge(t, &sj, s, kids[i]);
	}
	free(kids);
	subjects_free(&sj);
}

/* ---- the response ---- */

/* Write the root's children as thread-lists (RFC 5256 section 5): a
 * message is followed by its only child, or by each child in
 * parentheses; a dummy shows only its children in parentheses. */
static void write_threads(const struct tree *t, size_t root, struct buf *out)
{
	size_t *stack = xreallocarray(NULL, 3 * t->count + 3, sizeof(*stack)), sp = 0;

	for (size_t c = t->v[root].last; c != NONE; c = t->v[c].prev) {
		stack[sp++] = MARK_CLOSE;
		stack[sp++] = c;
		stack[sp++] = MARK_OPEN;
	}
	while (sp > 0) {
		size_t u = stack[--sp];

		if (u == MARK_OPEN || u == MARK_CLOSE) {
			buf_append_byte(out, u == MARK_OPEN ? '(' : ')');
			continue;
		}
		/* A chain of only children stays on one level. */
		while (!is_dummy(t, u)) {
			buf_printf(out, "%u", t->v[u].msg->number);
			if (t->v[u].first == NONE)
				break;
			buf_append_byte(out, ' ');
			if (t->v[u].first != t->v[u].last)
				break;
			u = t->v[u].first;
		}
		if (t->v[u].first == NONE)
			continue;
		if (t->v[u].first == t->v[u].last) {
			stack[sp++] = t->v[u].first; /* a dummy with one child */
			continue;
		}
		for (size_t c = t->v[u].last; c != NONE; c = t->v[c].prev) {
			stack[sp++] = MARK_CLOSE;
			stack[sp++] = c;
			stack[sp++] = MARK_OPEN;
		}
	}
	free(stack);
}

void thread_references(const struct thread_msg *msgs, size_t n, struct buf *out)
{
	struct tree t = {NULL, 0, 0};
	size_t root;

	if (n == 0)
		return;
	root = build_tree(&t, msgs, n);
	prune(&t, root);
	sort_all(&t, root); /* step 4 (the root's children), dummies by their first child */
	gather_subjects(&t, root, msgs, n);
	sort_all(&t, root); /* step 6 */
	write_threads(&t, root, out);
	free(t.v);
}

/* ---- ORDEREDSUBJECT ---- */

struct os_item {
	const struct thread_msg *m;
	size_t index;
};

static int cmp_os(const void *a, const void *b)
{
	const struct os_item *x = a, *y = b;
	int c = strcmp(x->m->subject, y->m->subject);

	if (c != 0)
		return c;
	if (x->m->sent != y->m->sent)
		return x->m->sent < y->m->sent ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* A thread of ORDEREDSUBJECT: items[start..end) share a base subject,
 * items[start] is the earliest. */
struct os_thread {
	int64_t sent;
	size_t index;
	size_t start, end;
};

static int cmp_os_thread(const void *a, const void *b)
{
	const struct os_thread *x = a, *y = b;

	if (x->sent != y->sent)
		return x->sent < y->sent ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* One thread: the first message, then the second as its child or, with
 * more, every later one as a child in parentheses (siblings). */
static void write_subject_thread(const struct os_item *items, size_t n, struct buf *out)
{
	buf_printf(out, "(%u", items[0].m->number);
	if (n == 2)
		buf_printf(out, " %u", items[1].m->number);
	else if (n > 2)
		buf_append_byte(out, ' ');
	for (size_t i = 1; n > 2 && i < n; i++)
		buf_printf(out, "(%u)", items[i].m->number);
	buf_append_byte(out, ')');
}

void thread_orderedsubject(const struct thread_msg *msgs, size_t n, struct buf *out)
{
	struct os_item *items;
	struct os_thread *threads;
	size_t nthreads = 0;

	if (n == 0)
		return;
	items = xreallocarray(NULL, n, sizeof(*items));
	threads = xreallocarray(NULL, n, sizeof(*threads));
	for (size_t i = 0; i < n; i++)
		items[i] = (struct os_item){&msgs[i], i};
	/* By base subject, then sent date: each run of one subject is a
	 * thread, its first message the earliest. */
	qsort(items, n, sizeof(*items), cmp_os);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(items[i - 1].m->subject, items[i].m->subject) == 0) {
			threads[nthreads - 1].end = i + 1;
			continue;
		}
		threads[nthreads++] =
			(struct os_thread){items[i].m->sent, items[i].index, i, i + 1};
	}
	/* Threads in the order of their first messages' sent dates. */
	qsort(threads, nthreads, sizeof(*threads), cmp_os_thread);
	for (size_t t = 0; t < nthreads; t++)
		write_subject_thread(&items[threads[t].start], threads[t].end - threads[t].start,
				     out);
	free(threads);
	free(items);
}
