/* bench_decode.c -- the decoder's raw limit: wire_unpack_submission (protobuf-c unpack
 * plus every structural check the aggregator relies on, then free) of one real
 * submission, repeated.
 *
 * usage: bench_decode [CSV [ITERATIONS]]
 * prints: pb_decode_msgs_per_s, pb_decode_facts_per_s, submission_bytes, submission_facts
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "wire.h"

int main(int argc, char **argv)
{
    const char *csv = argc > 1 ? argv[1] : BENCH_EXAMPLE_CSV;
    long iterations = argc > 2 ? bench_count(argv[2], "ITERATIONS") : 20000;
    submission_t *s = bench_load_submission(csv, NULL);
    size_t len;
    uint8_t *payload = bench_pack(s, &len);
    char err[512];
    size_t facts = 0;
    double t0 = bench_now();
    for (long i = 0; i < iterations; i++) {
        submission_t *d = wire_unpack_submission(payload, len, err, sizeof err);
        if (!d) {
            fprintf(stderr, "bench_decode: %s\n", err);
            return 1;
        }
        facts += d->count;
        submission_destroy(&d);
    }
    double secs = bench_now() - t0;
    fprintf(stderr, "bench_decode: %ld decodes of %zu bytes (%zu facts): %.3f s\n",
            iterations, len, s->count, secs);
    printf("submission_bytes=%zu\n", len);
    printf("submission_facts=%zu\n", s->count);
    printf("pb_decode_msgs_per_s=%.0f\n", (double)iterations / secs);
    printf("pb_decode_facts_per_s=%.0f\n", (double)facts / secs);
    free(payload);
    submission_destroy(&s);
    return 0;
}
