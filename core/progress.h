/* progress.h -- progress of long runs on stderr, the same for every command: redrawn in
 * place on a terminal (at most every 100 ms), one plain line per tenth otherwise, with the
 * rate so far. Silent for runs shorter than min_total items. */
#ifndef HUIZONG_PROGRESS_H
#define HUIZONG_PROGRESS_H

#include <stdint.h>

#define PROGRESS_MIN 20

typedef struct {
    const char *what;        /* "huizong gen: units" */
    uint64_t total, done;
    uint64_t min_total;      /* PROGRESS_MIN unless changed after progress_start */
    int tty, last_tenth;
    uint64_t start_ms, drawn_ms;
} progress_t;

void progress_start(progress_t *p, const char *what, uint64_t total);
void progress_advance(progress_t *p, uint64_t n);
static inline void progress_step(progress_t *p) { progress_advance(p, 1); }
/* Ends an in-place line with a newline (a final line with the totals). */
void progress_end(progress_t *p);

#endif
