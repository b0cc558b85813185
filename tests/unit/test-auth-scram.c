/* test-auth-scram.c — SCRAM-SHA-256 server and client: the RFC 7677
 * example exchange byte for byte, round trips, and hostile messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl-base64.h"
#include "auth/sasl-client-private.h"
#include "auth/sasl-server-private.h"
#include "auth/scram.h"
#include "lib/err.h"
#include "lib/str.h"

/* RFC 7677 section 3. */
#define RFC_CLIENT_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define RFC_CNONCE       "rOprNGfwEbeRWgbNEkqO"
#define RFC_SNONCE       "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_SALT         "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_SERVER_FIRST "r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=4096"
#define RFC_CLIENT_FINAL                                                                           \
	"c=biws,r=" RFC_CNONCE RFC_SNONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* The test's user database: "user"/"pencil" with the RFC's salt, and a
 * user whose name needs saslname escaping. */
struct test_db {
	int lookups;
	bool tempfail;
	bool decoy; /* fill decoy keys for unknown users */
	uint32_t iterations;
};

static void keys_for(const char *password, uint32_t iterations, struct scram_keys *keys_r)
{
	struct buf salt = BUF_INIT;
	const char *error = NULL;

	assert_int_equal(sasl_base64_decode(RFC_SALT, strlen(RFC_SALT), &salt), 0);
	if (scram_keys_derive(password, strlen(password), salt.data, salt.len, iterations, keys_r,
			      &error) < 0)
		fail_msg("derive: %s", error);
	buf_free(&salt);
}

static enum sasl_lookup_result test_scram_lookup(void *context, const char *authcid,
						 struct scram_keys *keys_r,
						 char user_r[SASL_USER_MAX + 1])
{
	struct test_db *db = context;

	db->lookups++;
	if (db->tempfail)
		return SASL_LOOKUP_TEMPFAIL;
	if (strcmp(authcid, "user") == 0 || strcmp(authcid, "a,b=c") == 0 ||
	    strcmp(authcid, "\xc3\xa9t\xc3\xa9") == 0) {
		keys_for("pencil", 4096, keys_r);
		/* Stored keys may carry fewer iterations than we would make. */
		if (db->iterations != 0)
			keys_r->iterations = db->iterations;
		snprintf(user_r, SASL_USER_MAX + 1, "%s", authcid);
		return SASL_LOOKUP_OK;
	}
	if (db->decoy) {
		keys_for("decoy", 4096, keys_r);
		keys_r->salt[0] ^= 1;
	}
	return SASL_LOOKUP_DENIED;
}

static const struct sasl_server_callbacks test_callbacks = {
	.scram_lookup = test_scram_lookup,
};

static struct sasl_server *server_new(struct test_db *db, bool success_data)
{
	struct sasl_server_settings set = {.success_data = success_data};
	const char *error = NULL;
	struct sasl_server *s = sasl_server_new("scram-sha-256", &set, &test_callbacks, db, &error);

	assert_non_null(s);
	return s;
}

static int server_step_str(struct sasl_server *s, const char *in, size_t len, char **out_r)
{
	const unsigned char *out;
	size_t out_len;
	const char *error = NULL;
	int ret = sasl_server_step(s, (const unsigned char *)in, len, &out, &out_len, &error);

	if (ret < 0)
		assert_non_null(error);
	if (out_r != NULL)
		*out_r = strndup((const char *)out, out_len);
	return ret;
}

static void test_server_rfc7677(void **state)
{
	struct test_db db = {0};
	struct sasl_server *s;
	char *out;

	for (int success_data = 0; success_data <= 1; success_data++) {
		s = server_new(&db, success_data);
		sasl_server_scram_set_nonce(s, RFC_SNONCE);
		assert_int_equal(
			server_step_str(s, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), &out), 0);
		assert_string_equal(out, RFC_SERVER_FIRST);
		free(out);
		assert_string_equal(sasl_server_user(s), "");
		if (success_data) {
			assert_int_equal(server_step_str(s, RFC_CLIENT_FINAL,
							 strlen(RFC_CLIENT_FINAL), &out),
					 1);
			assert_string_equal(out, RFC_SERVER_FINAL);
			free(out);
		} else {
			/* IMAP: the server-final message is one more challenge. */
			assert_int_equal(server_step_str(s, RFC_CLIENT_FINAL,
							 strlen(RFC_CLIENT_FINAL), &out),
					 0);
			assert_string_equal(out, RFC_SERVER_FINAL);
			free(out);
			assert_string_equal(sasl_server_user(s), "");
			assert_int_equal(server_step_str(s, "", 0, &out), 1);
			assert_string_equal(out, "");
			free(out);
		}
		assert_string_equal(sasl_server_user(s), "user");
		assert_int_equal(sasl_server_failure(s), SASL_FAIL_NONE);
		/* Nothing more after success; the outcome stands. */
		assert_int_equal(server_step_str(s, "", 0, NULL), -1);
		assert_string_equal(sasl_server_user(s), "user");
		assert_int_equal(sasl_server_failure(s), SASL_FAIL_NONE);
		sasl_server_free(&s);
		assert_null(s);
	}
}

static void test_server_success_ack_must_be_empty(void **state)
{
	struct test_db db = {0};
	struct sasl_server *s = server_new(&db, false);

	sasl_server_scram_set_nonce(s, RFC_SNONCE);
	assert_int_equal(server_step_str(s, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), NULL), 0);
	assert_int_equal(server_step_str(s, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), NULL), 0);
	assert_int_equal(server_step_str(s, "x", 1, NULL), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_MALFORMED);
	assert_string_equal(sasl_server_user(s), "");
	sasl_server_free(&s);
}

static struct sasl_client *client_new(const char *user, const char *authzid, const char *password)
{
	struct sasl_client_settings set = {
		.authcid = user,
		.authzid = authzid,
		.password = password,
		.password_len = strlen(password),
	};
	const char *error = NULL;
	struct sasl_client *c = sasl_client_new("SCRAM-SHA-256", &set, &error);

	if (c == NULL)
		fail_msg("client: %s", error);
	return c;
}

static int client_step_str(struct sasl_client *c, const char *in, char **out_r)
{
	const unsigned char *out;
	size_t out_len;
	const char *error = NULL;
	int ret =
		sasl_client_step(c, (const unsigned char *)in, strlen(in), &out, &out_len, &error);

	if (ret < 0)
		assert_non_null(error);
	if (out_r != NULL)
		*out_r = strndup((const char *)out, out_len);
	return ret;
}

static void test_client_rfc7677(void **state)
{
	const unsigned char *out;
	size_t out_len;
	const char *error = NULL;
	char *resp;

	for (int mode = 0; mode < 3; mode++) {
		struct sasl_client *c = client_new("user", NULL, "pencil");

		sasl_client_scram_set_nonce(c, RFC_CNONCE);
		if (mode == 2) {
			/* No SASL-IR: the server starts with an empty challenge. */
			assert_int_equal(client_step_str(c, "", &resp), 0);
			assert_string_equal(resp, RFC_CLIENT_FIRST);
			free(resp);
		} else {
			assert_true(sasl_client_initial(c, &out, &out_len));
			assert_int_equal(out_len, strlen(RFC_CLIENT_FIRST));
			assert_memory_equal(out, RFC_CLIENT_FIRST, out_len);
		}
		assert_int_equal(client_step_str(c, RFC_SERVER_FIRST, &resp), 0);
		assert_string_equal(resp, RFC_CLIENT_FINAL);
		free(resp);
		if (mode == 1) {
			/* Additional data with success (ManageSieve). */
			assert_int_equal(sasl_client_finish(c,
							    (const unsigned char *)RFC_SERVER_FINAL,
							    strlen(RFC_SERVER_FINAL), &error),
					 0);
		} else {
			assert_int_equal(client_step_str(c, RFC_SERVER_FINAL, &resp), 0);
			assert_string_equal(resp, "");
			free(resp);
			assert_int_equal(sasl_client_finish(c, NULL, 0, &error), 0);
			/* Any further challenge is an error. */
			assert_int_equal(client_step_str(c, "x=y", NULL), -1);
		}
		sasl_client_free(&c);
		assert_null(c);
	}
}

static void test_client_rejects_server_final(void **state)
{
	static const char *const finals[] = {
		"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=", /* pad bit set */
		"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G8=", /* one bit off */
		"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4",  /* bad base64 */
		"v=AAAA",
		"e=invalid-proof",
		"e=other-error,x=y",
		"x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
		"",
		"v=",
	};
	const char *error = NULL;

	for (size_t i = 0; i < HF_N_ELEMENTS(finals); i++) {
		struct sasl_client *c = client_new("user", "", "pencil");
		const unsigned char *out;
		size_t out_len;

		sasl_client_scram_set_nonce(c, RFC_CNONCE);
		assert_true(sasl_client_initial(c, &out, &out_len));
		assert_int_equal(client_step_str(c, RFC_SERVER_FIRST, NULL), 0);
		if (client_step_str(c, finals[i], NULL) != -1)
			fail_msg("case %zu accepted", i);
		assert_int_equal(sasl_client_finish(c, NULL, 0, &error), -1);
		sasl_client_free(&c);
	}
	/* The error text from the server is passed on. */
	struct sasl_client *c = client_new("user", "", "pencil");
	const unsigned char *out;
	size_t out_len;

	sasl_client_scram_set_nonce(c, RFC_CNONCE);
	assert_true(sasl_client_initial(c, &out, &out_len));
	assert_int_equal(client_step_str(c, RFC_SERVER_FIRST, NULL), 0);
	assert_int_equal(sasl_client_step(c, (const unsigned char *)"e=unknown-user", 14, &out,
					  &out_len, &error),
			 -1);
	assert_string_equal(error, "SCRAM: server error: unknown-user");
	sasl_client_free(&c);
}

static void test_client_rejects_early_success(void **state)
{
	struct sasl_client *c = client_new("user", NULL, "pencil");
	const unsigned char *out;
	size_t out_len;
	const char *error = NULL;

	/* A server that says OK before or without its signature is lying. */
	assert_true(sasl_client_initial(c, &out, &out_len));
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), -1);
	sasl_client_free(&c);
	c = client_new("user", NULL, "pencil");
	sasl_client_scram_set_nonce(c, RFC_CNONCE);
	assert_true(sasl_client_initial(c, &out, &out_len));
	assert_int_equal(client_step_str(c, RFC_SERVER_FIRST, NULL), 0);
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), -1);
	assert_non_null(strstr(error, "without proving"));
	sasl_client_free(&c);
}

struct first_case {
	const char *msg;
	int ret; /* of the first step */
	enum sasl_failure failure;
};

static const struct first_case server_first_cases[] = {
	{"", -1, SASL_FAIL_MALFORMED},
	{"n", -1, SASL_FAIL_MALFORMED},
	{"n,", -1, SASL_FAIL_MALFORMED},
	{"x,,n=user,r=abc", -1, SASL_FAIL_MALFORMED},
	{"p=tls-unique,,n=user,r=abc", -1, SASL_FAIL_UNSUPPORTED},
	{"n,,m=ext,n=user,r=abc", -1, SASL_FAIL_UNSUPPORTED},
	{"n,,n=user", -1, SASL_FAIL_MALFORMED},
	{"n,,n=user,", -1, SASL_FAIL_MALFORMED},
	{"n,,r=abc,n=user", -1, SASL_FAIL_MALFORMED},
	{"n,,n=us=41er,r=abc", -1, SASL_FAIL_MALFORMED},
	{"n,,n=user=2,r=abc", -1, SASL_FAIL_MALFORMED},
	{"n,,n=,r=abc", -1, SASL_FAIL_MALFORMED},
	{"n,,n=user,r=", -1, SASL_FAIL_MALFORMED},
	{"n,,n=user,r=a,b", -1, SASL_FAIL_MALFORMED},
	{"n,,n=user,r=abc,", -1, SASL_FAIL_MALFORMED},
	{"n,,n=user,r=ab\x7f", -1, SASL_FAIL_MALFORMED},
	{"n,,n=user,r=ab c", -1, SASL_FAIL_MALFORMED},
	{"n,,n=\xff,r=abc", -1, SASL_FAIL_MALFORMED},
	{"n,x=y,n=user,r=abc", -1, SASL_FAIL_MALFORMED},
	{"n,a=,n=user,r=abc", -1, SASL_FAIL_MALFORMED},
	{"n,a=other,n=user,r=abc", -1, SASL_FAIL_AUTHZ},
	{"n,,n=\x07,r=abc", -1, SASL_FAIL_CREDENTIALS},
	{"n,,n=nobody,r=abc", -1, SASL_FAIL_CREDENTIALS}, /* no decoy in this db */
	{"n,,n=user,r=abc", 0, SASL_FAIL_NONE},
	{"y,,n=user,r=abc", 0, SASL_FAIL_NONE},
	{"n,a=USER,n=user,r=abc", 0, SASL_FAIL_NONE},
	{"n,,n=user,r=abc,x=ext,y=more", 0, SASL_FAIL_NONE},
	{"n,,n=a=2Cb=3Dc,r=abc", 0, SASL_FAIL_NONE},
	{"n,,n=\xc3\xa9t\xc3\xa9,r=abc", 0, SASL_FAIL_NONE},
	/* NFKC: e + combining acute is prepared to the same name. */
	{"n,,n=e\xcc\x81t\xc3\xa9,r=abc", 0, SASL_FAIL_NONE},
};

static void test_server_first_messages(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(server_first_cases); i++) {
		const struct first_case *c = &server_first_cases[i];
		struct test_db db = {0};
		struct sasl_server *s = server_new(&db, false);
		int ret = server_step_str(s, c->msg, strlen(c->msg), NULL);

		if (ret != c->ret || sasl_server_failure(s) != c->failure)
			fail_msg("case %zu (%s): ret %d failure %d", i, c->msg, ret,
				 sasl_server_failure(s));
		sasl_server_free(&s);
	}
	/* A NUL byte inside the message. */
	struct test_db db = {0};
	struct sasl_server *s = server_new(&db, false);

	assert_int_equal(server_step_str(s, "n,,n=user,r=a\0c", 15, NULL), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_MALFORMED);
	sasl_server_free(&s);
}

/* Run the RFC exchange with a replaced client-final message. */
static int server_final_result(const char *final, enum sasl_failure *failure_r)
{
	struct test_db db = {0};
	struct sasl_server *s = server_new(&db, true);
	int ret;

	sasl_server_scram_set_nonce(s, RFC_SNONCE);
	assert_int_equal(server_step_str(s, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), NULL), 0);
	ret = server_step_str(s, final, strlen(final), NULL);
	*failure_r = sasl_server_failure(s);
	sasl_server_free(&s);
	return ret;
}

static void test_server_final_messages(void **state)
{
	static const struct first_case cases[] = {
		{"c=biws,r=" RFC_CNONCE RFC_SNONCE
		 "X,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 -1, SASL_FAIL_MALFORMED},
		{"c=biws,r=" RFC_CNONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", -1,
		 SASL_FAIL_MALFORMED},
		{"c=eSws,r=" RFC_CNONCE RFC_SNONCE
		 ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 -1, SASL_FAIL_MALFORMED},
		{"c=biws,r=" RFC_CNONCE RFC_SNONCE, -1, SASL_FAIL_MALFORMED},
		{"r=" RFC_CNONCE RFC_SNONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", -1,
		 SASL_FAIL_MALFORMED},
		{"c=biws,r=" RFC_CNONCE RFC_SNONCE
		 ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVR=",
		 -1, SASL_FAIL_MALFORMED},
		{"c=biws,r=" RFC_CNONCE RFC_SNONCE
		 ",p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 -1, SASL_FAIL_CREDENTIALS},
		{"c=biws,r=" RFC_CNONCE RFC_SNONCE ",p=dHzbZapWIk4jUhN+Ute9yg==", -1,
		 SASL_FAIL_MALFORMED},
		{"c=biws,r=" RFC_CNONCE RFC_SNONCE ",p=", -1, SASL_FAIL_MALFORMED},
		{"c=biws,r=" RFC_CNONCE RFC_SNONCE
		 ",x=1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 -1, SASL_FAIL_CREDENTIALS}, /* the extension is in AuthMessage */
		{RFC_CLIENT_FINAL ",x=1", -1, SASL_FAIL_MALFORMED},
		{",", -1, SASL_FAIL_MALFORMED},
		{RFC_CLIENT_FINAL, 1, SASL_FAIL_NONE},
	};
	enum sasl_failure failure;

	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		int ret = server_final_result(cases[i].msg, &failure);

		if (ret != cases[i].ret || failure != cases[i].failure)
			fail_msg("case %zu: ret %d failure %d", i, ret, failure);
	}
}

/* Every truncation of a valid exchange fails cleanly or, for the first
 * message, may still be valid (a shorter nonce); never anything else. */
static void test_server_truncations(void **state)
{
	enum sasl_failure failure;

	for (size_t n = 0; n < strlen(RFC_CLIENT_FIRST); n++) {
		struct test_db db = {0};
		struct sasl_server *s = server_new(&db, true);
		int ret = server_step_str(s, RFC_CLIENT_FIRST, n, NULL);

		assert_true(ret == -1 || (ret == 0 && n > strlen("n,,n=user,r=")));
		sasl_server_free(&s);
	}
	for (size_t n = 0; n < strlen(RFC_CLIENT_FINAL); n++) {
		char *final = strndup(RFC_CLIENT_FINAL, n);

		assert_int_equal(server_final_result(final, &failure), -1);
		assert_true(failure == SASL_FAIL_MALFORMED || failure == SASL_FAIL_CREDENTIALS);
		free(final);
	}
}

static void test_server_lookup_failures(void **state)
{
	struct test_db db = {.tempfail = true};
	struct sasl_server *s = server_new(&db, true);
	const char *final;
	char *out;

	assert_int_equal(server_step_str(s, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), NULL), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_TEMP);
	sasl_server_free(&s);

	/* Decoy keys: unknown users get a full exchange that fails at the end. */
	db = (struct test_db){.decoy = true};
	s = server_new(&db, true);
	sasl_server_scram_set_nonce(s, RFC_SNONCE);
	assert_int_equal(server_step_str(s, "n,,n=nobody,r=" RFC_CNONCE,
					 strlen("n,,n=nobody,r=" RFC_CNONCE), &out),
			 0);
	assert_true(strncmp(out, "r=" RFC_CNONCE RFC_SNONCE ",s=",
			    strlen("r=,s=") + strlen(RFC_CNONCE RFC_SNONCE)) == 0);
	free(out);
	final = RFC_CLIENT_FINAL;
	assert_int_equal(server_step_str(s, final, strlen(final), NULL), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_CREDENTIALS);
	sasl_server_free(&s);

	/* No callback at all: temporary failure, not a crash. */
	struct sasl_server_callbacks none = {0};
	const char *error = NULL;

	s = sasl_server_new("SCRAM-SHA-256", NULL, &none, NULL, &error);
	assert_int_equal(server_step_str(s, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), NULL), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_TEMP);
	sasl_server_free(&s);
}

/* Drive a client against a server through the base64 helpers. */
static int run_exchange(struct sasl_client *c, struct sasl_server *s, bool use_ir,
			const char **error_r)
{
	struct buf cline = BUF_INIT, sline = BUF_INIT;
	int sret, cret = 0;

	if (use_ir && sasl_client_initial_base64(c, &cline)) {
		sret = sasl_server_step_base64(s, (const char *)cline.data, cline.len, true, &sline,
					       error_r);
	} else {
		sret = sasl_server_start_base64(s, &sline);
	}
	while (sret == 0) {
		buf_reset(&cline);
		cret = sasl_client_step_base64(c, (const char *)sline.data, sline.len, &cline,
					       error_r);
		if (cret < 0) {
			sret = sasl_server_step_base64(s, "*", 1, false, &sline, error_r);
			break;
		}
		buf_reset(&sline);
		sret = sasl_server_step_base64(s, (const char *)cline.data, cline.len, false,
					       &sline, error_r);
	}
	if (sret == 1 && sasl_client_finish(c, NULL, 0, error_r) < 0)
		sret = -2;
	buf_free(&cline);
	buf_free(&sline);
	return sret;
}

static void test_round_trip(void **state)
{
	static const struct {
		const char *user, *authzid, *password;
		uint32_t iterations;
		int ret;
		const char *who;
	} cases[] = {
		{"user", NULL, "pencil", 0, 1, "user"},
		{"user", "user", "pencil", 0, 1, "user"},
		{"a,b=c", NULL, "pencil", 0, 1, "a,b=c"},
		{"\xc3\xa9t\xc3\xa9", NULL, "pencil", 0, 1, "\xc3\xa9t\xc3\xa9"},
		/* Non-ASCII space maps to SPACE; U+00AD maps to nothing. */
		{"user", NULL,
		 "pen\xc2\xad"
		 "cil",
		 0, 1, "user"},
		{"user", NULL, "pencil2", 0, -1, NULL},
		{"nobody", NULL, "pencil", 0, -1, NULL},
		{"user", "other", "pencil", 0, -1, NULL},
		/* Client refuses iteration counts below 4096 (RFC 7677). */
		{"user", NULL, "pencil", 4095, -1, NULL},
		{"user", NULL, "pencil", 4096, 1, "user"},
	};

	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		for (int ir = 0; ir <= 1; ir++) {
			struct test_db db = {.decoy = true, .iterations = cases[i].iterations};
			struct sasl_server *s = server_new(&db, false);
			struct sasl_client *c =
				client_new(cases[i].user, cases[i].authzid, cases[i].password);
			const char *error = NULL;
			int ret = run_exchange(c, s, ir, &error);

			if (ret != cases[i].ret)
				fail_msg("case %zu ir %d: %d (%s)", i, ir, ret, error);
			if (ret == 1)
				assert_string_equal(sasl_server_user(s), cases[i].who);
			sasl_server_free(&s);
			sasl_client_free(&c);
		}
	}
}

static void test_client_server_first_checks(void **state)
{
	static const char *const bad[] = {
		"r=wrong" RFC_SNONCE ",s=" RFC_SALT ",i=4096",
		"r=" RFC_CNONCE ",s=" RFC_SALT ",i=4096", /* no server part */
		"m=ext,r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=4096",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=4095",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=0",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=04096",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=4000001",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=99999999999",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=4096x",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT,
		"r=" RFC_CNONCE RFC_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096",
		"r=" RFC_CNONCE RFC_SNONCE ",i=4096,s=" RFC_SALT,
		"r=" RFC_CNONCE RFC_SNONCE ",s=,i=4096",
		"r=" RFC_CNONCE RFC_SNONCE ",s=" RFC_SALT ",i=4096,",
		"r=" RFC_CNONCE "\x01"
		",s=" RFC_SALT ",i=4096",
		"r=" RFC_CNONCE "\xc3\xa9"
		",s=" RFC_SALT ",i=4096",
		"",
		"garbage",
	};

	for (size_t i = 0; i < HF_N_ELEMENTS(bad); i++) {
		struct sasl_client *c = client_new("user", NULL, "pencil");
		const unsigned char *out;
		size_t out_len;

		sasl_client_scram_set_nonce(c, RFC_CNONCE);
		assert_true(sasl_client_initial(c, &out, &out_len));
		if (client_step_str(c, bad[i], NULL) != -1)
			fail_msg("case %zu accepted", i);
		/* Once failed, always failed. */
		assert_int_equal(client_step_str(c, RFC_SERVER_FIRST, NULL), -1);
		sasl_client_free(&c);
	}
	/* Extensions after the iteration count are ignored. */
	struct sasl_client *c = client_new("user", NULL, "pencil");
	const unsigned char *out;
	size_t out_len;
	char *resp;

	sasl_client_scram_set_nonce(c, RFC_CNONCE);
	assert_true(sasl_client_initial(c, &out, &out_len));
	assert_int_equal(client_step_str(c, RFC_SERVER_FIRST ",x=ext", &resp), 0);
	assert_true(strncmp(resp, "c=biws,r=", 9) == 0);
	free(resp);
	sasl_client_free(&c);
}

static void test_client_settings(void **state)
{
	struct sasl_client_settings set = {
		.authcid = "user", .password = "pencil", .password_len = 6};
	const char *error = NULL;

	set.authcid = "\x07";
	assert_null(sasl_client_new("SCRAM-SHA-256", &set, &error));
	set.authcid = "user";
	set.password = "\xef\xbf\xbe";
	set.password_len = 3;
	assert_null(sasl_client_new("SCRAM-SHA-256", &set, &error));
	set.password = "\xe2\x80\x8b"; /* maps to nothing: empty */
	assert_null(sasl_client_new("SCRAM-SHA-256", &set, &error));
	/* Unassigned code points are not allowed in a password SCRAM hashes. */
	set.password = "\xc8\xa1";
	set.password_len = 2;
	assert_null(sasl_client_new("SCRAM-SHA-256", &set, &error));
	set.authcid = "";
	assert_null(sasl_client_new("SCRAM-SHA-256", &set, &error));
}

static void test_client_authzid_and_escaping(void **state)
{
	struct sasl_client *c = client_new("a,b=c", "x=y,z", "pencil");
	const unsigned char *out;
	size_t out_len;

	sasl_client_scram_set_nonce(c, "abc");
	assert_true(sasl_client_initial(c, &out, &out_len));
	assert_int_equal(out_len, strlen("n,a=x=3Dy=2Cz,n=a=2Cb=3Dc,r=abc"));
	assert_memory_equal(out, "n,a=x=3Dy=2Cz,n=a=2Cb=3Dc,r=abc", out_len);
	/* A second initial response is refused. */
	assert_false(sasl_client_initial(c, &out, &out_len));
	sasl_client_free(&c);
}

static void test_keys_derive(void **state)
{
	struct scram_keys k1, k2;
	const char *error = NULL;
	unsigned char salt[4] = {1, 2, 3, 4};

	assert_int_equal(scram_keys_generate("pencil", 6, 4096, &k1, &error), 0);
	assert_int_equal(k1.salt_len, SCRAM_SALT_LEN);
	assert_int_equal(scram_keys_derive("pencil", 6, k1.salt, k1.salt_len, 4096, &k2, &error),
			 0);
	assert_memory_equal(k1.stored_key, k2.stored_key, SCRAM_KEY_LEN);
	assert_memory_equal(k1.server_key, k2.server_key, SCRAM_KEY_LEN);
	assert_int_equal(scram_keys_derive("pencil", 6, salt, 0, 4096, &k2, &error), -1);
	assert_int_equal(scram_keys_derive("pencil", 6, salt, 4, 4095, &k2, &error), -1);
	assert_int_equal(scram_keys_derive("", 0, salt, 4, 4096, &k2, &error), -1);
	assert_int_equal(scram_keys_derive("\x01", 1, salt, 4, 4096, &k2, &error), -1);
	scram_keys_cleanse(&k1);
}

static void test_attr_syntax(void **state)
{
	static const struct {
		const char *msg;
		int count; /* attributes before the end, or -1 for a syntax error */
	} cases[] = {
		{"", 0},    {"a=b", 1},  {"a=b,c=d", 2}, {"a=b,", -1},     {"=b", -1},   {"a", -1},
		{"a=", -1}, {"1=b", -1}, {"a=b=c", 1},   {"a=b,,c=d", -1}, {"ab=c", -1},
	};

	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		const char *p = cases[i].msg, *end = p + strlen(p);
		struct scram_attr attr;
		int n = 0, ret;

		while ((ret = scram_attr_next(&p, end, &attr)) == 1)
			n++;
		if ((ret < 0 ? -1 : n) != cases[i].count)
			fail_msg("case %zu: %d %d", i, ret, n);
	}
	char *name = scram_saslname_decode("a=2C=3D", 7);

	assert_string_equal(name, "a,=");
	free(name);
	assert_null(scram_saslname_decode("a=2c", 4));
	assert_null(scram_saslname_decode("a=", 2));
	assert_null(scram_saslname_decode("", 0));
	assert_null(scram_saslname_decode("a,b", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_rfc7677),
		cmocka_unit_test(test_server_success_ack_must_be_empty),
		cmocka_unit_test(test_client_rfc7677),
		cmocka_unit_test(test_client_rejects_server_final),
		cmocka_unit_test(test_client_rejects_early_success),
		cmocka_unit_test(test_server_first_messages),
		cmocka_unit_test(test_server_final_messages),
		cmocka_unit_test(test_server_truncations),
		cmocka_unit_test(test_server_lookup_failures),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_client_server_first_checks),
		cmocka_unit_test(test_client_settings),
		cmocka_unit_test(test_client_authzid_and_escaping),
		cmocka_unit_test(test_keys_derive),
		cmocka_unit_test(test_attr_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
