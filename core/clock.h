/* clock.h -- milliseconds, the only time unit huizong keeps: monotonic for timeouts,
 * backoff and rates (immune to clock changes), wall time for what is recorded (received
 * and created times, event times). */
#ifndef HUIZONG_CLOCK_H
#define HUIZONG_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ms(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline uint64_t clock_mono_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
static inline uint64_t clock_wall_ms(void) { return clock_ms(CLOCK_REALTIME); }

#endif
