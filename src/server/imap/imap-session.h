/* imap-session.h — one IMAP connection: its state machine, the command
 * loop, output helpers, and what command handlers (cmd-*.c) may use.
 *
 * States (RFC 9051 section 3): NOT_AUTHENTICATED -> AUTHENTICATED <->
 * SELECTED -> LOGOUT. On top of them a session is, at any moment, in one
 * mode:
 *   READING     parsing input and running commands one after another;
 *   RUNNING     a command is suspended (its output is above the
 *               high-water mark, or it waits for a timer) and resumes
 *               from cmd->resume; input is not parsed meanwhile;
 *   IDLE        IDLE is running: changes are pushed at once, the next
 *               line must be DONE (RFC 2177);
 *   SASL        AUTHENTICATE is waiting for a client response line;
 *   DELAY       a failed login waits before its reply (brute force);
 *   CLOSING     BYE sent, flushing, then the conn closes.
 * Invariants: exactly one command runs at a time; a tagged reply ends it
 * (session_tagged); untagged updates about the selected mailbox go out
 * only where RFC 9051 7.5.1 allows (never an EXPUNGE during FETCH, STORE
 * or SEARCH by sequence number).
 */
#ifndef HAFEN_SERVER_IMAP_SESSION_H
#define HAFEN_SERVER_IMAP_SESSION_H

#include "imap/imap-command.h"
#include "imap/imap-parser.h"
#include "lib/buf.h"
#include "server/user-store.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct worker;
struct conn;
struct event;
struct store;
struct imap_selected;
struct sasl_server;
struct append_sink;
struct notify;

enum imap_state {
	IMAP_STATE_NOT_AUTH = 1 << 0,
	IMAP_STATE_AUTH = 1 << 1,
	IMAP_STATE_SELECTED = 1 << 2,
	IMAP_STATE_LOGOUT = 1 << 3,
};
#define IMAP_STATE_ANY       (IMAP_STATE_NOT_AUTH | IMAP_STATE_AUTH | IMAP_STATE_SELECTED)
#define IMAP_STATE_LOGGED_IN (IMAP_STATE_AUTH | IMAP_STATE_SELECTED)

enum imap_mode {
	IMAP_MODE_READING,
	IMAP_MODE_RUNNING,
	IMAP_MODE_IDLE,
	IMAP_MODE_SASL,
	IMAP_MODE_DELAY,
	IMAP_MODE_CLOSING,
};

/* Extensions the client turned on with ENABLE (RFC 5161) or otherwise. */
enum imap_enabled {
	IMAP_ENABLED_CONDSTORE = 1 << 0,
	IMAP_ENABLED_QRESYNC = 1 << 1,
	IMAP_ENABLED_UTF8 = 1 << 2, /* UTF8=ACCEPT */
	IMAP_ENABLED_REV2 = 1 << 3, /* IMAP4rev2 */
};

/* What a handler returns. */
enum cmd_result {
	CMD_DONE,    /* the tagged reply was written */
	CMD_SUSPEND, /* call cmd_resume later (output drained, timer, DONE) */
};

struct imap_session;
typedef enum cmd_result cmd_run_fn(struct imap_session *s, struct imap_command *cmd);

/* The running command. */
struct imap_running {
	struct imap_command *cmd;
	const struct imap_cmd_def *def;
	/* For a suspended command: called when the output drained. */
	cmd_run_fn *resume;
	void *state; /* the handler's own, freed by free_state */
	void (*free_state)(void *state);
};

struct imap_session {
	struct worker *w;
	struct conn *conn;
	struct imap_parser *parser;
	enum imap_state state;
	enum imap_mode mode;
	unsigned enabled;  /* enum imap_enabled */
	char peer[64];     /* for logs */
	char addr_key[48]; /* auth guard key */
	bool addr_counted; /* counted in the guard's connection table */
	bool user_counted;
	bool secure; /* TLS or local: plaintext auth allowed */
	bool tls;    /* implicit TLS, or STARTTLS begun */
	char *user;  /* canonical user name once logged in */
	struct user_store *ustore;
	struct user_store_listener listener;
	struct event *wake;           /* deferred "store changed" */
	struct event *timer;          /* auth delay, IDLE keepalive */
	struct event *login_deadline; /* before login: the absolute time limit */
	struct imap_selected *sel;    /* the selected mailbox, or NULL */
	struct imap_running run;
	struct sasl_server *sasl;     /* AUTHENTICATE in progress */
	char *idle_tag;               /* IDLE in progress: its tag (cmd-idle.c) */
	struct buf out;               /* scratch for composing a response */
	struct rangeset search_saved; /* SEARCHRES "$" (UIDs) */
	bool search_saved_valid;
	unsigned auth_failures;          /* on this connection */
	unsigned bad_commands;           /* consecutive protocol errors */
	bool tls_started;                /* STARTTLS: stop reading this callback's input */
	struct append_sink *append_sink; /* large APPEND literals, once logged in */
	struct notify *notify;           /* NOTIFY (notify.h): NULL until the first one */
	uint64_t commands;
};

/* ---- for the worker ---- */

/* A new connection from an acceptor (fd now the session's), or stdio when
 * preauth_user is set (hafend imap --stdio). */
struct imap_session *imap_session_new(struct worker *w, int fd, const struct sockaddr *peer,
				      socklen_t peer_len, bool implicit_tls);
struct imap_session *imap_session_new_stdio(struct worker *w, int in_fd, int out_fd,
					    const char *preauth_user);

/* ---- output ---- */

/* Append to the connection's output. */
void session_write(struct imap_session *s, const void *data, size_t len);
/* "* " fmt CRLF. */
void session_untagged(struct imap_session *s, const char *fmt, ...) HF_PRINTF(2, 3);
/* Send s->out followed by CRLF, then empty it. */
void session_send_line(struct imap_session *s);
/* Finish the running command: send the pending mailbox updates this
 * command allows, then "tag cond [code] text". code may be NULL. */
void session_tagged(struct imap_session *s, enum imap_status_cond cond, const char *code,
		    const char *fmt, ...) HF_PRINTF(4, 5);
/* A tagged NO/BAD for a store error, with the right response code. */
void session_store_error(struct imap_session *s, int err);
/* Append a mailbox name in the client's form: modified UTF-7 as an
 * astring for IMAP4rev1 clients, UTF-8 once UTF8=ACCEPT or IMAP4rev2 is on. */
void session_write_mailbox(struct imap_session *s, struct buf *out, const char *utf8_name);
/* Decode a mailbox name the client sent into UTF-8 (caller frees);
 * -1 with a tagged BAD already sent when it is not valid. */
int session_read_mailbox(struct imap_session *s, const char *wire, char **utf8_r);
/* Flags as "(\Seen $Label)" from a bitmask and keyword string. */
void session_write_flags(struct buf *out, unsigned flags, const char *keywords, bool recent);
struct store_mailbox;
/* A LIST attribute list: \Noselect, \HasChildren or \HasNoChildren and
 * the special-use attributes, which plain LIST shows too (INTEROP.md 7). */
void session_write_mailbox_attrs(struct buf *out, const struct store_mailbox *mb, bool children);
bool session_mailbox_has_children(struct imap_session *s, const char *name);
/* Is the output above the high-water mark? Then suspend with CMD_SUSPEND
 * after setting s->run.resume. */
bool session_output_full(struct imap_session *s);

/* ---- state ---- */

struct store *session_store(struct imap_session *s);
bool session_rev2(const struct imap_session *s);
/* A CONDSTORE enabling command ran (RFC 7162 3.1: ENABLE, SELECT/EXAMINE
 * (CONDSTORE), STATUS (HIGHESTMODSEQ), FETCH MODSEQ or CHANGEDSINCE, STORE
 * UNCHANGEDSINCE, SEARCH/SORT MODSEQ): the first one with a mailbox
 * selected reports its HIGHESTMODSEQ in an untagged OK, and from then on
 * every untagged FETCH carries MODSEQ, in this and later mailboxes. */
void session_enable_condstore(struct imap_session *s);
/* Called by LOGIN/AUTHENTICATE when credentials are right: limits,
 * store, state. Returns 0, or -1 with a tagged NO already sent. */
int session_login(struct imap_session *s, const char *user);
/* Set the parser's limits for a logged-in session: APPENDLIMIT, max_line,
 * the literal sink, and UTF-8 checking of quoted strings once UTF8=ACCEPT
 * or IMAP4rev2 is enabled. Called at login and by ENABLE. */
void session_update_parser_limits(struct imap_session *s);
/* A suspended command (timer, IDLE, SASL) wrote its tagged reply: free it
 * and go back to reading commands. */
void session_command_done(struct imap_session *s);
/* Stop after writing BYE (LOGOUT, fatal errors, shutdown). */
void session_close(struct imap_session *s);
/* Start TLS after the tagged OK (STARTTLS). */
int session_start_tls(struct imap_session *s, const char **error_r);
/* The capability list for the current state, space-separated. */
void session_capabilities(struct imap_session *s, struct buf *out);

#endif
