/* imapc-idle.c — IDLE (RFC 2177): wait for the server to tell us about
 * new mail. While idling the connection's timeout is 25 minutes: when it
 * passes with nothing heard, DONE is sent (imapc-conn.c), IDLE ends, and
 * the caller starts it again, as RFC 2177 section 3 asks (at least every
 * 29 minutes). */
#include "imapc-private.h"

#include "net/conn.h"

#define IMAPC_IDLE_RESTART_MS (25u * 60u * 1000u)

bool imapc_idling(const struct imapc *c)
{
	return c->idling;
}

static void idle_continue(struct imapc *c, const char *text)
{
	c->idling = true;
	if (c->conn != NULL)
		conn_set_idle_timeout(c->conn, IMAPC_IDLE_RESTART_MS);
}

struct idle_wait {
	bool done;
	enum imapc_status status;
};

static void idle_done(void *ctx, const struct imapc_result *result)
{
	struct idle_wait *w = ctx;

	if (w != NULL) {
		w->done = true;
		w->status = result->status;
	}
}

int imapc_idle_start(struct imapc *c, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_IDLE};
	struct idle_wait w = {false, IMAPC_OK};

	if (!imapc_has_cap(c, "IDLE")) {
		*error_r = imapc_set_error(c, "%s does not support IDLE", c->host);
		return -1;
	}
	if (c->idling)
		return 0;
	imapc_send(c, &cmd, NULL, idle_done, &w);
	if (c->idle_cmd != NULL)
		c->idle_cmd->cont = idle_continue;
	while (!c->idling && !w.done && c->conn != NULL)
		imapc_poll(c, 0);
	if (c->idling) {
		/* From now on its done callback must not touch this frame. */
		if (c->idle_cmd != NULL)
			c->idle_cmd->ctx = NULL;
		return 0;
	}
	*error_r =
		imapc_set_error(c, "%s",
				w.done && w.status != IMAPC_DISCONNECTED ? "the server refused IDLE"
									 : c->close_detail);
	return -1;
}

int imapc_idle_stop(struct imapc *c, const char **error_r)
{
	int ret;

	if (c->idling && c->conn != NULL)
		imapc_write(c, "DONE\r\n", 6, false);
	ret = imapc_wait(c, error_r);
	c->idling = false;
	if (c->conn != NULL)
		conn_set_idle_timeout(c->conn, c->timeout_ms);
	return ret;
}
