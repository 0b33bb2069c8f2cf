/* sort.h -- the one array sort of core, with a test hook for the sort algorithm.
 *
 * C does not promise that qsort is stable (glibc 2.37 and later are not), so every
 * comparison handed to sort_array must be a total order: elements it calls equal must be
 * indistinguishable to the caller. sort_set_impl lets a test run the same code paths with a
 * deliberately different (e.g. order-reversing, unstable) algorithm to prove it.
 */
#ifndef HUIZONG_SORT_H
#define HUIZONG_SORT_H

#include <stddef.h>

typedef int (*sort_cmp_fn)(const void *a, const void *b);
typedef void (*sort_impl_fn)(void *base, size_t n, size_t size, sort_cmp_fn cmp);

/* Sorts base[0..n) by cmp with the current implementation (qsort unless a test set one). */
void sort_array(void *base, size_t n, size_t size, sort_cmp_fn cmp);

/* Test hook: replaces the implementation (NULL restores qsort); returns the previous one
 * (never NULL). Not thread-safe: call it before any thread sorts. */
sort_impl_fn sort_set_impl(sort_impl_fn impl);

#endif
