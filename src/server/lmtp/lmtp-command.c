/* lmtp-command.c — LMTP command lines (see lmtp-command.h). The grammar is
 * RFC 5321 section 4.1; where real clients differ from it harmlessly we
 * accept what they send (a space after "FROM:", as Postfix's own server
 * does) and say so below. */
#include "lmtp-command.h"
#include "lib/err.h"
#include "lib/str.h"

#include <string.h>

static const struct {
	const char *name;
	enum lmtp_verb verb;
} verbs[] = {
	{"LHLO", LMTP_CMD_LHLO}, {"MAIL", LMTP_CMD_MAIL}, {"RCPT", LMTP_CMD_RCPT},
	{"DATA", LMTP_CMD_DATA}, {"BDAT", LMTP_CMD_BDAT}, {"RSET", LMTP_CMD_RSET},
	{"NOOP", LMTP_CMD_NOOP}, {"QUIT", LMTP_CMD_QUIT}, {"VRFY", LMTP_CMD_VRFY},
	{"HELP", LMTP_CMD_HELP},
};

static int reply_fail(struct lmtp_reply *r, unsigned code, const char *enhanced, const char *text)
{
	r->code = code;
	r->enhanced = enhanced;
	r->text = text;
	return -1;
}

/* RFC 5322 atext. */
static bool is_atext(unsigned char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool is_letdig(unsigned char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c);
}

/* Dot-string = Atom *("." Atom) */
static bool dot_string_valid(const char *s, size_t len)
{
	bool atom_start = true;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (atom_start)
				return false;
			atom_start = true;
		} else if (is_atext((unsigned char)s[i])) {
			atom_start = false;
		} else {
			return false;
		}
	}
	return len > 0 && !atom_start;
}

/* Quoted-string with qtextSMTP and quoted-pairSMTP; *end_r after it. */
static bool quoted_valid(const char *s, size_t len, size_t *end_r)
{
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"') {
			*end_r = i + 1;
			return true;
		}
		if (c == '\\') {
			if (++i >= len || (unsigned char)s[i] < 32 || (unsigned char)s[i] > 126)
				return false;
		} else if (c < 32 || c > 126) {
			return false;
		}
	}
	return false;
}

/* Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str]. */
static bool domain_valid(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 255)
		return false;
	if (s[0] == '[') {
		/* address-literal: IPv4, "IPv6:..." or a general literal; the
		 * content is printable, without brackets or backslash. */
		if (len < 3 || s[len - 1] != ']')
			return false;
		for (size_t i = 1; i + 1 < len; i++)
			if (s[i] < 33 || s[i] > 126 || strchr("[]\\", s[i]))
				return false;
		return true;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_letdig((unsigned char)s[i]) || (s[i] == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

bool lmtp_mailbox_valid(const char *addr, size_t len, bool domain_optional)
{
	size_t local_end;

	if (len == 0 || len > LMTP_ADDR_MAX)
		return false;
	if (addr[0] == '"') {
		if (!quoted_valid(addr, len, &local_end))
			return false;
	} else {
		const char *at = memchr(addr, '@', len);

		local_end = at != NULL ? (size_t)(at - addr) : len;
		if (!dot_string_valid(addr, local_end))
			return false;
	}
	if (local_end == len)
		return domain_optional;
	return addr[local_end] == '@' && domain_valid(addr + local_end + 1, len - local_end - 1);
}

/* "<" [ A-d-l ":" ] Mailbox ">" — copies the mailbox into out. A source
 * route (RFC 5321 4.1.2 and appendix C) is accepted and ignored. *end_r
 * is the offset after '>'. */
static bool parse_path(const char *s, size_t len, char *out, size_t *end_r)
{
	const char *close, *start;
	size_t n;

	if (len == 0 || s[0] != '<')
		return false;
	/* The closing '>' is the first one outside a quoted local part. */
	start = s + 1;
	if (len > 1 && s[1] == '@') {
		const char *colon = memchr(s, ':', len);

		if (colon == NULL)
			return false;
		start = colon + 1;
	}
	if (start < s + len && *start == '"') {
		size_t qend;

		if (!quoted_valid(start, (size_t)(s + len - start), &qend))
			return false;
		close = memchr(start + qend, '>', (size_t)(s + len - start - qend));
	} else {
		close = memchr(start, '>', (size_t)(s + len - start));
	}
	if (close == NULL)
		return false;
	n = (size_t)(close - start);
	if (n > LMTP_ADDR_MAX)
		return false;
	memcpy(out, start, n);
	out[n] = '\0';
	*end_r = (size_t)(close - s) + 1;
	return true;
}

static bool param_is(const char *p, size_t n, const char *key, const char **value_r, size_t *vlen_r)
{
	size_t klen = strlen(key);

	if (n < klen || !str_has_prefix_ci(p, n, key))
		return false;
	if (n == klen) {
		*value_r = NULL;
		*vlen_r = 0;
		return true;
	}
	if (p[klen] != '=')
		return false;
	*value_r = p + klen + 1;
	*vlen_r = n - klen - 1;
	return true;
}

/* One esmtp-param of MAIL FROM. */
static int mail_param(const char *p, size_t n, struct lmtp_command *cmd, struct lmtp_reply *r)
{
	const char *v;
	size_t vlen;

	if (param_is(p, n, "SIZE", &v, &vlen)) {
		/* RFC 1870: size-value = 1*20DIGIT */
		if (cmd->has_size || v == NULL || vlen > 20 ||
		    !str_to_u64(v, vlen, UINT64_MAX, &cmd->size))
			return reply_fail(r, 501, "5.5.4", "Bad SIZE parameter");
		cmd->has_size = true;
		return 0;
	}
	if (param_is(p, n, "BODY", &v, &vlen)) {
		if (cmd->body != LMTP_BODY_NONE || v == NULL)
			return reply_fail(r, 501, "5.5.4", "Bad BODY parameter");
		if (str_eq_ci_n(v, vlen, "7BIT"))
			cmd->body = LMTP_BODY_7BIT;
		else if (str_eq_ci_n(v, vlen, "8BITMIME"))
			cmd->body = LMTP_BODY_8BITMIME;
		else
			return reply_fail(r, 555, "5.5.4", "Unsupported BODY type");
		return 0;
	}
	return reply_fail(r, 555, "5.5.4", "Unsupported MAIL FROM parameter");
}

/* "FROM:" or "TO:" (a space after the colon tolerated), a path, then
 * parameters separated by spaces. */
static int parse_mail_rcpt(const char *args, size_t len, struct lmtp_command *cmd,
			   struct lmtp_reply *r)
{
	bool mail = cmd->verb == LMTP_CMD_MAIL;
	const char *kw = mail ? "FROM:" : "TO:";
	size_t klen = strlen(kw), pos, end;

	if (!str_has_prefix_ci(args, len, kw))
		return reply_fail(r, 501, "5.5.4",
				  mail ? "Syntax: MAIL FROM:<address>"
				       : "Syntax: RCPT TO:<address>");
	pos = klen;
	while (pos < len && args[pos] == ' ')
		pos++;
	if (!parse_path(args + pos, len - pos, cmd->arg, &end))
		return reply_fail(r, 501, mail ? "5.1.7" : "5.1.3", "Bad address syntax");
	if (mail ? cmd->arg[0] != '\0' && !lmtp_mailbox_valid(cmd->arg, strlen(cmd->arg), false)
		 : !lmtp_mailbox_valid(cmd->arg, strlen(cmd->arg), true))
		return reply_fail(r, 501, mail ? "5.1.7" : "5.1.3", "Bad address syntax");
	pos += end;
	while (pos < len) {
		size_t n;

		if (args[pos] != ' ')
			return reply_fail(r, 501, "5.5.4", "Bad parameter syntax");
		while (pos < len && args[pos] == ' ')
			pos++;
		if (pos == len)
			break;
		for (n = 0; pos + n < len && args[pos + n] != ' ';)
			n++;
		/* RCPT TO takes no parameters: we offer no DSN (RFC 3461). */
		if (!mail)
			return reply_fail(r, 555, "5.5.4", "Unsupported RCPT TO parameter");
		if (mail_param(args + pos, n, cmd, r) < 0)
			return -1;
		pos += n;
	}
	return 0;
}

/* BDAT SP chunk-size [SP end-marker] (RFC 3030 section 2). */
static int parse_bdat(const char *args, size_t len, struct lmtp_command *cmd, struct lmtp_reply *r)
{
	size_t n = 0;

	while (n < len && ascii_isdigit((unsigned char)args[n]))
		n++;
	if (n == 0 || n > 20 || !str_to_u64(args, n, UINT64_MAX, &cmd->chunk_size))
		return reply_fail(r, 501, "5.5.4", "Syntax: BDAT size [LAST]");
	if (n == len)
		return 0;
	if (len - n == 5 && args[n] == ' ' && str_eq_ci_n(args + n + 1, 4, "LAST")) {
		cmd->last = true;
		return 0;
	}
	return reply_fail(r, 501, "5.5.4", "Syntax: BDAT size [LAST]");
}

static int parse_args(const char *args, size_t len, bool has_args, struct lmtp_command *cmd,
		      struct lmtp_reply *r)
{
	switch (cmd->verb) {
	case LMTP_CMD_LHLO:
		if (!has_args || len == 0 || len > LMTP_HELO_MAX || memchr(args, ' ', len) ||
		    !str_is_ascii7(args, len))
			return reply_fail(r, 501, "5.5.4", "Syntax: LHLO hostname");
		memcpy(cmd->arg, args, len);
		cmd->arg[len] = '\0';
		return 0;
	case LMTP_CMD_MAIL:
	case LMTP_CMD_RCPT:
		return parse_mail_rcpt(args, len, cmd, r);
	case LMTP_CMD_BDAT:
		return parse_bdat(args, len, cmd, r);
	case LMTP_CMD_DATA:
	case LMTP_CMD_RSET:
	case LMTP_CMD_QUIT:
		if (has_args)
			return reply_fail(r, 501, "5.5.4", "No parameters allowed");
		return 0;
	case LMTP_CMD_NOOP:
	case LMTP_CMD_VRFY:
	case LMTP_CMD_HELP:
		return 0;
	}
	return reply_fail(r, 500, "5.5.1", "Unknown command");
}

int lmtp_command_parse(const char *line, size_t len, struct lmtp_command *cmd_r,
		       struct lmtp_reply *reply_r)
{
	size_t vlen = 0;

	memset(cmd_r, 0, sizeof(*cmd_r));
	while (vlen < len && line[vlen] != ' ')
		vlen++;
	if (memchr(line, '\0', len) != NULL)
		return reply_fail(reply_r, 500, "5.5.2", "NUL in command line");
	if (str_eq_ci_n(line, vlen, "HELO") || str_eq_ci_n(line, vlen, "EHLO"))
		return reply_fail(reply_r, 500, "5.5.1", "This is LMTP: use LHLO (RFC 2033 4.1)");
	for (size_t i = 0; i < HF_N_ELEMENTS(verbs); i++) {
		if (!str_eq_ci_n(line, vlen, verbs[i].name))
			continue;
		cmd_r->verb = verbs[i].verb;
		if (vlen < len)
			return parse_args(line + vlen + 1, len - vlen - 1, true, cmd_r, reply_r);
		return parse_args("", 0, false, cmd_r, reply_r);
	}
	return reply_fail(reply_r, 500, "5.5.1", "Unknown command");
}
