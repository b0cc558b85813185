/* imap-output.c — how a session writes names, flags and capabilities in
 * the form its client asked for. */
#include "imap-commands.h"
#include "imap-session.h"
#include "server/worker.h"
#include "auth/sasl-server.h"
#include "imap/imap-utf7.h"
#include "imap/imap-write.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "net/conn.h"
#include "store/store.h"

#include <string.h>

static bool utf8_names(const struct imap_session *s)
{
	/* RFC 9051 5.1: IMAP4rev2 and UTF8=ACCEPT mean UTF-8 mailbox names. */
	return (s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) != 0;
}

void session_write_mailbox(struct imap_session *s, struct buf *out, const char *utf8_name)
{
	struct buf enc = BUF_INIT;
	const char *error;

	if (utf8_names(s)) {
		imap_write_astring(out, utf8_name, IMAP_WRITE_UTF8);
		return;
	}
	if (imap_utf7_encode(utf8_name, strlen(utf8_name), &enc, &error) < 0)
		buf_append_str(&enc, utf8_name); /* the store only holds valid UTF-8 */
	imap_write_astring(out, buf_cstr(&enc), 0);
	buf_free(&enc);
}

int session_read_mailbox(struct imap_session *s, const char *wire, char **utf8_r)
{
	struct buf dec = BUF_INIT;
	const char *error;
	size_t len = strlen(wire);

	if (utf8_names(s)) {
		if (!utf8_valid(wire, len)) {
			session_tagged(s, IMAP_COND_BAD, NULL, "Mailbox name is not valid UTF-8");
			return -1;
		}
		*utf8_r = xstrdup(wire);
		return 0;
	}
	/* RFC 3501 5.1.3: 8-bit names are not allowed; strict modified UTF-7. */
	if (imap_utf7_decode(wire, len, &dec, &error) < 0) {
		buf_free(&dec);
		session_tagged(s, IMAP_COND_NO, "CANNOT",
			       "Mailbox name is not valid modified UTF-7: %s", error);
		return -1;
	}
	*utf8_r = buf_detach(&dec, NULL);
	return 0;
}

void session_write_flags(struct buf *out, unsigned flags, const char *keywords, bool recent)
{
	static const struct {
		unsigned bit;
		const char *name;
	} sys[] = {
		{STORE_FLAG_SEEN, "\\Seen"},       {STORE_FLAG_ANSWERED, "\\Answered"},
		{STORE_FLAG_FLAGGED, "\\Flagged"}, {STORE_FLAG_DELETED, "\\Deleted"},
		{STORE_FLAG_DRAFT, "\\Draft"},
	};
	bool first = true;

	buf_append_byte(out, '(');
	for (size_t i = 0; i < HF_N_ELEMENTS(sys); i++) {
		if (!(flags & sys[i].bit))
			continue;
		if (!first)
			buf_append_byte(out, ' ');
		buf_append_str(out, sys[i].name);
		first = false;
	}
	if (recent) {
		if (!first)
			buf_append_byte(out, ' ');
		buf_append_str(out, "\\Recent");
		first = false;
	}
	if (keywords != NULL && keywords[0] != '\0') {
		if (!first)
			buf_append_byte(out, ' ');
		buf_append_str(out, keywords);
	}
	buf_append_byte(out, ')');
}

static void auth_mechanisms(struct imap_session *s, struct buf *out)
{
	const struct sasl_mech_info *m;

	for (size_t i = 0; (m = sasl_server_mech_at(i)) != NULL; i++) {
		if (m->plaintext && !s->secure)
			continue;
		buf_printf(out, " AUTH=%s", m->name);
	}
}

void session_capabilities(struct imap_session *s, struct buf *out)
{
	buf_append_str(out, "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ENABLE ID IDLE UNSELECT");
	if (s->state == IMAP_STATE_NOT_AUTH) {
		if (s->w->tls != NULL && !s->tls && conn_peer_ip(s->conn)[0] != '\0')
			buf_append_str(out, " STARTTLS");
		/* RFC 9051 6.2.3: no plaintext login before TLS except locally. */
		if (!s->secure)
			buf_append_str(out, " LOGINDISABLED");
		auth_mechanisms(s, out);
		return;
	}
	/* ENABLE UTF8=ACCEPT is valid only after login (RFC 9755 section 3). */
	buf_append_str(out, " UTF8=ACCEPT");
	caps_list(s, out);
	caps_compress(s, out);
	caps_select(s, out);
	caps_fetch(s, out);
	caps_search(s, out);
	caps_append(s, out);
	caps_quota(s, out);
	caps_notify(s, out);
}

void session_write_mailbox_attrs(struct buf *out, const struct store_mailbox *mb, bool children)
{
	buf_append_byte(out, '(');
	if (mb->noselect)
		buf_append_str(out, "\\Noselect ");
	buf_append_str(out, children ? "\\HasChildren" : "\\HasNoChildren");
	if (mb->special_use != 0) {
		buf_append_byte(out, ' ');
		store_special_use_write(mb->special_use, out);
	}
	buf_append_byte(out, ')');
}

static int note_child(void *ctx, const struct store_mailbox *mb)
{
	(void)mb;
	*(bool *)ctx = true;
	return 1;
}

bool session_mailbox_has_children(struct imap_session *s, const char *name)
{
	struct buf pattern = BUF_INIT;
	bool found = false;

	buf_printf(&pattern, "%s/%%", name);
	store_mailbox_list(session_store(s), buf_cstr(&pattern), note_child, &found);
	buf_free(&pattern);
	return found;
}
