/* test_sender.c -- the collector's sender (delivery/sender.c): its byte window.
 *
 * The test plays the aggregator with a ROUTER on ipc:// in a mkdtemp dir and reads what
 * the sender puts in flight: with window_bytes, no more than that many bytes are in flight
 * unless one submission alone is larger, the oldest waiting job is never overtaken, and
 * without it (0) the count window alone applies. It links huizong_delivery and uses
 * sender.h only. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "sender.h"

static char dir[64];
static char ep[128];
static char err[512];
static void *ctx, *router;
static int done_count;

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "sender");
    snprintf(ep, sizeof ep, "ipc://%s/agg.sock", dir);
    ctx = zmq_ctx_new();
    router = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    ck_assert_int_eq(zmq_bind(router, ep), 0);
    done_count = 0;
}

static void teardown(void)
{
    zmq_close(router);
    zmq_ctx_term(ctx);
}

static void on_done(void *arg, const sender_job_info_t *job, const ack_t *ack)
{
    (void)arg;
    (void)job;
    ck_assert_ptr_nonnull(ack);
    done_count++;
}

/* Queues a job of len bytes for entity (its id is "id-" + entity). */
static void add_job(sender_t *s, const char *entity, size_t len)
{
    sender_job_info_t info;
    memset(&info, 0, sizeof info);
    snprintf(info.id, sizeof info.id, "id-%s", entity);
    snprintf(info.name, sizeof info.name, "job-%s", entity);
    snprintf(info.entity, sizeof info.entity, "%s", entity);
    info.year = 2024;
    uint8_t *payload = malloc(len);
    ck_assert_ptr_nonnull(payload);
    memset(payload, 'x', len);
    ck_assert_int_eq(sender_add(s, &info, payload, len), 0);
}

/* What arrived at the router within ms (the sender polled meanwhile): their sizes in
 * order, *rid the routing id of the last one. Returns how many. */
static int arrivals(sender_t *s, int ms, size_t *sizes, int max, zmq_msg_t *rid)
{
    int n = 0;
    for (int t = 0; t < ms; t += 10) {
        sender_poll(s, 10);
        for (;;) {
            zmq_msg_t id, body;
            zmq_msg_init(&id);
            if (zmq_msg_recv(&id, router, ZMQ_DONTWAIT) < 0) { zmq_msg_close(&id); break; }
            zmq_msg_init(&body);
            ck_assert_int_ge(zmq_msg_recv(&body, router, 0), 0);
            ck_assert_int_lt(n, max);
            sizes[n++] = zmq_msg_size(&body);
            zmq_msg_close(&body);
            zmq_msg_close(rid);
            zmq_msg_init(rid);
            zmq_msg_move(rid, &id);
            zmq_msg_close(&id);
        }
    }
    return n;
}

/* Acks submission id "id-" + entity to the peer rid. */
static void ack_job(zmq_msg_t *rid, const char *entity)
{
    ack_t a;
    ack_init(&a);
    snprintf(a.submission_id, sizeof a.submission_id, "id-%s", entity);
    snprintf(a.entity, sizeof a.entity, "%s", entity);
    a.year = 2024;
    a.status = ACK_ACCEPTED;
    a.version = 1;
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(wire_pack_ack(&a, &buf, &len), 0);
    ck_assert_int_ge(zmq_send(router, zmq_msg_data(rid), zmq_msg_size(rid), ZMQ_SNDMORE), 0);
    ck_assert_int_ge(zmq_send(router, buf, len, 0), 0);
    free(buf);
    ack_clear(&a);
}

START_TEST(byte_window_sends_a_large_one_alone)
{
    sender_opts_t o;
    sender_opts_default(&o);
    o.window_bytes = 1000;
    o.timeout_ms = 60000;
    sender_t *s = sender_new(ep, &o, on_done, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    add_job(s, "A", 1500);   /* larger than the window: alone */
    add_job(s, "B", 600);
    add_job(s, "C", 300);
    add_job(s, "D", 200);    /* 600 + 300 + 200 > 1000: waits for B or C */
    size_t sizes[8];
    zmq_msg_t rid;
    zmq_msg_init(&rid);
    ck_assert_int_eq(arrivals(s, 300, sizes, 8, &rid), 1);
    ck_assert_uint_eq(sizes[0], 1500);
    ack_job(&rid, "A");
    int n = arrivals(s, 300, sizes, 8, &rid);
    ck_assert_int_eq(done_count, 1);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(sizes[0], 600);
    ck_assert_uint_eq(sizes[1], 300);
    ack_job(&rid, "B");
    ck_assert_int_eq(arrivals(s, 300, sizes, 8, &rid), 1);
    ck_assert_uint_eq(sizes[0], 200);
    ack_job(&rid, "C");
    ack_job(&rid, "D");
    arrivals(s, 200, sizes, 8, &rid);
    ck_assert_int_eq(done_count, 4);
    ck_assert_uint_eq(sender_outstanding(s), 0);
    zmq_msg_close(&rid);
    sender_destroy(&s);
}
END_TEST

START_TEST(no_byte_window_sends_the_count_window)
{
    sender_opts_t o;
    sender_opts_default(&o);
    o.window_bytes = 0;
    o.timeout_ms = 60000;
    sender_t *s = sender_new(ep, &o, on_done, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    add_job(s, "A", 1500);
    add_job(s, "B", 600);
    add_job(s, "C", 300);
    size_t sizes[8];
    zmq_msg_t rid;
    zmq_msg_init(&rid);
    ck_assert_int_eq(arrivals(s, 300, sizes, 8, &rid), 3);
    zmq_msg_close(&rid);
    sender_destroy(&s);
}
END_TEST

TESTKIT_MAIN("sender", setup, teardown, 0,
             byte_window_sends_a_large_one_alone,
             no_byte_window_sends_the_count_window)
