/* cmd-compose.c — hafen compose, reply ID [--all], forward ID: a template
 * with the right recipients, subject, In-Reply-To/References and quoted
 * text opens in $EDITOR (or --body-file gives the text, for scripts);
 * the result is sent (SMTP, then a copy in Sent — queued while offline),
 * saved as a draft (--draft), or written to a file (--output). */
#include "addrlist.h"
#include "cli.h"
#include "compose.h"
#include "render.h"
#include "summary.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct compose_opts {
	const char *to, *cc, *bcc, *subject, *body_file, *output;
	bool draft, all;
};

static const char usage_tail[] = "[--to ADDR] [--cc ADDR] [--bcc ADDR] [--subject TEXT]\n"
				 "       [--body-file FILE|-] [--draft | --output FILE]";

static int parse_opts(int argc, char **argv, int first, struct compose_opts *o, bool reply)
{
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = strcmp(a, "--to") == 0          ? &o->to
				    : strcmp(a, "--cc") == 0        ? &o->cc
				    : strcmp(a, "--bcc") == 0       ? &o->bcc
				    : strcmp(a, "--subject") == 0   ? &o->subject
				    : strcmp(a, "--body-file") == 0 ? &o->body_file
				    : strcmp(a, "--output") == 0    ? &o->output
								    : NULL;

		if (slot != NULL && i + 1 < argc)
			*slot = argv[++i];
		else if (strcmp(a, "--draft") == 0)
			o->draft = true;
		else if (reply && strcmp(a, "--all") == 0)
			o->all = true;
		else
			return -1;
	}
	return 0;
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return cli_error("%s: cannot open", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	if (f != stdin)
		fclose(f);
	return CLI_OK;
}

static void set(struct buf *b, const char *v)
{
	buf_reset(b);
	if (v != NULL)
		buf_append_str(b, v);
	buf_cstr(b);
}

static void default_from(struct cli *cli, struct draft *d)
{
	const struct account *a = cli->acct;

	if (a->from != NULL)
		set(&d->from, a->from);
	else if (strchr(a->user, '@') != NULL)
		set(&d->from, a->user);
	else
		buf_printf(&d->from, "%s@%s", a->user, a->host);
}

/* Options override the template; then the editor or the body file. */
static int finish(struct cli *cli, struct draft *d, const struct compose_opts *o)
{
	struct buf text = BUF_INIT, msg = BUF_INIT;
	const char *err;
	int ret = CLI_OK;

	if (o->to)
		set(&d->to, o->to);
	if (o->cc)
		set(&d->cc, o->cc);
	if (o->bcc)
		set(&d->bcc, o->bcc);
	if (o->subject)
		set(&d->subject, o->subject);
	if (o->body_file != NULL) {
		struct buf body = BUF_INIT;

		ret = read_file(o->body_file, &body);
		/* The text goes above the quoted original. */
		buf_append(&body, d->body.data, d->body.len);
		buf_free(&d->body);
		d->body = body;
	} else {
		compose_template(d, &text);
		if (compose_edit(&text, &err) < 0 ||
		    compose_parse((char *)text.data, text.len, d, &err) < 0)
			ret = cli_error("%s", err);
	}
	if (ret == CLI_OK && d->to.len + d->cc.len + d->bcc.len == 0 && !o->draft && !o->output)
		ret = cli_error("no recipients; nothing was sent");
	if (ret == CLI_OK) {
		compose_build(d, &msg);
		if (o->output != NULL) {
			FILE *f = strcmp(o->output, "-") == 0 ? stdout : fopen(o->output, "we");

			if (f == NULL || fwrite(msg.data, 1, msg.len, f) != msg.len)
				ret = cli_error("%s: cannot write", o->output);
			if (f != NULL && f != stdout)
				fclose(f);
		} else {
			ret = o->draft ? cli_save_draft(cli, &msg) : cli_queue_send(cli, &msg);
		}
	}
	buf_free(&text);
	buf_free(&msg);
	return ret;
}

int cmd_compose(struct cli *cli, int argc, char **argv)
{
	struct compose_opts o = {0};
	struct draft d = {0};
	int ret;

	if (parse_opts(argc, argv, 1, &o, false) < 0) {
		fprintf(stderr, "usage: hafen compose %s\n", usage_tail);
		return CLI_USAGE;
	}
	if (cli_store(cli) == NULL)
		return CLI_ERROR;
	default_from(cli, &d);
	ret = finish(cli, &d, &o);
	draft_free(&d);
	return ret;
}

/* ---- reply and forward ---- */

static void prefixed_subject(struct buf *out, const char *subject, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (!str_has_prefix_ci(subject, strlen(subject), prefix))
		buf_append_str(out, prefix);
	buf_append_str(out, subject);
	buf_cstr(out);
	(void)plen;
}

static void quote(struct buf *out, const struct summary *sum, const struct render *r)
{
	struct buf text = BUF_INIT;
	char date[64];
	time_t t = (time_t)sum->date;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M", &tm);
	render_text(r, &text);
	buf_printf(out, "\n\nOn %s, %s wrote:\n", date, sum->from);
	for (size_t i = 0; i < text.len;) {
		const char *nl = memchr(text.data + i, '\n', text.len - i);
		size_t n = nl ? (size_t)(nl - (char *)text.data) - i : text.len - i;

		buf_append_str(out, n > 0 && text.data[i] == '>' ? ">" : "> ");
		buf_append(out, text.data + i, n);
		buf_append_byte(out, '\n');
		i += n + 1;
	}
	buf_free(&text);
}

/* Reply-All: the original To and Cc, each address once, without
 * ourselves and without whom the reply already goes to. */
static void reply_all_cc(struct draft *d, const struct summary *sum, const char *self)
{
	struct buf seen = BUF_INIT;

	(void)addrlist_parse(self, strlen(self), &seen);
	(void)addrlist_parse((const char *)d->to.data, d->to.len, &seen);
	(void)addrlist_merge(sum->to, &seen, &d->cc);
	(void)addrlist_merge(sum->cc, &seen, &d->cc);
	buf_cstr(&d->cc);
	buf_free(&seen);
}

static void threading(struct draft *d, const struct summary *sum)
{
	set(&d->in_reply_to, sum->message_id);
	buf_append_str(&d->references, sum->references);
	if (sum->message_id[0] != '\0') {
		if (d->references.len > 0)
			buf_append_byte(&d->references, ' ');
		buf_append_str(&d->references, sum->message_id);
	}
	buf_cstr(&d->references);
}

static int load_original(struct cli *cli, const char *id, struct store_client_msg *m,
			 struct summary *sum, struct buf *data)
{
	if (cli_store(cli) == NULL || cli_find_message(cli, id, m) != CLI_OK)
		return CLI_ERROR;
	if (summary_by_cid(cli->store, m->cid, sum) != STORE_OK) {
		store_client_msg_clear(m);
		return cli_error("local cache: %s", store_last_error(cli->store));
	}
	if (cli_message_body(cli, m, data) != CLI_OK) {
		summary_clear(sum);
		store_client_msg_clear(m);
		return CLI_ERROR;
	}
	return CLI_OK;
}

int cmd_reply(struct cli *cli, int argc, char **argv)
{
	struct compose_opts o = {0};
	struct store_client_msg m;
	struct summary sum;
	struct buf data = BUF_INIT;
	struct draft d = {0};
	struct render r;
	int ret;

	if (argc < 2 || parse_opts(argc, argv, 2, &o, true) < 0) {
		fprintf(stderr, "usage: hafen reply ID [--all] %s\n", usage_tail);
		return CLI_USAGE;
	}
	if (load_original(cli, argv[1], &m, &sum, &data) != CLI_OK)
		return CLI_ERROR;
	render_open(&r, data.data, data.len);
	default_from(cli, &d);
	set(&d.to, sum.reply_to[0] ? sum.reply_to : sum.from_addr[0] ? sum.from_addr : sum.from);
	if (o.all)
		reply_all_cc(&d, &sum, cli->acct->from ? cli->acct->from : cli->acct->user);
	prefixed_subject(&d.subject, sum.subject, "Re: ");
	threading(&d, &sum);
	quote(&d.body, &sum, &r);
	ret = finish(cli, &d, &o);
	/* RFC 9051 2.3.2: \Answered once the reply is on its way. */
	if (ret == CLI_OK && !o.draft && !o.output &&
	    store_client_local_flags(cli->store, m.mailbox_id, m.uid, STORE_FLAG_ANSWERED, 0, NULL,
				     NULL, true) == STORE_OK)
		cli_push(cli, NULL);
	render_close(&r);
	draft_free(&d);
	buf_free(&data);
	summary_clear(&sum);
	store_client_msg_clear(&m);
	return ret;
}

int cmd_forward(struct cli *cli, int argc, char **argv)
{
	struct compose_opts o = {0};
	struct store_client_msg m;
	struct summary sum;
	struct buf data = BUF_INIT;
	struct draft d = {0};
	int ret;

	if (argc < 2 || parse_opts(argc, argv, 2, &o, false) < 0) {
		fprintf(stderr, "usage: hafen forward ID %s\n", usage_tail);
		return CLI_USAGE;
	}
	if (load_original(cli, argv[1], &m, &sum, &data) != CLI_OK)
		return CLI_ERROR;
	default_from(cli, &d);
	prefixed_subject(&d.subject, sum.subject, "Fwd: ");
	/* The original travels whole, attachments included (message/rfc822). */
	buf_append(&d.attach, data.data, data.len);
	ret = finish(cli, &d, &o);
	draft_free(&d);
	buf_free(&data);
	summary_clear(&sum);
	store_client_msg_clear(&m);
	return ret;
}
