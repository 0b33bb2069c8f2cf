/* sort.c -- sort_array and its test hook (see sort.h). */
#include "sort.h"

#include <stdlib.h>

static sort_impl_fn s_impl = qsort;

/* Whether base[0..n) is already in cmp's order: n - 1 comparisons instead of a sort's
 * n log n. Key lists the store builds are mostly sorted already (a level view's keys come
 * from a sorted scan) and are sorted again by every consumer that needs the order. */
static int s_sorted(const void *base, size_t n, size_t size, sort_cmp_fn cmp)
{
    const char *p = base;
    for (size_t i = 1; i < n; i++)
        if (cmp(p + (i - 1) * size, p + i * size) > 0) return 0;
    return 1;
}

void sort_array(void *base, size_t n, size_t size, sort_cmp_fn cmp)
{
    if (n < 2) return;
    /* only with qsort: a test's implementation is meant to see every call */
    if (s_impl == qsort && s_sorted(base, n, size, cmp)) return;
    s_impl(base, n, size, cmp);
}

sort_impl_fn sort_set_impl(sort_impl_fn impl)
{
    sort_impl_fn old = s_impl;
    s_impl = impl ? impl : qsort;
    return old;
}
