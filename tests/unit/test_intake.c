/* test_intake.c -- the intake stage on its worker thread (aggregator/intake_worker.c) and
 * the entity paths it reads instead of the store (aggregator/paths.c).
 *
 * A real LMDB store loaded with examples/entities.csv; real libzmq messages (built with
 * zmq_msg_init_size, as a ROUTER hands them over: [routing id][payload]) holding the seeds
 * packed as the collector packs them. It links huizong_aggregator and uses paths.h and
 * intake_worker.h only. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "csv.h"
#include "hierarchy.h"
#include "intake_worker.h"
#include "paths.h"
#include "rules.h"
#include "wire.h"

static char dir[64];
static char err[512];
static store_t *st;
static hierarchy_t h;

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "intake");
    err[0] = '\0';
    st = testkit_store_with_entities(dir, EXAMPLES_DIR "/entities.csv", &h);
}

static void teardown(void)
{
    hierarchy_free(&h);
    store_destroy(&st);
    if (testkit_rmtree(dir) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

/* The worker's answer for an entity must be the store's, for every registered entity and
 * for codes that are not registered. */
START_TEST(paths_equal_store_ancestors)
{
    paths_t *p = paths_new(st, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    ck_assert_uint_eq(paths_count(p), h.count);
    for (size_t i = 0; i < h.count; i++) {
        store_path_t a, b;
        ck_assert_int_eq(store_ancestors(st, h.items[i].code, &a), 0);
        ck_assert_int_eq(paths_resolve(p, h.items[i].code, &b), 0);
        ck_assert_uint_eq(a.count, b.count);
        ck_assert_int_eq(a.level, b.level);
        ck_assert_int_eq(b.level, h.items[i].level);
        for (size_t k = 0; k < a.count; k++) ck_assert_str_eq(a.code[k], b.code[k]);
        ck_assert_str_eq(b.code[0], h.items[i].code);
        ck_assert_str_eq(b.code[b.count - 1 < 1 ? 0 : b.count - 1],
                         a.code[a.count - 1]);                    /* the same root */
    }
    const char *unknown[] = { "", "999999", "0260011", "02600", "420112 " };
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        store_path_t a, b;
        ck_assert_int_eq(store_ancestors(st, unknown[i], &a), -1);
        ck_assert_int_eq(paths_resolve(p, unknown[i], &b), -1);
        ck_assert_uint_eq(b.count, 0);
    }
    paths_destroy(&p);
    ck_assert_ptr_null(p);
    paths_destroy(&p);                                            /* twice is harmless */
}
END_TEST

/* A message as a ROUTER hands it over: [routing id][payload]. */
static void s_msg(intake_msg_t *m, const char *rid, const void *payload, size_t len)
{
    memset(m, 0, sizeof *m);
    zmq_msg_init_size(&m->frames[0], strlen(rid));
    memcpy(zmq_msg_data(&m->frames[0]), rid, strlen(rid));
    zmq_msg_init_size(&m->frames[1], len);
    if (len) memcpy(zmq_msg_data(&m->frames[1]), payload, len);
    m->n = 2;
    m->bytes = strlen(rid) + len;
}

/* The seeds' submissions, each with a fresh id, packed: packed[i], len[i]. Returns n. */
static size_t s_seed_messages(uint8_t **packed, size_t *len, char ids[][SUBMISSION_ID_MAX + 1],
                              size_t max)
{
    const char *files[] = { EXAMPLES_DIR "/dongxihu-2024.csv", EXAMPLES_DIR "/ningde-2024.csv",
                            EXAMPLES_DIR "/suzhou-2024.csv" };
    size_t n = 0;
    for (size_t f = 0; f < 3; f++) {
        submission_list_t list;
        submission_list_init(&list);
        if (access(files[f], R_OK) != 0) continue;
        ck_assert_msg(csv_read_file(files[f], CSV_ENCODING_UTF8, &list, err, sizeof err) == 0, "%s", err);
        for (size_t i = 0; i < list.count && n < max; i++) {
            submission_new_id(list.items[i]->id);
            ck_assert_int_eq(submission_validate(list.items[i], err, sizeof err), 0);
            snprintf(ids[n], SUBMISSION_ID_MAX + 1, "%s", list.items[i]->id);
            ck_assert_int_eq(wire_pack_submission(list.items[i], &packed[n], &len[n]), 0);
            n++;
        }
        submission_list_free(&list);
    }
    return n;
}

/* Every message pushed comes out once, in order, checked (known entities accepted for the
 * store, garbage and unknown entities answered at once), in batches within the bound. */
START_TEST(worker_keeps_order_and_bounds)
{
    rule_settings_t *rs = rule_settings_load(NULL, err, sizeof err);
    ck_assert_msg(rs != NULL, "%s", err);
    paths_t *p = paths_new(st, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    enum { CAP = 4, MAX = 24 };
    intake_worker_t *w = intake_worker_new(CAP, 0, p, rs, NULL, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    ck_assert_ptr_null(intake_worker_take(w));              /* nothing pushed: nothing waits */
    ck_assert_int_eq(intake_worker_pending(w), 0);

    uint8_t *packed[MAX];
    size_t len[MAX];
    char ids[MAX][SUBMISSION_ID_MAX + 1];
    size_t nseed = s_seed_messages(packed, len, ids, MAX - 2);
    ck_assert_uint_ge(nseed, 3);
    /* the order pushed: seed 0, garbage, the other seeds, an empty payload */
    size_t total = nseed + 2, pushed = 0, seen = 0, batches = 0;
    while (seen < total) {
        while (pushed < total && !intake_worker_full(w)) {
            intake_msg_t m;
            char rid[32];
            snprintf(rid, sizeof rid, "peer-%zu", pushed);
            if (pushed == 1) s_msg(&m, rid, "\xff\xff\xff garbage", 12);
            else if (pushed == total - 1) s_msg(&m, rid, "", 0);
            else {
                size_t k = pushed == 0 ? 0 : pushed - 1;
                s_msg(&m, rid, packed[k], len[k]);
            }
            intake_worker_push(w, &m);
            ck_assert_int_eq(m.n, 0);                       /* moved, not copied */
            pushed++;
        }
        intake_batch_t *b = intake_worker_take(w);
        ck_assert_ptr_nonnull(b);                           /* something was queued: it waits */
        ck_assert_uint_ge(b->count, 1);
        ck_assert_uint_le(b->count, CAP);
        batches++;
        for (size_t i = 0; i < b->count; i++, seen++) {
            const intake_entry_t *e = &b->entries[i];
            char rid[32];
            snprintf(rid, sizeof rid, "peer-%zu", seen);
            ck_assert_uint_eq(e->routing_len, strlen(rid));
            ck_assert_int_eq(memcmp(e->routing, rid, e->routing_len), 0);   /* arrival order */
            if (seen == 1 || seen == total - 1) {
                ck_assert_int_lt(e->item, 0);               /* answered at once */
                ck_assert_int_eq(intake_ack(b, i)->status, ACK_REJECTED);
                ck_assert_ptr_nonnull(strstr(intake_ack(b, i)->reason, "malformed"));
            } else {
                size_t k = seen == 0 ? 0 : seen - 1;
                ck_assert_int_ge(e->item, 0);               /* for the store */
                ck_assert_str_eq(b->items[e->item].submission->id, ids[k]);
            }
        }
        intake_worker_release(w, b);
    }
    ck_assert_uint_ge(batches, (total + CAP - 1) / CAP);
    ck_assert_int_eq(intake_worker_pending(w), 0);
    ck_assert_ptr_null(intake_worker_take(w));
    /* messages left queued when it stops are freed, not answered (leak-checked under ASan) */
    for (size_t i = 0; i < 3 && i < nseed; i++) {
        intake_msg_t m;
        s_msg(&m, "late", packed[i], len[i]);
        intake_worker_push(w, &m);
    }
    intake_worker_destroy(&w);
    ck_assert_ptr_null(w);
    for (size_t i = 0; i < nseed; i++) free(packed[i]);
    paths_destroy(&p);
    rule_settings_destroy(&rs);
}
END_TEST

/* The byte bound: a batch never holds more than cap_bytes unless it is one message. */
START_TEST(worker_byte_bound)
{
    rule_settings_t *rs = rule_settings_load(NULL, err, sizeof err);
    paths_t *p = paths_new(st, err, sizeof err);
    ck_assert_ptr_nonnull(rs);
    ck_assert_ptr_nonnull(p);
    uint8_t *packed[8];
    size_t len[8];
    char ids[8][SUBMISSION_ID_MAX + 1];
    size_t n = s_seed_messages(packed, len, ids, 8);
    ck_assert_uint_ge(n, 3);
    size_t bound = len[0] + len[1] / 2;         /* room for the first, not for the next too */
    intake_worker_t *w = intake_worker_new(64, bound, p, rs, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(w);
    for (size_t i = 0; i < n && !intake_worker_full(w); i++) {
        intake_msg_t m;
        s_msg(&m, "r", packed[i], len[i]);
        intake_worker_push(w, &m);
    }
    usleep(300 * 1000);                         /* the worker checks all that fits meanwhile */
    intake_batch_t *b = intake_worker_take(w);
    ck_assert_ptr_nonnull(b);
    ck_assert_msg(b->count == 1, "%zu messages in a batch bound to %zu bytes", b->count, bound);
    ck_assert_uint_gt(b->entries[0].bytes + len[1], bound);
    intake_worker_release(w, b);
    b = intake_worker_take(w);                  /* the next one starts the next batch */
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_ge(b->count, 1);
    intake_worker_release(w, b);
    intake_worker_destroy(&w);
    for (size_t i = 0; i < n; i++) free(packed[i]);
    paths_destroy(&p);
    rule_settings_destroy(&rs);
}
END_TEST

TESTKIT_MAIN("intake", setup, teardown, 60, paths_equal_store_ancestors,
             worker_keeps_order_and_bounds, worker_byte_bound)
