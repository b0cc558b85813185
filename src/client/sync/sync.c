/* sync.c — the sync engine's frame: its state, folder names and the
 * server's delimiter, SELECT, flags, progress, and the order of a whole
 * sync (sync.h). */
#include "sync-private.h"

#include "imap/imap-mailbox.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sync *sync_new(struct store *store, struct imapc *imapc, const struct account *acct,
		      const struct sync_options *opt)
{
	struct sync *s = xcalloc(1, sizeof(*s));

	s->store = store;
	s->c = imapc;
	s->acct = acct;
	if (opt != NULL)
		s->opt = *opt;
	return s;
}

void sync_free(struct sync **sp)
{
	struct sync *s = *sp;

	if (s == NULL)
		return;
	if (s->smtp_password != NULL) {
		OPENSSL_cleanse(s->smtp_password, strlen(s->smtp_password));
		free(s->smtp_password);
	}
	sync_hints_clear(s);
	buf_free(&s->err);
	free(s);
	*sp = NULL;
}

const struct sync_stats *sync_stats(const struct sync *s)
{
	return &s->stats;
}

struct sync_options *sync_options(struct sync *s)
{
	return &s->opt;
}

const char *sync_error(struct sync *s, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&s->err);
	va_start(ap, fmt);
	buf_vprintf(&s->err, fmt, ap);
	va_end(ap);
	return buf_cstr(&s->err);
}

const char *sync_store_error(struct sync *s, int ret, const char *what)
{
	return sync_error(s, "local cache: %s: %s (%s)", what, store_strerror(ret),
			  store_last_error(s->store));
}

/* ---- progress ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sync_progress(struct sync *s, const char *what, uint64_t done, uint64_t total)
{
	int64_t t;

	if (!s->opt.progress)
		return;
	t = now_ms();
	/* A terminal line ten times a second at most. */
	if (what == s->progress_what && done != total && t - s->progress_last_ms < 100)
		return;
	s->progress_what = what;
	s->progress_last_ms = t;
	fprintf(stderr, "\r\033[K%s: %llu/%llu", what, (unsigned long long)done,
		(unsigned long long)total);
	fflush(stderr);
}

void sync_progress_end(struct sync *s)
{
	if (s->opt.progress && s->progress_what != NULL) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	s->progress_what = NULL;
}

/* ---- the server's delimiter ---- */

static void delimiter_untagged(void *ctx, const struct imap_response *resp)
{
	struct sync *s = ctx;

	if (resp->kind == IMAP_RESP_LIST) {
		s->delim = resp->u.list.delimiter;
		s->delim_known = true;
	}
}

int sync_delimiter(struct sync *s, char *delim_r, const char **error_r)
{
	static const char *const empty[] = {""};
	struct imap_command cmd = {.kind = IMAP_CMD_LIST};

	if (!s->delim_known) {
		cmd.u.list.reference = "";
		cmd.u.list.patterns.items = empty;
		cmd.u.list.patterns.count = 1;
		if (imapc_run(s->c, &cmd, delimiter_untagged, s, NULL, error_r) < 0)
			return -1;
		s->delim_known = true;
	}
	*delim_r = s->delim;
	return 0;
}

char *sync_local_from_wire(struct sync *s, const char *wire)
{
	struct buf name = BUF_INIT;
	const char *err;
	char *local = NULL;

	if (imap_mailbox_name_from_wire(wire, imapc_utf8(s->c), &name, &err) == 0)
		local = imap_mailbox_is_inbox(buf_cstr(&name))
				? xstrdup("INBOX")
				: sync_local_name(buf_cstr(&name), s->delim_known ? s->delim : '/');
	buf_free(&name);
	return local;
}

int sync_wire_name(struct sync *s, const char *local, struct buf *out, const char **error_r)
{
	char delim;
	char *remote;
	const char *err;
	int ret;

	if (sync_delimiter(s, &delim, error_r) < 0)
		return -1;
	remote = sync_remote_name(local, delim);
	if (remote == NULL) {
		*error_r = sync_error(s, "folder %s: its name holds the server's delimiter %c",
				      local, delim);
		return -1;
	}
	ret = imap_mailbox_name_to_wire(remote, imapc_utf8(s->c), out, &err);
	if (ret < 0)
		*error_r = sync_error(s, "folder %s: %s", local, err);
	free(remote);
	return ret;
}

/* ---- SELECT ---- */

int sync_select(struct sync *s, const struct store_client_folder *f, bool qresync,
		imapc_untagged_cb *untagged, void *ctx, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_SELECT};
	struct arena *a = NULL;
	struct buf wire = BUF_INIT;
	int ret = sync_wire_name(s, f->name, &wire, error_r);

	if (ret < 0)
		return -1;
	cmd.u.select.mailbox = buf_cstr(&wire);
	if (qresync) {
		struct rangeset known = RANGESET_INIT;

		a = arena_new(0);
		cmd.u.select.qresync = true;
		cmd.u.select.uidvalidity = f->uidvalidity;
		cmd.u.select.modseq = f->highestmodseq;
		/* RFC 7162 3.2.5.1: the known UIDs let the server report
		 * only what we hold; a range set stays short. */
		if (store_client_uids(s->store, f->mailbox_id, &known) == STORE_OK &&
		    !rangeset_is_empty(&known)) {
			imap_seqset_from_rangeset(a, &known, &cmd.u.select.known_uids);
			cmd.u.select.has_known_uids = true;
		}
		rangeset_free(&known);
	} else if (imapc_condstore(s->c)) {
		cmd.u.select.condstore = true;
	}
	s->selected_id = 0;
	ret = imapc_run(s->c, &cmd, untagged, ctx, NULL, error_r);
	if (ret == 0)
		s->selected_id = f->mailbox_id;
	arena_free(&a);
	buf_free(&wire);
	return ret;
}

int sync_open(struct sync *s, const char *name, const char **error_r)
{
	struct store_client_folder f;
	int ret = store_client_folder_get(s->store, name, &f);

	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, name);
		return -1;
	}
	ret = s->selected_id == f.mailbox_id ? 0 : sync_select(s, &f, false, NULL, NULL, error_r);
	store_client_folder_clear(&f);
	return ret;
}

/* ---- flags ---- */

unsigned sync_parse_flags(const struct imap_strlist *list, struct buf *kw)
{
	static const struct {
		const char *name;
		unsigned flag;
	} system[] = {
		{"\\Seen", STORE_FLAG_SEEN},       {"\\Answered", STORE_FLAG_ANSWERED},
		{"\\Flagged", STORE_FLAG_FLAGGED}, {"\\Deleted", STORE_FLAG_DELETED},
		{"\\Draft", STORE_FLAG_DRAFT},
	};
	unsigned flags = 0;

	buf_reset(kw);
	for (size_t i = 0; i < list->count; i++) {
		const char *f = list->items[i];
		size_t k;

		if (f[0] == '\\') {
			for (k = 0; k < HF_N_ELEMENTS(system); k++)
				if (str_casecmp(f, system[k].name) == 0)
					flags |= system[k].flag;
			continue;
		}
		if (kw->len > 0)
			buf_append_byte(kw, ' ');
		buf_append_str(kw, f);
	}
	buf_cstr(kw);
	return flags;
}

/* ---- the whole sync ---- */

static int folder_cb(void *ctx, const struct store_client_folder *f)
{
	struct buf *names = ctx;

	/* Folders the server does not hold messages in are skipped. */
	if (!f->noselect && f->remote_name != NULL) {
		buf_append_str(names, f->name);
		buf_append_byte(names, '\0');
	}
	return 0;
}

static int sync_all_folders(struct sync *s, const char **error_r)
{
	struct buf names = BUF_INIT;
	int ret = store_client_folder_list(s->store, folder_cb, &names);

	if (ret != STORE_OK) {
		*error_r = sync_store_error(s, ret, "list folders");
		buf_free(&names);
		return -1;
	}
	for (size_t off = 0; off < names.len && ret == 0;) {
		const char *name = (const char *)names.data + off;

		ret = sync_folder(s, name, error_r);
		/* A folder the server refuses to open does not stop the rest. */
		if (ret < 0 && imapc_is_connected(s->c)) {
			fprintf(stderr, "hafen: %s\n", *error_r);
			ret = 0;
		}
		off += strlen(name) + 1;
	}
	buf_free(&names);
	return ret;
}

int sync_run(struct sync *s, const char **error_r)
{
	if (sync_replay(s, error_r) < 0)
		return -1;
	if (sync_folders(s, NULL, NULL, error_r) < 0)
		return -1;
	if (s->opt.folder != NULL)
		return sync_folder(s, s->opt.folder, error_r);
	return sync_all_folders(s, error_r);
}
