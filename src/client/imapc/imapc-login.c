/* imapc-login.c — from a connected socket to an authenticated session:
 * greeting, capabilities, STARTTLS, AUTHENTICATE (SCRAM-SHA-256 when
 * offered; PLAIN or LOGIN only over TLS or to loopback) or LOGIN, ENABLE.
 *
 * The order is the one RFC 9051 and RFC 7817 ask of a client: with
 * STARTTLS nothing but CAPABILITY and STARTTLS is sent before the
 * handshake, capabilities from before it are forgotten (6.2.1), and a
 * password never leaves the host unencrypted unless the server is on this
 * machine. */
#include "imapc-private.h"

#include "auth/sasl-client.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "net/conn.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static int wait_for(struct imapc *c, bool *flag)
{
	while (!*flag && c->conn != NULL)
		imapc_poll(c, 0);
	return *flag ? 0 : -1;
}

static int lost(struct imapc *c, bool *offline_r, const char **error_r)
{
	/* Lost before the server greeted us: as good as unreachable. A TLS
	 * failure is a refusal, never "offline": the user must see it. */
	*offline_r = !c->greeted && c->close_reason != CONN_CLOSE_TLS_ERROR;
	*error_r =
		imapc_set_error(c, "%s", c->close_detail[0] ? c->close_detail : "connection lost");
	return -1;
}

static int capability(struct imapc *c, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_CAPABILITY};

	return imapc_run(c, &cmd, NULL, NULL, NULL, error_r);
}

static void starttls_done(void *ctx, const struct imapc_result *result)
{
	struct imapc *c = ctx;
	const char *err;

	if (result->status != IMAPC_OK) {
		imapc_fail(c, "%s: STARTTLS refused: %s", c->host, result->text);
		return;
	}
	/* Stop reading plaintext now: this runs inside the input handler. */
	c->starttls_pending = true;
	imapc_caps_set(c, &(struct imap_strlist){NULL, 0});
	if (conn_start_tls(c->conn, c->tls, c->insecure ? NULL : c->host, NULL, &err) < 0)
		imapc_fail(c, "%s: cannot start TLS: %s", c->host, err);
}

static int starttls(struct imapc *c, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_STARTTLS};
	const char *err;

	if (!imapc_has_cap(c, "STARTTLS")) {
		*error_r = imapc_set_error(c,
					   "%s does not offer STARTTLS; refusing to continue"
					   " without TLS",
					   c->host);
		return -1;
	}
	imapc_send(c, &cmd, NULL, starttls_done, c);
	if (imapc_wait(c, &err) < 0 || wait_for(c, &c->secure) < 0)
		return -1;
	return capability(c, error_r);
}

/* ---- authentication ---- */

static void sasl_continue(struct imapc *c, const char *text)
{
	struct buf out = BUF_INIT;
	const char *err;

	if (sasl_client_step_base64(c->sasl, text, strlen(text), &out, &err) < 0) {
		log_warn("%s: authentication exchange failed: %s", c->host, err);
		buf_reset(&out);
		buf_append_byte(&out, '*'); /* cancel (RFC 9051 6.2.2) */
	}
	buf_append_str(&out, "\r\n");
	imapc_write(c, out.data, out.len, true);
	OPENSSL_cleanse(out.data, out.len);
	buf_free(&out);
}

static int authenticate(struct imapc *c, const char *mech, const char *user, const char *password,
			const char **error_r)
{
	struct sasl_client_settings ss = {
		.authcid = user, .password = password, .password_len = strlen(password)};
	struct imap_command cmd = {.kind = IMAP_CMD_AUTHENTICATE};
	struct buf ir = BUF_INIT;
	const char *err;
	int ret;

	c->sasl = sasl_client_new(mech, &ss, &err);
	if (c->sasl == NULL) {
		*error_r = imapc_set_error(c, "%s: %s", mech, err);
		return -1;
	}
	cmd.u.authenticate.mechanism = mech;
	/* RFC 4959: the initial response rides on the command line. */
	if (imapc_has_cap(c, "SASL-IR") && sasl_client_initial_base64(c->sasl, &ir))
		cmd.u.authenticate.initial_response = buf_cstr(&ir);
	imapc_send(c, &cmd, NULL, NULL, NULL);
	if (c->cmds_tail != NULL) {
		c->cmds_tail->secret = true;
		c->cmds_tail->cont = sasl_continue;
	}
	OPENSSL_cleanse(ir.data, ir.len);
	buf_free(&ir);
	ret = imapc_wait(c, &err);
	if (ret == 0) {
		const struct imap_response *t = c->last_tagged;

		if (t == NULL || t->u.status.cond != IMAP_COND_OK) {
			*error_r = imapc_set_error(c, "%s: authentication failed: %s", c->host,
						   t ? t->u.status.text : "no answer");
			ret = -1;
		} else if (sasl_client_finish(c->sasl, NULL, 0, &err) < 0) {
			/* SCRAM: the server could not prove it knows the
			 * password; it may be an impostor. */
			*error_r = imapc_set_error(c, "%s: server authentication failed: %s",
						   c->host, err);
			ret = -1;
		}
	} else {
		*error_r = err;
	}
	sasl_client_free(&c->sasl);
	return ret;
}

static int login_plain(struct imapc *c, const char *user, const char *password,
		       const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_LOGIN};

	cmd.u.login.user = user;
	cmd.u.login.password = password;
	if (imapc_run(c, &cmd, NULL, NULL, NULL, error_r) < 0) {
		*error_r =
			imapc_set_error(c, "%s: login failed: %s", c->host,
					c->last_tagged ? c->last_tagged->u.status.text : *error_r);
		return -1;
	}
	return 0;
}

static const char *choose_mech(struct imapc *c)
{
	const char *offered[16];
	size_t n = 0;
	const char *p = (const char *)c->caps.data;

	for (size_t i = 0; i < c->cap_count && n < HF_N_ELEMENTS(offered); i++) {
		if (str_has_prefix_ci(p, strlen(p), "AUTH="))
			offered[n++] = p + 5;
		p += strlen(p) + 1;
	}
	return sasl_client_mech_choose(offered, n, c->secure);
}

static int auth(struct imapc *c, const struct imapc_settings *set, const char **error_r)
{
	const char *mech = choose_mech(c);
	char *password = NULL;
	const char *err;
	int ret;

	if (mech == NULL && (!c->secure || imapc_has_cap(c, "LOGINDISABLED"))) {
		*error_r = imapc_set_error(c,
					   "%s offers no way to log in without sending the password"
					   " unencrypted; use TLS (implicit or starttls)",
					   c->host);
		return -1;
	}
	if (set->password == NULL || set->password(set->password_ctx, &password, &err) < 0) {
		*error_r = imapc_set_error(c, "no password: %s",
					   set->password ? err : "no way to ask for one");
		return -1;
	}
	imapc_caps_set(c, &(struct imap_strlist){NULL, 0});
	if (mech != NULL)
		ret = authenticate(c, mech, set->user, password, error_r);
	else
		ret = login_plain(c, set->user, password, error_r);
	OPENSSL_cleanse(password, strlen(password));
	free(password);
	if (ret == 0) {
		imapc_enter_state(c, IMAPC_STATE_AUTH);
		if (c->cap_count == 0)
			ret = capability(c, error_r);
	}
	return ret;
}

static void enabled_ignore(void *ctx, const struct imap_response *resp)
{
}

/* QRESYNC implies CONDSTORE (RFC 7162 3.2.3). Without ENABLE, CONDSTORE
 * is switched on per mailbox by SELECT (CONDSTORE). */
static int enable(struct imapc *c, const char **error_r)
{
	struct imap_command cmd = {.kind = IMAP_CMD_ENABLE};
	const char *names[1];

	if (!imapc_has_cap(c, "ENABLE")) {
		c->condstore = imapc_has_cap(c, "CONDSTORE");
		return 0;
	}
	if (imapc_has_cap(c, "QRESYNC"))
		names[0] = "QRESYNC";
	else if (imapc_has_cap(c, "CONDSTORE"))
		names[0] = "CONDSTORE";
	else
		return 0;
	cmd.u.enable.items = names;
	cmd.u.enable.count = 1;
	if (imapc_run(c, &cmd, enabled_ignore, NULL, NULL, error_r) < 0)
		return -1;
	if (!c->condstore && imapc_has_cap(c, "CONDSTORE"))
		c->condstore = true; /* SELECT (CONDSTORE) still works */
	return 0;
}

int imapc_login(struct imapc *c, const struct imapc_settings *set, bool *offline_r,
		const char **error_r)
{
	const char *err = NULL;

	if (wait_for(c, &c->greeted) < 0)
		return lost(c, offline_r, error_r);
	if (c->cap_count == 0 && capability(c, &err) < 0)
		return c->conn == NULL ? lost(c, offline_r, error_r) : (*error_r = err, -1);
	if (set->tls == IMAPC_TLS_STARTTLS && starttls(c, &err) < 0)
		return c->conn == NULL ? lost(c, offline_r, error_r) : (*error_r = err, -1);
	if (!c->preauth && auth(c, set, &err) < 0)
		return c->conn == NULL ? lost(c, offline_r, error_r) : (*error_r = err, -1);
	if (enable(c, &err) < 0)
		return c->conn == NULL ? lost(c, offline_r, error_r) : (*error_r = err, -1);
	return 0;
}
