/* test-server-search-thread.c — the RFC 5256 threading algorithms of
 * hafend (src/server/imap/search-thread.c): ORDEREDSUBJECT, every step of
 * REFERENCES, the THREAD response form, and deep or hostile inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/imap/search-thread.c"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A message as a line of a table: its id, its references (space
 * separated, oldest first), its base subject key, reply marker, date. */
struct spec {
	const char *id;
	const char *refs;
	const char *subject;
	bool reply;
	int64_t sent;
};

#define MAX_MSGS 16
#define MAX_REFS 8

struct input {
	struct thread_msg msgs[MAX_MSGS];
	char refbuf[MAX_MSGS][256];
	const char *refs[MAX_MSGS][MAX_REFS];
};

static void build(struct input *in, const struct spec *specs, size_t n)
{
	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < n; i++) {
		struct thread_msg *m = &in->msgs[i];
		size_t k = 0;

		m->number = (uint32_t)i + 1;
		m->message_id = specs[i].id;
		m->subject = specs[i].subject != NULL ? specs[i].subject : "";
		m->reply = specs[i].reply;
		m->sent = specs[i].sent;
		snprintf(in->refbuf[i], sizeof(in->refbuf[i]), "%s",
			 specs[i].refs != NULL ? specs[i].refs : "");
		for (char *tok = strtok(in->refbuf[i], " "); tok != NULL && k < MAX_REFS;
		     tok = strtok(NULL, " "))
			in->refs[i][k++] = tok;
		m->refs = in->refs[i];
		m->nrefs = k;
	}
}

static void check(const struct spec *specs, size_t n, bool references, const char *expected)
{
	struct input in;
	struct buf out = BUF_INIT;

	build(&in, specs, n);
	if (references)
		thread_references(in.msgs, n, &out);
	else
		thread_orderedsubject(in.msgs, n, &out);
	assert_string_equal(buf_cstr(&out), expected);
	buf_free(&out);
}

#define REFS(specs, expected)    check(specs, HF_N_ELEMENTS(specs), true, expected)
#define ORDERED(specs, expected) check(specs, HF_N_ELEMENTS(specs), false, expected)

static void test_empty(void **state)
{
	struct buf out = BUF_INIT;

	thread_references(NULL, 0, &out);
	thread_orderedsubject(NULL, 0, &out);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void test_orderedsubject(void **state)
{
	static const struct spec basic[] = {
		{NULL, NULL, "A", false, 3}, {NULL, NULL, "B", false, 1},
		{NULL, NULL, "A", true, 2},  {NULL, NULL, "A", false, 5},
		{NULL, NULL, "B", false, 4},
	};
	/* Equal dates keep mailbox order, in threads and between them. */
	static const struct spec ties[] = {
		{NULL, NULL, "X", false, 7}, {NULL, NULL, "Y", false, 7},
		{NULL, NULL, "X", false, 7}, {NULL, NULL, "", false, 1},
		{NULL, NULL, "", false, 9},
	};
	/* References play no part. */
	static const struct spec refs[] = {
		{"<a>", NULL, "ONE", false, 1},
		{"<b>", "<a>", "TWO", false, 2},
	};

	ORDERED(basic, "(2 5)(3 (1)(4))");
	ORDERED(ties, "(4 5)(1 3)(2)");
	ORDERED(refs, "(1)(2)");
}

static void test_references_links(void **state)
{
	static const struct spec chain[] = {
		{"<a>", NULL, "S1", false, 1},
		{"<b>", "<a>", "S2", false, 2},
		{"<c>", "<a> <b>", "S3", false, 3},
	};
	static const struct spec siblings[] = {
		{"<a>", NULL, "S1", false, 1},
		{"<b>", "<a>", "S2", false, 3},
		{"<c>", "<a>", "S3", false, 2},
	};
	/* Children come before their parents in the mailbox. */
	static const struct spec backwards[] = {
		{"<c>", "<a> <b>", "S3", false, 3},
		{"<b>", "<a>", "S2", false, 2},
		{"<a>", NULL, "S1", false, 1},
	};
	/* Dummies below the root disappear, their children move up. */
	static const struct spec dummies[] = {
		{"<a>", NULL, "S1", false, 1},
		{"<d>", "<a> <x> <y>", "S2", false, 2},
		{"<e>", "<a> <x> <z>", "S3", false, 3},
	};

	REFS(chain, "(1 2 3)");
	REFS(siblings, "(1 (3)(2))");
	REFS(backwards, "(3 2 1)");
	REFS(dummies, "(1 (2)(3))");
}

static void test_references_root_dummies(void **state)
{
	/* A missing parent of two threads stays as a dummy: ((1)(2)). */
	static const struct spec two[] = {
		{"<b>", "<x>", "S1", false, 1},
		{"<c>", "<x>", "S2", false, 2},
	};
	/* With one child it is dropped and the child moves to the root. */
	static const struct spec one[] = {
		{"<b>", "<x>", "S1", false, 1},
		{"<c>", NULL, "S2", false, 2},
	};
	/* A dummy sorts by its first child. */
	static const struct spec order[] = {
		{"<c>", NULL, "S0", false, 5},
		{"<b>", "<x>", "S1", false, 4},
		{"<d>", "<x>", "S2", false, 1},
	};

	REFS(two, "((1)(2))");
	REFS(one, "(1)(2)");
	REFS(order, "((3)(2))(1)");
}

static void test_references_ids(void **state)
{
	/* A second message with the same id gets an id of its own. */
	static const struct spec dup[] = {
		{"<a>", NULL, "S1", false, 1},
		{"<a>", NULL, "S2", false, 2},
		{"<c>", "<a>", "S3", false, 3},
	};
	/* No Message-ID: unique, nothing can refer to it. */
	static const struct spec none[] = {
		{NULL, NULL, "S1", false, 1},
		{NULL, "<nothing>", "S2", false, 2},
	};
	/* Loops are not made: b refers to a, a to b. */
	static const struct spec loop[] = {
		{"<a>", "<b>", "S1", false, 2},
		{"<b>", "<a>", "S2", false, 1},
	};
	/* A message that refers to itself. */
	static const struct spec self[] = {
		{"<a>", "<a>", "S1", false, 1},
		{"<b>", "<a> <b> <a>", "S2", false, 2},
	};
	/* Step 1.B: the last reference wins over a link made earlier from
	 * another message's references (a truncated References field). */
	static const struct spec relink[] = {
		{"<a>", NULL, "S1", false, 1},
		{"<e>", "<a> <c>", "S2", false, 2},
		{"<c>", "<b>", "S3", false, 3},
	};
	/* Step 1.A: an existing parent is kept. */
	static const struct spec keep[] = {
		{"<a>", NULL, "S1", false, 1},
		{"<b>", "<a>", "S2", false, 2},
		{"<z>", NULL, "S3", false, 3},
		{"<c>", "<z> <b>", "S4", false, 4},
	};

	REFS(dup, "(1 3)(2)");
	REFS(none, "(1)(2)");
	REFS(loop, "(2 1)");
	REFS(self, "(1 2)");
	REFS(relink, "(1)(3 2)");
	REFS(keep, "(1 2 4)(3)");
}

static void test_references_subjects(void **state)
{
	/* Two messages, same subject, neither a reply: a dummy holds both. */
	static const struct spec plain[] = {
		{"<a>", NULL, "HELLO", false, 1},
		{"<b>", NULL, "HELLO", false, 2},
	};
	/* A reply goes under the original. */
	static const struct spec reply[] = {
		{"<a>", NULL, "HELLO", false, 1},
		{"<b>", NULL, "HELLO", true, 2},
	};
	/* The original wins the subject table even when it comes later. */
	static const struct spec late[] = {
		{"<a>", NULL, "HELLO", true, 1},
		{"<b>", NULL, "HELLO", false, 2},
	};
	/* A dummy wins the table: the plain message joins its children. */
	static const struct spec dummy[] = {
		{"<b>", "<x>", "S", false, 1},
		{"<c>", "<x>", "S", true, 2},
		{"<d>", NULL, "S", false, 3},
	};
	/* Two dummies with one subject: their children merge. */
	static const struct spec dummies[] = {
		{"<b>", "<x>", "S", false, 1},
		{"<c>", "<x>", "S", false, 2},
		{"<d>", "<y>", "S", false, 3},
		{"<e>", "<y>", "S", false, 4},
	};
	/* Empty subjects are never gathered. */
	static const struct spec empty[] = {
		{"<a>", NULL, "", false, 1},
		{"<b>", NULL, "", true, 2},
	};
	/* Only the root's children are gathered, by thread subject. */
	static const struct spec deep[] = {
		{"<a>", NULL, "ONE", false, 1},
		{"<b>", "<a>", "TWO", true, 2},
		{"<c>", NULL, "TWO", true, 3},
	};
	/* Three of a kind: the third joins the dummy made for the first two. */
	static const struct spec three[] = {
		{"<a>", NULL, "T", false, 3},
		{"<b>", NULL, "T", false, 1},
		{"<c>", NULL, "T", false, 2},
	};

	REFS(plain, "((1)(2))");
	REFS(reply, "(1 2)");
	REFS(late, "(2 1)");
	REFS(dummy, "((1)(2)(3))");
	REFS(dummies, "((1)(2)(3)(4))");
	REFS(empty, "(1)(2)");
	REFS(deep, "(1 2)(3)");
	REFS(three, "((2)(3)(1))");
}

/* The RFC 5256 section 4 example: (2)(3 6 (4 23)(44 7 96)). */
static void test_response_form(void **state)
{
	static const struct spec ex[] = {
		{"<2>", NULL, "A", false, 1},           {"<3>", NULL, "B", false, 2},
		{"<6>", "<3>", "C", false, 3},          {"<4>", "<3> <6>", "D", false, 4},
		{"<23>", "<3> <6> <4>", "E", false, 5}, {"<44>", "<3> <6>", "F", false, 6},
		{"<7>", "<3> <6> <44>", "G", false, 7}, {"<96>", "<3> <6> <44> <7>", "H", false, 8},
	};

	REFS(ex, "(1)(2 3 (4 5)(6 7 8))");
}

/* Deep threads need no stack: 200 000 messages in one chain, given in
 * order and in reverse. */
static void test_deep_chain(void **state)
{
	size_t n = 200000;
	struct thread_msg *msgs = xcalloc(n, sizeof(*msgs));
	char(*ids)[16] = xcalloc(n, sizeof(*ids));
	const char **refs = xcalloc(n, sizeof(*refs));
	struct buf out = BUF_INIT, expect = BUF_INIT;

	for (int reverse = 0; reverse < 2; reverse++) {
		for (size_t i = 0; i < n; i++) {
			size_t pos = reverse ? n - 1 - i : i;

			snprintf(ids[i], sizeof(ids[i]), "<%zu>", i);
			refs[i] = i > 0 ? ids[i - 1] : NULL;
			msgs[pos] = (struct thread_msg){
				(uint32_t)pos + 1, (int64_t)i, "", false, ids[i], &refs[i], i > 0};
		}
		buf_reset(&out);
		buf_reset(&expect);
		thread_references(msgs, n, &out);
		buf_append_byte(&expect, '(');
		for (size_t i = 0; i < n; i++)
			buf_printf(&expect, "%s%zu", i ? " " : "", reverse ? n - i : i + 1);
		buf_append_byte(&expect, ')');
		assert_int_equal(out.len, expect.len);
		assert_memory_equal(out.data, expect.data, out.len);
	}
	buf_free(&out);
	buf_free(&expect);
	free(refs);
	free(ids);
	free(msgs);
}

/* Every message moves a container that has children under a parent
 * deep in another chain, so each loop check walks: bounded by
 * THREAD_MAX_WALK, not quadratic. */
static void test_hostile_walks(void **state)
{
	size_t depth = 30000, n = 40000;
	struct thread_msg *msgs = xcalloc(n, sizeof(*msgs));
	char(*ids)[24] = xcalloc(depth + n, sizeof(*ids));
	const char **refs = xcalloc(depth + n, sizeof(*refs));
	const char **deep = &refs[depth - 1];
	struct buf out = BUF_INIT;
	clock_t start = clock();

	/* Message 0 makes the chain a0..a(depth-1), message 1 the chain
	 * b0..b(n-1); message i >= 2 is b(i-2) and names a(depth-1) as its
	 * parent. */
	for (size_t i = 0; i < depth; i++)
		snprintf(ids[i], sizeof(ids[i]), "<a%zu>", i);
	for (size_t i = 0; i < n; i++)
		snprintf(ids[depth + i], sizeof(ids[depth + i]), "<b%zu>", i);
	for (size_t i = 0; i < depth + n; i++)
		refs[i] = ids[i];
	msgs[0] = (struct thread_msg){1, 0, "", false, "<m0>", refs, depth};
	msgs[1] = (struct thread_msg){2, 1, "", false, "<m1>", &refs[depth], n};
	for (size_t i = 2; i < n; i++)
		msgs[i] = (struct thread_msg){(uint32_t)i + 1,    (int64_t)i, "", false,
					      ids[depth + i - 2], deep,       1};
	thread_references(msgs, n, &out);
	assert_true(out.len > 0);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 10.0);
	buf_free(&out);
	free(refs);
	free(ids);
	free(msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_orderedsubject),
		cmocka_unit_test(test_references_links),
		cmocka_unit_test(test_references_root_dummies),
		cmocka_unit_test(test_references_ids),
		cmocka_unit_test(test_references_subjects),
		cmocka_unit_test(test_response_form),
		cmocka_unit_test(test_deep_chain),
		cmocka_unit_test(test_hostile_walks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
