/* sync-fetch.c — FETCHing into the cache: list-view headers of new
 * messages, bodies, and flags, in windowed chunks (SYNC_FETCH_WINDOW
 * commands of SYNC_FETCH_CHUNK messages in flight) so a large mailbox
 * streams without the whole UID set queued at once, and responses go to
 * the cache in batches of one transaction each. */
#include "sync-private.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

/* The header fields the store caches for list views (store-parsed.c). */
static const char *const list_fields[] = {
	"FROM",    "TO",       "CC",         "BCC",         "REPLY-TO",   "SENDER",
	"SUBJECT", "DATE",     "MESSAGE-ID", "IN-REPLY-TO", "REFERENCES", "CONTENT-TYPE",
	"LIST-ID", "PRIORITY", "X-PRIORITY", "IMPORTANCE",
};

void sync_fetched_clear(struct sync_fetched *f)
{
	free(f->keywords);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

static void read_string(const struct imap_fetch_attr *a, struct sync_fetched *f)
{
	const struct imap_section *sec = &a->item.section;

	if (a->u.string.data == NULL || a->u.string.len > SYNC_BODY_MAX)
		return;
	if (sec->part_count != 0 || a->item.has_partial)
		return;
	if (sec->text != IMAP_SECTION_NONE && sec->text != IMAP_SECTION_HEADER &&
	    sec->text != IMAP_SECTION_HEADER_FIELDS)
		return;
	free(f->data);
	f->data = xmemdup(a->u.string.data, (size_t)a->u.string.len);
	f->len = (size_t)a->u.string.len;
	f->whole = sec->text == IMAP_SECTION_NONE;
}

bool sync_fetched_read(const struct imap_resp_fetch *fetch, struct sync_fetched *f)
{
	struct buf kw = BUF_INIT;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < fetch->count; i++) {
		const struct imap_fetch_attr *a = &fetch->attrs[i];

		switch (a->item.kind) {
		case IMAP_FETCH_UID:
			f->uid = (uint32_t)a->u.number;
			break;
		case IMAP_FETCH_FLAGS:
			f->has_flags = true;
			f->flags = sync_parse_flags(&a->u.flags, &kw);
			free(f->keywords);
			f->keywords = buf_detach(&kw, NULL);
			break;
		case IMAP_FETCH_MODSEQ:
			f->modseq = a->u.number;
			break;
		case IMAP_FETCH_INTERNALDATE:
			if (imap_datetime_is_valid(&a->u.date)) {
				f->internaldate = imap_datetime_to_unix(&a->u.date);
				f->tz = a->u.date.zone;
			}
			break;
		case IMAP_FETCH_RFC822_SIZE:
			f->size = a->u.number;
			break;
		case IMAP_FETCH_BODY_SECTION:
		case IMAP_FETCH_RFC822:
			read_string(a, f);
			break;
		default:
			break;
		}
	}
	buf_free(&kw);
	if (f->uid == 0 || f->uid >= STORE_CLIENT_PLACEHOLDER_MIN) {
		sync_fetched_clear(f);
		return false;
	}
	return true;
}

int sync_merge(struct sync *s, int64_t mailbox_id, struct sync_fetched *v, size_t n,
	       const char **error_r)
{
	struct store_client_flags *fl = xcalloc(n ? n : 1, sizeof(*fl));
	size_t k = 0, changed = 0;
	int ret;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].has_flags)
			continue;
		fl[k].uid = v[i].uid;
		fl[k].flags = v[i].flags;
		fl[k].keywords = v[i].keywords;
		fl[k].modseq = v[i].modseq;
		k++;
	}
	ret = store_client_merge_flags(s->store, mailbox_id, fl, k, &changed);
	free(fl);
	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "merge flags");
		return -1;
	}
	s->stats.flags_changed += changed;
	return 0;
}

/* ---- one windowed FETCH run ---- */

enum fetch_mode { FETCH_HEADERS, FETCH_BODIES, FETCH_FLAGS };

struct fetch_run {
	struct sync *s;
	int64_t mailbox_id;
	enum fetch_mode mode;
	struct sync_fetched *batch;
	size_t n, cap, bytes;
	struct rangeset *seen;
	uint64_t done, total;
	const char *what;
	const char *error; /* the first cache failure */
	/* chunks to send */
	struct arena *arena;
	struct imap_seqset *chunks;
	size_t nchunks, next;
	unsigned inflight;
	struct imap_command cmd;
};

static int flush_headers(struct fetch_run *r, const char **error_r)
{
	struct store_client_new *v = xcalloc(r->n ? r->n : 1, sizeof(*v));
	size_t added = 0;
	int ret;

	for (size_t i = 0; i < r->n; i++) {
		const struct sync_fetched *f = &r->batch[i];

		v[i].uid = f->uid;
		v[i].data = f->data;
		v[i].len = f->len;
		v[i].whole = f->whole;
		v[i].flags = f->flags;
		v[i].keywords = f->keywords;
		v[i].internaldate = f->internaldate;
		v[i].tz_offset = f->tz;
		v[i].size = f->size;
		v[i].modseq = f->modseq;
	}
	ret = store_client_add(r->s->store, r->mailbox_id, v, r->n, &added);
	free(v);
	if (ret != STORE_OK) {
		*error_r = sync_store_error(r->s, ret, "cache new messages");
		return -1;
	}
	r->s->stats.added += added;
	/* Messages cached before (an interrupted run) still need their flags. */
	return added < r->n ? sync_merge(r->s, r->mailbox_id, r->batch, r->n, error_r) : 0;
}

/* A batch of bodies: one directory fsync and one transaction for all. */
static int flush_bodies(struct fetch_run *r, const char **error_r)
{
	struct store_client_body *b = xcalloc(r->n, sizeof(*b));
	size_t k = 0;
	int ret;

	for (size_t i = 0; i < r->n; i++) {
		const struct sync_fetched *f = &r->batch[i];

		if (f->data != NULL && f->whole)
			b[k++] = (struct store_client_body){f->uid, f->data, f->len};
	}
	ret = store_client_set_bodies(r->s->store, r->mailbox_id, b, k);
	free(b);
	if (ret != STORE_OK) {
		*error_r = sync_store_error(r->s, ret, "cache message bodies");
		return -1;
	}
	r->s->stats.bodies += k;
	return 0;
}

static void flush(struct fetch_run *r)
{
	const char *err = NULL;
	int ret = 0;

	if (r->n == 0)
		return;
	if (r->error == NULL) {
		if (r->mode == FETCH_HEADERS)
			ret = flush_headers(r, &err);
		else if (r->mode == FETCH_BODIES)
			ret = flush_bodies(r, &err);
		else
			ret = sync_merge(r->s, r->mailbox_id, r->batch, r->n, &err);
		if (ret < 0)
			r->error = err;
	}
	for (size_t i = 0; i < r->n; i++)
		sync_fetched_clear(&r->batch[i]);
	r->n = 0;
	r->bytes = 0;
}

static void run_untagged(void *ctx, const struct imap_response *resp)
{
	struct fetch_run *r = ctx;
	struct sync_fetched f;

	if (resp->kind != IMAP_RESP_FETCH || !sync_fetched_read(&resp->u.fetch, &f))
		return;
	if (r->seen != NULL)
		rangeset_add(r->seen, f.uid);
	/* A FETCH without what we asked for is another client's flag
	 * change reported meanwhile: merge it, do not cache it. */
	if (r->mode != FETCH_FLAGS && f.data == NULL) {
		if (f.has_flags && r->error == NULL)
			(void)sync_merge(r->s, r->mailbox_id, &f, 1, &r->error);
		sync_fetched_clear(&f);
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->batch = xreallocarray(r->batch, r->cap, sizeof(*r->batch));
	}
	r->bytes += f.len;
	r->batch[r->n++] = f;
	r->done++;
	sync_progress(r->s, r->what, r->done, r->total);
	if (r->n >= SYNC_FETCH_CHUNK || r->bytes >= SYNC_BODY_FLUSH_BYTES)
		flush(r);
}

static void send_chunks(struct fetch_run *r);

static void run_done(void *ctx, const struct imapc_result *result)
{
	struct fetch_run *r = ctx;

	r->inflight--;
	/* A NO (some of the messages were expunged meanwhile) still
	 * delivered the rest; the next sync sees the expunges. */
	send_chunks(r);
}

static void send_chunks(struct fetch_run *r)
{
	while (r->error == NULL && r->inflight < SYNC_FETCH_WINDOW && r->next < r->nchunks &&
	       imapc_is_connected(r->s->c)) {
		r->cmd.u.fetch.set = r->chunks[r->next++];
		r->inflight++;
		imapc_send(r->s->c, &r->cmd, run_untagged, run_done, r);
	}
}

/* Split uids into sets of at most per messages ("n:*" stays whole). */
static void make_chunks(struct fetch_run *r, const struct rangeset *uids, uint64_t per)
{
	struct rangeset part = RANGESET_INIT;
	uint64_t in_part = 0;

	r->arena = arena_new(0);
	for (size_t i = 0; i < uids->count; i++) {
		uint64_t lo = uids->r[i].lo, hi = uids->r[i].hi;

		while (lo <= hi) {
			uint64_t take = hi - lo + 1;

			if (hi != RANGESET_STAR && take > per - in_part)
				take = per - in_part;
			rangeset_add_range(&part, (uint32_t)lo, (uint32_t)(lo + take - 1));
			in_part += take;
			lo += take;
			if (in_part >= per) {
				r->chunks = xreallocarray(r->chunks, r->nchunks + 1,
							  sizeof(*r->chunks));
				imap_seqset_from_rangeset(r->arena, &part,
							  &r->chunks[r->nchunks++]);
				rangeset_clear(&part);
				in_part = 0;
			}
			if (hi == RANGESET_STAR)
				break;
		}
	}
	if (in_part > 0) {
		r->chunks = xreallocarray(r->chunks, r->nchunks + 1, sizeof(*r->chunks));
		imap_seqset_from_rangeset(r->arena, &part, &r->chunks[r->nchunks++]);
	}
	rangeset_free(&part);
}

static int run_fetch(struct fetch_run *r, const struct rangeset *uids, uint64_t per,
		     const char **error_r)
{
	int ret;

	if (rangeset_is_empty(uids))
		return 0;
	r->cmd.kind = IMAP_CMD_FETCH;
	r->cmd.uid = true;
	r->cmd.u.fetch.items_list = true;
	make_chunks(r, uids, per);
	send_chunks(r);
	ret = imapc_wait(r->s->c, error_r);
	flush(r);
	sync_progress_end(r->s);
	if (ret == 0 && r->error != NULL) {
		*error_r = r->error;
		ret = -1;
	}
	free(r->batch);
	free(r->chunks);
	arena_free(&r->arena);
	return ret;
}

static size_t base_items(struct sync *s, struct imap_fetch_item *items, bool flags)
{
	size_t n = 0;

	items[n++].kind = IMAP_FETCH_UID;
	if (flags) {
		items[n++].kind = IMAP_FETCH_FLAGS;
		if (imapc_condstore(s->c))
			items[n++].kind = IMAP_FETCH_MODSEQ;
	}
	return n;
}

int sync_fetch_headers(struct sync *s, int64_t mailbox_id, const struct rangeset *uids,
		       const char **error_r)
{
	struct imap_fetch_item items[8];
	struct fetch_run r = {
		.s = s, .mailbox_id = mailbox_id, .mode = FETCH_HEADERS, .what = "headers"};
	size_t n;

	memset(items, 0, sizeof(items));
	n = base_items(s, items, true);
	items[n++].kind = IMAP_FETCH_INTERNALDATE;
	items[n++].kind = IMAP_FETCH_RFC822_SIZE;
	items[n].kind = IMAP_FETCH_BODY_SECTION;
	items[n].peek = true;
	items[n].section.text = IMAP_SECTION_HEADER_FIELDS;
	items[n].section.fields.items = list_fields;
	items[n].section.fields.count = HF_N_ELEMENTS(list_fields);
	n++;
	r.cmd.u.fetch.items = items;
	r.cmd.u.fetch.count = n;
	r.total = rangeset_max(uids) == RANGESET_STAR ? imapc_mailbox(s->c)->exists
						      : rangeset_count(uids);
	return run_fetch(&r, uids, SYNC_FETCH_CHUNK, error_r);
}

int sync_fetch_bodies(struct sync *s, int64_t mailbox_id, const struct rangeset *uids,
		      const char **error_r)
{
	struct imap_fetch_item items[3];
	struct fetch_run r = {
		.s = s, .mailbox_id = mailbox_id, .mode = FETCH_BODIES, .what = "bodies"};
	size_t n;

	memset(items, 0, sizeof(items));
	n = base_items(s, items, false);
	items[n].kind = IMAP_FETCH_BODY_SECTION;
	items[n].peek = true;
	n++;
	r.cmd.u.fetch.items = items;
	r.cmd.u.fetch.count = n;
	r.total = rangeset_count(uids);
	return run_fetch(&r, uids, SYNC_BODY_CHUNK, error_r);
}

int sync_fetch_flags(struct sync *s, int64_t mailbox_id, const struct rangeset *uids,
		     uint64_t changedsince, struct rangeset *seen_r, const char **error_r)
{
	struct imap_fetch_item items[4];
	struct fetch_run r = {.s = s,
			      .mailbox_id = mailbox_id,
			      .mode = FETCH_FLAGS,
			      .seen = seen_r,
			      .what = "flags"};

	memset(items, 0, sizeof(items));
	r.cmd.u.fetch.items = items;
	r.cmd.u.fetch.count = base_items(s, items, true);
	if (changedsince > 0) {
		r.cmd.u.fetch.has_changedsince = true;
		r.cmd.u.fetch.changedsince = changedsince;
	}
	r.total = imapc_mailbox(s->c)->exists;
	/* One command: "1:*" is short, and the answer streams in batches. */
	return run_fetch(&r, uids, UINT32_MAX, error_r);
}

int sync_fetch_body(struct sync *s, int64_t mailbox_id, uint32_t uid, const char **error_r)
{
	struct store_client_folder f;
	struct rangeset one = RANGESET_INIT;
	struct store_mailbox mb = {0};
	int ret = store_mailbox_get_by_id(s->store, mailbox_id, &mb);

	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "find folder");
		return -1;
	}
	ret = store_client_folder_get(s->store, mb.name, &f);
	store_mailbox_clear(&mb);
	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "find folder");
		return -1;
	}
	if (s->selected_id != mailbox_id)
		ret = sync_select(s, &f, false, NULL, NULL, error_r);
	if (ret == 0 && imapc_mailbox(s->c)->uidvalidity != f.uidvalidity) {
		*error_r = sync_error(s, "folder %s changed on the server; run hafen sync", f.name);
		ret = -1;
	}
	rangeset_add(&one, uid);
	if (ret == 0)
		ret = sync_fetch_bodies(s, mailbox_id, &one, error_r);
	rangeset_free(&one);
	store_client_folder_clear(&f);
	return ret;
}
