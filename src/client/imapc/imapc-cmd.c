/* imapc-cmd.c — the command queue: tags, pipelining, synchronizing
 * literals (stop at a mark until "+"), barrier commands that run alone,
 * and completing commands when their tagged reply arrives.
 *
 * Invariants: c->cmds holds every command not yet completed, in the order
 * sent; the ones at the tail may be unsent or partly sent. At most one
 * command waits for a continuation, and nothing after it is sent until it
 * gets one. A barrier command (AUTHENTICATE, STARTTLS, IDLE, LOGOUT) is
 * sent only when it is first in the list, and nothing after it is sent
 * until it completes. */
#include "imapc-private.h"

#include "lib/log.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "net/conn.h"

#include <stdio.h>
#include <string.h>

unsigned imapc_write_flags(const struct imapc *c)
{
	unsigned flags = 0;

	if (imapc_has_cap(c, "LITERAL+"))
		flags |= IMAP_WRITE_LITERAL_PLUS;
	else if (imapc_has_cap(c, "LITERAL-"))
		flags |= IMAP_WRITE_LITERAL_MINUS;
	if (c->utf8)
		flags |= IMAP_WRITE_UTF8;
	return flags;
}

bool imapc_pending(const struct imapc *c)
{
	return c->cmds != NULL;
}

static void cmd_free(struct imapc_cmd *cmd)
{
	imap_command_output_free(&cmd->out);
	free(cmd);
}

static void unlink_cmd(struct imapc *c, struct imapc_cmd *cmd)
{
	struct imapc_cmd **pp = &c->cmds, *prev = NULL;

	while (*pp != NULL && *pp != cmd) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp == NULL)
		return;
	*pp = cmd->next;
	if (c->cmds_tail == cmd)
		c->cmds_tail = prev;
	cmd->next = NULL;
}

struct imapc_cmd *imapc_queue(struct imapc *c, struct imap_command_output *out,
			      imapc_untagged_cb *untagged, imapc_done_cb *done, void *ctx)
{
	struct imapc_cmd *cmd = xcalloc(1, sizeof(*cmd));

	cmd->out = *out;
	memset(out, 0, sizeof(*out));
	cmd->untagged = untagged;
	cmd->done = done;
	cmd->ctx = ctx;
	if (c->cmds_tail != NULL)
		c->cmds_tail->next = cmd;
	else
		c->cmds = cmd;
	c->cmds_tail = cmd;
	return cmd;
}

/* Send cmd's bytes up to its next continuation mark, or to the end. */
static void send_some(struct imapc *c, struct imapc_cmd *cmd)
{
	while (!cmd->fully_sent && !cmd->waiting_cont && c->conn != NULL) {
		size_t end = cmd->out.buf.len;
		const struct imap_write_mark *m =
			cmd->mark < cmd->out.mark_count ? &cmd->out.marks[cmd->mark] : NULL;

		if (m != NULL)
			end = m->offset;
		imapc_write(c, cmd->out.buf.data + cmd->sent, end - cmd->sent, cmd->secret);
		cmd->sent = end;
		if (m == NULL) {
			cmd->fully_sent = true;
		} else if (m->kind == IMAP_MARK_CONTINUATION) {
			cmd->mark++;
			cmd->waiting_cont = true;
		} else {
			/* imapc never builds streamed literals (imapc_send takes
			 * message data in memory). */
			imapc_fail(c, "internal error: streamed literal in a client command");
		}
	}
}

void imapc_flush(struct imapc *c)
{
	bool first = true;

	for (struct imapc_cmd *cmd = c->cmds; cmd != NULL && c->conn != NULL; cmd = cmd->next) {
		if (cmd->waiting_cont)
			return;
		if (!cmd->fully_sent) {
			if (cmd->barrier && !first)
				return;
			send_some(c, cmd);
			if (!cmd->fully_sent)
				return;
		}
		if (cmd->barrier)
			return;
		first = false;
	}
}

static struct imapc_cmd *find_tag(struct imapc *c, const char *tag)
{
	for (struct imapc_cmd *cmd = c->cmds; cmd != NULL; cmd = cmd->next)
		if (cmd->sent > 0 && strcmp(cmd->tag, tag) == 0)
			return cmd;
	return NULL;
}

struct imapc_cmd *imapc_untagged_owner(struct imapc *c, const char *tag)
{
	if (tag != NULL)
		return find_tag(c, tag);
	for (struct imapc_cmd *cmd = c->cmds; cmd != NULL; cmd = cmd->next) {
		if (cmd->sent == 0)
			break;
		if (cmd->untagged != NULL)
			return cmd;
	}
	return NULL;
}

static enum imapc_status status_of(const struct imap_response *resp)
{
	switch (resp->u.status.cond) {
	case IMAP_COND_OK:
		return IMAPC_OK;
	case IMAP_COND_NO:
		return IMAPC_NO;
	default:
		return IMAPC_BAD;
	}
}

void imapc_complete(struct imapc *c, struct imap_response *resp)
{
	struct imapc_cmd *cmd = find_tag(c, resp->tag);
	struct imapc_result result;

	if (cmd == NULL) {
		log_warn("%s: reply with unknown tag %s ignored", c->host, resp->tag);
		imap_response_free(&resp);
		return;
	}
	unlink_cmd(c, cmd);
	if (cmd == c->idle_cmd) {
		c->idle_cmd = NULL;
		c->idling = false;
		if (c->conn != NULL)
			conn_set_idle_timeout(c->conn, c->timeout_ms);
	}
	result.status = status_of(resp);
	result.tagged = resp;
	result.text = resp->u.status.text;
	/* The last tagged reply is kept for imapc_last_tagged(). */
	imap_response_free(&c->last_tagged);
	c->last_tagged = resp;
	if (cmd->done != NULL)
		cmd->done(cmd->ctx, &result);
	cmd_free(cmd);
	imapc_flush(c);
}

void imapc_continuation(struct imapc *c, const char *text)
{
	for (struct imapc_cmd *cmd = c->cmds; cmd != NULL; cmd = cmd->next) {
		if (cmd->waiting_cont) {
			cmd->waiting_cont = false;
			imapc_flush(c);
			return;
		}
		if (cmd->cont != NULL && cmd->fully_sent) {
			cmd->cont(c, text);
			return;
		}
	}
	log_warn("%s: unexpected continuation request ignored", c->host);
}

void imapc_fail_all(struct imapc *c, const char *why)
{
	struct imapc_cmd *list = c->cmds;
	struct imapc_result result = {IMAPC_DISCONNECTED, NULL, why};

	c->cmds = c->cmds_tail = NULL;
	c->idle_cmd = NULL;
	while (list != NULL) {
		struct imapc_cmd *cmd = list;

		list = cmd->next;
		if (cmd->done != NULL)
			cmd->done(cmd->ctx, &result);
		cmd_free(cmd);
	}
}

static bool is_barrier(enum imap_command_kind kind)
{
	return kind == IMAP_CMD_AUTHENTICATE || kind == IMAP_CMD_STARTTLS ||
	       kind == IMAP_CMD_IDLE || kind == IMAP_CMD_LOGOUT;
}

void imapc_send(struct imapc *c, const struct imap_command *cmd, imapc_untagged_cb *untagged,
		imapc_done_cb *done, void *ctx)
{
	struct imap_command_output out = {BUF_INIT, NULL, 0, 0};
	struct imap_command copy = *cmd;
	struct imapc_cmd *q;
	char tag[16];

	if (c->state == IMAPC_STATE_CLOSED || c->conn == NULL) {
		struct imapc_result result = {IMAPC_DISCONNECTED, NULL, c->close_detail};

		if (done != NULL)
			done(ctx, &result);
		return;
	}
	snprintf(tag, sizeof(tag), "h%u", ++c->next_tag);
	copy.tag = tag;
	imap_command_write(&out, &copy, imapc_write_flags(c));
	q = imapc_queue(c, &out, untagged, done, ctx);
	memcpy(q->tag, tag, sizeof(tag));
	q->barrier = is_barrier(cmd->kind);
	/* LOGIN and a SASL initial response carry the password. */
	q->secret = cmd->kind == IMAP_CMD_LOGIN || (cmd->kind == IMAP_CMD_AUTHENTICATE &&
						    cmd->u.authenticate.initial_response != NULL);
	if (cmd->kind == IMAP_CMD_IDLE)
		c->idle_cmd = q;
	imapc_flush(c);
}

/* ---- imapc_run ---- */

struct run_state {
	bool done;
	enum imapc_status status;
	enum imap_code_kind code;
	struct buf text;
	imapc_untagged_cb *untagged;
	void *untagged_ctx;
};

static void run_untagged(void *ctx, const struct imap_response *resp)
{
	struct run_state *rs = ctx;

	if (rs->untagged != NULL)
		rs->untagged(rs->untagged_ctx, resp);
}

static void run_done(void *ctx, const struct imapc_result *result)
{
	struct run_state *rs = ctx;

	rs->done = true;
	rs->status = result->status;
	rs->code = result->tagged ? result->tagged->u.status.code.kind : IMAP_CODE_NONE;
	buf_append_str(&rs->text, result->text ? result->text : "");
}

int imapc_run(struct imapc *c, const struct imap_command *cmd, imapc_untagged_cb *untagged,
	      void *ctx, enum imap_code_kind *code_r, const char **error_r)
{
	struct run_state rs = {false, IMAPC_DISCONNECTED, IMAP_CODE_NONE, BUF_INIT, untagged, ctx};
	int ret = 0;

	imapc_send(c, cmd, untagged != NULL ? run_untagged : NULL, run_done, &rs);
	while (!rs.done && c->conn != NULL)
		imapc_poll(c, 0);
	if (!rs.done)
		rs.status = IMAPC_DISCONNECTED;
	if (code_r != NULL)
		*code_r = rs.code;
	if (rs.status != IMAPC_OK) {
		const char *name = imap_command_kind_name(cmd->kind);

		if (rs.status == IMAPC_DISCONNECTED)
			*error_r = imapc_set_error(
				c, "%s", c->close_detail[0] ? c->close_detail : buf_cstr(&rs.text));
		else
			*error_r =
				imapc_set_error(c, "%s %s%s: %s", c->host, cmd->uid ? "UID " : "",
						name, buf_cstr(&rs.text));
		ret = -1;
	}
	buf_free(&rs.text);
	return ret;
}
