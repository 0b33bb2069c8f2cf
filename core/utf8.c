/* utf8.c -- utf8_cut, utf8_copy (see utf8.h). */
#include "utf8.h"

#include <assert.h>
#include <string.h>

size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max) return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;   /* a continuation byte */
    return n;
}

void utf8_copy(char *dst, size_t dstlen, const char *src)
{
    assert(dst && dstlen > 0 && src);
    size_t n = utf8_cut(src, strlen(src), dstlen - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}
