/* test-server-deliver.c — delivery shared by LMTP and `hafend deliver`:
 * addresses taken apart, local domains, recipient resolution against a
 * real user database, the trace headers, and copies written to a real
 * store (Delivered-To per copy, subaddress mailbox with INBOX fallback,
 * quota before and at delivery).
 *
 * src/server is not part of libhafen, so the sources are built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/deliver/deliver-addr.c"
#include "server/deliver/deliver-headers.c"
#include "server/deliver/deliver-rcpt.c"
#include "server/deliver/deliver.c"
#include "server/server-config.h"
#include "store-test-util.h"

#include <stdio.h>
#include <stdlib.h>

static void test_addr_split(void **state)
{
	static const struct {
		const char *addr, *delims, *local, *domain, *base, *detail;
	} cases[] = {
		{"alice@example.org", "+", "alice", "example.org", "alice", ""},
		{"alice+lists@example.org", "+", "alice+lists", "example.org", "alice", "lists"},
		{"alice+a+b@x", "+", "alice+a+b", "x", "alice", "a+b"},
		{"alice-lists@x", "+-", "alice-lists", "x", "alice", "lists"},
		{"alice+@x", "+", "alice+", "x", "alice", ""},
		{"+list@x", "+", "+list", "x", "+list", ""},
		{"alice+lists@x", "", "alice+lists", "x", "alice+lists", ""},
		{"postmaster", "+", "postmaster", "", "postmaster", ""},
		{"\"a+b\"@x", "+", "\"a+b\"", "x", "\"a+b\"", ""},
		{"a@b@c", "+", "a@b", "c", "a@b", ""},
	};
	struct deliver_addr a;
	const char *error;

	(void)state;
	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		assert_int_equal(deliver_addr_split(cases[i].addr, cases[i].delims, &a, &error), 0);
		assert_string_equal(a.local, cases[i].local);
		assert_string_equal(a.domain, cases[i].domain);
		assert_string_equal(a.base, cases[i].base);
		assert_string_equal(a.detail, cases[i].detail);
	}
	assert_int_equal(deliver_addr_split("", "+", &a, &error), -1);
	assert_int_equal(deliver_addr_split("@x", "+", &a, &error), -1);
	assert_int_equal(deliver_addr_split("a@", "+", &a, &error), -1);
	{
		char long_addr[300];

		memset(long_addr, 'a', sizeof(long_addr) - 1);
		long_addr[sizeof(long_addr) - 1] = '\0';
		assert_int_equal(deliver_addr_split(long_addr, "+", &a, &error), -1);
	}
}

static void test_local_domains(void **state)
{
	(void)state;
	assert_true(deliver_domain_is_local("mail.example", "", "mail.example"));
	assert_true(deliver_domain_is_local("LOCALHOST", "", "mail.example"));
	assert_true(deliver_domain_is_local("", "x.org", "h"));
	assert_false(deliver_domain_is_local("other.org", "", "mail.example"));
	assert_true(deliver_domain_is_local("B.org", "a.org, b.org", "h"));
	assert_false(deliver_domain_is_local("localhost", "a.org b.org", "h"));
	assert_false(deliver_domain_is_local("a.or", "a.org", "h"));
	assert_false(deliver_domain_is_local("a.orgx", "a.org", "h"));
}

static void test_headers(void **state)
{
	struct deliver_envelope env = {
		.sender = "s@x.org",
		.helo = "mx.x.org",
		.peer = "127.0.0.1",
		.protocol = "LMTP",
		.hostname = "h.example",
		.id = "ID1",
		.for_rcpt = "r@h.example",
		.now = 0,
	};
	struct buf out = BUF_INIT;
	const char *text;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	deliver_headers_common(&env, &out);
	text = buf_cstr(&out);
	assert_string_equal(text, "Return-Path: <s@x.org>\r\n"
				  "Received: from mx.x.org (127.0.0.1)\r\n"
				  "\tby h.example (hafen) with LMTP id ID1\r\n"
				  "\tfor <r@h.example>; Thu, 01 Jan 1970 00:00:00 +0000\r\n");
	buf_reset(&out);
	env.sender = "";
	env.helo = NULL;
	env.for_rcpt = NULL;
	env.protocol = "local";
	deliver_headers_common(&env, &out);
	assert_string_equal(buf_cstr(&out),
			    "Return-Path: <>\r\nReceived: by h.example (hafen) "
			    "with local id ID1; Thu, 01 Jan 1970 00:00:00 +0000\r\n");
	buf_reset(&out);
	deliver_header_delivered_to("evil\r\nX: y\x80", &out);
	assert_string_equal(buf_cstr(&out), "Delivered-To: evil??X:?y?\r\n");
	buf_free(&out);
}

static void make_config(struct server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->local_domains = (char *)"";
	cfg->hostname = (char *)"h.example";
	cfg->recipient_delimiter = (char *)"+";
}

static void test_resolve(void **state)
{
	static const struct {
		const char *addr;
		int result;
		const char *user, *mailbox;
	} cases[] = {
		{"alice@h.example", DELIVER_RCPT_OK, "alice", ""},
		{"ALICE@H.Example", DELIVER_RCPT_OK, "alice", ""},
		{"alice+work@h.example", DELIVER_RCPT_OK, "alice", "work"},
		{"alice", DELIVER_RCPT_OK, "alice", ""},
		{"alice@localhost", DELIVER_RCPT_OK, "alice", ""},
		{"alice@other.org", DELIVER_RCPT_UNKNOWN, NULL, NULL},
		{"bob@other.org", DELIVER_RCPT_OK, "bob@other.org", ""},
		{"bob+x@other.org", DELIVER_RCPT_OK, "bob@other.org", "x"},
		{"bob@h.example", DELIVER_RCPT_UNKNOWN, NULL, NULL},
		{"carol+x@h.example", DELIVER_RCPT_OK, "carol+x", ""},
		{"carol+y@h.example", DELIVER_RCPT_UNKNOWN, NULL, NULL},
		{"nobody@h.example", DELIVER_RCPT_UNKNOWN, NULL, NULL},
		{"\"alice\"@h.example", DELIVER_RCPT_UNKNOWN, NULL, NULL},
	};
	struct server_config cfg;
	struct userdb *db;
	struct deliver_rcpt r;
	const char *error;
	char dir[256], path[300];

	(void)state;
	make_config(&cfg);
	test_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/users.db", dir);
	assert_int_equal(userdb_open(path, NULL, &db, &error), 0);
	assert_int_equal(userdb_add(db, "alice", NULL, 0, &error), 0);
	assert_int_equal(userdb_add(db, "bob@other.org", NULL, 0, &error), 0);
	assert_int_equal(userdb_add(db, "carol+x", NULL, 0, &error), 0);
	for (size_t i = 0; i < HF_N_ELEMENTS(cases); i++) {
		int ret = deliver_rcpt_resolve(db, &cfg, cases[i].addr, &r, &error);

		assert_int_equal(ret, cases[i].result);
		if (ret == DELIVER_RCPT_OK) {
			assert_string_equal(r.user, cases[i].user);
			assert_string_equal(r.mailbox, cases[i].mailbox);
		}
	}
	cfg.recipient_delimiter = (char *)"";
	assert_int_equal(deliver_rcpt_resolve(db, &cfg, "alice+work@h.example", &r, &error),
			 DELIVER_RCPT_UNKNOWN);
	cfg.local_domains = (char *)"mail.org";
	assert_int_equal(deliver_rcpt_resolve(db, &cfg, "alice@h.example", &r, &error),
			 DELIVER_RCPT_UNKNOWN);
	assert_int_equal(deliver_rcpt_resolve(db, &cfg, "alice@MAIL.org", &r, &error),
			 DELIVER_RCPT_OK);
	userdb_close(&db);
	test_rmtree(dir);
}

struct fetched {
	char text[4096];
	size_t count;
};

/* The first message of mailbox read back, and how many it holds. */
static void read_first(struct store *s, const char *mailbox, struct fetched *f)
{
	struct store_mailbox mb;
	struct store_fetch *it;
	const struct store_msg *m;
	struct store_section sec = {.kind = STORE_SECTION_ALL};
	struct buf out = BUF_INIT;

	memset(f, 0, sizeof(*f));
	assert_int_equal(store_mailbox_get(s, mailbox, &mb), STORE_OK);
	f->count = mb.messages;
	assert_int_equal(store_fetch_begin(s, mb.id, NULL, STORE_WANT_PARTS, &it), STORE_OK);
	if (store_fetch_next(it, &m) == 1) {
		assert_int_equal(store_section_read(s, m, &sec, &out), STORE_OK);
		snprintf(f->text, sizeof(f->text), "%.*s", (int)out.len, (const char *)out.data);
	}
	store_fetch_end(&it);
	store_mailbox_clear(&mb);
	buf_free(&out);
}

static void test_deliver_to_store(void **state)
{
	static const char msg[] = "Subject: hi\nFrom: a@x\n\n.line\nbody\n";
	struct deliver_envelope env = {
		.sender = "a@x",
		.helo = "mx",
		.peer = "unix",
		.protocol = "LMTP",
		.hostname = "h",
		.id = "Q1",
		.now = 1000000000,
	};
	struct deliver_message *m = deliver_message_new(&env, msg, sizeof(msg) - 1);
	struct store *s;
	struct fetched f;
	const char *error, *used;
	char dir[256], udir[300];

	(void)state;
	test_tmpdir(dir, sizeof(dir));
	snprintf(udir, sizeof(udir), "%s/u", dir);
	assert_int_equal(store_open(udir, STORE_OPEN_CREATE, &s, &error), STORE_OK);
	assert_int_equal(store_mailbox_create(s, "work", 0), STORE_OK);
	assert_int_equal(deliver_to_store(s, m, "u@h", NULL, &used, &error), DELIVER_OK);
	assert_string_equal(used, "INBOX");
	read_first(s, "INBOX", &f);
	assert_int_equal(f.count, 1);
	assert_true(strncmp(f.text, "Delivered-To: u@h\r\nReturn-Path: <a@x>\r\nReceived: from mx",
			    56) == 0);
	assert_non_null(strstr(f.text, "\r\n\r\n.line\r\nbody\r\n"));
	assert_int_equal(deliver_message_size(m) + strlen("Delivered-To: u@h\r\n"), strlen(f.text));
	assert_int_equal(deliver_to_store(s, m, "u+work@h", "work", &used, &error), DELIVER_OK);
	assert_string_equal(used, "work");
	read_first(s, "work", &f);
	assert_int_equal(f.count, 1);
	assert_true(strncmp(f.text, "Delivered-To: u+work@h\r\n", 24) == 0);
	assert_int_equal(deliver_to_store(s, m, "u+nope@h", "nope", &used, &error), DELIVER_OK);
	assert_string_equal(used, "INBOX");
	read_first(s, "INBOX", &f);
	assert_int_equal(f.count, 2);
	/* quota: a limit of one more message */
	assert_int_equal(store_quota_set_limits(s, 0, 4), STORE_OK);
	assert_int_equal(deliver_quota_check(s, 100, &error), DELIVER_OK);
	assert_int_equal(deliver_to_store(s, m, "u@h", NULL, &used, &error), DELIVER_OK);
	assert_int_equal(deliver_quota_check(s, 0, &error), DELIVER_OVERQUOTA);
	assert_int_equal(deliver_to_store(s, m, "u@h", NULL, &used, &error), DELIVER_OVERQUOTA);
	assert_int_equal(store_quota_set_limits(s, 10000, 0), STORE_OK);
	assert_int_equal(deliver_quota_check(s, 20000, &error), DELIVER_OVERQUOTA);
	assert_int_equal(store_quota_set_limits(s, 0, 0), STORE_OK);
	assert_int_equal(deliver_quota_check(s, 20000, &error), DELIVER_OK);
	store_close(&s);
	deliver_message_free(&m);
	deliver_message_free(&m);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_split),       cmocka_unit_test(test_local_domains),
		cmocka_unit_test(test_headers),          cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_deliver_to_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
