/* mime-subject.c — the base subject of RFC 5256 section 2.1, for SORT
 * SUBJECT and THREAD=ORDEREDSUBJECT / REFERENCES.
 *
 * ABNF of section 5 used here:
 *   subj-trailer = "(fwd)" / WSP
 *   subj-leader  = (*subj-blob subj-refwd) / WSP
 *   subj-blob    = "[" *BLOBCHAR "]" *WSP      BLOBCHAR: CHAR but "[" "]"
 *   subj-refwd   = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
 *   subj-fwd-hdr = "[fwd:"   subj-fwd-trl = "]"
 * After step 1, WSP is a single space.
 */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

struct subj {
	const unsigned char *s;
	size_t start, end;
};

/* The end of the subj-blob at pos (after its trailing spaces), or 0. */
static size_t blob_end(const struct subj *j, size_t pos)
{
	size_t i;

	if (pos >= j->end || j->s[pos] != '[')
		return 0;
	for (i = pos + 1; i < j->end && j->s[i] != ']'; i++)
		if (j->s[i] == '[' || j->s[i] == 0 || j->s[i] >= 0x80)
			return 0;
	if (i >= j->end)
		return 0;
	for (i++; i < j->end && j->s[i] == ' '; i++)
		;
	return i;
}

/* The end of the subj-refwd at pos, or 0. */
static size_t refwd_end(const struct subj *j, size_t pos)
{
	const unsigned char *s = j->s;
	size_t i = pos, b;

	if (j->end - pos >= 2 && str_has_prefix_ci((const char *)s + pos, 2, "re"))
		i = pos + 2;
	else if (j->end - pos >= 2 && str_has_prefix_ci((const char *)s + pos, 2, "fw"))
		i = pos + 2 + (pos + 2 < j->end && ascii_tolower(s[pos + 2]) == 'd');
	else
		return 0;
	while (i < j->end && s[i] == ' ')
		i++;
	b = blob_end(j, i);
	if (b != 0)
		i = b;
	return i < j->end && s[i] == ':' ? i + 1 : 0;
}

static void remove_trailers(struct subj *j, bool *reply)
{
	while (j->end > j->start) {
		if (j->s[j->end - 1] == ' ')
			j->end--;
		else if (j->end - j->start >= 5 &&
			 str_has_prefix_ci((const char *)j->s + j->end - 5, 5, "(fwd)")) {
			j->end -= 5;
			*reply = true;
		} else
			break;
	}
}

/* Steps 3 to 5. A leader attempt that failed after a run of blobs fails
 * again while the start stays inside that run, which keeps a subject of
 * many blobs linear. */
static void remove_leaders(struct subj *j, bool *reply)
{
	size_t failed_at = SIZE_MAX;

	for (;;) {
		size_t p, r, b;

		if (j->start < j->end && j->s[j->start] == ' ') {
			j->start++;
			continue;
		}
		if (failed_at == SIZE_MAX || j->start > failed_at) {
			for (p = j->start; (b = blob_end(j, p)) != 0; p = b)
				;
			r = refwd_end(j, p);
			if (r != 0) {
				j->start = r;
				*reply = true;
				failed_at = SIZE_MAX;
				continue;
			}
			failed_at = p;
		}
		/* Step 4: a leading blob goes when something is left after it. */
		b = blob_end(j, j->start);
		if (b != 0 && b < j->end) {
			j->start = b;
			continue;
		}
		return;
	}
}

void mime_base_subject(const char *subject, size_t len, struct buf *out, bool *is_reply_fwd_r)
{
	struct buf norm = BUF_INIT;
	struct subj j;
	bool reply = false;

	/* Step 1: tabs and line breaks are spaces, runs of spaces one. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)subject[i];

		if (c == '\t' || c == '\r' || c == '\n')
			c = ' ';
		if (c == ' ' && norm.len > 0 && norm.data[norm.len - 1] == ' ')
			continue;
		buf_append_byte(&norm, c);
	}
	j.s = norm.data != NULL ? norm.data : (const unsigned char *)"";
	j.start = 0;
	j.end = norm.len;
	for (;;) {
		remove_trailers(&j, &reply); /* step 2 */
		remove_leaders(&j, &reply);
		/* Step 6: "[fwd:" base "]" */
		if (j.end - j.start >= 6 &&
		    str_has_prefix_ci((const char *)j.s + j.start, j.end - j.start, "[fwd:") &&
		    j.s[j.end - 1] == ']') {
			j.start += 5;
			j.end--;
			reply = true;
			continue;
		}
		break;
	}
	buf_append(out, j.s + j.start, j.end - j.start);
	buf_free(&norm);
	if (is_reply_fwd_r != NULL)
		*is_reply_fwd_r = reply;
}
