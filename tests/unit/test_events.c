/* test_events.c -- the aggregator's live events: the Event codec (core/wire.c), and
 * aggregator/events.c end to end against a real LMDB store loaded with
 * examples/entities.csv and the dongxihu seed budget, received on a real SUB socket.
 *
 * It links huizong_aggregator (events.h, with events_diff exposed for the flag counts).
 * Every test works in its own mkdtemp dir. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "events.h"
#include "csv.h"
#include "hierarchy.h"
#include "rules.h"
#include "store.h"

static char dir[64];
static char err[512];

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "events");
    err[0] = '\0';
}

static void teardown(void)
{
    if (testkit_rmtree(dir) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

START_TEST(test_event_roundtrip)
{
    event_t ev, back;
    memset(&ev, 0, sizeof ev);
    ev.seq = 1795436614931022ULL;
    snprintf(ev.kind, sizeof ev.kind, "totals");
    snprintf(ev.entity, sizeof ev.entity, "420100");
    ev.year = 2024;
    snprintf(ev.submission_id, sizeof ev.submission_id, "4c43812bc498db90872f48028a527cbe");
    ev.version = 3;
    snprintf(ev.detail, sizeof ev.detail, "expense_total=3311220000 by=026");
    ev.time_ms = 1795436614931ULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(wire_pack_event(&ev, &buf, &len), 0);
    ck_assert_int_eq(wire_unpack_event(buf, len, &back, err, sizeof err), 0);
    ck_assert_uint_eq(back.seq, 1795436614931022ULL);
    ck_assert_str_eq(back.kind, "totals");
    ck_assert_str_eq(back.entity, "420100");
    ck_assert_uint_eq(back.year, 2024);
    ck_assert_uint_eq(back.version, 3);
    ck_assert_str_eq(back.detail, "expense_total=3311220000 by=026");
    ck_assert_uint_eq(back.time_ms, 1795436614931ULL);
    free(buf);
}
END_TEST

START_TEST(test_event_refuses_bad_input)
{
    event_t ev;
    /* Not protobuf at all. */
    const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
    ck_assert_int_eq(wire_unpack_event(junk, sizeof junk, &ev, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "malformed"));
    /* field 3 (entity) = "\xc3\x28": invalid UTF-8 */
    const uint8_t bad_utf8[] = { 0x1a, 0x02, 0xc3, 0x28 };
    ck_assert_int_eq(wire_unpack_event(bad_utf8, sizeof bad_utf8, &ev, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "entity"));
    /* field 2 (kind) longer than EVENT_KIND_MAX */
    uint8_t long_kind[2 + 40];
    long_kind[0] = 0x12;
    long_kind[1] = 40;
    memset(long_kind + 2, 'k', 40);
    ck_assert_int_eq(wire_unpack_event(long_kind, sizeof long_kind, &ev, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "kind"));
}
END_TEST

START_TEST(test_flag_diff)
{
    const uint64_t before[] = { 1, 3, 5, 7 }, after[] = { 3, 4, 7, 8, 9 };
    unsigned raised, cleared;
    events_diff(before, 4, after, 5, &raised, &cleared);
    ck_assert_uint_eq(raised, 3);    /* 4, 8, 9 */
    ck_assert_uint_eq(cleared, 2);   /* 1, 5 */
    events_diff(NULL, 0, after, 5, &raised, &cleared);
    ck_assert_uint_eq(raised, 5);
    ck_assert_uint_eq(cleared, 0);
}
END_TEST

/* Receives every event that is already queued (after a short settle). */
static size_t recv_all(void *sub, event_t *out, size_t max)
{
    size_t n = 0;
    zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
    while (n < max && zmq_poll(&item, 1, 500) > 0) {
        char kind[32];
        int k = zmq_recv(sub, kind, sizeof kind, 0);
        ck_assert_int_gt(k, 0);
        uint8_t buf[4096];
        int len = zmq_recv(sub, buf, sizeof buf, 0);
        ck_assert_int_gt(len, 0);
        ck_assert_int_eq(wire_unpack_event(buf, (size_t)len, &out[n], err, sizeof err), 0);
        ck_assert_int_eq(memcmp(kind, out[n].kind, (size_t)k), 0);
        n++;
    }
    return n;
}

static const event_t *find_event(const event_t *evs, size_t n, const char *kind, const char *entity)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(evs[i].kind, kind) && !strcmp(evs[i].entity, entity)) return &evs[i];
    return NULL;
}

START_TEST(test_batch_events)
{
    store_t *st = store_open(dir, 0, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    hierarchy_t h;
    memset(&h, 0, sizeof h);
    ck_assert_msg(hierarchy_load(&h, EXAMPLES_DIR "/entities.csv", err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(store_sync_hierarchy(st, &h, err, sizeof err), 0);

    submission_list_t list;
    submission_list_init(&list);
    ck_assert_msg(csv_read_file(EXAMPLES_DIR "/dongxihu-2024.csv", CSV_ENCODING_UTF8, &list, err,
                                sizeof err) == 0, "%s", err);
    ck_assert_uint_ge(list.count, 1);

    void *ctx = zmq_ctx_new();
    events_t *ev = events_new(ctx, "inproc://events-test", err, sizeof err);
    ck_assert_msg(ev != NULL, "%s", err);
    uint64_t first = events_next_seq(ev);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    ck_assert_int_eq(zmq_connect(sub, "inproc://events-test"), 0);
    usleep(50000);

    store_item_t items[8];
    size_t n = testkit_items(&list, items, 8);
    for (size_t i = 0; i < n; i++) {
        store_item_t *it = &items[i];
        entity_t ent;
        ck_assert_int_eq(store_entity(st, it->submission->entity, &ent), 0);
        ck_assert_int_eq(rules_check(it->submission, NULL, &it->findings), 0);
    }
    events_batch_begin(ev, st, items, n);
    ck_assert_msg(store_apply_batch(st, items, n, NULL, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < n; i++) events_ack(ev, &items[i].ack);
    events_batch_end(ev, st, items, n, 1);

    event_t got[64];
    size_t ngot = recv_all(sub, got, 64);
    ck_assert_uint_ge(ngot, n + 4);
    for (size_t i = 0; i < ngot; i++) ck_assert_uint_eq(got[i].seq, first + i);   /* no gaps */
    ck_assert_uint_eq(events_next_seq(ev), first + ngot);

    const event_t *acc = find_event(got, ngot, "accepted", "026");
    ck_assert_ptr_nonnull(acc);
    ck_assert_uint_eq(acc->version, 1);
    ck_assert_uint_eq(acc->year, 2024);
    ck_assert_ptr_nonnull(strstr(acc->detail, "facts=335"));
    /* 东西湖区 026's 支出总计 3311.22 万元 reaches 420112, 武汉市 420100 and 湖北省 420000,
     * once each (coalesced per batch). */
    const char *chain[] = { "026", "420112", "420100", "420000" };
    for (size_t c = 0; c < 4; c++) {
        const event_t *t = find_event(got, ngot, "totals", chain[c]);
        ck_assert_msg(t != NULL, "no totals event for %s", chain[c]);
        ck_assert_msg(strstr(t->detail, "expense_total=3311220000 ") != NULL, "%s: %s", chain[c], t->detail);
        size_t count = 0;
        for (size_t i = 0; i < ngot; i++)
            count += !strcmp(got[i].kind, "totals") && !strcmp(got[i].entity, chain[c]);
        ck_assert_uint_eq(count, 1);
        ck_assert_uint_ge(t->version, 1);
    }
    const event_t *fl = find_event(got, ngot, "flags", "026");
    ck_assert_ptr_nonnull(fl);
    ck_assert_ptr_nonnull(strstr(fl->detail, "cleared=0"));

    /* A replay of the same batch changes nothing: accepted (replayed) events only. */
    for (size_t i = 0; i < n; i++) ack_clear(&items[i].ack);
    events_batch_begin(ev, st, items, n);
    ck_assert_int_eq(store_apply_batch(st, items, n, NULL, err, sizeof err), 0);
    for (size_t i = 0; i < n; i++) events_ack(ev, &items[i].ack);
    events_batch_end(ev, st, items, n, 1);
    ngot = recv_all(sub, got, 64);
    ck_assert_uint_eq(ngot, n);
    for (size_t i = 0; i < ngot; i++) {
        ck_assert_str_eq(got[i].kind, "accepted");
        ck_assert_ptr_nonnull(strstr(got[i].detail, "replayed=1"));
    }

    /* A rejection is published with its reason. */
    ack_t rej;
    ack_init(&rej);
    rej.status = ACK_REJECTED;
    snprintf(rej.entity, sizeof rej.entity, "zz");
    snprintf(rej.reason, sizeof rej.reason, "unknown entity 'zz'");
    events_ack(ev, &rej);
    ngot = recv_all(sub, got, 64);
    ck_assert_uint_eq(ngot, 1);
    ck_assert_str_eq(got[0].kind, "rejected");
    ck_assert_str_eq(got[0].detail, "unknown entity 'zz'");

    for (size_t i = 0; i < n; i++) {
        submission_destroy(&items[i].submission);
        findings_clear(&items[i].findings);
        ack_clear(&items[i].ack);
    }
    submission_list_free(&list);
    zmq_close(sub);
    events_destroy(&ev);
    zmq_ctx_term(ctx);
    hierarchy_free(&h);
    store_destroy(&st);
}
END_TEST

START_TEST(test_no_subscriber_never_blocks)
{
    /* No subscriber at all, then one that never reads: publishing 3 x the high-water mark
     * returns at once every time and the seq still counts every event. */
    void *ctx = zmq_ctx_new();
    char ep[128];
    snprintf(ep, sizeof ep, "ipc://%s/ev.sock", dir);
    events_t *ev = events_new(ctx, ep, err, sizeof err);
    ck_assert_msg(ev != NULL, "%s", err);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    ck_assert_int_eq(zmq_connect(sub, ep), 0);
    usleep(100000);
    uint64_t first = events_next_seq(ev);
    for (int i = 0; i < 3 * EVENTS_SNDHWM; i++) {
        event_t e;
        memset(&e, 0, sizeof e);
        snprintf(e.kind, sizeof e.kind, "totals");
        snprintf(e.entity, sizeof e.entity, "420100");
        snprintf(e.detail, sizeof e.detail, "expense_total=%d by=026", i);
        ck_assert_int_eq(events_publish(ev, &e), 0);
        ck_assert_uint_eq(e.seq, first + (uint64_t)i);
    }
    ck_assert_uint_eq(events_next_seq(ev), first + 3 * EVENTS_SNDHWM);
    ck_assert_uint_eq(events_failed(ev), 0);
    /* The subscriber that never read is drained before it closes: libzmq 4.3 can abort in
     * session_base.cpp when a SUB whose pipe still holds parts of multipart messages is torn
     * down (zeromq/libzmq#3442), which has nothing to do with what is tested here. */
    zmq_msg_t part;
    zmq_msg_init(&part);
    while (zmq_msg_recv(&part, sub, ZMQ_DONTWAIT) >= 0) {}
    zmq_msg_close(&part);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(sub);
    events_destroy(&ev);
    zmq_ctx_term(ctx);
}
END_TEST

TESTKIT_MAIN("events", setup, teardown, 30,
             test_event_roundtrip,
             test_event_refuses_bad_input,
             test_flag_diff,
             test_batch_events,
             test_no_subscriber_never_blocks)
