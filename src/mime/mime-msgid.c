/* mime-msgid.c — what SORT and THREAD read from header fields: msg-ids
 * (RFC 5256 section 3, REFERENCES) and the first address of a list
 * (RFC 5256 SORT FROM/TO/CC, RFC 5957 SORT DISPLAY). */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

size_t mime_msgids_parse(struct arena *a, const void *value, size_t len, const char ***ids_r)
{
	const unsigned char *s = value;
	const char **ids = NULL;
	size_t count = 0, cap = 0, pos = 0;

	while (pos < len) {
		size_t end;

		if (s[pos] == '(') {
			mime_skip_comment(s, len, &pos);
			continue;
		}
		if (s[pos] == '"') {
			/* A quoted string outside <> is skipped whole. */
			for (pos++; pos < len && s[pos] != '"'; pos++)
				if (s[pos] == '\\')
					pos++;
			pos++;
			continue;
		}
		if (s[pos] != '<') {
			pos++;
			continue;
		}
		for (end = pos + 1; end < len && s[end] != '>' && s[end] != '<' &&
				    !ascii_isspace(s[end]) && s[end] != '\0';
		     end++)
			;
		if (end >= len || s[end] != '>' || end == pos + 1) {
			pos = end > pos + 1 ? end : pos + 1;
			continue;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 8;

			ids = arena_realloc(a, ids, cap * sizeof(*ids), ncap * sizeof(*ids));
			cap = ncap;
		}
		ids[count++] = arena_strndup(a, (const char *)s + pos, end + 1 - pos);
		pos = end + 1;
	}
	*ids_r = ids;
	return count;
}

int mime_first_address(struct arena *a, const void *value, size_t len,
		       struct mime_sort_address *addr_r)
{
	struct mime_address *addrs;
	size_t n = mime_address_list_parse(a, value, len, &addrs);

	for (size_t i = 0; i < n; i++) {
		struct buf b = BUF_INIT;

		if (addrs[i].group_start || addrs[i].group_end)
			continue;
		addr_r->mailbox = addrs[i].mailbox;
		addr_r->host = addrs[i].host;
		if (addrs[i].name != NULL)
			mime_header_decode(addrs[i].name, strlen(addrs[i].name), &b);
		addr_r->display_name =
			arena_strndup(a, b.data != NULL ? (const char *)b.data : "", b.len);
		buf_free(&b);
		return 0;
	}
	return -1;
}

static size_t field_msgids(const struct mime_message *msg, struct arena *a, enum mime_hdr h,
			   const char ***ids_r)
{
	const unsigned char *v;
	size_t len;

	*ids_r = NULL;
	if (!mime_part_known_value(msg->root, h, &v, &len))
		return 0;
	return mime_msgids_parse(a, v, len, ids_r);
}

void mime_thread_ids(const struct mime_message *msg, struct arena *a, struct mime_thread_ids *ids_r)
{
	const char **ids;

	ids_r->message_id = field_msgids(msg, a, MIME_H_MESSAGE_ID, &ids) > 0 ? ids[0] : NULL;
	ids_r->reference_count = field_msgids(msg, a, MIME_H_REFERENCES, &ids_r->references);
	if (ids_r->reference_count == 0 && field_msgids(msg, a, MIME_H_IN_REPLY_TO, &ids) > 0) {
		/* RFC 5256 3 step 1.A: no References, so In-Reply-To's first. */
		ids_r->references = ids;
		ids_r->reference_count = 1;
	}
}
