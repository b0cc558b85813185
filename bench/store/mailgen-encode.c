/* mailgen-encode.c — the encodings generated mail uses: base64 bodies,
 * quoted-printable text, RFC 2047 encoded words, RFC 5322 dates. */
#include "mailgen-private.h"

#include <string.h>
#include <time.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* line_len 0: one unbroken line. */
void mailgen_base64(struct buf *out, const void *data, size_t len, size_t line_len)
{
	const unsigned char *p = data;
	size_t col = 0;

	buf_reserve(out, len / 3 * 4 + len / 57 * 2 + 8);
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		buf_append(out, q, 4);
		col += 4;
		if (line_len > 0 && col >= line_len && i + 3 < len) {
			buf_append_str(out, "\r\n");
			col = 0;
		}
	}
}

bool mailgen_has_8bit(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			return true;
	return false;
}

static bool qp_literal(unsigned char c)
{
	return (c >= 33 && c <= 126 && c != '=') || c == ' ';
}

void mailgen_qp(struct buf *out, const char *text, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		size_t need = qp_literal(c) ? 1 : 3;

		if (c == '\r' && i + 1 < len && text[i + 1] == '\n') {
			buf_append_str(out, "\r\n");
			i++;
			col = 0;
			continue;
		}
		/* Rule 3: a space before a line end must be encoded. */
		if (c == ' ' && (i + 1 == len || text[i + 1] == '\r'))
			need = 3;
		/* RFC 2045 6.7 rule 5: lines of at most 76 characters, the soft
		 * break "=" included. */
		if (col + need > 75) {
			buf_append_str(out, "=\r\n");
			col = 0;
		}
		if (need == 1) {
			buf_append_byte(out, c);
		} else {
			char q[3] = {'=', hex[c >> 4], hex[c & 15]};

			buf_append(out, q, 3);
		}
		col += need;
	}
}

void mailgen_encoded_word(struct buf *out, const char *text)
{
	buf_append_str(out, "=?UTF-8?B?");
	mailgen_base64(out, text, strlen(text), 0);
	buf_append_str(out, "?=");
}

void mailgen_date(struct buf *out, int64_t t, int tz)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t local = (time_t)(t + tz * 60);
	int atz = tz < 0 ? -tz : tz;
	struct tm tm;

	gmtime_r(&local, &tm);
	buf_printf(out, "%s, %d %s %d %02d:%02d:%02d %c%02d%02d", days[tm.tm_wday], tm.tm_mday,
		   months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		   tz < 0 ? '-' : '+', atz / 60, atz % 60);
}
