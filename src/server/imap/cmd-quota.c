/* cmd-quota.c — GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208) over the
 * per-user limits of the store (STORAGE in KiB and MESSAGE resources).
 *
 * Every user has one quota root covering all their mailboxes. A user
 * names their own root "" (what GETQUOTAROOT reports). Administrators —
 * the user names listed in the imap_admins setting — may also name any
 * user's root "#user/NAME", read it with GETQUOTA and change it with
 * SETQUOTA, and only they see QUOTASET; SETQUOTA from anyone else is NO
 * [NOPERM]. To everyone else a root other than their own does not exist,
 * so quota never reveals which other users exist (RFC 9208 section 8).
 *
 * The store takes 0 to mean "no limit"; RFC 9208 3.1.2 gives a limit of
 * 0 the meaning "nothing allowed", which the store cannot express, so
 * SETQUOTA refuses it (leaving the resource out lifts a limit).
 */
#include "imap-commands.h"
#include "server/worker.h"
#include "auth/userdb.h"
#include "imap/imap-write.h"
#include "lib/log.h"
#include "lib/str.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define USER_ROOT_PREFIX "#user/"

static bool is_admin(const struct imap_session *s)
{
	const char *list = s->w->cfg->imap_admins, *p = list;
	size_t ulen = strlen(s->user);

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, " ,\t");

		if (len == ulen && str_eq_ci_n(p, len, s->user))
			return true;
		p += len;
		p += strspn(p, " ,\t");
	}
	return false;
}

/* The quota of one user's root, opened for the command. */
struct quota_root {
	struct user_store *other; /* another user's store, or NULL: ours */
	struct store *st;
	const char *name; /* the root's name as the client wrote it */
};

static void root_close(struct quota_root *r)
{
	user_store_release(&r->other);
}

/* Resolve a root name. Returns 0, or -1 with the tagged reply sent. */
static int root_open(struct imap_session *s, const char *name, struct quota_root *r_r)
{
	char canon[USERDB_NAME_MAX + 1];
	const char *user, *error;
	struct userdb_user u;

	memset(r_r, 0, sizeof(*r_r));
	r_r->name = name;
	r_r->st = session_store(s);
	if (name[0] == '\0')
		return 0;
	if (is_admin(s) && str_has_prefix_ci(name, strlen(name), USER_ROOT_PREFIX)) {
		user = name + strlen(USER_ROOT_PREFIX);
		if (userdb_name_normalize(user, strlen(user), canon, &error) == 0 &&
		    strcmp(canon, s->user) == 0)
			return 0;
		if (userdb_get(s->w->userdb, user, &u, &error) == USERDB_OK) {
			r_r->other = user_store_acquire(s->w, u.name, &error);
			if (r_r->other == NULL) {
				session_tagged(s, IMAP_COND_NO, "UNAVAILABLE",
					       "The store of that user is unavailable");
				return -1;
			}
			r_r->st = user_store_store(r_r->other);
			return 0;
		}
	}
	session_tagged(s, IMAP_COND_NO, "NONEXISTENT", "No such quota root");
	return -1;
}

/* "* QUOTA root (STORAGE used limit MESSAGE used limit)": only resources
 * with a limit (RFC 9208 4.2.1: unnamed ones are not limited). STORAGE
 * is in units of 1024 octets: usage rounded up, the limit down. */
static int send_quota(struct imap_session *s, const struct quota_root *r)
{
	struct store_quota q;
	const char *sp = "";
	int ret = store_quota_get(r->st, &q);

	if (ret != STORE_OK)
		return ret;
	buf_reset(&s->out);
	buf_append_str(&s->out, "* QUOTA ");
	imap_write_astring(&s->out, r->name, IMAP_WRITE_UTF8);
	buf_append_str(&s->out, " (");
	if (q.bytes_limit != 0) {
		buf_printf(&s->out, "STORAGE %" PRIu64 " %" PRIu64, (q.bytes_used + 1023) / 1024,
			   q.bytes_limit / 1024);
		sp = " ";
	}
	if (q.messages_limit != 0)
		buf_printf(&s->out, "%sMESSAGE %" PRIu64 " %" PRIu64, sp, q.messages_used,
			   q.messages_limit);
	buf_append_byte(&s->out, ')');
	session_send_line(s);
	return STORE_OK;
}

enum cmd_result cmd_getquota(struct imap_session *s, struct imap_command *cmd)
{
	struct quota_root r;
	int ret;

	if (root_open(s, cmd->u.getquota.root, &r) < 0)
		return CMD_DONE;
	ret = send_quota(s, &r);
	root_close(&r);
	if (ret != STORE_OK)
		session_store_error(s, ret);
	else
		session_tagged(s, IMAP_COND_OK, NULL, "GETQUOTA completed");
	return CMD_DONE;
}

enum cmd_result cmd_getquotaroot(struct imap_session *s, struct imap_command *cmd)
{
	struct quota_root r = {NULL, session_store(s), ""};
	char *name;
	int ret;

	/* RFC 9208 4.1.2: the mailbox need not exist; the one root covers all. */
	if (session_read_mailbox(s, cmd->u.mailbox.mailbox, &name) < 0)
		return CMD_DONE;
	buf_reset(&s->out);
	buf_append_str(&s->out, "* QUOTAROOT ");
	session_write_mailbox(s, &s->out, name);
	buf_append_str(&s->out, " \"\"");
	session_send_line(s);
	free(name);
	ret = send_quota(s, &r);
	if (ret != STORE_OK)
		session_store_error(s, ret);
	else
		session_tagged(s, IMAP_COND_OK, NULL, "GETQUOTAROOT completed");
	return CMD_DONE;
}

/* The new limits in bytes and messages (0: none). Returns 0, or -1 with
 * the tagged reply sent. */
static int parse_limits(struct imap_session *s, const struct imap_cmd_setquota *c,
			uint64_t *bytes_r, uint64_t *messages_r)
{
	bool storage = false, message = false;

	*bytes_r = *messages_r = 0;
	for (size_t i = 0; i < c->count; i++) {
		const struct imap_quota_limit *l = &c->limits[i];
		bool is_storage = str_casecmp(l->resource, "STORAGE") == 0;

		if (!is_storage && str_casecmp(l->resource, "MESSAGE") != 0) {
			session_tagged(s, IMAP_COND_NO, "CANNOT",
				       "Resource %.64s cannot be limited", l->resource);
			return -1;
		}
		if (is_storage ? storage : message) {
			session_tagged(s, IMAP_COND_BAD, NULL, "Resource %s given twice",
				       is_storage ? "STORAGE" : "MESSAGE");
			return -1;
		}
		if (l->limit == 0 || (is_storage && l->limit > (uint64_t)INT64_MAX / 1024) ||
		    (!is_storage && l->limit > (uint64_t)INT64_MAX)) {
			session_tagged(s, IMAP_COND_NO, "LIMIT",
				       "Limits run from 1 to %" PRIu64 "; leave a resource out to "
				       "remove its limit",
				       is_storage ? (uint64_t)INT64_MAX / 1024
						  : (uint64_t)INT64_MAX);
			return -1;
		}
		if (is_storage) {
			storage = true;
			*bytes_r = l->limit * 1024;
		} else {
			message = true;
			*messages_r = l->limit;
		}
	}
	return 0;
}

/* The user whose root r is (for the user database's copy of the limits). */
static const char *root_user(const struct imap_session *s, const struct quota_root *r)
{
	return r->other != NULL ? user_store_name(r->other) : s->user;
}

enum cmd_result cmd_setquota(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_setquota *c = &cmd->u.setquota;
	uint64_t bytes, messages;
	struct quota_root r;
	const char *error;
	int ret;

	if (!is_admin(s)) {
		session_tagged(s, IMAP_COND_NO, "NOPERM", "Only administrators may set quotas");
		return CMD_DONE;
	}
	if (parse_limits(s, c, &bytes, &messages) < 0 || root_open(s, c->root, &r) < 0)
		return CMD_DONE;
	/* RFC 9208 4.1.3: limits not named are removed. The store enforces;
	 * the user database keeps the copy `hafend user list` shows. */
	ret = store_quota_set_limits(r.st, bytes, messages);
	if (ret == STORE_OK &&
	    userdb_set_quota(s->w->userdb, root_user(s, &r), bytes, messages, &error) != USERDB_OK)
		log_warn("imap %s: quota of %s set in the store, not in the user database: %s",
			 s->peer, root_user(s, &r), error);
	if (ret == STORE_OK)
		ret = send_quota(s, &r);
	root_close(&r);
	if (ret != STORE_OK)
		session_store_error(s, ret);
	else
		session_tagged(s, IMAP_COND_OK, NULL, "SETQUOTA completed");
	return CMD_DONE;
}

void caps_quota(struct imap_session *s, struct buf *out)
{
	/* RFC 9208 5.1, 5.2: STATUS DELETED-STORAGE and DELETED answer too. */
	buf_append_str(out, " QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE");
	if (is_admin(s))
		buf_append_str(out, " QUOTASET");
}
