/* test_upstream.c -- federation (aggregator/upstream.c): what a lower aggregator forwards,
 * how forwards coalesce in the spool while the upstream is away, how they are settled by
 * the upstream's acks, and that a restart forwards nothing the upstream already has.
 *
 * A real LMDB store loaded with examples/entities.csv and the dongxihu seed; the test
 * plays the upstream aggregator itself with a ROUTER on ipc:// in a mkdtemp dir.
 * It links huizong_aggregator and uses upstream.h only. */
#include <check.h>
#include "testkit.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "upstream.h"
#include "csv.h"
#include "hierarchy.h"
#include "rules.h"

static char dir[64];
static char err[512];
static store_t *st;

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "upstream");
    err[0] = '\0';
    st = testkit_store_with_entities(dir, EXAMPLES_DIR "/entities.csv", NULL);
}

static void teardown(void)
{
    store_destroy(&st);
    if (testkit_rmtree(dir) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

/* Submits dongxihu-2024.csv with 026's 支出总计 moved by delta fen; the committed items are
 * reported to up (when not NULL). */
static void submit_dongxihu(upstream_t *up, int64_t delta)
{
    submission_list_t list;
    submission_list_init(&list);
    ck_assert_msg(csv_read_file(EXAMPLES_DIR "/dongxihu-2024.csv", CSV_ENCODING_UTF8, &list, err,
                                sizeof err) == 0, "%s", err);
    store_item_t items[8];
    size_t n = testkit_items(&list, items, 8);
    for (size_t i = 0; i < n; i++) {
        submission_t *s = items[i].submission;
        for (size_t f = 0; f < s->count; f++) {
            fact_t *fa = &s->facts[f];
            if (!strcmp(s->entity, "026") && fa->table == TABLE_SUMMARY && !strcmp(fa->row, "expense_total"))
                fa->fen += delta;
        }
    }
    ck_assert_msg(store_apply_batch(st, items, n, NULL, err, sizeof err) == 0, "%s", err);
    if (up) upstream_batch_committed(up, items, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(items[i].ack.status, ACK_ACCEPTED);
        submission_destroy(&items[i].submission);
        findings_clear(&items[i].findings);
        ack_clear(&items[i].ack);
    }
    submission_list_free(&list);
}

static int spool_files(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/up", dir);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        n += len > 3 && de->d_name[0] != '.' && !strcmp(de->d_name + len - 3, ".pb");
    }
    closedir(d);
    return n;
}

static upstream_t *open_upstream(const char *endpoint)
{
    char spool[128];
    snprintf(spool, sizeof spool, "%s/up", dir);
    upstream_opts_t o = { .endpoint = endpoint, .entity = "420100", .spool_dir = spool,
                          .interval_ms = 10, .insecure = 1 };
    upstream_t *up = upstream_new(st, &o, err, sizeof err);
    ck_assert_msg(up != NULL, "%s", err);
    return up;
}

static void tick_for(upstream_t *up, int ms)
{
    for (int i = 0; i < ms; i += 5) {
        upstream_tick(up);
        usleep(5000);
    }
}

/* 026's 支出总计 in fen in a forwarded submission, -1 if absent. */
static int64_t forwarded_expense(const submission_t *s)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->facts[i].table == TABLE_SUMMARY && !strcmp(s->facts[i].row, "expense_total") &&
            s->facts[i].column == COL_AMOUNT)
            return s->facts[i].fen;
    return -1;
}

START_TEST(test_options_checked)
{
    char spool[128];
    snprintf(spool, sizeof spool, "%s/up", dir);
    upstream_opts_t o = { .endpoint = "ipc:///nonexistent/x", .entity = "nope", .spool_dir = spool,
                          .insecure = 1 };
    ck_assert_ptr_null(upstream_new(st, &o, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "not in the aggregator's hierarchy"));
    o.entity = "026001";   /* a unit */
    ck_assert_ptr_null(upstream_new(st, &o, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "unit"));
    o.entity = "420100";
    o.insecure = 0;        /* neither CURVE keys nor --upstream-insecure */
    ck_assert_ptr_null(upstream_new(st, &o, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "--upstream-insecure"));
}
END_TEST

START_TEST(test_coalesce_then_catch_up)
{
    char ep[128];
    snprintf(ep, sizeof ep, "ipc://%s/upstream.sock", dir);
    submit_dongxihu(NULL, 0);                 /* before the upstream is configured */
    upstream_t *up = open_upstream(ep);       /* start-up finds 2024 to forward */
    tick_for(up, 30);
    upstream_stats_t s;
    upstream_stats(up, &s);
    ck_assert_uint_eq(s.built, 1);
    ck_assert_int_eq(spool_files(), 1);       /* in flight, nobody answers */

    submit_dongxihu(up, 1000000);             /* +1 万元: waits behind the first */
    tick_for(up, 30);
    submit_dongxihu(up, 2000000);             /* +2 万元: replaces the waiting one */
    tick_for(up, 30);
    submit_dongxihu(up, 2000000);             /* same figures again: nothing to forward */
    tick_for(up, 30);
    upstream_stats(up, &s);
    ck_assert_uint_eq(s.built, 3);
    ck_assert_uint_eq(s.superseded, 1);
    ck_assert_uint_eq(s.unchanged, 1);
    ck_assert_int_eq(spool_files(), 2);       /* in flight + the latest waiting */

    /* The upstream appears: it acks whatever arrives, and the spool drains. */
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    ck_assert_int_eq(zmq_bind(router, ep), 0);
    int64_t last = -1;
    int received = 0;
    for (int round = 0; round < 2000 && spool_files() > 0; round++) {
        upstream_tick(up);
        zmq_pollitem_t item = { router, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 5) <= 0) continue;
        zmq_msg_t rid, body;
        zmq_msg_init(&rid);
        zmq_msg_init(&body);
        ck_assert_int_ge(zmq_msg_recv(&rid, router, 0), 0);
        ck_assert_int_ge(zmq_msg_recv(&body, router, 0), 0);
        submission_t *sub = wire_unpack_submission(zmq_msg_data(&body), zmq_msg_size(&body), err, sizeof err);
        ck_assert_msg(sub != NULL, "%s", err);
        ck_assert_str_eq(sub->entity, "420100");
        ck_assert_uint_eq(sub->year, 2024);
        ck_assert_int_eq(sub->scope, SCOPE_CONSOLIDATED);
        last = forwarded_expense(sub);
        received++;
        ack_t ack;
        ack_init(&ack);
        snprintf(ack.submission_id, sizeof ack.submission_id, "%s", sub->id);
        snprintf(ack.entity, sizeof ack.entity, "%s", sub->entity);
        ack.year = sub->year;
        ack.status = ACK_ACCEPTED;
        ack.version = (uint32_t)received;
        uint8_t *buf;
        size_t len;
        ck_assert_int_eq(wire_pack_ack(&ack, &buf, &len), 0);
        zmq_send(router, zmq_msg_data(&rid), zmq_msg_size(&rid), ZMQ_SNDMORE);
        zmq_send(router, buf, len, 0);
        free(buf);
        submission_destroy(&sub);
        zmq_msg_close(&rid);
        zmq_msg_close(&body);
    }
    tick_for(up, 20);
    ck_assert_int_eq(spool_files(), 0);
    upstream_stats(up, &s);
    ck_assert_uint_eq(s.accepted, 2);         /* the first and the latest; never the superseded */
    ck_assert_uint_ge(received, 2);
    /* 3311.22 万元 + 2 万元, consolidated at 武汉市 */
    ck_assert_int_eq(last, 3313220000LL);
    char sent[160];
    snprintf(sent, sizeof sent, "%s/up/sent/420100-2024", dir);
    ck_assert_int_eq(access(sent, R_OK), 0);
    upstream_destroy(&up);

    /* A restart with nothing changed forwards nothing. */
    up = open_upstream(ep);
    tick_for(up, 40);
    upstream_stats(up, &s);
    ck_assert_uint_eq(s.built, 0);
    ck_assert_uint_eq(s.unchanged, 1);
    upstream_destroy(&up);
    zmq_close(router);
    zmq_ctx_term(ctx);
}
END_TEST

START_TEST(test_restart_keeps_pending)
{
    char ep[128];
    snprintf(ep, sizeof ep, "ipc://%s/nobody.sock", dir);
    submit_dongxihu(NULL, 0);
    upstream_t *up = open_upstream(ep);
    tick_for(up, 30);
    submit_dongxihu(up, 1000000);
    tick_for(up, 30);
    ck_assert_int_eq(spool_files(), 2);
    upstream_destroy(&up);                    /* "crash": both stay in the spool */
    ck_assert_int_eq(spool_files(), 2);
    up = open_upstream(ep);                   /* only the newest is kept and sent */
    ck_assert_int_eq(spool_files(), 1);
    upstream_stats_t s;
    upstream_stats(up, &s);
    ck_assert_uint_eq(s.superseded, 1);
    ck_assert_uint_eq(s.outstanding, 1);
    tick_for(up, 30);
    upstream_stats(up, &s);
    ck_assert_uint_eq(s.built, 0);            /* the spooled one already carries the figures */
    upstream_destroy(&up);
}
END_TEST

TESTKIT_MAIN("upstream", setup, teardown, 30,
             test_options_checked,
             test_coalesce_then_catch_up,
             test_restart_keeps_pending)
