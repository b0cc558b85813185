/* sasl-server-private.h — what the SASL server mechanisms share with the
 * generic step machine in sasl-server.c. Not for protocol code. */
#ifndef HAFEN_AUTH_SASL_SERVER_PRIVATE_H
#define HAFEN_AUTH_SASL_SERVER_PRIVATE_H

#include "auth/sasl-server.h"

/* States of an exchange. Invariants: out holds the last challenge while
 * RUNNING; user is non-empty only in DONE; failure is set only in FAILED.
 *   NEW          nothing fed yet
 *   RUNNING      a challenge was sent, waiting for the response
 *   SUCCESS_DATA authenticated; success data went out as a challenge and
 *                the empty response that acknowledges it is awaited
 *   DONE         authenticated (terminal)
 *   FAILED       failed (terminal) */
enum sasl_server_state {
	SASL_SERVER_NEW,
	SASL_SERVER_RUNNING,
	SASL_SERVER_SUCCESS_DATA,
	SASL_SERVER_DONE,
	SASL_SERVER_FAILED,
};

struct sasl_server_mech {
	struct sasl_mech_info info;
	/* Set up mech_state (may be NULL). */
	void (*init)(struct sasl_server *s);
	/* Write the first challenge to s->out (no initial response). */
	void (*start)(struct sasl_server *s);
	/* Consume one response: 0 with the next challenge in s->out, 1 on
	 * success with s->user set (and success data in s->out, if any), -1
	 * after sasl_server_fail(). */
	int (*step)(struct sasl_server *s, const unsigned char *in, size_t len);
	/* Wipe and free mech_state. */
	void (*deinit)(struct sasl_server *s);
};

struct sasl_server {
	const struct sasl_server_mech *mech;
	struct sasl_server_settings set;
	const struct sasl_server_callbacks *cb;
	void *context;
	enum sasl_server_state state;
	enum sasl_failure failure;
	const char *error;
	struct buf out;
	char user[SASL_USER_MAX + 1];
	void *mech_state;
};

extern const struct sasl_server_mech sasl_server_mech_plain;
extern const struct sasl_server_mech sasl_server_mech_login;
extern const struct sasl_server_mech sasl_server_mech_scram_sha256;

/* Record a failure with its client-facing message; returns -1. */
int sasl_server_fail(struct sasl_server *s, enum sasl_failure failure, const char *error);
/* The client-facing message for a failure kind. */
const char *sasl_failure_message(enum sasl_failure failure);

/* Check a name and password through the verify_password callback: the
 * name is SASLprep'd; limits are applied. SASL_FAIL_NONE on success. */
enum sasl_failure sasl_server_verify_password(const struct sasl_server_callbacks *cb, void *context,
					      const char *authcid, size_t authcid_len,
					      const char *password, size_t password_len,
					      char user_r[SASL_USER_MAX + 1]);

/* SASLprep a name (authcid or authzid) as a query: a malloc()ed string, or
 * NULL when it is empty, too long, not UTF-8 or prohibited. */
char *sasl_server_prep_name(const char *name, size_t len);

/* May authcid act as authzid? We allow only "none" (empty) or the
 * authcid itself, compared after SASLprep and ASCII-case-insensitively
 * because user names are case-insensitive (RFC 4616 section 2 and RFC
 * 5802 section 5.1 leave the policy to the server). */
bool sasl_server_authzid_allowed(const char *authzid, size_t authzid_len, const char *authcid,
				 size_t authcid_len);

/* Tests only: use this server nonce part in the next SCRAM server-first
 * message instead of a random one (the RFC 7677 example needs it). */
void sasl_server_scram_set_nonce(struct sasl_server *s, const char *nonce);

#endif
