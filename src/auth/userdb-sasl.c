/* userdb-sasl.c — SASL credential callbacks over the user database. */
#include "auth/userdb-sasl.h"
#include "auth/userdb.h"

#include "lib/log.h"

_Static_assert(SASL_USER_MAX == USERDB_NAME_MAX, "canonical name buffers must agree");

static enum sasl_lookup_result map_result(int ret, const char *error)
{
	switch (ret) {
	case USERDB_OK:
		return SASL_LOOKUP_OK;
	case USERDB_ERR_DB:
		log_error("user database: %s", error);
		return SASL_LOOKUP_TEMPFAIL;
	default:
		return SASL_LOOKUP_DENIED;
	}
}

static enum sasl_lookup_result userdb_sasl_verify(void *context, const char *authcid,
						  const char *password, size_t password_len,
						  char user_r[SASL_USER_MAX + 1])
{
	const char *error = NULL;
	int ret = userdb_verify_password(context, authcid, password, password_len, user_r, &error);

	return map_result(ret, error);
}

static enum sasl_lookup_result userdb_sasl_scram(void *context, const char *authcid,
						 struct scram_keys *keys_r,
						 char user_r[SASL_USER_MAX + 1])
{
	const char *error = NULL;
	int ret = userdb_get_scram(context, authcid, keys_r, user_r, &error);
	enum sasl_lookup_result result = map_result(ret, error);

	if (result == SASL_LOOKUP_DENIED)
		userdb_scram_decoy(context, authcid, keys_r);
	return result;
}

const struct sasl_server_callbacks userdb_sasl_callbacks = {
	.verify_password = userdb_sasl_verify,
	.scram_lookup = userdb_sasl_scram,
};
