/* sasl-server-scram.c — the SCRAM-SHA-256 server mechanism (RFC 5802
 * sections 5 and 7, RFC 7677), without channel binding (no -PLUS).
 *
 * States: FIRST waits for client-first-message, FINAL for
 * client-final-message. AuthMessage is built up in auth_message as the
 * messages pass: client-first-bare "," server-first "," and finally
 * client-final-without-proof. */
#include "auth/sasl-server-private.h"
#include "auth/sasl-base64.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

enum scram_server_state { SCRAM_S_FIRST, SCRAM_S_FINAL };

struct scram_server {
	enum scram_server_state state;
	struct scram_keys keys;
	bool decoy; /* keys are made up: the proof must fail */
	char *gs2_header;
	size_t gs2_header_len;
	struct buf nonce; /* c-nonce + s-nonce */
	struct buf auth_message;
	char user[SASL_USER_MAX + 1];
	char test_nonce[SCRAM_NONCE_MAX + 1];
};

static void scram_init(struct sasl_server *s)
{
	s->mech_state = xcalloc(1, sizeof(struct scram_server));
}

static void scram_deinit(struct sasl_server *s)
{
	struct scram_server *ss = s->mech_state;

	scram_keys_cleanse(&ss->keys);
	free(ss->gs2_header);
	buf_free(&ss->nonce);
	sasl_buf_cleanse_free(&ss->auth_message);
	OPENSSL_cleanse(ss, sizeof(*ss));
	xfree(&s->mech_state);
}

void sasl_server_scram_set_nonce(struct sasl_server *s, const char *nonce)
{
	struct scram_server *ss = s->mech_state;

	if (s->mech != &sasl_server_mech_scram_sha256 || strlen(nonce) > SCRAM_NONCE_MAX)
		hf_panic("sasl_server_scram_set_nonce misused");
	strcpy(ss->test_nonce, nonce);
}

static void scram_start(struct sasl_server *s)
{
	/* Client-first (RFC 5802 section 5.2): an empty challenge. */
}

/* gs2-header = gs2-cbind-flag "," [ authzid ] ","  (RFC 5802 section 7).
 * Sets *authzid_r (NULL when absent) and returns the header length, or -1
 * after failing the exchange. */
static int parse_gs2_header(struct sasl_server *s, const char *msg, size_t len, char **authzid_r)
{
	const char *p = msg, *end = msg + len, *comma;

	*authzid_r = NULL;
	if (len >= 1 && msg[0] == 'p')
		return sasl_server_fail(s, SASL_FAIL_UNSUPPORTED,
					"SCRAM: channel binding not supported");
	/* 'y': the client could bind but thinks we cannot; we indeed cannot
	 * (no -PLUS advertised), so there is no downgrade (section 6). */
	if (len < 3 || (msg[0] != 'n' && msg[0] != 'y') || msg[1] != ',')
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid GS2 header");
	p += 2;
	comma = memchr(p, ',', (size_t)(end - p));
	if (comma == NULL)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid GS2 header");
	if (comma != p) {
		if (comma - p < 3 || p[0] != 'a' || p[1] != '=')
			return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid authzid");
		*authzid_r = scram_saslname_decode(p + 2, (size_t)(comma - p - 2));
		if (*authzid_r == NULL)
			return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid authzid");
	}
	return (int)(comma + 1 - msg);
}

/* client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions] */
static int parse_first_bare(struct sasl_server *s, const char *bare, size_t len, char **name_r,
			    const char **cnonce_r, size_t *cnonce_len_r)
{
	const char *p = bare, *end = bare + len;
	struct scram_attr attr;
	int ret;

	*name_r = NULL;
	if (scram_attr_next(&p, end, &attr) != 1)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED,
					"SCRAM: invalid client-first-message");
	if (attr.name == 'm')
		return sasl_server_fail(s, SASL_FAIL_UNSUPPORTED,
					"SCRAM: mandatory extension not supported");
	if (attr.name != 'n')
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: user name expected");
	*name_r = scram_saslname_decode(attr.value, attr.value_len);
	if (*name_r == NULL)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED,
					"SCRAM: invalid user name encoding");
	if (scram_attr_next(&p, end, &attr) != 1 || attr.name != 'r' ||
	    attr.value_len > SCRAM_NONCE_MAX || !scram_is_printable(attr.value, attr.value_len))
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid nonce");
	*cnonce_r = attr.value;
	*cnonce_len_r = attr.value_len;
	/* Optional extensions: syntax-checked, then ignored (section 5.1). */
	while ((ret = scram_attr_next(&p, end, &attr)) == 1)
		;
	if (ret < 0)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid extension");
	return 0;
}

/* Fetch the keys for the (prepared) user name; -1 after failing. */
static int lookup_keys(struct sasl_server *s, struct scram_server *ss, const char *name)
{
	enum sasl_lookup_result result = SASL_LOOKUP_TEMPFAIL;

	memset(&ss->keys, 0, sizeof(ss->keys));
	ss->user[0] = '\0';
	if (s->cb != NULL && s->cb->scram_lookup != NULL)
		result = s->cb->scram_lookup(s->context, name, &ss->keys, ss->user);
	ss->user[SASL_USER_MAX] = '\0';
	if (result == SASL_LOOKUP_TEMPFAIL)
		return sasl_server_fail(s, SASL_FAIL_TEMP, NULL);
	if (result == SASL_LOOKUP_DENIED) {
		if (ss->keys.iterations == 0)
			return sasl_server_fail(s, SASL_FAIL_CREDENTIALS, NULL);
		ss->decoy = true;
	} else if (ss->user[0] == '\0') {
		return sasl_server_fail(s, SASL_FAIL_TEMP, NULL);
	}
	if (ss->keys.salt_len == 0 || ss->keys.salt_len > SCRAM_SALT_MAX ||
	    ss->keys.iterations == 0)
		return sasl_server_fail(s, SASL_FAIL_TEMP, NULL);
	return 0;
}

static void write_server_first(struct sasl_server *s, struct scram_server *ss, const char *cnonce,
			       size_t cnonce_len)
{
	char snonce[SCRAM_NONCE_STRLEN + 1];

	buf_append(&ss->nonce, cnonce, cnonce_len);
	if (ss->test_nonce[0] != '\0') {
		buf_append_str(&ss->nonce, ss->test_nonce);
	} else {
		scram_nonce_new(snonce);
		buf_append_str(&ss->nonce, snonce);
	}
	buf_append_str(&s->out, "r=");
	buf_append(&s->out, ss->nonce.data, ss->nonce.len);
	buf_append_str(&s->out, ",s=");
	sasl_base64_encode(ss->keys.salt, ss->keys.salt_len, &s->out);
	buf_printf(&s->out, ",i=%u", ss->keys.iterations);
	buf_append_byte(&ss->auth_message, ',');
	buf_append(&ss->auth_message, s->out.data, s->out.len);
}

static int scram_first(struct sasl_server *s, struct scram_server *ss, const char *msg, size_t len)
{
	char *authzid = NULL, *name = NULL, *prepared = NULL;
	const char *cnonce = NULL;
	size_t cnonce_len = 0;
	int hlen, ret = -1;

	hlen = parse_gs2_header(s, msg, len, &authzid);
	if (hlen < 0)
		return -1;
	if (parse_first_bare(s, msg + hlen, len - (size_t)hlen, &name, &cnonce, &cnonce_len) < 0 ||
	    name == NULL)
		goto out;
	/* RFC 5802 section 5.1: prepare the name as a query string; abort if
	 * that fails or leaves nothing. */
	prepared = sasl_server_prep_name(name, strlen(name));
	if (prepared == NULL) {
		sasl_server_fail(s, SASL_FAIL_CREDENTIALS, NULL);
		goto out;
	}
	if (authzid != NULL &&
	    !sasl_server_authzid_allowed(authzid, strlen(authzid), prepared, strlen(prepared))) {
		sasl_server_fail(s, SASL_FAIL_AUTHZ, NULL);
		goto out;
	}
	if (lookup_keys(s, ss, prepared) < 0)
		goto out;
	ss->gs2_header = xstrndup(msg, (size_t)hlen);
	ss->gs2_header_len = (size_t)hlen;
	buf_append(&ss->auth_message, msg + hlen, len - (size_t)hlen);
	write_server_first(s, ss, cnonce, cnonce_len);
	ss->state = SCRAM_S_FINAL;
	ret = 0;
out:
	free(authzid);
	free(name);
	free(prepared);
	return ret;
}

/* client-final-message-without-proof = channel-binding "," nonce ["," extensions] */
static int check_final_without_proof(struct sasl_server *s, struct scram_server *ss,
				     const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;
	struct scram_attr attr;
	struct buf cbind = BUF_INIT;
	bool cbind_ok;
	int ret;

	if (scram_attr_next(&p, end, &attr) != 1 || attr.name != 'c')
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: channel binding expected");
	/* Section 6: without channel binding, c= is exactly the GS2 header. */
	cbind_ok = sasl_base64_decode(attr.value, attr.value_len, &cbind) == 0 &&
		   cbind.len == ss->gs2_header_len &&
		   memcmp(cbind.data, ss->gs2_header, cbind.len) == 0;
	buf_free(&cbind);
	if (!cbind_ok)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED,
					"SCRAM: channel bindings don't match");
	if (scram_attr_next(&p, end, &attr) != 1 || attr.name != 'r' ||
	    attr.value_len != ss->nonce.len ||
	    memcmp(attr.value, ss->nonce.data, attr.value_len) != 0)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: nonce mismatch");
	while ((ret = scram_attr_next(&p, end, &attr)) == 1)
		;
	if (ret < 0)
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid extension");
	return 0;
}

/* Does the proof show knowledge of ClientKey? (RFC 5802 section 3) */
static bool proof_valid(struct scram_server *ss, const unsigned char proof[SCRAM_KEY_LEN])
{
	unsigned char signature[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
	unsigned char stored_key[SCRAM_KEY_LEN];
	bool valid;

	scram_hmac(ss->keys.stored_key, SCRAM_KEY_LEN, ss->auth_message.data, ss->auth_message.len,
		   signature);
	for (size_t i = 0; i < SCRAM_KEY_LEN; i++)
		client_key[i] = proof[i] ^ signature[i];
	scram_hash(client_key, SCRAM_KEY_LEN, stored_key);
	valid = CRYPTO_memcmp(stored_key, ss->keys.stored_key, SCRAM_KEY_LEN) == 0 && !ss->decoy;
	OPENSSL_cleanse(client_key, sizeof(client_key));
	OPENSSL_cleanse(stored_key, sizeof(stored_key));
	OPENSSL_cleanse(signature, sizeof(signature));
	return valid;
}

static int scram_final(struct sasl_server *s, struct scram_server *ss, const char *msg, size_t len)
{
	unsigned char signature[SCRAM_KEY_LEN];
	const char *proof_attr = NULL;
	struct buf proof = BUF_INIT;
	size_t without_len;
	bool valid;

	/* The proof is the last attribute (section 7). */
	for (size_t i = len; i > 0; i--) {
		if (msg[i - 1] == ',') {
			proof_attr = msg + i;
			break;
		}
	}
	if (proof_attr == NULL || msg + len - proof_attr < 3 || proof_attr[0] != 'p' ||
	    proof_attr[1] != '=')
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: proof expected");
	without_len = (size_t)(proof_attr - 1 - msg);
	if (check_final_without_proof(s, ss, msg, without_len) < 0)
		return -1;
	if (sasl_base64_decode(proof_attr + 2, (size_t)(msg + len - proof_attr - 2), &proof) < 0 ||
	    proof.len != SCRAM_KEY_LEN) {
		buf_free(&proof);
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: invalid proof encoding");
	}
	buf_append_byte(&ss->auth_message, ',');
	buf_append(&ss->auth_message, msg, without_len);
	valid = proof_valid(ss, proof.data);
	buf_free(&proof);
	if (!valid)
		return sasl_server_fail(s, SASL_FAIL_CREDENTIALS, NULL);
	scram_hmac(ss->keys.server_key, SCRAM_KEY_LEN, ss->auth_message.data, ss->auth_message.len,
		   signature);
	buf_append_str(&s->out, "v=");
	sasl_base64_encode(signature, sizeof(signature), &s->out);
	memcpy(s->user, ss->user, sizeof(s->user));
	return 1;
}

static int scram_step(struct sasl_server *s, const unsigned char *in, size_t len)
{
	struct scram_server *ss = s->mech_state;
	const char *msg = (const char *)in;

	/* Every SCRAM message is UTF-8 text without NUL (section 7). */
	if (memchr(msg, '\0', len) != NULL || !utf8_valid(msg, len))
		return sasl_server_fail(s, SASL_FAIL_MALFORMED, "SCRAM: message is not UTF-8 text");
	if (ss->state == SCRAM_S_FIRST)
		return scram_first(s, ss, msg, len);
	return scram_final(s, ss, msg, len);
}

const struct sasl_server_mech sasl_server_mech_scram_sha256 = {
	.info = {.name = "SCRAM-SHA-256", .plaintext = false},
	.init = scram_init,
	.start = scram_start,
	.step = scram_step,
	.deinit = scram_deinit,
};
