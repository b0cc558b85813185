/* sync-replay.c — replaying the offline journal in order: flag changes,
 * moves, expunges and folder operations (appends and sending:
 * sync-replay-append.c).
 *
 * Every entry must be safe to replay twice, because a crash can come
 * after the server acted and before the entry was removed:
 *   FLAGS    +FLAGS / -FLAGS are idempotent;
 *   MOVE     a second UID MOVE of a UID that is gone does nothing; the
 *            destination UID is then found by Message-ID;
 *   EXPUNGE  \Deleted and UID EXPUNGE of a gone UID do nothing;
 *   CREATE / DELETE / RENAME  "already exists" / "does not exist" count as
 *            done when the server is already in the wanted state. */
#include "sync-private.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

static enum sync_replay_result run_cmd(struct sync *s, const struct imap_command *cmd,
				       imapc_untagged_cb *cb, void *ctx,
				       enum imap_code_kind *code_r, const char **error_r)
{
	enum imap_code_kind code = IMAP_CODE_NONE;

	if (imapc_run(s->c, cmd, cb, ctx, &code, error_r) == 0)
		return SYNC_REPLAY_DONE;
	if (code_r != NULL)
		*code_r = code;
	return imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
}

static void exists_untagged(void *ctx, const struct imap_response *resp)
{
	if (resp->kind == IMAP_RESP_LIST && !resp->u.list.has_ext)
		*(bool *)ctx = true;
}

/* Is the folder still on the server? (A failed SELECT alone does not say.) */
static enum sync_replay_result folder_gone(struct sync *s, const char *name, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_LIST};
	struct buf wire = BUF_INIT;
	const char *patterns[1], *err;
	bool exists = false;
	int ret = sync_wire_name(s, name, &wire, &err);

	patterns[0] = buf_cstr(&wire);
	cmd.u.list.reference = "";
	cmd.u.list.patterns.items = patterns;
	cmd.u.list.patterns.count = 1;
	if (ret == 0)
		ret = imapc_run(s->c, &cmd, exists_untagged, &exists, NULL, &err);
	buf_free(&wire);
	if (ret < 0)
		return imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
	if (exists)
		return SYNC_REPLAY_FAILED;
	*error_r = sync_error(s, "folder %s no longer exists on the server", name);
	return SYNC_REPLAY_DROPPED;
}

enum sync_replay_result sync_replay_select(struct sync *s, const char *name, uint32_t uidvalidity,
					   const char **error_r)
{
	struct store_client_folder f = {0};
	bool local = store_client_folder_get(s->store, name, &f) == STORE_OK;
	enum sync_replay_result r = SYNC_REPLAY_DONE;
	uint32_t now;

	if (!local)
		f.name = xstrdup(name);
	if (!local || s->selected_id != f.mailbox_id) {
		if (sync_select(s, &f, false, NULL, NULL, error_r) < 0)
			r = imapc_is_connected(s->c) ? folder_gone(s, name, error_r)
						     : SYNC_REPLAY_LOST;
		if (!local)
			s->selected_id = 0;
	}
	now = imapc_mailbox(s->c)->uidvalidity;
	if (r == SYNC_REPLAY_DONE && uidvalidity != 0 && now != uidvalidity) {
		/* The journal names UIDs of the old UIDVALIDITY: re-match the
		 * folder (which re-keys or drops the entries), then read the
		 * entry again. */
		if (local && f.uidvalidity == uidvalidity) {
			r = sync_rematch(s, &f, now, error_r) == 0 ? SYNC_REPLAY_AGAIN
								   : SYNC_REPLAY_LOST;
			s->stats.uidvalidity_resets++;
		} else {
			*error_r = sync_error(s, "folder %s was re-created on the server", name);
			r = SYNC_REPLAY_FAILED;
		}
	}
	store_client_folder_clear(&f);
	return r;
}

/* The flags of an entry as a FLAGS list: system flags and keywords. */
static void flag_list(unsigned flags, const char *kw, struct arena *a, struct imap_strlist *l)
{
	static const char *const names[] = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted",
					    "\\Draft"};
	const char **items = arena_alloc(a, (5 + (kw ? strlen(kw) : 0) + 1) * sizeof(*items));
	size_t n = 0;

	for (unsigned i = 0; i < 5; i++)
		if (flags & (1u << i))
			items[n++] = names[i];
	if (kw != NULL && kw[0] != '\0') {
		char *copy = arena_strdup(a, kw);

		for (char *t = strtok(copy, " "); t != NULL; t = strtok(NULL, " "))
			items[n++] = t;
	}
	l->items = items;
	l->count = n;
}

static enum sync_replay_result uid_store(struct sync *s, uint32_t uid, enum imap_store_mode mode,
					 unsigned flags, const char *kw, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_STORE, .uid = true};
	struct imap_seq_range one = {uid, uid};
	struct arena *a = arena_new(0);
	enum sync_replay_result r;

	cmd.u.store.set.ranges = &one;
	cmd.u.store.set.count = 1;
	cmd.u.store.mode = mode;
	cmd.u.store.silent = true;
	cmd.u.store.flags_list = true;
	flag_list(flags, kw, a, &cmd.u.store.flags);
	r = cmd.u.store.flags.count == 0 ? SYNC_REPLAY_DONE
					 : run_cmd(s, &cmd, NULL, NULL, NULL, error_r);
	arena_free(&a);
	return r;
}

static enum sync_replay_result replay_flags(struct sync *s, const struct store_journal_entry *e,
					    const char **error_r)
{
	enum sync_replay_result r = sync_replay_select(s, e->mailbox, e->uidvalidity, error_r);

	if (r != SYNC_REPLAY_DONE)
		return r;
	if (e->uid >= STORE_CLIENT_PLACEHOLDER_MIN) {
		*error_r = sync_error(s, "the message is not on the server (yet)");
		return SYNC_REPLAY_FAILED;
	}
	r = uid_store(s, e->uid, IMAP_STORE_ADD, e->flags_add, e->kw_add, error_r);
	if (r == SYNC_REPLAY_DONE)
		r = uid_store(s, e->uid, IMAP_STORE_REMOVE, e->flags_remove, e->kw_remove, error_r);
	return r;
}

static enum sync_replay_result uid_expunge(struct sync *s, uint32_t uid, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_EXPUNGE};
	struct imap_seq_range one = {uid, uid};
	enum sync_replay_result r =
		uid_store(s, uid, IMAP_STORE_ADD, STORE_FLAG_DELETED, NULL, error_r);

	if (r != SYNC_REPLAY_DONE)
		return r;
	/* Without UIDPLUS, EXPUNGE removes every \Deleted message of the
	 * folder, which is what \Deleted asks for anyway (RFC 9051 6.4.3). */
	if (imapc_has_cap(s->c, "UIDPLUS")) {
		cmd.uid = true;
		cmd.u.expunge.set.ranges = &one;
		cmd.u.expunge.set.count = 1;
	}
	return run_cmd(s, &cmd, NULL, NULL, NULL, error_r);
}

static enum sync_replay_result replay_expunge(struct sync *s, const struct store_journal_entry *e,
					      const char **error_r)
{
	enum sync_replay_result r;

	/* Never on the server: nothing to remove there. */
	if (e->uid >= STORE_CLIENT_PLACEHOLDER_MIN)
		return SYNC_REPLAY_DONE;
	r = sync_replay_select(s, e->mailbox, e->uidvalidity, error_r);
	return r == SYNC_REPLAY_DONE ? uid_expunge(s, e->uid, error_r) : r;
}

/* ---- MOVE ---- */

struct copyuid {
	uint32_t uidvalidity;
	uint32_t dst;
	uint32_t src;
};

static void take_copyuid(struct copyuid *cu, const struct imap_resp_code *code)
{
	struct rangeset src = RANGESET_INIT, dst = RANGESET_INIT;
	struct rangeset_iter is, id;
	uint32_t a, b;

	if (code->kind != IMAP_CODE_COPYUID)
		return;
	imap_seqset_to_rangeset(&code->u.copyuid.src, &src);
	imap_seqset_to_rangeset(&code->u.copyuid.dst, &dst);
	/* Pairs by position (RFC 4315 section 3); one source UID here. */
	is = rangeset_iter(&src);
	id = rangeset_iter(&dst);
	while (rangeset_next(&src, &is, &a) && rangeset_next(&dst, &id, &b)) {
		if (a == cu->src) {
			cu->dst = b;
			cu->uidvalidity = code->u.copyuid.uidvalidity;
		}
	}
	rangeset_free(&src);
	rangeset_free(&dst);
}

/* RFC 6851 4.3: MOVE reports COPYUID in an untagged OK before its
 * expunges; COPY in its tagged OK. */
static void move_untagged(void *ctx, const struct imap_response *resp)
{
	if (resp->kind == IMAP_RESP_STATUS)
		take_copyuid(ctx, &resp->u.status.code);
}

static enum sync_replay_result move_on_server(struct sync *s, const struct store_journal_entry *e,
					      struct copyuid *cu, const char **error_r)
{
	struct imap_command cmd = {.uid = true};
	struct imap_seq_range one = {e->uid, e->uid};
	enum imap_code_kind code = IMAP_CODE_NONE;
	struct buf wire = BUF_INIT;
	enum sync_replay_result r;

	if (sync_wire_name(s, e->target, &wire, error_r) < 0)
		return imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
	cmd.kind = imapc_has_cap(s->c, "MOVE") ? IMAP_CMD_MOVE : IMAP_CMD_COPY;
	cmd.u.copy.set.ranges = &one;
	cmd.u.copy.set.count = 1;
	cmd.u.copy.mailbox = buf_cstr(&wire);
	r = run_cmd(s, &cmd, move_untagged, cu, &code, error_r);
	/* RFC 9051 6.4.7: TRYCREATE — the destination is not there (deleted
	 * or renamed on the server meanwhile). The message stays where it is. */
	if (r == SYNC_REPLAY_FAILED && code == IMAP_CODE_TRYCREATE)
		r = SYNC_REPLAY_DROPPED;
	if (r == SYNC_REPLAY_DONE && imapc_last_tagged(s->c) != NULL)
		take_copyuid(cu, &imapc_last_tagged(s->c)->u.status.code);
	if (r == SYNC_REPLAY_DONE && cmd.kind == IMAP_CMD_COPY)
		r = uid_expunge(s, e->uid, error_r);
	buf_free(&wire);
	return r;
}

static int local_folder_id(struct sync *s, const char *name, int64_t *id_r)
{
	struct store_mailbox mb = {0};
	int ret = store_mailbox_get(s->store, name, &mb);

	*id_r = ret == STORE_OK ? mb.id : 0;
	store_mailbox_clear(&mb);
	return ret;
}

/* Without COPYUID the moved message is found by its Message-ID in the
 * destination (also after a crash between the MOVE and the journal). */
static enum sync_replay_result find_moved(struct sync *s, const struct store_journal_entry *e,
					  struct copyuid *cu, const char **error_r)
{
	struct buf msgid = BUF_INIT;
	enum sync_replay_result r;

	if (sync_cached_msgid(s, e->cid, &msgid) < 0 || msgid.len == 0) {
		buf_free(&msgid);
		return SYNC_REPLAY_DONE;
	}
	r = sync_replay_select(s, e->target, 0, error_r);
	if (r == SYNC_REPLAY_DONE && sync_find_msgid(s, buf_cstr(&msgid), &cu->dst) < 0)
		r = imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
	cu->uidvalidity = imapc_mailbox(s->c)->uidvalidity;
	buf_free(&msgid);
	return r;
}

/* Later moves of the same local copy, which can no longer happen either. */
static int later_moves(struct sync *s, uint32_t placeholder, struct store_journal_entry **v_r,
		       size_t *n_r, struct arena *a)
{
	struct store_journal_entry e;
	int64_t after = 0;
	int r;

	*v_r = NULL;
	*n_r = 0;
	while ((r = store_client_journal_next(s->store, after, a, &e)) == 1) {
		after = e.id;
		if (e.kind != STORE_JOURNAL_MOVE || e.uid != placeholder)
			continue;
		*v_r = xreallocarray(*v_r, *n_r + 1, sizeof(**v_r));
		(*v_r)[(*n_r)++] = e;
	}
	return r;
}

/* The move did not happen on the server: the copy the cache shows in the
 * destination goes, and so does every later entry that names it (moving
 * it on again drops those copies too). The message itself is still in
 * its source on the server; the next pull of that folder brings it back. */
static enum sync_replay_result drop_placeholder(struct sync *s, const struct store_journal_entry *e,
						const char **error_r)
{
	struct arena *a = arena_new(0);
	struct store_journal_entry *later;
	enum sync_replay_result r = SYNC_REPLAY_DROPPED;
	int64_t dest_id;
	size_t n = 0, dropped = 0;

	if (local_folder_id(s, e->target, &dest_id) == STORE_OK)
		(void)store_client_local_expunge(s->store, dest_id, e->target_uid, false);
	if (e->target_uid < STORE_CLIENT_PLACEHOLDER_MIN) {
		arena_free(&a);
		return r;
	}
	if (later_moves(s, e->target_uid, &later, &n, a) < 0)
		r = SYNC_REPLAY_LOST;
	/* A chain of moves ends: each copy is a fresh placeholder. */
	for (size_t i = 0; i < n && r != SYNC_REPLAY_LOST; i++)
		if (later[i].target_uid != e->target_uid)
			r = drop_placeholder(s, &later[i], error_r);
	free(later);
	arena_free(&a);
	if (r != SYNC_REPLAY_LOST &&
	    store_client_journal_drop_uid(s->store, e->target_uid, &dropped) != STORE_OK)
		r = SYNC_REPLAY_LOST;
	if (r == SYNC_REPLAY_LOST) {
		*error_r = sync_store_error(s, -1, "drop journal entries");
		return r;
	}
	s->stats.dropped += (unsigned)dropped;
	return SYNC_REPLAY_DROPPED;
}

static enum sync_replay_result replay_move(struct sync *s, const struct store_journal_entry *e,
					   const char **error_r)
{
	struct copyuid cu = {0, 0, e->uid};
	enum sync_replay_result r;
	int64_t dest_id;
	int ret;

	if (e->uid >= STORE_CLIENT_PLACEHOLDER_MIN) {
		*error_r = sync_error(s, "the message is not on the server (yet)");
		return SYNC_REPLAY_FAILED;
	}
	r = sync_replay_select(s, e->mailbox, e->uidvalidity, error_r);
	if (r == SYNC_REPLAY_DONE)
		r = move_on_server(s, e, &cu, error_r);
	if (r == SYNC_REPLAY_DONE && cu.dst == 0)
		r = find_moved(s, e, &cu, error_r);
	if (r == SYNC_REPLAY_DROPPED)
		return drop_placeholder(s, e, error_r);
	if (r != SYNC_REPLAY_DONE || local_folder_id(s, e->target, &dest_id) != STORE_OK)
		return r;
	if (cu.dst == 0) /* gone on the server meanwhile */
		return drop_placeholder(s, e, error_r) == SYNC_REPLAY_LOST ? SYNC_REPLAY_LOST
									   : SYNC_REPLAY_DONE;
	ret = store_client_confirm(s->store, dest_id, e->target_uid, cu.dst, cu.uidvalidity, 0,
				   false);
	if (ret != STORE_OK && ret != STORE_ERR_NONEXISTENT) {
		*error_r = sync_store_error(s, ret, "record the moved message");
		return SYNC_REPLAY_LOST;
	}
	return SYNC_REPLAY_DONE;
}

/* ---- folders ---- */

static void remember_remote(struct sync *s, const char *local)
{
	struct store_client_folder f;
	char delim;
	const char *err;

	if (store_client_folder_get(s->store, local, &f) != STORE_OK)
		return;
	if (sync_delimiter(s, &delim, &err) == 0) {
		free(f.remote_name);
		f.remote_name = sync_remote_name(local, delim);
		f.delimiter = delim;
		if (f.remote_name != NULL)
			(void)store_client_folder_put(s->store, &f);
	}
	store_client_folder_clear(&f);
}

static enum sync_replay_result replay_folder(struct sync *s, const struct store_journal_entry *e,
					     const char **error_r)
{
	struct imap_command cmd = {0};
	struct buf from = BUF_INIT, to = BUF_INIT;
	enum imap_code_kind code = IMAP_CODE_NONE;
	enum sync_replay_result r = SYNC_REPLAY_FAILED;

	if (sync_wire_name(s, e->mailbox, &from, error_r) < 0 ||
	    (e->kind == STORE_JOURNAL_RENAME && sync_wire_name(s, e->target, &to, error_r) < 0))
		goto out;
	cmd.kind = e->kind == STORE_JOURNAL_CREATE   ? IMAP_CMD_CREATE
		   : e->kind == STORE_JOURNAL_DELETE ? IMAP_CMD_DELETE
						     : IMAP_CMD_RENAME;
	if (cmd.kind == IMAP_CMD_CREATE)
		cmd.u.create.mailbox = buf_cstr(&from);
	else if (cmd.kind == IMAP_CMD_DELETE)
		cmd.u.mailbox.mailbox = buf_cstr(&from);
	else {
		cmd.u.rename.from = buf_cstr(&from);
		cmd.u.rename.to = buf_cstr(&to);
	}
	if (e->kind == STORE_JOURNAL_DELETE && s->selected_id != 0) {
		/* Some servers refuse to delete the selected folder. */
		struct imap_command unselect = {.kind = imapc_has_cap(s->c, "UNSELECT")
								? IMAP_CMD_UNSELECT
								: IMAP_CMD_CLOSE};

		(void)run_cmd(s, &unselect, NULL, NULL, NULL, error_r);
		s->selected_id = 0;
	}
	r = run_cmd(s, &cmd, NULL, NULL, &code, error_r);
	/* Already in the wanted state (a replay after a crash). */
	if (r == SYNC_REPLAY_FAILED &&
	    ((cmd.kind == IMAP_CMD_CREATE && code == IMAP_CODE_ALREADYEXISTS) ||
	     (cmd.kind == IMAP_CMD_DELETE && code == IMAP_CODE_NONEXISTENT) ||
	     (cmd.kind == IMAP_CMD_RENAME && code == IMAP_CODE_NONEXISTENT && e->attempted)))
		r = SYNC_REPLAY_DONE;
	if (r == SYNC_REPLAY_DONE && e->kind != STORE_JOURNAL_DELETE)
		remember_remote(s, e->kind == STORE_JOURNAL_CREATE ? e->mailbox : e->target);
	if (r == SYNC_REPLAY_DONE && e->kind == STORE_JOURNAL_RENAME)
		s->selected_id = 0;
out:
	buf_free(&from);
	buf_free(&to);
	if (r == SYNC_REPLAY_FAILED && !imapc_is_connected(s->c))
		r = SYNC_REPLAY_LOST;
	return r;
}

static enum sync_replay_result replay_one(struct sync *s, const struct store_journal_entry *e,
					  const char **error_r)
{
	switch (e->kind) {
	case STORE_JOURNAL_FLAGS:
		return replay_flags(s, e, error_r);
	case STORE_JOURNAL_MOVE:
		return replay_move(s, e, error_r);
	case STORE_JOURNAL_EXPUNGE:
		return replay_expunge(s, e, error_r);
	case STORE_JOURNAL_CREATE:
	case STORE_JOURNAL_DELETE:
	case STORE_JOURNAL_RENAME:
		return replay_folder(s, e, error_r);
	case STORE_JOURNAL_APPEND:
		return sync_replay_append(s, e, error_r);
	case STORE_JOURNAL_SEND:
		return sync_replay_send(s, e, error_r);
	}
	*error_r = sync_error(s, "unknown journal entry kind %d", (int)e->kind);
	return SYNC_REPLAY_FAILED;
}

/* Entries that cannot be undone if repeated are marked before they are
 * sent (store-client-journal.c), so a replay after a crash checks first. */
static bool needs_mark(const struct store_journal_entry *e)
{
	return e->kind == STORE_JOURNAL_APPEND || e->kind == STORE_JOURNAL_SEND ||
	       e->kind == STORE_JOURNAL_RENAME;
}

/* A dropped entry leaves the cache unlike the server in ways the changes
 * since the last sync do not show (a moved copy undone): the folders it
 * named get a full comparison at their next pull. */
static void force_full_compare(struct sync *s, const char *name)
{
	struct store_client_folder f;

	if (name == NULL || store_client_folder_get(s->store, name, &f) != STORE_OK)
		return;
	f.highestmodseq = 0;
	xfree(&f.remote_name);
	(void)store_client_folder_put(s->store, &f);
	store_client_folder_clear(&f);
}

static int finish_entry(struct sync *s, const struct store_journal_entry *e,
			enum sync_replay_result r, const char *err, const char **error_r)
{
	int ret = STORE_OK;

	if (r == SYNC_REPLAY_DONE) {
		ret = store_client_journal_done(s->store, e->id);
		s->stats.replayed++;
	} else if (r == SYNC_REPLAY_DROPPED) {
		force_full_compare(s, e->mailbox);
		force_full_compare(s, e->target);
		ret = store_client_journal_done(s->store, e->id);
		s->stats.dropped++;
		fprintf(stderr, "hafen: dropped from the journal: %s %s: %s\n",
			store_journal_kind_name(e->kind), e->mailbox, err);
	} else if (r == SYNC_REPLAY_FAILED) {
		ret = store_client_journal_failed(s->store, e->id, err);
		s->stats.replay_failed++;
		fprintf(stderr, "hafen: kept in the journal: %s %s: %s\n",
			store_journal_kind_name(e->kind), e->mailbox, err);
	}
	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "update the journal");
		return -1;
	}
	return 0;
}

int sync_replay(struct sync *s, const char **error_r)
{
	struct arena *a = arena_new(0);
	int64_t after = 0, again_id = 0;
	int ret = 0;

	while (ret == 0) {
		struct store_journal_entry e;
		enum sync_replay_result r;
		const char *err = "";
		int found;

		arena_clear(a);
		found = store_client_journal_next(s->store, after, a, &e);
		if (found <= 0) {
			if (found < 0) {
				*error_r = sync_store_error(s, found, "read the journal");
				ret = -1;
			}
			break;
		}
		if (needs_mark(&e) && store_client_journal_attempt(s->store, e.id) != STORE_OK) {
			*error_r = sync_store_error(s, -1, "mark a journal entry");
			ret = -1;
			break;
		}
		r = replay_one(s, &e, &err);
		if (r == SYNC_REPLAY_LOST) {
			*error_r = err;
			ret = -1;
		} else if (r == SYNC_REPLAY_AGAIN && again_id != e.id) {
			again_id = e.id; /* re-keyed: read it again, once */
			after = e.id - 1;
		} else {
			if (r == SYNC_REPLAY_AGAIN)
				r = SYNC_REPLAY_FAILED;
			ret = finish_entry(s, &e, r, err, error_r);
			after = e.id;
		}
	}
	arena_free(&a);
	return ret;
}
