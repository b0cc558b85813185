/* search-thread-cmd.c — THREAD and UID THREAD (RFC 5256 section 3): the
 * messages a search program finds, reduced to what the algorithms of
 * search-thread.c read — sent date, base subject, Message-ID and
 * references — from the header fields the store caches for list views
 * (no message file is opened), and the THREAD response. */
#include "imap-selected.h"
#include "search-private.h"
#include "search-thread.h"
#include "lib/casemap.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "mime/mime.h"

#include <string.h>

struct gather {
	struct arena *arena;   /* the strings of msgs */
	struct arena *scratch; /* one message's parse, cleared after each */
	struct thread_msg *msgs;
	size_t count, cap;
};

/* RFC 5256 3: msg-ids compare after their quoting is undone, so
 * <"a.b"@c> and <a.b@c> are one id; comparison is case-sensitive. */
static const char *normalize_id(struct arena *a, const char *id)
{
	char *out, *q;

	if (strchr(id, '"') == NULL && strchr(id, '\\') == NULL)
		return id;
	out = q = arena_alloc(a, strlen(id) + 1);
	for (const char *p = id; *p != '\0'; p++) {
		if (*p == '"')
			continue;
		if (*p == '\\' && p[1] != '\0')
			p++;
		*q++ = *p;
	}
	*q = '\0';
	return out;
}

static void thread_ids(struct gather *g, const struct mime_message *msg, struct thread_msg *tm)
{
	struct mime_thread_ids ids;
	const char **refs;

	mime_thread_ids(msg, g->arena, &ids);
	tm->message_id = ids.message_id != NULL ? normalize_id(g->arena, ids.message_id) : NULL;
	refs = arena_alloc(g->arena, (ids.reference_count + 1) * sizeof(*refs));
	for (size_t i = 0; i < ids.reference_count; i++)
		refs[i] = normalize_id(g->arena, ids.references[i]);
	tm->refs = refs;
	tm->nrefs = ids.reference_count;
}

/* Base subject (RFC 5256 2.1) in i;unicode-casemap form, for comparing
 * (section 7); whether a reply or forward marker was removed. */
static void subject_key(struct gather *g, const struct mime_list_value *subject,
			struct thread_msg *tm)
{
	struct buf base = BUF_INIT, key = BUF_INIT;

	mime_base_subject(subject->decoded, subject->decoded_len, &base, &tm->reply);
	casemap_append(&key, (const char *)base.data, base.len);
	tm->subject =
		arena_strndup(g->arena, key.data != NULL ? (const char *)key.data : "", key.len);
	buf_free(&base);
	buf_free(&key);
}

static void gather_one(struct gather *g, const struct store_msg *m, uint32_t number)
{
	struct mime_list_value v[MIME_LIST_FIELD_COUNT];
	const struct mime_list_value *date = &v[MIME_LIST_DATE];
	const struct mime_message *msg;
	struct thread_msg *tm;
	int tz;

	if (g->count == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->msgs = xreallocarray(g->msgs, g->cap, sizeof(*g->msgs));
	}
	tm = &g->msgs[g->count++];
	memset(tm, 0, sizeof(*tm));
	tm->number = number;
	arena_clear(g->scratch);
	msg = mime_parse(g->scratch, m->headers != NULL ? m->headers : "",
			 m->headers != NULL ? m->headers_len : 0, NULL);
	mime_list_fields(msg, g->scratch, v);
	/* RFC 5256 2.2: the Date: field in UTC, else the internal date. */
	if (!date->present || mime_parse_date(date->raw, date->raw_len, &tm->sent, &tz) < 0)
		tm->sent = m->internaldate;
	subject_key(g, &v[MIME_LIST_SUBJECT], tm);
	thread_ids(g, msg, tm);
}

/* The messages of found, in mailbox (UID) order. */
static int gather(struct imap_session *s, bool uid, const struct rangeset *found, struct gather *g)
{
	struct store_fetch *f;
	const struct store_msg *m;
	int ret;

	if (rangeset_is_empty(found))
		return STORE_OK;
	ret = store_fetch_begin(session_store(s), s->sel->mailbox_id, found, STORE_WANT_HEADERS,
				&f);
	if (ret != STORE_OK)
		return ret;
	while ((ret = store_fetch_next(f, &m)) == 1) {
		uint32_t seq = uidmap_uid_to_seq(&s->sel->map, m->uid);

		if (seq != 0)
			gather_one(g, m, uid ? m->uid : seq);
	}
	store_fetch_end(&f);
	return ret < 0 ? ret : STORE_OK;
}

static void gather_free(struct gather *g)
{
	arena_free(&g->arena);
	arena_free(&g->scratch);
	free(g->msgs);
}

/* Search, gather and thread; the response text goes to out. */
static int thread_run(struct imap_session *s, struct imap_command *cmd, struct search_query *q,
		      bool references, struct buf *out)
{
	struct gather g = {arena_new(64 * 1024), arena_new(16 * 1024), NULL, 0, 0};
	struct rangeset found = RANGESET_INIT;
	int ret = search_query_run(s, q, &found);

	if (ret == STORE_OK)
		ret = gather(s, cmd->uid, &found, &g);
	if (ret == STORE_OK && references)
		thread_references(g.msgs, g.count, out);
	else if (ret == STORE_OK)
		thread_orderedsubject(g.msgs, g.count, out);
	rangeset_free(&found);
	gather_free(&g);
	return ret;
}

enum cmd_result cmd_thread(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_thread *th = &cmd->u.thread;
	bool references = str_casecmp(th->algorithm, "REFERENCES") == 0;
	struct search_stream *st;
	struct search_query q = {NULL, NULL, NULL, false};
	struct search_error err;
	int ret;

	if (!references && str_casecmp(th->algorithm, "ORDEREDSUBJECT") != 0) {
		session_tagged(s, IMAP_COND_BAD, NULL, "Unknown threading algorithm");
		return CMD_DONE;
	}
	if (search_sync(s) < 0) {
		session_tagged(s, IMAP_COND_NO, NULL, "Mailbox is gone");
		return CMD_DONE;
	}
	if (search_query_build(s, &th->opts, &q, &err) < 0) {
		search_fail(s, false, &err);
		return CMD_DONE;
	}
	/* RFC 7162 3.1.9: MODSEQ enables CONDSTORE; THREAD's form is as is. */
	if (q.has_modseq)
		session_enable_condstore(s);
	st = search_stream_new(cmd->uid ? "UID THREAD completed" : "THREAD completed");
	ret = thread_run(s, cmd, &q, references, &st->text);
	search_query_free(&q);
	if (ret != STORE_OK) {
		search_stream_free(st);
		session_store_error(s, ret);
		return CMD_DONE;
	}
	/* RFC 5256 section 4: "* THREAD" and the threads, if any. */
	buf_append_str(&st->head, st->text.len > 0 ? "* THREAD " : "* THREAD");
	st->form = SEARCH_BODY_TEXT;
	return search_stream_run(s, st);
}
