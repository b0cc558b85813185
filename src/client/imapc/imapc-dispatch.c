/* imapc-dispatch.c — where each server response goes: tagged replies to
 * their command, continuations to the command waiting, untagged data
 * first into the connection's own state, then to its owner (imapc.h). */
#include "imapc-private.h"

#include "lib/log.h"
#include "lib/str.h"

#include <stdio.h>
#include <string.h>

void imapc_caps_set(struct imapc *c, const struct imap_strlist *caps)
{
	buf_reset(&c->caps);
	c->cap_count = 0;
	for (size_t i = 0; i < caps->count; i++) {
		size_t start = c->caps.len;

		buf_append_str(&c->caps, caps->items[i]);
		buf_append_byte(&c->caps, '\0');
		str_upper_inplace((char *)c->caps.data + start);
		c->cap_count++;
	}
}

/* Is cap one of the words of list (spaces or commas between)? */
static bool in_word_list(const char *list, const char *cap)
{
	size_t n = strlen(cap);

	for (const char *p = list; *p != '\0';) {
		size_t len = strcspn(p, " ,");

		if (len == n && str_eq_ci_n(p, len, cap))
			return true;
		p += len;
		p += strspn(p, " ,");
	}
	return false;
}

bool imapc_has_cap(const struct imapc *c, const char *cap)
{
	const char *p = (const char *)c->caps.data;

	if (c->ignore_caps != NULL && in_word_list(c->ignore_caps, cap))
		return false;

	for (size_t i = 0; i < c->cap_count; i++) {
		if (str_casecmp(p, cap) == 0)
			return true;
		p += strlen(p) + 1;
	}
	return false;
}

bool imapc_qresync(const struct imapc *c)
{
	return c->qresync;
}

bool imapc_condstore(const struct imapc *c)
{
	return c->condstore;
}

bool imapc_utf8(const struct imapc *c)
{
	return c->utf8;
}

static void enabled(struct imapc *c, const struct imap_strlist *names)
{
	for (size_t i = 0; i < names->count; i++) {
		if (str_casecmp(names->items[i], "QRESYNC") == 0)
			c->qresync = c->condstore = true;
		else if (str_casecmp(names->items[i], "CONDSTORE") == 0)
			c->condstore = true;
		else if (str_casecmp(names->items[i], "UTF8=ACCEPT") == 0)
			c->utf8 = true;
	}
}

/* Response codes that describe the selected mailbox or the connection,
 * in tagged and untagged status responses alike. */
static void status_code(struct imapc *c, const struct imap_resp_code *code)
{
	switch (code->kind) {
	case IMAP_CODE_CAPABILITY:
		imapc_caps_set(c, &code->u.strings);
		break;
	case IMAP_CODE_UIDVALIDITY:
		c->mbox.uidvalidity = (uint32_t)code->u.number;
		break;
	case IMAP_CODE_UIDNEXT:
		c->mbox.uidnext = (uint32_t)code->u.number;
		break;
	case IMAP_CODE_HIGHESTMODSEQ:
		c->mbox.highestmodseq = code->u.number;
		break;
	case IMAP_CODE_NOMODSEQ:
		c->mbox.highestmodseq = 0;
		break;
	case IMAP_CODE_READ_ONLY:
		c->mbox.read_only = true;
		break;
	case IMAP_CODE_READ_WRITE:
		c->mbox.read_only = false;
		break;
	case IMAP_CODE_MAILBOXID:
		snprintf(c->mbox.mailboxid, sizeof(c->mbox.mailboxid), "%s", code->u.objectid);
		break;
	case IMAP_CODE_CLOSED:
		/* RFC 7162 3.2.11: the old mailbox is closed; what follows
		 * describes the new one. */
		memset(&c->mbox, 0, sizeof(c->mbox));
		break;
	default:
		break;
	}
}

static void untagged_status(struct imapc *c, const struct imap_response *resp)
{
	const struct imap_resp_status *st = &resp->u.status;

	status_code(c, &st->code);
	if (st->code.kind == IMAP_CODE_ALERT)
		fprintf(stderr, "hafen: server alert from %s: %s\n", c->host, st->text);
	if (st->cond == IMAP_COND_BYE && c->state != IMAPC_STATE_CLOSED)
		snprintf(c->close_detail, sizeof(c->close_detail),
			 "%s: server closed the connection: %s", c->host, st->text);
	if (!c->greeted && (st->cond == IMAP_COND_OK || st->cond == IMAP_COND_PREAUTH)) {
		c->greeted = true;
		c->preauth = st->cond == IMAP_COND_PREAUTH;
		imapc_enter_state(c, c->preauth ? IMAPC_STATE_AUTH : IMAPC_STATE_NOTAUTH);
	}
}

/* The connection's own view of untagged data. Returns false when the
 * response is the connection's business only. */
static bool untagged_own(struct imapc *c, const struct imap_response *resp)
{
	switch (resp->kind) {
	case IMAP_RESP_STATUS:
		untagged_status(c, resp);
		return c->greeted && resp->u.status.cond != IMAP_COND_BYE;
	case IMAP_RESP_CAPABILITY:
		imapc_caps_set(c, &resp->u.strings);
		return false;
	case IMAP_RESP_ENABLED:
		enabled(c, &resp->u.strings);
		return false;
	case IMAP_RESP_EXISTS:
		c->mbox.exists = resp->u.number;
		return true;
	case IMAP_RESP_EXPUNGE:
		if (c->mbox.exists > 0)
			c->mbox.exists--;
		return true;
	case IMAP_RESP_VANISHED:
		/* RFC 7162 3.2.10: VANISHED without EARLIER decrements EXISTS. */
		if (!resp->u.vanished.earlier) {
			uint64_t n = imap_seqset_count(&resp->u.vanished.uids);

			c->mbox.exists = n >= c->mbox.exists ? 0 : c->mbox.exists - (uint32_t)n;
		}
		return true;
	default:
		return true;
	}
}

void imapc_dispatch(struct imapc *c, struct imap_response *resp)
{
	struct imapc_cmd *owner;

	if (resp->kind == IMAP_RESP_STATUS && resp->tag != NULL) {
		status_code(c, &resp->u.status.code);
		imapc_complete(c, resp); /* takes resp */
		return;
	}
	if (resp->kind == IMAP_RESP_CONTINUE) {
		imapc_continuation(c, resp->u.text);
		imap_response_free(&resp);
		return;
	}
	if (untagged_own(c, resp)) {
		owner = imapc_untagged_owner(
			c, resp->kind == IMAP_RESP_ESEARCH ? resp->u.esearch.tag : NULL);
		if (owner != NULL && owner->untagged != NULL)
			owner->untagged(owner->ctx, resp);
		/* A NOTIFY event (RFC 5465 5.2: STATUS of another mailbox) may
		 * come during any command; the handler hears it too. */
		if (c->handler != NULL && (owner == NULL || owner->untagged == NULL ||
					   resp->kind == IMAP_RESP_STATUS_DATA))
			c->handler(c->handler_ctx, resp);
	}
	imap_response_free(&resp);
}
