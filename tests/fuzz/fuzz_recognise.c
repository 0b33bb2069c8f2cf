/* fuzz_recognise.c -- libFuzzer target for the table recogniser (core/recognise.c).
 *
 * The input is read as a printed sheet: lines are rows, tabs separate cells (what the seed
 * transcriptions in tests/data/printed look like); a cell starting with '#' is a number
 * cell, '=' a formula without a cached value. The grid goes to recognise_grids twice (with
 * --entity/--year given, and without), and the recogniser's promises are checked besides
 * "no crash, no leak, no undefined behaviour":
 *  - on error the caller's list is untouched and every kept error names the file;
 *  - on success every submission it added passes submission_validate.
 * A broken promise aborts, so libFuzzer saves the input like any crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"
#include "recognise.h"
#include "submission.h"

#define NAME "fuzz.xlsx"

static void broken(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_recognise: broken promise: %s: %s\n", what, detail ? detail : "");
    abort();
}

static grid_t *s_grid(const uint8_t *data, size_t size)
{
    grid_t *g = grid_new("表1");
    char err[256];
    uint32_t row = 0, col = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && row < 5000; i++) {
        if (i < size && data[i] != '\t' && data[i] != '\n') continue;
        const char *t = (const char *)data + start;
        size_t len = i - start;
        grid_kind kind = GRID_TEXT;
        if (len && t[0] == '#') { kind = GRID_NUMBER; t++; len--; }
        else if (len && t[0] == '=') kind = GRID_FORMULA_NO_VALUE;
        if (len && submission_utf8_valid(t, len)) grid_set(g, row, col, kind, t, len, 0, err, sizeof err);
        col++;
        if (i < size && data[i] == '\n') { row++; col = 0; }
        start = i + 1;
    }
    grid_finish(g);
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    grid_t *g = s_grid(data, size);
    for (int pass = 0; pass < 2; pass++) {
        recognise_opts_t o = { .file = NAME, .entity = pass ? NULL : "026", .year = pass ? 0 : 2024 };
        submission_list_t list;
        submission_list_init(&list);
        recognise_report_t rep;
        recognise_report_init(&rep);
        int rc = recognise_grids(&g, 1, &o, &list, &rep);
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            recognise_report_print_text(&rep, null);
            recognise_report_print_json(&rep, null);
            fclose(null);
        }
        if (rc != 0) {
            if (list.count) broken("list changed on error", rep.errors ? rep.errors[0] : "");
            for (size_t i = 0; i < rep.nerrors && i < RECOGNISE_ERRORS_MAX; i++)
                if (strncmp(rep.errors[i], NAME, strlen(NAME)) != 0) broken("error without the file", rep.errors[i]);
        } else {
            for (size_t i = 0; i < list.count; i++) {
                char err[512];
                if (submission_validate(list.items[i], err, sizeof err) != 0) broken("invalid submission", err);
            }
        }
        submission_list_free(&list);
        recognise_report_free(&rep);
    }
    grid_destroy(&g);
    return 0;
}
