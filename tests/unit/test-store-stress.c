/* test-store-stress.c — the store under several processes at once and
 * under kill -9: nothing acknowledged is lost, no UID is handed out twice,
 * the counters always match the rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/mem.h"
#include "store/store-check.h"
#include "store/store.h"
#include "store-test-util.h"

#define WORKERS  4
#define MAX_ACKS 200000

struct ack {
	uint32_t uid;
	unsigned tag;
	bool expunged;
};

static unsigned stress_seconds(void)
{
	const char *env = getenv("HAFEN_STRESS_SECONDS");

	return env ? (unsigned)atoi(env) : 20;
}

static void message_for(unsigned tag, char *buf, size_t size)
{
	snprintf(buf, size, "Subject: message %u\r\nX-Tag: %u\r\n\r\nbody of %u\r\n", tag, tag,
		 tag);
}

static uint32_t append_tagged(struct store *s, unsigned tag)
{
	char text[128];
	struct store_parsed *p;
	struct store_new_message m = {0};
	uint32_t v, uid = 0;
	int ret;

	message_for(tag, text, sizeof(text));
	p = store_parsed_new(text, strlen(text));
	m.msg = p;
	ret = store_append(s, "INBOX", &m, 1, &v, &uid);
	store_parsed_free(&p);
	return ret == STORE_OK ? uid : 0;
}

/* A worker process: append, flag and UID-EXPUNGE its own messages,
 * reporting every acknowledged step on fd. */
static void worker(const char *dir, unsigned id, unsigned seconds, int fd)
{
	struct store *s;
	struct store_mailbox mb;
	const char *error;
	time_t end = time(NULL) + seconds;
	unsigned seq = 0;
	uint32_t mine[64];
	size_t nmine = 0;

	srand(id * 7919 + (unsigned)getpid());
	if (store_open(dir, 0, &s, &error) != STORE_OK ||
	    store_mailbox_get(s, "INBOX", &mb) != STORE_OK)
		_exit(2);
	while (time(NULL) < end) {
		unsigned tag = id * 1000000 + seq++;
		uint32_t uid = append_tagged(s, tag);
		char line[64];

		if (uid == 0)
			_exit(3);
		snprintf(line, sizeof(line), "A %u %u\n", uid, tag);
		if (write(fd, line, strlen(line)) < 0)
			_exit(4);
		if (nmine < 64)
			mine[nmine++] = uid;
		if (rand() % 3 == 0 && nmine > 0) {
			struct rangeset one = RANGESET_INIT;
			struct store_flag_change chg = {.flags = STORE_FLAG_SEEN,
							.mode = STORE_FLAGS_ADD};
			uint32_t victim = mine[(size_t)rand() % nmine];

			rangeset_add(&one, victim);
			if (rand() % 2 == 0)
				chg.flags |= STORE_FLAG_DELETED;
			if (store_set_flags(s, mb.id, &one, &chg, NULL, NULL, NULL) != STORE_OK)
				_exit(5);
			if ((chg.flags & STORE_FLAG_DELETED) &&
			    store_expunge(s, mb.id, &one, NULL, NULL) == STORE_OK) {
				snprintf(line, sizeof(line), "X %u\n", victim);
				if (write(fd, line, strlen(line)) < 0)
					_exit(4);
				for (size_t i = 0; i < nmine; i++)
					if (mine[i] == victim)
						mine[i] = mine[--nmine];
			}
			rangeset_free(&one);
		}
	}
	store_mailbox_clear(&mb);
	store_close(&s);
	_exit(0);
}

static size_t read_acks(FILE *in, struct ack *acks, size_t count)
{
	char kind;
	unsigned a, b;

	while (fscanf(in, " %c %u", &kind, &a) == 2) {
		if (kind == 'A' && fscanf(in, " %u", &b) == 1 && count < MAX_ACKS) {
			acks[count].uid = a;
			acks[count].tag = b;
			acks[count].expunged = false;
			count++;
		} else if (kind == 'X') {
			for (size_t i = 0; i < count; i++)
				if (acks[i].uid == a)
					acks[i].expunged = true;
		}
	}
	return count;
}

/* Every acknowledged, not expunged message is there exactly once with its
 * bytes; counters match rows; UIDs strictly increase. */
static void verify(const char *dir, const struct ack *acks, size_t count)
{
	struct store *s;
	struct store_mailbox mb;
	struct store_fetch *f;
	const struct store_msg *m;
	const char *error;
	uint32_t last = 0, messages = 0, unseen = 0;
	struct store_section all = {.kind = STORE_SECTION_ALL};
	struct buf body = BUF_INIT;
	char want[128];
	size_t live = 0;

	assert_int_equal(store_open(dir, 0, &s, &error), STORE_OK);
	assert_int_equal(store_mailbox_get(s, "INBOX", &mb), STORE_OK);
	assert_int_equal(store_fetch_begin(s, mb.id, NULL, STORE_WANT_PARTS, &f), STORE_OK);
	while (store_fetch_next(f, &m) == 1) {
		assert_true(m->uid > last);
		last = m->uid;
		messages++;
		unseen += (m->flags & STORE_FLAG_SEEN) == 0;
	}
	store_fetch_end(&f);
	assert_int_equal(mb.messages, messages);
	assert_int_equal(mb.unseen, unseen);
	assert_true(mb.uidnext > last);
	for (size_t i = 0; i < count; i++) {
		struct rangeset one = RANGESET_INIT;
		size_t found = 0;

		if (acks[i].expunged)
			continue;
		live++;
		rangeset_add(&one, acks[i].uid);
		assert_int_equal(store_fetch_begin(s, mb.id, &one, STORE_WANT_PARTS, &f), STORE_OK);
		while (store_fetch_next(f, &m) == 1) {
			found++;
			buf_reset(&body);
			assert_int_equal(store_section_read(s, m, &all, &body), STORE_OK);
			message_for(acks[i].tag, want, sizeof(want));
			assert_int_equal(body.len, strlen(want));
			assert_memory_equal(body.data, want, body.len);
		}
		store_fetch_end(&f);
		rangeset_free(&one);
		assert_int_equal(found, 1);
	}
	assert_true(live <= messages);
	buf_free(&body);
	store_mailbox_clear(&mb);
	store_close(&s);
}

static void test_concurrent_processes(void **state)
{
	char dir[256];
	struct store *s;
	const char *error;
	struct ack *acks = xcalloc(MAX_ACKS, sizeof(*acks));
	int fds[2];
	pid_t pids[WORKERS];
	FILE *in;
	size_t count;

	test_tmpdir(dir, sizeof(dir));
	assert_int_equal(store_open(dir, STORE_OPEN_CREATE, &s, &error), STORE_OK);
	store_close(&s);
	assert_int_equal(pipe(fds), 0);
	for (unsigned i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(fds[0]);
			worker(dir, i + 1, stress_seconds(), fds[1]);
		}
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	count = read_acks(in, acks, 0);
	fclose(in);
	for (unsigned i = 0; i < WORKERS; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_true(count > 100);
	print_message("%zu appends by %d processes in %us\n", count, WORKERS, stress_seconds());
	verify(dir, acks, count);
	free(acks);
	test_rmtree(dir);
}

static void crash_child(const char *dir, int fd, unsigned base)
{
	struct store *s;
	const char *error;

	if (store_open(dir, 0, &s, &error) != STORE_OK)
		_exit(2);
	for (unsigned seq = 0;; seq++) {
		char line[64];
		uint32_t uid = append_tagged(s, base + seq);

		if (uid == 0)
			_exit(3);
		snprintf(line, sizeof(line), "A %u %u\n", uid, base + seq);
		if (write(fd, line, strlen(line)) < 0)
			_exit(4);
	}
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	print_message("check: %s\n", line);
}

static void test_kill9_loses_nothing(void **state)
{
	char dir[256];
	struct store *s;
	const char *error;
	struct ack *acks = xcalloc(MAX_ACKS, sizeof(*acks));
	size_t count = 0;

	test_tmpdir(dir, sizeof(dir));
	assert_int_equal(store_open(dir, STORE_OPEN_CREATE, &s, &error), STORE_OK);
	store_close(&s);
	srand((unsigned)time(NULL));
	for (unsigned round = 0; round < 50; round++) {
		struct store_check_options opt = {.grace_seconds = 3600, .log = log_line};
		struct store_check_report report;
		struct timespec pause = {0, (long)(5 + rand() % 60) * 1000000L};
		int fds[2], status;
		pid_t pid;
		FILE *in;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			crash_child(dir, fds[1], round * 100000);
		}
		close(fds[1]);
		nanosleep(&pause, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		in = fdopen(fds[0], "r");
		count = read_acks(in, acks, count);
		fclose(in);
		/* The store opens cleanly and no row lacks its file. */
		assert_int_equal(store_check(dir, &opt, &report), STORE_OK);
		assert_int_equal(report.missing_files, 0);
		assert_int_equal(report.size_mismatches, 0);
		assert_int_equal(report.counters_fixed, 0);
	}
	print_message("%zu acknowledged appends survived 50 kill -9\n", count);
	verify(dir, acks, count);
	free(acks);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_processes),
		cmocka_unit_test(test_kill9_loses_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
