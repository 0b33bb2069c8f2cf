/* watch_int.h -- private to tools/watch.c and its unit test (tests/unit/test_watch.c): the
 * state of one `huizong watch` and the two steps the test drives without sockets (one
 * received event; reading a value out of an event's detail).
 */
#ifndef HUIZONG_WATCH_INT_H
#define HUIZONG_WATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "submission.h"

typedef struct {
    char code[SUBMISSION_ENTITY_MAX + 1];
    char name[256];
    uint32_t version;           /* current version for --year in the snapshot, 0 none */
} snap_entity_t;

typedef struct {
    const char *endpoint, *db;
    output_format format;
    long count;                 /* 0: unlimited */
    long timeout_s;             /* 0: none */
    uint32_t year;              /* --year: only events of this year; 0: every year */
    uint32_t snap_year;         /* the snapshot's year (--year, else the latest with figures) */
    snap_entity_t *snap;        /* sorted by code; NULL without --db */
    size_t nsnap;
    long printed, dropped, gaps;
    uint64_t last_seq;
    int have_last;
} watch_t;

/* Handles one received Event message: gap detection on seq, the snapshot rule (drops what
 * the snapshot already contains), printing in w->format. */
void watch_event(watch_t *w, const uint8_t *data, size_t len);
/* Value of key in a "k=v k=v" detail into out (truncated to outlen - 1). 0 if present,
 * -1 if not. */
int watch_detail_get(const char *detail, const char *key, char *out, size_t outlen);

#endif
