/* sasl-client.h — the client side of SASL for the hafen mail client:
 * SCRAM-SHA-256 (RFC 5802, RFC 7677; verifies the server's signature),
 * PLAIN (RFC 4616) and LOGIN.
 *
 * No I/O: the IMAP client feeds each server challenge in and sends back
 * each response. Usage with an IMAP server that has SASL-IR (RFC 4959):
 *
 *     c = sasl_client_new(sasl_client_mech_choose(offered, n, tls), &set, &error);
 *     "AUTHENTICATE <mech>" plus " " and sasl_client_initial_base64() if it has one
 *     on "+ <base64>": sasl_client_step_base64() -> send the response line,
 *                      or "*" if it returned -1 (and give up)
 *     on tagged OK:    sasl_client_finish(c, NULL, 0, &error) must return 0,
 *                      else the server is not who it claims: drop the connection
 *
 * The settings' strings are copied; the password copy is wiped on free,
 * and so is every response buffer. PLAIN and LOGIN responses contain the
 * password: the caller should wipe its copies (OPENSSL_cleanse) too.
 */
#ifndef HAFEN_AUTH_SASL_CLIENT_H
#define HAFEN_AUTH_SASL_CLIENT_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Longest server challenge accepted, after base64 decoding. */
#define SASL_CLIENT_CHALLENGE_MAX 8192

struct sasl_client_settings {
	const char *authcid; /* user name, UTF-8 */
	const char *authzid; /* NULL or "" for none */
	const char *password;
	size_t password_len;
};

struct sasl_client;

/* Is the mechanism implemented here? (case-insensitive) */
bool sasl_client_mech_supported(const char *name);
/* Pick the best mechanism among those the server offers (names as in its
 * AUTH= capabilities): SCRAM-SHA-256, then PLAIN, then LOGIN; the last two
 * only when allow_plaintext (the connection is encrypted). NULL if none. */
const char *sasl_client_mech_choose(const char *const *offered, size_t count, bool allow_plaintext);

/* Start a client exchange. NULL with *error_r when the mechanism is
 * unknown or the settings are unusable (empty name; a name or password
 * SASLprep rejects, for SCRAM). */
struct sasl_client *sasl_client_new(const char *mech_name, const struct sasl_client_settings *set,
				    const char **error_r);
/* Free *cp, wiping the password and keys; *cp becomes NULL. Accepts NULL. */
void sasl_client_free(struct sasl_client **cp);

/* The initial response, if the mechanism has one (PLAIN, SCRAM): true and
 * the bytes in *out_r. False for LOGIN. Call at most once, before any
 * step; a client that does not send it waits for the first (empty)
 * challenge and gets the same bytes from sasl_client_step(). */
bool sasl_client_initial(struct sasl_client *c, const unsigned char **out_r, size_t *out_len_r);

/* Answer one server challenge. Returns 0 with the response in *out_r
 * (may be empty), or -1 with *error_r: a malformed or hostile challenge,
 * a SCRAM server error ("e="), a wrong server signature, an iteration
 * count below SCRAM_ITERATIONS_MIN or above SCRAM_ITERATIONS_MAX. The
 * output stays valid until the next call on c. */
int sasl_client_step(struct sasl_client *c, const unsigned char *challenge, size_t len,
		     const unsigned char **out_r, size_t *out_len_r, const char **error_r);

/* The server reported success. data: its additional data with success,
 * NULL when the protocol had none. Returns 0 when the exchange really
 * completed (for SCRAM: the server signature was present and right), -1
 * with *error_r otherwise. */
int sasl_client_finish(struct sasl_client *c, const unsigned char *data, size_t len,
		       const char **error_r);

/* Base64 wrappers for line-based protocols: the output is appended to out
 * in base64 ("=" for an empty initial response, RFC 4959 section 3). */
bool sasl_client_initial_base64(struct sasl_client *c, struct buf *out);
int sasl_client_step_base64(struct sasl_client *c, const char *line, size_t len, struct buf *out,
			    const char **error_r);

const char *sasl_client_mech_name(const struct sasl_client *c);

#endif
