/* admin-deliver.c — `hafend deliver --data DIR [-f SENDER] [-a ADDRESS]
 * [-m MAILBOX] USER < message`: a local delivery agent for MTAs that pipe
 * (Postfix mailbox_command or a pipe(8) transport, Exim's pipe transport,
 * procmail). Same headers and durability as LMTP; the exit code says what
 * happened, in sysexits(3) terms, and a failure prints one line on
 * standard error that the MTA quotes in its bounce:
 *   0   delivered (durable)
 *   65  EX_DATAERR   empty or oversized message
 *   67  EX_NOUSER    no such user
 *   73  EX_CANTCREAT over quota (lmtp_quota_tempfail = no)
 *   75  EX_TEMPFAIL  disk, database or lock trouble, over quota with
 *                    lmtp_quota_tempfail = yes: the MTA retries later
 */
#include "admin.h"
#include "server/deliver/deliver-rcpt.h"
#include "server/deliver/deliver.h"
#include "server/privileges.h"
#include "server/user-store.h"
#include "auth/userdb.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EX_CANTCREAT_ 73

struct deliver_args {
	const char *sender, *address, *mailbox, *user;
	char sender_buf[DELIVER_ADDR_MAX + 1];
};

static int fail(int code, const char *status, const char *fmt, ...) HF_PRINTF(3, 4);

static int fail(int code, const char *status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hafend deliver: %s ", status);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* Standard input, whole, up to max bytes: 0, 1 when larger, -1 on error. */
static int read_message(struct buf *out, uint64_t max)
{
	for (;;) {
		ssize_t n;

		buf_reserve(out, 65536);
		n = read(STDIN_FILENO, out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		if (out->len > max)
			return 1;
	}
}

/* A leading mbox "From sender date" line (procmail, Postfix's F flag) is
 * not part of the message; its sender serves when -f was not given. */
static size_t skip_from_line(const struct buf *msg, struct deliver_args *a)
{
	const char *p = (const char *)msg->data;
	const char *nl;
	size_t n;

	if (msg->len < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	nl = memchr(p, '\n', msg->len);
	if (nl == NULL)
		return 0;
	n = strcspn(p + 5, " \r\n");
	if (a->sender == NULL && n <= DELIVER_ADDR_MAX && p + 5 + n <= nl) {
		memcpy(a->sender_buf, p + 5, n);
		a->sender_buf[n] = '\0';
		/* "MAILER-DAEMON" is how mbox writes the null sender. */
		a->sender = strcmp(a->sender_buf, "MAILER-DAEMON") == 0 ? "" : a->sender_buf;
	}
	return (size_t)(nl - p) + 1;
}

static int parse_args(int argc, char **argv, struct deliver_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char **slot = strcmp(argv[i], "-f") == 0   ? &a->sender
				    : strcmp(argv[i], "-a") == 0 ? &a->address
				    : strcmp(argv[i], "-m") == 0 ? &a->mailbox
								 : NULL;

		if (slot != NULL && i + 1 < argc)
			*slot = argv[++i];
		else if (slot == NULL && argv[i][0] != '-' && a->user == NULL)
			a->user = argv[i];
		else
			return -1;
	}
	return a->user == NULL ? -1 : 0;
}

/* The user's store, created if the user never logged in. Another process
 * may be creating it right now (the directory exists, store.db not yet):
 * then provisioning, which waits for that creation's transaction and
 * leaves what exists alone, is tried once before giving up. */
static int open_store(const struct server_config *cfg, const char *user, struct store **s_r,
		      const char **error_r)
{
	char *dir = user_store_dir_path(cfg->data_dir, user);
	struct stat sb;
	int ret = 0;

	if (stat(dir, &sb) < 0 && user_store_provision(cfg->data_dir, user, error_r) < 0)
		ret = -1;
	if (ret == 0 && store_open(dir, 0, s_r, error_r) != STORE_OK &&
	    (user_store_provision(cfg->data_dir, user, error_r) < 0 ||
	     store_open(dir, 0, s_r, error_r) != STORE_OK))
		ret = -1;
	free(dir);
	return ret;
}

static int exit_code(const struct server_config *cfg, enum deliver_result res, const char *address,
		     const char *error)
{
	switch (res) {
	case DELIVER_OK:
		return 0;
	case DELIVER_OVERQUOTA:
		if (cfg->lmtp_quota_tempfail)
			return fail(EX_TEMPFAIL_, "4.2.2", "<%s>: mailbox full", address);
		return fail(EX_CANTCREAT_, "5.2.2", "<%s>: mailbox full", address);
	case DELIVER_TOOBIG:
		return fail(EX_DATAERR_, "5.3.4", "<%s>: message too big", address);
	case DELIVER_TEMPFAIL:
		break;
	}
	return fail(EX_TEMPFAIL_, "4.3.0", "temporary failure: %s", error);
}

/* Resolve, open, write: the exit code. */
static int deliver_one(const struct server_config *cfg, struct deliver_args *a,
		       const struct buf *msg, size_t skip)
{
	struct deliver_rcpt r;
	struct userdb *db = NULL;
	struct store *s = NULL;
	struct deliver_message *m;
	const char *error = "", *used;
	char *path = server_config_data_path(cfg, "users.db");
	char id[64];
	enum deliver_result res;
	int ret = userdb_open(path, NULL, &db, &error);

	free(path);
	if (ret != USERDB_OK)
		return fail(EX_TEMPFAIL_, "4.3.0", "user database: %s", error);
	ret = deliver_rcpt_resolve(db, cfg, a->user, &r, &error);
	userdb_close(&db);
	if (ret == DELIVER_RCPT_UNKNOWN)
		return fail(EX_NOUSER_, "5.1.1", "<%s>: user unknown", a->user);
	if (ret != DELIVER_RCPT_OK)
		return fail(EX_TEMPFAIL_, "4.3.0", "user database: %s", error);
	if (open_store(cfg, r.user, &s, &error) < 0)
		return fail(EX_TEMPFAIL_, "4.3.0", "mail store: %s", error);
	snprintf(id, sizeof(id), "%llx.%x.d", (unsigned long long)time(NULL), (unsigned)getpid());
	{
		struct deliver_envelope env = {
			.sender = a->sender != NULL ? a->sender : "",
			.protocol = "local",
			.hostname = cfg->hostname,
			.id = id,
			.for_rcpt = a->address,
			.now = (int64_t)time(NULL),
		};

		m = deliver_message_new(&env, msg->data + skip, msg->len - skip);
	}
	res = deliver_to_store(s, m, a->address, a->mailbox != NULL ? a->mailbox : r.mailbox, &used,
			       &error);
	if (res == DELIVER_OK)
		log_debug("deliver: %s: saved to %s/%s (%zu bytes)", id, r.user, used,
			  deliver_message_size(m));
	deliver_message_free(&m);
	ret = exit_code(cfg, res, a->address, error);
	store_close(&s);
	return ret;
}

static int run(struct server_config *cfg, struct deliver_args *a)
{
	struct buf msg = BUF_INIT;
	struct run_as ra;
	const char *error;
	size_t skip;
	int ret = read_message(&msg, cfg->lmtp_max_message_size);

	if (ret < 0)
		ret = fail(EX_TEMPFAIL_, "4.3.0", "reading the message: %s", strerror(errno));
	else if (ret > 0)
		ret = fail(EX_DATAERR_, "5.3.4", "%s", "message too big");
	else if ((skip = skip_from_line(&msg, a)) >= msg.len)
		ret = fail(EX_DATAERR_, "5.6.0", "%s", "empty message");
	else if (privileges_lookup(cfg->run_as, &ra, &error) < 0 ||
		 privileges_drop(&ra, &error) < 0)
		ret = fail(EX_TEMPFAIL_, "4.3.0", "%s", error);
	else
		ret = deliver_one(cfg, a, &msg, skip);
	buf_free(&msg);
	return ret;
}

int admin_deliver(int argc, char **argv)
{
	struct server_config cfg;
	struct deliver_args a;
	int ret = admin_common_options(&argc, argv, &cfg);

	memset(&a, 0, sizeof(a));
	if (ret != 0)
		return ret;
	if (parse_args(argc, argv, &a) < 0) {
		fprintf(stderr, "usage: hafend deliver --data DIR [-f SENDER] [-a ADDRESS] "
				"[-m MAILBOX] USER < message\n");
		server_config_free(&cfg);
		return EX_USAGE_;
	}
	if (a.address == NULL)
		a.address = a.user;
	log_set_ident("hafend-deliver");
	ret = run(&cfg, &a);
	server_config_free(&cfg);
	return ret;
}
