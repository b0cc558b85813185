/* sha512-crypt.h — SHA512-CRYPT ("$6$") computed on OpenSSL's SHA-512.
 *
 * The scheme is Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
 * (the one glibc and libxcrypt implement). Its cost is 5,000 (or
 * "rounds=N") SHA-512 digests of about 100 bytes each, so its speed is the
 * speed of one SHA-512 block. libxcrypt computes it with portable C;
 * on OpenSSL's assembly it takes about 30 % less time on x86-64 (1.25
 * against 1.7-1.9 ms at 5,000 rounds, AMD EPYC), and a login
 * against an imported Dovecot hash with no cached result is mostly this
 * computation (BENCHMARKS.md, "CPU per login session, cache off").
 *
 * Verification only: new hashes are yescrypt (password.h). The fast path
 * takes only the canonical form of the setting and leaves every other
 * string to libxcrypt, which then decides exactly as before; unit tests
 * compare the two on random passwords, salts and round counts.
 */
#ifndef HAFEN_AUTH_SHA512_CRYPT_H
#define HAFEN_AUTH_SHA512_CRYPT_H

#include <stdbool.h>
#include <stddef.h>

/* "$6$rounds=999999999$" + 16 salt characters + "$" + 86 + NUL = 124. */
#define SHA512_CRYPT_OUTPUT_MAX 128

/* Compute the crypt string of the password (len bytes, any but NUL) with
 * the setting at the start of hash: "$6$", optionally "rounds=N$", then
 * the salt up to the next '$'. Anything after that '$' is ignored, so a
 * stored hash serves as its own setting.
 *
 * Returns false, computing nothing, unless the setting is canonical: a
 * salt of 1 to 16 characters of the crypt alphabet ("./0-9A-Za-z")
 * followed by '$', and N, if present, written without leading zeros and
 * within 1,000 to 999,999,999 (libxcrypt clamps other values; a string
 * that needs clamping was not written by a crypt implementation). */
bool sha512_crypt(const char *password, size_t len, const char *hash,
		  char out_r[SHA512_CRYPT_OUTPUT_MAX]);

#endif
