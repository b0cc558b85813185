/* sync-folders.c — mirroring the server's folder list into the cache:
 * new folders are created, folders gone from the server are removed, and
 * a folder that reappears under another name with the same MAILBOXID
 * (RFC 8474, when the server offers OBJECTID) is renamed, keeping its
 * cached messages. LIST-STATUS (RFC 5819) brings the counts in the same
 * round trip when offered. */
#include "sync-private.h"

#include "imap/imap-mailbox.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <stdio.h>
#include <string.h>

struct remote_folder {
	char *local;
	char *remote;
	char delim;
	bool noselect;
	unsigned special_use;
	bool has_status;
	uint32_t messages, unseen, uidnext, uidvalidity;
	uint64_t highestmodseq;
	char *mailboxid;
	bool matched;
};

struct folder_scan {
	struct sync *s;
	struct remote_folder *v;
	size_t count, cap;
};

static struct remote_folder *scan_find(struct folder_scan *fs, const char *local)
{
	for (size_t i = 0; i < fs->count; i++)
		if (strcmp(fs->v[i].local, local) == 0)
			return &fs->v[i];
	return NULL;
}

static unsigned list_attrs(const struct imap_resp_list *l, bool *noselect_r)
{
	unsigned uses = 0;

	*noselect_r = false;
	for (size_t i = 0; i < l->attrs.count; i++) {
		const char *a = l->attrs.items[i];

		if (str_casecmp(a, "\\Noselect") == 0 || str_casecmp(a, "\\NonExistent") == 0)
			*noselect_r = true;
		else
			uses |= store_special_use_parse(a, strlen(a));
	}
	return uses;
}

static void add_list(struct folder_scan *fs, const struct imap_resp_list *l)
{
	struct buf name = BUF_INIT;
	struct remote_folder *rf;
	const char *err;
	char *local, *canon = NULL;

	if (imap_mailbox_name_from_wire(l->mailbox, imapc_utf8(fs->s->c), &name, &err) < 0) {
		fprintf(stderr, "hafen: skipping a folder with a bad name: %s\n", err);
		buf_free(&name);
		return;
	}
	local = sync_local_name(buf_cstr(&name), l->delimiter);
	if (local == NULL || store_mailbox_name_canonical(local, &canon) != STORE_OK) {
		fprintf(stderr, "hafen: skipping folder \"%s\": its name cannot be kept locally\n",
			buf_cstr(&name));
		free(local);
		buf_free(&name);
		return;
	}
	free(local);
	if (scan_find(fs, canon) != NULL) {
		free(canon);
		buf_free(&name);
		return;
	}
	if (fs->count == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 32;
		fs->v = xreallocarray(fs->v, fs->cap, sizeof(*fs->v));
	}
	rf = &fs->v[fs->count++];
	memset(rf, 0, sizeof(*rf));
	rf->local = canon;
	rf->remote = buf_detach(&name, NULL);
	rf->delim = l->delimiter;
	rf->special_use = list_attrs(l, &rf->noselect);
	if (l->delimiter != 0 && !fs->s->delim_known) {
		fs->s->delim = l->delimiter;
		fs->s->delim_known = true;
	}
}

static void add_status(struct folder_scan *fs, const struct imap_resp_status_data *sd)
{
	struct buf name = BUF_INIT;
	const char *err;

	if (imap_mailbox_name_from_wire(sd->mailbox, imapc_utf8(fs->s->c), &name, &err) < 0) {
		buf_free(&name);
		return;
	}
	for (size_t i = 0; i < fs->count; i++) {
		struct remote_folder *rf = &fs->v[i];

		if (strcmp(rf->remote, buf_cstr(&name)) != 0 &&
		    !(imap_mailbox_is_inbox(rf->remote) && imap_mailbox_is_inbox(buf_cstr(&name))))
			continue;
		rf->has_status = true;
		for (size_t k = 0; k < sd->count; k++) {
			const struct imap_status_value *v = &sd->values[k];

			if (v->item == IMAP_STATUS_MESSAGES)
				rf->messages = (uint32_t)v->value;
			else if (v->item == IMAP_STATUS_UNSEEN)
				rf->unseen = (uint32_t)v->value;
			else if (v->item == IMAP_STATUS_UIDNEXT)
				rf->uidnext = (uint32_t)v->value;
			else if (v->item == IMAP_STATUS_UIDVALIDITY)
				rf->uidvalidity = (uint32_t)v->value;
			else if (v->item == IMAP_STATUS_HIGHESTMODSEQ)
				rf->highestmodseq = v->value;
			else if (v->item == IMAP_STATUS_MAILBOXID && v->objectid != NULL)
				rf->mailboxid = xstrdup(v->objectid);
		}
		break;
	}
	buf_free(&name);
}

static void scan_untagged(void *ctx, const struct imap_response *resp)
{
	struct folder_scan *fs = ctx;

	if (resp->kind == IMAP_RESP_LIST)
		add_list(fs, &resp->u.list);
	else if (resp->kind == IMAP_RESP_STATUS_DATA)
		add_status(fs, &resp->u.status_data);
}

static void scan_free(struct folder_scan *fs)
{
	for (size_t i = 0; i < fs->count; i++) {
		free(fs->v[i].local);
		free(fs->v[i].remote);
		free(fs->v[i].mailboxid);
	}
	free(fs->v);
}

static unsigned status_items(struct sync *s)
{
	unsigned items = IMAP_STATUS_MESSAGES | IMAP_STATUS_UNSEEN | IMAP_STATUS_UIDNEXT |
			 IMAP_STATUS_UIDVALIDITY;

	if (imapc_condstore(s->c))
		items |= IMAP_STATUS_HIGHESTMODSEQ;
	if (imapc_has_cap(s->c, "OBJECTID"))
		items |= IMAP_STATUS_MAILBOXID;
	return items;
}

/* LIST "" "*", with RETURN (SPECIAL-USE STATUS (...)) when the server has
 * LIST-EXTENDED, SPECIAL-USE and LIST-STATUS. */
static int scan_list(struct sync *s, struct folder_scan *fs, const char **error_r)
{
	static const char *const all[] = {"*"};
	struct imap_command cmd = {.kind = IMAP_CMD_LIST};
	bool ext = imapc_has_cap(s->c, "LIST-EXTENDED");

	cmd.u.list.reference = "";
	cmd.u.list.patterns.items = all;
	cmd.u.list.patterns.count = 1;
	if (ext && imapc_has_cap(s->c, "SPECIAL-USE")) {
		cmd.u.list.has_return = true;
		cmd.u.list.ret |= IMAP_LIST_RETURN_SPECIAL_USE;
	}
	if (ext && imapc_has_cap(s->c, "LIST-STATUS")) {
		cmd.u.list.has_return = true;
		cmd.u.list.ret |= IMAP_LIST_RETURN_STATUS;
		cmd.u.list.status_items = status_items(s);
	}
	return imapc_run(s->c, &cmd, scan_untagged, fs, NULL, error_r);
}

/* STATUS for folders LIST-STATUS did not cover, pipelined. */
static int scan_status(struct sync *s, struct folder_scan *fs, const char **error_r)
{
	for (size_t i = 0; i < fs->count; i++) {
		struct imap_command cmd = {.kind = IMAP_CMD_STATUS};
		struct buf wire = BUF_INIT;
		const char *err;

		if (fs->v[i].has_status || fs->v[i].noselect)
			continue;
		if (imap_mailbox_name_to_wire(fs->v[i].remote, imapc_utf8(s->c), &wire, &err) ==
		    0) {
			cmd.u.status.mailbox = buf_cstr(&wire);
			cmd.u.status.items = status_items(s);
			imapc_send(s->c, &cmd, scan_untagged, NULL, fs);
		}
		buf_free(&wire);
	}
	return imapc_wait(s->c, error_r);
}

/* ---- applying the scan to the cache ---- */

static struct remote_folder *find_by_mailboxid(struct folder_scan *fs, const char *id)
{
	for (size_t i = 0; i < fs->count; i++)
		if (!fs->v[i].matched && fs->v[i].mailboxid != NULL &&
		    strcmp(fs->v[i].mailboxid, id) == 0)
			return &fs->v[i];
	return NULL;
}

struct local_list {
	struct store_client_folder *v;
	size_t count;
};

static int collect_local(void *ctx, const struct store_client_folder *f)
{
	struct local_list *l = ctx;
	struct store_client_folder *c;

	l->v = xreallocarray(l->v, l->count + 1, sizeof(*l->v));
	c = &l->v[l->count++];
	*c = *f;
	c->name = xstrdup(f->name);
	c->remote_name = f->remote_name ? xstrdup(f->remote_name) : NULL;
	c->mailboxid = f->mailboxid ? xstrdup(f->mailboxid) : NULL;
	return 0;
}

static int write_folder_row(struct sync *s, const char *local, const struct remote_folder *rf)
{
	struct store_client_folder f;
	int ret = store_client_folder_get(s->store, local, &f);

	if (ret != STORE_OK)
		return ret;
	free(f.remote_name);
	f.remote_name = xstrdup(rf->remote);
	f.delimiter = rf->delim;
	if (rf->mailboxid != NULL) {
		free(f.mailboxid);
		f.mailboxid = xstrdup(rf->mailboxid);
	}
	ret = store_client_folder_put(s->store, &f);
	if (ret == STORE_OK && f.special_use != rf->special_use)
		ret = store_mailbox_set_special_use(s->store, local, rf->special_use);
	store_client_folder_clear(&f);
	return ret;
}

static bool local_exists(struct sync *s, const char *name)
{
	struct store_mailbox mb = {0};
	bool yes = store_mailbox_get(s->store, name, &mb) == STORE_OK;

	store_mailbox_clear(&mb);
	return yes;
}

/* A local folder the server no longer lists: renamed (same MAILBOXID),
 * deleted (it was synced before), or not created there yet (kept: its
 * CREATE is still in the journal). */
static int reconcile_local(struct sync *s, struct folder_scan *fs,
			   const struct store_client_folder *lf)
{
	struct remote_folder *rf = scan_find(fs, lf->name);
	int ret = STORE_OK;

	if (rf != NULL && !rf->noselect) {
		rf->matched = true;
		return write_folder_row(s, lf->name, rf);
	}
	if (rf != NULL || strcmp(lf->name, "INBOX") == 0 || lf->remote_name == NULL)
		return STORE_OK;
	rf = lf->mailboxid != NULL ? find_by_mailboxid(fs, lf->mailboxid) : NULL;
	if (rf != NULL && !local_exists(s, rf->local)) {
		ret = store_mailbox_rename(s->store, lf->name, rf->local);
		if (ret == STORE_OK) {
			rf->matched = true;
			s->stats.folders_renamed++;
			return write_folder_row(s, rf->local, rf);
		}
	}
	ret = store_mailbox_delete(s->store, lf->name);
	if (ret == STORE_OK)
		s->stats.folders_gone++;
	/* A parent may already have taken it, or it keeps children. */
	return ret == STORE_ERR_NONEXISTENT || ret == STORE_ERR_HASCHILDREN ? STORE_OK : ret;
}

/* \Noselect folders hold no messages; they exist locally only as the
 * parents the store makes for their children. */
static int create_new(struct sync *s, struct remote_folder *rf)
{
	int ret;

	if (rf->matched || rf->noselect)
		return STORE_OK;
	ret = store_mailbox_create(s->store, rf->local, rf->special_use);
	if (ret == STORE_ERR_EXISTS)
		ret = STORE_OK; /* made as a parent of an earlier one */
	else if (ret == STORE_OK)
		s->stats.folders_new++;
	if (ret == STORE_OK)
		ret = write_folder_row(s, rf->local, rf);
	rf->matched = true;
	return ret;
}

static int apply_scan(struct sync *s, struct folder_scan *fs, const char **error_r)
{
	struct local_list ll = {NULL, 0};
	int ret = store_client_folder_list(s->store, collect_local, &ll);

	for (size_t i = 0; i < ll.count && ret == STORE_OK; i++)
		ret = reconcile_local(s, fs, &ll.v[i]);
	for (size_t i = 0; i < fs->count && ret == STORE_OK; i++)
		ret = create_new(s, &fs->v[i]);
	for (size_t i = 0; i < ll.count; i++)
		store_client_folder_clear(&ll.v[i]);
	free(ll.v);
	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "mirror folders");
		return -1;
	}
	return 0;
}

/* Keep what STATUS said, so sync_folder() can skip a folder in which
 * nothing changed. */
static void keep_hints(struct sync *s, const struct folder_scan *fs)
{
	sync_hints_clear(s);
	s->hints = xcalloc(fs->count ? fs->count : 1, sizeof(*s->hints));
	for (size_t i = 0; i < fs->count; i++) {
		const struct remote_folder *rf = &fs->v[i];
		struct sync_hint *h;

		if (!rf->has_status || rf->noselect)
			continue;
		h = &s->hints[s->hint_count++];
		h->local = xstrdup(rf->local);
		h->messages = rf->messages;
		h->uidnext = rf->uidnext;
		h->uidvalidity = rf->uidvalidity;
		h->highestmodseq = rf->highestmodseq;
	}
}

int sync_folders(struct sync *s, sync_folder_status_cb *cb, void *ctx, const char **error_r)
{
	struct folder_scan fs = {s, NULL, 0, 0};
	int ret = scan_list(s, &fs, error_r);

	if (ret == 0)
		ret = scan_status(s, &fs, error_r);
	if (ret == 0)
		ret = apply_scan(s, &fs, error_r);
	if (ret == 0)
		keep_hints(s, &fs);
	for (size_t i = 0; ret == 0 && cb != NULL && i < fs.count; i++)
		if (!fs.v[i].noselect)
			cb(ctx, fs.v[i].local, fs.v[i].messages, fs.v[i].unseen);
	scan_free(&fs);
	return ret;
}

void sync_hints_clear(struct sync *s)
{
	for (size_t i = 0; i < s->hint_count; i++)
		free(s->hints[i].local);
	xfree(&s->hints);
	s->hint_count = 0;
}

struct sync_hint *sync_hint(struct sync *s, const char *local)
{
	for (size_t i = 0; i < s->hint_count; i++)
		if (strcmp(s->hints[i].local, local) == 0)
			return &s->hints[i];
	return NULL;
}
