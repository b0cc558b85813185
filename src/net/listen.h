/* listen.h — listener specs ("imap=127.0.0.1:143", "lmtp=unix:/run/hafen/lmtp")
 * and the sockets bound from them by the supervisor before it drops privileges.
 *
 * Spec grammar:   PROTO "=" ADDR ":" PORT   |   PROTO "=unix:" ABSOLUTE-PATH
 *   PROTO  one word from the caller's list (imap, imaps, lmtp, ...), any case
 *   ADDR   an IPv4 address, "[" IPv6 "]", a host name, or "*" (every address)
 *   PORT   1..65535, decimal
 *
 * How workers get the sockets: every socket is created close-on-exec and
 * the supervisor fork()s its workers without exec, so the children simply
 * inherit the open descriptors. A supervisor that exec()s a helper which
 * must inherit them calls listen_set_inheritable(set, true) first.
 *
 * Errors are one line naming the listener and the problem, fit for the log
 * and the terminal ("imap: 127.0.0.1:143 is already in use"). The text lives
 * in a buffer of this module and stays valid until the next listen_* call.
 */
#ifndef HAFEN_NET_LISTEN_H
#define HAFEN_NET_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest spec accepted, and longest host name (RFC 1035 section 2.3.4). */
#define LISTEN_SPEC_MAX 1024
#define LISTEN_HOST_MAX 253
/* listen(2) backlog when the options leave it 0. */
#define LISTEN_DEFAULT_BACKLOG 1024
/* Mode of a unix socket when the options leave it 0: the MTA that talks
 * LMTP runs as another user, so everybody may connect by default. */
#define LISTEN_DEFAULT_UNIX_MODE 0666

struct listen_spec {
	const char *proto; /* the caller's own string from the allowed list */
	bool is_unix;
	char *host;    /* NULL for "*"; an IPv6 address without brackets */
	uint16_t port; /* 0 for unix sockets */
	char *path;    /* unix sockets only */
};

/* Parse `text` into *spec_r (which the caller clears with listen_spec_clear).
 * protos: NULL-terminated list of allowed protocol words.
 * Returns 0, or -1 with *error_r set and *spec_r left empty. */
int listen_spec_parse(const char *text, const char *const *protos, struct listen_spec *spec_r,
		      const char **error_r);
/* Free what the spec owns; the struct is empty afterwards. Accepts an empty spec. */
void listen_spec_clear(struct listen_spec *spec);

struct listen_options {
	int backlog;      /* 0: LISTEN_DEFAULT_BACKLOG */
	mode_t unix_mode; /* 0: LISTEN_DEFAULT_UNIX_MODE */
	uid_t unix_uid;   /* (uid_t)-1: leave the owner as it is */
	gid_t unix_gid;   /* (gid_t)-1: leave the group as it is */
};
/* Defaults: backlog 1024, mode 0666, owner and group unchanged. */
#define LISTEN_OPTIONS_INIT                                                                        \
	{                                                                                          \
		0, 0, (uid_t)-1, (gid_t)-1                                                         \
	}

/* One bound, listening, non-blocking, close-on-exec socket. */
struct listener {
	int fd;
	const char *proto; /* the spec's proto */
	char *name;        /* "127.0.0.1:143", "[::]:993", "unix:/run/hafen/lmtp" */
	char *path;        /* unix socket path (the file to remove on exit), else NULL */
};

/* The sockets of every spec bound so far. Zero-initialised is empty. */
struct listen_set {
	struct listener *items;
	size_t count;
};

/* Bind every address of `spec` and append the sockets to `set`. "*" binds
 * 0.0.0.0 and [::] (the latter IPV6_V6ONLY, so both can coexist); a host
 * name binds each address it resolves to. TCP sockets get SO_REUSEADDR so a
 * restart does not wait for TIME_WAIT. A unix socket replaces a stale
 * socket file (one nobody accepts on) but never any other kind of file.
 * All or nothing per spec: on failure nothing of this spec stays open.
 * opts may be NULL for LISTEN_OPTIONS_INIT. Returns 0, or -1 with *error_r set. */
int listen_set_bind(struct listen_set *set, const struct listen_spec *spec,
		    const struct listen_options *opts, const char **error_r);
/* Close every socket. With unlink_paths, also remove the unix socket files
 * (the supervisor does this on exit; workers must not). The set is empty
 * afterwards. Accepts an empty set. */
void listen_set_close(struct listen_set *set, bool unlink_paths);
/* Set (inheritable true) or clear FD_CLOEXEC on every socket, for a
 * supervisor that hands the sockets to an exec()ed program. Returns 0 or -1
 * with *error_r set. */
int listen_set_inheritable(struct listen_set *set, bool inheritable, const char **error_r);

/* The one-line message for a failed bind(2) of TCP address `host` (numeric,
 * IPv6 without brackets) and `port`, given the errno value; exposed for tests. */
const char *listen_bind_error_text(const char *proto, const char *host, unsigned port, int errnum);

#endif
