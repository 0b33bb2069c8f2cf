/* progress.c -- progress of long runs on stderr (see progress.h). */
#include "clock.h"
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

void progress_start(progress_t *p, const char *what, uint64_t total)
{
    p->what = what;
    p->total = total;
    p->done = 0;
    p->min_total = PROGRESS_MIN;
    p->tty = isatty(STDERR_FILENO);
    p->last_tenth = 0;
    p->start_ms = p->drawn_ms = clock_mono_ms();
}

static void progress_print(const progress_t *p, uint64_t t, const char *end)
{
    uint64_t elapsed = t - p->start_ms;
    uint64_t rate = elapsed ? p->done * 1000 / elapsed : 0;
    unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;
    fprintf(stderr, "%s%s: %llu/%llu (%u%%) %llu/s%s", p->tty ? "\r" : "", p->what,
            (unsigned long long)p->done, (unsigned long long)p->total, pct,
            (unsigned long long)rate, end);
}

void progress_advance(progress_t *p, uint64_t n)
{
    p->done += n;
    if (p->total < p->min_total || p->total == 0) return;
    uint64_t t = clock_mono_ms();
    if (p->tty) {
        if (t - p->drawn_ms >= 100 || p->done >= p->total) {
            p->drawn_ms = t;
            progress_print(p, t, "");
        }
        return;
    }
    int tenth = (int)(p->done * 10 / p->total);
    if (tenth > p->last_tenth) {
        p->last_tenth = tenth;
        progress_print(p, t, "\n");
    }
}

void progress_end(progress_t *p)
{
    if (p->total >= p->min_total && p->total && p->tty) {
        progress_print(p, clock_mono_ms(), "\n");
    }
}
