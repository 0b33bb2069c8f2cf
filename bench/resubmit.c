/* resubmit.c -- resubmission latency: one leaf unit sends N corrected versions of its
 * budget (one amount changed each time, a fresh submission id each time) to a running
 * aggregator, one at a time through a DEALER, and times each send -> durable ack (the
 * ack carries the flags of the new version). Packing is done before the clock starts:
 * what is timed is transport + decode + checks + store + rollup + synced commit + ack.
 *
 * usage: resubmit ENDPOINT CSV ENTITY [N] [FIRST]
 *   FIRST (default 1): the first version sent is the original + FIRST x 0.01 万元, the
 *   next + (FIRST + 1) x 0.01 万元 ..., so successive runs can keep moving the figure
 * prints: resubmit_p50_ms, resubmit_p99_ms, resubmit_max_ms, resubmit_flags_last,
 *         resubmit_facts (facts per version sent), and
 *         resubmit_table/row/column: the key that was corrected
 * Exits 1 if any ack is missing (10 s), not ACCEPTED, or names another submission.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bench.h"
#include "sort.h"
#include "wire.h"

#define ACK_TIMEOUT_MS 10000

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The fact to correct: the first detail row (not a total), so the change is the kind a
 * department asks a unit to fix and it moves every ancestor's figure. */
static fact_t *pick_fact(submission_t *s)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->facts[i].row, "total") && s->facts[i].fen != 0) return &s->facts[i];
    return &s->facts[0];
}

/* Sends one version and waits for its ack. Returns seconds, or -1 on any failure. */
static double round_trip(void *dealer, submission_t *s, size_t *flags)
{
    size_t len;
    uint8_t *payload = bench_pack(s, &len);
    uint8_t buf[1 << 16];
    double t0 = bench_now();
    if (zmq_send(dealer, payload, len, 0) < 0) {
        fprintf(stderr, "resubmit: send: %s\n", zmq_strerror(errno));
        free(payload);
        return -1;
    }
    int n = zmq_recv(dealer, buf, sizeof buf, 0);
    double dt = bench_now() - t0;
    free(payload);
    if (n < 0) {
        fprintf(stderr, "resubmit: no ack for %s within %d ms: %s\n", s->id, ACK_TIMEOUT_MS,
                zmq_strerror(errno));
        return -1;
    }
    if ((size_t)n > sizeof buf) {
        fprintf(stderr, "resubmit: ack of %d bytes is larger than this client reads\n", n);
        return -1;
    }
    ack_t ack;
    char err[512];
    if (wire_unpack_ack(buf, (size_t)n, &ack, err, sizeof err) != 0) {
        fprintf(stderr, "resubmit: bad ack: %s\n", err);
        return -1;
    }
    int ok = ack.status == ACK_ACCEPTED && !strcmp(ack.submission_id, s->id) && !ack.replayed;
    if (!ok)
        fprintf(stderr, "resubmit: ack for %s: status %d, id %s, replayed %d, reason: %s\n",
                s->id, (int)ack.status, ack.submission_id, ack.replayed, ack.reason);
    *flags = ack.flags.count;
    ack_clear(&ack);
    return ok ? dt : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: resubmit ENDPOINT CSV ENTITY [N] [FIRST]\n");
        return 2;
    }
    long n = argc > 4 ? bench_count(argv[4], "N") : 200;
    long first = argc > 5 ? bench_count(argv[5], "FIRST") : 1;
    submission_t *s = bench_load_submission(argv[2], argv[3]);
    fact_t *f = pick_fact(s);
    const int64_t original = f->fen;

    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    int timeout = ACK_TIMEOUT_MS, linger = 0;
    zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(dealer, argv[1]) != 0) {
        fprintf(stderr, "resubmit: connect %s: %s\n", argv[1], zmq_strerror(errno));
        return 1;
    }
    double *lat = calloc((size_t)n, sizeof *lat);
    size_t flags = 0;
    int rc = 0;
    /* One untimed round trip first: connection set-up is not a resubmission's cost. */
    f->fen = original + (int64_t)first * 10000;
    if (round_trip(dealer, s, &flags) < 0) rc = 1;
    for (long i = 0; i < n && rc == 0; i++) {
        f->fen = original + (int64_t)(first + i + 1) * 10000;   /* + 0.01 万元 per correction */
        lat[i] = round_trip(dealer, s, &flags);
        if (lat[i] < 0) rc = 1;
    }
    if (rc == 0) {
        sort_array(lat, (size_t)n, sizeof *lat, cmp_double);
        size_t p99 = (size_t)((n * 99 + 99) / 100) - 1;
        fprintf(stderr, "resubmit: %ld resubmissions of %s (%zu facts, %s/%s/%s changed)\n",
                n, s->entity, s->count, table_name(f->table), f->row, column_name(f->column));
        printf("resubmit_p50_ms=%.3f\n", lat[(n - 1) / 2] * 1e3);
        printf("resubmit_p99_ms=%.3f\n", lat[p99] * 1e3);
        printf("resubmit_max_ms=%.3f\n", lat[n - 1] * 1e3);
        printf("resubmit_flags_last=%zu\n", flags);
        printf("resubmit_facts=%zu\n", s->count);
        /* the corrected key, so run.sh can replay the same correction in PostgreSQL */
        printf("resubmit_fen_last=%lld\n", (long long)f->fen);
        printf("resubmit_table=%s\nresubmit_row=%s\nresubmit_column=%s\n",
               table_name(f->table), f->row, column_name(f->column));
    }
    free(lat);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    submission_destroy(&s);
    return rc;
}
