/* errors.h -- the one way a function reports why it failed: a message into the caller's
 * (err, errlen) buffer and -1. Every module returns errors this way; none prints them. */
#ifndef HUIZONG_ERRORS_H
#define HUIZONG_ERRORS_H

#include <stddef.h>

/* Formats the message into err (if err and errlen) and returns -1. */
int error_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
