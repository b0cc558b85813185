/* test-server-uidmap.c — the session's sequence number <-> UID map,
 * checked against a plain array model: building, lookups both ways, and
 * removing sets (the EXPUNGE numbering) whole or in small chunks.
 *
 * src/server is not part of libhafen, so the map's source is built in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/imap/uidmap.c"

#include <stdlib.h>
#include <time.h>

/* The model: the UIDs in order; sequence number i+1 is uids[i]. */
struct model {
	uint32_t *uids;
	size_t count;
};

struct removal_log {
	uint32_t seq[4096], uid[4096];
	size_t count;
};

static void log_removal(void *ctx, uint32_t seq, uint32_t uid)
{
	struct removal_log *l = ctx;

	assert_true(l->count < 4096);
	l->seq[l->count] = seq;
	l->uid[l->count] = uid;
	l->count++;
}

static void check_map(const struct uidmap *m, const struct model *mod)
{
	assert_int_equal(m->total, mod->count);
	for (size_t i = 0; i < mod->count; i++) {
		assert_int_equal(uidmap_seq_to_uid(m, (uint32_t)i + 1), mod->uids[i]);
		assert_int_equal(uidmap_uid_to_seq(m, mod->uids[i]), i + 1);
	}
	assert_int_equal(uidmap_seq_to_uid(m, 0), 0);
	assert_int_equal(uidmap_seq_to_uid(m, (uint32_t)mod->count + 1), 0);
	assert_int_equal(uidmap_last_uid(m), mod->count ? mod->uids[mod->count - 1] : 0);
	/* Runs are maximal: no two neighbours could be one. */
	for (size_t i = 1; i < m->nruns; i++)
		assert_true(m->runs[i - 1].first_uid + m->runs[i - 1].count < m->runs[i].first_uid);
}

/* Remove set from the model, logging what EXPUNGE would say. */
static void model_remove(struct model *mod, const struct rangeset *set, struct removal_log *l)
{
	size_t out = 0;

	for (size_t i = 0; i < mod->count; i++) {
		if (rangeset_contains(set, mod->uids[i])) {
			l->seq[l->count] = (uint32_t)out + 1;
			l->uid[l->count] = mod->uids[i];
			l->count++;
		} else {
			mod->uids[out++] = mod->uids[i];
		}
	}
	mod->count = out;
}

static void random_model(struct model *mod, size_t max)
{
	uint32_t uid = 1 + (uint32_t)(rand() % 5);

	mod->count = 0;
	mod->uids = malloc(max * sizeof(*mod->uids));
	for (size_t i = 0; i < max; i++) {
		mod->uids[mod->count++] = uid;
		/* Mostly consecutive, sometimes a gap. */
		uid += rand() % 4 == 0 ? 2 + (uint32_t)(rand() % 6) : 1;
	}
}

static void random_set(struct rangeset *set, uint32_t max_uid)
{
	int n = rand() % 8;

	rangeset_clear(set);
	for (int i = 0; i < n; i++) {
		uint32_t lo = 1 + (uint32_t)rand() % (max_uid + 3);
		uint32_t len = rand() % 3 == 0 ? (uint32_t)rand() % 40 : (uint32_t)rand() % 3;

		rangeset_add_range(set, lo, lo + len);
	}
}

static void test_remove_matches_model(void **state)
{
	(void)state;
	srand(12345);
	for (int round = 0; round < 400; round++) {
		struct model mod;
		struct uidmap m;
		struct rangeset set = RANGESET_INIT;
		struct removal_log got, want;

		random_model(&mod, 1 + (size_t)(rand() % 300));
		uidmap_init(&m, mod.uids, mod.count);
		check_map(&m, &mod);
		for (int step = 0; step < 5 && mod.count > 0; step++) {
			random_set(&set, mod.uids[mod.count - 1]);
			got.count = want.count = 0;
			model_remove(&mod, &set, &want);
			uidmap_remove_set(&m, &set, step % 2 ? log_removal : NULL, &got);
			check_map(&m, &mod);
			if (step % 2) {
				assert_int_equal(got.count, want.count);
				assert_memory_equal(got.seq, want.seq,
						    want.count * sizeof(uint32_t));
				assert_memory_equal(got.uid, want.uid,
						    want.count * sizeof(uint32_t));
			}
		}
		rangeset_free(&set);
		uidmap_free(&m);
		free(mod.uids);
	}
}

/* RFC 9051 7.4.1's example: expunging 3, 4, 7 and 11 of 11 messages
 * reports 3, 3, 5, 8. */
/* Sequence ranges to UIDs agree with the model for random maps and ranges. */
static void test_seqs_to_uids_matches_model(void **state)
{
	struct rangeset got = RANGESET_INIT, want = RANGESET_INIT;
	struct uidmap m;
	struct model mod;

	(void)state;
	srand(7);
	for (int round = 0; round < 200; round++) {
		random_model(&mod, 1 + (size_t)(rand() % 300));
		uidmap_init(&m, mod.uids, mod.count);
		for (int k = 0; k < 20; k++) {
			uint32_t lo = (uint32_t)rand() % ((uint32_t)mod.count + 3);
			uint32_t hi = (uint32_t)rand() % ((uint32_t)mod.count + 3);

			rangeset_clear(&got);
			rangeset_clear(&want);
			uidmap_seqs_to_uids(&m, lo, hi, &got);
			for (uint32_t seq = lo < hi ? lo : hi; seq <= (lo < hi ? hi : lo); seq++)
				if (seq >= 1 && seq <= mod.count)
					rangeset_add(&want, mod.uids[seq - 1]);
			assert_true(rangeset_equal(&got, &want));
		}
		uidmap_free(&m);
		free(mod.uids);
	}
	rangeset_free(&got);
	rangeset_free(&want);
}

static void test_rfc_example(void **state)
{
	uint32_t uids[11];
	struct uidmap m;
	struct rangeset set = RANGESET_INIT;
	struct removal_log got = {.count = 0};

	(void)state;
	for (uint32_t i = 0; i < 11; i++)
		uids[i] = 100 + i;
	uidmap_init(&m, uids, 11);
	rangeset_add_range(&set, 102, 103);
	rangeset_add(&set, 106);
	rangeset_add(&set, 110);
	rangeset_add(&set, 5000); /* not in the map: ignored */
	uidmap_remove_set(&m, &set, log_removal, &got);
	assert_int_equal(got.count, 4);
	assert_int_equal(got.seq[0], 3);
	assert_int_equal(got.seq[1], 3);
	assert_int_equal(got.seq[2], 5);
	assert_int_equal(got.seq[3], 8);
	assert_int_equal(m.total, 7);
	rangeset_free(&set);
	uidmap_free(&m);
}

/* A million messages removed in chunks of 1024, as EXPUNGE reports them:
 * each step costs the runs and the chunk, not the mailbox (this took
 * minutes when every step walked every UID). */
static void test_chunked_removal_is_linear(void **state)
{
	const uint32_t total = 1000000, chunk = 1024;
	struct uidmap m = {0};
	struct rangeset set = RANGESET_INIT;
	clock_t start = clock();

	(void)state;
	for (uint32_t uid = 1; uid <= total; uid++)
		uidmap_append(&m, uid);
	assert_int_equal(m.nruns, 1);
	for (uint32_t lo = 1; lo <= total; lo += chunk) {
		rangeset_clear(&set);
		rangeset_add_range(&set, lo, lo + chunk - 1 > total ? total : lo + chunk - 1);
		uidmap_remove_set(&m, &set, NULL, NULL);
		assert_int_equal(m.total, lo + chunk - 1 >= total ? 0 : total - (lo + chunk - 1));
	}
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 5.0);
	rangeset_free(&set);
	uidmap_free(&m);
}

/* UIDs near the top of the 32-bit range. */
static void test_high_uids(void **state)
{
	uint32_t uids[] = {UINT32_MAX - 3, UINT32_MAX - 2, UINT32_MAX - 1};
	struct uidmap m;
	struct rangeset set = RANGESET_INIT;
	struct removal_log got = {.count = 0};

	(void)state;
	uidmap_init(&m, uids, 3);
	rangeset_add_range(&set, UINT32_MAX - 2, UINT32_MAX - 1);
	uidmap_remove_set(&m, &set, log_removal, &got);
	assert_int_equal(got.count, 2);
	assert_int_equal(got.seq[0], 2);
	assert_int_equal(got.seq[1], 2);
	assert_int_equal(m.total, 1);
	assert_int_equal(uidmap_last_uid(&m), UINT32_MAX - 3);
	rangeset_free(&set);
	uidmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_matches_model),
		cmocka_unit_test(test_seqs_to_uids_matches_model),
		cmocka_unit_test(test_rfc_example),
		cmocka_unit_test(test_chunked_removal_is_linear),
		cmocka_unit_test(test_high_uids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
