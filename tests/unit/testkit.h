/* testkit.h -- what every Check suite in tests/unit shares: running a suite, a temporary
 * directory made and removed without shelling out, and (testkit.c, the huizong_testkit
 * library every suite links) facts looked up and submissions made into store items. */
#ifndef HUIZONG_TESTKIT_H
#define HUIZONG_TESTKIT_H

#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hierarchy.h"
#include "store.h"
#include "submission.h"
#include "tables.h"

/* The fen of the fact (entity, t, row, c) in l; the test fails if there is none. */
int64_t testkit_fen(const submission_list_t *l, const char *entity, table_id t, const char *row,
                    column_id c);
/* Moves up to max of list's submissions into fresh store items (a new id each, validated,
 * empty findings and ack): a batch for store_apply_batch. Returns how many. */
size_t testkit_items(submission_list_t *list, store_item_t *items, size_t max);
/* Reads a tab-separated fixture (a transcription: one printed line a line), calling
 * cell(ctx, row, col, text) for every cell in order; the test fails if it cannot open it. */
void testkit_tsv(const char *path, void (*cell)(void *ctx, uint32_t row, uint32_t col, const char *text),
                 void *ctx);
/* What write() prints, in memory (free it); its length into *len. */
char *testkit_generated(void (*write)(FILE *out), size_t *len);
/* A whole file, NUL-terminated (free it); its length into *len. The test fails if it is
 * missing. */
char *testkit_read_file(const char *path, size_t *len);
/* A store in DIR/db holding the entities of entities_csv; the test fails if it cannot. With
 * h not NULL, the hierarchy loaded is left there (the caller frees it). */
store_t *testkit_store_with_entities(const char *dir, const char *entities_csv, hierarchy_t *h);
/* Makes the directory /tmp/hz-NAME-XXXXXX into dir[size]; the test fails if it cannot. */
void testkit_tmpdir(char *dir, size_t size, const char *name);

/* Runs the suite (forking per test, Check's default) and returns the exit status. */
static inline int testkit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The shape of almost every suite here: one test case, setup/teardown (NULL: none) around
 * each test, a timeout in seconds (0: Check's default). Runs it; returns the exit status.
 * Use it through TESTKIT_MAIN. */
static inline int testkit_main(const char *name, SFun setup, SFun teardown, double timeout,
                               const TTest *const *tests, size_t n)
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(name);
    if (setup || teardown) tcase_add_checked_fixture(tc, setup, teardown);
    if (timeout > 0) tcase_set_timeout(tc, timeout);
    for (size_t i = 0; i < n; i++) tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    return testkit_run(s);
}

/* main() of a one-case suite: TESTKIT_MAIN("name", setup, teardown, timeout, test, ...). */
#define TESTKIT_MAIN(name, setup, teardown, timeout, ...)                               \
    int main(void)                                                                    \
    {                                                                                 \
        const TTest *tests_[] = { __VA_ARGS__ };                                      \
        return testkit_main(name, setup, teardown, timeout, tests_,                   \
                            sizeof tests_ / sizeof *tests_);                          \
    }

static inline int testkit_unlink(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st; (void)type; (void)ftw;
    return remove(path);
}

/* Removes a directory tree (depth first, not following symlinks). 0 or -1. */
static inline int testkit_rmtree(const char *dir)
{
    return nftw(dir, testkit_unlink, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
