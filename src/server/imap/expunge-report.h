/* expunge-report.h — end a command that expunged messages itself
 * (EXPUNGE, UID EXPUNGE, MOVE): report them in chunks as the client reads,
 * so even a million expunges never pile up in the output, then the tagged
 * OK. */
#ifndef HAFEN_SERVER_EXPUNGE_REPORT_H
#define HAFEN_SERVER_EXPUNGE_REPORT_H

#include "imap-session.h"
#include "lib/rangeset.h"

/* UIDs reported per step, between checks of the output. */
#define EXPUNGE_REPORT_CHUNK 1024

/* Report uids (emptied: the set is taken over) through
 * imap_selected_expunged_own() a chunk at a time, suspending while the
 * output is full, then answer "OK done_text". Returns what the handler
 * returns. Uses s->run.state and s->run.resume. */
enum cmd_result expunge_report_run(struct imap_session *s, struct rangeset *uids,
				   const char *done_text);

/* Move the lowest max members of set into chunk (emptied first). */
void expunge_report_take(struct rangeset *set, uint32_t max, struct rangeset *chunk);

#endif
