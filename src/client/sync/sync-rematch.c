/* sync-rematch.c — a folder's UIDVALIDITY changed (RFC 9051 2.3.1.1:
 * every UID may now name another message). Instead of throwing the cache
 * away, cached messages are matched to the server's by Message-ID and
 * size (INTEROP.md: K-9 and mbsync learned this), keeping their bodies,
 * their stable ids and the journal entries that name them; the rest are
 * dropped and fetched again like new mail. Messages without a Message-ID,
 * or whose Message-ID and size are not unique, are not matched. */
#include "sync-private.h"

#include "lib/arena.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "mime/mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ident {
	char *msgid;
	uint64_t size;
	uint32_t uid;
	bool used;
};

struct ident_list {
	struct ident *v;
	size_t count, cap;
};

static void ident_add(struct ident_list *l, const char *msgid, uint64_t size, uint32_t uid)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->count].msgid = xstrdup(msgid);
	l->v[l->count].size = size;
	l->v[l->count].uid = uid;
	l->v[l->count].used = false;
	l->count++;
}

static void ident_free(struct ident_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->v[i].msgid);
	free(l->v);
}

static int ident_cmp(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	int c = strcmp(x->msgid, y->msgid);

	if (c != 0)
		return c;
	return x->size < y->size ? -1 : x->size > y->size;
}

/* The first msg-id of a fetched Message-ID header field, as the store
 * keeps it ("<...>"); NULL when none. */
static const char *parse_msgid(struct arena *a, const char *data, size_t len)
{
	struct mime_message *msg = mime_parse(a, data, len, NULL);
	struct mime_list_value v[MIME_LIST_FIELD_COUNT];
	const char **ids;

	mime_list_fields(msg, a, v);
	if (!v[MIME_LIST_MESSAGE_ID].present ||
	    mime_msgids_parse(a, v[MIME_LIST_MESSAGE_ID].raw, v[MIME_LIST_MESSAGE_ID].raw_len,
			      &ids) == 0)
		return NULL;
	return ids[0];
}

static void remote_untagged(void *ctx, const struct imap_response *resp)
{
	struct ident_list *l = ctx;
	struct sync_fetched f;
	struct arena *a;
	const char *id;

	if (resp->kind != IMAP_RESP_FETCH || !sync_fetched_read(&resp->u.fetch, &f))
		return;
	a = arena_new(0);
	id = f.data != NULL ? parse_msgid(a, f.data, f.len) : NULL;
	if (id != NULL)
		ident_add(l, id, f.size, f.uid);
	arena_free(&a);
	sync_fetched_clear(&f);
}

static int fetch_remote(struct sync *s, struct ident_list *l, const char **error_r)
{
	static const char *const mid[] = {"MESSAGE-ID"};
	struct imap_fetch_item items[3];
	struct imap_command cmd = {.kind = IMAP_CMD_FETCH, .uid = true};
	struct imap_seq_range all = {1, RANGESET_STAR};

	memset(items, 0, sizeof(items));
	items[0].kind = IMAP_FETCH_UID;
	items[1].kind = IMAP_FETCH_RFC822_SIZE;
	items[2].kind = IMAP_FETCH_BODY_SECTION;
	items[2].peek = true;
	items[2].section.text = IMAP_SECTION_HEADER_FIELDS;
	items[2].section.fields.items = mid;
	items[2].section.fields.count = 1;
	cmd.u.fetch.set.ranges = &all;
	cmd.u.fetch.set.count = 1;
	cmd.u.fetch.items = items;
	cmd.u.fetch.count = 3;
	cmd.u.fetch.items_list = true;
	if (imapc_mailbox(s->c)->exists == 0)
		return 0;
	return imapc_run(s->c, &cmd, remote_untagged, l, NULL, error_r);
}

struct local_idents {
	struct ident_list *list;
	struct rangeset uids; /* UIDs with an ident already */
};

static int local_ident(void *ctx, uint32_t uid, const char *message_id, uint64_t size)
{
	struct local_idents *li = ctx;

	rangeset_add(&li->uids, uid);
	if (message_id != NULL)
		ident_add(li->list, message_id, size, uid);
	return 0;
}

/* The ident of the message a journal entry names when its row has left
 * the folder (moved or expunged offline): from the row wherever it is
 * now, or from what an EXPUNGE entry kept. */
static void entry_ident(struct sync *s, const struct store_journal_entry *e,
			struct local_idents *li)
{
	struct store_client_msg m;
	struct buf id = BUF_INIT;
	uint64_t size = 0;

	if (e->kind != STORE_JOURNAL_SEND && e->data != NULL) {
		char *copy = xstrndup(e->data, e->data_len), *sp = strrchr(copy, ' ');

		if (sp != NULL && str_to_u64(sp + 1, strlen(sp + 1), UINT64_MAX, &size)) {
			*sp = '\0';
			ident_add(li->list, copy, size, e->uid);
			rangeset_add(&li->uids, e->uid);
		}
		free(copy);
		return;
	}
	if (e->cid == 0 || store_client_msg_by_cid(s->store, e->cid, &m) != STORE_OK)
		return;
	if (sync_cached_msgid(s, e->cid, &id) == 0 && id.len > 0) {
		ident_add(li->list, buf_cstr(&id), m.size, e->uid);
		rangeset_add(&li->uids, e->uid);
	}
	store_client_msg_clear(&m);
	buf_free(&id);
}

static int journal_idents(struct sync *s, const struct store_client_folder *f,
			  struct local_idents *li)
{
	struct arena *a = arena_new(0);
	struct store_journal_entry e;
	int64_t after = 0;
	int r;

	while ((r = store_client_journal_next(s->store, after, a, &e)) == 1) {
		after = e.id;
		if (strcmp(e.mailbox, f->name) == 0 && e.uid > 0 &&
		    e.uid < STORE_CLIENT_PLACEHOLDER_MIN && !rangeset_contains(&li->uids, e.uid))
			entry_ident(s, &e, li);
		arena_clear(a);
	}
	arena_free(&a);
	return r;
}

/* Pair each local ident with an unused remote one of the same key. A key
 * that occurs twice on either side is ambiguous and left unmatched. */
static size_t match(struct ident_list *local, struct ident_list *remote, uint32_t *old_r,
		    uint32_t *new_r)
{
	size_t n = 0;

	if (local->count == 0 || remote->count == 0)
		return 0;
	qsort(remote->v, remote->count, sizeof(*remote->v), ident_cmp);
	qsort(local->v, local->count, sizeof(*local->v), ident_cmp);
	for (size_t i = 0; i < local->count; i++) {
		struct ident *hit = bsearch(&local->v[i], remote->v, remote->count,
					    sizeof(*remote->v), ident_cmp);
		bool dup_local =
			(i > 0 && ident_cmp(&local->v[i - 1], &local->v[i]) == 0) ||
			(i + 1 < local->count && ident_cmp(&local->v[i + 1], &local->v[i]) == 0);

		if (hit == NULL || dup_local)
			continue;
		if ((hit > remote->v && ident_cmp(hit - 1, hit) == 0) ||
		    (hit + 1 < remote->v + remote->count && ident_cmp(hit + 1, hit) == 0))
			continue;
		old_r[n] = local->v[i].uid;
		new_r[n] = hit->uid;
		n++;
	}
	return n;
}

int sync_rematch(struct sync *s, const struct store_client_folder *f, uint32_t uidvalidity,
		 const char **error_r)
{
	struct ident_list local = {NULL, 0, 0}, remote = {NULL, 0, 0};
	struct local_idents li = {&local, RANGESET_INIT};
	uint32_t *old_uids = NULL, *new_uids = NULL;
	size_t n = 0, dropped = 0;
	int ret = fetch_remote(s, &remote, error_r);

	if (ret == 0 &&
	    (store_client_idents(s->store, f->mailbox_id, local_ident, &li) != STORE_OK ||
	     journal_idents(s, f, &li) < 0)) {
		*error_r = sync_store_error(s, -1, "list cached messages");
		ret = -1;
	}
	if (ret == 0) {
		old_uids = xcalloc(local.count + 1, sizeof(*old_uids));
		new_uids = xcalloc(local.count + 1, sizeof(*new_uids));
		n = match(&local, &remote, old_uids, new_uids);
		ret = store_client_reset(s->store, f->mailbox_id, uidvalidity, old_uids, new_uids,
					 n, &dropped);
		if (ret != STORE_OK) {
			*error_r = sync_store_error(s, ret, "re-key after a UIDVALIDITY change");
			ret = -1;
		}
	}
	if (ret == 0) {
		s->stats.dropped += (unsigned)dropped;
		fprintf(stderr,
			"hafen: %s: UIDVALIDITY changed on the server; %zu cached message(s) kept,"
			" %zu journal entr%s dropped\n",
			f->name, n, dropped, dropped == 1 ? "y" : "ies");
	}
	free(old_uids);
	free(new_uids);
	rangeset_free(&li.uids);
	ident_free(&local);
	ident_free(&remote);
	return ret;
}
