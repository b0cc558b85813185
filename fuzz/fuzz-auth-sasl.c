/* fuzz-auth-sasl.c — the SASL server mechanisms (PLAIN, LOGIN,
 * SCRAM-SHA-256) and the LOGIN command check fed hostile client responses,
 * plus SASLprep and strict base64 on raw bytes.
 *
 * Input: one control byte, then the client's responses. Control bits 0-2
 * pick the target (0 PLAIN, 1 LOGIN, 2 SCRAM-SHA-256, 3 LOGIN command,
 * 4 SASLprep, 5 base64, 6-7 SCRAM-SHA-256 again); bit 3 feeds base64
 * lines (separated by '\n', as the IMAP server reads them) instead of raw
 * responses (separated by 0xff); bit 4 sends the first response as an
 * initial response instead of starting with a challenge; bit 5 sets
 * success_data. The SCRAM server nonce is fixed so the fuzzer can reach
 * the proof check; the only known user is "user" with password "pencil". */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl-base64.h"
#include "auth/sasl-server-private.h"
#include "auth/saslprep.h"
#include "auth/scram.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct scram_keys user_keys;

static enum sasl_lookup_result fuzz_verify(void *context, const char *authcid, const char *password,
					   size_t password_len, char user_r[SASL_USER_MAX + 1])
{
	if (strcmp(authcid, "user") != 0 || password_len != 6 || memcmp(password, "pencil", 6) != 0)
		return SASL_LOOKUP_DENIED;
	strcpy(user_r, "user");
	return SASL_LOOKUP_OK;
}

static enum sasl_lookup_result fuzz_scram(void *context, const char *authcid,
					  struct scram_keys *keys_r, char user_r[SASL_USER_MAX + 1])
{
	*keys_r = user_keys;
	if (strcmp(authcid, "user") != 0) {
		keys_r->salt[0] ^= 0x55; /* a decoy */
		return strcmp(authcid, "tempfail") == 0 ? SASL_LOOKUP_TEMPFAIL : SASL_LOOKUP_DENIED;
	}
	strcpy(user_r, "user");
	return SASL_LOOKUP_OK;
}

static const struct sasl_server_callbacks callbacks = {
	.verify_password = fuzz_verify,
	.scram_lookup = fuzz_scram,
};

static void init_once(void)
{
	static bool done;
	const char *error;

	if (done)
		return;
	done = true;
	if (scram_keys_derive("pencil", 6, (const unsigned char *)"fuzzsalt", 8, 4096, &user_keys,
			      &error) < 0)
		abort();
}

/* Split off the next response at sep; false at the end. */
static bool next_part(const uint8_t **p, const uint8_t *end, uint8_t sep, const uint8_t **part_r,
		      size_t *len_r)
{
	const uint8_t *s;

	if (*p == NULL)
		return false;
	s = memchr(*p, sep, (size_t)(end - *p));
	*part_r = *p;
	*len_r = (size_t)((s != NULL ? s : end) - *p);
	*p = s != NULL ? s + 1 : NULL;
	return true;
}

static void check_outcome(struct sasl_server *s, int ret)
{
	if (ret == 1 && strcmp(sasl_server_user(s), "user") != 0)
		abort(); /* success for anyone but the one user is a bug */
	if (ret == -1 && sasl_server_failure(s) == SASL_FAIL_NONE)
		abort();
}

static void run_server(const char *mech, uint8_t ctl, const uint8_t *p, const uint8_t *end)
{
	struct sasl_server_settings set = {.success_data = (ctl & 0x20) != 0};
	bool b64 = (ctl & 0x08) != 0, initial = (ctl & 0x10) != 0;
	const char *error = NULL;
	struct sasl_server *s = sasl_server_new(mech, &set, &callbacks, NULL, &error);
	struct buf out = BUF_INIT;
	const unsigned char *raw_out;
	const uint8_t *part;
	size_t len, raw_len;
	int ret = 0;

	if (strcmp(mech, "SCRAM-SHA-256") == 0)
		sasl_server_scram_set_nonce(s, "fuzznonce");
	if (!initial)
		ret = b64 ? sasl_server_start_base64(s, &out)
			  : sasl_server_start(s, &raw_out, &raw_len);
	while (ret == 0 && next_part(&p, end, b64 ? '\n' : 0xff, &part, &len)) {
		buf_reset(&out);
		if (b64)
			ret = sasl_server_step_base64(s, (const char *)part, len, initial, &out,
						      &error);
		else
			ret = sasl_server_step(s, part, len, &raw_out, &raw_len, &error);
		initial = false;
		check_outcome(s, ret);
	}
	buf_free(&out);
	sasl_server_free(&s);
}

static void run_login_command(const uint8_t *p, const uint8_t *end)
{
	char user[SASL_USER_MAX + 1];
	const uint8_t *name, *password;
	size_t name_len, password_len;

	if (!next_part(&p, end, 0xff, &name, &name_len))
		return;
	if (!next_part(&p, end, 0xff, &password, &password_len))
		password_len = 0, password = name;
	if (sasl_server_check_login(&callbacks, NULL, (const char *)name, name_len,
				    (const char *)password, password_len, user) == SASL_FAIL_NONE &&
	    strcmp(user, "user") != 0)
		abort();
}

static void run_saslprep(const uint8_t *p, size_t len)
{
	const char *error;
	char *out;
	size_t out_len;

	for (int kind = 0; kind <= 1; kind++) {
		if (saslprep((const char *)p, len, kind ? SASLPREP_STORED : SASLPREP_QUERY, &out,
			     &out_len, &error) == 0) {
			if (strlen(out) != out_len || !utf8_valid(out, out_len))
				abort();
			free(out);
		}
	}
}

/* Strict base64 has one encoding per byte string: decode-encode must give
 * the input back, and encode-decode the bytes. */
static void run_base64(const uint8_t *p, size_t len)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (sasl_base64_decode((const char *)p, len, &a) == 0) {
		sasl_base64_encode(a.data, a.len, &b);
		if (b.len != len || (len > 0 && memcmp(b.data, p, len) != 0))
			abort();
	}
	buf_reset(&a);
	buf_reset(&b);
	sasl_base64_encode(p, len, &a);
	if (sasl_base64_decode((const char *)a.data, a.len, &b) != 0 || b.len != len ||
	    (len > 0 && memcmp(b.data, p, len) != 0))
		abort();
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mechs[] = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
	const uint8_t *p, *end;
	uint8_t ctl;

	if (size == 0)
		return 0;
	init_once();
	ctl = data[0];
	p = data + 1;
	end = data + size;
	switch (ctl & 7) {
	case 0:
	case 1:
	case 2:
		run_server(mechs[ctl & 7], ctl, p, end);
		break;
	case 3:
		run_login_command(p, end);
		break;
	case 4:
		run_saslprep(p, size - 1);
		break;
	case 5:
		run_base64(p, size - 1);
		break;
	default:
		run_server("SCRAM-SHA-256", ctl, p, end);
		break;
	}
	return 0;
}
