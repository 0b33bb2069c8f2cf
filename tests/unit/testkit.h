/* testkit.h -- what every Check suite in tests/unit shares: running a suite, and a
 * temporary directory made and removed without shelling out. Header-only: each suite is
 * its own executable. */
#ifndef HUIZONG_TESTKIT_H
#define HUIZONG_TESTKIT_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

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
