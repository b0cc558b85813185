/* expunge-report.c — a command's own expunges, reported resumably (see
 * expunge-report.h). While the command is suspended no other command runs
 * and no sync happens, so the view keeps the UIDs still to be reported
 * and every "* n EXPUNGE" is numbered against the view as it is then. */
#include "expunge-report.h"
#include "imap-selected.h"
#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

struct expunge_report {
	struct rangeset left;
	char *done_text;
	bool any; /* at least one message went */
};

static void report_free(void *ctx)
{
	struct expunge_report *r = ctx;

	rangeset_free(&r->left);
	free(r->done_text);
	free(r);
}

void expunge_report_take(struct rangeset *set, uint32_t max, struct rangeset *chunk)
{
	uint64_t room = max;

	rangeset_clear(chunk);
	for (size_t i = 0; i < set->count && room > 0; i++) {
		uint64_t size = (uint64_t)set->r[i].hi - set->r[i].lo + 1;
		uint32_t hi = size <= room ? set->r[i].hi : set->r[i].lo + (uint32_t)(room - 1);

		rangeset_add_range(chunk, set->r[i].lo, hi);
		room -= size <= room ? size : room;
	}
	rangeset_subtract(set, chunk);
}

/* RFC 7162 3.2.7, 3.2.9 and RFC 6851 4.4: once CONDSTORE is on, a
 * command that removed messages tells the mailbox's new HIGHESTMODSEQ in
 * its tagged OK, taken after the view caught up with the store. */
static void finish(struct imap_session *s, const struct expunge_report *r)
{
	char code[48];

	if (!r->any || !s->sel->condstore) {
		session_tagged(s, IMAP_COND_OK, NULL, "%s", r->done_text);
		return;
	}
	(void)imap_selected_sync(s, true);
	snprintf(code, sizeof(code), "HIGHESTMODSEQ %llu",
		 (unsigned long long)imap_selected_highestmodseq(s->sel));
	session_tagged(s, IMAP_COND_OK, code, "%s", r->done_text);
}

static enum cmd_result report_resume(struct imap_session *s, struct imap_command *cmd)
{
	struct expunge_report *r = s->run.state;
	struct rangeset chunk = RANGESET_INIT;

	(void)cmd;
	while (!rangeset_is_empty(&r->left)) {
		if (session_output_full(s)) {
			rangeset_free(&chunk);
			s->run.resume = report_resume;
			return CMD_SUSPEND;
		}
		expunge_report_take(&r->left, EXPUNGE_REPORT_CHUNK, &chunk);
		imap_selected_expunged_own(s, &chunk);
	}
	rangeset_free(&chunk);
	finish(s, r);
	return CMD_DONE;
}

enum cmd_result expunge_report_run(struct imap_session *s, struct rangeset *uids,
				   const char *done_text)
{
	struct expunge_report *r = xcalloc(1, sizeof(*r));

	r->any = !rangeset_is_empty(uids);
	r->left = *uids;
	memset(uids, 0, sizeof(*uids));
	r->done_text = xstrdup(done_text);
	s->run.state = r;
	s->run.free_state = report_free;
	return report_resume(s, s->run.cmd);
}
