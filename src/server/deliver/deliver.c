/* deliver.c — one parse, then one durable store write per recipient (see
 * deliver.h). The copies differ only in their first line, Delivered-To:,
 * which store_parsed_prefixed() adds without parsing again. */
#include "deliver.h"
#include "lib/mem.h"
#include "store/store-parsed-prefix.h"
#include "store/store.h"

#include <string.h>

struct deliver_message {
	struct store_parsed *parsed; /* common headers + message */
};

struct deliver_message *deliver_message_new(const struct deliver_envelope *env, const void *data,
					    size_t len)
{
	struct deliver_message *m = xcalloc(1, sizeof(*m));
	struct buf all = BUF_INIT;

	deliver_headers_common(env, &all);
	buf_append(&all, data, len);
	m->parsed = store_parsed_new(all.data, all.len);
	buf_free(&all);
	return m;
}

void deliver_message_free(struct deliver_message **mp)
{
	struct deliver_message *m = *mp;

	if (m == NULL)
		return;
	store_parsed_free(&m->parsed);
	free(m);
	*mp = NULL;
}

size_t deliver_message_size(const struct deliver_message *m)
{
	return store_parsed_size(m->parsed);
}

static enum deliver_result result_of(int err)
{
	switch (err) {
	case STORE_OK:
		return DELIVER_OK;
	case STORE_ERR_OVERQUOTA:
		return DELIVER_OVERQUOTA;
	case STORE_ERR_TOOBIG:
		return DELIVER_TOOBIG;
	default:
		return DELIVER_TEMPFAIL;
	}
}

static int append_one(struct store *s, const struct store_parsed *p, const char *mailbox)
{
	struct store_new_message nm;
	uint32_t uidvalidity, uid;

	memset(&nm, 0, sizeof(nm));
	nm.msg = p;
	return store_append(s, mailbox, &nm, 1, &uidvalidity, &uid);
}

enum deliver_result deliver_to_store(struct store *s, const struct deliver_message *m,
				     const char *rcpt, const char *mailbox, const char **mailbox_r,
				     const char **error_r)
{
	struct buf line = BUF_INIT;
	struct store_parsed *copy;
	const char *used = mailbox != NULL && mailbox[0] != '\0' ? mailbox : "INBOX";
	int ret;

	deliver_header_delivered_to(rcpt, &line);
	copy = store_parsed_prefixed(m->parsed, (const char *)line.data, line.len);
	buf_free(&line);
	if (copy == NULL) {
		*error_r = "cannot build the recipient's copy";
		return DELIVER_TEMPFAIL;
	}
	ret = append_one(s, copy, used);
	/* A subaddress naming no (selectable) mailbox falls back to INBOX,
	 * as Postfix and Dovecot do with "user+unknown". */
	if ((ret == STORE_ERR_NONEXISTENT || ret == STORE_ERR_NOSELECT ||
	     ret == STORE_ERR_INVALID) &&
	    strcmp(used, "INBOX") != 0) {
		used = "INBOX";
		ret = append_one(s, copy, used);
	}
	store_parsed_free(&copy);
	if (mailbox_r != NULL)
		*mailbox_r = used;
	if (ret != STORE_OK)
		*error_r = store_last_error(s);
	return result_of(ret);
}

enum deliver_result deliver_quota_check(struct store *s, uint64_t size, const char **error_r)
{
	struct store_quota q;
	int ret = store_quota_get(s, &q);

	if (ret != STORE_OK) {
		*error_r = store_last_error(s);
		return DELIVER_TEMPFAIL;
	}
	if (size == 0)
		size = 1;
	if ((q.bytes_limit > 0 &&
	     (q.bytes_used >= q.bytes_limit || size > q.bytes_limit - q.bytes_used)) ||
	    (q.messages_limit > 0 && q.messages_used >= q.messages_limit)) {
		*error_r = "mailbox full";
		return DELIVER_OVERQUOTA;
	}
	return DELIVER_OK;
}
