/* common.c -- see bench.h. Linked into every bench/ program (a tiny static library), so
 * loading and packing a submission is written once and goes through core/ exactly the
 * way the collector does it (csv_read_file, wire_pack_submission).
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "wire.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

submission_t *bench_load_submission(const char *path, const char *entity)
{
    submission_list_t list;
    char err[1024] = "";
    submission_list_init(&list);
    if (csv_read_file(path, CSV_ENCODING_AUTO, &list, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err[0] ? err : path);
        exit(1);
    }
    size_t best = list.count;
    if (entity) {
        for (size_t i = 0; i < list.count; i++)
            if (!strcmp(list.items[i]->entity, entity)) { best = i; break; }
    } else if (list.count > 0) {
        /* The median by fact count: in a generated department file that is one of its
         * units (~200 facts), not the department's larger declared budget. */
        size_t rank = list.count / 2;
        for (size_t i = 0; i < list.count && best == list.count; i++) {
            size_t below = 0, equal_before = 0;
            for (size_t j = 0; j < list.count; j++) {
                if (list.items[j]->count < list.items[i]->count) below++;
                else if (list.items[j]->count == list.items[i]->count && j < i) equal_before++;
            }
            if (below + equal_before == rank) best = i;
        }
    }
    if (best == list.count) {
        fprintf(stderr, "bench: %s: no submission%s%s\n", path, entity ? " for entity " : "",
                entity ? entity : "");
        exit(1);
    }
    submission_t *s = list.items[best];
    list.items[best] = NULL;          /* detached: the list frees the others */
    submission_list_free(&list);
    char verr[512];
    if (submission_validate(s, verr, sizeof verr) != 0) {
        fprintf(stderr, "bench: %s: %s\n", path, verr);
        exit(1);
    }
    return s;
}

uint8_t *bench_pack(submission_t *s, size_t *len)
{
    uint8_t *buf = NULL;
    submission_new_id(s->id);
    if (wire_pack_submission(s, &buf, len) != 0) {
        fprintf(stderr, "bench: cannot pack the submission of %s\n", s->entity);
        exit(1);
    }
    return buf;
}

long bench_count(const char *text, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v <= 0) {
        fprintf(stderr, "bench: %s must be a positive count, got '%s'\n", what, text);
        exit(2);
    }
    return v;
}

void bench_rows_init(bench_rows_t *r)
{
    r->code = calloc(BENCH_ROW_BUCKETS, sizeof *r->code);
    r->id = calloc(BENCH_ROW_BUCKETS, sizeof *r->id);
    r->count = 0;
    if (!r->code || !r->id) { perror("bench"); exit(1); }
}

static unsigned s_hash(const char *s)
{
    unsigned h = 2166136261u;                 /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int bench_rows_intern(bench_rows_t *r, const char *code)
{
    unsigned i = s_hash(code) & (BENCH_ROW_BUCKETS - 1);
    while (r->code[i]) {
        if (!strcmp(r->code[i], code)) return r->id[i];
        i = (i + 1) & (BENCH_ROW_BUCKETS - 1);
    }
    if (r->count >= BENCH_ROW_BUCKETS / 2) {
        fprintf(stderr, "bench: more than %d distinct row codes\n", BENCH_ROW_BUCKETS / 2);
        exit(1);
    }
    r->code[i] = strdup(code);
    if (!r->code[i]) { perror("bench"); exit(1); }
    r->id[i] = r->count++;
    return r->id[i];
}
