/* lmtp-commands.c — the LMTP commands other than the message transfer:
 * LHLO, MAIL FROM, RCPT TO, RSET, NOOP, QUIT, VRFY, HELP (RFC 2033,
 * RFC 5321 section 4.1.1), and the dispatch of DATA and BDAT. */
#include "lmtp-private.h"
#include "lmtp-stores.h"
#include "server/deliver/deliver-rcpt.h"
#include "server/deliver/deliver.h"
#include "server/user-store.h"
#include "server/worker.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>

static bool need_lhlo(struct lmtp_session *s)
{
	if (s->state != LMTP_STATE_GREETED)
		return false;
	lmtp_reply(s, "503 5.5.1 Send LHLO first");
	return true;
}

static void cmd_lhlo(struct lmtp_session *s, const struct lmtp_command *cmd)
{
	const struct server_config *cfg = s->w->cfg;

	/* A second LHLO starts over, as EHLO does (RFC 5321 4.1.4). */
	lmtp_transaction_reset(s);
	memcpy(s->helo, cmd->arg, sizeof(s->helo));
	s->state = LMTP_STATE_READY;
	lmtp_reply(s, "250-%s", cfg->hostname);
	lmtp_reply(s, "250-PIPELINING");
	lmtp_reply(s, "250-ENHANCEDSTATUSCODES");
	lmtp_reply(s, "250-8BITMIME");
	lmtp_reply(s, "250-SIZE %llu", (unsigned long long)cfg->lmtp_max_message_size);
	lmtp_reply(s, "250 CHUNKING");
}

static void cmd_mail(struct lmtp_session *s, const struct lmtp_command *cmd)
{
	if (need_lhlo(s))
		return;
	if (s->state != LMTP_STATE_READY) {
		lmtp_reply(s, "503 5.5.1 Nested MAIL command");
		return;
	}
	/* RFC 1870 section 6.2: refuse at once what cannot fit. */
	if (cmd->has_size && cmd->size > s->w->cfg->lmtp_max_message_size) {
		lmtp_reply(s, "552 5.3.4 Message size exceeds fixed limit");
		return;
	}
	memcpy(s->sender, cmd->arg, sizeof(s->sender));
	s->announced_size = cmd->has_size ? cmd->size : 0;
	s->state = LMTP_STATE_MAIL;
	lmtp_reply(s, "250 2.1.0 Sender OK");
}

/* The reply for a recipient whose store is over quota. */
static void reply_overquota(struct lmtp_session *s, const char *address)
{
	if (s->w->cfg->lmtp_quota_tempfail)
		lmtp_reply(s, "452 4.2.2 <%s> Mailbox full", address);
	else
		lmtp_reply(s, "552 5.2.2 <%s> Mailbox full", address);
}

static void add_rcpt(struct lmtp_session *s, const char *address, const char *mailbox,
		     struct user_store *us)
{
	struct lmtp_rcpt *r;

	if (s->rcpt_count == s->rcpt_cap) {
		s->rcpt_cap = s->rcpt_cap ? s->rcpt_cap * 2 : 4;
		s->rcpts = xreallocarray(s->rcpts, s->rcpt_cap, sizeof(*s->rcpts));
	}
	r = &s->rcpts[s->rcpt_count++];
	r->address = xstrdup(address);
	r->mailbox = xstrdup(mailbox);
	r->ustore = us;
}

static void cmd_rcpt(struct lmtp_session *s, const struct lmtp_command *cmd)
{
	struct deliver_rcpt r;
	struct user_store *us;
	const char *error;
	enum deliver_rcpt_result res;
	enum deliver_result q;

	if (need_lhlo(s))
		return;
	if (s->state != LMTP_STATE_MAIL || s->bdat_started) {
		lmtp_reply(s, "503 5.5.1 Send MAIL FROM first");
		return;
	}
	/* RFC 5321 4.5.3.1.10: too many recipients is a temporary failure. */
	if (s->rcpt_count >= s->w->cfg->lmtp_max_recipients) {
		lmtp_reply(s, "452 4.5.3 Too many recipients");
		return;
	}
	res = deliver_rcpt_resolve(s->w->userdb, s->w->cfg, cmd->arg, &r, &error);
	if (res == DELIVER_RCPT_UNKNOWN) {
		lmtp_reply(s, "550 5.1.1 <%s> User unknown", cmd->arg);
		return;
	}
	if (res == DELIVER_RCPT_TEMPFAIL) {
		log_error("lmtp %s: <%s>: user database: %s", s->peer, cmd->arg, error);
		lmtp_reply(s, "451 4.3.0 <%s> Temporary failure, try again later", cmd->arg);
		return;
	}
	us = lmtp_stores_acquire(s->w, r.user, &error);
	if (us == NULL) {
		log_error("lmtp %s: <%s>: cannot open the store of %s: %s", s->peer, cmd->arg,
			  r.user, error);
		lmtp_reply(s, "451 4.3.0 <%s> Temporary failure, try again later", cmd->arg);
		return;
	}
	q = deliver_quota_check(user_store_store(us), s->announced_size, &error);
	if (q != DELIVER_OK) {
		if (q == DELIVER_OVERQUOTA) {
			reply_overquota(s, cmd->arg);
		} else {
			log_error("lmtp %s: <%s>: quota: %s", s->peer, cmd->arg, error);
			lmtp_reply(s, "451 4.3.0 <%s> Temporary failure, try again later",
				   cmd->arg);
		}
		user_store_release(&us);
		return;
	}
	add_rcpt(s, cmd->arg, r.mailbox, us);
	lmtp_reply(s, "250 2.1.5 <%s> Recipient OK", cmd->arg);
}

static void cmd_data(struct lmtp_session *s)
{
	if (need_lhlo(s))
		return;
	if (s->state != LMTP_STATE_MAIL || s->bdat_started) {
		lmtp_reply(s, "503 5.5.1 Send MAIL FROM first");
		return;
	}
	if (s->rcpt_count == 0) {
		lmtp_reply(s, "503 5.5.1 No valid recipients");
		return;
	}
	lmtp_data_begin(s);
}

/* Run a parsed command. */
static void run(struct lmtp_session *s, const struct lmtp_command *cmd)
{
	switch (cmd->verb) {
	case LMTP_CMD_LHLO:
		cmd_lhlo(s, cmd);
		break;
	case LMTP_CMD_MAIL:
		cmd_mail(s, cmd);
		break;
	case LMTP_CMD_RCPT:
		cmd_rcpt(s, cmd);
		break;
	case LMTP_CMD_DATA:
		cmd_data(s);
		break;
	case LMTP_CMD_BDAT:
		lmtp_bdat_begin(s, cmd);
		break;
	case LMTP_CMD_RSET:
		lmtp_transaction_reset(s);
		lmtp_reply(s, "250 2.0.0 OK");
		break;
	case LMTP_CMD_NOOP:
		lmtp_reply(s, "250 2.0.0 OK");
		break;
	case LMTP_CMD_QUIT:
		lmtp_reply(s, "221 2.0.0 %s Bye", s->w->cfg->hostname);
		lmtp_close(s);
		break;
	case LMTP_CMD_VRFY:
		/* RFC 5321 3.5.3: 252 when we will not say. */
		lmtp_reply(s, "252 2.5.0 Send some mail and see");
		break;
	case LMTP_CMD_HELP:
		lmtp_reply(s, "214 2.0.0 LHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP");
		break;
	}
}

void lmtp_command_run(struct lmtp_session *s, const char *line, size_t len)
{
	struct lmtp_command cmd;
	struct lmtp_reply r;

	if (lmtp_command_parse(line, len, &cmd, &r) < 0) {
		lmtp_reply(s, "%u %s %s", r.code, r.enhanced, r.text);
		s->bad_commands++;
		/* A BDAT we cannot read leaves its chunk's bytes unknown: the
		 * stream cannot be resynchronised (RFC 3030 section 2). */
		if (len >= 4 && str_has_prefix_ci(line, len, "BDAT") &&
		    (len == 4 || line[4] == ' '))
			lmtp_close(s);
		return;
	}
	s->bad_commands = 0;
	run(s, &cmd);
}
