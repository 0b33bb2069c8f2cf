/* sort.c -- sort_array and its test hook (see sort.h). */
#include "sort.h"

#include <stdlib.h>

static sort_impl_fn s_impl = qsort;

void sort_array(void *base, size_t n, size_t size, sort_cmp_fn cmp)
{
    if (n > 1) s_impl(base, n, size, cmp);
}

sort_impl_fn sort_set_impl(sort_impl_fn impl)
{
    sort_impl_fn old = s_impl;
    s_impl = impl ? impl : qsort;
    return old;
}
