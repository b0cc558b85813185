/* select-qresync.h — the resynchronisation part of SELECT/EXAMINE with
 * the QRESYNC parameter (RFC 7162 3.2.5): VANISHED (EARLIER) for the
 * client's known UIDs expunged since its MODSEQ, then one
 * "* n FETCH (UID u FLAGS (...) MODSEQ (m))" per known message changed
 * since, written as the client reads so a resync of a huge mailbox never
 * sits whole in memory or in the output.
 */
#ifndef HAFEN_SERVER_SELECT_QRESYNC_H
#define HAFEN_SERVER_SELECT_QRESYNC_H

#include "imap-session.h"

/* Pages of changed messages read from the store at a time. */
#define QRESYNC_PAGE 256
/* Ranges per VANISHED (EARLIER) line (RFC 7162 allows several lines). */
#define QRESYNC_VANISHED_RANGES 512

struct store_mailbox;

/* After the mailbox was opened and its state sent: if the client's
 * UIDVALIDITY is the mailbox's, report what changed since its MODSEQ
 * (otherwise nothing, RFC 7162 3.2.5), then the tagged "OK [code] text".
 * The selected view (s->sel) bounds what is reported: messages it holds
 * and changes up to its MODSEQ; later ones come with the usual sync.
 * Returns what the handler returns; uses s->run.state and s->run.resume. */
enum cmd_result qresync_run(struct imap_session *s, const struct imap_cmd_select *p,
			    const struct store_mailbox *mb, const char *code, const char *text);

#endif
