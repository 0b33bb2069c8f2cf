/* bench_zmq.c -- the transport's raw limit: how many submission-sized messages per second
 * a DEALER can push to a ROUTER that answers each with an ack-sized reply, with a window
 * of unacknowledged messages in flight (as huizong-collector does), over tcp loopback or
 * ipc. Nothing is decoded or stored: this is the ceiling ZeroMQ alone allows here.
 *
 * usage: bench_zmq tcp|ipc [CSV [MESSAGES [WINDOW [IPC_DIR]]]]
 * prints: zmq_<transport>_msgs_per_s, zmq_<transport>_facts_per_s, submission_bytes,
 *         submission_facts
 *
 * Each side has its own context (its own I/O thread), like two processes would.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "bench.h"
#include "wire.h"

typedef struct {
    void *router;
    long messages;
    uint8_t *ack;
    size_t ack_len;
    int failed;
} server_t;

static void *server_loop(void *arg)
{
    server_t *sv = arg;
    for (long i = 0; i < sv->messages; i++) {
        zmq_msg_t rid, body;
        zmq_msg_init(&rid);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&rid, sv->router, 0) < 0 || !zmq_msg_more(&rid) ||
            zmq_msg_recv(&body, sv->router, 0) < 0) {
            fprintf(stderr, "bench_zmq: server receive: %s\n", zmq_strerror(errno));
            sv->failed = 1;
            return NULL;
        }
        if (zmq_msg_send(&rid, sv->router, ZMQ_SNDMORE) < 0 ||
            zmq_send(sv->router, sv->ack, sv->ack_len, 0) < 0) {
            fprintf(stderr, "bench_zmq: server send: %s\n", zmq_strerror(errno));
            sv->failed = 1;
            return NULL;
        }
        zmq_msg_close(&body);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "tcp") && strcmp(argv[1], "ipc"))) {
        fprintf(stderr, "usage: bench_zmq tcp|ipc [CSV [MESSAGES [WINDOW [IPC_DIR]]]]\n");
        return 2;
    }
    const char *transport = argv[1];
    const char *csv = argc > 2 ? argv[2] : BENCH_EXAMPLE_CSV;
    long messages = argc > 3 ? bench_count(argv[3], "MESSAGES") : 20000;
    long window = argc > 4 ? bench_count(argv[4], "WINDOW") : 64;
    const char *ipc_dir = argc > 5 ? argv[5] : "/tmp";

    submission_t *s = bench_load_submission(csv, NULL);
    size_t len;
    uint8_t *payload = bench_pack(s, &len);

    /* An ack as the aggregator sends it for a clean submission. */
    ack_t a;
    ack_init(&a);
    snprintf(a.submission_id, sizeof a.submission_id, "%s", s->id);
    snprintf(a.entity, sizeof a.entity, "%s", s->entity);
    a.year = s->year;
    a.status = ACK_ACCEPTED;
    a.version = 1;
    a.fact_count = (uint32_t)s->count;
    server_t sv = { .messages = messages };
    if (wire_pack_ack(&a, &sv.ack, &sv.ack_len) != 0) {
        fprintf(stderr, "bench_zmq: cannot pack an ack\n");
        return 1;
    }

    void *sctx = zmq_ctx_new(), *cctx = zmq_ctx_new();
    sv.router = zmq_socket(sctx, ZMQ_ROUTER);
    char endpoint[512];
    if (!strcmp(transport, "tcp"))
        snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:*");
    else
        snprintf(endpoint, sizeof endpoint, "ipc://%s/bench-zmq-%ld.sock", ipc_dir, (long)getpid());
    if (zmq_bind(sv.router, endpoint) != 0) {
        fprintf(stderr, "bench_zmq: bind %s: %s\n", endpoint, zmq_strerror(errno));
        return 1;
    }
    size_t elen = sizeof endpoint;
    zmq_getsockopt(sv.router, ZMQ_LAST_ENDPOINT, endpoint, &elen);

    pthread_t th;
    pthread_create(&th, NULL, server_loop, &sv);

    void *dealer = zmq_socket(cctx, ZMQ_DEALER);
    if (zmq_connect(dealer, endpoint) != 0) {
        fprintf(stderr, "bench_zmq: connect %s: %s\n", endpoint, zmq_strerror(errno));
        return 1;
    }
    char buf[4096];
    long sent = 0, acked = 0;
    double t0 = bench_now();
    while (acked < messages) {
        while (sent < messages && sent - acked < window) {
            if (zmq_send(dealer, payload, len, 0) < 0) {
                fprintf(stderr, "bench_zmq: send: %s\n", zmq_strerror(errno));
                return 1;
            }
            sent++;
        }
        if (zmq_recv(dealer, buf, sizeof buf, 0) < 0) {
            fprintf(stderr, "bench_zmq: receive ack: %s\n", zmq_strerror(errno));
            return 1;
        }
        acked++;
    }
    double secs = bench_now() - t0;
    pthread_join(th, NULL);
    if (sv.failed) return 1;

    double mps = (double)messages / secs;
    fprintf(stderr, "bench_zmq: %ld messages of %zu bytes (%zu facts) over %s, window %ld: %.3f s\n",
            messages, len, s->count, endpoint, window, secs);
    printf("submission_bytes=%zu\n", len);
    printf("submission_facts=%zu\n", s->count);
    printf("zmq_%s_msgs_per_s=%.0f\n", transport, mps);
    printf("zmq_%s_facts_per_s=%.0f\n", transport, mps * (double)s->count);

    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sv.router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(dealer);
    zmq_close(sv.router);
    zmq_ctx_term(cctx);
    zmq_ctx_term(sctx);
    free(payload);
    free(sv.ack);
    ack_clear(&a);
    submission_destroy(&s);
    return 0;
}
