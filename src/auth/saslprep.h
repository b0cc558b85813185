/* saslprep.h — SASLprep (RFC 4013), the stringprep profile (RFC 3454) for
 * user names and passwords.
 *
 * SCRAM hashes the prepared password (RFC 5802 section 2.2) and compares
 * the prepared user name (section 5.1); PLAIN recommends the same (RFC
 * 4616 section 2). Preparation maps non-ASCII spaces to SPACE, drops the
 * "commonly mapped to nothing" characters, normalises to NFKC (through
 * libunistring), rejects prohibited characters and badly mixed
 * right-to-left text, and for stored strings also rejects code points
 * unassigned in Unicode 3.2 (RFC 3454 section 7).
 *
 * Printable ASCII (0x20-0x7e) is unchanged by every step; such input
 * takes a fast path that only copies it.
 */
#ifndef HAFEN_AUTH_SASLPREP_H
#define HAFEN_AUTH_SASLPREP_H

#include <stddef.h>

/* Longest input accepted, in bytes. NFKC can make a string longer (up to
 * 18 times for one character), so the output may exceed this. */
#define SASLPREP_INPUT_MAX 4096

enum saslprep_kind {
	/* A string compared against stored ones (a user name presented at
	 * login, a password presented for verification): unassigned code
	 * points are allowed. */
	SASLPREP_QUERY,
	/* A string that is stored or hashed for later (a password being set,
	 * the password SCRAM hashes): unassigned code points are refused. */
	SASLPREP_STORED,
};

/* Prepare len bytes of UTF-8. On success returns 0 and sets *out_r to a
 * malloc()ed, NUL-terminated string of *out_len_r bytes that the caller
 * frees (after OPENSSL_cleanse() when it is a password; the input is not
 * touched). The result may be empty: callers decide whether that is an
 * error (RFC 4616 and RFC 5802 say it is for names and passwords).
 * Returns -1 with a static message in *error_r when the input is not
 * UTF-8, is too long, contains a prohibited or (for SASLPREP_STORED)
 * unassigned character, or fails the bidirectional rule. */
int saslprep(const char *in, size_t len, enum saslprep_kind kind, char **out_r, size_t *out_len_r,
	     const char **error_r);

#endif
