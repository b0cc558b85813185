/* sasl-server.h — the server side of SASL (RFC 4422): PLAIN (RFC 4616),
 * LOGIN (draft-murchison-sasl-login) and SCRAM-SHA-256 (RFC 5802, RFC
 * 7677), behind one step API, plus the LOGIN command's plain check.
 *
 * No I/O: the protocol session (IMAP AUTHENTICATE, POP3 AUTH, ManageSieve
 * AUTHENTICATE) feeds each client response in and sends back each
 * challenge. A typical IMAP exchange, with base64 done by the helpers:
 *
 *     s = sasl_server_new(name, &set, &callbacks, ctx, &error);
 *     if (s == NULL) -> tagged NO/BAD "unsupported mechanism"
 *     ret = have_initial_response ? sasl_server_step_base64(s, ir, len, true, &out, &error)
 *                                 : sasl_server_start_base64(s, &out);
 *     while (ret == 0) { send "+ " out CRLF; read line;
 *                        ret = sasl_server_step_base64(s, line, len, false, &out, &error); }
 *     ret == 1: logged in as sasl_server_user(s)
 *     ret == -1: sasl_server_failure(s) says which tagged reply; count a
 *                failure with the auth guard unless it was CANCELLED or TEMP
 *     sasl_server_free(&s);
 *
 * The credentials come from callbacks (userdb-sasl.h binds them to the
 * user database). They are called synchronously from the step that needs
 * them; a slow password hash blocks the caller for that long.
 *
 * Secrets: the server wipes every copy it makes of a client response
 * (PLAIN and LOGIN carry the password); the caller should wipe its own
 * line buffer (OPENSSL_cleanse) once a response has been fed in.
 *
 * Limits: a client response may be at most SASL_SERVER_INPUT_MAX bytes
 * after base64 decoding; names at most SASL_NAME_MAX bytes, passwords at
 * most SASL_PASSWORD_MAX. An exchange has a fixed, small number of steps.
 * Anything beyond fails with SASL_FAIL_MALFORMED.
 */
#ifndef HAFEN_AUTH_SASL_SERVER_H
#define HAFEN_AUTH_SASL_SERVER_H

#include "auth/scram.h"
#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

#define SASL_SERVER_INPUT_MAX 8192
#define SASL_NAME_MAX         1024
#define SASL_PASSWORD_MAX     1024
/* Longest canonical user name a callback may return (userdb's limit). */
#define SASL_USER_MAX 255

/* What the credential callbacks answer. */
enum sasl_lookup_result {
	SASL_LOOKUP_OK = 0,
	/* Unknown user, wrong password, disabled account, no SCRAM keys. */
	SASL_LOOKUP_DENIED = -1,
	/* The database could not answer (busy, I/O error): try later. */
	SASL_LOOKUP_TEMPFAIL = -2,
};

struct sasl_server_callbacks {
	/* PLAIN, LOGIN and the LOGIN command. authcid is SASLprep'd (as a
	 * query) UTF-8; the password is exactly what the client sent (no NUL,
	 * at most SASL_PASSWORD_MAX bytes): preparing it is the callback's
	 * business, because it must match how the stored hash was made. On OK
	 * the callback writes the canonical user name (e.g. lower-cased) to
	 * user_r, NUL-terminated. */
	enum sasl_lookup_result (*verify_password)(void *context, const char *authcid,
						   const char *password, size_t password_len,
						   char user_r[SASL_USER_MAX + 1]);
	/* SCRAM-SHA-256: the stored keys for authcid (SASLprep'd UTF-8). On OK
	 * fill keys_r and user_r. On DENIED the callback may still fill keys_r
	 * with decoy keys (iterations != 0: a salt that is stable per name and
	 * keys nobody can match); the exchange then runs to the end and fails
	 * at the proof, so a client cannot tell unknown users from wrong
	 * passwords. Without decoy keys it fails at once. */
	enum sasl_lookup_result (*scram_lookup)(void *context, const char *authcid,
						struct scram_keys *keys_r,
						char user_r[SASL_USER_MAX + 1]);
};

struct sasl_server_settings {
	/* The protocol can carry "additional data with success" (ManageSieve:
	 * yes; IMAP and POP3: no, RFC 4422 section 5 item 3). When false,
	 * SCRAM's server-final message is sent as one more challenge that the
	 * client answers with an empty response before success is reported. */
	bool success_data;
};

/* Why an exchange failed; the protocol maps it to its reply. */
enum sasl_failure {
	SASL_FAIL_NONE = 0,
	/* The client broke the mechanism's syntax or sent too much (IMAP: NO
	 * or BAD). */
	SASL_FAIL_MALFORMED,
	/* Unknown user, wrong password, locked account: NO [AUTHENTICATIONFAILED]. */
	SASL_FAIL_CREDENTIALS,
	/* Authenticated, but may not act as the requested authzid:
	 * NO [AUTHORIZATIONFAILED]. */
	SASL_FAIL_AUTHZ,
	/* The mechanism asks for something we do not offer (SCRAM channel
	 * binding "p="): NO. */
	SASL_FAIL_UNSUPPORTED,
	/* The user database could not answer: NO [UNAVAILABLE]. */
	SASL_FAIL_TEMP,
	/* The client sent "*" (RFC 9051 section 6.2.2): BAD. */
	SASL_FAIL_CANCELLED,
};

struct sasl_server;

/* Mechanisms we implement, in the order to advertise them. */
struct sasl_mech_info {
	const char *name;
	/* Sends the password in the clear: offer only over TLS or loopback. */
	bool plaintext;
};
/* Mechanism by name (case-insensitive, RFC 4422 section 3.1), or NULL. */
const struct sasl_mech_info *sasl_server_mech_find(const char *name);
/* The i-th mechanism, or NULL past the end. */
const struct sasl_mech_info *sasl_server_mech_at(size_t i);

/* Start an exchange for the named mechanism. The callbacks and context
 * must outlive the exchange; settings are copied (NULL: defaults). NULL
 * with *error_r set when the mechanism is unknown. */
struct sasl_server *sasl_server_new(const char *mech_name, const struct sasl_server_settings *set,
				    const struct sasl_server_callbacks *callbacks, void *context,
				    const char **error_r);
/* Free *sp, wiping anything secret it held; *sp becomes NULL. Accepts NULL. */
void sasl_server_free(struct sasl_server **sp);

/* The client sent no initial response: get the first challenge (empty for
 * PLAIN and SCRAM, "Username:" for LOGIN). Returns 0 (send it); only
 * valid as the first call, later it fails the exchange and returns -1. */
int sasl_server_start(struct sasl_server *s, const unsigned char **out_r, size_t *out_len_r);

/* Feed one client response (the initial response or the answer to the
 * last challenge; may be empty). Returns
 *    0  continue: send the challenge in *out_r (out_len_r bytes, may be 0)
 *    1  success: sasl_server_user() says who; *out_r holds additional
 *       data with success (only when settings.success_data; else empty)
 *   -1  failure: *error_r is a short message fit for the client (it never
 *       says whether the user exists); sasl_server_failure() says why.
 * The output stays valid until the next call on s. After 1 or -1 any
 * further step returns -1 and leaves the outcome as it was. */
int sasl_server_step(struct sasl_server *s, const unsigned char *in, size_t in_len,
		     const unsigned char **out_r, size_t *out_len_r, const char **error_r);

/* Base64 wrappers for line-based protocols. sasl_server_start_base64()
 * appends the first challenge in base64 to out. sasl_server_step_base64()
 * takes one line as the client sent it (without CRLF): "*" cancels (not
 * valid as an initial response), "=" as an initial response is an empty
 * one (RFC 4959 section 3), otherwise strict base64. It appends the base64
 * challenge (or success data) to out and returns like sasl_server_step. */
int sasl_server_start_base64(struct sasl_server *s, struct buf *out);
int sasl_server_step_base64(struct sasl_server *s, const char *line, size_t len,
			    bool initial_response, struct buf *out, const char **error_r);

/* After success: the canonical user name from the callback. "" before. */
const char *sasl_server_user(const struct sasl_server *s);
/* After failure: why. SASL_FAIL_NONE otherwise. */
enum sasl_failure sasl_server_failure(const struct sasl_server *s);
/* The mechanism's canonical (upper-case) name. */
const char *sasl_server_mech_name(const struct sasl_server *s);

/* The LOGIN command (RFC 9051 section 6.2.3): check user and password
 * with the same callback, limits and SASLprep of the name as PLAIN.
 * Returns SASL_FAIL_NONE and fills user_r on success. */
enum sasl_failure sasl_server_check_login(const struct sasl_server_callbacks *callbacks,
					  void *context, const char *user, size_t user_len,
					  const char *password, size_t password_len,
					  char user_r[SASL_USER_MAX + 1]);

#endif
