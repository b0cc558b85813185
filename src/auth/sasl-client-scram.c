/* sasl-client-scram.c — the SCRAM-SHA-256 client (RFC 5802, RFC 7677),
 * without channel binding (gs2 flag "n").
 *
 * States: FIRST (client-first to write), FINAL (server-first expected;
 * client-final to write), VERIFY (server-final expected), DONE (server
 * signature verified). The client refuses to finish without DONE: a server
 * that says OK without proving it knows ServerKey is an impostor. */
#include "auth/sasl-client-private.h"
#include "auth/sasl-base64.h"
#include "auth/saslprep.h"
#include "auth/scram.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum scram_client_state { SCRAM_C_FIRST, SCRAM_C_FINAL, SCRAM_C_VERIFY, SCRAM_C_DONE };

struct scram_client {
	enum scram_client_state state;
	char *password; /* SASLprep'd as a stored string */
	size_t password_len;
	char nonce[SCRAM_NONCE_MAX + 1]; /* our c-nonce */
	struct buf gs2_header;
	struct buf auth_message;
	unsigned char server_signature[SCRAM_KEY_LEN];
	char error[128]; /* "e=" text from the server */
};

void sasl_client_scram_set_nonce(struct sasl_client *c, const char *nonce)
{
	struct scram_client *sc = c->mech_state;

	if (c->mech != &sasl_client_mech_scram_sha256 || strlen(nonce) > SCRAM_NONCE_MAX)
		hf_panic("sasl_client_scram_set_nonce misused");
	strcpy(sc->nonce, nonce);
}

static int scram_init(struct sasl_client *c, const char **error_r)
{
	struct scram_client *sc;
	char *user;
	size_t user_len;

	/* RFC 5802 section 5.1: the name SHOULD be SASLprep'd (query). */
	if (saslprep(c->authcid, strlen(c->authcid), SASLPREP_QUERY, &user, &user_len, error_r) < 0)
		return -1;
	free(c->authcid);
	c->authcid = user;
	sc = xcalloc(1, sizeof(*sc));
	c->mech_state = sc;
	if (user_len == 0) {
		*error_r = "SCRAM: empty user name";
		return -1;
	}
	if (saslprep(c->password, c->password_len, SASLPREP_STORED, &sc->password,
		     &sc->password_len, error_r) < 0)
		return -1;
	if (sc->password_len == 0) {
		*error_r = "SCRAM: empty password";
		return -1;
	}
	scram_nonce_new(sc->nonce);
	return 0;
}

static void scram_deinit(struct sasl_client *c)
{
	struct scram_client *sc = c->mech_state;

	if (sc->password != NULL)
		OPENSSL_cleanse(sc->password, sc->password_len);
	free(sc->password);
	buf_free(&sc->gs2_header);
	sasl_buf_cleanse_free(&sc->auth_message);
	OPENSSL_cleanse(sc, sizeof(*sc));
	xfree(&c->mech_state);
}

/* client-first-message = gs2-header client-first-message-bare */
static void write_client_first(struct sasl_client *c, struct scram_client *sc)
{
	buf_append_str(&sc->gs2_header, "n,");
	if (c->authzid[0] != '\0') {
		buf_append_str(&sc->gs2_header, "a=");
		scram_saslname_encode(c->authzid, strlen(c->authzid), &sc->gs2_header);
	}
	buf_append_byte(&sc->gs2_header, ',');
	buf_append_str(&sc->auth_message, "n=");
	scram_saslname_encode(c->authcid, strlen(c->authcid), &sc->auth_message);
	buf_append_str(&sc->auth_message, ",r=");
	buf_append_str(&sc->auth_message, sc->nonce);
	buf_append(&c->out, sc->gs2_header.data, sc->gs2_header.len);
	buf_append(&c->out, sc->auth_message.data, sc->auth_message.len);
	sc->state = SCRAM_C_FINAL;
}

struct server_first {
	const char *nonce;
	size_t nonce_len;
	struct buf salt;
	uint32_t iterations;
};

/* posit-number = %x31-39 *DIGIT (RFC 5802 section 7), within our bounds. */
static int parse_iterations(const char *s, size_t len, uint32_t *iterations_r, const char **error_r)
{
	if (len == 0 || s[0] == '0' || !str_to_u32(s, len, iterations_r)) {
		*error_r = "SCRAM: invalid iteration count";
		return -1;
	}
	if (*iterations_r < SCRAM_ITERATIONS_MIN) {
		*error_r = "SCRAM: server's iteration count is too low (RFC 7677 asks for 4096)";
		return -1;
	}
	if (*iterations_r > SCRAM_ITERATIONS_MAX) {
		*error_r = "SCRAM: server's iteration count is too high";
		return -1;
	}
	return 0;
}

/* server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions] */
static int parse_server_first(struct scram_client *sc, const char *msg, size_t len,
			      struct server_first *sf, const char **error_r)
{
	const char *p = msg, *end = msg + len;
	size_t cnonce_len = strlen(sc->nonce);
	struct scram_attr attr = {0};
	int ret;

	if (scram_attr_next(&p, end, &attr) != 1) {
		*error_r = "SCRAM: invalid server-first-message";
		return -1;
	}
	if (attr.name == 'm') {
		*error_r = "SCRAM: server requires an extension we do not support";
		return -1;
	}
	if (attr.name != 'r' || attr.value_len <= cnonce_len || attr.value_len > SCRAM_NONCE_MAX ||
	    memcmp(attr.value, sc->nonce, cnonce_len) != 0 ||
	    !scram_is_printable(attr.value, attr.value_len)) {
		*error_r = "SCRAM: server nonce does not extend ours";
		return -1;
	}
	sf->nonce = attr.value;
	sf->nonce_len = attr.value_len;
	if (scram_attr_next(&p, end, &attr) != 1 || attr.name != 's' ||
	    attr.value_len > sasl_base64_encoded_len(SCRAM_SALT_MAX) ||
	    sasl_base64_decode(attr.value, attr.value_len, &sf->salt) < 0 || sf->salt.len == 0) {
		*error_r = "SCRAM: invalid salt";
		return -1;
	}
	if (scram_attr_next(&p, end, &attr) != 1 || attr.name != 'i') {
		*error_r = "SCRAM: iteration count expected";
		return -1;
	}
	if (parse_iterations(attr.value, attr.value_len, &sf->iterations, error_r) < 0)
		return -1;
	while ((ret = scram_attr_next(&p, end, &attr)) == 1)
		;
	if (ret < 0) {
		*error_r = "SCRAM: invalid extension in server-first-message";
		return -1;
	}
	return 0;
}

/* Compute the proof, remember the expected server signature and write
 * client-final-message (RFC 5802 section 3). */
static void write_client_final(struct sasl_client *c, struct scram_client *sc,
			       const struct server_first *sf)
{
	unsigned char salted[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
	unsigned char stored_key[SCRAM_KEY_LEN], server_key[SCRAM_KEY_LEN];
	unsigned char signature[SCRAM_KEY_LEN];
	size_t without_proof_start;

	scram_salted_password(sc->password, sc->password_len, sf->salt.data, sf->salt.len,
			      sf->iterations, salted);
	scram_client_key(salted, client_key);
	scram_hash(client_key, SCRAM_KEY_LEN, stored_key);
	scram_server_key(salted, server_key);
	without_proof_start = c->out.len;
	buf_append_str(&c->out, "c=");
	sasl_base64_encode(sc->gs2_header.data, sc->gs2_header.len, &c->out);
	buf_append_str(&c->out, ",r=");
	buf_append(&c->out, sf->nonce, sf->nonce_len);
	buf_append_byte(&sc->auth_message, ',');
	buf_append(&sc->auth_message, c->out.data + without_proof_start,
		   c->out.len - without_proof_start);
	scram_hmac(stored_key, SCRAM_KEY_LEN, sc->auth_message.data, sc->auth_message.len,
		   signature);
	for (size_t i = 0; i < SCRAM_KEY_LEN; i++)
		client_key[i] ^= signature[i]; /* now ClientProof */
	buf_append_str(&c->out, ",p=");
	sasl_base64_encode(client_key, SCRAM_KEY_LEN, &c->out);
	scram_hmac(server_key, SCRAM_KEY_LEN, sc->auth_message.data, sc->auth_message.len,
		   sc->server_signature);
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	OPENSSL_cleanse(stored_key, sizeof(stored_key));
	OPENSSL_cleanse(server_key, sizeof(server_key));
	OPENSSL_cleanse(signature, sizeof(signature));
}

static int handle_server_first(struct sasl_client *c, struct scram_client *sc, const char *msg,
			       size_t len, const char **error_r)
{
	struct server_first sf = {.salt = BUF_INIT};

	if (parse_server_first(sc, msg, len, &sf, error_r) < 0) {
		buf_free(&sf.salt);
		return -1;
	}
	buf_append_byte(&sc->auth_message, ',');
	buf_append(&sc->auth_message, msg, len);
	write_client_final(c, sc, &sf);
	buf_free(&sf.salt);
	sc->state = SCRAM_C_VERIFY;
	return 0;
}

/* server-final-message = (server-error / verifier) ["," extensions] */
static int handle_server_final(struct scram_client *sc, const char *msg, size_t len,
			       const char **error_r)
{
	const char *p = msg, *end = msg + len;
	struct scram_attr attr;
	struct buf v = BUF_INIT;
	bool ok;

	if (scram_attr_next(&p, end, &attr) != 1 || (attr.name != 'v' && attr.name != 'e')) {
		*error_r = "SCRAM: invalid server-final-message";
		return -1;
	}
	if (attr.name == 'e') {
		size_t n = attr.value_len < sizeof(sc->error) - 20 ? attr.value_len
								   : sizeof(sc->error) - 20;

		snprintf(sc->error, sizeof(sc->error), "SCRAM: server error: %.*s", (int)n,
			 attr.value);
		*error_r = sc->error;
		return -1;
	}
	ok = sasl_base64_decode(attr.value, attr.value_len, &v) == 0 && v.len == SCRAM_KEY_LEN &&
	     CRYPTO_memcmp(v.data, sc->server_signature, SCRAM_KEY_LEN) == 0;
	buf_free(&v);
	if (!ok) {
		*error_r = "SCRAM: wrong server signature: the server does not know the password";
		return -1;
	}
	sc->state = SCRAM_C_DONE;
	return 0;
}

static int scram_step(struct sasl_client *c, const unsigned char *in, size_t len,
		      const char **error_r)
{
	struct scram_client *sc = c->mech_state;
	const char *msg = (const char *)in;

	if (in != NULL && (memchr(msg, '\0', len) != NULL || !utf8_valid(msg, len))) {
		*error_r = "SCRAM: server message is not UTF-8 text";
		return -1;
	}
	switch (sc->state) {
	case SCRAM_C_FIRST:
		write_client_first(c, sc);
		return 0;
	case SCRAM_C_FINAL:
		return handle_server_first(c, sc, msg, len, error_r);
	case SCRAM_C_VERIFY:
		/* The protocol sent server-final as a challenge; we answer
		 * with an empty response (RFC 4422 section 5 item 3). */
		return handle_server_final(sc, msg, len, error_r);
	case SCRAM_C_DONE:
		break;
	}
	*error_r = "SCRAM: unexpected challenge after server-final-message";
	return -1;
}

static int scram_finish(struct sasl_client *c, const unsigned char *data, size_t len,
			const char **error_r)
{
	struct scram_client *sc = c->mech_state;

	if (sc->state == SCRAM_C_VERIFY && data != NULL) {
		if (memchr(data, '\0', len) != NULL || !utf8_valid(data, len)) {
			*error_r = "SCRAM: server message is not UTF-8 text";
			return -1;
		}
		if (handle_server_final(sc, (const char *)data, len, error_r) < 0)
			return -1;
	} else if (data != NULL && len != 0) {
		*error_r = "SCRAM: unexpected success data";
		return -1;
	}
	if (sc->state != SCRAM_C_DONE) {
		*error_r = "SCRAM: server reported success without proving it knows the password";
		return -1;
	}
	return 0;
}

const struct sasl_client_mech sasl_client_mech_scram_sha256 = {
	.name = "SCRAM-SHA-256",
	.has_initial = true,
	.init = scram_init,
	.step = scram_step,
	.finish = scram_finish,
	.deinit = scram_deinit,
};
