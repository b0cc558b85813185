/* deliver-headers.c — the trace header fields a delivery adds (RFC 5321
 * 4.4: Return-Path and Received; Delivered-To as Postfix and Dovecot
 * write it, which MTAs and filters use to detect loops). */
#include "deliver.h"

#include <string.h>
#include <time.h>

/* Printable ASCII only: these come from the network or a command line
 * and must not break the header (no CR, LF, NUL or 8-bit bytes). */
static void append_clean(struct buf *out, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_append_byte(out, c > 0x20 && c < 0x7f ? c : '?');
	}
}

static void append_date(struct buf *out, int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;
	char date[64];

	localtime_r(&t, &tm);
	/* RFC 5322 3.3 date-time; hafend never calls setlocale, so %a and %b
	 * are the English names the grammar wants. */
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	buf_append_str(out, date);
}

void deliver_headers_common(const struct deliver_envelope *env, struct buf *out)
{
	buf_append_str(out, "Return-Path: <");
	append_clean(out, env->sender, 256);
	buf_append_str(out, ">\r\nReceived: ");
	if (env->helo != NULL) {
		buf_append_str(out, "from ");
		append_clean(out, env->helo, 255);
		if (env->peer != NULL) {
			buf_append_str(out, " (");
			append_clean(out, env->peer, 64);
			buf_append_byte(out, ')');
		}
		buf_append_str(out, "\r\n\t");
	}
	buf_append_str(out, "by ");
	append_clean(out, env->hostname, 255);
	buf_append_str(out, " (hafen) with ");
	append_clean(out, env->protocol, 16);
	buf_append_str(out, " id ");
	append_clean(out, env->id, 64);
	if (env->for_rcpt != NULL) {
		buf_append_str(out, "\r\n\tfor <");
		append_clean(out, env->for_rcpt, 256);
		buf_append_byte(out, '>');
	}
	buf_append_str(out, "; ");
	append_date(out, env->now);
	buf_append_str(out, "\r\n");
}

void deliver_header_delivered_to(const char *rcpt, struct buf *out)
{
	buf_append_str(out, "Delivered-To: ");
	append_clean(out, rcpt, 256);
	buf_append_str(out, "\r\n");
}
