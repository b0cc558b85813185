/* load-populate.c — the populate mode: give every user's INBOX its
 * deterministic mail (bench/store's mailgen, seeded by --seed and the
 * user's index), through IMAP: LOGIN, SELECT INBOX, then MULTIAPPEND
 * (RFC 3502) in batches of --batch messages with LITERAL+ (RFC 7888), each
 * message with its \Seen flag and its Date as INTERNALDATE. Every batch
 * must come back with APPENDUID (RFC 4315) for exactly the next UIDs, so
 * the base messages are UIDs 1..messages on every server. Then the list
 * view of the whole INBOX is read once, as a client's first sync does (so
 * a server that caches those fields on first use has done so before the
 * measurements), and must list every message. An INBOX that
 * already holds exactly --messages is skipped, so an interrupted load
 * resumes; any other count is an error. */
#include "load.h"
#include "load-msgpool.h"
#include "mailgen.h"
#include "lib/mem.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>

struct loader {
	struct populate *p;
	struct load_conn *conn;
	struct mailgen *gen;
	struct buf msg, head;
	unsigned user;
	int step; /* 0 greeting, 1 LOGIN, 2 SELECT, 3 APPEND, 4 list view, 5 LOGOUT */
	uint32_t exists, appended, batch, listed;
};

struct populate {
	struct load_run *run;
	struct loader *loaders;
	unsigned next_user, running;
	uint64_t messages, bytes;
};

static void loader_next_user(struct loader *l);

static void loader_stop(struct loader *l, const char *error)
{
	if (error != NULL)
		load_stats_error(&l->p->run->stats, "populating user %u: %s", l->user, error);
	load_conn_free(&l->conn);
	mailgen_free(&l->gen);
	loader_next_user(l);
}

static void send_batch(struct loader *l)
{
	const struct load_opts *o = l->p->run->o;
	struct mailgen_msg info;

	l->batch = o->messages - l->appended < o->batch ? o->messages - l->appended : o->batch;
	load_conn_command_start(l->conn, "APPEND INBOX");
	for (uint32_t i = 0; i < l->batch; i++) {
		mailgen_next(l->gen, &l->msg, &info);
		buf_reset(&l->head);
		buf_printf(&l->head, " (%s) ", info.seen ? "\\Seen" : "");
		load_append_date(&l->head, info.date, info.tz_offset);
		buf_printf(&l->head, " {%zu+}\r\n", l->msg.len);
		load_conn_write(l->conn, l->head.data, l->head.len);
		load_conn_write(l->conn, l->msg.data, l->msg.len);
		l->p->bytes += l->msg.len;
	}
	load_conn_write(l->conn, "\r\n", 2);
}

static const char *check_appenduid(struct loader *l, const struct imap_resp_code *code)
{
	const struct imap_seqset *uids = &code->u.appenduid.uids;

	if (code->kind != IMAP_CODE_APPENDUID)
		return "APPEND without APPENDUID";
	if (uids->count != 1 || uids->ranges[0].first != l->appended + 1 ||
	    uids->ranges[0].last != l->appended + l->batch)
		return "APPENDUID does not name the next UIDs";
	return NULL;
}

static void loader_tagged(struct loader *l, const struct imap_response *r)
{
	const struct load_opts *o = l->p->run->o;
	const char *error;

	if (r->u.status.cond != IMAP_COND_OK) {
		loader_stop(l, r->u.status.text);
		return;
	}
	switch (l->step) {
	case 1:
		l->step = 2;
		load_conn_command(l->conn, "SELECT INBOX");
		return;
	case 2:
		if (l->exists == o->messages)
			l->appended = o->messages;
		else if (l->exists != 0) {
			loader_stop(l, "INBOX is neither empty nor complete; remove the data");
			return;
		}
		break;
	case 3:
		if ((error = check_appenduid(l, &r->u.status.code)) != NULL) {
			loader_stop(l, error);
			return;
		}
		l->appended += l->batch;
		l->p->messages += l->batch;
		break;
	case 4:
		if (l->listed != o->messages) {
			loader_stop(l, "the list view does not show every message");
			return;
		}
		l->step = 5;
		load_conn_command(l->conn, "LOGOUT");
		return;
	default: /* LOGOUT */
		loader_stop(l, NULL);
		return;
	}
	if (l->appended < o->messages) {
		l->step = 3;
		send_batch(l);
	} else {
		l->step = 4;
		l->listed = 0;
		load_conn_command(l->conn, "UID FETCH 1:* " LOAD_LISTVIEW_ITEMS);
	}
}

static void on_response(void *ctx, const struct imap_response *r)
{
	struct loader *l = ctx;
	char user[128], pass[128];

	if (l->step == 0) {
		if (r->kind != IMAP_RESP_STATUS || r->u.status.cond != IMAP_COND_OK) {
			loader_stop(l, "no OK greeting");
			return;
		}
		load_user_name(l->p->run->o, l->user, user, sizeof(user));
		load_user_pass(l->p->run->o, l->user, pass, sizeof(pass));
		load_conn_command(l->conn, "LOGIN \"%s\" \"%s\"", user, pass);
		l->step = 1;
	} else if (load_conn_is_done(l->conn, r)) {
		loader_tagged(l, r);
	} else if (r->kind == IMAP_RESP_EXISTS && l->step == 2) {
		l->exists = r->u.number;
	} else if (r->kind == IMAP_RESP_FETCH && l->step == 4) {
		l->listed++;
	} else if (r->kind == IMAP_RESP_CONTINUE) {
		loader_stop(l, "the server waits for a literal: no LITERAL+?");
	}
}

static void on_closed(void *ctx, const char *why)
{
	struct loader *l = ctx;

	loader_stop(l, l->step == 5 ? NULL : why);
}

static const struct load_conn_handler loader_handler = {on_response, on_closed};

static void loader_next_user(struct loader *l)
{
	struct populate *p = l->p;
	const struct load_opts *o = p->run->o;
	const char *error;

	if (p->next_user == o->users) {
		if (--p->running == 0)
			event_base_loopbreak(p->run->base);
		return;
	}
	l->user = p->next_user++;
	l->step = 0;
	l->exists = l->appended = 0;
	l->gen = mailgen_new(o->seed + (uint64_t)l->user * 1000003u);
	if (o->verbose)
		fprintf(stderr, "imap-load: populating user %u\n", l->user);
	l->conn = load_conn_new(p->run->base, &p->run->target, &loader_handler, l, &error);
	if (l->conn == NULL)
		loader_stop(l, error);
}

int load_populate(struct load_run *run)
{
	const struct load_opts *o = run->o;
	struct populate p = {.run = run};
	unsigned n = o->clients < o->users ? o->clients : o->users;
	uint64_t t0 = load_now_us();
	double secs;

	if (o->messages == 0 || o->users == 0 || o->batch == 0) {
		fprintf(stderr, "imap-load: populate needs --users, --messages and --batch\n");
		return 2;
	}
	p.loaders = xcalloc(n, sizeof(*p.loaders));
	p.running = n;
	for (unsigned i = 0; i < n; i++) {
		p.loaders[i].p = &p;
		loader_next_user(&p.loaders[i]);
	}
	if (p.running > 0)
		event_base_dispatch(run->base);
	secs = (double)(load_now_us() - t0) / 1e6;
	printf("mode=populate\nusers=%u\nmessages_appended=%llu\nbytes=%llu\nseconds=%.1f\n",
	       o->users, (unsigned long long)p.messages, (unsigned long long)p.bytes, secs);
	printf("errors=%llu\n", (unsigned long long)run->stats.errors);
	for (unsigned i = 0; i < n; i++) {
		buf_free(&p.loaders[i].msg);
		buf_free(&p.loaders[i].head);
	}
	free(p.loaders);
	return run->stats.errors > 0 ? 1 : 0;
}
