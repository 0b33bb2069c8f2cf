/* utf8.h -- cutting UTF-8 text to a size without splitting a character: the one place a
 * Chinese reason, label or name is shortened to fit a field. */
#ifndef HUIZONG_UTF8_H
#define HUIZONG_UTF8_H

#include <stddef.h>

/* The length of s[0..len) cut to at most max bytes, backed off to a character boundary (the
 * cut never leaves half a character; text that fits is not touched). */
size_t utf8_cut(const char *s, size_t len, size_t max);
/* Copies src into dst[dstlen] (dstlen > 0), cut by utf8_cut so it fits with its NUL. */
void utf8_copy(char *dst, size_t dstlen, const char *src);

#endif
