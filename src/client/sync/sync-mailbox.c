/* sync-mailbox.c — pulling one folder's changes into the cache.
 *
 * Which path a folder takes (RFC 7162 names the first two):
 *   QRESYNC    SELECT (QRESYNC (uidvalidity modseq known-uids)) brings
 *              VANISHED (EARLIER) and FETCH FLAGS of what changed;
 *   CONDSTORE  UID FETCH 1:* (FLAGS) (CHANGEDSINCE m), and a UID SEARCH
 *              ALL only when the counts say something was expunged;
 *   plain      UID FETCH 1:* (FLAGS): every UID and its flags compared;
 *   empty      nothing cached: the headers of 1:* straight away.
 * In every path new messages are (UIDs seen, plus old UIDNEXT up to the
 * new one) minus what is cached, so an interrupted run picks up exactly
 * what it missed. The folder's state is written last. */
#include "sync-private.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* What the untagged responses of a QRESYNC SELECT bring. The FETCHes
 * are merged in batches (one transaction each, not one per message). */
struct select_collect {
	struct sync *s;
	int64_t mailbox_id;
	struct rangeset vanished;
	struct rangeset seen;
	const char *error;
	struct sync_fetched *batch;
	size_t n, cap;
};

static void select_flush(struct select_collect *sc)
{
	if (sc->n > 0 && sc->error == NULL)
		(void)sync_merge(sc->s, sc->mailbox_id, sc->batch, sc->n, &sc->error);
	for (size_t i = 0; i < sc->n; i++)
		sync_fetched_clear(&sc->batch[i]);
	sc->n = 0;
}

static void select_untagged(void *ctx, const struct imap_response *resp)
{
	struct select_collect *sc = ctx;
	struct sync_fetched f;

	if (resp->kind == IMAP_RESP_VANISHED) {
		imap_seqset_to_rangeset(&resp->u.vanished.uids, &sc->vanished);
		rangeset_clip(&sc->vanished, STORE_CLIENT_PLACEHOLDER_MIN - 1);
	} else if (resp->kind == IMAP_RESP_FETCH && sync_fetched_read(&resp->u.fetch, &f)) {
		rangeset_add(&sc->seen, f.uid);
		if (sc->n == sc->cap) {
			sc->cap = sc->cap ? sc->cap * 2 : 64;
			sc->batch = xreallocarray(sc->batch, sc->cap, sizeof(*sc->batch));
		}
		sc->batch[sc->n++] = f;
		if (sc->n >= SYNC_FETCH_CHUNK)
			select_flush(sc);
	}
}

/* UID SEARCH ALL (ESEARCH when offered: one compact set). */
static void search_untagged(void *ctx, const struct imap_response *resp)
{
	struct rangeset *uids = ctx;

	if (resp->kind == IMAP_RESP_SEARCH) {
		for (size_t i = 0; i < resp->u.search.count; i++)
			rangeset_add(uids, resp->u.search.numbers[i]);
	} else if (resp->kind == IMAP_RESP_ESEARCH && resp->u.esearch.has_all) {
		imap_seqset_to_rangeset(&resp->u.esearch.all, uids);
	}
}

static int uid_search_all(struct sync *s, struct rangeset *uids, const char **error_r)
{
	struct imap_search_key all = {.kind = IMAP_SEARCH_ALL};
	struct imap_command cmd = {.kind = IMAP_CMD_SEARCH, .uid = true};

	cmd.u.search.opts.keys = &all;
	cmd.u.search.opts.key_count = 1;
	if (imapc_has_cap(s->c, "ESEARCH")) {
		cmd.u.search.opts.has_return = true;
		cmd.u.search.opts.ret = IMAP_SEARCH_RETURN_ALL;
	}
	if (imapc_run(s->c, &cmd, search_untagged, uids, NULL, error_r) < 0)
		return -1;
	rangeset_clip(uids, STORE_CLIENT_PLACEHOLDER_MIN - 1);
	return 0;
}

int sync_search(struct sync *s, const char *name, const struct imap_search_key *keys,
		size_t key_count, struct rangeset *uids_r, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_SEARCH, .uid = true};
	struct store_client_folder f;
	int ret = store_client_folder_get(s->store, name, &f);

	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "find folder");
		return -1;
	}
	cmd.u.search.opts.keys = (struct imap_search_key *)keys;
	cmd.u.search.opts.key_count = key_count;
	cmd.u.search.opts.charset = "UTF-8";
	if (imapc_has_cap(s->c, "ESEARCH")) {
		cmd.u.search.opts.has_return = true;
		cmd.u.search.opts.ret = IMAP_SEARCH_RETURN_ALL;
	}
	ret = s->selected_id == f.mailbox_id ? 0 : sync_select(s, &f, false, NULL, NULL, error_r);
	if (ret == 0)
		ret = imapc_run(s->c, &cmd, search_untagged, uids_r, NULL, error_r);
	store_client_folder_clear(&f);
	return ret;
}

/* STATUS said nothing changed since the last sync. A hint describes the
 * server as the folder list was read, so it is good for one sync of the
 * folder only. */
static bool unchanged(struct sync *s, const struct store_client_folder *f, uint64_t cached)
{
	struct sync_hint *h = sync_hint(s, f->name);
	bool fresh = h != NULL && !h->used;

	if (h != NULL)
		h->used = true;
	/* Only CONDSTORE's HIGHESTMODSEQ vouches for unchanged flags. */
	return fresh && imapc_condstore(s->c) && f->uidvalidity != 0 &&
	       h->uidvalidity == f->uidvalidity && h->uidnext == f->uidnext &&
	       h->highestmodseq != 0 && h->highestmodseq == f->highestmodseq &&
	       h->messages == cached;
}

static int64_t bodies_since(const struct sync *s)
{
	if (s->opt.no_bodies || s->acct == NULL || s->acct->bodies == ACCOUNT_BODIES_NONE)
		return -1;
	if (s->acct->bodies == ACCOUNT_BODIES_ALL)
		return 0;
	return (int64_t)time(NULL) - (int64_t)s->acct->bodies_days * 86400;
}

static int fetch_policy_bodies(struct sync *s, int64_t mailbox_id, const char **error_r)
{
	struct rangeset stubs = RANGESET_INIT;
	int64_t since = bodies_since(s);
	int ret = 0;

	if (since < 0)
		return 0;
	if (store_client_stubs(s->store, mailbox_id, since, &stubs) != STORE_OK) {
		*error_r = sync_store_error(s, -1, "list messages without bodies");
		ret = -1;
	} else if (!rangeset_is_empty(&stubs)) {
		ret = sync_fetch_bodies(s, mailbox_id, &stubs, error_r);
	}
	rangeset_free(&stubs);
	return ret;
}

struct pull {
	struct rangeset cached, remote, vanished, fresh;
	bool remote_known; /* remote holds every UID the server has */
};

static void pull_free(struct pull *p)
{
	rangeset_free(&p->cached);
	rangeset_free(&p->remote);
	rangeset_free(&p->vanished);
	rangeset_free(&p->fresh);
}

/* CONDSTORE: changed flags since the last sync; a full UID list only when
 * the message count does not add up. */
static int pull_condstore(struct sync *s, const struct store_client_folder *f, struct pull *p,
			  const char **error_r)
{
	const struct imapc_mailbox_state *st = imapc_mailbox(s->c);
	struct rangeset all = RANGESET_INIT;
	int ret = 0;

	rangeset_add_range(&all, 1, RANGESET_STAR);
	if (st->highestmodseq != f->highestmodseq && st->exists > 0)
		ret = sync_fetch_flags(s, f->mailbox_id, &all, f->highestmodseq, &p->remote,
				       error_r);
	rangeset_free(&all);
	if (ret < 0)
		return -1;
	rangeset_copy(&p->fresh, &p->remote);
	rangeset_subtract(&p->fresh, &p->cached);
	if (rangeset_count(&p->cached) + rangeset_count(&p->fresh) != st->exists) {
		rangeset_clear(&p->remote);
		if (st->exists > 0 && uid_search_all(s, &p->remote, error_r) < 0)
			return -1;
		p->remote_known = true;
	}
	return 0;
}

static int pull_plain(struct sync *s, const struct store_client_folder *f, struct pull *p,
		      const char **error_r)
{
	struct rangeset all = RANGESET_INIT;
	int ret = 0;

	rangeset_add_range(&all, 1, RANGESET_STAR);
	if (imapc_mailbox(s->c)->exists > 0)
		ret = sync_fetch_flags(s, f->mailbox_id, &all, 0, &p->remote, error_r);
	rangeset_free(&all);
	p->remote_known = true;
	return ret;
}

/* Expunged = cached but not on the server (known only when the whole
 * UID list was read); new = seen on the server, or in the gap between the
 * old and the new UIDNEXT, and not cached. UIDs in the gap that do not
 * exist cost nothing: UID FETCH skips them. */
static void pull_finish(const struct store_client_folder *f, uint32_t uidnext, struct pull *p)
{
	if (p->remote_known) {
		rangeset_copy(&p->vanished, &p->cached);
		rangeset_subtract(&p->vanished, &p->remote);
	} else if (f->uidnext > 0 && uidnext > f->uidnext) {
		uint32_t hi = uidnext - 1;

		if (hi >= STORE_CLIENT_PLACEHOLDER_MIN)
			hi = STORE_CLIENT_PLACEHOLDER_MIN - 1;
		if (hi >= f->uidnext)
			rangeset_add_range(&p->fresh, f->uidnext, hi);
	}
	rangeset_add_set(&p->fresh, &p->remote);
	rangeset_subtract(&p->fresh, &p->cached);
}

/* After SELECT: adopt or check UIDVALIDITY. A change re-matches the
 * cache (sync-rematch.c) and the folder continues as a plain pull. */
static int check_uidvalidity(struct sync *s, struct store_client_folder *f, struct pull *p,
			     bool *qresync, const char **error_r)
{
	uint32_t uv = imapc_mailbox(s->c)->uidvalidity;
	int ret = STORE_OK;

	if (uv == 0) {
		*error_r = sync_error(s, "folder %s: the server sent no UIDVALIDITY", f->name);
		return -1;
	}
	if (f->uidvalidity == uv)
		return 0;
	*qresync = false;
	if (f->uidvalidity == 0) {
		ret = store_client_reset(s->store, f->mailbox_id, uv, NULL, NULL, 0, NULL);
		if (ret != STORE_OK) {
			*error_r = sync_store_error(s, ret, "adopt UIDVALIDITY");
			return -1;
		}
	} else {
		if (sync_rematch(s, f, uv, error_r) < 0)
			return -1;
		s->stats.uidvalidity_resets++;
	}
	/* The folder's sync state starts over under the new UIDVALIDITY. */
	f->uidvalidity = uv;
	f->uidnext = 0;
	f->highestmodseq = 0;
	rangeset_clear(&p->cached);
	ret = store_client_uids(s->store, f->mailbox_id, &p->cached);
	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "list cached messages");
		return -1;
	}
	return 0;
}

static int pull(struct sync *s, struct store_client_folder *f, struct select_collect *sc,
		bool qresync, struct pull *p, const char **error_r)
{
	const struct imapc_mailbox_state *st = imapc_mailbox(s->c);
	int ret = 0;

	if (qresync) {
		rangeset_add_set(&p->remote, &sc->seen);
		rangeset_copy(&p->vanished, &sc->vanished);
	} else if (rangeset_is_empty(&p->cached)) {
		if (st->exists > 0)
			rangeset_add_range(&p->fresh, 1, RANGESET_STAR);
		return 0;
	} else if (imapc_condstore(s->c) && f->highestmodseq != 0 && st->highestmodseq != 0) {
		ret = pull_condstore(s, f, p, error_r);
	} else {
		ret = pull_plain(s, f, p, error_r);
	}
	if (ret == 0)
		pull_finish(f, st->uidnext, p);
	return ret;
}

static int save_state(struct sync *s, struct store_client_folder *f, const struct pull *p,
		      const char **error_r)
{
	const struct imapc_mailbox_state *st = imapc_mailbox(s->c);
	int ret;

	f->uidvalidity = st->uidvalidity;
	f->uidnext = st->uidnext;
	f->highestmodseq = imapc_condstore(s->c) ? st->highestmodseq : 0;
	f->synced_at = (int64_t)time(NULL);
	if (st->mailboxid[0] != '\0') {
		free(f->mailboxid);
		f->mailboxid = xstrdup(st->mailboxid);
	}
	xfree(&f->remote_name); /* keep the stored one */
	ret = store_client_folder_put(s->store, f);
	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "save folder state");
		return -1;
	}
	(void)p;
	return 0;
}

static int apply_pull(struct sync *s, struct store_client_folder *f, struct pull *p,
		      const char **error_r)
{
	int ret;

	rangeset_subtract(&p->vanished, &p->fresh);
	if (!rangeset_is_empty(&p->vanished)) {
		ret = store_client_remove(s->store, f->mailbox_id, &p->vanished);
		if (ret != STORE_OK) {
			*error_r = sync_store_error(s, ret, "forget expunged messages");
			return -1;
		}
		s->stats.expunged += rangeset_count(&p->vanished);
	}
	if (!rangeset_is_empty(&p->fresh) &&
	    sync_fetch_headers(s, f->mailbox_id, &p->fresh, error_r) < 0)
		return -1;
	if (fetch_policy_bodies(s, f->mailbox_id, error_r) < 0)
		return -1;
	return save_state(s, f, p, error_r);
}

static bool stubs_wanted(struct sync *s, int64_t mailbox_id)
{
	struct rangeset stubs = RANGESET_INIT;
	int64_t since = bodies_since(s);
	bool yes;

	if (since < 0)
		return false;
	yes = store_client_stubs(s->store, mailbox_id, since, &stubs) != STORE_OK ||
	      !rangeset_is_empty(&stubs);
	rangeset_free(&stubs);
	return yes;
}

static int sync_folder_state(struct sync *s, struct store_client_folder *f, const char **error_r)
{
	struct select_collect sc = {s, f->mailbox_id, RANGESET_INIT, RANGESET_INIT, NULL, NULL, 0,
				    0};
	struct pull p = {RANGESET_INIT, RANGESET_INIT, RANGESET_INIT, RANGESET_INIT, false};
	bool qresync = imapc_qresync(s->c) && f->uidvalidity != 0 && f->highestmodseq != 0;
	int ret = store_client_uids(s->store, f->mailbox_id, &p.cached);

	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "list cached messages");
		return -1;
	}
	if (unchanged(s, f, rangeset_count(&p.cached)) && !stubs_wanted(s, f->mailbox_id)) {
		pull_free(&p);
		return 0;
	}
	ret = sync_select(s, f, qresync, select_untagged, &sc, error_r);
	select_flush(&sc);
	free(sc.batch);
	if (ret == 0)
		ret = check_uidvalidity(s, f, &p, &qresync, error_r);
	if (ret == 0 && sc.error != NULL) {
		*error_r = sc.error;
		ret = -1;
	}
	if (ret == 0)
		ret = pull(s, f, &sc, qresync, &p, error_r);
	if (ret == 0)
		ret = apply_pull(s, f, &p, error_r);
	rangeset_free(&sc.vanished);
	rangeset_free(&sc.seen);
	pull_free(&p);
	return ret;
}

int sync_folder(struct sync *s, const char *name, const char **error_r)
{
	struct store_client_folder f;
	int ret = store_client_folder_get(s->store, name, &f);

	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, name);
		return -1;
	}
	/* Not on the server (yet): nothing to pull. */
	if (f.noselect || f.remote_name == NULL) {
		store_client_folder_clear(&f);
		return 0;
	}
	if (s->opt.verbose)
		fprintf(stderr, "hafen: syncing %s\n", f.name);
	s->stats.folders++;
	ret = sync_folder_state(s, &f, error_r);
	store_client_folder_clear(&f);
	return ret;
}
