/* compose.c — templates, building messages and envelopes (compose.h). */
#include "compose.h"

#include "addrlist.h"
#include "lib/arena.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "mime/mime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void draft_free(struct draft *d)
{
	struct buf *all[] = {&d->from,        &d->to,         &d->cc,   &d->bcc,   &d->subject,
			     &d->in_reply_to, &d->references, &d->body, &d->attach};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		buf_free(all[i]);
}

static const struct {
	const char *name;
	size_t offset;
} fields[] = {
	{"From", offsetof(struct draft, from)},
	{"To", offsetof(struct draft, to)},
	{"Cc", offsetof(struct draft, cc)},
	{"Bcc", offsetof(struct draft, bcc)},
	{"Subject", offsetof(struct draft, subject)},
	{"In-Reply-To", offsetof(struct draft, in_reply_to)},
	{"References", offsetof(struct draft, references)},
};

static struct buf *field(struct draft *d, size_t i)
{
	return (struct buf *)((char *)d + fields[i].offset);
}

void compose_template(const struct draft *d, struct buf *out)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct buf *b = field((struct draft *)d, i);

		/* Threading fields only when there are any. */
		if (i >= 5 && b->len == 0)
			continue;
		buf_printf(out, "%s: %s\n", fields[i].name, buf_cstr(b));
	}
	buf_append_byte(out, '\n');
	buf_append(out, d->body.data, d->body.len);
}

static void set_field(struct draft *d, const char *name, size_t nlen, const char *v, size_t vlen)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (str_eq_ci_n(name, nlen, fields[i].name)) {
			struct buf *b = field(d, i);

			buf_reset(b);
			while (vlen > 0 && ascii_isspace((unsigned char)*v)) {
				v++;
				vlen--;
			}
			while (vlen > 0 && ascii_isspace((unsigned char)v[vlen - 1]))
				vlen--;
			buf_append(b, v, vlen);
			buf_cstr(b);
			return;
		}
	}
}

int compose_parse(const char *text, size_t len, struct draft *d, const char **error_r)
{
	const char *p = text, *end = text + len;
	struct buf value = BUF_INIT;
	const char *name = NULL;
	size_t nlen = 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		buf_reset(field(d, i));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *colon;

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && (p[0] == ' ' || p[0] == '\t') && name != NULL) {
			buf_append_byte(&value, ' ');
			buf_append(&value, p, n);
		} else {
			if (name != NULL)
				set_field(d, name, nlen, (char *)value.data, value.len);
			buf_reset(&value);
			name = NULL;
			if (n == 0) {
				p = nl ? nl + 1 : end;
				break;
			}
			colon = memchr(p, ':', n);
			if (colon == NULL) {
				buf_free(&value);
				*error_r =
					"the header lines must come first, then an empty line, then"
					" the text";
				return -1;
			}
			name = p;
			nlen = (size_t)(colon - p);
			buf_append(&value, colon + 1, n - nlen - 1);
		}
		p = nl ? nl + 1 : end;
	}
	if (name != NULL)
		set_field(d, name, nlen, (char *)value.data, value.len);
	buf_free(&value);
	buf_reset(&d->body);
	buf_append(&d->body, p, (size_t)(end - p));
	return 0;
}

/* ---- building ---- */

/* RFC 2047 "B" encoded words of at most 75 characters each. */
static void encoded_words(struct buf *out, const char *s, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;

	while (i < n) {
		size_t take = n - i > 42 ? 42 : n - i;

		/* Never split a UTF-8 sequence between two words. */
		while (take > 1 && i + take < n && ((unsigned char)s[i + take] & 0xc0) == 0x80)
			take--;
		if (i > 0)
			buf_append_str(out, "\r\n ");
		buf_append_str(out, "=?UTF-8?B?");
		for (size_t k = 0; k < take; k += 3) {
			unsigned v = (unsigned char)s[i + k] << 16;
			size_t left = take - k;

			if (left > 1)
				v |= (unsigned char)s[i + k + 1] << 8;
			if (left > 2)
				v |= (unsigned char)s[i + k + 2];
			buf_append_byte(out, b64[(v >> 18) & 63]);
			buf_append_byte(out, b64[(v >> 12) & 63]);
			buf_append_byte(out, left > 1 ? b64[(v >> 6) & 63] : '=');
			buf_append_byte(out, left > 2 ? b64[v & 63] : '=');
		}
		buf_append_str(out, "?=");
		i += take;
	}
}

/* An unstructured value: as it is when ASCII, else encoded words. */
static void put_text_field(struct buf *out, const char *name, const struct buf *v)
{
	if (v->len == 0)
		return;
	buf_printf(out, "%s: ", name);
	if (str_is_ascii7(v->data, v->len))
		buf_append(out, v->data, v->len);
	else
		encoded_words(out, (const char *)v->data, v->len);
	buf_append_str(out, "\r\n");
}

/* An address list: non-ASCII display names become encoded words, the
 * addresses stay as they are. */
static void put_address_field(struct buf *out, const char *name, const struct buf *v)
{
	const char *p = (const char *)v->data, *end = p + v->len;

	if (v->len == 0)
		return;
	buf_printf(out, "%s: ", name);
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		const char *lt = memchr(p, '<', (size_t)(e - p));

		if (lt != NULL && !str_is_ascii7(p, (size_t)(lt - p))) {
			const char *s = p, *t = lt;

			while (s < t && ascii_isspace((unsigned char)*s))
				s++;
			buf_append(out, p, (size_t)(s - p)); /* keep ", " as it was */
			while (t > s && ascii_isspace((unsigned char)t[-1]))
				t--;
			if (t > s + 1 && *s == '"' && t[-1] == '"') {
				s++;
				t--;
			}
			encoded_words(out, s, (size_t)(t - s));
			buf_append_byte(out, ' ');
			buf_append(out, lt, (size_t)(e - lt));
		} else {
			buf_append(out, p, (size_t)(e - p));
		}
		if (comma != NULL)
			buf_append_byte(out, ',');
		p = comma ? comma + 1 : end;
	}
	buf_append_str(out, "\r\n");
}

static void random_token(char *out, size_t n)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[32];

	if (n > sizeof(rnd))
		n = sizeof(rnd);
	if (getrandom(rnd, n, 0) != (ssize_t)n)
		memset(rnd, 7, n);
	for (size_t i = 0; i + 1 < n; i++)
		out[i] = alnum[rnd[i] % 36];
	out[n - 1] = '\0';
}

static void put_date(struct buf *out)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	buf_printf(out, "Date: %s\r\n", date);
}

/* A Message-ID in the sender's domain (RFC 5322 3.6.4). */
static void put_message_id(struct buf *out, const char *from)
{
	const char *at = strrchr(from, '@');
	struct buf domain = BUF_INIT;
	char token[25];

	for (const char *p = at ? at + 1 : "hafen.invalid";
	     *p && *p != '>' && *p != ' ' && *p != '\n'; p++)
		buf_append_byte(&domain, (unsigned char)*p);
	random_token(token, sizeof(token));
	buf_printf(out, "Message-ID: <%s.%lld@%s>\r\n", token, (long long)time(NULL),
		   domain.len ? buf_cstr(&domain) : "hafen.invalid");
	buf_free(&domain);
}

static void put_date_and_id(struct buf *out, const char *from)
{
	put_date(out);
	put_message_id(out, from);
}

/* Quoted-printable (RFC 2045 6.7) for text that is not plain short ASCII. */
static void put_qp(struct buf *out, const unsigned char *s, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		bool last_on_line = i + 1 == n || s[i + 1] == '\n';

		if (c == '\n') {
			buf_append_str(out, "\r\n");
			col = 0;
			continue;
		}
		if (col >= 72) {
			buf_append_str(out, "=\r\n");
			col = 0;
		}
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !last_on_line)) {
			buf_append_byte(out, c);
			col++;
		} else {
			buf_printf(out, "=%02X", c);
			col += 3;
		}
	}
}

static bool needs_qp(const struct buf *b)
{
	size_t line = 0;

	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\n') {
			line = 0;
			continue;
		}
		if (b->data[i] >= 0x80 || ++line > 900)
			return true;
	}
	return false;
}

static void put_text_part(struct buf *out, const struct buf *body)
{
	bool qp = needs_qp(body);

	buf_printf(out,
		   "Content-Type: text/plain; charset=utf-8\r\n"
		   "Content-Transfer-Encoding: %s\r\n\r\n",
		   qp ? "quoted-printable" : "7bit");
	if (qp) {
		put_qp(out, body->data, body->len);
	} else {
		for (size_t i = 0; i < body->len; i++) {
			if (body->data[i] == '\n')
				buf_append_byte(out, '\r');
			if (body->data[i] != '\r')
				buf_append_byte(out, body->data[i]);
		}
	}
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		buf_append_str(out, "\r\n");
}

void compose_build(const struct draft *d, struct buf *out)
{
	char boundary[25];

	put_address_field(out, "From", &d->from);
	put_address_field(out, "To", &d->to);
	put_address_field(out, "Cc", &d->cc);
	/* Bcc stays in the built message so the envelope can be read from it;
	 * compose_prepare_send() takes it out of what is sent and kept. */
	put_address_field(out, "Bcc", &d->bcc);
	put_text_field(out, "Subject", &d->subject);
	put_date_and_id(out, (const char *)d->from.data ? (const char *)d->from.data : "");
	if (d->in_reply_to.len > 0)
		buf_printf(out, "In-Reply-To: %.*s\r\n", (int)d->in_reply_to.len,
			   d->in_reply_to.data);
	if (d->references.len > 0)
		buf_printf(out, "References: %.*s\r\n", (int)d->references.len, d->references.data);
	buf_append_str(out, "MIME-Version: 1.0\r\nUser-Agent: hafen\r\n");
	if (d->attach.len == 0) {
		put_text_part(out, &d->body);
		return;
	}
	random_token(boundary, sizeof(boundary));
	buf_printf(out, "Content-Type: multipart/mixed; boundary=\"=_%s\"\r\n\r\n", boundary);
	buf_printf(out, "--=_%s\r\n", boundary);
	put_text_part(out, &d->body);
	buf_printf(out,
		   "--=_%s\r\nContent-Type: message/rfc822\r\n"
		   "Content-Disposition: inline\r\n\r\n",
		   boundary);
	buf_append(out, d->attach.data, d->attach.len);
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		buf_append_str(out, "\r\n");
	buf_printf(out, "--=_%s--\r\n", boundary);
}

/* ---- the editor ---- */

int compose_edit(struct buf *text, const char **error_r)
{
	static __thread char errbuf[256];
	char path[] = "/tmp/hafen-draft-XXXXXX";
	const char *editor = getenv("VISUAL");
	struct buf cmd = BUF_INIT;
	int fd = mkstemp(path), status, ret = -1;
	FILE *f;

	if (editor == NULL || editor[0] == '\0')
		editor = getenv("EDITOR");
	if (editor == NULL || editor[0] == '\0')
		editor = "vi";
	if (fd < 0 || write(fd, text->data, text->len) != (ssize_t)text->len) {
		*error_r = "cannot write the draft file";
		if (fd >= 0)
			close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	buf_printf(&cmd, "%s '%s'", editor, path);
	status = system(buf_cstr(&cmd));
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    (f = fopen(path, "re")) != NULL) {
		char chunk[4096];
		size_t n;

		buf_reset(text);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(text, chunk, n);
		fclose(f);
		ret = 0;
	} else {
		snprintf(errbuf, sizeof(errbuf), "the editor (%s) failed; nothing was sent",
			 editor);
		*error_r = errbuf;
	}
	unlink(path);
	buf_free(&cmd);
	return ret;
}

/* ---- sending a finished message ---- */

static void field_addresses(const struct mime_part *root, const char *name, struct buf *env,
			    size_t *n)
{
	const struct mime_field *f = mime_part_find_field(root, name);
	struct buf unfolded = BUF_INIT;

	if (f == NULL)
		return;
	mime_value_unfold(f->raw + f->value_offset, f->raw_len - f->value_offset, &unfolded);
	*n += addrlist_parse((const char *)unfolded.data, unfolded.len, env);
	buf_free(&unfolded);
}

/* The message without its Bcc field(s), CRLF line ends. */
static void copy_without_bcc(const struct mime_message *msg, const char *data, size_t len,
			     struct buf *out)
{
	const struct mime_part *root = mime_message_root(msg);
	struct mime_part_info info;

	mime_part_get_info(root, &info);
	for (size_t i = 0; i < mime_part_field_count(root); i++) {
		const struct mime_field *f = mime_part_field(root, i);

		if (!str_eq_ci_n(f->name, f->name_len, "Bcc"))
			buf_append(out, f->raw, f->raw_len);
	}
	buf_append_str(out, "\r\n");
	if (info.body_offset < len)
		buf_append(out, data + info.body_offset, len - (size_t)info.body_offset);
}

int compose_prepare_send(const void *data, size_t len, struct buf *out, struct buf *envelope,
			 const char **error_r)
{
	struct arena *a = arena_new(0);
	struct mime_message *msg = mime_parse(a, data, len, NULL);
	const struct mime_part *root = mime_message_root(msg);
	struct buf from = BUF_INIT;
	size_t nfrom = 0, nrcpt = 0;
	int ret = 0;

	field_addresses(root, "From", &from, &nfrom);
	field_addresses(root, "To", envelope, &nrcpt);
	field_addresses(root, "Cc", envelope, &nrcpt);
	field_addresses(root, "Bcc", envelope, &nrcpt);
	if (nfrom == 0 || nrcpt == 0) {
		*error_r = nfrom == 0 ? "the message has no From address"
				      : "the message has no recipient";
		ret = -1;
	} else {
		/* The sender first: "from\nrcpt\n...". */
		struct buf env = BUF_INIT;
		const char *nl = memchr(from.data, '\n', from.len);

		buf_append(&env, from.data, (size_t)(nl - (const char *)from.data) + 1);
		buf_append(&env, envelope->data, envelope->len);
		buf_free(envelope);
		*envelope = env;
		if (mime_part_find_field(root, "Date") == NULL)
			put_date(out);
		if (mime_part_find_field(root, "Message-ID") == NULL)
			put_message_id(out, buf_cstr(&from));
		copy_without_bcc(msg, data, len, out);
	}
	buf_free(&from);
	arena_free(&a);
	return ret;
}
