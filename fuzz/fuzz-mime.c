/* fuzz-mime.c — libFuzzer target for src/mime: parse any bytes as a
 * message and run everything the store derives from it, checking the
 * invariants the store relies on (offsets inside the message, the part
 * index agreeing with the tree, no NUL in IMAP output, valid UTF-8 in
 * decoded text). */
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "mime/mime.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* utf8_valid() of src/lib does pointer arithmetic on NULL for empty input. */
static bool valid_utf8(const void *p, size_t len)
{
	return len == 0 || utf8_valid(p, len);
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_part(const struct mime_part *part, size_t size, const uint8_t *data)
{
	struct mime_part_info i;
	struct buf b = BUF_INIT;
	static const char *const names[] = {"subject", "FROM", "x-nothing", "content-type"};

	mime_part_get_info(part, &i);
	{
		struct arena *a = arena_new(0);
		const char *name = mime_part_filename(part, a);

		check(name == NULL || valid_utf8(name, strlen(name)));
		arena_free(&a);
	}
	check(i.header_offset + i.header_size <= size &&
	      i.header_offset + i.header_size <= i.body_offset);
	check(i.body_offset + i.body_size <= size);
	for (size_t f = 0; f < mime_part_field_count(part); f++) {
		const struct mime_field *fl = mime_part_field(part, f);

		buf_reset(&b);
		mime_header_decode(fl->raw + fl->value_offset, fl->raw_len - fl->value_offset, &b);
		check(valid_utf8(b.data, b.len) &&
		      (b.len == 0 || memchr(b.data, 0, b.len) == NULL));
	}
	buf_reset(&b);
	mime_header_write_fields(data + i.header_offset, i.header_size, names, 4, false, &b);
	mime_header_write_fields(data + i.header_offset, i.header_size, names, 2, true, &b);
	if (!i.multipart) {
		const char *err;

		buf_reset(&b);
		if (mime_decode_transfer(i.cte, data + i.body_offset, i.body_size, &b, &err) == 0)
			check(i.decoded_size_known && i.decoded_size == b.len);
		else
			check(!i.decoded_size_known);
	}
	buf_free(&b);
	for (const struct mime_part *c = mime_part_first_child(part); c != NULL;
	     c = mime_part_next(c))
		check_part(c, size, data);
	if (mime_part_message(part) != NULL)
		check_part(mime_part_message(part), size, data);
}

static void check_sections(const struct mime_message *msg, const struct buf *index)
{
	static const uint32_t paths[][3] = {{1, 0, 0}, {2, 0, 0}, {1, 1, 0}, {1, 2, 0},
					    {2, 1, 0}, {1, 1, 1}, {3, 1, 2}, {0, 0, 0}};
	static const size_t depths[] = {1, 1, 2, 2, 2, 3, 3, 1};

	for (size_t p = 0; p < HF_N_ELEMENTS(paths); p++) {
		const struct mime_part *part = mime_message_find_part(msg, paths[p], depths[p]);
		struct mime_part_info a, b;
		int r = mime_part_index_find(index->data, index->len, paths[p], depths[p], &b);

		check((part != NULL) == (r == 0));
		if (part != NULL) {
			mime_part_get_info(part, &a);
			check(memcmp(&a, &b, sizeof(a)) == 0);
		}
	}
	/* A damaged blob must be refused or read safely, never overread. */
	for (size_t cut = 0; cut < index->len && cut < 64; cut++) {
		struct mime_part_info b;

		(void)mime_part_index_find(index->data, cut, paths[2], 2, &b);
	}
}

static void check_fields(const struct mime_message *msg, struct arena *a)
{
	struct mime_list_value v[MIME_LIST_FIELD_COUNT];
	struct buf b = BUF_INIT;
	int64_t t;
	int tz;
	const char **ids;
	struct mime_sort_address addr;

	mime_list_fields(msg, a, v);
	for (int f = 0; f < MIME_LIST_FIELD_COUNT; f++)
		check(valid_utf8(v[f].decoded, v[f].decoded_len));
	(void)mime_parse_date(v[MIME_LIST_DATE].raw, v[MIME_LIST_DATE].raw_len, &t, &tz);
	mime_base_subject(v[MIME_LIST_SUBJECT].decoded, v[MIME_LIST_SUBJECT].decoded_len, &b, NULL);
	check(b.len <= v[MIME_LIST_SUBJECT].decoded_len);
	(void)mime_msgids_parse(a, v[MIME_LIST_REFERENCES].raw, v[MIME_LIST_REFERENCES].raw_len,
				&ids);
	(void)mime_first_address(a, v[MIME_LIST_FROM].raw, v[MIME_LIST_FROM].raw_len, &addr);
	{
		struct mime_thread_ids t_ids;

		mime_thread_ids(msg, a, &t_ids);
		check(t_ids.reference_count == 0 || t_ids.references[0][0] == '<');
	}
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(0);
	struct mime_limits limits;
	struct mime_message *msg;
	struct buf out = BUF_INIT, index = BUF_INIT, body = BUF_INIT;

	mime_limits_default(&limits);
	/* Small limits so the fuzzer reaches them with small inputs. */
	limits.max_depth = 12;
	limits.max_parts = 200;
	limits.max_header_fields = 300;
	limits.max_search_body_bytes = 4096;
	limits.max_search_header_bytes = 2048;
	msg = mime_parse(a, data, size, &limits);
	mime_write_envelope(msg, &out);
	mime_write_bodystructure(msg, &out, true);
	mime_write_bodystructure(msg, &out, false);
	check(memchr(out.data, 0, out.len) == NULL);
	mime_part_index_write(msg, &index);
	check_sections(msg, &index);
	check_part(mime_message_root(msg), size, data);
	check_fields(msg, a);
	buf_reset(&out);
	mime_search_text(msg, &out, &body);
	check(out.len <= limits.max_search_header_bytes &&
	      body.len <= limits.max_search_body_bytes);
	check(valid_utf8(out.data, out.len) && valid_utf8(body.data, body.len));
	buf_reset(&out);
	mime_preview(msg, &out);
	check(valid_utf8(out.data, out.len));
	buf_free(&out);
	buf_free(&index);
	buf_free(&body);
	arena_free(&a);
	return 0;
}
