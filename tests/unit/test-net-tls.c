/* test-net-tls.c — TLS contexts: self-signed generation and reuse, loading
 * errors, reload, client verification against the generated certificate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "test-net-util.h"

#include "lib/log.h"
#include "net/tls-private.h"

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void test_selfsigned_generate_and_reuse(void **state)
{
	struct tn_cert c;
	struct stat st, st2;
	char *cert2, *key2;
	const char *error;
	X509 *x;
	EVP_PKEY *pub;

	tn_cert_make(&c);
	assert_int_equal(stat(c.key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(c.dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	x = read_cert(c.cert);
	/* SANs: localhost, 127.0.0.1, ::1 and the host name. */
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "mail.test", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "example.com", 0, 0, NULL), 0);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.1", 0), 0);
	/* EC P-256, about ten years, not a CA. */
	pub = X509_get0_pubkey(x);
	assert_int_equal(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_bits(pub), 256);
	{
		int days, secs;

		assert_int_equal(
			ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)),
			1);
		assert_true(days >= 3649 && days <= 3651);
	}
	assert_int_equal(X509_check_ca(x), 0);
	X509_free(x);

	/* A second start reuses both files untouched. */
	assert_int_equal(stat(c.cert, &st), 0);
	assert_int_equal(tls_selfsigned_ensure(c.dir, NULL, &cert2, &key2, &error), 0);
	assert_string_equal(cert2, c.cert);
	assert_string_equal(key2, c.key);
	assert_int_equal(stat(c.cert, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	free(cert2);
	free(key2);

	/* The key alone (a crash between the renames): both made anew. */
	assert_int_equal(unlink(c.cert), 0);
	assert_int_equal(tls_selfsigned_ensure(c.dir, NULL, &cert2, &key2, &error), 1);
	free(cert2);
	free(key2);
	{
		struct tls_ctx *ctx = tls_server_ctx_new(c.cert, c.key, &error);

		if (ctx == NULL)
			fail_msg("%s", error);
		assert_true(tls_ctx_is_server(ctx));
		tls_ctx_free(&ctx);
		assert_null(ctx);
	}
	tn_cert_remove(&c);
}

static void test_selfsigned_errors(void **state)
{
	char dir[] = "/tmp/hafen-test-tls-XXXXXX";
	char path[128];
	char *cert, *key;
	const char *error;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/file", dir);
	write_text(path, "x", 0600);
	assert_int_equal(tls_selfsigned_ensure(path, NULL, &cert, &key, &error), -1);
	assert_non_null(strstr(error, "exists and is not a directory"));
	snprintf(path, sizeof(path), "%s/no/such", dir);
	assert_int_equal(tls_selfsigned_ensure(path, NULL, &cert, &key, &error), -1);
	assert_non_null(strstr(error, "cannot create directory"));
	/* A host name that is no DNS name is left out, not injected. */
	snprintf(path, sizeof(path), "%s/tls", dir);
	assert_int_equal(tls_selfsigned_ensure(path, "evil,DNS:x.com", &cert, &key, &error), 1);
	{
		X509 *x = read_cert(cert);

		assert_int_equal(X509_check_host(x, "x.com", 0, 0, NULL), 0);
		assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
		X509_free(x);
	}
	unlink(cert);
	unlink(key);
	free(cert);
	free(key);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/file", dir);
	unlink(path);
	rmdir(dir);
}

static void test_server_ctx_errors(void **state)
{
	struct tn_cert a, b;
	char path[128], enc[128];
	const char *error;
	struct tls_ctx *ctx;
	char want[512];

	tn_cert_make(&a);
	tn_cert_make(&b);

	ctx = tls_server_ctx_new("/nonexistent/cert.pem", a.key, &error);
	assert_null(ctx);
	assert_string_equal(
		error, "cannot read certificate /nonexistent/cert.pem: No such file or directory");
	ctx = tls_server_ctx_new(a.cert, "/nonexistent/key.pem", &error);
	assert_null(ctx);
	assert_string_equal(error,
			    "cannot read key /nonexistent/key.pem: No such file or directory");

	/* Certificate of one pair, key of the other. */
	ctx = tls_server_ctx_new(a.cert, b.key, &error);
	assert_null(ctx);
	snprintf(want, sizeof(want), "certificate %s and key %s do not match", a.cert, b.key);
	assert_string_equal(error, want);

	/* Not PEM at all. */
	snprintf(path, sizeof(path), "%s/garbage.pem", a.dir);
	write_text(path, "this is not a certificate\n", 0600);
	ctx = tls_server_ctx_new(path, a.key, &error);
	assert_null(ctx);
	snprintf(want, sizeof(want), "certificate %s: ", path);
	assert_non_null(strstr(error, want));
	assert_non_null(strstr(error, "(expected PEM)"));
	ctx = tls_server_ctx_new(a.cert, path, &error);
	assert_null(ctx);
	snprintf(want, sizeof(want), "key %s: ", path);
	assert_non_null(strstr(error, want));

	/* An encrypted key is refused without prompting anybody. */
	snprintf(enc, sizeof(enc), "%s/enc.pem", a.dir);
	{
		FILE *in = fopen(a.key, "r"), *out = fopen(enc, "w");
		EVP_PKEY *k;

		assert_non_null(in);
		assert_non_null(out);
		k = PEM_read_PrivateKey(in, NULL, NULL, NULL);
		assert_non_null(k);
		assert_int_equal(PEM_write_PrivateKey(out, k, EVP_aes_128_cbc(),
						      (unsigned char *)"secret", 6, NULL, NULL),
				 1);
		EVP_PKEY_free(k);
		fclose(in);
		fclose(out);
	}
	ctx = tls_server_ctx_new(a.cert, enc, &error);
	assert_null(ctx);
	snprintf(want, sizeof(want), "key %s is protected by a passphrase", enc);
	assert_non_null(strstr(error, want));

	/* Reload: a failure keeps the old context; success replaces it. */
	ctx = tls_server_ctx_new(a.cert, a.key, &error);
	assert_non_null(ctx);
	{
		struct tls_ctx *old = ctx;

		assert_int_equal(tls_server_ctx_reload(&ctx, a.cert, b.key, &error), -1);
		assert_ptr_equal(ctx, old);
		assert_int_equal(tls_server_ctx_reload(&ctx, b.cert, b.key, &error), 0);
		assert_non_null(ctx);
	}
	tls_ctx_free(&ctx);

	unlink(path);
	unlink(enc);
	tn_cert_remove(&a);
	tn_cert_remove(&b);
}

static void test_client_ctx(void **state)
{
	struct tls_client_settings set = {0};
	struct tls_ctx *ctx;
	const char *error;
	struct tn_cert c;

	/* System store: present on Debian (ca-certificates) or not, it loads. */
	ctx = tls_client_ctx_new(&set, &error);
	if (ctx == NULL)
		fail_msg("%s", error);
	assert_false(tls_ctx_is_server(ctx));
	tls_ctx_free(&ctx);

	set.ca_file = "/nonexistent/ca.pem";
	assert_null(tls_client_ctx_new(&set, &error));
	assert_string_equal(error,
			    "cannot read CA file /nonexistent/ca.pem: No such file or directory");

	tn_cert_make(&c);
	set.ca_file = c.key; /* a key is not a certificate */
	set.no_system_store = true;
	assert_null(tls_client_ctx_new(&set, &error));
	assert_non_null(strstr(error, "(expected PEM certificates)"));
	set.ca_file = c.cert;
	ctx = tls_client_ctx_new(&set, &error);
	assert_non_null(ctx);
	tls_ctx_free(&ctx);
	tls_ctx_free(&ctx); /* NULL is fine */
	tn_cert_remove(&c);
}

/* Is cert among the CAs the context trusts (looked up by subject, as a
 * handshake does)? */
static bool ctx_trusts(struct tls_ctx *ctx, X509 *cert)
{
	X509_STORE_CTX *sc = X509_STORE_CTX_new();
	X509_OBJECT *obj = X509_OBJECT_new();
	bool found;

	assert_int_equal(X509_STORE_CTX_init(sc, SSL_CTX_get_cert_store(ctx->ssl_ctx), NULL, NULL),
			 1);
	found = X509_STORE_CTX_get_by_subject(sc, X509_LU_X509, X509_get_subject_name(cert), obj) ==
		1;
	X509_OBJECT_free(obj);
	X509_STORE_CTX_free(sc);
	return found;
}

/* The system store is read from OpenSSL's hashed directory (lazily) when
 * there is one: SSL_CERT_DIR names it here; a directory without hashed
 * names still verifies through SSL_CERT_FILE's bundle. */
static void test_client_ctx_system_dir(void **state)
{
	struct tls_client_settings set = {0};
	struct tn_cert c;
	struct tls_ctx *ctx;
	const char *error;
	char link[512];
	X509 *x;

	(void)state;
	tn_cert_make(&c);
	x = read_cert(c.cert);
	snprintf(link, sizeof(link), "%s/%08lx.0", c.dir, X509_subject_name_hash(x));
	assert_int_equal(symlink(c.cert, link), 0);

	unsetenv("SSL_CERT_FILE"); /* some environments set it for every program */
	setenv("SSL_CERT_DIR", c.dir, 1);
	ctx = tls_client_ctx_new(&set, &error);
	if (ctx == NULL)
		fail_msg("%s", error);
	assert_true(ctx_trusts(ctx, x));
	tls_ctx_free(&ctx);

	/* A bundle named by SSL_CERT_FILE is read as before. */
	unsetenv("SSL_CERT_DIR");
	setenv("SSL_CERT_FILE", c.cert, 1);
	ctx = tls_client_ctx_new(&set, &error);
	if (ctx == NULL)
		fail_msg("%s", error);
	assert_true(ctx_trusts(ctx, x));
	tls_ctx_free(&ctx);
	unsetenv("SSL_CERT_FILE");

	/* The system's own store trusts no test certificate. */
	ctx = tls_client_ctx_new(&set, &error);
	if (ctx == NULL)
		fail_msg("%s", error);
	assert_false(ctx_trusts(ctx, x));
	tls_ctx_free(&ctx);

	X509_free(x);
	unlink(link);
	tn_cert_remove(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selfsigned_generate_and_reuse),
		cmocka_unit_test(test_selfsigned_errors),
		cmocka_unit_test(test_server_ctx_errors),
		cmocka_unit_test(test_client_ctx),
		cmocka_unit_test(test_client_ctx_system_dir),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
