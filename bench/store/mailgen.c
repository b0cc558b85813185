/* mailgen.c — putting a message together: sizes, threads, the delivered
 * header block, a text body or a multipart/mixed with attachments. */
#include "mailgen-private.h"
#include "lib/mem.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ME_NAME      "Robin Hafen"
#define ME_ADDR      "robin@hafen.example"
#define START_TIME   1546819200 /* 2019-01-07 */
#define MEAN_GAP     1577.0     /* seconds: 100 000 messages over about five years */
#define MSG_SIZE_MIN 2048
#define MSG_SIZE_MAX (2 * 1024 * 1024)

struct attachment_type {
	const char *mime, *ext;
};

static const struct attachment_type attachment_types[] = {
	{"application/pdf", "pdf"},
	{"image/jpeg", "jpg"},
	{"image/png", "png"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	{"application/zip", "zip"},
};

/* The fixed text of the templates below, for mailgen_in_boilerplate(). */
static const char boilerplate[] =
	"Return-Path Delivered-To " ME_NAME " " ME_ADDR " Received: from mx. by mail.hafen.example"
	" (Postfix) with ESMTPS ESMTPSA id for unknown DKIM-Signature v=1; a=rsa-sha256;"
	" c=relaxed/relaxed; s=mail2024; h=from:to:cc:subject:date:message-id:mime-version:"
	"content-type; bh= b= From To Cc Subject Re: Fwd: Date Message-ID In-Reply-To References"
	" List-Id: Project discussion <project.lists.example.org> List-Unsubscribe:"
	" <mailto:project-leave@lists.example.org> Precedence: list User-Agent: Mozilla Thunderbird"
	" X-Mailer: Apple Mail MIME-Version: 1.0 Content-Type: text/plain; charset=utf-8"
	" Content-Transfer-Encoding: quoted-printable 7bit charset=us-ascii; format=flowed"
	" multipart/mixed boundary= This is a multi-part message in MIME format."
	" Content-Disposition: attachment; filename name base64 Hi Robin all Best regards,"
	" Thanks, Example Corp. On wrote: Authentication-Results: dkim=pass (2048-bit key)"
	" header.d= header.i= header.b= spf=pass domain of designates as permitted sender"
	" smtp.mailfrom= dmarc=pass (p=none dis=none) header.from= ARC-Seal: i=1; cv=none"
	" ARC-Message-Signature: ARC-Authentication-Results:";

static const int zones[] = {0, 60, 120, -300, -480, 330, 540, 60, 60, 120};

/* Everything decided about a message before it is written. */
struct plan {
	uint16_t from;
	struct mailgen_parent *parent; /* NULL: starts a thread */
	bool forward;
	bool list;
	int64_t date;
	int tz;
	size_t size;
	bool multipart;
	struct mailgen_parent self; /* what replies to it will need */
};

struct mailgen *mailgen_new(uint64_t seed)
{
	struct mailgen *g = xcalloc(1, sizeof(*g));

	bench_rand_seed(&g->rnd, seed);
	g->word_msgs = xcalloc(MAILGEN_VOCAB, sizeof(*g->word_msgs));
	g->word_last = xcalloc(MAILGEN_VOCAB, sizeof(*g->word_last));
	g->clock = START_TIME;
	mailgen_people_init(g);
	return g;
}

void mailgen_free(struct mailgen **gp)
{
	struct mailgen *g = *gp;

	if (g == NULL)
		return;
	free(g->word_msgs);
	free(g->word_last);
	buf_free(&g->text);
	buf_free(&g->scratch);
	free(g);
	*gp = NULL;
}

bool mailgen_in_boilerplate(const char *word)
{
	return strcasestr(boilerplate, word) != NULL || mailgen_people_mention(word);
}

uint32_t mailgen_count(const struct mailgen *g)
{
	return g->count;
}

static size_t clamp_size(double s)
{
	if (s < MSG_SIZE_MIN)
		return MSG_SIZE_MIN;
	return s > MSG_SIZE_MAX ? MSG_SIZE_MAX : (size_t)s;
}

static void make_subject(struct mailgen *g, struct mailgen_parent *self)
{
	unsigned n = 3 + bench_rand_below(&g->rnd, 7);
	struct buf b = BUF_INIT;

	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			buf_append_byte(&b, ' ');
		self->subject_ranks[self->nsubject++] = mailgen_emit_word(g, &b, i == 0);
	}
	snprintf(self->subject, sizeof(self->subject), "%s", buf_cstr(&b));
	buf_free(&b);
}

/* Replies take the parent's subject (its words count again) and extend
 * its References (RFC 5322 3.6.4), keeping the last few. */
static void inherit_thread(struct mailgen *g, struct plan *pl)
{
	const struct mailgen_parent *p = pl->parent;
	unsigned skip = p->nrefs + 1 > MAILGEN_REFS_MAX ? p->nrefs + 1 - MAILGEN_REFS_MAX : 0;

	memcpy(pl->self.subject, p->subject, sizeof(p->subject));
	memcpy(pl->self.subject_ranks, p->subject_ranks, sizeof(p->subject_ranks));
	pl->self.nsubject = p->nsubject;
	for (unsigned i = 0; i < p->nsubject; i++)
		mailgen_count_word(g, p->subject_ranks[i]);
	for (unsigned i = skip; i < p->nrefs; i++)
		memcpy(pl->self.refs[pl->self.nrefs++], p->refs[i], sizeof(p->refs[i]));
	memcpy(pl->self.refs[pl->self.nrefs++], p->msgid, sizeof(p->msgid));
}

static void make_plan(struct mailgen *g, struct plan *pl)
{
	struct bench_rand *r = &g->rnd;
	const char *dom;

	memset(pl, 0, sizeof(*pl));
	pl->from = (uint16_t)bench_rand_zipf(r, MAILGEN_PEOPLE);
	g->clock += 1 + (int64_t)(-MEAN_GAP * log(1.0 - bench_rand_unit(r)));
	pl->date = g->clock;
	pl->tz = zones[bench_rand_below(r, sizeof(zones) / sizeof(zones[0]))];
	pl->multipart = bench_rand_chance(r, 0.10);
	pl->size = pl->multipart ? clamp_size(bench_rand_lognormal(r, 150000, 1.1))
				 : clamp_size(bench_rand_lognormal(r, 9000, 0.85));
	pl->list = bench_rand_chance(r, 0.15);
	if (g->ring_count > 0 && bench_rand_chance(r, 0.4)) {
		uint32_t avail =
			g->ring_count < MAILGEN_THREAD_RING ? g->ring_count : MAILGEN_THREAD_RING;
		uint32_t back = bench_rand_zipf(r, avail);

		pl->parent = &g->ring[(g->ring_count - 1 - back) % MAILGEN_THREAD_RING];
		pl->forward = bench_rand_chance(r, 0.08);
	}
	if (pl->parent != NULL)
		inherit_thread(g, pl);
	else
		make_subject(g, &pl->self);
	dom = strchr(g->people[pl->from].addr, '@') + 1;
	snprintf(pl->self.msgid, sizeof(pl->self.msgid), "%08x%08x.%u@%s",
		 (unsigned)bench_rand_u64(r), (unsigned)pl->date, g->count, dom);
	pl->self.from = pl->from;
	pl->self.date = pl->date;
}

static void write_received(struct mailgen *g, struct buf *out, const struct plan *pl)
{
	const char *dom = strchr(g->people[pl->from].addr, '@') + 1;
	struct bench_rand *r = &g->rnd;

	buf_printf(out,
		   "Received: from mx.%s (mx.%s [203.0.113.%u])\r\n"
		   "\tby mail.hafen.example (Postfix) with ESMTPS id %08X%02X\r\n"
		   "\tfor <" ME_ADDR ">; ",
		   dom, dom, bench_rand_below(r, 254) + 1, (unsigned)bench_rand_u64(r),
		   bench_rand_below(r, 256));
	mailgen_date(out, pl->date + 4, 0);
	buf_printf(out,
		   "\r\nReceived: from [10.%u.%u.%u] (unknown [198.51.100.%u])\r\n"
		   "\tby mx.%s (Postfix) with ESMTPSA id %08X\r\n\t; ",
		   bench_rand_below(r, 256), bench_rand_below(r, 256), bench_rand_below(r, 256),
		   bench_rand_below(r, 254) + 1, dom, (unsigned)bench_rand_u64(r));
	mailgen_date(out, pl->date + 1, pl->tz);
	buf_append_str(out, "\r\n");
}

static void random_bytes(struct bench_rand *r, unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = bench_rand_u64(r);

		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* A signature the size and shape real ones have (RFC 6376 3.5). */
static void write_dkim(struct mailgen *g, struct buf *out, const struct plan *pl)
{
	unsigned char raw[256];
	struct buf sig = BUF_INIT;
	const char *dom = strchr(g->people[pl->from].addr, '@') + 1;

	random_bytes(&g->rnd, raw, 32);
	buf_printf(out,
		   "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\r\n"
		   "\ts=mail2024; t=%lld;\r\n"
		   "\th=from:to:cc:subject:date:message-id:mime-version:content-type;\r\n\tbh=",
		   dom, (long long)pl->date);
	mailgen_base64(out, raw, 32, 0);
	buf_append_str(out, ";\r\n\tb=");
	random_bytes(&g->rnd, raw, sizeof(raw));
	mailgen_base64(&sig, raw, sizeof(raw), 0);
	for (size_t i = 0; i < sig.len; i += 72) {
		if (i > 0)
			buf_append_str(out, "\r\n\t ");
		buf_append(out, sig.data + i, sig.len - i < 72 ? sig.len - i : 72);
	}
	buf_append_str(out, "\r\n");
	buf_free(&sig);
}

/* What the receiving server adds (RFC 8601), and on mail through a
 * forwarder an ARC set (RFC 8617): much of a real header's size. */
static void write_auth(struct mailgen *g, struct buf *out, const struct plan *pl)
{
	const struct mailgen_person *from = &g->people[pl->from];
	const char *dom = strchr(from->addr, '@') + 1;
	unsigned char raw[256];
	unsigned ip = bench_rand_below(&g->rnd, 254) + 1;
	struct buf sig = BUF_INIT;

	random_bytes(&g->rnd, raw, 6);
	buf_printf(out,
		   "Authentication-Results: mail.hafen.example;\r\n"
		   "\tdkim=pass (2048-bit key) header.d=%s header.i=@%s header.b=\"",
		   dom, dom);
	mailgen_base64(out, raw, 6, 0);
	buf_printf(out,
		   "\";\r\n\tspf=pass (mail.hafen.example: domain of %s designates 203.0.113.%u"
		   " as permitted sender) smtp.mailfrom=%s;\r\n"
		   "\tdmarc=pass (p=none dis=none) header.from=%s\r\n",
		   from->addr, ip, from->addr, dom);
	if (!bench_rand_chance(&g->rnd, 0.3))
		return;
	random_bytes(&g->rnd, raw, 64);
	buf_append_str(out,
		       "ARC-Seal: i=1; a=rsa-sha256; t=1; cv=none; d=lists.example.org;\r\n\tb=");
	mailgen_base64(out, raw, 64, 0);
	random_bytes(&g->rnd, raw, sizeof(raw));
	mailgen_base64(&sig, raw, sizeof(raw), 0);
	buf_append_str(out,
		       "\r\nARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed;"
		       " d=lists.example.org;\r\n\th=from:to:subject:date:message-id;\r\n\tb=");
	for (size_t i = 0; i < sig.len; i += 72) {
		if (i > 0)
			buf_append_str(out, "\r\n\t ");
		buf_append(out, sig.data + i, sig.len - i < 72 ? sig.len - i : 72);
	}
	buf_printf(out,
		   "\r\nARC-Authentication-Results: i=1; lists.example.org;\r\n"
		   "\tdkim=pass header.d=%s; spf=pass smtp.mailfrom=%s\r\n",
		   dom, from->addr);
	buf_free(&sig);
}

static void write_recipients(struct mailgen *g, struct buf *out, const char *field, unsigned n,
			     bool me_first)
{
	buf_printf(out, "%s: ", field);
	if (me_first)
		buf_append_str(out, ME_NAME " <" ME_ADDR ">");
	for (unsigned i = 0; i < n; i++) {
		if (i > 0 || me_first)
			buf_append_str(out, ",\r\n\t");
		mailgen_write_mailbox(out, &g->people[bench_rand_zipf(&g->rnd, MAILGEN_PEOPLE)]);
	}
	buf_append_str(out, "\r\n");
}

static void write_subject(struct buf *out, const struct plan *pl)
{
	const char *prefix = pl->parent == NULL ? "" : pl->forward ? "Fwd: " : "Re: ";
	const char *subj = pl->self.subject;

	buf_append_str(out, "Subject: ");
	buf_append_str(out, prefix);
	/* RFC 2047: a subject with non-ASCII words goes as encoded words. */
	if (mailgen_has_8bit(subj, strlen(subj)))
		mailgen_encoded_word(out, subj);
	else
		buf_append_str(out, subj);
	buf_append_str(out, "\r\n");
}

static void write_thread_fields(struct buf *out, const struct plan *pl)
{
	if (pl->parent == NULL)
		return;
	buf_printf(out, "In-Reply-To: <%s>\r\nReferences:", pl->parent->msgid);
	for (unsigned i = 0; i < pl->self.nrefs; i++)
		buf_printf(out, "%s<%s>", i ? "\r\n\t" : " ", pl->self.refs[i]);
	buf_append_str(out, "\r\n");
}

static void write_header(struct mailgen *g, struct buf *out, const struct plan *pl)
{
	const struct mailgen_person *from = &g->people[pl->from];
	struct bench_rand *r = &g->rnd;
	bool to_me = bench_rand_chance(r, 0.7);

	buf_printf(out, "Return-Path: <%s>\r\nDelivered-To: " ME_ADDR "\r\n", from->addr);
	write_received(g, out, pl);
	write_auth(g, out, pl);
	write_dkim(g, out, pl);
	buf_append_str(out, "From: ");
	mailgen_write_mailbox(out, from);
	buf_append_str(out, "\r\n");
	write_recipients(g, out, "To", to_me ? bench_rand_below(r, 3) : 1 + bench_rand_below(r, 3),
			 to_me);
	if (bench_rand_chance(r, 0.3))
		write_recipients(g, out, "Cc", 1 + bench_rand_below(r, 4), !to_me);
	write_subject(out, pl);
	buf_append_str(out, "Date: ");
	mailgen_date(out, pl->date, pl->tz);
	buf_printf(out, "\r\nMessage-ID: <%s>\r\n", pl->self.msgid);
	write_thread_fields(out, pl);
	if (pl->list)
		buf_append_str(out, "List-Id: Project discussion <project.lists.example.org>\r\n"
				    "List-Unsubscribe: <mailto:project-leave@lists.example.org>\r\n"
				    "Precedence: list\r\n");
	buf_append_str(out, bench_rand_chance(r, 0.5)
				    ? "User-Agent: Mozilla Thunderbird\r\n"
				    : "X-Mailer: Apple Mail (2.3774.500.171.1.1)\r\n");
	buf_append_str(out, "MIME-Version: 1.0\r\n");
}

/* The text a person writes: greeting, paragraphs, maybe the quoted
 * message they answer, closing and signature. CRLF, UTF-8, in g->text. */
static void compose_text(struct mailgen *g, const struct plan *pl, size_t target)
{
	struct buf *t = &g->text;
	const struct mailgen_person *from = &g->people[pl->from];
	bool quote = pl->parent != NULL && target > 1500 && bench_rand_chance(&g->rnd, 0.6);
	size_t own = quote ? target * 2 / 5 : target;

	buf_reset(t);
	buf_printf(t, "Hi %s,\r\n\r\n", bench_rand_chance(&g->rnd, 0.7) ? "Robin" : "all");
	mailgen_emit_text(g, t, own > 200 ? own - 120 : 80, "");
	buf_printf(t, "%s\r\n%s\r\n", bench_rand_chance(&g->rnd, 0.5) ? "Best regards," : "Thanks,",
		   mailgen_first_name(from));
	if (bench_rand_chance(&g->rnd, 0.4))
		buf_printf(t, "\r\n-- \r\n%s\r\nExample Corp. | +1 555 0100 %04u\r\n", from->name,
			   bench_rand_below(&g->rnd, 10000));
	if (quote) {
		buf_append_str(t, "\r\nOn ");
		mailgen_date(t, pl->parent->date, 0);
		buf_printf(t, ", %s wrote:\r\n", g->people[pl->parent->from].name);
		mailgen_emit_text(g, t, target > t->len + 80 ? target - t->len : 80, "> ");
	}
}

/* Content-Type and transfer encoding of the text, then the text. */
static void write_text_part(struct mailgen *g, struct buf *out)
{
	const struct buf *t = &g->text;

	if (mailgen_has_8bit((const char *)t->data, t->len)) {
		buf_append_str(out, "Content-Type: text/plain; charset=utf-8\r\n"
				    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		mailgen_qp(out, (const char *)t->data, t->len);
	} else {
		buf_append_str(out, "Content-Type: text/plain; charset=us-ascii; format=flowed\r\n"
				    "Content-Transfer-Encoding: 7bit\r\n\r\n");
		buf_append(out, t->data, t->len);
	}
}

static void write_attachment(struct mailgen *g, struct buf *out, const char *boundary,
			     size_t raw_len)
{
	const struct attachment_type *at = &attachment_types[bench_rand_below(
		&g->rnd, sizeof(attachment_types) / sizeof(attachment_types[0]))];
	char word[MAILGEN_WORD_MAX + 1];
	unsigned char *raw = xmalloc(raw_len + 8);

	mailgen_word(bench_rand_zipf(&g->rnd, 300) + 60, word);
	buf_printf(out, "\r\n--%s\r\nContent-Type: %s; name=\"%s-%u.%s\"\r\n", boundary, at->mime,
		   word, g->count, at->ext);
	/* Some mailers send non-ASCII file names in RFC 2231 form. */
	if (bench_rand_chance(&g->rnd, 0.1))
		buf_printf(out,
			   "Content-Disposition: attachment;\r\n"
			   " filename*=UTF-8''Gr%%C3%%BC%%C3%%9Fe-%u.%s\r\n",
			   g->count, at->ext);
	else
		buf_printf(out, "Content-Disposition: attachment; filename=\"%s-%u.%s\"\r\n", word,
			   g->count, at->ext);
	buf_append_str(out, "Content-Transfer-Encoding: base64\r\n\r\n");
	random_bytes(&g->rnd, raw, raw_len);
	mailgen_base64(out, raw, raw_len, 76);
	buf_append_str(out, "\r\n");
	free(raw);
}

static void write_multipart(struct mailgen *g, struct buf *out, const struct plan *pl)
{
	char boundary[48];
	size_t text_target = 300 + bench_rand_below(&g->rnd, 3000);
	unsigned n = bench_rand_chance(&g->rnd, 0.2) ? 2 : 1;
	size_t left;

	snprintf(boundary, sizeof(boundary), "=_hafen_%016llx",
		 (unsigned long long)bench_rand_u64(&g->rnd));
	buf_printf(out,
		   "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n"
		   "This is a multi-part message in MIME format.\r\n\r\n--%s\r\n",
		   boundary, boundary);
	compose_text(g, pl, text_target);
	write_text_part(g, out);
	left = pl->size > out->len + 600 ? pl->size - out->len - 600 : 1024;
	for (unsigned i = 0; i < n; i++)
		/* base64 with CRLF every 76: 78 bytes per 57 raw */
		write_attachment(g, out, boundary, left / n * 57 / 78);
	buf_printf(out, "\r\n--%s--\r\n", boundary);
}

static void remember(struct mailgen *g, const struct plan *pl)
{
	g->ring[g->ring_count % MAILGEN_THREAD_RING] = pl->self;
	g->ring_count++;
}

void mailgen_next(struct mailgen *g, struct buf *out, struct mailgen_msg *info_r)
{
	struct plan pl;

	buf_reset(out);
	make_plan(g, &pl);
	write_header(g, out, &pl);
	if (pl.multipart) {
		write_multipart(g, out, &pl);
	} else {
		compose_text(g, &pl, pl.size > out->len + 150 ? pl.size - out->len - 150 : 200);
		write_text_part(g, out);
	}
	remember(g, &pl);
	g->sender_msgs[pl.from]++;
	g->surname_msgs[g->people[pl.from].surname]++;
	g->count++;
	info_r->size = out->len;
	info_r->multipart = pl.multipart;
	info_r->seen = bench_rand_chance(&g->rnd, 0.85);
	info_r->date = pl.date;
	info_r->tz_offset = pl.tz;
}
