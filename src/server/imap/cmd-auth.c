/* cmd-auth.c — LOGIN and AUTHENTICATE (RFC 9051 6.2.2, 6.2.3; SASL-IR,
 * RFC 4959). Failures are answered only after a delay that grows per
 * client address, and a blocked address is refused (src/auth/auth-guard.h).
 *
 * The delay runs from the moment the credentials arrived, not from the
 * end of their check: the check costs what the user's hash scheme costs
 * (yescrypt tens of milliseconds, SHA512-CRYPT about one), and an unknown
 * user costs a dummy yescrypt check. Counted from the end, the reply time
 * would tell an attacker which names exist with which scheme. */
#include "imap-commands.h"
#include "server/worker.h"
#include "auth/auth-guard.h"
#include "auth/sasl-server.h"
#include "auth/userdb-sasl.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>

static void send_logged_in(struct imap_session *s)
{
	buf_reset(&s->out);
	buf_printf(&s->out, "%s OK [CAPABILITY ", s->run.cmd->tag);
	session_capabilities(s, &s->out);
	buf_append_str(&s->out, "] Logged in");
	session_send_line(s);
}

static void succeed(struct imap_session *s, const char *user)
{
	if (s->w->guard != NULL && s->addr_key[0] != '\0')
		auth_guard_record_success(s->w->guard, s->addr_key);
	if (session_login(s, user) == 0)
		send_logged_in(s);
}

static void on_delay_over(evutil_socket_t fd, short what, void *ctx)
{
	struct imap_session *s = ctx;

	(void)fd;
	(void)what;
	/* After a BYE (shutdown, timeout) during the delay, no reply follows. */
	if (s->mode != IMAP_MODE_CLOSING)
		session_tagged(s, IMAP_COND_NO, "AUTHENTICATIONFAILED", "Authentication failed");
	session_command_done(s);
}

/* Wrong credentials: count it and answer once the guard's delay has
 * passed since checked_at, when the credentials arrived (CLOCK_MONOTONIC
 * microseconds). */
static enum cmd_result fail_credentials(struct imap_session *s, int64_t checked_at)
{
	int64_t spent_ms;
	uint32_t delay = 0;

	s->auth_failures++;
	log_info("imap %s: authentication failed", s->peer);
	if (s->w->guard != NULL && s->addr_key[0] != '\0')
		delay = auth_guard_record_failure(s->w->guard, s->addr_key);
	spent_ms = (clock_monotonic_us() - checked_at) / 1000;
	if (delay > 0)
		delay = spent_ms >= (int64_t)delay ? 1 : delay - (uint32_t)spent_ms;
	if (delay == 0) {
		session_tagged(s, IMAP_COND_NO, "AUTHENTICATIONFAILED", "Authentication failed");
		return CMD_DONE;
	}
	if (s->timer == NULL)
		s->timer = evtimer_new(s->w->base, on_delay_over, s);
	else
		event_assign(s->timer, s->w->base, -1, 0, on_delay_over, s);
	{
		struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};

		/* The loop's cached time is from before this callback and the
		 * hash: a timer set against it would fire that much early. */
		event_base_update_cache_time(s->w->base);
		evtimer_add(s->timer, &tv);
	}
	s->mode = IMAP_MODE_DELAY;
	return CMD_SUSPEND;
}

static enum cmd_result fail(struct imap_session *s, enum sasl_failure why, const char *text,
			    int64_t checked_at)
{
	switch (why) {
	case SASL_FAIL_CREDENTIALS:
		return fail_credentials(s, checked_at);
	case SASL_FAIL_TEMP:
		session_tagged(s, IMAP_COND_NO, "UNAVAILABLE",
			       "Authentication is unavailable, try later");
		break;
	case SASL_FAIL_AUTHZ:
		session_tagged(s, IMAP_COND_NO, "AUTHORIZATIONFAILED", "Not authorized");
		break;
	case SASL_FAIL_CANCELLED:
		session_tagged(s, IMAP_COND_BAD, NULL, "Authentication cancelled");
		break;
	case SASL_FAIL_UNSUPPORTED:
		session_tagged(s, IMAP_COND_NO, "CANNOT", "%s", text ? text : "Not supported");
		break;
	default:
		session_tagged(s, IMAP_COND_BAD, NULL, "%s", text ? text : "Malformed response");
		break;
	}
	return CMD_DONE;
}

/* Refuse before looking at credentials: plaintext on an open line, or an
 * address blocked for too many failures. */
static bool refused(struct imap_session *s, bool plaintext)
{
	uint32_t retry = 0;

	if (plaintext && !s->secure) {
		session_tagged(s, IMAP_COND_NO, "PRIVACYREQUIRED",
			       "Plaintext authentication needs TLS (use STARTTLS)");
		return true;
	}
	if (s->w->guard != NULL && s->addr_key[0] != '\0' &&
	    !auth_guard_auth_allowed(s->w->guard, s->addr_key, &retry)) {
		session_tagged(s, IMAP_COND_NO, "UNAVAILABLE",
			       "Too many failed logins from your address; try again in %u seconds",
			       retry);
		return true;
	}
	return false;
}

enum cmd_result cmd_login(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_login *a = &cmd->u.login;
	char user[SASL_USER_MAX + 1];
	int64_t checked_at = clock_monotonic_us();
	enum sasl_failure why;

	if (refused(s, true))
		return CMD_DONE;
	why = sasl_server_check_login(&userdb_sasl_callbacks, s->w->userdb, a->user,
				      strlen(a->user), a->password, strlen(a->password), user);
	if (why != SASL_FAIL_NONE)
		return fail(s, why, NULL, checked_at);
	succeed(s, user);
	return CMD_DONE;
}

enum sasl_input { SASL_START, SASL_INITIAL, SASL_LINE };

/* Feed one client response (or none, or the initial one) and act on the
 * result: another challenge, a login, or a failure. */
static enum cmd_result sasl_step(struct imap_session *s, enum sasl_input input, const char *line,
				 size_t len)
{
	int64_t checked_at = clock_monotonic_us();
	const char *error = NULL;
	int ret;

	buf_reset(&s->out);
	buf_append_str(&s->out, "+ ");
	if (input == SASL_START)
		ret = sasl_server_start_base64(s->sasl, &s->out);
	else
		ret = sasl_server_step_base64(s->sasl, line, len, input == SASL_INITIAL, &s->out,
					      &error);
	if (ret == 0) {
		session_send_line(s);
		s->mode = IMAP_MODE_SASL;
		imap_parser_expect_raw_line(s->parser);
		return CMD_SUSPEND;
	}
	buf_reset(&s->out);
	s->mode = IMAP_MODE_RUNNING;
	if (ret == 1) {
		char user[SASL_USER_MAX + 1];

		snprintf(user, sizeof(user), "%s", sasl_server_user(s->sasl));
		sasl_server_free(&s->sasl);
		succeed(s, user);
		return CMD_DONE;
	}
	ret = (int)sasl_server_failure(s->sasl);
	sasl_server_free(&s->sasl);
	return fail(s, (enum sasl_failure)ret, error, checked_at);
}

enum cmd_result cmd_authenticate(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_cmd_authenticate *a = &cmd->u.authenticate;
	const struct sasl_mech_info *mech = sasl_server_mech_find(a->mechanism);
	struct sasl_server_settings set = {.success_data = false};
	const char *error;

	if (mech == NULL) {
		session_tagged(s, IMAP_COND_NO, "CANNOT", "Unsupported authentication mechanism");
		return CMD_DONE;
	}
	if (refused(s, mech->plaintext))
		return CMD_DONE;
	s->sasl = sasl_server_new(mech->name, &set, &userdb_sasl_callbacks, s->w->userdb, &error);
	if (s->sasl == NULL) {
		session_tagged(s, IMAP_COND_NO, "CANNOT", "%s", error);
		return CMD_DONE;
	}
	if (a->initial_response != NULL)
		return sasl_step(s, SASL_INITIAL, a->initial_response, strlen(a->initial_response));
	return sasl_step(s, SASL_START, NULL, 0);
}

void cmd_authenticate_line(struct imap_session *s, const char *line, size_t len)
{
	if (sasl_step(s, SASL_LINE, line, len) == CMD_DONE)
		s->mode = IMAP_MODE_READING;
}
