/* sasl-client.c — the generic part of the SASL client and the PLAIN and
 * LOGIN mechanisms (see sasl-client.h). */
#include "auth/sasl-client-private.h"
#include "auth/sasl-base64.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <string.h>

static const struct sasl_client_mech *const client_mechs[] = {
	&sasl_client_mech_scram_sha256,
	&sasl_client_mech_plain,
	&sasl_client_mech_login,
};

static const struct sasl_client_mech *client_mech_find(const char *name)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(client_mechs); i++) {
		if (str_casecmp(name, client_mechs[i]->name) == 0)
			return client_mechs[i];
	}
	return NULL;
}

bool sasl_client_mech_supported(const char *name)
{
	return client_mech_find(name) != NULL;
}

const char *sasl_client_mech_choose(const char *const *offered, size_t count, bool allow_plaintext)
{
	/* client_mechs is in order of preference. */
	for (size_t m = 0; m < HF_N_ELEMENTS(client_mechs); m++) {
		const struct sasl_client_mech *mech = client_mechs[m];

		if (!allow_plaintext && mech != &sasl_client_mech_scram_sha256)
			continue;
		for (size_t i = 0; i < count; i++) {
			if (str_casecmp(offered[i], mech->name) == 0)
				return mech->name;
		}
	}
	return NULL;
}

struct sasl_client *sasl_client_new(const char *mech_name, const struct sasl_client_settings *set,
				    const char **error_r)
{
	const struct sasl_client_mech *mech =
		mech_name == NULL ? NULL : client_mech_find(mech_name);
	struct sasl_client *c;

	if (mech == NULL) {
		*error_r = "unsupported SASL mechanism";
		return NULL;
	}
	if (set->authcid == NULL || set->authcid[0] == '\0' || set->password == NULL) {
		*error_r = "user name and password required";
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->mech = mech;
	c->authcid = xstrdup(set->authcid);
	c->authzid = xstrdup(set->authzid != NULL ? set->authzid : "");
	c->password = xmemdup(set->password, set->password_len);
	c->password_len = set->password_len;
	if (mech->init != NULL && mech->init(c, error_r) < 0)
		sasl_client_free(&c);
	return c;
}

void sasl_client_free(struct sasl_client **cp)
{
	struct sasl_client *c = *cp;

	if (c == NULL)
		return;
	if (c->mech_state != NULL && c->mech->deinit != NULL)
		c->mech->deinit(c);
	OPENSSL_cleanse(c->password, c->password_len);
	free(c->password);
	free(c->authcid);
	free(c->authzid);
	sasl_buf_cleanse_free(&c->out);
	OPENSSL_cleanse(c, sizeof(*c));
	xfree(cp);
}

static void out_result(struct sasl_client *c, const unsigned char **out_r, size_t *out_len_r)
{
	*out_r = c->out.data != NULL ? c->out.data : (const unsigned char *)"";
	*out_len_r = c->out.len;
}

/* Forget the last response; wipe it, it may have held the password. */
static void out_reset(struct sasl_client *c)
{
	if (c->out.data != NULL)
		OPENSSL_cleanse(c->out.data, c->out.cap);
	buf_reset(&c->out);
}

bool sasl_client_initial(struct sasl_client *c, const unsigned char **out_r, size_t *out_len_r)
{
	const char *error;

	out_reset(c);
	if (!c->mech->has_initial || c->responses != 0 || c->failed ||
	    c->mech->step(c, NULL, 0, &error) < 0) {
		out_result(c, out_r, out_len_r);
		return false;
	}
	c->responses++;
	out_result(c, out_r, out_len_r);
	return true;
}

int sasl_client_step(struct sasl_client *c, const unsigned char *challenge, size_t len,
		     const unsigned char **out_r, size_t *out_len_r, const char **error_r)
{
	int ret;

	out_reset(c);
	if (c->failed) {
		*error_r = "SASL exchange already failed";
		ret = -1;
	} else if (len > SASL_CLIENT_CHALLENGE_MAX) {
		*error_r = "SASL challenge too long";
		ret = -1;
	} else if (c->mech->has_initial && c->responses == 0) {
		/* We sent no initial response; the server's first challenge
		 * of a client-first mechanism is empty (RFC 4422 section 5). */
		ret = len == 0 ? c->mech->step(c, NULL, 0, error_r) : -1;
		if (len != 0)
			*error_r = "unexpected non-empty first challenge";
	} else {
		ret = c->mech->step(c, len == 0 ? (const unsigned char *)"" : challenge, len,
				    error_r);
	}
	if (ret < 0) {
		c->failed = true;
		out_reset(c);
	} else {
		c->responses++;
	}
	out_result(c, out_r, out_len_r);
	return ret < 0 ? -1 : 0;
}

int sasl_client_finish(struct sasl_client *c, const unsigned char *data, size_t len,
		       const char **error_r)
{
	if (c->failed) {
		*error_r = "SASL exchange already failed";
		return -1;
	}
	if (data != NULL && len > SASL_CLIENT_CHALLENGE_MAX) {
		*error_r = "SASL success data too long";
		return -1;
	}
	if (c->mech->finish(c, data, len, error_r) < 0) {
		c->failed = true;
		return -1;
	}
	return 0;
}

bool sasl_client_initial_base64(struct sasl_client *c, struct buf *out)
{
	const unsigned char *data;
	size_t len;

	if (!sasl_client_initial(c, &data, &len))
		return false;
	if (len == 0)
		buf_append_byte(out, '=');
	else
		sasl_base64_encode(data, len, out);
	return true;
}

int sasl_client_step_base64(struct sasl_client *c, const char *line, size_t len, struct buf *out,
			    const char **error_r)
{
	struct buf in = BUF_INIT;
	const unsigned char *data;
	size_t data_len;
	int ret;

	if (len > sasl_base64_encoded_len(SASL_CLIENT_CHALLENGE_MAX) ||
	    sasl_base64_decode(line, len, &in) < 0) {
		c->failed = true;
		*error_r = "invalid base64 in SASL challenge";
		buf_free(&in);
		return -1;
	}
	ret = sasl_client_step(c, in.data, in.len, &data, &data_len, error_r);
	buf_free(&in);
	if (ret == 0)
		sasl_base64_encode(data, data_len, out);
	return ret;
}

const char *sasl_client_mech_name(const struct sasl_client *c)
{
	return c->mech->name;
}

/* PLAIN: one message, authzid NUL authcid NUL password (RFC 4616). */
static int plain_init(struct sasl_client *c, const char **error_r)
{
	if (memchr(c->password, '\0', c->password_len) != NULL || c->password_len == 0) {
		*error_r = "PLAIN: empty password or password with NUL";
		return -1;
	}
	return 0;
}

static int plain_step(struct sasl_client *c, const unsigned char *in, size_t len,
		      const char **error_r)
{
	size_t authzid_len = strlen(c->authzid), authcid_len = strlen(c->authcid);

	if (c->responses != 0) {
		*error_r = "PLAIN: unexpected challenge";
		return -1;
	}
	/* Reserve once: no realloc() may leave a copy of the password behind. */
	buf_reserve(&c->out, authzid_len + authcid_len + c->password_len + 2);
	buf_append(&c->out, c->authzid, authzid_len);
	buf_append_byte(&c->out, '\0');
	buf_append(&c->out, c->authcid, authcid_len);
	buf_append_byte(&c->out, '\0');
	buf_append(&c->out, c->password, c->password_len);
	return 0;
}

static int plain_finish(struct sasl_client *c, const unsigned char *data, size_t len,
			const char **error_r)
{
	if (c->responses == 0 || (data != NULL && len != 0)) {
		*error_r = "PLAIN: unexpected success";
		return -1;
	}
	return 0;
}

const struct sasl_client_mech sasl_client_mech_plain = {
	.name = "PLAIN",
	.has_initial = true,
	.init = plain_init,
	.step = plain_step,
	.finish = plain_finish,
};

/* LOGIN: answers the first challenge with the name, the second with the
 * password, whatever their text says ("Username:", "User Name", ...). */
static int login_step(struct sasl_client *c, const unsigned char *in, size_t len,
		      const char **error_r)
{
	if (c->responses == 0) {
		buf_append_str(&c->out, c->authcid);
	} else if (c->responses == 1) {
		buf_reserve(&c->out, c->password_len);
		buf_append(&c->out, c->password, c->password_len);
	} else {
		*error_r = "LOGIN: unexpected challenge";
		return -1;
	}
	return 0;
}

static int login_finish(struct sasl_client *c, const unsigned char *data, size_t len,
			const char **error_r)
{
	if (c->responses != 2 || (data != NULL && len != 0)) {
		*error_r = "LOGIN: unexpected success";
		return -1;
	}
	return 0;
}

const struct sasl_client_mech sasl_client_mech_login = {
	.name = "LOGIN",
	.has_initial = false,
	.init = plain_init,
	.step = login_step,
	.finish = login_finish,
};
