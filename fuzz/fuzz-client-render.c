/* fuzz-client-render.c — hostile mail through what "hafen read", "hafen
 * attachment" and "hafen reply" do with it: the text part chosen and
 * converted (HTML as text, charsets), every attachment decoded, header
 * fields decoded, envelope addresses read. Nothing may crash, hang, read
 * outside the input or leak.
 *
 * src/client is not part of libhafen, so its sources are built in. */
#include "client/cli/addrlist.c"
#include "client/cli/html-text.c"
#include "client/cli/render.c"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = {"From", "To", "Cc", "Subject", "Date", "Reply-To"};
	struct buf out = BUF_INIT, addrs = BUF_INIT;
	struct render r;
	const char *err;

	render_open(&r, data, size);
	render_text(&r, &out);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		render_header(&r, fields[i], &out);
		buf_reset(&out);
		render_header_raw(&r, fields[i], &out);
		(void)addrlist_parse((const char *)out.data, out.len, &addrs);
	}
	for (size_t n = 0; n <= r.natt + 1; n++) {
		buf_reset(&out);
		(void)render_attachment_data(&r, n, &out, &err);
	}
	render_close(&r);
	buf_reset(&out);
	html_to_text((const char *)data, size, &out);
	buf_free(&out);
	buf_free(&addrs);
	return 0;
}
