/* errors.h -- the one way a function reports why it failed: a message into the caller's
 * (err, errlen) buffer and -1. Every library module (core/, delivery/, store/) returns
 * errors this way and prints none of them: printing is the programs' job (collector/,
 * aggregator/, tools/). Two outputs that are not errors go elsewhere by design: progress
 * lines (core/progress.c, on stderr, only for a person at a terminal) and the sender's
 * diagnostics (delivery/sender.c hands each line to its caller's sender_opts_t.log). */
#ifndef HUIZONG_ERRORS_H
#define HUIZONG_ERRORS_H

#include <stddef.h>

/* Formats the message into err (if err and errlen) and returns -1. */
int error_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
