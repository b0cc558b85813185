/* imap-selected.h — the selected mailbox as this session knows it, and
 * bringing that knowledge up to date with the store (RFC 9051 7.5.1,
 * RFC 7162 for MODSEQ and VANISHED).
 *
 * The view holds what the client was told: its sequence numbers (uidmap),
 * the highest MODSEQ it has been told about, the \Recent UIDs of this
 * session, and expunges not yet reported because the moment did not allow
 * it. imap_selected_sync() compares with the store and writes the
 * untagged EXPUNGE/VANISHED, FETCH (FLAGS) and EXISTS/RECENT responses.
 */
#ifndef HAFEN_SERVER_IMAP_SELECTED_H
#define HAFEN_SERVER_IMAP_SELECTED_H

#include "uidmap.h"
#include "lib/rangeset.h"

#include <stdbool.h>
#include <stdint.h>

struct imap_session;
struct imap_seqset;

struct imap_selected {
	int64_t mailbox_id;
	char *name; /* canonical UTF-8 name */
	uint32_t uidvalidity;
	bool read_only; /* EXAMINE */
	bool condstore; /* report MODSEQ in unsolicited FETCH */
	struct uidmap map;
	uint64_t modseq;        /* changes up to here were reported */
	struct rangeset recent; /* \Recent for this session (RFC 3501) */
	struct rangeset pending_expunge;
	/* While pending_expunge is not empty: a MODSEQ below every one of
	 * those expunges (what the view had reported before the first). */
	uint64_t expunge_floor;
	/* This session's own flag change: its FETCH was sent by STORE, so the
	 * next sync skips these UIDs at this MODSEQ. */
	uint64_t self_modseq;
	struct rangeset self_uids;
	/* The keywords the client was last told in FLAGS, " a b c " form. */
	char *keywords_sent;
};

struct store_mailbox;

/* Build the view of mailbox (UTF-8 name) from the store: its UIDs, and
 * for a read-write open the \Recent messages it claims. *mb_r gets the
 * mailbox's state for the SELECT responses. Returns STORE_OK or a store
 * error (STORE_ERR_NOSELECT for a \Noselect mailbox). */
int imap_selected_open(struct imap_session *s, const char *mailbox, bool read_only,
		       struct store_mailbox *mb_r, struct imap_selected **sel_r);
void imap_selected_free(struct imap_selected **selp);

/* Send FLAGS and PERMANENTFLAGS for the selected mailbox (SELECT, and
 * again when a keyword new to the mailbox appears: RFC 9051 7.3.5). */
void imap_selected_send_flags(struct imap_session *s);
/* Send FLAGS again if one of these keywords is new to the client (before
 * a STORE's own FETCH responses use it). */
void imap_selected_announce_keywords(struct imap_session *s, const char *const *kw, size_t n);

/* Report changes from the store. allow_expunge: whether EXPUNGE/VANISHED
 * may be sent now (RFC 9051 7.5.1). Returns 0, or -1 when the mailbox is
 * gone (the caller ends the session with BYE). */
int imap_selected_sync(struct imap_session *s, bool allow_expunge);

/* The UIDs a sequence set (uid false) or UID set (uid true) names, for a
 * command. "$" uses the saved search result. For sequence numbers, a
 * number above EXISTS, or "*" when the mailbox is empty, is an error: -1
 * (the caller answers BAD). UID sets keep only UIDs present in the view. */
int imap_selected_resolve(struct imap_session *s, const struct imap_seqset *set, bool uid,
			  struct rangeset *uids_r);

/* The HIGHESTMODSEQ this session may announce: everything up to it was
 * reported, so a client that resyncs from it loses nothing (the view's
 * MODSEQ, or expunge_floor while expunges wait; RFC 7162 3.2). */
uint64_t imap_selected_highestmodseq(const struct imap_selected *sel);

/* Remember a flag change this session reported itself. */
void imap_selected_note_own(struct imap_selected *sel, uint32_t uid, uint64_t modseq);

/* This session expunged uids itself (EXPUNGE, UID EXPUNGE, MOVE): report
 * them now, with any expunge still pending from other sessions, as
 * "* n EXPUNGE" in ascending order, each number as it is after the
 * earlier ones (RFC 9051 7.5.1), or as VANISHED once QRESYNC is on; and
 * drop them from the view, so a later sync does not report them again.
 * UIDs not in the view are ignored. Only for a command during which
 * expunges may be sent. */
void imap_selected_expunged_own(struct imap_session *s, const struct rangeset *uids);

#endif
