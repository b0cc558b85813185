/* summary.c — message summaries for list and search (summary.h). */
#include "summary.h"

#include "cli.h"
#include "lib/arena.h"
#include "lib/mem.h"
#include "mime/mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *dup_value(const struct mime_list_value *v, bool decoded)
{
	if (!v->present)
		return xstrdup("");
	return decoded ? xstrndup(v->decoded, v->decoded_len) : xstrndup(v->raw, v->raw_len);
}

static void read_from(struct arena *a, const struct mime_list_value *v, struct summary *sum)
{
	struct mime_sort_address addr;

	if (v->present && mime_first_address(a, v->raw, v->raw_len, &addr) == 0) {
		sum->from_addr =
			addr.host[0] ? xstrdup(arena_printf(a, "%s@%s", addr.mailbox, addr.host))
				     : xstrdup(addr.mailbox);
		sum->from = xstrdup(addr.display_name[0] ? addr.display_name : sum->from_addr);
	} else {
		sum->from_addr = xstrdup("");
		sum->from = dup_value(v, true);
	}
}

void summary_read(struct store *s, int64_t mailbox_id, const char *folder,
		  const struct store_msg *m, struct summary *sum)
{
	struct arena *a = arena_new(0);
	struct mime_message *msg =
		mime_parse(a, m->headers ? m->headers : "", m->headers_len, NULL);
	struct mime_list_value v[MIME_LIST_FIELD_COUNT];
	struct store_client_msg cm;
	const char **ids;
	int tz;

	memset(sum, 0, sizeof(*sum));
	mime_list_fields(msg, a, v);
	sum->mailbox_id = mailbox_id;
	sum->uid = m->uid;
	sum->flags = m->flags;
	sum->size = m->size;
	sum->folder = xstrdup(folder);
	read_from(a, &v[MIME_LIST_FROM], sum);
	sum->to = dup_value(&v[MIME_LIST_TO], true);
	sum->cc = dup_value(&v[MIME_LIST_CC], true);
	sum->reply_to = dup_value(&v[MIME_LIST_REPLY_TO], true);
	sum->subject = dup_value(&v[MIME_LIST_SUBJECT], true);
	sum->in_reply_to = dup_value(&v[MIME_LIST_IN_REPLY_TO], false);
	sum->references = dup_value(&v[MIME_LIST_REFERENCES], false);
	sum->message_id =
		xstrdup(v[MIME_LIST_MESSAGE_ID].present &&
					mime_msgids_parse(a, v[MIME_LIST_MESSAGE_ID].raw,
							  v[MIME_LIST_MESSAGE_ID].raw_len, &ids) > 0
				? ids[0]
				: "");
	sum->threadid = xstrdup(m->threadid ? m->threadid : "");
	if (!v[MIME_LIST_DATE].present ||
	    mime_parse_date(v[MIME_LIST_DATE].raw, v[MIME_LIST_DATE].raw_len, &sum->date, &tz) < 0)
		sum->date = m->internaldate;
	if (store_client_msg_get(s, mailbox_id, m->uid, &cm) == STORE_OK) {
		sum->cid = cm.cid;
		sum->pending = cm.pending;
		sum->has_body = cm.has_body;
		sum->size = cm.size;
		store_client_msg_clear(&cm);
	}
	arena_free(&a);
}

void summary_clear(struct summary *sum)
{
	free(sum->folder);
	free(sum->from);
	free(sum->from_addr);
	free(sum->to);
	free(sum->cc);
	free(sum->reply_to);
	free(sum->subject);
	free(sum->message_id);
	free(sum->in_reply_to);
	free(sum->references);
	free(sum->threadid);
	memset(sum, 0, sizeof(*sum));
}

void summary_free_all(struct summary *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		summary_clear(&v[i]);
	free(v);
}

int summary_list(struct store *s, const char *folder, const struct rangeset *uids,
		 struct summary **v_r, size_t *n_r)
{
	struct store_mailbox mb = {0};
	struct store_fetch *f = NULL;
	const struct store_msg *m;
	struct summary *v = NULL;
	size_t n = 0, cap = 0;
	int ret = store_mailbox_get(s, folder, &mb);

	if (ret == STORE_OK)
		ret = store_fetch_begin(s, mb.id, uids, STORE_WANT_HEADERS, &f);
	while (ret == STORE_OK && (ret = store_fetch_next(f, &m)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		summary_read(s, mb.id, mb.name, m, &v[n++]);
		ret = STORE_OK;
	}
	store_fetch_end(&f);
	store_mailbox_clear(&mb);
	if (ret < 0) {
		summary_free_all(v, n);
		return ret;
	}
	*v_r = v;
	*n_r = n;
	return STORE_OK;
}

int summary_by_cid(struct store *s, int64_t cid, struct summary *sum_r)
{
	struct store_client_msg cm;
	struct store_mailbox mb = {0};
	struct rangeset one = RANGESET_INIT;
	struct store_fetch *f = NULL;
	const struct store_msg *m;
	int ret = store_client_msg_by_cid(s, cid, &cm);

	if (ret != STORE_OK)
		return ret;
	ret = store_mailbox_get_by_id(s, cm.mailbox_id, &mb);
	rangeset_add(&one, cm.uid);
	if (ret == STORE_OK)
		ret = store_fetch_begin(s, cm.mailbox_id, &one, STORE_WANT_HEADERS, &f);
	if (ret == STORE_OK) {
		ret = store_fetch_next(f, &m);
		if (ret == 1) {
			summary_read(s, cm.mailbox_id, mb.name, m, sum_r);
			ret = STORE_OK;
		} else if (ret == 0) {
			ret = STORE_ERR_NONEXISTENT;
		}
	}
	store_fetch_end(&f);
	rangeset_free(&one);
	store_mailbox_clear(&mb);
	store_client_msg_clear(&cm);
	return ret;
}

/* ---- order and threads ---- */

struct sort_key {
	struct summary *sum;
	int64_t thread_date;
};

static int cmp_plain(const void *a, const void *b)
{
	const struct summary *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->cid < y->cid ? -1 : x->cid > y->cid;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Depth in its thread: how many of its ancestors (References,
 * In-Reply-To) are in the list, at most 8. */
static void thread_depths(struct summary *v, size_t n)
{
	const char **ids = xcalloc(n ? n : 1, sizeof(*ids));
	struct arena *a = arena_new(0);
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].message_id[0] != '\0')
			ids[k++] = v[i].message_id;
	qsort(ids, k, sizeof(*ids), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const char **refs;
		size_t nref = mime_msgids_parse(a, v[i].references, strlen(v[i].references), &refs);
		int depth = 0;

		if (nref == 0)
			nref = mime_msgids_parse(a, v[i].in_reply_to, strlen(v[i].in_reply_to),
						 &refs);
		for (size_t r = 0; r < nref && depth < 8; r++)
			if (bsearch(&refs[r], ids, k, sizeof(*ids), cmp_str) != NULL)
				depth++;
		v[i].depth = depth;
		arena_clear(a);
	}
	arena_free(&a);
	free(ids);
}

static int cmp_thread(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	int c;

	if (x->thread_date != y->thread_date)
		return x->thread_date < y->thread_date ? -1 : 1;
	c = strcmp(x->sum->threadid, y->sum->threadid);
	return c != 0 ? c : cmp_plain(x->sum, y->sum);
}

static int cmp_threadid(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	return strcmp(x->sum->threadid, y->sum->threadid);
}

/* Group by THREADID, order the groups by their newest message. */
static void sort_threads(struct summary *v, size_t n)
{
	struct sort_key *keys = xcalloc(n ? n : 1, sizeof(*keys));
	struct summary *copy = xcalloc(n ? n : 1, sizeof(*copy));

	for (size_t i = 0; i < n; i++) {
		keys[i].sum = &v[i];
		keys[i].thread_date = v[i].date;
	}
	qsort(keys, n, sizeof(*keys), cmp_threadid);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		int64_t newest = keys[i].thread_date;

		while (j < n && cmp_threadid(&keys[i], &keys[j]) == 0) {
			if (keys[j].thread_date > newest)
				newest = keys[j].thread_date;
			j++;
		}
		for (size_t k = i; k < j; k++)
			keys[k].thread_date = newest;
		i = j;
	}
	qsort(keys, n, sizeof(*keys), cmp_thread);
	for (size_t i = 0; i < n; i++)
		copy[i] = *keys[i].sum;
	memcpy(v, copy, n * sizeof(*v));
	free(copy);
	free(keys);
	thread_depths(v, n);
}

void summary_sort(struct summary *v, size_t n, bool threads)
{
	if (n == 0)
		return;
	if (threads)
		sort_threads(v, n);
	else
		qsort(v, n, sizeof(*v), cmp_plain);
}

/* ---- output ---- */

void summary_marks(const struct summary *sum, char marks[8])
{
	size_t k = 0;

	marks[k++] = (sum->flags & STORE_FLAG_SEEN) ? ' ' : 'N';
	marks[k++] = (sum->flags & STORE_FLAG_ANSWERED) ? 'r' : ' ';
	marks[k++] = (sum->flags & STORE_FLAG_FLAGGED) ? '!' : ' ';
	marks[k++] = (sum->flags & STORE_FLAG_DELETED) ? 'D' : ' ';
	marks[k++] = (sum->flags & STORE_FLAG_DRAFT) ? 'd' : ' ';
	marks[k++] = sum->pending ? '+' : ' ';
	marks[k] = '\0';
}

/* Append at most width columns of s (UTF-8 aware), padded with spaces. */
static void put_cols(struct buf *out, const char *s, size_t width, bool pad)
{
	size_t cols = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0' && cols < width;
	     cols++) {
		size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

		for (size_t i = 0; i < n && p[i] != '\0'; i++)
			buf_append_byte(out, (p[i] < 0x20) ? ' ' : p[i]);
		while (n > 0 && *p != '\0') {
			p++;
			n--;
		}
	}
	while (pad && cols++ < width)
		buf_append_byte(out, ' ');
}

void summary_line(struct buf *out, const struct summary *sum, bool show_folder)
{
	char date[32], marks[8];
	time_t t = (time_t)sum->date;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	summary_marks(sum, marks);
	buf_printf(out, "%6lld %s %s  ", (long long)sum->cid, marks, date);
	if (show_folder) {
		put_cols(out, sum->folder, 16, true);
		buf_append_str(out, "  ");
	}
	put_cols(out, sum->from, 22, true);
	buf_append_str(out, "  ");
	for (int i = 0; i < sum->depth; i++)
		buf_append_str(out, "  ");
	put_cols(out, sum->subject[0] ? sum->subject : "(no subject)", 200, false);
	buf_append_byte(out, '\n');
}

void summary_json(struct buf *out, const struct summary *sum)
{
	buf_printf(out, "{\"id\":%lld,\"folder\":", (long long)sum->cid);
	cli_json_str(out, sum->folder);
	buf_printf(out, ",\"uid\":%u,\"date\":%lld,\"from\":", sum->uid, (long long)sum->date);
	cli_json_str(out, sum->from);
	buf_append_str(out, ",\"from_address\":");
	cli_json_str(out, sum->from_addr);
	buf_append_str(out, ",\"subject\":");
	cli_json_str(out, sum->subject);
	buf_append_str(out, ",\"message_id\":");
	cli_json_str(out, sum->message_id);
	buf_printf(out,
		   ",\"seen\":%s,\"answered\":%s,\"flagged\":%s,\"deleted\":%s,\"draft\":%s,"
		   "\"pending\":%s,\"downloaded\":%s,\"size\":%llu,\"depth\":%d}",
		   (sum->flags & STORE_FLAG_SEEN) ? "true" : "false",
		   (sum->flags & STORE_FLAG_ANSWERED) ? "true" : "false",
		   (sum->flags & STORE_FLAG_FLAGGED) ? "true" : "false",
		   (sum->flags & STORE_FLAG_DELETED) ? "true" : "false",
		   (sum->flags & STORE_FLAG_DRAFT) ? "true" : "false",
		   sum->pending ? "true" : "false", sum->has_body ? "true" : "false",
		   (unsigned long long)sum->size, sum->depth);
}
