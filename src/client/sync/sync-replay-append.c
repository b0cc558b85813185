/* sync-replay-append.c — journal entries that carry a message: APPEND (a
 * draft or sent copy saved offline) and SEND (submission over SMTP).
 *
 * Repeating an APPEND would duplicate the message on the server, so an
 * entry marked as attempted (its earlier replay may have landed before a
 * crash) first looks for the message by Message-ID. SEND cannot be
 * checked that way: a crash between the SMTP server's acceptance and the
 * removal of the entry sends the message again at the next sync — the
 * one duplicate hafen accepts, rather than ever losing a message. */
#include "sync-private.h"

#include "client/smtp/smtp.h"
#include "imap/imap-mailbox.h"
#include "lib/arena.h"
#include "lib/mem.h"
#include "mime/mime.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int read_fd(int fd, struct buf *out)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf_append(out, chunk, (size_t)n);
	}
	return 0;
}

/* The store_msg of a cached message, for its file and header lines. */
static int with_msg(struct store *store, int64_t cid, unsigned want,
		    int (*fn)(struct store *store, const struct store_msg *m, void *ctx), void *ctx)
{
	struct store_client_msg cm;
	struct rangeset one = RANGESET_INIT;
	struct store_fetch *f = NULL;
	const struct store_msg *m;
	int ret = store_client_msg_by_cid(store, cid, &cm);

	if (ret != STORE_OK)
		return ret;
	rangeset_add(&one, cm.uid);
	ret = store_fetch_begin(store, cm.mailbox_id, &one, want, &f);
	if (ret == STORE_OK) {
		ret = store_fetch_next(f, &m);
		ret = ret == 1 ? fn(store, m, ctx) : ret == 0 ? STORE_ERR_NONEXISTENT : ret;
	}
	store_fetch_end(&f);
	rangeset_free(&one);
	store_client_msg_clear(&cm);
	return ret;
}

static int read_body(struct store *store, const struct store_msg *m, void *ctx)
{
	int fd, ret = store_msg_open(store, m, &fd);

	if (ret != STORE_OK)
		return ret;
	ret = read_fd(fd, ctx) < 0 ? STORE_ERR_IO : STORE_OK;
	close(fd);
	return ret;
}

int sync_read_cached(struct store *store, int64_t cid, struct buf *out, const char **error_r)
{
	static __thread char errbuf[512];
	struct store_client_msg cm;
	int ret = store_client_msg_by_cid(store, cid, &cm);

	if (ret == STORE_OK && !cm.has_body) {
		store_client_msg_clear(&cm);
		*error_r = "the message body has not been downloaded";
		return -1;
	}
	store_client_msg_clear(&cm);
	if (ret == STORE_OK)
		ret = with_msg(store, cid, 0, read_body, out);
	if (ret != STORE_OK) {
		snprintf(errbuf, sizeof(errbuf), "local cache: %s (%s)", store_strerror(ret),
			 store_last_error(store));
		*error_r = errbuf;
		return -1;
	}
	return 0;
}

int sync_cached_message(struct sync *s, int64_t cid, struct buf *out, const char **error_r)
{
	return sync_read_cached(s->store, cid, out, error_r);
}

static int read_msgid(struct store *store, const struct store_msg *m, void *ctx)
{
	struct buf *out = ctx;
	struct arena *a = arena_new(0);
	struct mime_message *msg =
		mime_parse(a, m->headers ? m->headers : "", m->headers_len, NULL);
	struct mime_list_value v[MIME_LIST_FIELD_COUNT];
	const char **ids;

	mime_list_fields(msg, a, v);
	if (v[MIME_LIST_MESSAGE_ID].present &&
	    mime_msgids_parse(a, v[MIME_LIST_MESSAGE_ID].raw, v[MIME_LIST_MESSAGE_ID].raw_len,
			      &ids) > 0)
		buf_append_str(out, ids[0]);
	arena_free(&a);
	return STORE_OK;
}

int sync_cached_msgid(struct sync *s, int64_t cid, struct buf *out)
{
	int ret;

	buf_reset(out);
	ret = with_msg(s->store, cid, STORE_WANT_HEADERS, read_msgid, out) == STORE_OK ? 0 : -1;
	buf_cstr(out); /* callers use it as a C string */
	return ret;
}

static void max_uid_untagged(void *ctx, const struct imap_response *resp)
{
	uint32_t *uid = ctx;
	struct rangeset rs = RANGESET_INIT;

	if (resp->kind == IMAP_RESP_SEARCH) {
		for (size_t i = 0; i < resp->u.search.count; i++)
			if (resp->u.search.numbers[i] > *uid)
				*uid = resp->u.search.numbers[i];
	} else if (resp->kind == IMAP_RESP_ESEARCH && resp->u.esearch.has_all) {
		imap_seqset_to_rangeset(&resp->u.esearch.all, &rs);
		if (!rangeset_is_empty(&rs) && rangeset_max(&rs) > *uid)
			*uid = rangeset_max(&rs);
	}
	rangeset_free(&rs);
}

int sync_find_msgid(struct sync *s, const char *message_id, uint32_t *uid_r)
{
	struct imap_search_key key = {.kind = IMAP_SEARCH_HEADER};
	struct imap_command cmd = {.kind = IMAP_CMD_SEARCH, .uid = true};
	const char *err;

	*uid_r = 0;
	key.u.header.name = "Message-ID";
	key.u.header.value = message_id;
	cmd.u.search.opts.keys = &key;
	cmd.u.search.opts.key_count = 1;
	return imapc_run(s->c, &cmd, max_uid_untagged, uid_r, NULL, &err);
}

/* ---- APPEND ---- */

static void flag_items(unsigned flags, char *keywords, const char **items, size_t *n)
{
	static const char *const names[] = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted",
					    "\\Draft"};

	*n = 0;
	for (unsigned i = 0; i < 5; i++)
		if (flags & (1u << i))
			items[(*n)++] = names[i];
	for (char *t = strtok(keywords, " "); t != NULL && *n < 64; t = strtok(NULL, " "))
		items[(*n)++] = t;
}

static enum sync_replay_result append_cmd(struct sync *s, const char *mailbox,
					  const struct store_client_msg *m, const struct buf *data,
					  enum imap_code_kind *code_r, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_APPEND};
	struct imap_append_message msg = {0};
	const char *items[70];
	char *kw = xstrdup(m->keywords);
	struct buf wire = BUF_INIT;
	size_t n;
	int ret;

	if (sync_wire_name(s, mailbox, &wire, error_r) < 0) {
		free(kw);
		return imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
	}
	flag_items(m->flags, kw, items, &n);
	msg.has_flags = true;
	msg.flags.items = items;
	msg.flags.count = n;
	msg.data.data = (const char *)data->data;
	msg.data.size = data->len;
	cmd.u.append.mailbox = buf_cstr(&wire);
	cmd.u.append.messages = &msg;
	cmd.u.append.count = 1;
	ret = imapc_run(s->c, &cmd, NULL, NULL, code_r, error_r);
	buf_free(&wire);
	free(kw);
	if (ret == 0)
		return SYNC_REPLAY_DONE;
	return imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
}

static enum sync_replay_result create_folder(struct sync *s, const char *mailbox,
					     const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_CREATE};
	struct buf wire = BUF_INIT;
	int ret = sync_wire_name(s, mailbox, &wire, error_r);

	cmd.u.create.mailbox = buf_cstr(&wire);
	if (ret == 0)
		ret = imapc_run(s->c, &cmd, NULL, NULL, NULL, error_r);
	buf_free(&wire);
	if (ret == 0)
		return SYNC_REPLAY_DONE;
	return imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
}

static int64_t folder_id(struct sync *s, const char *name)
{
	struct store_mailbox mb = {0};
	int64_t id = store_mailbox_get(s->store, name, &mb) == STORE_OK ? mb.id : 0;

	store_mailbox_clear(&mb);
	return id;
}

/* The appended message's UID: APPENDUID (RFC 4315), else a search by
 * Message-ID in the folder. */
static enum sync_replay_result appended_uid(struct sync *s, const char *mailbox,
					    const struct buf *msgid, uint32_t *uid_r,
					    uint32_t *uidvalidity_r, const char **error_r)
{
	const struct imap_response *t = imapc_last_tagged(s->c);
	struct rangeset rs = RANGESET_INIT;
	enum sync_replay_result r;

	if (t != NULL && t->u.status.code.kind == IMAP_CODE_APPENDUID) {
		imap_seqset_to_rangeset(&t->u.status.code.u.appenduid.uids, &rs);
		*uidvalidity_r = t->u.status.code.u.appenduid.uidvalidity;
		*uid_r = rangeset_is_empty(&rs) ? 0 : rangeset_min(&rs);
		rangeset_free(&rs);
		return SYNC_REPLAY_DONE;
	}
	*uid_r = 0;
	if (msgid->len == 0)
		return SYNC_REPLAY_DONE;
	r = sync_replay_select(s, mailbox, 0, error_r);
	if (r == SYNC_REPLAY_DONE && sync_find_msgid(s, (const char *)msgid->data, uid_r) < 0)
		r = imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
	*uidvalidity_r = imapc_mailbox(s->c)->uidvalidity;
	return r;
}

static enum sync_replay_result confirm_append(struct sync *s, const struct store_journal_entry *e,
					      uint32_t uid, uint32_t uidvalidity,
					      const char **error_r)
{
	int64_t id = folder_id(s, e->mailbox);
	int ret;

	if (uid == 0) /* not found: the next sync brings it as new mail */
		ret = id ? store_client_local_expunge(s->store, id, e->uid, false) : STORE_OK;
	else
		ret = store_client_confirm(s->store, id, e->uid, uid, uidvalidity, 0, true);
	if (ret != STORE_OK && ret != STORE_ERR_NONEXISTENT) {
		*error_r = sync_store_error(s, ret, "record the appended message");
		return SYNC_REPLAY_LOST;
	}
	return SYNC_REPLAY_DONE;
}

/* An earlier attempt may have landed: look before appending again. */
static enum sync_replay_result already_there(struct sync *s, const struct store_journal_entry *e,
					     const struct buf *msgid, bool *found_r,
					     const char **error_r)
{
	enum sync_replay_result r;
	uint32_t uid = 0;

	*found_r = false;
	if (!e->attempted || msgid->len == 0)
		return SYNC_REPLAY_DONE;
	r = sync_replay_select(s, e->mailbox, 0, error_r);
	if (r != SYNC_REPLAY_DONE)
		return r == SYNC_REPLAY_FAILED ? SYNC_REPLAY_DONE : r; /* not there yet */
	if (sync_find_msgid(s, (const char *)msgid->data, &uid) < 0)
		return imapc_is_connected(s->c) ? SYNC_REPLAY_FAILED : SYNC_REPLAY_LOST;
	if (uid == 0)
		return SYNC_REPLAY_DONE;
	*found_r = true;
	return confirm_append(s, e, uid, imapc_mailbox(s->c)->uidvalidity, error_r);
}

enum sync_replay_result sync_replay_append(struct sync *s, const struct store_journal_entry *e,
					   const char **error_r)
{
	struct store_client_msg m;
	struct buf data = BUF_INIT, msgid = BUF_INIT;
	enum imap_code_kind code = IMAP_CODE_NONE;
	enum sync_replay_result r;
	uint32_t uid = 0, uidvalidity = 0;
	bool found = false;

	/* Deleted here before it reached the server: nothing to do. */
	if (store_client_msg_by_cid(s->store, e->cid, &m) != STORE_OK)
		return SYNC_REPLAY_DONE;
	(void)sync_cached_msgid(s, e->cid, &msgid);
	r = sync_cached_message(s, e->cid, &data, error_r) < 0 ? SYNC_REPLAY_FAILED
							       : SYNC_REPLAY_DONE;
	if (r == SYNC_REPLAY_DONE)
		r = already_there(s, e, &msgid, &found, error_r);
	if (r == SYNC_REPLAY_DONE && !found) {
		r = append_cmd(s, e->mailbox, &m, &data, &code, error_r);
		/* RFC 9051 6.3.12: TRYCREATE — make the folder, then again. */
		if (r == SYNC_REPLAY_FAILED && code == IMAP_CODE_TRYCREATE &&
		    create_folder(s, e->mailbox, error_r) == SYNC_REPLAY_DONE)
			r = append_cmd(s, e->mailbox, &m, &data, &code, error_r);
		if (r == SYNC_REPLAY_DONE)
			r = appended_uid(s, e->mailbox, &msgid, &uid, &uidvalidity, error_r);
		if (r == SYNC_REPLAY_DONE)
			r = confirm_append(s, e, uid, uidvalidity, error_r);
	}
	buf_free(&data);
	buf_free(&msgid);
	store_client_msg_clear(&m);
	return r;
}

/* ---- SEND ---- */

static const char *smtp_password(struct sync *s, const char **error_r)
{
	if (s->smtp_password == NULL && account_password(s->acct, &s->smtp_password, error_r) < 0)
		return NULL;
	return s->smtp_password;
}

/* The envelope: the sender, then one recipient per line. */
static size_t split_envelope(char *env, const char **from_r, const char **rcpts, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	*from_r = NULL;
	for (char *t = strtok_r(env, "\n", &save); t != NULL; t = strtok_r(NULL, "\n", &save)) {
		if (*from_r == NULL)
			*from_r = t;
		else if (n < max)
			rcpts[n++] = t;
	}
	return n;
}

enum sync_replay_result sync_replay_send(struct sync *s, const struct store_journal_entry *e,
					 const char **error_r)
{
	struct smtp_settings ss = {0};
	const char *rcpts[1000], *from, *password;
	struct buf data = BUF_INIT;
	char *env;
	size_t n;
	bool permanent;
	int ret;

	if (s->acct == NULL || s->acct->smtp_host == NULL) {
		*error_r =
			sync_error(s, "no SMTP server configured (hafen account add --smtp-host)");
		return SYNC_REPLAY_FAILED;
	}
	if (sync_cached_message(s, e->cid, &data, error_r) < 0) {
		buf_free(&data);
		return SYNC_REPLAY_DONE; /* deleted before it was sent */
	}
	env = xstrndup(e->data ? e->data : "", e->data_len);
	n = split_envelope(env, &from, rcpts, HF_N_ELEMENTS(rcpts));
	password = smtp_password(s, error_r);
	ret = -1;
	if (password != NULL && from != NULL) {
		ss.host = s->acct->smtp_host;
		ss.port = account_smtp_port(s->acct);
		ss.tls = s->acct->smtp_tls;
		ss.user = s->acct->smtp_user ? s->acct->smtp_user : s->acct->user;
		ss.password = password;
		ss.ca_file = s->acct->ca_file;
		ss.insecure = s->acct->insecure;
		ret = smtp_send(&ss, from, rcpts, n, data.data, data.len, &permanent, error_r);
	} else if (from == NULL) {
		*error_r = "the message has no sender";
	}
	free(env);
	buf_free(&data);
	return ret == 0 ? SYNC_REPLAY_DONE : SYNC_REPLAY_FAILED;
}
