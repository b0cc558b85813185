/* store-search.c — SEARCH and SORT: the search tree becomes one SQL query
 * over messages, files and the FTS5 trigram index (see store-search.h). */
#include "store-search.h"
#include "store-private.h"
#include "lib/buf.h"
#include "lib/casemap.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>
#include <time.h>
#include <unicase.h>
#include <uninorm.h>

/* Day number of a timestamp, flooring for times before 1970 too. */
#define DAY_OF(x)         "(((" x ") + 86400000000) / 86400 - 1000000)"
#define RANGES_INLINE_MAX 16
/* A text key every match must satisfy whose files number at most this
 * many drives the main query through the messages_file index instead of
 * a scan of the whole mailbox: a rare word's SEARCH TEXT then reads a
 * handful of rows, not 100,000 (a lookup costs about what scanning 30
 * rows does, so past a few thousand the scan wins). */
#define SMALL_SET_MAX 1000
/* A needle whose phrase matches at most this many files in any column has
 * its column filter checked on the stored text of those files rather than
 * by FTS5 (see file_set_read). */
#define VERIFY_MAX 2000

static size_t small_set_max = SMALL_SET_MAX, verify_max = VERIFY_MAX;

void store_search_set_thresholds(size_t small_set, size_t verify)
{
	small_set_max = small_set;
	verify_max = verify;
}

struct bind {
	enum { BIND_INT, BIND_TEXT, BIND_PTR } type;
	int64_t i;
	const char *s;
	const void *p;
};

/* The files whose search text holds one needle, in ascending rowid order
 * as FTS5 returns them: read by build() before the main query is put
 * together, so
 * that query tests each message with a binary search (hf_file_in) rather
 * than SQLite building and probing a temporary index of the rowids, which
 * was a fifth of a common word's SEARCH TEXT. One entry per matching file
 * of the store at most. */
struct file_set {
	const char *phrase;     /* the FTS5 query, owned by the query */
	const char *any_phrase; /* the same in every column, owned too */
	const char *needle;     /* folded, owned by the query */
	const char *columns;    /* space-separated fts columns (a constant) */
	int64_t *ids;
	size_t count, cap;
	bool required; /* every match holds it: not under OR or NOT */
};

struct query {
	struct store *s;
	struct buf sql;
	struct bind *binds;
	size_t nbinds, cap;
	char **owned;
	size_t nowned;
	struct file_set **sets;
	size_t nsets;
	bool own_tx; /* build() began a read transaction */
	int depth;
	int optional; /* > 0 while emitting under OR or NOT */
	bool files;   /* the condition reads a column of files (f.*) */
};

static void bind_int(struct query *q, int64_t v)
{
	if (q->nbinds == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->binds = xreallocarray(q->binds, q->cap, sizeof(*q->binds));
	}
	q->binds[q->nbinds++] = (struct bind){BIND_INT, v, NULL, NULL};
	buf_append_byte(&q->sql, '?');
}

static void bind_text(struct query *q, const char *s)
{
	bind_int(q, 0);
	q->binds[q->nbinds - 1].type = BIND_TEXT;
	q->binds[q->nbinds - 1].s = s;
}

static void bind_ptr(struct query *q, const void *p, const char *ptr_type)
{
	bind_int(q, 0);
	q->binds[q->nbinds - 1].type = BIND_PTR;
	q->binds[q->nbinds - 1].p = p;
	q->binds[q->nbinds - 1].s = ptr_type;
}

static const char *own(struct query *q, char *s)
{
	q->owned = xreallocarray(q->owned, q->nowned + 1, sizeof(*q->owned));
	q->owned[q->nowned++] = s;
	return s;
}

/* After the main statement is finalized. */
static void query_free(struct query *q)
{
	/* A read transaction has nothing to keep: ending it loses nothing. */
	if (q->own_tx && sqlite3_get_autocommit(q->s->db) == 0)
		sqlite3_exec(q->s->db, "COMMIT", NULL, NULL, NULL);
	for (size_t i = 0; i < q->nowned; i++)
		free(q->owned[i]);
	free(q->owned);
	for (size_t i = 0; i < q->nsets; i++) {
		free(q->sets[i]->ids);
		free(q->sets[i]);
	}
	free(q->sets);
	free(q->binds);
	buf_free(&q->sql);
}

/* Replace invalid UTF-8 by U+FFFD so case folding never fails. */
static char *utf8_sanitize(const char *text, size_t len, size_t *len_r)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < len;) {
		size_t n = 1;
		unsigned char c = (unsigned char)text[i];

		if (c >= 0xc0)
			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c >= 0x80 && (i + n > len || !utf8_valid(text + i, n))) {
			buf_append_str(&b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (c == 0)
			buf_append_byte(&b, ' ');
		else
			buf_append(&b, text + i, n);
		i += n;
	}
	return buf_detach(&b, len_r);
}

/* Fold a run of bytes that are all >= 0x80 and append it to out. */
static void fold_run(struct buf *out, const char *text, size_t len)
{
	size_t clean_len, out_len = 0;
	char *clean = utf8_sanitize(text, len, &clean_len);
	uint8_t *folded;

	/* i;unicode-casemap (RFC 5051): case folding plus NFKD. */
	folded = u8_casefold((const uint8_t *)clean, clean_len, NULL, UNINORM_NFKD, NULL, &out_len);
	if (folded != NULL)
		buf_append(out, folded, out_len);
	else
		buf_append(out, clean, clean_len);
	free(folded);
	free(clean);
}

/* Most mail text is ASCII, whose folding is ASCII lower case, and
 * libunistring costs some hundred instructions a byte: so only runs of
 * non-ASCII bytes go through it. Cutting the text before every ASCII byte
 * gives the same result as folding it whole: case folding maps each
 * character on its own, and NFKD never composes and reorders only
 * combining marks, which never cross an ASCII character (a starter). */
char *store_search_fold(const char *text, size_t len, size_t *len_r)
{
	struct buf out = BUF_INIT;
	size_t i = 0;

	buf_reserve(&out, len + 1);
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		size_t start = i;

		if (c < 0x80) {
			/* NUL becomes a space, as utf8_sanitize() does. */
			buf_append_byte(&out, c == 0 ? ' ' : c >= 'A' && c <= 'Z' ? c + 32 : c);
			i++;
			continue;
		}
		while (i < len && (unsigned char)text[i] >= 0x80)
			i++;
		fold_run(&out, text + start, i - start);
	}
	return buf_detach(&out, len_r);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* An FTS5 phrase: the needle in double quotes, inner quotes doubled,
 * limited to columns unless that is NULL. */
static char *fts_phrase(const char *columns, const char *needle)
{
	struct buf b = BUF_INIT;

	if (columns != NULL)
		buf_printf(&b, "{%s}: ", columns);
	buf_append_byte(&b, '"');
	for (const char *p = needle; *p != '\0'; p++) {
		if (*p == '"')
			buf_append_byte(&b, '"');
		buf_append_byte(&b, (unsigned char)*p);
	}
	buf_append_byte(&b, '"');
	return buf_detach(&b, NULL);
}

static int emit_text(struct query *q, const char *columns, const char *fallback_expr,
		     const char *str)
{
	size_t flen;
	const char *needle = own(q, store_search_fold(str, strlen(str), &flen));
	struct file_set *set;

	if (needle[0] == '\0') {
		buf_append_str(&q->sql, "1");
		return STORE_OK;
	}
	if (utf8_chars(needle) < 3) {
		/* Too short for a trigram: scan the stored text. */
		buf_printf(&q->sql, "m.file_id IN (SELECT rowid FROM fts WHERE instr(%s, ",
			   fallback_expr);
		bind_text(q, needle);
		buf_append_str(&q->sql, ") > 0)");
		return STORE_OK;
	}
	set = xcalloc(1, sizeof(*set));
	set->phrase = own(q, fts_phrase(columns, needle));
	set->any_phrase = own(q, fts_phrase(NULL, needle));
	set->needle = needle;
	set->columns = columns;
	set->required = q->optional == 0;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	q->sets = xreallocarray(q->sets, q->nsets + 1, sizeof(*q->sets));
	q->sets[q->nsets++] = set;
	buf_append_str(&q->sql, "hf_file_in(m.file_id, ");
	bind_ptr(q, set, "hafen-file-set");
	buf_append_byte(&q->sql, ')');
	return STORE_OK;
}

static void emit_header(struct query *q, const struct store_search_key *k)
{
	size_t flen;
	const char *needle = own(q, store_search_fold(k->str, strlen(k->str), &flen));
	char *field = xstrdup(k->field ? k->field : "");

	str_lower_inplace(field);
	own(q, field);
	buf_append_str(&q->sql, "m.file_id IN (SELECT rowid FROM fts WHERE ");
	if (utf8_chars(needle) >= 3) {
		buf_append_str(&q->sql, "fts MATCH ");
		bind_text(q, own(q, fts_phrase("headers", needle)));
		buf_append_str(&q->sql, " AND ");
	}
	buf_append_str(&q->sql, "hf_header_match(headers, ");
	bind_text(q, field);
	buf_append_str(&q->sql, ", ");
	bind_text(q, needle);
	buf_append_str(&q->sql, "))");
}

static void emit_uids(struct query *q, const struct rangeset *uids)
{
	if (uids == NULL || uids->count == 0) {
		buf_append_str(&q->sql, "0");
		return;
	}
	if (uids->count > RANGES_INLINE_MAX) {
		buf_append_str(&q->sql, "hf_uid_in(m.uid, ");
		bind_ptr(q, uids, "hafen-rangeset");
		buf_append_byte(&q->sql, ')');
		return;
	}
	buf_append_byte(&q->sql, '(');
	for (size_t i = 0; i < uids->count; i++) {
		buf_append_str(&q->sql, i ? " OR m.uid BETWEEN " : "m.uid BETWEEN ");
		bind_int(q, uids->r[i].lo);
		buf_append_str(&q->sql, " AND ");
		bind_int(q, uids->r[i].hi);
	}
	buf_append_byte(&q->sql, ')');
}

static void emit_day(struct query *q, const char *expr, const char *cmp, int64_t day)
{
	buf_printf(&q->sql, "%s %s ", expr, cmp);
	bind_int(q, day);
}

static int emit(struct query *q, const struct store_search_key *k);

static int emit_list(struct query *q, const struct store_search_key *first, const char *joiner,
		     const char *empty)
{
	if (first == NULL) {
		buf_append_str(&q->sql, empty);
		return STORE_OK;
	}
	buf_append_byte(&q->sql, '(');
	for (const struct store_search_key *c = first; c != NULL; c = c->next) {
		int ret;

		if (c != first)
			buf_append_str(&q->sql, joiner);
		if ((ret = emit(q, c)) != STORE_OK)
			return ret;
	}
	buf_append_byte(&q->sql, ')');
	return STORE_OK;
}

#define INTERNAL_DAY DAY_OF("m.internaldate + m.tz * 60")
#define SENT_DAY     DAY_OF("COALESCE(f.sent_date + f.sent_tz * 60, m.internaldate + m.tz * 60)")
#define SAVED_DAY    DAY_OF("m.savedate")

static int emit_date(struct query *q, const struct store_search_key *k)
{
	/* SENT_DAY reads the Date: field from files. */
	if (k->op >= STORE_SEARCH_SENTBEFORE && k->op <= STORE_SEARCH_SENTSINCE)
		q->files = true;
	switch (k->op) {
	case STORE_SEARCH_BEFORE:
		emit_day(q, INTERNAL_DAY, "<", k->num);
		break;
	case STORE_SEARCH_ON:
		emit_day(q, INTERNAL_DAY, "=", k->num);
		break;
	case STORE_SEARCH_SINCE:
		emit_day(q, INTERNAL_DAY, ">=", k->num);
		break;
	case STORE_SEARCH_SENTBEFORE:
		emit_day(q, SENT_DAY, "<", k->num);
		break;
	case STORE_SEARCH_SENTON:
		emit_day(q, SENT_DAY, "=", k->num);
		break;
	case STORE_SEARCH_SENTSINCE:
		emit_day(q, SENT_DAY, ">=", k->num);
		break;
	case STORE_SEARCH_SAVEDBEFORE:
		emit_day(q, SAVED_DAY, "<", k->num);
		break;
	case STORE_SEARCH_SAVEDON:
		emit_day(q, SAVED_DAY, "=", k->num);
		break;
	default:
		emit_day(q, SAVED_DAY, ">=", k->num);
		break;
	}
	return STORE_OK;
}

static int emit(struct query *q, const struct store_search_key *k)
{
	int64_t now = (int64_t)time(NULL);
	int ret = STORE_OK;

	/* Depth is bounded by the IMAP parser; this is a second fence. */
	if (++q->depth > 1000)
		return STORE_ERR_LIMIT;
	switch (k->op) {
	case STORE_SEARCH_ALL:
		buf_append_str(&q->sql, "1");
		break;
	case STORE_SEARCH_NONE:
		buf_append_str(&q->sql, "0");
		break;
	case STORE_SEARCH_AND:
		ret = emit_list(q, k->child, " AND ", "1");
		break;
	case STORE_SEARCH_OR:
		q->optional++;
		ret = emit_list(q, k->child, " OR ", "0");
		q->optional--;
		break;
	case STORE_SEARCH_NOT:
		buf_append_str(&q->sql, "NOT ");
		q->optional++;
		ret = emit_list(q, k->child, " AND ", "1");
		q->optional--;
		break;
	case STORE_SEARCH_UIDS:
		emit_uids(q, k->uids);
		break;
	case STORE_SEARCH_FLAGS_SET:
		buf_printf(&q->sql, "(m.flags & %u) = %u", k->flags, k->flags);
		break;
	case STORE_SEARCH_FLAGS_UNSET:
		buf_printf(&q->sql, "(m.flags & %u) = 0", k->flags);
		break;
	case STORE_SEARCH_KEYWORD:
	case STORE_SEARCH_UNKEYWORD:
		buf_printf(&q->sql, "instr(' ' || lower(m.keywords) || ' ', ' ' || lower(");
		bind_text(q, k->str);
		buf_printf(&q->sql, ") || ' ') %s 0", k->op == STORE_SEARCH_KEYWORD ? ">" : "=");
		break;
	case STORE_SEARCH_LARGER:
	case STORE_SEARCH_SMALLER:
		buf_printf(&q->sql, "m.size %s ", k->op == STORE_SEARCH_LARGER ? ">" : "<");
		bind_int(q, k->num);
		break;
	case STORE_SEARCH_BEFORE ... STORE_SEARCH_SAVEDSINCE:
		ret = emit_date(q, k);
		break;
	case STORE_SEARCH_OLDER:
	case STORE_SEARCH_YOUNGER:
		buf_printf(&q->sql, "m.internaldate %s ", k->op == STORE_SEARCH_OLDER ? "<=" : ">");
		bind_int(q, now - k->num);
		break;
	case STORE_SEARCH_MODSEQ:
		buf_append_str(&q->sql, "m.modseq >= ");
		bind_int(q, k->num);
		break;
	case STORE_SEARCH_HEADER:
		emit_header(q, k);
		break;
	case STORE_SEARCH_FROM:
		ret = emit_text(q, "hdr_from", "hdr_from", k->str);
		break;
	case STORE_SEARCH_TO:
		ret = emit_text(q, "hdr_to", "hdr_to", k->str);
		break;
	case STORE_SEARCH_CC:
		ret = emit_text(q, "hdr_cc", "hdr_cc", k->str);
		break;
	case STORE_SEARCH_BCC:
		ret = emit_text(q, "hdr_bcc", "hdr_bcc", k->str);
		break;
	case STORE_SEARCH_SUBJECT:
		ret = emit_text(q, "subject", "subject", k->str);
		break;
	case STORE_SEARCH_BODY:
		ret = emit_text(q, "body", "body", k->str);
		break;
	case STORE_SEARCH_TEXT:
		ret = emit_text(q, "headers body", "headers || ' ' || body", k->str);
		break;
	case STORE_SEARCH_EMAILID:
		q->files = true;
		buf_append_str(&q->sql, "f.name = ");
		bind_text(q, k->str);
		break;
	case STORE_SEARCH_THREADID:
		q->files = true;
		buf_append_str(&q->sql, "f.threadid = ");
		bind_text(q, k->str);
		break;
	default:
		ret = STORE_ERR_INVALID;
	}
	q->depth--;
	return ret;
}

static void file_set_add(struct file_set *set, int64_t id)
{
	if (set->count == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 256;
		set->ids = xreallocarray(set->ids, set->cap, sizeof(*set->ids));
	}
	set->ids[set->count++] = id;
}

/* Run an FTS5 query and add the rowids it returns, at most limit of them
 * (-1: all). */
static int file_set_query(struct store *s, struct file_set *set, const char *phrase, int64_t limit)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT rowid FROM fts WHERE fts MATCH ?1 LIMIT ?2", -1,
				    &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "prepare text search");
	sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		file_set_add(set, sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : store_sql_error(s, rc, "text search");
}

/* Keep only the files whose stored text holds the needle in one of the
 * set's columns: what the column filter of its phrase means, since the
 * trigram phrase of a folded needle matches where the folded text holds
 * it as a substring (the short-needle scan in emit_text relies on the
 * same). */
static int file_set_verify(struct store *s, struct file_set *set)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	size_t kept = 0, nlen = strlen(set->needle);
	int ncols = 1, rc, err = SQLITE_OK;

	buf_append_str(&sql, "SELECT ");
	for (const char *c = set->columns; *c != '\0'; c++) {
		buf_append_str(&sql, *c == ' ' ? ", " : "");
		if (*c != ' ')
			buf_append_byte(&sql, (unsigned char)*c);
		ncols += *c == ' ';
	}
	buf_append_str(&sql, " FROM fts WHERE rowid = ?1");
	rc = sqlite3_prepare_v2(s->db, buf_cstr(&sql), -1, &st, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "prepare text check");
	for (size_t i = 0; i < set->count && err == SQLITE_OK; i++) {
		bool found = false;

		sqlite3_bind_int64(st, 1, set->ids[i]);
		rc = sqlite3_step(st);
		for (int c = 0; rc == SQLITE_ROW && c < ncols && !found; c++) {
			const void *text = sqlite3_column_text(st, c);

			found = text != NULL && mem_find(text, (size_t)sqlite3_column_bytes(st, c),
							 set->needle, nlen) != NULL;
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			err = rc;
		if (found)
			set->ids[kept++] = set->ids[i];
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	set->count = kept;
	return err == SQLITE_OK ? STORE_OK : store_sql_error(s, err, "text check");
}

/* The files of a text key. FTS5 checks a column filter while it compares
 * position lists, which costs about half again as much as the phrase
 * alone (a rare word's TEXT search in 100,000 messages: 60 ms against
 * 40). So the phrase runs in every column first, stopping past
 * VERIFY_MAX files: a rare needle then has its few files checked on
 * their stored text, and a common one stops early and runs with its
 * filter, at the cost of reading its first VERIFY_MAX files twice. */
static int file_set_read(struct store *s, struct file_set *set)
{
	int64_t limit = verify_max < INT64_MAX ? (int64_t)verify_max + 1 : -1;
	int ret = file_set_query(s, set, set->any_phrase, limit);

	if (ret != STORE_OK)
		return ret;
	if (set->count <= verify_max)
		return file_set_verify(s, set);
	set->count = 0;
	return file_set_query(s, set, set->phrase, -1);
}

/* The text keys' file sets and the main query must see one snapshot: a
 * read transaction holds them together unless the caller has one open. */
static int file_sets_read(struct store *s, struct query *q)
{
	int ret = STORE_OK;

	if (q->nsets > 0 && sqlite3_get_autocommit(s->db) != 0) {
		int rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);

		if (rc != SQLITE_OK)
			return store_sql_error(s, rc, "begin search");
		q->own_tx = true;
	}
	for (size_t i = 0; i < q->nsets && ret == STORE_OK; i++)
		ret = file_set_read(s, q->sets[i]);
	return ret;
}

/* The smallest set every match must be in, when it is small enough to
 * drive the query (small_set_max); NULL otherwise. */
static const struct file_set *driving_set(const struct query *q)
{
	const struct file_set *best = NULL;

	for (size_t i = 0; i < q->nsets; i++) {
		const struct file_set *set = q->sets[i];

		if (set->required && set->count <= small_set_max &&
		    (best == NULL || set->count < best->count))
			best = set;
	}
	return best;
}

static int prepare(struct store *s, struct query *q, sqlite3_stmt **st_r)
{
	int rc = sqlite3_prepare_v2(s->db, buf_cstr(&q->sql), (int)q->sql.len, st_r, NULL);
	if (rc != SQLITE_OK)
		return store_sql_error(s, rc, "prepare search");
	for (size_t i = 0; i < q->nbinds; i++) {
		const struct bind *b = &q->binds[i];
		int col = (int)i + 1;

		if (b->type == BIND_INT)
			sqlite3_bind_int64(*st_r, col, b->i);
		else if (b->type == BIND_TEXT)
			sqlite3_bind_text(*st_r, col, b->s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_pointer(*st_r, col, (void *)b->p, b->s, NULL);
	}
	return STORE_OK;
}

/* The SELECT over a mailbox's messages, joined to files only when the
 * condition or the order reads a files column: the join costs a lookup
 * of a large row per message, most of a text search's time otherwise. */
static int build(struct store *s, struct query *q, int64_t mailbox_id,
		 const struct store_search_key *key, const char *columns, bool order_needs_files)
{
	struct buf full = BUF_INIT;
	const struct file_set *drive;
	int ret = STORE_OK;

	q->s = s;
	/* Binds are numbered by position, so the condition can be emitted
	 * first and the bind-free SELECT ... WHERE put before it. */
	buf_append_str(&q->sql, "m.mailbox_id = ");
	bind_int(q, mailbox_id);
	buf_append_str(&q->sql, " AND ");
	if (key != NULL)
		ret = emit(q, key);
	else
		buf_append_str(&q->sql, "1");
	if (ret == STORE_OK)
		ret = file_sets_read(s, q);
	buf_printf(&full, "SELECT %s FROM messages m%s WHERE ", columns,
		   q->files || order_needs_files ? " JOIN files f ON f.id = m.file_id" : "");
	drive = ret == STORE_OK ? driving_set(q) : NULL;
	if (drive != NULL) {
		/* The unary + keeps SQLite from using the primary key for the
		 * mailbox, so it looks the few files up in messages_file. The
		 * IN list repeats a condition already in the WHERE: the
		 * result is the same, only the plan changes. */
		buf_append_byte(&full, '+');
	}
	buf_append(&full, q->sql.data, q->sql.len);
	if (drive != NULL) {
		buf_append_str(&full, " AND m.file_id IN (");
		for (size_t i = 0; i < drive->count; i++)
			buf_printf(&full, i ? ",%lld" : "%lld", (long long)drive->ids[i]);
		buf_append_byte(&full, ')');
	}
	buf_free(&q->sql);
	q->sql = full;
	return ret;
}

int store_search(struct store *s, int64_t mailbox_id, const struct store_search_key *key,
		 struct rangeset *uids_r, uint64_t *highest_modseq_r)
{
	/* Text still queued for the index is indexed first (store-fts.c). */
	int fts_ret = store_fts_catch_up(s, key);

	if (fts_ret != STORE_OK)
		return fts_ret;
	struct query q = {0};
	sqlite3_stmt *st = NULL;
	uint64_t highest = 0;
	int ret = build(s, &q, mailbox_id, key, "m.uid, m.modseq", false), rc = SQLITE_DONE;

	if (ret == STORE_OK) {
		buf_append_str(&q.sql, " ORDER BY m.uid");
		ret = prepare(s, &q, &st);
	}
	if (ret == STORE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			uint64_t modseq = (uint64_t)sqlite3_column_int64(st, 1);

			rangeset_add(uids_r, (uint32_t)sqlite3_column_int64(st, 0));
			if (modseq > highest)
				highest = modseq;
		}
		if (rc != SQLITE_DONE)
			ret = store_sql_error(s, rc, "search");
	}
	sqlite3_finalize(st);
	query_free(&q);
	if (highest_modseq_r != NULL)
		*highest_modseq_r = highest;
	return ret;
}

static const char *sort_expr(enum store_sort_key key)
{
	switch (key) {
	case STORE_SORT_ARRIVAL:
		return "m.internaldate";
	case STORE_SORT_CC:
		return "COALESCE(f.sort_cc, '') COLLATE hf_casemap";
	case STORE_SORT_DATE:
		/* RFC 5256: the sent date, or the internal date without one. */
		return "COALESCE(f.sent_date, m.internaldate)";
	case STORE_SORT_FROM:
		return "COALESCE(f.sort_from, '') COLLATE hf_casemap";
	case STORE_SORT_SIZE:
		return "m.size";
	case STORE_SORT_SUBJECT:
		return "COALESCE(f.sort_subject, '') COLLATE hf_casemap";
	case STORE_SORT_TO:
		return "COALESCE(f.sort_to, '') COLLATE hf_casemap";
	case STORE_SORT_DISPLAYFROM:
		return "COALESCE(f.display_from, '') COLLATE hf_casemap";
	case STORE_SORT_DISPLAYTO:
		return "COALESCE(f.display_to, '') COLLATE hf_casemap";
	}
	return "m.uid";
}

int store_sort(struct store *s, int64_t mailbox_id, const struct store_search_key *key,
	       const struct store_sort_criterion *crit, size_t ncrit, uint32_t **uids_r,
	       size_t *count_r)
{
	int fts_ret = store_fts_catch_up(s, key);

	if (fts_ret != STORE_OK)
		return fts_ret;
	struct query q = {0};
	sqlite3_stmt *st = NULL;
	uint32_t *uids = NULL;
	size_t count = 0, cap = 0;
	bool files = false;
	int ret, rc;

	/* Keys that are not plain messages columns read files. */
	for (size_t i = 0; i < ncrit; i++)
		files |= strncmp(sort_expr(crit[i].key), "m.", 2) != 0;
	ret = build(s, &q, mailbox_id, key, "m.uid", files);

	buf_append_str(&q.sql, " ORDER BY ");
	for (size_t i = 0; i < ncrit; i++)
		buf_printf(&q.sql, "%s%s, ", sort_expr(crit[i].key),
			   crit[i].reverse ? " DESC" : "");
	buf_append_str(&q.sql, "m.uid");
	if (ret == STORE_OK)
		ret = prepare(s, &q, &st);
	while (ret == STORE_OK && (rc = sqlite3_step(st)) != SQLITE_DONE) {
		if (rc != SQLITE_ROW) {
			ret = store_sql_error(s, rc, "sort");
			break;
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			uids = xreallocarray(uids, cap, sizeof(*uids));
		}
		uids[count++] = (uint32_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	query_free(&q);
	if (ret != STORE_OK) {
		free(uids);
		return ret;
	}
	*uids_r = uids;
	*count_r = count;
	return STORE_OK;
}

/* hf_header_match(headers, field, needle): a line "field: value" of the
 * folded header text whose value contains needle. */
static void fn_header_match(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	const char *field = (const char *)sqlite3_value_text(argv[1]);
	const char *needle = (const char *)sqlite3_value_text(argv[2]);
	size_t flen, nlen;
	int found = 0;

	if (text == NULL || field == NULL || needle == NULL) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	flen = strlen(field);
	nlen = strlen(needle);
	for (const char *line = text; *line != '\0' && !found;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > flen && memcmp(line, field, flen) == 0 && line[flen] == ':')
			found = mem_find(line + flen + 1, len - flen - 1, needle, nlen) != NULL;
		line = end ? end + 1 : line + len;
	}
	sqlite3_result_int(ctx, found);
}

/* hf_file_in(file_id, set): whether a file_set holds file_id. */
static void fn_file_in(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct file_set *set = sqlite3_value_pointer(argv[1], "hafen-file-set");
	int64_t id = sqlite3_value_int64(argv[0]);
	size_t lo = 0, hi = set != NULL ? set->count : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	sqlite3_result_int(ctx, set != NULL && lo < set->count && set->ids[lo] == id);
}

static void fn_uid_in(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct rangeset *set = sqlite3_value_pointer(argv[1], "hafen-rangeset");
	uint32_t uid = (uint32_t)sqlite3_value_int64(argv[0]);

	sqlite3_result_int(ctx, set != NULL && rangeset_contains(set, uid));
}

/* RFC 5256 section 7: SORT collates strings with i;unicode-casemap. */
static int collate_casemap(void *ctx, int alen, const void *a, int blen, const void *b)
{
	(void)ctx;
	return casemap_compare(a, (size_t)alen, b, (size_t)blen);
}

int store_search_register(struct store *s)
{
	int rc = sqlite3_create_function(s->db, "hf_header_match", 3,
					 SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_header_match,
					 NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(s->db, "hf_uid_in", 2, SQLITE_UTF8, NULL, fn_uid_in,
					     NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(s->db, "hf_file_in", 2, SQLITE_UTF8, NULL, fn_file_in,
					     NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_collation_v2(s->db, "hf_casemap", SQLITE_UTF8, NULL,
						 collate_casemap, NULL);
	return rc == SQLITE_OK ? STORE_OK : store_sql_error(s, rc, "register functions");
}
