/* tls.h — TLS contexts over OpenSSL 3: the server's (from PEM files, or a
 * generated self-signed certificate) and the hafen client's (verifying).
 *
 * Both speak TLS 1.2 and 1.3 only. TLS 1.2 is limited to ECDHE key exchange
 * with AEAD ciphers (Mozilla's "intermediate" profile without DHE); TLS 1.3
 * uses OpenSSL's default suites. See docs/tls.md.
 *
 * Lifetime: a struct tls_ctx wraps one SSL_CTX. Every connection created
 * from it holds its own reference to the SSL_CTX (through its SSL), so
 * freeing or replacing the tls_ctx — a reload on SIGHUP — never disturbs
 * established connections; they finish on the old certificate.
 *
 * Errors: one line naming the file and the problem; the text lives in a
 * buffer of this module, valid until the next tls_* call.
 */
#ifndef HAFEN_NET_TLS_H
#define HAFEN_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct tls_ctx;

/* Server context from a PEM certificate file (the leaf first, then any
 * intermediates) and a PEM private key (unencrypted: there is nobody to
 * type a passphrase). Server cipher preference, stateless session tickets
 * (no per-process session cache), SSL_MODE_RELEASE_BUFFERS.
 * Returns NULL with *error_r set when a file cannot be read, holds no
 * usable PEM, the key is encrypted, or key and certificate do not match. */
struct tls_ctx *tls_server_ctx_new(const char *cert_file, const char *key_file,
				   const char **error_r);

/* A certificate chain and its key as PEM text, with the names of the files
 * they came from (for messages). Every field is malloc()ed; the key is
 * wiped by tls_pem_pair_clear(). */
struct tls_pem_pair {
	char *cert_name, *key_name;
	char *cert, *key;
	size_t cert_len, key_len;
};
/* Largest certificate or key file taken. */
#define TLS_PEM_MAX (256 * 1024)

/* Read both files (each at most TLS_PEM_MAX bytes). 0, or -1 with
 * *error_r ("cannot read certificate PATH: ...") and *pem_r empty. */
int tls_pem_pair_read(const char *cert_file, const char *key_file, struct tls_pem_pair *pem_r,
		      const char **error_r);
/* Wipe the key, free everything; the pair is empty afterwards. */
void tls_pem_pair_clear(struct tls_pem_pair *pem);
/* tls_server_ctx_new and tls_server_ctx_reload from PEM text already in
 * memory (a process that cannot read the files itself: the TLS keeper). */
struct tls_ctx *tls_server_ctx_new_pem(const struct tls_pem_pair *pem, const char **error_r);
int tls_server_ctx_reload_pem(struct tls_ctx **ctxp, const struct tls_pem_pair *pem,
			      const char **error_r);

/* SIGHUP: build a new server context from the files and, on success, replace
 * *ctxp with it (freeing the old one; connections keep using it until they
 * end). The session-ticket keys carry over, so clients holding a ticket
 * still resume. On failure *ctxp is untouched and -1 is returned. */
int tls_server_ctx_reload(struct tls_ctx **ctxp, const char *cert_file, const char *key_file,
			  const char **error_r);

/* Self-signed fallback when no certificate is configured. Ensures dir/cert.pem
 * and dir/key.pem exist (creating dir with mode 0700 if missing): an EC P-256
 * key (mode 0600) and a certificate valid for ten years whose
 * subjectAltName lists localhost, 127.0.0.1, ::1 and `hostname` (NULL: this
 * machine's name, if it is a valid DNS name). Existing files are reused; if
 * only one of the two exists both are made anew. Files are written to a
 * temporary name, synced and renamed, so a crash never leaves half a key.
 * Logs a warning either way: clients will not trust such a certificate.
 * *cert_path_r and *key_path_r are malloc()ed for the caller to free.
 * Returns 1 when it generated new files, 0 when it reused them, -1 on error. */
int tls_selfsigned_ensure(const char *dir, const char *hostname, char **cert_path_r,
			  char **key_path_r, const char **error_r);

struct tls_client_settings {
	/* PEM file of extra trusted CA certificates (or a self-signed server
	 * certificate to pin); NULL for none. */
	const char *ca_file;
	/* Do not trust the system's CA store (only ca_file). */
	bool no_system_store;
	/* Accept any certificate and any name. Only for tests and for servers
	 * the user explicitly chose not to verify; the caller should say so. */
	bool insecure;
};

/* Client context. Unless insecure, the server's certificate must chain to a
 * trusted CA and carry the host name the connection was opened for
 * (RFC 7817 section 3, RFC 6125 section 6: subjectAltName DNS-IDs, a
 * wildcard only as the whole left-most label; IP literals match iPAddress
 * entries). Returns NULL with *error_r set when the CA file is unusable. */
struct tls_ctx *tls_client_ctx_new(const struct tls_client_settings *set, const char **error_r);

bool tls_ctx_is_server(const struct tls_ctx *ctx);
/* Free the context; *ctxp becomes NULL. Accepts NULL. */
void tls_ctx_free(struct tls_ctx **ctxp);

#endif
