/* bench.h -- helpers shared by the microbenchmarks in bench/ (not a library of huizong).
 *
 * Invariants: timing is CLOCK_MONOTONIC only; doubles appear only in rates and
 * durations, never where an amount of money flows (amounts stay int64 fen, as in core/).
 * Every program prints its figures as `name=value` lines on stdout, which bench/run.sh
 * collects; commentary goes to stderr.
 */
#ifndef HUIZONG_BENCH_H
#define HUIZONG_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "submission.h"

/* Seconds since an arbitrary point, monotonic. */
double bench_now(void);

/* Reads a v1 CSV and returns the submission for `entity`, or when entity is NULL the
 * median one by fact count (in a generated department file: a unit's ~200-fact budget).
 * The caller owns it; it has passed submission_validate.
 * Exits the program with a message naming the file on failure: a benchmark without its
 * input has nothing to measure. */
submission_t *bench_load_submission(const char *path, const char *entity);

/* Packs s with a fresh id (wire_pack_submission); exits on failure. */
uint8_t *bench_pack(submission_t *s, size_t *len);

/* Parses a positive count argument; exits with usage text on garbage. */
long bench_count(const char *text, const char *what);

/* Row codes to dense integer ids (0, 1, ...), for the integer-keyed PostgreSQL peers
 * (pgload, pgstream): open addressing over BENCH_ROW_BUCKETS slots; code[i] is NULL for
 * an empty slot. bench_rows_intern returns the code's id, giving the next one to a new
 * code; it exits when more than half the slots are taken (no row chart is that big). */
#define BENCH_ROW_BUCKETS (1 << 16)
typedef struct { char **code; int *id; int count; } bench_rows_t;
void bench_rows_init(bench_rows_t *r);
int bench_rows_intern(bench_rows_t *r, const char *code);

/* The default input when none is given: the shipped seed data. */
#ifndef BENCH_EXAMPLE_CSV
#define BENCH_EXAMPLE_CSV "examples/dongxihu-2024.csv"
#endif

#endif
