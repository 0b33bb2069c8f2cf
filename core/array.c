/* array.c -- array_reserve (see array.h). */
#include "array.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void *items_p, size_t *cap, size_t need, size_t size, size_t first)
{
    assert(items_p && cap && size > 0 && first > 0);
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : first;
    while (n < need) {
        if (n > SIZE_MAX / 2) return -1;
        n *= 2;
    }
    if (n > SIZE_MAX / size) return -1;
    void *items;
    memcpy(&items, items_p, sizeof items);
    void *grown = realloc(items, n * size);
    if (!grown) return -1;
    memcpy(items_p, &grown, sizeof grown);
    *cap = n;
    return 0;
}
