/* mailbox-rules.c — names and counts a client may create (see
 * mailbox-rules.h). */
#include "mailbox-rules.h"
#include "imap/imap-mailbox.h"
#include "lib/buf.h"
#include "lib/mem.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

unsigned mailbox_name_levels(const char *name)
{
	unsigned levels = 1;

	for (const char *p = strchr(name, '/'); p != NULL; p = strchr(p + 1, '/'))
		levels++;
	return levels;
}

static void too_deep(struct imap_session *s)
{
	session_tagged(s, IMAP_COND_NO, "LIMIT", "Mailbox names may have at most %u levels",
		       MAILBOX_MAX_LEVELS);
}

int mailbox_read_new_name(struct imap_session *s, const char *wire, bool strip_delimiter,
			  char **name_r)
{
	struct buf check = BUF_INIT;
	const char *error;
	size_t len;
	char *name;

	if (session_read_mailbox(s, wire, &name) < 0)
		return -1;
	len = strlen(name);
	if (strip_delimiter && len > 0 && name[len - 1] == '/')
		name[len - 1] = '\0';
	/* The name is UTF-8 now; this checks the characters RFC 9755 bars. */
	if (imap_mailbox_name_from_wire(name, true, &check, &error) < 0) {
		session_tagged(s, IMAP_COND_NO, "CANNOT", "%s", error);
		buf_free(&check);
		free(name);
		return -1;
	}
	buf_free(&check);
	if (mailbox_name_levels(name) > MAILBOX_MAX_LEVELS) {
		too_deep(s);
		free(name);
		return -1;
	}
	*name_r = name;
	return 0;
}

static int count_mailbox(void *ctx, const struct store_mailbox *mb)
{
	unsigned *n = ctx;

	(void)mb;
	return ++*n > MAILBOX_MAX_COUNT;
}

/* How many of name's parents (and name, with itself) are not mailboxes. */
static unsigned missing_levels(struct store *st, const char *name, bool itself)
{
	struct store_mailbox mb;
	unsigned missing = 0;
	size_t len = strlen(name);
	char *prefix = xstrdup(name);

	for (size_t i = 1; i <= len; i++) {
		if (i < len ? name[i] != '/' : !itself)
			continue;
		prefix[i] = '\0';
		if (store_mailbox_get(st, prefix, &mb) == STORE_OK)
			store_mailbox_clear(&mb);
		else
			missing++;
		prefix[i] = name[i];
	}
	free(prefix);
	return missing;
}

int mailbox_check_room(struct imap_session *s, const char *name, bool itself)
{
	unsigned n = 0, needed;
	char *canon;
	int ret;

	/* A name the store refuses gets its error from the store. */
	if (store_mailbox_name_canonical(name, &canon) != STORE_OK)
		return 0;
	needed = missing_levels(session_store(s), canon, itself);
	free(canon);
	if (needed == 0)
		return 0;
	ret = store_mailbox_list(session_store(s), NULL, count_mailbox, &n);
	if (ret < 0) {
		session_store_error(s, ret);
		return -1;
	}
	if (n + needed > MAILBOX_MAX_COUNT) {
		session_tagged(s, IMAP_COND_NO, "LIMIT", "A user may have at most %u mailboxes",
			       MAILBOX_MAX_COUNT);
		return -1;
	}
	return 0;
}

struct sub_count {
	const char *canon;
	unsigned n;
	bool found;
};

static int count_subscription(void *ctx, const char *name)
{
	struct sub_count *c = ctx;

	c->n++;
	if (strcmp(name, c->canon) == 0)
		c->found = true;
	return 0;
}

int mailbox_check_subscriptions(struct imap_session *s, const char *name)
{
	struct sub_count c = {NULL, 0, false};
	char *canon;
	int ret;

	/* A name the store refuses gets its error from store_subscribe(). */
	if (store_mailbox_name_canonical(name, &canon) != STORE_OK)
		return 0;
	c.canon = canon;
	ret = store_subscriptions(session_store(s), count_subscription, &c);
	free(canon);
	if (ret < 0) {
		session_store_error(s, ret);
		return -1;
	}
	if (!c.found && c.n >= MAILBOX_MAX_SUBSCRIPTIONS) {
		session_tagged(s, IMAP_COND_NO, "LIMIT", "A user may have at most %u subscriptions",
			       MAILBOX_MAX_SUBSCRIPTIONS);
		return -1;
	}
	return 0;
}

static int deepest_child(void *ctx, const struct store_mailbox *mb)
{
	unsigned *levels = ctx, n = mailbox_name_levels(mb->name);

	if (n > *levels)
		*levels = n;
	return 0;
}

int mailbox_check_rename_depth(struct imap_session *s, const char *from, const char *to)
{
	unsigned from_levels, deepest, to_levels = mailbox_name_levels(to);
	struct buf pattern = BUF_INIT;
	char *canon;
	int ret;

	/* INBOX's children stay where they are (RFC 9051 6.3.6); an invalid
	 * name gets its error from the store. */
	if (imap_mailbox_is_inbox(from) || store_mailbox_name_canonical(from, &canon) != STORE_OK)
		return 0;
	from_levels = deepest = mailbox_name_levels(canon);
	/* Stored names never hold '*' or '%', so the name is its own pattern. */
	buf_printf(&pattern, "%s/*", canon);
	ret = store_mailbox_list(session_store(s), buf_cstr(&pattern), deepest_child, &deepest);
	buf_free(&pattern);
	free(canon);
	if (ret < 0) {
		session_store_error(s, ret);
		return -1;
	}
	if (to_levels + (deepest - from_levels) > MAILBOX_MAX_LEVELS) {
		too_deep(s);
		return -1;
	}
	return 0;
}
