/* sasl-server-plain.c — the PLAIN (RFC 4616) and LOGIN
 * (draft-murchison-sasl-login-00) server mechanisms. Both carry a name
 * and a password in the clear and share sasl_server_verify_password(). */
#include "auth/sasl-server-private.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static void plain_start(struct sasl_server *s)
{
	/* Client-first: an empty challenge asks for the message. */
}

static int finish_verify(struct sasl_server *s, const char *authcid, size_t authcid_len,
			 const char *password, size_t password_len)
{
	enum sasl_failure failure;

	failure = sasl_server_verify_password(s->cb, s->context, authcid, authcid_len, password,
					      password_len, s->user);
	if (failure != SASL_FAIL_NONE) {
		s->user[0] = '\0';
		return sasl_server_fail(s, failure, NULL);
	}
	return 1;
}

/* message = [authzid] NUL authcid NUL passwd (RFC 4616 section 2) */
static int plain_step(struct sasl_server *s, const unsigned char *in, size_t len)
{
	const char *msg = (const char *)in, *nul1, *nul2, *authcid, *password;
	size_t authzid_len, authcid_len, password_len;

	nul1 = memchr(msg, '\0', len);
	nul2 = nul1 == NULL ? NULL : memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - msg));
	if (nul2 == NULL)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED,
					"PLAIN: expected two NUL separators");
	authzid_len = (size_t)(nul1 - msg);
	authcid = nul1 + 1;
	authcid_len = (size_t)(nul2 - authcid);
	password = nul2 + 1;
	password_len = len - (size_t)(password - msg);
	if (memchr(password, '\0', password_len) != NULL)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "PLAIN: NUL in password");
	if (authcid_len == 0 || password_len == 0)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "PLAIN: empty name or password");
	if (authzid_len > SASL_NAME_MAX || authcid_len > SASL_NAME_MAX ||
	    password_len > SASL_PASSWORD_MAX)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "PLAIN: name or password too long");
	if (!sasl_server_authzid_allowed(msg, authzid_len, authcid, authcid_len))
		return sasl_server_fail(s, SASL_FAIL_AUTHZ, NULL);
	return finish_verify(s, authcid, authcid_len, password, password_len);
}

const struct sasl_server_mech sasl_server_mech_plain = {
	.info = {.name = "PLAIN", .plaintext = true},
	.start = plain_start,
	.step = plain_step,
};

/* LOGIN: the server asks "Username:" then "Password:", one value per
 * response. An initial response (SASL-IR) is taken as the user name, as
 * other servers do. */
struct login_state {
	char *user; /* NULL until the name arrived */
	size_t user_len;
};

static void login_init(struct sasl_server *s)
{
	s->mech_state = xcalloc(1, sizeof(struct login_state));
}

static void login_deinit(struct sasl_server *s)
{
	struct login_state *ls = s->mech_state;

	if (ls->user != NULL)
		OPENSSL_cleanse(ls->user, ls->user_len);
	free(ls->user);
	xfree(&s->mech_state);
}

static void login_start(struct sasl_server *s)
{
	buf_append_str(&s->out, "Username:");
}

static int login_step(struct sasl_server *s, const unsigned char *in, size_t len)
{
	struct login_state *ls = s->mech_state;

	if (ls->user == NULL) {
		if (len == 0 || len > SASL_NAME_MAX || memchr(in, '\0', len) != NULL)
			return sasl_server_fail(s, SASL_FAIL_MALFORMED, "LOGIN: invalid user name");
		ls->user = xstrndup((const char *)in, len);
		ls->user_len = len;
		buf_append_str(&s->out, "Password:");
		return 0;
	}
	if (len == 0)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "LOGIN: empty password");
	if (len > SASL_PASSWORD_MAX || memchr(in, '\0', len) != NULL)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "LOGIN: invalid password");
	return finish_verify(s, ls->user, ls->user_len, (const char *)in, len);
}

const struct sasl_server_mech sasl_server_mech_login = {
	.info = {.name = "LOGIN", .plaintext = true},
	.init = login_init,
	.start = login_start,
	.step = login_step,
	.deinit = login_deinit,
};
