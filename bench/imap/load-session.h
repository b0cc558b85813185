/* load-session.h — one client of the mix (private to load-mix.c and
 * load-ops.c): a connection that logs in, selects INBOX, runs a number of
 * operations picked by weight, expunges what it appended, logs out, and
 * starts again, until the run drains.
 *
 * States: connecting (waiting for the greeting) -> an operation in flight
 * (exactly one command outstanding at any time) -> ... -> LOGOUT done ->
 * a new connection, or finished when the run is draining. Any protocol or
 * verification failure counts an error and starts a new connection.
 *
 * Invariants: every message the session appended is in pending[] until
 * its expunge completed; the base messages (UIDs 1..messages) are never
 * expunged, so FETCH and STORE of them must always succeed.
 */
#ifndef HAFEN_BENCH_LOAD_SESSION_H
#define HAFEN_BENCH_LOAD_SESSION_H

#include "load.h"
#include "bench-rand.h"

#include <stdbool.h>
#include <stdint.h>

#define LOAD_PENDING_MAX 16 /* appended, not yet expunged */
#define LOAD_LISTVIEW    50 /* messages per list-view FETCH (at most 64) */

struct load_msgpool;

struct load_session {
	struct load_run *run;
	const struct load_msgpool *pool;
	unsigned index, user;
	struct load_conn *conn;
	struct bench_rand rnd;
	struct event *retry; /* reconnect after a failure */
	bool greeted;
	bool stopping; /* the run drains: expunge, log out, stop */
	bool finished;

	enum load_op op; /* in flight */
	unsigned phase;  /* command of the op (EXPUNGE has two) */
	unsigned op_commands;
	uint64_t op_start;
	unsigned ops_left; /* before LOGOUT */

	uint32_t exists, uidvalidity;
	uint32_t pending[LOAD_PENDING_MAX];
	unsigned npending;

	/* What the command in flight must produce. */
	uint32_t uid, uid_lo, uid_hi;
	uint64_t seen_mask; /* list view: UIDs uid_lo + bit seen */
	unsigned matches;   /* responses that answered the command */
	bool flag_add;
	bool saw_bye;
	char error[256]; /* first verification failure; "" when none */
};

struct load_op_def {
	/* Send the op's first command; false when it cannot run now (an
	 * expunge with nothing appended). */
	bool (*start)(struct load_session *s);
	/* An untagged response or a continuation while the op runs. */
	void (*untagged)(struct load_session *s, const struct imap_response *r);
	/* The command's tagged OK: 1 the op is complete, 0 it sent its next
	 * command. Failures go to load_session_fail(). */
	int (*done)(struct load_session *s, const struct imap_response *r);
};

const struct load_op_def *load_op_def(enum load_op op);
/* Record the first verification failure of the command in flight. */
void load_session_fail(struct load_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
