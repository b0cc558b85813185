/* search-thread.h — the THREAD algorithms of RFC 5256: ORDEREDSUBJECT
 * (section 3, "poor man's threading") and REFERENCES (section 3, six
 * steps). Pure computation over messages already reduced to what the
 * algorithms read; the command (search-thread-cmd.c) gathers them.
 *
 * Limits: time is O(n log n) in the number of messages plus linear in
 * the references, except for the loop checks of REFERENCES step 1, which
 * walk up at most THREAD_MAX_WALK ancestors: a link whose check would go
 * deeper is treated as a loop and not made. Real threads are far less
 * deep; the bound keeps hostile References chains from costing n^2.
 * Nothing recurses, so deep threads need no stack.
 */
#ifndef HAFEN_SERVER_IMAP_SEARCH_THREAD_H
#define HAFEN_SERVER_IMAP_SEARCH_THREAD_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THREAD_MAX_WALK 1000

/* One matching message. Strings are borrowed for the call. */
struct thread_msg {
	uint32_t number;         /* what the response shows: UID or sequence number */
	int64_t sent;            /* sent date (RFC 5256 2.2), UTC seconds */
	const char *subject;     /* base subject, i;unicode-casemap prepared; "" if none */
	bool reply;              /* the original subject marked a reply or forward */
	const char *message_id;  /* normalised msg-id, NULL when none */
	const char *const *refs; /* normalised references, oldest first */
	size_t nrefs;
};

/* msgs[0..n) are in mailbox order (ascending sequence number), which
 * breaks ties between equal sent dates. Each appends the threads in
 * THREAD response form ("(1 2)(3 (4)(5))"; nothing when n is 0) to out. */
void thread_orderedsubject(const struct thread_msg *msgs, size_t n, struct buf *out);
void thread_references(const struct thread_msg *msgs, size_t n, struct buf *out);

#endif
