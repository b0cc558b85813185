/* sasl-client-private.h — what the client mechanisms share with the
 * generic part in sasl-client.c. */
#ifndef HAFEN_AUTH_SASL_CLIENT_PRIVATE_H
#define HAFEN_AUTH_SASL_CLIENT_PRIVATE_H

#include "auth/sasl-client.h"

struct sasl_client_mech {
	const char *name;
	bool has_initial;
	/* Check settings and set up mech_state; -1 with *error_r. */
	int (*init)(struct sasl_client *c, const char **error_r);
	/* Write the next response to c->out. c->responses counts the
	 * responses already written; the first one (the initial response of a
	 * client-first mechanism) is asked for with in == NULL. */
	int (*step)(struct sasl_client *c, const unsigned char *in, size_t len,
		    const char **error_r);
	/* Success was reported: 0 if the exchange is complete. */
	int (*finish)(struct sasl_client *c, const unsigned char *data, size_t len,
		      const char **error_r);
	void (*deinit)(struct sasl_client *c);
};

struct sasl_client {
	const struct sasl_client_mech *mech;
	char *authcid, *authzid;
	char *password;
	size_t password_len;
	unsigned int responses; /* responses written so far */
	bool failed;
	struct buf out;
	void *mech_state;
};

extern const struct sasl_client_mech sasl_client_mech_plain;
extern const struct sasl_client_mech sasl_client_mech_login;
extern const struct sasl_client_mech sasl_client_mech_scram_sha256;

/* Tests only: use this client nonce instead of a random one. */
void sasl_client_scram_set_nonce(struct sasl_client *c, const char *nonce);

#endif
