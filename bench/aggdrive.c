/* aggdrive.c -- the aggregator's capacity alone: every submission of the generated data
 * is read (core/csv.c) and packed (core/wire.c, a fresh id each) BEFORE the clock starts;
 * then one DEALER sends them to a running aggregator with WINDOW in flight, topping the
 * window up as each ack arrives, until every submission is acknowledged. No CSV parsing,
 * no collector spool, no fsync on the client side is in the clock: what is timed is
 * transport + decode + checks + store + rollup + flags + synced commit + ack, i.e. what
 * the aggregator can absorb.
 *
 * usage: aggdrive ENDPOINT WINDOW CSV...
 * prints: aggregator_s, aggregator_facts_per_s, aggregator_submissions_per_s,
 *         aggregator_window, aggdrive_rejected (acks that were not ACCEPTED)
 * Exits 1 when an ack is missing for ACK_TIMEOUT_MS or names no submission in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bench.h"
#include "csv.h"
#include "wire.h"

#define ACK_TIMEOUT_MS 30000

typedef struct { uint8_t *buf; size_t len; size_t facts; } packed_t;

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: aggdrive ENDPOINT WINDOW CSV...\n");
        return 2;
    }
    long window = bench_count(argv[2], "WINDOW");
    packed_t *p = NULL;
    size_t n = 0, cap = 0, facts = 0;
    char err[1024] = "";
    for (int a = 3; a < argc; a++) {
        submission_list_t list;
        submission_list_init(&list);
        if (csv_read_file(argv[a], CSV_ENCODING_AUTO, &list, err, sizeof err) != 0) {
            fprintf(stderr, "aggdrive: %s\n", err);
            return 1;
        }
        for (size_t i = 0; i < list.count; i++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                p = realloc(p, cap * sizeof *p);
                if (!p) { perror("aggdrive"); return 1; }
            }
            p[n].buf = bench_pack(list.items[i], &p[n].len);
            p[n].facts = list.items[i]->count;
            facts += p[n].facts;
            n++;
        }
        submission_list_free(&list);
    }

    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    int timeout = ACK_TIMEOUT_MS, linger = 0, hwm = 0;   /* hwm 0: the window bounds it */
    zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(dealer, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(dealer, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_connect(dealer, argv[1]) != 0) {
        fprintf(stderr, "aggdrive: connect %s: %s\n", argv[1], zmq_strerror(errno));
        return 1;
    }
    size_t sent = 0, acked = 0, rejected = 0;
    double t0 = bench_now();
    while (acked < n) {
        while (sent < n && sent - acked < (size_t)window) {
            if (zmq_send(dealer, p[sent].buf, p[sent].len, 0) < 0) {
                fprintf(stderr, "aggdrive: send: %s\n", zmq_strerror(errno));
                return 1;
            }
            sent++;
        }
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, dealer, 0) < 0) {
            fprintf(stderr, "aggdrive: no ack within %d ms (%zu of %zu acked): %s\n",
                    ACK_TIMEOUT_MS, acked, n, zmq_strerror(errno));
            return 1;
        }
        ack_t ack;
        if (wire_unpack_ack(zmq_msg_data(&m), zmq_msg_size(&m), &ack, err, sizeof err) != 0) {
            fprintf(stderr, "aggdrive: bad ack: %s\n", err);
            return 1;
        }
        if (ack.status != ACK_ACCEPTED) {
            if (rejected++ < 3) fprintf(stderr, "aggdrive: %s rejected: %s\n", ack.entity, ack.reason);
        }
        ack_clear(&ack);
        zmq_msg_close(&m);
        acked++;
    }
    double dt = bench_now() - t0;
    fprintf(stderr, "aggdrive: %zu submissions, %zu facts, window %ld: %.3f s\n", n, facts, window, dt);
    printf("aggregator_s=%.3f\n", dt);
    printf("aggregator_facts_per_s=%.0f\n", (double)facts / dt);
    printf("aggregator_submissions_per_s=%.1f\n", (double)n / dt);
    printf("aggregator_window=%ld\n", window);
    printf("aggdrive_rejected=%zu\n", rejected);
    for (size_t i = 0; i < n; i++) free(p[i].buf);
    free(p);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    return rejected ? 1 : 0;
}
