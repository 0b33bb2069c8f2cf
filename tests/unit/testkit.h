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
