/* tls-selfsigned.c — make (once) and reuse the self-signed certificate a
 * server falls back on when no certificate is configured (see tls.h).
 *
 * Crash safety: each file is written under a temporary name, fsynced,
 * renamed, and the directory fsynced. The key is renamed into place before
 * the certificate, and only the pair counts: a key without its certificate
 * (a crash between the two renames) is replaced on the next start.
 */
#include "tls-private.h"

#include "lib/log.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define SELFSIGNED_DAYS     3650
#define SELFSIGNED_HOST_MAX 253

/* Only a plain DNS name goes into the certificate; anything else (an empty
 * name, an underscore, a comma that would change the extension text) is left out. */
static bool host_usable(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > SELFSIGNED_HOST_MAX || str_casecmp(h, "localhost") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!ascii_isalpha(h[i]) && !ascii_isdigit(h[i]) && h[i] != '-' && h[i] != '.')
			return false;
	}
	return h[0] != '-' && h[0] != '.';
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

static int set_serial_and_validity(X509 *x)
{
	unsigned char rnd[16];
	BIGNUM *bn;
	int ok;

	/* RFC 5280 section 4.1.2.2: positive, at most 20 octets; random so a
	 * regenerated certificate never repeats a serial. */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	rnd[0] &= 0x7f;
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	if (!ok)
		return -1;
	/* An hour back for clients whose clock runs a little behind. */
	if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), SELFSIGNED_DAYS, 0, NULL) == NULL)
		return -1;
	return 0;
}

static int set_names(X509 *x, const char *hostname)
{
	X509_NAME *name = X509_get_subject_name(x);
	const char *cn = hostname != NULL ? hostname : "localhost";
	char san[SELFSIGNED_HOST_MAX + 64];

	if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				       (const unsigned char *)"hafen self-signed", -1, -1,
				       0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
				       (int)(strlen(cn) > 64 ? 64 : strlen(cn)), -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		return -1;
	snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1%s%s",
		 hostname != NULL ? ",DNS:" : "", hostname != NULL ? hostname : "");
	/* A server certificate, not a CA: clients that pin it as a trust
	 * anchor accept it, and none may use it to sign others. */
	if (add_ext(x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, NID_subject_alt_name, san) < 0)
		return -1;
	return 0;
}

static X509 *make_cert(EVP_PKEY *key, const char *hostname)
{
	X509 *x = X509_new();

	if (x == NULL || X509_set_version(x, 2) != 1 || set_serial_and_validity(x) < 0 ||
	    X509_set_pubkey(x, key) != 1 || set_names(x, hostname) < 0 ||
	    X509_sign(x, key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Write through `write_pem` into path.tmp with `mode`, fsync, rename. */
static int write_file_atomic(const char *path, mode_t mode, int (*write_pem)(FILE *, void *),
			     void *obj, const char **error_r)
{
	size_t tmp_size = strlen(path) + 5;
	char *tmp = xmalloc(tmp_size);
	FILE *f = NULL;
	int fd;

	snprintf(tmp, tmp_size, "%s.tmp", path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd >= 0)
		f = fdopen(fd, "w");
	if (f == NULL || write_pem(f, obj) != 1 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		*error_r = tls_error_set("cannot write %s: %s", tmp,
					 errno != 0 ? strerror(errno) : "PEM encoding failed");
		if (f != NULL)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		(void)unlink(tmp);
		free(tmp);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		*error_r = tls_error_set("cannot write %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int write_key_pem(FILE *f, void *key)
{
	return PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
}

static int write_cert_pem(FILE *f, void *x)
{
	return PEM_write_X509(f, x);
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int generate(const char *dir, const char *cert_path, const char *key_path,
		    const char *hostname, const char **error_r)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = NULL;
	int ret = -1;

	errno = 0;
	if (key == NULL || (x = make_cert(key, hostname)) == NULL) {
		*error_r = tls_error_set("cannot generate a self-signed certificate: %s",
					 tls_openssl_reason("unknown"));
		goto out;
	}
	if (write_file_atomic(key_path, 0600, write_key_pem, key, error_r) < 0 ||
	    write_file_atomic(cert_path, 0644, write_cert_pem, x, error_r) < 0)
		goto out;
	fsync_dir(dir);
	ret = 0;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return ret;
}

static int ensure_dir(const char *dir, const char **error_r)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST) {
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		*error_r = tls_error_set("%s exists and is not a directory", dir);
		return -1;
	}
	*error_r = tls_error_set("cannot create directory %s: %s", dir, strerror(errno));
	return -1;
}

int tls_selfsigned_ensure(const char *dir, const char *hostname, char **cert_path_r,
			  char **key_path_r, const char **error_r)
{
	char host_buf[SELFSIGNED_HOST_MAX + 2];
	size_t path_size = strlen(dir) + 10;
	char *cert_path = xmalloc(path_size), *key_path = xmalloc(path_size);
	bool have_cert, have_key;

	snprintf(cert_path, path_size, "%s/cert.pem", dir);
	snprintf(key_path, path_size, "%s/key.pem", dir);
	if (ensure_dir(dir, error_r) < 0)
		goto fail;
	have_cert = access(cert_path, F_OK) == 0;
	have_key = access(key_path, F_OK) == 0;
	if (have_cert && have_key) {
		log_warn("tls: no certificate configured; using the self-signed %s", cert_path);
		*cert_path_r = cert_path;
		*key_path_r = key_path;
		return 0;
	}
	if (hostname == NULL && gethostname(host_buf, sizeof(host_buf)) == 0) {
		host_buf[sizeof(host_buf) - 1] = '\0';
		hostname = host_buf;
	}
	if (hostname != NULL && !host_usable(hostname))
		hostname = NULL;
	if (generate(dir, cert_path, key_path, hostname, error_r) < 0)
		goto fail;
	log_warn("tls: no certificate configured; generated the self-signed %s (clients will "
		 "not trust it until told to)",
		 cert_path);
	*cert_path_r = cert_path;
	*key_path_r = key_path;
	return 1;
fail:
	free(cert_path);
	free(key_path);
	return -1;
}
