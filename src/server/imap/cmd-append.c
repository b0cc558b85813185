/* cmd-append.c — APPEND (RFC 9051 6.3.12) with MULTIAPPEND (RFC 3502),
 * APPENDUID (RFC 4315), APPENDLIMIT (RFC 7889), literal8 (RFC 3516) and
 * UTF8 data (RFC 6855 section 4); and this family's capabilities.
 *
 * Every message of one command goes to the store in one store_append
 * call, so they are all stored or none are (RFC 3502 section 6), and the
 * tagged OK is written only after that call returned: the messages are
 * durable by then. Large literals arrive in temporary files (append-sink.h)
 * and are parsed and stored from a read-only mapping, never copied into
 * memory; small ones are used in place in the command's memory.
 */
#include "append-sink.h"
#include "flag-list.h"
#include "imap-commands.h"
#include "server/worker.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>

/* What one command hands to store_append. */
struct append_batch {
	struct store_new_message *msgs;
	struct store_parsed **parsed;
	uint32_t *uids;
	size_t count;
};

static void batch_free(struct append_batch *b)
{
	for (size_t i = 0; i < b->count; i++)
		store_parsed_free(&b->parsed[i]);
	free(b->msgs);
	free(b->parsed);
	free(b->uids);
}

/* Any 8-bit byte in the header fields (up to the first empty line)? */
static bool header_has_8bit(const unsigned char *p, size_t len)
{
	bool line_start = true;

	for (size_t i = 0; i < len; i++) {
		if (line_start &&
		    (p[i] == '\n' || (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')))
			return false;
		if (p[i] >= 0x80)
			return true;
		line_start = p[i] == '\n';
	}
	return false;
}

/* The flags and date of one message; -1 after a tagged BAD. */
static int read_attributes(struct imap_session *s, struct imap_command *cmd,
			   const struct imap_append_message *in, struct store_new_message *out)
{
	struct flag_list fl;
	const char *error;

	if (in->has_flags) {
		if (flag_list_parse(&in->flags, cmd->arena, &fl, &error) < 0) {
			session_tagged(s, IMAP_COND_BAD, NULL, "%s", error);
			return -1;
		}
		out->flags = fl.flags;
		out->keywords = fl.keywords;
		out->keyword_count = fl.keyword_count;
	}
	if (in->has_date) {
		if (!imap_datetime_is_valid(&in->date)) {
			session_tagged(s, IMAP_COND_BAD, NULL, "Invalid date-time");
			return -1;
		}
		out->internaldate = imap_datetime_to_unix(&in->date);
		out->tz_offset = in->date.zone;
	}
	if (in->utf8 && !(s->enabled & IMAP_ENABLED_UTF8)) {
		session_tagged(s, IMAP_COND_BAD, NULL,
			       "UTF8 message data needs ENABLE UTF8=ACCEPT");
		return -1;
	}
	return 0;
}

/* The message bytes: in the command, or mapped from the sink's file. */
static int message_bytes(struct imap_session *s, const struct imap_literal *lit,
			 const void **data_r, size_t *len_r)
{
	const char *error;

	if (lit->stream == NULL) {
		*data_r = lit->data;
		*len_r = (size_t)lit->size;
		return 0;
	}
	if (append_sink_map(lit->stream, data_r, len_r, &error) == 0)
		return 0;
	log_error("imap %s user %s: cannot map an APPEND literal: %s", s->peer, s->user, error);
	session_tagged(s, IMAP_COND_NO, "SERVERBUG", "Cannot read the message, try again");
	return -1;
}

/* Check and parse the data of message i; -1 after a tagged reply. */
static int prepare_message(struct imap_session *s, struct imap_command *cmd, struct append_batch *b,
			   size_t i)
{
	const struct imap_append_message *in = &cmd->u.append.messages[i];
	const void *data;
	size_t len;

	if (in->data.size == 0) {
		session_tagged(s, IMAP_COND_NO, NULL, "An empty message cannot be appended");
		return -1;
	}
	if (message_bytes(s, &in->data, &data, &len) < 0)
		return -1;
	/* RFC 6855 section 4: a client that has not enabled UTF8=ACCEPT may
	 * not append 8-bit header fields (IMAP4rev2 allows them, RFC 9051
	 * 6.3.12 and RFC 6532). */
	if (!in->utf8 && !(s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) &&
	    header_has_8bit(data, len)) {
		session_tagged(s, IMAP_COND_NO, NULL,
			       "Message has 8-bit header fields: ENABLE UTF8=ACCEPT first");
		return -1;
	}
	/* The literal outlives the store call, so it is used in place. */
	b->parsed[i] = store_parsed_new_mapped(data, len);
	b->msgs[i].msg = b->parsed[i];
	return 0;
}

static void reply_ok(struct imap_session *s, const struct append_batch *b, uint32_t uidvalidity)
{
	char code[64];

	if (b->count == 1)
		snprintf(code, sizeof(code), "APPENDUID %" PRIu32 " %" PRIu32, uidvalidity,
			 b->uids[0]);
	else
		/* store_append gives consecutive UIDs in message order. */
		snprintf(code, sizeof(code), "APPENDUID %" PRIu32 " %" PRIu32 ":%" PRIu32,
			 uidvalidity, b->uids[0], b->uids[b->count - 1]);
	/* With the mailbox selected, session_tagged first reports EXISTS. */
	session_tagged(s, IMAP_COND_OK, code, "APPEND completed");
}

static void reply_error(struct imap_session *s, int err)
{
	if (err == STORE_ERR_NONEXISTENT)
		/* RFC 9051 6.3.12: never create it, but say that CREATE may help. */
		session_tagged(s, IMAP_COND_NO, "TRYCREATE", "Mailbox does not exist");
	else
		session_store_error(s, err);
}

/* Can the mailbox take messages? Asked before any message is parsed and
 * written; store_append asks again in its transaction. */
static int check_mailbox(struct imap_session *s, const char *name)
{
	struct store_mailbox mb;
	int ret = store_mailbox_get(session_store(s), name, &mb);

	if (ret != STORE_OK)
		return ret;
	ret = mb.noselect ? STORE_ERR_NOSELECT : STORE_OK;
	store_mailbox_clear(&mb);
	return ret;
}

enum cmd_result cmd_append(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_append *a = &cmd->u.append;
	struct append_batch b = {NULL, NULL, NULL, 0};
	uint32_t uidvalidity = 0;
	char *name;
	int ret;

	if (session_read_mailbox(s, a->mailbox, &name) < 0)
		return CMD_DONE;
	b.msgs = xcalloc(a->count, sizeof(*b.msgs));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointer array, see .clang-tidy */
	b.parsed = xcalloc(a->count, sizeof(*b.parsed));
	b.uids = xcalloc(a->count, sizeof(*b.uids));
	/* Arguments first (BAD), then the mailbox (NO), then the messages. */
	for (size_t i = 0; i < a->count; i++)
		if (read_attributes(s, cmd, &a->messages[i], &b.msgs[i]) < 0)
			goto out;
	ret = check_mailbox(s, name);
	if (ret != STORE_OK) {
		reply_error(s, ret);
		goto out;
	}
	for (b.count = 0; b.count < a->count; b.count++)
		if (prepare_message(s, cmd, &b, b.count) < 0)
			goto out;
	ret = store_append(session_store(s), name, b.msgs, b.count, &uidvalidity, b.uids);
	if (ret == STORE_OK)
		reply_ok(s, &b, uidvalidity);
	else
		reply_error(s, ret);
out:
	batch_free(&b);
	free(name);
	return CMD_DONE;
}

void caps_append(struct imap_session *s, struct buf *out)
{
	buf_printf(out, " UIDPLUS MOVE MULTIAPPEND APPENDLIMIT=%" PRIu64, s->w->cfg->append_limit);
}
