/* load-ops.c — the mix's operations: the command each sends and what its
 * replies must contain (load-session.h). The base messages have UIDs
 * 1..messages and are never expunged, so their FETCH and STORE replies
 * are known exactly. */
#include "load-session.h"
#include "load-msgpool.h"
#include "lib/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void load_session_fail(struct load_session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

static const struct imap_fetch_attr *fetch_attr(const struct imap_resp_fetch *f,
						enum imap_fetch_kind kind)
{
	for (size_t i = 0; i < f->count; i++)
		if (f->attrs[i].item.kind == kind)
			return &f->attrs[i];
	return NULL;
}

/* The UID in a FETCH response, 0 when it has none. */
static uint32_t fetch_uid(const struct imap_resp_fetch *f)
{
	const struct imap_fetch_attr *a = fetch_attr(f, IMAP_FETCH_UID);

	return a != NULL && a->u.number <= UINT32_MAX ? (uint32_t)a->u.number : 0;
}

static bool has_flag(const struct imap_strlist *flags, const char *flag)
{
	for (size_t i = 0; i < flags->count; i++)
		if (str_casecmp(flags->items[i], flag) == 0)
			return true;
	return false;
}

static uint32_t random_uid(struct load_session *s)
{
	return 1 + bench_rand_below(&s->rnd, s->run->o->messages);
}

static void ignore(struct load_session *s, const struct imap_response *r)
{
	(void)s;
	(void)r;
}

static int complete(struct load_session *s, const struct imap_response *r)
{
	(void)s;
	(void)r;
	return 1;
}

/* Does another client use this session's user? Then that client's
 * expunges and flag changes may be reported to this session as well,
 * during any command (RFC 9051 section 7.5.1). */
static bool user_shared(const struct load_session *s)
{
	return s->run->o->clients > s->run->o->users;
}

/* Ops whose reply must hold exactly one matching untagged response. */
static int one_match(struct load_session *s, const struct imap_response *r)
{
	(void)r;
	if (s->matches != 1)
		load_session_fail(s, "%s: %u matching responses, expected 1", load_op_name(s->op),
				  s->matches);
	return 1;
}

static bool login_start(struct load_session *s)
{
	char user[128], pass[128];

	load_user_name(s->run->o, s->user, user, sizeof(user));
	load_user_pass(s->run->o, s->user, pass, sizeof(pass));
	load_conn_command(s->conn, "LOGIN \"%s\" \"%s\"", user, pass);
	return true;
}

static bool select_start(struct load_session *s)
{
	s->exists = 0;
	s->uidvalidity = 0;
	load_conn_command(s->conn, "SELECT INBOX");
	return true;
}

static void select_untagged(struct load_session *s, const struct imap_response *r)
{
	if (r->kind == IMAP_RESP_STATUS && r->u.status.code.kind == IMAP_CODE_UIDVALIDITY)
		s->uidvalidity = (uint32_t)r->u.status.code.u.number;
}

static int select_done(struct load_session *s, const struct imap_response *r)
{
	(void)r;
	if (s->uidvalidity == 0)
		load_session_fail(s, "SELECT without UIDVALIDITY");
	else if (s->exists < s->run->o->messages)
		load_session_fail(s, "INBOX of user %u has %u messages, expected at least %u",
				  s->user, s->exists, s->run->o->messages);
	return 1;
}

static bool listview_start(struct load_session *s)
{
	unsigned n = s->run->o->messages < LOAD_LISTVIEW ? s->run->o->messages : LOAD_LISTVIEW;

	s->uid_lo = 1 + bench_rand_below(&s->rnd, s->run->o->messages - n + 1);
	s->uid_hi = s->uid_lo + n - 1;
	s->seen_mask = 0;
	load_conn_command(s->conn, "UID FETCH %u:%u " LOAD_LISTVIEW_ITEMS, s->uid_lo, s->uid_hi);
	return true;
}

static void listview_untagged(struct load_session *s, const struct imap_response *r)
{
	const struct imap_resp_fetch *f = &r->u.fetch;
	uint32_t uid;
	uint64_t bit;

	if (r->kind != IMAP_RESP_FETCH || fetch_attr(f, IMAP_FETCH_ENVELOPE) == NULL)
		return; /* a flag update is not an answer */
	uid = fetch_uid(f);
	if (uid < s->uid_lo || uid > s->uid_hi) {
		load_session_fail(s, "list view: FETCH of UID %u outside %u:%u", uid, s->uid_lo,
				  s->uid_hi);
		return;
	}
	if (fetch_attr(f, IMAP_FETCH_BODYSTRUCTURE) == NULL ||
	    fetch_attr(f, IMAP_FETCH_BODY_SECTION) == NULL ||
	    fetch_attr(f, IMAP_FETCH_FLAGS) == NULL ||
	    fetch_attr(f, IMAP_FETCH_RFC822_SIZE) == NULL ||
	    fetch_attr(f, IMAP_FETCH_INTERNALDATE) == NULL) {
		load_session_fail(s, "list view: FETCH of UID %u lacks an item", uid);
		return;
	}
	bit = 1ull << (uid - s->uid_lo);
	if ((s->seen_mask & bit) != 0)
		load_session_fail(s, "list view: UID %u twice", uid);
	s->seen_mask |= bit;
}

static int listview_done(struct load_session *s, const struct imap_response *r)
{
	unsigned got = (unsigned)__builtin_popcountll(s->seen_mask);

	(void)r;
	if (got != s->uid_hi - s->uid_lo + 1)
		load_session_fail(s, "list view: %u of %u messages", got,
				  s->uid_hi - s->uid_lo + 1);
	return 1;
}

static bool body_start(struct load_session *s)
{
	s->uid = random_uid(s);
	load_conn_command(s->conn, "UID FETCH %u (RFC822.SIZE BODY.PEEK[])", s->uid);
	return true;
}

static void body_untagged(struct load_session *s, const struct imap_response *r)
{
	const struct imap_fetch_attr *size, *body;

	if (r->kind != IMAP_RESP_FETCH || fetch_uid(&r->u.fetch) != s->uid)
		return;
	size = fetch_attr(&r->u.fetch, IMAP_FETCH_RFC822_SIZE);
	body = fetch_attr(&r->u.fetch, IMAP_FETCH_BODY_SECTION);
	if (size == NULL || body == NULL)
		return; /* a flag update */
	if (body->u.string.len == 0 || body->u.string.len != size->u.number)
		load_session_fail(s, "body of UID %u: %llu bytes, RFC822.SIZE %llu", s->uid,
				  (unsigned long long)body->u.string.len,
				  (unsigned long long)size->u.number);
	s->matches++;
}

/* RFC 9051 section 6.4.6 returns the new flags "as if a FETCH of those
 * flags was done", but Dovecot sends nothing for a message whose flags
 * did not change (+FLAGS of a flag already set). So: at most one answer,
 * and if there is one it must be right. */
static int store_done(struct load_session *s, const struct imap_response *r)
{
	(void)r;
	if (s->matches > 1 && !user_shared(s))
		load_session_fail(s, "store: %u FETCH responses for UID %u", s->matches, s->uid);
	return 1;
}

static bool store_start(struct load_session *s)
{
	s->uid = random_uid(s);
	s->flag_add = bench_rand_chance(&s->rnd, 0.5);
	load_conn_command(s->conn, "UID STORE %u %cFLAGS (\\Flagged)", s->uid,
			  s->flag_add ? '+' : '-');
	return true;
}

static void store_untagged(struct load_session *s, const struct imap_response *r)
{
	const struct imap_fetch_attr *flags;

	if (r->kind != IMAP_RESP_FETCH || fetch_uid(&r->u.fetch) != s->uid)
		return;
	flags = fetch_attr(&r->u.fetch, IMAP_FETCH_FLAGS);
	if (flags == NULL)
		return;
	if (has_flag(&flags->u.flags, "\\Flagged") != s->flag_add && !user_shared(s))
		load_session_fail(s, "STORE %cFLAGS: UID %u came back with \\Flagged %s",
				  s->flag_add ? '+' : '-', s->uid, s->flag_add ? "unset" : "set");
	s->matches++;
}

static bool append_start(struct load_session *s)
{
	const struct buf *m;

	if (s->npending == LOAD_PENDING_MAX)
		return false;
	s->uid = (uint32_t)bench_rand_u64(&s->rnd); /* which pool message goes */
	m = load_msgpool_get(s->pool, s->uid);
	load_conn_command(s->conn, "APPEND INBOX (\\Seen) {%zu}", m->len);
	return true;
}

static void append_untagged(struct load_session *s, const struct imap_response *r)
{
	const struct buf *m;

	if (r->kind != IMAP_RESP_CONTINUE)
		return;
	if (s->matches++ > 0) {
		load_session_fail(s, "APPEND: a second continuation");
		return;
	}
	m = load_msgpool_get(s->pool, s->uid);
	load_conn_write(s->conn, m->data, m->len);
	load_conn_write(s->conn, "\r\n", 2);
}

static int append_done(struct load_session *s, const struct imap_response *r)
{
	const struct imap_resp_code *code = &r->u.status.code;

	if (code->kind != IMAP_CODE_APPENDUID || code->u.appenduid.uids.count != 1 ||
	    code->u.appenduid.uids.ranges[0].first != code->u.appenduid.uids.ranges[0].last) {
		load_session_fail(s, "APPEND without one APPENDUID");
		return 1;
	}
	if (code->u.appenduid.uidvalidity != s->uidvalidity)
		load_session_fail(s, "APPENDUID with UIDVALIDITY %u, SELECT said %u",
				  code->u.appenduid.uidvalidity, s->uidvalidity);
	else if (code->u.appenduid.uids.ranges[0].first <= s->run->o->messages)
		load_session_fail(s, "APPENDUID %u among the base messages",
				  code->u.appenduid.uids.ranges[0].first);
	else
		s->pending[s->npending++] = code->u.appenduid.uids.ranges[0].first;
	return 1;
}

static bool expunge_start(struct load_session *s)
{
	if (s->npending == 0)
		return false;
	s->uid = s->pending[s->npending - 1];
	load_conn_command(s->conn, "UID STORE %u +FLAGS.SILENT (\\Deleted)", s->uid);
	return true;
}

static void expunge_untagged(struct load_session *s, const struct imap_response *r)
{
	if (r->kind == IMAP_RESP_EXPUNGE || r->kind == IMAP_RESP_VANISHED)
		s->matches++;
}

static int expunge_done(struct load_session *s, const struct imap_response *r)
{
	(void)r;
	if (s->phase == 0) {
		s->phase = 1;
		s->matches = 0;
		load_conn_command(s->conn, "UID EXPUNGE %u", s->uid);
		return 0;
	}
	/* Another session of the same user may have expunged meanwhile. */
	if (s->matches == 1 || (s->matches > 1 && user_shared(s)))
		s->npending--;
	else
		load_session_fail(s, "UID EXPUNGE %u: %u expunges reported", s->uid, s->matches);
	return 1;
}

static bool idle_start(struct load_session *s)
{
	load_conn_command(s->conn, "IDLE");
	return true;
}

static void idle_untagged(struct load_session *s, const struct imap_response *r)
{
	if (r->kind != IMAP_RESP_CONTINUE)
		return;
	if (s->matches++ == 0)
		load_conn_write(s->conn, "DONE\r\n", 6);
}

static bool noop_start(struct load_session *s)
{
	load_conn_command(s->conn, "NOOP");
	return true;
}

static bool search_start(struct load_session *s)
{
	load_conn_command(s->conn, "UID SEARCH UNSEEN");
	return true;
}

static void search_untagged(struct load_session *s, const struct imap_response *r)
{
	if (r->kind == IMAP_RESP_SEARCH || r->kind == IMAP_RESP_ESEARCH)
		s->matches++;
}

static bool status_start(struct load_session *s)
{
	load_conn_command(s->conn, "STATUS Sent (MESSAGES UIDNEXT UNSEEN)");
	return true;
}

static void status_untagged(struct load_session *s, const struct imap_response *r)
{
	if (r->kind == IMAP_RESP_STATUS_DATA && strcmp(r->u.status_data.mailbox, "Sent") == 0 &&
	    r->u.status_data.count == 3)
		s->matches++;
}

static bool list_start(struct load_session *s)
{
	s->seen_mask = 0;
	load_conn_command(s->conn, "LIST \"\" \"*\"");
	return true;
}

static void list_untagged(struct load_session *s, const struct imap_response *r)
{
	if (r->kind != IMAP_RESP_LIST)
		return;
	s->matches++;
	if (str_casecmp(r->u.list.mailbox, "INBOX") == 0)
		s->seen_mask |= 1;
	else if (strcmp(r->u.list.mailbox, "Sent") == 0)
		s->seen_mask |= 2;
}

static int list_done(struct load_session *s, const struct imap_response *r)
{
	(void)r;
	if (s->seen_mask != 3)
		load_session_fail(s, "LIST lacks INBOX or Sent (%u mailboxes)", s->matches);
	return 1;
}

static bool logout_start(struct load_session *s)
{
	s->saw_bye = false;
	load_conn_command(s->conn, "LOGOUT");
	return true;
}

static int logout_done(struct load_session *s, const struct imap_response *r)
{
	(void)r;
	if (!s->saw_bye)
		load_session_fail(s, "LOGOUT without BYE");
	return 1;
}

static const struct load_op_def defs[LOAD_OP_COUNT] = {
	[LOAD_OP_LOGIN] = {login_start, ignore, complete},
	[LOAD_OP_SELECT] = {select_start, select_untagged, select_done},
	[LOAD_OP_LISTVIEW] = {listview_start, listview_untagged, listview_done},
	[LOAD_OP_BODY] = {body_start, body_untagged, one_match},
	[LOAD_OP_STORE] = {store_start, store_untagged, store_done},
	[LOAD_OP_APPEND] = {append_start, append_untagged, append_done},
	[LOAD_OP_EXPUNGE] = {expunge_start, expunge_untagged, expunge_done},
	[LOAD_OP_IDLE] = {idle_start, idle_untagged, one_match},
	[LOAD_OP_NOOP] = {noop_start, ignore, complete},
	[LOAD_OP_SEARCH] = {search_start, search_untagged, one_match},
	[LOAD_OP_STATUS] = {status_start, status_untagged, one_match},
	[LOAD_OP_LIST] = {list_start, list_untagged, list_done},
	[LOAD_OP_LOGOUT] = {logout_start, ignore, logout_done},
};

const struct load_op_def *load_op_def(enum load_op op)
{
	return &defs[op];
}
