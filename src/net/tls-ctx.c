/* tls-ctx.c — server and client SSL_CTX setup: protocols, ciphers, files, verification. */
#include "tls-private.h"

#include "lib/mem.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* TLS 1.2: ECDHE key exchange and AEAD ciphers only (Mozilla "intermediate"
 * without the DHE suites). TLS 1.3 keeps OpenSSL's default suites, which
 * are all AEAD. */
static const char tls12_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
				    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
				    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
static const char tls_groups[] = "X25519:P-256:P-384";
/* How long a client may resume with a ticket. */
#define TLS_TICKET_LIFETIME 7200
/* Size of OpenSSL 3's ticket key block: name, HMAC secret, AES key. */
#define TLS_TICKET_KEYS_SIZE 80

static char error_buf[1024];

const char *tls_error_set(const char *fmt, ...)
{
	char tmp[sizeof(error_buf)];
	va_list ap;

	/* Arguments may point into error_buf itself (a reason composed earlier). */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(error_buf, tmp, sizeof(error_buf));
	return error_buf;
}

const char *tls_openssl_reason(const char *fallback)
{
	static char reason[256];
	unsigned long e = ERR_get_error();
	const char *r;

	ERR_clear_error();
	if (e == 0)
		return fallback;
	r = ERR_reason_error_string(e);
	if (r == NULL) {
		ERR_error_string_n(e, reason, sizeof(reason));
		return reason;
	}
	snprintf(reason, sizeof(reason), "%s", r);
	return reason;
}

/* An encrypted key would make OpenSSL prompt on the terminal; refuse
 * instead, and note that a passphrase was wanted. */
static int no_passphrase_cb(char *buf, int size, int rwflag, void *userdata)
{
	if (userdata != NULL)
		*(bool *)userdata = true;
	return 0;
}

static int check_readable(const char *what, const char *path, const char **error_r)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		*error_r = tls_error_set("cannot read %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/* The whole file into a malloc()ed buffer; at most TLS_PEM_MAX bytes. */
static char *read_pem_file(const char *what, const char *path, size_t *len_r, const char **error_r)
{
	FILE *f = fopen(path, "r");
	char *data;
	size_t n;

	if (f == NULL) {
		*error_r = tls_error_set("cannot read %s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	data = xmalloc(TLS_PEM_MAX + 1);
	n = fread(data, 1, TLS_PEM_MAX + 1, f);
	if (ferror(f) || n > TLS_PEM_MAX) {
		*error_r = ferror(f) ? tls_error_set("cannot read %s %s: %s", what, path,
						     strerror(errno))
				     : tls_error_set("%s %s: larger than %d bytes", what, path,
						     TLS_PEM_MAX);
		OPENSSL_cleanse(data, TLS_PEM_MAX + 1);
		free(data);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len_r = n;
	return data;
}

int tls_pem_pair_read(const char *cert_file, const char *key_file, struct tls_pem_pair *pem_r,
		      const char **error_r)
{
	memset(pem_r, 0, sizeof(*pem_r));
	pem_r->cert = read_pem_file("certificate", cert_file, &pem_r->cert_len, error_r);
	if (pem_r->cert == NULL)
		return -1;
	pem_r->key = read_pem_file("key", key_file, &pem_r->key_len, error_r);
	if (pem_r->key == NULL) {
		tls_pem_pair_clear(pem_r);
		return -1;
	}
	pem_r->cert_name = xstrdup(cert_file);
	pem_r->key_name = xstrdup(key_file);
	return 0;
}

void tls_pem_pair_clear(struct tls_pem_pair *pem)
{
	if (pem->key != NULL)
		OPENSSL_cleanse(pem->key, pem->key_len);
	free(pem->cert);
	free(pem->key);
	free(pem->cert_name);
	free(pem->key_name);
	memset(pem, 0, sizeof(*pem));
}

static int common_setup(SSL_CTX *ssl_ctx, const char **error_r)
{
	if (SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ssl_ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ssl_ctx, tls12_ciphers) != 1 ||
	    SSL_CTX_set1_groups_list(ssl_ctx, tls_groups) != 1) {
		*error_r = tls_error_set("cannot set up TLS: %s", tls_openssl_reason("unknown"));
		return -1;
	}
	SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	/* RELEASE_BUFFERS: an idle connection holds no record buffers.
	 * ACCEPT_MOVING_WRITE_BUFFER: libevent may retry a write from another
	 * address after WANT_WRITE. */
	SSL_CTX_set_mode(ssl_ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_default_passwd_cb(ssl_ctx, no_passphrase_cb);
	return 0;
}

/* The leaf certificate, then every further certificate as the chain, as
 * SSL_CTX_use_certificate_chain_file() takes them from a file. */
static int load_chain(SSL_CTX *ssl_ctx, const struct tls_pem_pair *pem, const char **error_r)
{
	BIO *bio;
	X509 *x;
	unsigned long e;
	int ok;

	/* The queue must hold only what this reading leaves (see below). */
	ERR_clear_error();
	bio = BIO_new_mem_buf(pem->cert, (int)pem->cert_len);
	x = bio == NULL ? NULL : PEM_read_bio_X509_AUX(bio, NULL, no_passphrase_cb, NULL);
	ok = x != NULL && SSL_CTX_use_certificate(ssl_ctx, x) == 1;

	X509_free(x);
	if (ok)
		ok = SSL_CTX_clear_chain_certs(ssl_ctx) == 1;
	while (ok && (x = PEM_read_bio_X509(bio, NULL, no_passphrase_cb, NULL)) != NULL) {
		if (SSL_CTX_add0_chain_cert(ssl_ctx, x) != 1) {
			X509_free(x);
			ok = 0;
		}
	}
	/* The end of the data shows as "no start line": not an error. */
	e = ERR_peek_last_error();
	if (ok && ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
		ERR_clear_error();
	else if (ok && e != 0)
		ok = 0;
	BIO_free(bio);
	if (!ok)
		*error_r = tls_error_set("certificate %s: %s (expected PEM)", pem->cert_name,
					 tls_openssl_reason("no certificate found"));
	return ok ? 0 : -1;
}

static int load_key(SSL_CTX *ssl_ctx, const struct tls_pem_pair *pem, const char **error_r)
{
	BIO *bio = BIO_new_mem_buf(pem->key, (int)pem->key_len);
	bool wanted_passphrase = false;
	EVP_PKEY *pkey;
	unsigned long e;
	int ok;

	pkey = bio == NULL
		       ? NULL
		       : PEM_read_bio_PrivateKey(bio, NULL, no_passphrase_cb, &wanted_passphrase);
	BIO_free(bio);
	ok = pkey != NULL && SSL_CTX_use_PrivateKey(ssl_ctx, pkey) == 1;
	EVP_PKEY_free(pkey);
	if (ok)
		return 0;
	e = ERR_peek_error();
	if (wanted_passphrase) {
		ERR_clear_error();
		*error_r = tls_error_set("key %s is protected by a passphrase, which is "
					 "not supported; store it unencrypted with mode 0600",
					 pem->key_name);
	} else if (pkey != NULL && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
		ERR_clear_error();
		*error_r = tls_error_set("certificate %s and key %s do not match", pem->cert_name,
					 pem->key_name);
	} else {
		*error_r = tls_error_set("key %s: %s (expected PEM)", pem->key_name,
					 tls_openssl_reason("no private key found"));
	}
	return -1;
}

static int load_cert_and_key(SSL_CTX *ssl_ctx, const struct tls_pem_pair *pem, const char **error_r)
{
	if (pem->cert_len > TLS_PEM_MAX || pem->key_len > TLS_PEM_MAX) {
		*error_r = tls_error_set("certificate or key larger than %d bytes", TLS_PEM_MAX);
		return -1;
	}
	if (load_chain(ssl_ctx, pem, error_r) < 0 || load_key(ssl_ctx, pem, error_r) < 0)
		return -1;
	if (SSL_CTX_check_private_key(ssl_ctx) != 1) {
		ERR_clear_error();
		*error_r = tls_error_set("certificate %s and key %s do not match", pem->cert_name,
					 pem->key_name);
		return -1;
	}
	return 0;
}

struct tls_ctx *tls_server_ctx_new(const char *cert_file, const char *key_file,
				   const char **error_r)
{
	struct tls_pem_pair pem;
	struct tls_ctx *ctx;

	if (tls_pem_pair_read(cert_file, key_file, &pem, error_r) < 0)
		return NULL;
	ctx = tls_server_ctx_new_pem(&pem, error_r);
	tls_pem_pair_clear(&pem);
	return ctx;
}

struct tls_ctx *tls_server_ctx_new_pem(const struct tls_pem_pair *pem, const char **error_r)
{
	static const unsigned char sid_ctx[] = "hafen";
	SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
	struct tls_ctx *ctx;

	if (ssl_ctx == NULL) {
		*error_r = tls_error_set("cannot create TLS context: %s",
					 tls_openssl_reason("unknown"));
		return NULL;
	}
	if (common_setup(ssl_ctx, error_r) < 0 || load_cert_and_key(ssl_ctx, pem, error_r) < 0) {
		SSL_CTX_free(ssl_ctx);
		return NULL;
	}
	SSL_CTX_set_options(ssl_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA);
	/* Resumption by stateless tickets only: no session cache grows with
	 * the number of connections, and every worker forked from the process
	 * that built this context shares its ticket keys. */
	SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(ssl_ctx, sid_ctx, sizeof(sid_ctx) - 1);
	SSL_CTX_set_timeout(ssl_ctx, TLS_TICKET_LIFETIME);
	SSL_CTX_set_num_tickets(ssl_ctx, 1);
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->ssl_ctx = ssl_ctx;
	ctx->server = true;
	return ctx;
}

int tls_server_ctx_reload(struct tls_ctx **ctxp, const char *cert_file, const char *key_file,
			  const char **error_r)
{
	struct tls_pem_pair pem;
	int ret;

	if (tls_pem_pair_read(cert_file, key_file, &pem, error_r) < 0)
		return -1;
	ret = tls_server_ctx_reload_pem(ctxp, &pem, error_r);
	tls_pem_pair_clear(&pem);
	return ret;
}

int tls_server_ctx_reload_pem(struct tls_ctx **ctxp, const struct tls_pem_pair *pem,
			      const char **error_r)
{
	unsigned char keys[TLS_TICKET_KEYS_SIZE];
	struct tls_ctx *ctx = tls_server_ctx_new_pem(pem, error_r);

	if (ctx == NULL)
		return -1;
	if (*ctxp != NULL &&
	    SSL_CTX_get_tlsext_ticket_keys((*ctxp)->ssl_ctx, keys, sizeof(keys)) == 1)
		(void)SSL_CTX_set_tlsext_ticket_keys(ctx->ssl_ctx, keys, sizeof(keys));
	OPENSSL_cleanse(keys, sizeof(keys));
	tls_ctx_free(ctxp);
	*ctxp = ctx;
	return 0;
}

/* Does dir hold OpenSSL's hashed names ("1a2b3c4d.0", made by
 * c_rehash/update-ca-certificates)? Without them a directory lookup finds
 * nothing. */
static bool dir_has_hashed_certs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		size_t i;

		for (i = 0; i < 8 && isxdigit((unsigned char)n[i]); i++)
			;
		found = i == 8 && n[8] == '.' && isdigit((unsigned char)n[9]);
	}
	closedir(d);
	return found;
}

/* The system's trusted CAs. SSL_CTX_set_default_verify_paths() parses the
 * whole bundle file (about 140 certificates on Debian: tens of ms, most of
 * a short `hafen` command against a fast server), while the hashed
 * directory is read lazily, one file per issuer a handshake asks for. So
 * the directory serves when it is usable and the user did not point
 * OpenSSL at a bundle of their own (SSL_CERT_FILE); SSL_CERT_DIR, which
 * may list several directories, is taken as given. */
static int load_system_store(SSL_CTX *ssl_ctx)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());

	if (getenv(X509_get_default_cert_file_env()) == NULL) {
		if (dir != NULL && dir[0] != '\0')
			return SSL_CTX_load_verify_dir(ssl_ctx, dir) == 1 ? 0 : -1;
		dir = X509_get_default_cert_dir();
		if (dir_has_hashed_certs(dir))
			return SSL_CTX_load_verify_dir(ssl_ctx, dir) == 1 ? 0 : -1;
	}
	return SSL_CTX_set_default_verify_paths(ssl_ctx) == 1 ? 0 : -1;
}

struct tls_ctx *tls_client_ctx_new(const struct tls_client_settings *set, const char **error_r)
{
	SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_client_method());
	struct tls_ctx *ctx;

	if (ssl_ctx == NULL) {
		*error_r = tls_error_set("cannot create TLS context: %s",
					 tls_openssl_reason("unknown"));
		return NULL;
	}
	if (common_setup(ssl_ctx, error_r) < 0)
		goto fail;
	if (!set->insecure) {
		SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, NULL);
		if (!set->no_system_store && load_system_store(ssl_ctx) < 0) {
			*error_r = tls_error_set("cannot load the system CA store: %s",
						 tls_openssl_reason("unknown"));
			goto fail;
		}
	}
	if (set->ca_file != NULL) {
		if (check_readable("CA file", set->ca_file, error_r) < 0)
			goto fail;
		if (SSL_CTX_load_verify_locations(ssl_ctx, set->ca_file, NULL) != 1) {
			*error_r = tls_error_set("CA file %s: %s (expected PEM certificates)",
						 set->ca_file,
						 tls_openssl_reason("no certificate found"));
			goto fail;
		}
	}
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->ssl_ctx = ssl_ctx;
	ctx->insecure = set->insecure;
	return ctx;
fail:
	SSL_CTX_free(ssl_ctx);
	return NULL;
}

/* Client side: SNI and the RFC 6125 name check for one connection. */
static int client_set_peer(SSL *ssl, bool insecure, const char *name, const char **error_r)
{
	unsigned char addr[sizeof(struct in6_addr)];
	bool is_ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);

	/* RFC 6066 section 3: SNI carries DNS names, never address literals. */
	if (!is_ip && SSL_set_tlsext_host_name(ssl, name) != 1) {
		*error_r = tls_error_set("cannot use \"%s\" as TLS server name", name);
		return -1;
	}
	if (insecure)
		return 0;
	/* RFC 6125 section 6.4.3 / RFC 7817 section 3: "*" only as the whole
	 * left-most label, never "f*o.example.com". */
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if ((is_ip && X509_VERIFY_PARAM_set1_ip_asc(param, name) != 1) ||
	    (!is_ip && X509_VERIFY_PARAM_set1_host(param, name, 0) != 1)) {
		*error_r = tls_error_set("cannot verify against \"%s\"", name);
		return -1;
	}
	return 0;
}

SSL *tls_ssl_new(struct tls_ctx *ctx, const char *peer_name, const char **error_r)
{
	SSL *ssl = SSL_new(ctx->ssl_ctx);

	if (ssl == NULL) {
		*error_r = tls_error_set("cannot create TLS connection: %s",
					 tls_openssl_reason("unknown"));
		return NULL;
	}
	if (!ctx->server && peer_name != NULL &&
	    client_set_peer(ssl, ctx->insecure, peer_name, error_r) < 0) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

bool tls_ctx_is_server(const struct tls_ctx *ctx)
{
	return ctx->server;
}

void tls_ctx_free(struct tls_ctx **ctxp)
{
	if (*ctxp == NULL)
		return;
	SSL_CTX_free((*ctxp)->ssl_ctx);
	xfree(ctxp);
}
