/* test-store-mapped.c — appending from caller-owned (mapped) message data
 * without a copy, and appends refused by a \Noselect mailbox. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/mem.h"
#include "store/store.h"
#include "store-test-util.h"

struct fixture {
	char dir[256];
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *error;

	test_tmpdir(f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->dir, STORE_OPEN_CREATE, &f->s, &error), STORE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->s);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

/* Read message uid of INBOX back as BODY[] into out. */
static void read_back(struct store *s, uint32_t uid, struct buf *out)
{
	struct store_mailbox mb;
	struct rangeset uids = RANGESET_INIT;
	struct store_fetch *fetch;
	const struct store_msg *m;
	struct store_section sec = {.kind = STORE_SECTION_ALL};

	assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
	rangeset_add(&uids, uid);
	assert_int_equal(store_fetch_begin(s, mb.id, &uids, STORE_WANT_PARTS, &fetch), STORE_OK);
	assert_int_equal(store_fetch_next(fetch, &m), 1);
	assert_int_equal(store_section_read(s, m, &sec, out), STORE_OK);
	store_fetch_end(&fetch);
	rangeset_free(&uids);
	store_mailbox_clear(&mb);
}

static void test_mapped_file(void **state)
{
	static const char text[] = "Subject: mapped\r\nFrom: a@example.com\r\n\r\nbody line\r\n";
	struct fixture *f = *state;
	char path[300];
	struct buf got = BUF_INIT;
	struct store_parsed *p;
	uint32_t uidvalidity, uid = 0;
	void *map;
	int fd;

	/* A page-sized multiple would have no NUL after it: use the exact size. */
	snprintf(path, sizeof(path), "%s/literal", f->dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	map = mmap(NULL, sizeof(text) - 1, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(map != MAP_FAILED);
	p = store_parsed_new_mapped(map, sizeof(text) - 1);
	assert_int_equal(store_parsed_size(p), sizeof(text) - 1);
	{
		struct store_new_message m = {.msg = p};

		assert_int_equal(store_append(f->s, "INBOX", &m, 1, &uidvalidity, &uid), STORE_OK);
	}
	store_parsed_free(&p);
	assert_null(p);
	munmap(map, sizeof(text) - 1);
	close(fd);
	read_back(f->s, uid, &got);
	assert_int_equal(got.len, sizeof(text) - 1);
	assert_memory_equal(got.data, text, got.len);
	buf_free(&got);
}

/* Bare LF line ends still become CRLF: the data is then copied. */
static void test_mapped_bare_lf(void **state)
{
	static const char text[] = "Subject: lf\n\nbody\n";
	static const char want[] = "Subject: lf\r\n\r\nbody\r\n";
	struct fixture *f = *state;
	struct buf got = BUF_INIT;
	char *copy = xstrdup(text);
	struct store_parsed *p = store_parsed_new_mapped(copy, strlen(copy));
	struct store_new_message m = {.msg = p};
	uint32_t uidvalidity, uid = 0;

	/* The parsed message does not point at the caller's bytes. */
	memset(copy, 'x', strlen(copy));
	free(copy);
	assert_int_equal(store_parsed_size(p), strlen(want));
	assert_int_equal(store_append(f->s, "INBOX", &m, 1, &uidvalidity, &uid), STORE_OK);
	store_parsed_free(&p);
	read_back(f->s, uid, &got);
	assert_int_equal(got.len, strlen(want));
	assert_memory_equal(got.data, want, got.len);
	buf_free(&got);
}

static void test_append_noselect(void **state)
{
	static const char text[] = "Subject: x\r\n\r\nx\r\n";
	struct fixture *f = *state;
	struct store_parsed *p = store_parsed_new(text, strlen(text));
	struct store_new_message m = {.msg = p};
	struct store_mailbox mb;
	uint32_t uidvalidity, uid = 0;

	/* Deleting a parent with children leaves it \Noselect. */
	assert_int_equal(store_mailbox_create(f->s, "Parent/Child", 0), STORE_OK);
	assert_int_equal(store_mailbox_delete(f->s, "Parent"), STORE_OK);
	assert_int_equal(store_mailbox_get(f->s, "Parent", &mb), STORE_OK);
	assert_true(mb.noselect);
	store_mailbox_clear(&mb);
	assert_int_equal(store_append(f->s, "Parent", &m, 1, &uidvalidity, &uid),
			 STORE_ERR_NOSELECT);
	assert_int_equal(store_mailbox_get(f->s, "Parent", &mb), STORE_OK);
	assert_int_equal(mb.messages, 0);
	assert_int_equal(mb.uidnext, 1);
	store_mailbox_clear(&mb);
	store_parsed_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mapped_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapped_bare_lf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_noselect, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
