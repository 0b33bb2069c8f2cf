/* array.h -- room in a growable array: the one place a capacity is doubled.
 *
 * Every list in huizong is a (pointer, count, capacity) triple that grows by doubling. Each
 * used to carry its own four-line realloc step (and none checked that count * size fits a
 * size_t); array_reserve is that step, once, with the check.
 *
 * The array is passed as the address of its pointer (a T ** as void *): the pointer is read
 * and written through memcpy, which assumes, as POSIX does, that every object pointer has
 * the representation of a void *.
 */
#ifndef HUIZONG_ARRAY_H
#define HUIZONG_ARRAY_H

#include <stddef.h>

/* Makes room for at least `need` elements of `size` bytes in the array whose pointer is at
 * `items_p` and whose capacity (in elements) is *cap: the capacity doubles, starting from
 * `first`, until it holds `need`. Returns 0 (nothing moves when it already fits), or -1
 * when memory runs out or the size would overflow; the array and *cap are then unchanged. */
int array_reserve(void *items_p, size_t *cap, size_t need, size_t size, size_t first);

#endif
