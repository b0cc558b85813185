/* test-mime-golden.c — the MIME corpus: every tests/data/mime/NAME.eml is
 * parsed and its ENVELOPE, BODYSTRUCTURE, BODY and part map compared with
 * NAME.golden byte for byte. The part map is checked twice, from the tree
 * and from the part index blob, which must agree.
 *
 * MIME_GOLDEN_UPDATE=1 rewrites the golden files instead (then review
 * every change by hand against RFC 9051 7.5.2 before committing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mime/mime.h"

#define CORPUS_DIR  "tests/data/mime"
#define MAX_SECTION 8

static bool read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;

	if (f == NULL)
		return false;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(out, tmp, n);
	fclose(f);
	return true;
}

static const char *cte_name(enum mime_cte cte)
{
	static const char *const names[] = {"7bit", "8bit", "binary", "base64", "qp", "unknown"};

	return names[cte];
}

static void write_info(struct buf *out, const uint32_t *section, size_t depth,
		       const struct mime_part_info *i)
{
	buf_append_str(out, "PART ");
	if (depth == 0)
		buf_append_str(out, "TOP");
	for (size_t d = 0; d < depth; d++)
		buf_printf(out, "%s%u", d > 0 ? "." : "", section[d]);
	buf_printf(out, " header=%llu+%llu body=%llu+%llu lines=%llu cte=%s",
		   (unsigned long long)i->header_offset, (unsigned long long)i->header_size,
		   (unsigned long long)i->body_offset, (unsigned long long)i->body_size,
		   (unsigned long long)i->body_lines, cte_name(i->cte));
	if (i->multipart)
		buf_append_str(out, " multipart");
	if (i->message)
		buf_printf(out, " message=%llu+%llu,%llu+%llu",
			   (unsigned long long)i->msg_header_offset,
			   (unsigned long long)i->msg_header_size,
			   (unsigned long long)i->msg_body_offset,
			   (unsigned long long)i->msg_body_size);
	if (i->decoded_size_known)
		buf_printf(out, " decoded=%llu", (unsigned long long)i->decoded_size);
	buf_append_byte(out, '\n');
}

/* Every section path that names a part, depth first; tree and index agree. */
static void walk_sections(const struct mime_message *msg, const struct buf *index,
			  uint32_t *section, size_t depth, struct buf *out)
{
	const struct mime_part *part = mime_message_find_part(msg, section, depth);
	struct mime_part_info tree, blob;

	if (part == NULL) {
		assert_int_equal(
			mime_part_index_find(index->data, index->len, section, depth, &blob), -1);
		return;
	}
	mime_part_get_info(part, &tree);
	memset(&blob, 0xa5, sizeof(blob));
	assert_int_equal(mime_part_index_find(index->data, index->len, section, depth, &blob), 0);
	assert_memory_equal(&tree, &blob, sizeof(tree));
	write_info(out, section, depth, &tree);
	if (depth == MAX_SECTION)
		return;
	for (uint32_t k = 1;; k++) {
		section[depth] = k;
		if (mime_message_find_part(msg, section, depth + 1) == NULL) {
			walk_sections(msg, index, section, depth + 1,
				      out); /* checks the index too */
			break;
		}
		walk_sections(msg, index, section, depth + 1, out);
	}
}

static void render(const struct buf *eml, struct buf *out)
{
	struct arena *a = arena_new(0);
	struct mime_message *msg = mime_parse(a, eml->data, eml->len, NULL);
	struct buf index = BUF_INIT;
	uint32_t section[MAX_SECTION + 1];

	buf_append_str(out, "ENVELOPE ");
	mime_write_envelope(msg, out);
	buf_append_str(out, "\nBODYSTRUCTURE ");
	mime_write_bodystructure(msg, out, true);
	buf_append_str(out, "\nBODY ");
	mime_write_bodystructure(msg, out, false);
	buf_append_byte(out, '\n');
	mime_part_index_write(msg, &index);
	walk_sections(msg, &index, section, 0, out);
	buf_free(&index);
	arena_free(&a);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus(void **state)
{
	DIR *dir = opendir(CORPUS_DIR);
	struct dirent *de;
	char *names[512];
	size_t count = 0, failed = 0;
	bool update = getenv("MIME_GOLDEN_UPDATE") != NULL;

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL && count < HF_N_ELEMENTS(names)) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".eml") == 0)
			names[count++] = strndup(de->d_name, len - 4);
	}
	closedir(dir);
	qsort(names, count, sizeof(names[0]), name_cmp);
	assert_true(count >= 40);
	for (size_t i = 0; i < count; i++) {
		struct buf eml = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
		char path[512];

		snprintf(path, sizeof(path), CORPUS_DIR "/%s.eml", names[i]);
		assert_true(read_file(path, &eml));
		render(&eml, &got);
		snprintf(path, sizeof(path), CORPUS_DIR "/%s.golden", names[i]);
		if (update) {
			FILE *f = fopen(path, "wb");

			assert_non_null(f);
			fwrite(got.data, 1, got.len, f);
			fclose(f);
		} else if (!read_file(path, &want) || want.len != got.len ||
			   memcmp(want.data, got.data, got.len) != 0) {
			print_error("golden mismatch: %s\n--- got:\n%s\n", names[i],
				    buf_cstr(&got));
			failed++;
		}
		buf_free(&eml);
		buf_free(&got);
		buf_free(&want);
		free(names[i]);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
