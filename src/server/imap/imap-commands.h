/* imap-commands.h — the table of IMAP commands: which states allow each,
 * whether it works on sequence numbers, and its handler in cmd-*.c. */
#ifndef HAFEN_SERVER_IMAP_COMMANDS_H
#define HAFEN_SERVER_IMAP_COMMANDS_H

#include "imap-session.h"

enum imap_cmd_flags {
	/* Works on message sequence numbers unless prefixed by UID: no
	 * EXPUNGE may be sent before its tagged reply (RFC 9051 7.5.1). */
	CMD_F_SEQS = 1 << 0,
	/* Changes the selected mailbox; a read-only (EXAMINE) session gets NO. */
	CMD_F_WRITE = 1 << 1,
};

struct imap_cmd_def {
	enum imap_command_kind kind;
	unsigned states; /* enum imap_state */
	unsigned flags;  /* enum imap_cmd_flags */
	cmd_run_fn *run;
};

/* The definition of a command kind; NULL when hafend does not implement it. */
const struct imap_cmd_def *imap_cmd_def_find(enum imap_command_kind kind);

/* Handlers, one family per file. */
cmd_run_fn cmd_capability, cmd_noop, cmd_logout;              /* cmd-any.c */
cmd_run_fn cmd_starttls;                                      /* cmd-starttls.c */
cmd_run_fn cmd_login, cmd_authenticate;                       /* cmd-auth.c */
cmd_run_fn cmd_enable, cmd_id;                                /* cmd-enable.c */
cmd_run_fn cmd_select, cmd_close, cmd_unselect;               /* cmd-select.c */
cmd_run_fn cmd_idle;                                          /* cmd-idle.c */
cmd_run_fn cmd_list;                                          /* cmd-list.c: LIST, LSUB */
cmd_run_fn cmd_create, cmd_delete, cmd_rename, cmd_subscribe; /* cmd-mailbox.c */
cmd_run_fn cmd_status;                                        /* cmd-status.c */
cmd_run_fn cmd_namespace;                                     /* cmd-namespace.c */
cmd_run_fn cmd_fetch;                                         /* cmd-fetch.c */
cmd_run_fn cmd_search;                                        /* cmd-search.c */
cmd_run_fn cmd_sort;                                          /* search-sort.c */
cmd_run_fn cmd_thread;                                        /* search-thread-cmd.c */
cmd_run_fn cmd_append;                                        /* cmd-append.c */
cmd_run_fn cmd_store;                                         /* cmd-store.c */
cmd_run_fn cmd_copy;                                          /* cmd-copy.c: COPY, MOVE */
cmd_run_fn cmd_expunge;                                       /* cmd-expunge.c */
cmd_run_fn cmd_compress;                                      /* cmd-compress.c */
cmd_run_fn cmd_notify;                                        /* cmd-notify.c */
cmd_run_fn cmd_getquota, cmd_getquotaroot, cmd_setquota;      /* cmd-quota.c */

/* Capabilities each family adds after login (appended as " NAME"). */
void caps_list(struct imap_session *s, struct buf *out);     /* cmd-list.c */
void caps_compress(struct imap_session *s, struct buf *out); /* cmd-compress.c */
void caps_select(struct imap_session *s, struct buf *out);   /* cmd-select.c */
void caps_fetch(struct imap_session *s, struct buf *out);    /* cmd-fetch.c */
void caps_search(struct imap_session *s, struct buf *out);   /* cmd-search.c */
void caps_append(struct imap_session *s, struct buf *out);   /* cmd-append.c */
void caps_quota(struct imap_session *s, struct buf *out);    /* cmd-quota.c */
void caps_notify(struct imap_session *s, struct buf *out);   /* cmd-notify.c */

/* Used by the session to continue modes that read raw lines. */
void cmd_idle_line(struct imap_session *s, const char *line, size_t len);
void cmd_authenticate_line(struct imap_session *s, const char *line, size_t len);
/* IDLE's periodic "* OK Still here" and push of changes. */
void cmd_idle_changed(struct imap_session *s);

#endif
