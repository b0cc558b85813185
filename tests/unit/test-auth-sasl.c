/* test-auth-sasl.c — PLAIN and LOGIN (server and client), the generic
 * SASL server machine, its base64 wrappers and the LOGIN command check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl-base64.h"
#include "auth/sasl-client.h"
#include "auth/sasl-server.h"
#include "lib/err.h"
#include "lib/str.h"

/* One user, "alice@example.org" with password "pencil"; names compare
 * case-insensitively and come back lower-cased, as userdb does. */
struct test_db {
	int calls;
	bool tempfail;
	char last_name[SASL_NAME_MAX + 1];
};

static enum sasl_lookup_result test_verify(void *context, const char *authcid, const char *password,
					   size_t password_len, char user_r[SASL_USER_MAX + 1])
{
	struct test_db *db = context;

	db->calls++;
	snprintf(db->last_name, sizeof(db->last_name), "%s", authcid);
	if (db->tempfail)
		return SASL_LOOKUP_TEMPFAIL;
	if (str_casecmp(authcid, "alice@example.org") != 0 || password_len != 6 ||
	    memcmp(password, "pencil", 6) != 0)
		return SASL_LOOKUP_DENIED;
	strcpy(user_r, "alice@example.org");
	return SASL_LOOKUP_OK;
}

static const struct sasl_server_callbacks test_callbacks = {.verify_password = test_verify};

struct plain_case {
	const char *msg;
	size_t len;
	enum sasl_failure failure;
};

#define PC(lit, failure)                                                                           \
	{                                                                                          \
		lit, sizeof(lit) - 1, failure                                                      \
	}

static const struct plain_case plain_cases[] = {
	PC("\0alice@example.org\0pencil", SASL_FAIL_NONE),
	PC("\0ALICE@Example.org\0pencil", SASL_FAIL_NONE),
	PC("alice@example.org\0alice@example.org\0pencil", SASL_FAIL_NONE),
	PC("Alice@Example.ORG\0alice@example.org\0pencil", SASL_FAIL_NONE),
	/* SASLprep of the name: a soft hyphen vanishes (RFC 4013 section 3). */
	PC("\0al\xc2\xad"
	   "ice@example.org\0pencil",
	   SASL_FAIL_NONE),
	PC("\0alice@example.org\0pencil2", SASL_FAIL_CREDENTIALS),
	PC("\0alice@example.org\0Pencil", SASL_FAIL_CREDENTIALS),
	PC("\0bob@example.org\0pencil", SASL_FAIL_CREDENTIALS),
	PC("\0\x07\0pencil", SASL_FAIL_CREDENTIALS),
	PC("\0\xe2\x80\x8b\0pencil", SASL_FAIL_CREDENTIALS), /* empty after SASLprep */
	PC("bob@example.org\0alice@example.org\0pencil", SASL_FAIL_AUTHZ),
	PC("\xff\0alice@example.org\0pencil", SASL_FAIL_AUTHZ),
	/* Malformed: missing NULs, empty fields, NUL in the password. */
	PC("", SASL_FAIL_MALFORMED),
	PC("alice@example.org", SASL_FAIL_MALFORMED),
	PC("\0alice@example.org", SASL_FAIL_MALFORMED),
	PC("alice@example.orgpencil", SASL_FAIL_MALFORMED),
	PC("\0\0pencil", SASL_FAIL_MALFORMED),
	PC("\0alice@example.org\0", SASL_FAIL_MALFORMED),
	PC("\0\0", SASL_FAIL_MALFORMED),
	PC("\0alice@example.org\0pen\0cil", SASL_FAIL_MALFORMED),
	PC("\0alice@example.org\0pencil\0", SASL_FAIL_MALFORMED),
};

static int plain_run(const void *msg, size_t len, struct test_db *db, enum sasl_failure *failure_r,
		     const char **user_r)
{
	const char *error = NULL;
	struct sasl_server *s = sasl_server_new("PLAIN", NULL, &test_callbacks, db, &error);
	const unsigned char *out;
	size_t out_len;
	int ret;

	assert_non_null(s);
	ret = sasl_server_step(s, msg, len, &out, &out_len, &error);
	assert_int_equal(out_len, 0);
	*failure_r = sasl_server_failure(s);
	if (ret < 0)
		assert_non_null(error);
	static char user[SASL_USER_MAX + 1];
	snprintf(user, sizeof(user), "%s", sasl_server_user(s));
	*user_r = user;
	sasl_server_free(&s);
	return ret;
}

static void test_plain_server(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(plain_cases); i++) {
		const struct plain_case *c = &plain_cases[i];
		struct test_db db = {0};
		enum sasl_failure failure;
		const char *user;
		int ret = plain_run(c->msg, c->len, &db, &failure, &user);

		if (failure != c->failure || ret != (c->failure == SASL_FAIL_NONE ? 1 : -1))
			fail_msg("case %zu: ret %d failure %d", i, ret, failure);
		if (ret == 1)
			assert_string_equal(user, "alice@example.org");
		else
			assert_string_equal(user, "");
		/* Malformed and unauthorized requests never reach the database. */
		if (c->failure == SASL_FAIL_MALFORMED || c->failure == SASL_FAIL_AUTHZ)
			assert_int_equal(db.calls, 0);
	}
}

static void test_plain_limits(void **state)
{
	char msg[2 * SASL_NAME_MAX + SASL_PASSWORD_MAX + 8];
	struct test_db db = {0};
	enum sasl_failure failure;
	const char *user;
	size_t len;

	/* RFC 4616 section 2: 255 octets each MUST be accepted. */
	memset(msg, 'a', sizeof(msg));
	msg[0] = 'b';
	msg[255] = '\0';
	msg[511] = '\0';
	assert_int_equal(plain_run(msg, 511 + 256, &db, &failure, &user), -1);
	assert_int_equal(failure, SASL_FAIL_AUTHZ);
	/* "" NUL 255 x 'a' NUL 255 x 'a' */
	memset(msg, 'a', sizeof(msg));
	msg[0] = '\0';
	msg[256] = '\0';
	assert_int_equal(plain_run(msg, 512, &db, &failure, &user), -1);
	assert_int_equal(failure, SASL_FAIL_CREDENTIALS);
	assert_int_equal(strlen(db.last_name), 255);
	/* Beyond our limits: malformed, without a lookup. */
	db.calls = 0;
	len = 1 + SASL_NAME_MAX + 1 + 1 + 6;
	memset(msg, 'a', len);
	msg[0] = '\0';
	msg[SASL_NAME_MAX + 2] = '\0';
	assert_int_equal(plain_run(msg, len, &db, &failure, &user), -1);
	assert_int_equal(failure, SASL_FAIL_MALFORMED);
	len = 1 + 5 + 1 + SASL_PASSWORD_MAX + 1;
	memset(msg, 'a', len);
	msg[0] = '\0';
	msg[6] = '\0';
	assert_int_equal(plain_run(msg, len, &db, &failure, &user), -1);
	assert_int_equal(failure, SASL_FAIL_MALFORMED);
	assert_int_equal(db.calls, 0);
	/* Temporary failure of the database. */
	db.tempfail = true;
	assert_int_equal(plain_run("\0alice@example.org\0pencil", 25, &db, &failure, &user), -1);
	assert_int_equal(failure, SASL_FAIL_TEMP);
}

static void test_plain_without_initial_response(void **state)
{
	struct test_db db = {0};
	const char *error = NULL;
	struct sasl_server *s = sasl_server_new("plain", NULL, &test_callbacks, &db, &error);
	const unsigned char *out;
	size_t out_len;

	assert_string_equal(sasl_server_mech_name(s), "PLAIN");
	assert_int_equal(sasl_server_start(s, &out, &out_len), 0);
	assert_int_equal(out_len, 0);
	assert_int_equal(sasl_server_step(s, (const unsigned char *)"\0alice@example.org\0pencil",
					  25, &out, &out_len, &error),
			 1);
	assert_string_equal(sasl_server_user(s), "alice@example.org");
	/* Start is only valid first. */
	assert_int_equal(sasl_server_start(s, &out, &out_len), -1);
	sasl_server_free(&s);
	sasl_server_free(&s);
}

struct login_case {
	const char *user;
	size_t user_len;
	const char *password;
	size_t password_len;
	int user_ret; /* after the user name */
	enum sasl_failure failure;
};

static const struct login_case login_cases[] = {
	{"alice@example.org", 17, "pencil", 6, 0, SASL_FAIL_NONE},
	{"Alice@Example.org", 17, "pencil", 6, 0, SASL_FAIL_NONE},
	{"alice@example.org", 17, "pencil!", 7, 0, SASL_FAIL_CREDENTIALS},
	{"alice@example.org", 17, "", 0, 0, SASL_FAIL_MALFORMED},
	{"alice@example.org", 17, "pen\0cil", 7, 0, SASL_FAIL_MALFORMED},
	{"", 0, NULL, 0, -1, SASL_FAIL_MALFORMED},
	{"ali\0ce", 6, NULL, 0, -1, SASL_FAIL_MALFORMED},
};

static void test_login_server(void **state)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(login_cases); i++) {
		for (int ir = 0; ir <= 1; ir++) {
			const struct login_case *c = &login_cases[i];
			struct test_db db = {0};
			const char *error = NULL;
			struct sasl_server *s =
				sasl_server_new("Login", NULL, &test_callbacks, &db, &error);
			const unsigned char *out;
			size_t out_len;
			int ret;

			if (!ir) {
				assert_int_equal(sasl_server_start(s, &out, &out_len), 0);
				assert_int_equal(out_len, 9);
				assert_memory_equal(out, "Username:", 9);
			}
			ret = sasl_server_step(s, (const unsigned char *)c->user, c->user_len, &out,
					       &out_len, &error);
			assert_int_equal(ret, c->user_ret);
			if (ret == 0) {
				assert_int_equal(out_len, 9);
				assert_memory_equal(out, "Password:", 9);
				ret = sasl_server_step(s, (const unsigned char *)c->password,
						       c->password_len, &out, &out_len, &error);
				assert_int_equal(ret, c->failure == SASL_FAIL_NONE ? 1 : -1);
			}
			assert_int_equal(sasl_server_failure(s), c->failure);
			if (ret == 1)
				assert_string_equal(sasl_server_user(s), "alice@example.org");
			sasl_server_free(&s);
		}
	}
}

static void test_mechanism_table(void **state)
{
	const struct sasl_mech_info *info;
	const char *error = NULL;
	size_t n = 0;

	assert_string_equal(sasl_server_mech_find("scram-sha-256")->name, "SCRAM-SHA-256");
	assert_false(sasl_server_mech_find("SCRAM-SHA-256")->plaintext);
	assert_true(sasl_server_mech_find("pLaIn")->plaintext);
	assert_true(sasl_server_mech_find("LOGIN")->plaintext);
	assert_null(sasl_server_mech_find("SCRAM-SHA-256-PLUS"));
	assert_null(sasl_server_mech_find("CRAM-MD5"));
	assert_null(sasl_server_mech_find(""));
	while ((info = sasl_server_mech_at(n)) != NULL)
		n++;
	assert_int_equal(n, 3);
	assert_string_equal(sasl_server_mech_at(0)->name, "SCRAM-SHA-256");
	assert_null(sasl_server_new("GSSAPI", NULL, &test_callbacks, NULL, &error));
	assert_string_equal(error, "unsupported SASL mechanism");
}

static void test_base64_wrappers(void **state)
{
	struct test_db db = {0};
	const char *error = NULL;
	struct buf out = BUF_INIT;
	struct sasl_server *s;

	/* Initial response in base64. */
	s = sasl_server_new("PLAIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_step_base64(s, "AGFsaWNlQGV4YW1wbGUub3JnAHBlbmNpbA==", 36,
						 true, &out, &error),
			 1);
	assert_int_equal(out.len, 0);
	sasl_server_free(&s);
	/* "=" is an empty initial response (RFC 4959): PLAIN then fails. */
	s = sasl_server_new("PLAIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_step_base64(s, "=", 1, true, &out, &error), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_MALFORMED);
	sasl_server_free(&s);
	/* LOGIN with "=" as initial response: an empty user name. */
	s = sasl_server_new("LOGIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_step_base64(s, "=", 1, true, &out, &error), -1);
	sasl_server_free(&s);
	/* "*" cancels a continuation (RFC 9051 section 6.2.2). */
	s = sasl_server_new("LOGIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_start_base64(s, &out), 0);
	assert_string_equal(buf_cstr(&out), "VXNlcm5hbWU6");
	buf_reset(&out);
	assert_int_equal(
		sasl_server_step_base64(s, "YWxpY2VAZXhhbXBsZS5vcmc=", 24, false, &out, &error), 0);
	assert_string_equal(buf_cstr(&out), "UGFzc3dvcmQ6");
	assert_int_equal(sasl_server_step_base64(s, "*", 1, false, &out, &error), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_CANCELLED);
	assert_string_equal(error, "authentication cancelled");
	sasl_server_free(&s);
	/* "*" as initial response is just invalid base64. */
	s = sasl_server_new("PLAIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_step_base64(s, "*", 1, true, &out, &error), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_MALFORMED);
	sasl_server_free(&s);
	/* Bad base64, and too long a line. */
	s = sasl_server_new("PLAIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_step_base64(s, "AGFsaWNl=", 9, true, &out, &error), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_MALFORMED);
	sasl_server_free(&s);
	s = sasl_server_new("LOGIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_step_base64(s, "AGF*", 4, true, &out, &error), -1);
	assert_int_equal(sasl_server_failure(s), SASL_FAIL_MALFORMED);
	sasl_server_free(&s);
	size_t big_len = sasl_base64_encoded_len(SASL_SERVER_INPUT_MAX) + 4;
	char *big = malloc(big_len);

	memset(big, 'A', big_len);
	s = sasl_server_new("PLAIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(sasl_server_step_base64(s, big, big_len, true, &out, &error), -1);
	assert_string_equal(error, "SASL response too long");
	sasl_server_free(&s);
	/* Exactly one byte over the decoded limit. */
	struct buf raw = BUF_INIT, enc = BUF_INIT;

	buf_reserve(&raw, SASL_SERVER_INPUT_MAX + 1);
	memset(raw.data, 'a', SASL_SERVER_INPUT_MAX + 1);
	raw.len = SASL_SERVER_INPUT_MAX + 1;
	sasl_base64_encode(raw.data, raw.len, &enc);
	s = sasl_server_new("PLAIN", NULL, &test_callbacks, &db, &error);
	assert_int_equal(
		sasl_server_step_base64(s, (const char *)enc.data, enc.len, true, &out, &error),
		-1);
	assert_string_equal(error, "SASL response too long");
	sasl_server_free(&s);
	buf_free(&raw);
	buf_free(&enc);
	free(big);
	buf_free(&out);
	assert_int_equal(db.calls, 1);
}

static void test_login_command(void **state)
{
	char user[SASL_USER_MAX + 1];
	struct test_db db = {0};
	char longpw[SASL_PASSWORD_MAX + 1];

	assert_int_equal(sasl_server_check_login(&test_callbacks, &db, "ALICE@example.org", 17,
						 "pencil", 6, user),
			 SASL_FAIL_NONE);
	assert_string_equal(user, "alice@example.org");
	assert_int_equal(sasl_server_check_login(&test_callbacks, &db, "alice@example.org", 17,
						 "pencil ", 7, user),
			 SASL_FAIL_CREDENTIALS);
	assert_int_equal(sasl_server_check_login(&test_callbacks, &db, "", 0, "pencil", 6, user),
			 SASL_FAIL_CREDENTIALS);
	assert_int_equal(
		sasl_server_check_login(&test_callbacks, &db, "alice@example.org", 17, "", 0, user),
		SASL_FAIL_CREDENTIALS);
	assert_int_equal(
		sasl_server_check_login(&test_callbacks, &db, "a\0b", 3, "pencil", 6, user),
		SASL_FAIL_MALFORMED);
	memset(longpw, 'x', sizeof(longpw));
	assert_int_equal(sasl_server_check_login(&test_callbacks, &db, "alice@example.org", 17,
						 longpw, sizeof(longpw), user),
			 SASL_FAIL_MALFORMED);
	assert_int_equal(
		sasl_server_check_login(NULL, &db, "alice@example.org", 17, "pencil", 6, user),
		SASL_FAIL_TEMP);
	assert_int_equal(db.calls, 2);
}

static struct sasl_client *client_new(const char *mech, const char *authzid, const char *password,
				      size_t password_len)
{
	struct sasl_client_settings set = {
		.authcid = "alice@example.org",
		.authzid = authzid,
		.password = password,
		.password_len = password_len,
	};
	const char *error = NULL;

	return sasl_client_new(mech, &set, &error);
}

static void test_plain_client(void **state)
{
	struct sasl_client *c = client_new("PLAIN", NULL, "pencil", 6);
	const unsigned char *out;
	size_t out_len;
	const char *error = NULL;
	struct buf b = BUF_INIT;

	assert_string_equal(sasl_client_mech_name(c), "PLAIN");
	assert_true(sasl_client_initial(c, &out, &out_len));
	assert_int_equal(out_len, 25);
	assert_memory_equal(out, "\0alice@example.org\0pencil", 25);
	/* PLAIN has nothing to say to a challenge after its message. */
	assert_int_equal(sasl_client_step(c, NULL, 0, &out, &out_len, &error), -1);
	sasl_client_free(&c);

	c = client_new("plain", "admin", "pencil", 6);
	assert_true(sasl_client_initial_base64(c, &b));
	assert_string_equal(buf_cstr(&b), "YWRtaW4AYWxpY2VAZXhhbXBsZS5vcmcAcGVuY2ls");
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), 0);
	sasl_client_free(&c);

	/* Without SASL-IR: the message goes in answer to the empty challenge. */
	c = client_new("PLAIN", "", "pencil", 6);
	buf_reset(&b);
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), -1);
	sasl_client_free(&c);
	c = client_new("PLAIN", "", "pencil", 6);
	assert_int_equal(sasl_client_step_base64(c, "", 0, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "AGFsaWNlQGV4YW1wbGUub3JnAHBlbmNpbA==");
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), 0);
	sasl_client_free(&c);
	/* A non-empty first challenge is wrong for a client-first mechanism. */
	c = client_new("PLAIN", "", "pencil", 6);
	buf_reset(&b);
	assert_int_equal(sasl_client_step_base64(c, "eA==", 4, &b, &error), -1);
	assert_int_equal(sasl_client_step_base64(c, "", 0, &b, &error), -1);
	sasl_client_free(&c);
	/* Unusable settings. */
	assert_null(client_new("PLAIN", "", "pen\0cil", 7));
	assert_null(client_new("PLAIN", "", "", 0));
	assert_null(client_new("CRAM-MD5", "", "pencil", 6));
	buf_free(&b);
}

static void test_login_client(void **state)
{
	struct sasl_client *c = client_new("LOGIN", NULL, "pencil", 6);
	const unsigned char *out;
	size_t out_len;
	const char *error = NULL;
	struct buf b = BUF_INIT;

	assert_false(sasl_client_initial(c, &out, &out_len));
	assert_false(sasl_client_initial_base64(c, &b));
	assert_int_equal(b.len, 0);
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), -1);
	sasl_client_free(&c);
	c = client_new("LOGIN", NULL, "pencil", 6);
	assert_int_equal(sasl_client_step_base64(c, "VXNlcm5hbWU6", 12, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "YWxpY2VAZXhhbXBsZS5vcmc=");
	buf_reset(&b);
	assert_int_equal(sasl_client_step_base64(c, "UGFzc3dvcmQ6", 12, &b, &error), 0);
	assert_string_equal(buf_cstr(&b), "cGVuY2ls");
	buf_reset(&b);
	assert_int_equal(sasl_client_step_base64(c, "", 0, &b, &error), -1);
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), -1);
	sasl_client_free(&c);
	/* Bad base64 from the server. */
	c = client_new("LOGIN", NULL, "pencil", 6);
	assert_int_equal(sasl_client_step_base64(c, "VXNlcm5hbWU", 11, &b, &error), -1);
	sasl_client_free(&c);
	c = client_new("LOGIN", NULL, "pencil", 6);
	assert_int_equal(sasl_client_step_base64(c, "VXNlcm5hbWU6", 12, &b, &error), 0);
	buf_reset(&b);
	assert_int_equal(sasl_client_step_base64(c, "UGFzc3dvcmQ6", 12, &b, &error), 0);
	assert_int_equal(sasl_client_finish(c, NULL, 0, &error), 0);
	assert_int_equal(sasl_client_finish(c, (const unsigned char *)"x", 1, &error), -1);
	sasl_client_free(&c);
	buf_free(&b);
}

static void test_client_against_server(void **state)
{
	static const char *const mechs[] = {"PLAIN", "LOGIN"};

	for (size_t m = 0; m < HF_N_ELEMENTS(mechs); m++) {
		for (int good = 0; good <= 1; good++) {
			struct test_db db = {0};
			const char *error = NULL;
			struct sasl_server *s =
				sasl_server_new(mechs[m], NULL, &test_callbacks, &db, &error);
			struct sasl_client *c =
				client_new(mechs[m], NULL, good ? "pencil" : "x", good ? 6 : 1);
			struct buf cl = BUF_INIT, sl = BUF_INIT;
			int ret;

			if (sasl_client_initial_base64(c, &cl))
				ret = sasl_server_step_base64(s, (const char *)cl.data, cl.len,
							      true, &sl, &error);
			else
				ret = sasl_server_start_base64(s, &sl);
			while (ret == 0) {
				buf_reset(&cl);
				assert_int_equal(sasl_client_step_base64(c, (const char *)sl.data,
									 sl.len, &cl, &error),
						 0);
				buf_reset(&sl);
				ret = sasl_server_step_base64(s, (const char *)cl.data, cl.len,
							      false, &sl, &error);
			}
			assert_int_equal(ret, good ? 1 : -1);
			if (good)
				assert_int_equal(sasl_client_finish(c, NULL, 0, &error), 0);
			buf_free(&cl);
			buf_free(&sl);
			sasl_server_free(&s);
			sasl_client_free(&c);
		}
	}
}

static void test_client_choose(void **state)
{
	const char *all[] = {"LOGIN", "plain", "SCRAM-SHA-256", "SCRAM-SHA-1"};
	const char *old[] = {"LOGIN", "PLAIN", "CRAM-MD5"};
	const char *login[] = {"LOGIN"};

	assert_string_equal(sasl_client_mech_choose(all, 4, false), "SCRAM-SHA-256");
	assert_string_equal(sasl_client_mech_choose(all, 4, true), "SCRAM-SHA-256");
	assert_string_equal(sasl_client_mech_choose(old, 3, true), "PLAIN");
	assert_null(sasl_client_mech_choose(old, 3, false));
	assert_string_equal(sasl_client_mech_choose(login, 1, true), "LOGIN");
	assert_null(sasl_client_mech_choose(NULL, 0, true));
	assert_true(sasl_client_mech_supported("scram-sha-256"));
	assert_false(sasl_client_mech_supported("SCRAM-SHA-256-PLUS"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_server),
		cmocka_unit_test(test_plain_limits),
		cmocka_unit_test(test_plain_without_initial_response),
		cmocka_unit_test(test_login_server),
		cmocka_unit_test(test_mechanism_table),
		cmocka_unit_test(test_base64_wrappers),
		cmocka_unit_test(test_login_command),
		cmocka_unit_test(test_plain_client),
		cmocka_unit_test(test_login_client),
		cmocka_unit_test(test_client_against_server),
		cmocka_unit_test(test_client_choose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
