/* fuzz-auth-sasl-client.c — the SASL client (what `hafen` runs against
 * any IMAP server) fed hostile server challenges.
 *
 * Input: one control byte, then the server's challenges. Bits 0-1 pick
 * the mechanism (0 and 3 SCRAM-SHA-256, 1 PLAIN, 2 LOGIN); bit 3 reads
 * base64 lines separated by '\n' instead of raw challenges separated by
 * 0xff; bit 4 sends an initial response first; bit 5 hands the last part
 * to sasl_client_finish() as success data. The client nonce is fixed
 * ("abc"), the user is "user" with password "pencil". Inputs that ask for
 * more than 20000 PBKDF2 iterations are skipped to keep runs fast. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl-client-private.h"
#include "lib/buf.h"
#include "lib/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool too_many_iterations(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 2 < size; i++) {
		uint64_t v = 0;
		size_t j = i + 2;

		if (data[i] != 'i' || data[i + 1] != '=')
			continue;
		while (j < size && ascii_isdigit(data[j]) && v <= 20000)
			v = v * 10 + (data[j++] - '0');
		if (v > 20000)
			return true;
	}
	return false;
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mechs[] = {"SCRAM-SHA-256", "PLAIN", "LOGIN", "SCRAM-SHA-256"};
	struct sasl_client_settings set = {
		.authcid = "user", .password = "pencil", .password_len = 6};
	const uint8_t *p, *end, *part;
	const unsigned char *out;
	struct sasl_client *c;
	struct buf line = BUF_INIT;
	const char *error;
	size_t len, out_len;
	uint8_t ctl;
	bool b64;
	int ret = 0;

	if (size == 0 || too_many_iterations(data, size))
		return 0;
	ctl = data[0];
	b64 = (ctl & 0x08) != 0;
	p = data + 1;
	end = data + size;
	c = sasl_client_new(mechs[ctl & 3], &set, &error);
	if (c == NULL)
		abort();
	if (strcmp(mechs[ctl & 3], "SCRAM-SHA-256") == 0)
		sasl_client_scram_set_nonce(c, "abc");
	if ((ctl & 0x10) != 0)
		(void)sasl_client_initial(c, &out, &out_len);
	while (ret == 0 && next_part(&p, end, b64 ? '\n' : 0xff, &part, &len)) {
		if (p == NULL && (ctl & 0x20) != 0) {
			(void)sasl_client_finish(c, part, len, &error);
			break;
		}
		buf_reset(&line);
		if (b64)
			ret = sasl_client_step_base64(c, (const char *)part, len, &line, &error);
		else
			ret = sasl_client_step(c, part, len, &out, &out_len, &error);
	}
	(void)sasl_client_finish(c, NULL, 0, &error);
	buf_free(&line);
	sasl_client_free(&c);
	return 0;
}
