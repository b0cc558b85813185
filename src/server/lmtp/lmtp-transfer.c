/* lmtp-transfer.c — the message: DATA (RFC 5321 4.1.1.4, dot-unstuffed by
 * lmtp-data.c) or BDAT chunks (RFC 3030), then the delivery with one
 * reply per accepted recipient in RCPT order (RFC 2033 4.2), each sent
 * only once that recipient's copy is durable. A chunk is always read to
 * its end, also when it is refused, so the stream stays in step. */
#include "lmtp-private.h"
#include "server/deliver/deliver-batch.h"
#include "server/user-store.h"
#include "server/worker.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

void lmtp_data_begin(struct lmtp_session *s)
{
	buf_reset(&s->msg);
	lmtp_data_init(&s->data, &s->msg, s->w->cfg->lmtp_max_message_size);
	s->state = LMTP_STATE_DATA;
	lmtp_reply(s, "354 Start mail input; end with <CRLF>.<CRLF>");
}

static void make_id(struct lmtp_session *s, char *id, size_t size)
{
	static unsigned counter;

	snprintf(id, size, "%llx.%x.%x", (unsigned long long)time(NULL), (unsigned)getpid(),
		 ++counter);
	s->transactions++;
}

static void reply_result(struct lmtp_session *s, const struct lmtp_rcpt *r, enum deliver_result res,
			 const char *id)
{
	switch (res) {
	case DELIVER_OK:
		lmtp_reply(s, "250 2.0.0 <%s> %s Saved", r->address, id);
		break;
	case DELIVER_OVERQUOTA:
		if (s->w->cfg->lmtp_quota_tempfail)
			lmtp_reply(s, "452 4.2.2 <%s> Mailbox full", r->address);
		else
			lmtp_reply(s, "552 5.2.2 <%s> Mailbox full", r->address);
		break;
	case DELIVER_TOOBIG:
		lmtp_reply(s, "552 5.3.4 <%s> Message too big", r->address);
		break;
	case DELIVER_TEMPFAIL:
		lmtp_reply(s, "451 4.3.0 <%s> Temporary failure, try again later", r->address);
		break;
	}
}

static void deliver_all(struct lmtp_session *s, bool too_big)
{
	struct deliver_envelope env = {
		.sender = s->sender,
		.helo = s->helo,
		.peer = s->peer_ip,
		.protocol = "LMTP",
		.hostname = s->w->cfg->hostname,
		.now = (int64_t)time(NULL),
	};
	struct deliver_message *m;
	struct deliver_job *jobs;
	char id[64];

	if (too_big) {
		for (size_t i = 0; i < s->rcpt_count; i++)
			reply_result(s, &s->rcpts[i], DELIVER_TOOBIG, "");
		lmtp_transaction_reset(s);
		return;
	}
	make_id(s, id, sizeof(id));
	env.id = id;
	env.for_rcpt = s->rcpt_count == 1 ? s->rcpts[0].address : NULL;
	m = deliver_message_new(&env, s->msg.data, s->msg.len);
	/* The handles are fetched here, on the loop's thread (that may reopen
	 * one); then the copies for distinct users are written side by side,
	 * and the replies go out in RCPT order once all are durable. */
	jobs = xcalloc(s->rcpt_count, sizeof(*jobs));
	for (size_t i = 0; i < s->rcpt_count; i++) {
		jobs[i].store = user_store_store(s->rcpts[i].ustore);
		jobs[i].rcpt = s->rcpts[i].address;
		jobs[i].mailbox = s->rcpts[i].mailbox;
	}
	deliver_batch_run(m, jobs, s->rcpt_count);
	for (size_t i = 0; i < s->rcpt_count; i++) {
		struct lmtp_rcpt *r = &s->rcpts[i];

		if (jobs[i].result == DELIVER_OK)
			log_info("lmtp %s: %s: saved to %s/%s (%zu bytes)", s->peer, id,
				 user_store_name(r->ustore), jobs[i].mailbox_used,
				 deliver_message_size(m));
		else
			log_warn("lmtp %s: %s: <%s> not delivered: %s", s->peer, id, r->address,
				 jobs[i].error);
		reply_result(s, r, jobs[i].result, id);
	}
	deliver_batch_clear(jobs, s->rcpt_count);
	free(jobs);
	deliver_message_free(&m);
	lmtp_transaction_reset(s);
}

/* ---- DATA ---- */

static void data_input(struct lmtp_session *s, struct evbuffer *input)
{
	while (evbuffer_get_length(input) > 0) {
		struct evbuffer_iovec v;
		size_t used;
		int done;

		if (evbuffer_peek(input, -1, NULL, &v, 1) < 1)
			return;
		done = lmtp_data_feed(&s->data, v.iov_base, v.iov_len, &used);
		evbuffer_drain(input, used);
		if (done) {
			deliver_all(s, lmtp_data_too_big(&s->data));
			return;
		}
	}
}

/* ---- BDAT ---- */

static void bdat_chunk_done(struct lmtp_session *s);

void lmtp_bdat_begin(struct lmtp_session *s, const struct lmtp_command *cmd)
{
	uint64_t max = s->w->cfg->lmtp_max_message_size;

	s->bdat_left = cmd->chunk_size;
	s->bdat_last = cmd->last;
	s->bdat_discard = false;
	s->bdat_error = NULL;
	if (s->state == LMTP_STATE_GREETED)
		s->bdat_error = "503 5.5.1 Send LHLO first";
	else if (s->state != LMTP_STATE_MAIL)
		s->bdat_error = "503 5.5.1 Send MAIL FROM first";
	else if (s->rcpt_count == 0)
		s->bdat_error = "503 5.5.1 No valid recipients";
	s->bdat_return = s->state;
	s->state = LMTP_STATE_BDAT;
	if (s->bdat_error != NULL) {
		s->bdat_discard = true;
	} else {
		if (!s->bdat_started)
			buf_reset(&s->msg);
		s->bdat_started = true;
		if (s->bdat_too_big || cmd->chunk_size > max ||
		    s->msg.len > max - cmd->chunk_size) {
			s->bdat_too_big = true;
			s->bdat_discard = true;
		}
	}
	/* An empty chunk ("BDAT 0 LAST") has no bytes to wait for. */
	if (s->bdat_left == 0)
		bdat_chunk_done(s);
}

static void bdat_chunk_done(struct lmtp_session *s)
{
	if (s->bdat_error != NULL) {
		lmtp_reply(s, "%s", s->bdat_error);
		s->state = s->bdat_return; /* refused: nothing changed */
		return;
	}
	if (s->bdat_last) {
		deliver_all(s, s->bdat_too_big);
		return;
	}
	s->state = LMTP_STATE_MAIL;
	if (s->bdat_too_big) {
		/* RFC 3030 section 2: after a failed chunk the client sends no
		 * more of this message; the transaction is over. */
		lmtp_reply(s, "552 5.3.4 Message too big");
		lmtp_transaction_reset(s);
		return;
	}
	lmtp_reply(s, "250 2.0.0 %zu octets received", s->msg.len);
}

static void bdat_input(struct lmtp_session *s, struct evbuffer *input)
{
	size_t avail = evbuffer_get_length(input);
	size_t n = s->bdat_left < avail ? (size_t)s->bdat_left : avail;

	if (s->bdat_discard) {
		evbuffer_drain(input, n);
	} else if (n > 0) {
		buf_reserve(&s->msg, n);
		evbuffer_remove(input, s->msg.data + s->msg.len, n);
		s->msg.len += n;
	}
	s->bdat_left -= n;
	if (s->bdat_left == 0)
		bdat_chunk_done(s);
}

void lmtp_transfer_input(struct lmtp_session *s, struct evbuffer *input)
{
	if (s->state == LMTP_STATE_DATA)
		data_input(s, input);
	else if (s->bdat_left > 0)
		bdat_input(s, input);
	else
		bdat_chunk_done(s);
}
