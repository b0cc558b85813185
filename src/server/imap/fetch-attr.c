/* fetch-attr.c — the FETCH data items that are not body data, all answered
 * from the message's database row: FLAGS, INTERNALDATE, RFC822.SIZE, UID,
 * the cached ENVELOPE, BODY and BODYSTRUCTURE text (written as stored),
 * MODSEQ (RFC 7162), EMAILID and THREADID (RFC 8474), SAVEDATE (RFC 8514)
 * and PREVIEW (RFC 8970). */
#include "fetch-private.h"
#include "imap-selected.h"
#include "imap/imap-date.h"
#include "imap/imap-write.h"

#include <string.h>

/* What a message row lacks only if the plan forgot to ask for it: answer
 * with valid syntax rather than crash (RFC 2180 4.1.3 "NIL" forms). */
static const char nil_envelope[] = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";
static const char nil_body[] = "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)";

static unsigned write_flags(const struct imap_session *s)
{
	/* RFC 9051 and RFC 6855: UTF-8 may go in quoted strings. */
	return (s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) ? IMAP_WRITE_UTF8 : 0;
}

static void write_datetime(struct buf *out, int64_t t, int zone)
{
	struct imap_datetime dt;

	if (!imap_datetime_from_unix(t, zone, &dt))
		(void)imap_datetime_from_unix(0, 0, &dt);
	imap_datetime_write(out, &dt);
}

void fetch_attr_flags(struct imap_session *s, struct buf *out, const struct store_msg *m)
{
	/* \Recent exists for IMAP4rev1 clients only (RFC 9051 appendix E). */
	bool recent = !session_rev2(s) && rangeset_contains(&s->sel->recent, m->uid);

	buf_append_str(out, "FLAGS ");
	session_write_flags(out, m->flags, m->keywords, recent);
}

void fetch_attr_modseq(struct buf *out, const struct store_msg *m)
{
	buf_printf(out, "MODSEQ (%llu)", (unsigned long long)m->modseq);
}

static void write_objectid(struct buf *out, const char *name, const char *id)
{
	/* RFC 8474 5.1, 5.2: "(" objectid ")", or NIL for no thread. */
	if (id == NULL || id[0] == '\0')
		buf_printf(out, "%s NIL", name);
	else
		buf_printf(out, "%s (%s)", name, id);
}

static void write_cached(struct buf *out, const char *name, const char *text, const char *nil)
{
	buf_append_str(out, name);
	buf_append_byte(out, ' ');
	buf_append_str(out, text != NULL ? text : nil);
}

void fetch_attr_write(struct imap_session *s, struct buf *out, const struct fetch_item *it,
		      const struct store_msg *m)
{
	switch (it->req->kind) {
	case IMAP_FETCH_FLAGS:
		fetch_attr_flags(s, out, m);
		break;
	case IMAP_FETCH_INTERNALDATE:
		buf_append_str(out, "INTERNALDATE ");
		write_datetime(out, m->internaldate, m->tz_offset);
		break;
	case IMAP_FETCH_RFC822_SIZE:
		buf_printf(out, "RFC822.SIZE %llu", (unsigned long long)m->size);
		break;
	case IMAP_FETCH_UID:
		buf_printf(out, "UID %u", m->uid);
		break;
	case IMAP_FETCH_ENVELOPE:
		write_cached(out, "ENVELOPE", m->envelope, nil_envelope);
		break;
	case IMAP_FETCH_BODY:
		write_cached(out, "BODY", m->body, nil_body);
		break;
	case IMAP_FETCH_BODYSTRUCTURE:
		write_cached(out, "BODYSTRUCTURE", m->bodystructure, nil_body);
		break;
	case IMAP_FETCH_MODSEQ:
		fetch_attr_modseq(out, m);
		break;
	case IMAP_FETCH_EMAILID:
		write_objectid(out, "EMAILID", m->emailid);
		break;
	case IMAP_FETCH_THREADID:
		write_objectid(out, "THREADID", m->threadid);
		break;
	case IMAP_FETCH_SAVEDATE:
		/* RFC 8514 4.2: NIL when the mailbox does not keep save dates. */
		buf_append_str(out, "SAVEDATE ");
		if (m->savedate == 0)
			buf_append_str(out, "NIL");
		else
			write_datetime(out, m->savedate, 0);
		break;
	case IMAP_FETCH_PREVIEW:
		/* RFC 8970 3.2: the preview, "" when the message has no text. */
		buf_append_str(out, "PREVIEW ");
		if (m->preview == NULL)
			buf_append_str(out, "NIL");
		else
			imap_write_string(out, m->preview, strlen(m->preview), write_flags(s));
		break;
	default:
		break; /* body data: fetch-body.c */
	}
}
