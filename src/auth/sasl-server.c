/* sasl-server.c — the mechanism-independent part of the SASL server: the
 * mechanism table, the step state machine, limits, base64 wrappers and the
 * LOGIN command check (see sasl-server.h). */
#include "auth/sasl-server-private.h"
#include "auth/sasl-base64.h"
#include "auth/saslprep.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <string.h>

static const struct sasl_server_mech *const mechs[] = {
	&sasl_server_mech_scram_sha256,
	&sasl_server_mech_plain,
	&sasl_server_mech_login,
};

static const struct sasl_server_mech *mech_find(const char *name)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(mechs); i++) {
		if (str_casecmp(name, mechs[i]->info.name) == 0)
			return mechs[i];
	}
	return NULL;
}

const struct sasl_mech_info *sasl_server_mech_find(const char *name)
{
	const struct sasl_server_mech *mech = mech_find(name);

	return mech == NULL ? NULL : &mech->info;
}

const struct sasl_mech_info *sasl_server_mech_at(size_t i)
{
	return i < HF_N_ELEMENTS(mechs) ? &mechs[i]->info : NULL;
}

const char *sasl_failure_message(enum sasl_failure failure)
{
	switch (failure) {
	case SASL_FAIL_NONE:
		break;
	case SASL_FAIL_MALFORMED:
		return "invalid SASL response";
	case SASL_FAIL_CREDENTIALS:
		return "authentication failed";
	case SASL_FAIL_AUTHZ:
		return "not authorized to act as that user";
	case SASL_FAIL_UNSUPPORTED:
		return "unsupported SASL feature";
	case SASL_FAIL_TEMP:
		return "authentication temporarily unavailable";
	case SASL_FAIL_CANCELLED:
		return "authentication cancelled";
	}
	return "";
}

struct sasl_server *sasl_server_new(const char *mech_name, const struct sasl_server_settings *set,
				    const struct sasl_server_callbacks *callbacks, void *context,
				    const char **error_r)
{
	const struct sasl_server_mech *mech = mech_find(mech_name);
	struct sasl_server *s;

	if (mech == NULL) {
		*error_r = "unsupported SASL mechanism";
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->mech = mech;
	if (set != NULL)
		s->set = *set;
	s->cb = callbacks;
	s->context = context;
	s->state = SASL_SERVER_NEW;
	if (mech->init != NULL)
		mech->init(s);
	return s;
}

void sasl_server_free(struct sasl_server **sp)
{
	struct sasl_server *s = *sp;

	if (s == NULL)
		return;
	if (s->mech->deinit != NULL)
		s->mech->deinit(s);
	sasl_buf_cleanse_free(&s->out);
	OPENSSL_cleanse(s, sizeof(*s));
	xfree(sp);
}

int sasl_server_fail(struct sasl_server *s, enum sasl_failure failure, const char *error)
{
	s->state = SASL_SERVER_FAILED;
	s->failure = failure;
	s->error = error != NULL ? error : sasl_failure_message(failure);
	return -1;
}

int sasl_server_start(struct sasl_server *s, const unsigned char **out_r, size_t *out_len_r)
{
	int ret = 0;

	buf_reset(&s->out);
	if (s->state == SASL_SERVER_NEW) {
		s->state = SASL_SERVER_RUNNING;
		s->mech->start(s);
	} else {
		ret = sasl_server_fail(s, SASL_FAIL_MALFORMED, "authentication already started");
	}
	*out_r = s->out.data != NULL ? s->out.data : (const unsigned char *)"";
	*out_len_r = s->out.len;
	return ret;
}

/* Run one step of the state machine; the output is left in s->out. */
static int server_step(struct sasl_server *s, const unsigned char *in, size_t in_len)
{
	int ret;

	buf_reset(&s->out);
	switch (s->state) {
	case SASL_SERVER_DONE:
	case SASL_SERVER_FAILED:
		/* The outcome was reported and stands; this is a caller bug. */
		s->error = "authentication exchange already finished";
		return -1;
	case SASL_SERVER_SUCCESS_DATA:
		/* RFC 4422 section 5 item 3: the success data went out as a
		 * challenge; the only valid answer is an empty response. */
		if (in_len != 0)
			return sasl_server_fail(s, SASL_FAIL_MALFORMED, NULL);
		s->state = SASL_SERVER_DONE;
		return 1;
	case SASL_SERVER_NEW:
	case SASL_SERVER_RUNNING:
		break;
	}
	if (in_len > SASL_SERVER_INPUT_MAX)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SASL response too long");
	s->state = SASL_SERVER_RUNNING;
	ret = s->mech->step(s, in, in_len);
	if (ret < 0) {
		if (s->state != SASL_SERVER_FAILED)
			sasl_server_fail(s, SASL_FAIL_MALFORMED, NULL);
		return -1;
	}
	if (ret == 0)
		return 0;
	if (s->out.len > 0 && !s->set.success_data) {
		s->state = SASL_SERVER_SUCCESS_DATA;
		return 0;
	}
	s->state = SASL_SERVER_DONE;
	return 1;
}

int sasl_server_step(struct sasl_server *s, const unsigned char *in, size_t in_len,
		     const unsigned char **out_r, size_t *out_len_r, const char **error_r)
{
	int ret = server_step(s, in_len == 0 ? (const unsigned char *)"" : in, in_len);

	*out_r = s->out.data != NULL ? s->out.data : (const unsigned char *)"";
	*out_len_r = s->out.len;
	if (ret < 0)
		*error_r = s->error;
	return ret;
}

int sasl_server_start_base64(struct sasl_server *s, struct buf *out)
{
	const unsigned char *data;
	size_t len;
	int ret = sasl_server_start(s, &data, &len);

	sasl_base64_encode(data, len, out);
	return ret;
}

int sasl_server_step_base64(struct sasl_server *s, const char *line, size_t len,
			    bool initial_response, struct buf *out, const char **error_r)
{
	struct buf in = BUF_INIT;
	int ret;

	if (!initial_response && len == 1 && line[0] == '*') {
		sasl_server_fail(s, SASL_FAIL_CANCELLED, NULL);
		*error_r = s->error;
		return -1;
	}
	if (len > sasl_base64_encoded_len(SASL_SERVER_INPUT_MAX)) {
		sasl_server_fail(s, SASL_FAIL_MALFORMED, "SASL response too long");
		*error_r = s->error;
		return -1;
	}
	if (!(initial_response && len == 1 && line[0] == '=') &&
	    sasl_base64_decode(line, len, &in) < 0) {
		sasl_buf_cleanse_free(&in);
		sasl_server_fail(s, SASL_FAIL_MALFORMED, "invalid base64 in SASL response");
		*error_r = s->error;
		return -1;
	}
	ret = server_step(s, in.len == 0 ? (const unsigned char *)"" : in.data, in.len);
	sasl_buf_cleanse_free(&in);
	if (ret < 0)
		*error_r = s->error;
	else
		sasl_base64_encode(s->out.data, s->out.len, out);
	return ret;
}

const char *sasl_server_user(const struct sasl_server *s)
{
	return s->state == SASL_SERVER_DONE ? s->user : "";
}

enum sasl_failure sasl_server_failure(const struct sasl_server *s)
{
	return s->state == SASL_SERVER_FAILED ? s->failure : SASL_FAIL_NONE;
}

const char *sasl_server_mech_name(const struct sasl_server *s)
{
	return s->mech->info.name;
}

char *sasl_server_prep_name(const char *name, size_t len)
{
	const char *error;
	char *prepared;
	size_t prepared_len;

	if (len == 0 || len > SASL_NAME_MAX)
		return NULL;
	if (saslprep(name, len, SASLPREP_QUERY, &prepared, &prepared_len, &error) < 0)
		return NULL;
	if (prepared_len == 0 || prepared_len > SASL_NAME_MAX) {
		free(prepared);
		return NULL;
	}
	return prepared;
}

bool sasl_server_authzid_allowed(const char *authzid, size_t authzid_len, const char *authcid,
				 size_t authcid_len)
{
	char *a, *c;
	bool ok;

	if (authzid_len == 0)
		return true;
	a = sasl_server_prep_name(authzid, authzid_len);
	c = sasl_server_prep_name(authcid, authcid_len);
	ok = a != NULL && c != NULL && str_casecmp(a, c) == 0;
	free(a);
	free(c);
	return ok;
}

enum sasl_failure sasl_server_verify_password(const struct sasl_server_callbacks *cb, void *context,
					      const char *authcid, size_t authcid_len,
					      const char *password, size_t password_len,
					      char user_r[SASL_USER_MAX + 1])
{
	enum sasl_lookup_result result;
	char *name;

	if (password_len > SASL_PASSWORD_MAX || memchr(password, '\0', password_len) != NULL ||
	    memchr(authcid, '\0', authcid_len) != NULL)
		return SASL_FAIL_MALFORMED;
	if (cb == NULL || cb->verify_password == NULL)
		return SASL_FAIL_TEMP;
	name = sasl_server_prep_name(authcid, authcid_len);
	if (name == NULL || password_len == 0) {
		free(name);
		return SASL_FAIL_CREDENTIALS;
	}
	user_r[0] = '\0';
	result = cb->verify_password(context, name, password, password_len, user_r);
	free(name);
	user_r[SASL_USER_MAX] = '\0';
	switch (result) {
	case SASL_LOOKUP_OK:
		return user_r[0] != '\0' ? SASL_FAIL_NONE : SASL_FAIL_TEMP;
	case SASL_LOOKUP_DENIED:
		return SASL_FAIL_CREDENTIALS;
	case SASL_LOOKUP_TEMPFAIL:
		break;
	}
	return SASL_FAIL_TEMP;
}

enum sasl_failure sasl_server_check_login(const struct sasl_server_callbacks *callbacks,
					  void *context, const char *user, size_t user_len,
					  const char *password, size_t password_len,
					  char user_r[SASL_USER_MAX + 1])
{
	return sasl_server_verify_password(callbacks, context, user, user_len, password,
					   password_len, user_r);
}
