/* fuzz_csv.c -- libFuzzer target for the v1 CSV reader (core/csv.c, csv_read_buffer).
 *
 * Feeds the input bytes to csv_read_buffer as UTF-8, as AUTO (which falls back to GB18030
 * when the bytes are not UTF-8) and as GB18030, and checks the reader's promises besides
 * "no crash, no leak, no undefined behaviour":
 *  - on error the caller's list is untouched and the message names the file;
 *  - on success every submission it added passes submission_validate (what a collector
 *    accepts, the aggregator's structural check accepts too) and survives a wire round
 *    trip with the same facts.
 * A broken promise aborts, so libFuzzer saves the input like any crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "submission.h"
#include "wire.h"

#define NAME "fuzz.csv"

static void broken(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_csv: broken promise: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* A submission the reader must leave alone when it refuses a file. */
static submission_t *add_sentinel(submission_list_t *list)
{
    submission_t *s = submission_list_get(list, "sentinel", 2024);
    if (!s || submission_add(s, TABLE_SUMMARY, "gpb", COL_AMOUNT, 1, "", 2)) abort();
    return s;
}

static void check_round_trip(submission_t *s)
{
    char err[512] = "";
    if (submission_validate(s, err, sizeof err))
        broken("accepted CSV fails submission_validate", err);
    uint8_t *buf = NULL;
    size_t len = 0;
    if (wire_pack_submission(s, &buf, &len)) abort();
    submission_t *back = wire_unpack_submission(buf, len, err, sizeof err);
    free(buf);
    if (!back) broken("accepted CSV does not decode after packing", err);
    if (back->count != s->count || back->year != s->year || strcmp(back->entity, s->entity))
        broken("wire round trip changed the submission", s->entity);
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *a = &s->facts[i], *b = &back->facts[i];
        if (a->table != b->table || a->column != b->column || a->fen != b->fen ||
            a->line != b->line || strcmp(a->row, b->row) || strcmp(a->name, b->name))
            broken("wire round trip changed a fact", a->row);
    }
    submission_destroy(&back);
}

static void read_as(const uint8_t *data, size_t size, csv_encoding enc)
{
    submission_list_t list;
    submission_list_init(&list);
    submission_t *sentinel = add_sentinel(&list);
    char err[1024] = "";
    int rc = csv_read_buffer(NAME, (const char *)data, size, enc, &list, err, sizeof err);
    if (rc != 0 && rc != -1) broken("csv_read_buffer returned neither 0 nor -1", NULL);
    if (list.count == 0 || list.items[0] != sentinel || sentinel->count != 1)
        broken("the caller's submissions changed", err);
    if (rc == -1) {
        if (list.count != 1) broken("a refused file added submissions", err);
        if (strncmp(err, NAME, strlen(NAME)) != 0) broken("the error does not name the file", err);
    } else {
        if (list.count < 2) broken("an accepted file added no submission", NULL);
        for (size_t i = 1; i < list.count; i++) check_round_trip(list.items[i]);
    }
    submission_list_free(&list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_as(data, size, CSV_ENCODING_UTF8);
    read_as(data, size, CSV_ENCODING_AUTO);
    read_as(data, size, CSV_ENCODING_GB18030);
    return 0;
}
