/* read_ahead.c -- many files through import_read_file, their workbooks unzipped and parsed
 * on worker threads while the caller's thread recognises the files before them.
 *
 * Why: a printed-layout workbook costs about ten times the CPU of the v1 CSV holding the
 * same figures, two thirds of it in inflating and parsing XML (docs/performance.md); that
 * part touches nothing but its own file, while the recogniser must see the files in order
 * (a fact given by an earlier file is an error) and adds to one list.
 *
 * Invariants:
 *   1. the caller sees exactly what import_read_file of each file in turn would give: the
 *      same list, the same reports, the same order (done is called for file i only after
 *      file i-1's call returned);
 *   2. at most READ_AHEAD files are prepared and not yet finished, so memory is bounded by
 *      a few files' grids whatever the number of files;
 *   3. slot i % READ_AHEAD belongs to a worker from the moment it claims file i until it
 *      marks it ready, then to the caller's thread until that thread moves past i; the
 *      lock guards only the counters and the ready flags.
 */
#include "import_int.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Files prepared ahead of the one being recognised (invariant 2): enough to keep every
 * worker busy while one file is recognised. */
#define READ_AHEAD 8

typedef struct {
    import_prepared_t prepared;
    int ready;
} slot_t;

typedef struct {
    char *const *paths;
    size_t n;
    const import_opts_t *opts;
    pthread_mutex_t lock;
    pthread_cond_t ready;       /* a slot became ready: the caller's thread waits on it */
    pthread_cond_t room;        /* the caller moved on: workers wait on it */
    size_t next;                /* the next file a worker claims */
    size_t finished;            /* files the caller's thread has taken */
    int stop;
    slot_t slots[READ_AHEAD];
} read_ahead_t;

unsigned import_readers_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) return 1;
    return n > IMPORT_READERS_MAX ? IMPORT_READERS_MAX : (unsigned)n;
}

static void *s_worker(void *arg)
{
    read_ahead_t *ra = arg;
    pthread_mutex_lock(&ra->lock);
    for (;;) {
        while (!ra->stop && ra->next < ra->n && ra->next >= ra->finished + READ_AHEAD)
            pthread_cond_wait(&ra->room, &ra->lock);
        if (ra->stop || ra->next >= ra->n) break;
        size_t i = ra->next++;
        slot_t *slot = &ra->slots[i % READ_AHEAD];
        pthread_mutex_unlock(&ra->lock);
        import_prepare(ra->paths[i], ra->opts, &slot->prepared);   /* invariant 3: ours */
        pthread_mutex_lock(&ra->lock);
        slot->ready = 1;
        pthread_cond_broadcast(&ra->ready);
    }
    pthread_mutex_unlock(&ra->lock);
    return NULL;
}

/* Waits for file i to be prepared and takes it (the slot is free again for file
 * i + READ_AHEAD). */
static void s_take(read_ahead_t *ra, size_t i, import_prepared_t *out)
{
    slot_t *slot = &ra->slots[i % READ_AHEAD];
    pthread_mutex_lock(&ra->lock);
    assert(ra->finished == i);
    while (!slot->ready) pthread_cond_wait(&ra->ready, &ra->lock);
    *out = slot->prepared;
    slot->ready = 0;
    ra->finished = i + 1;
    pthread_cond_broadcast(&ra->room);
    pthread_mutex_unlock(&ra->lock);
}

/* The caller's half: file i finished in order, done called. Returns 1 if it failed. */
static size_t s_finish_one(char *const *paths, size_t i, import_prepared_t *p,
                           const import_opts_t *opts, submission_list_t *list,
                           import_file_fn done, void *ud)
{
    recognise_report_t rep;
    recognise_report_init(&rep);
    import_format fmt = p->fmt;
    int rc = import_finish(paths[i], p, opts, list, &rep);
    if (done) done(i, rc, fmt, &rep, ud);
    recognise_report_free(&rep);
    return rc != 0;
}

size_t import_read_files(char *const *paths, size_t n, const import_opts_t *opts, unsigned threads,
                         submission_list_t *list, import_file_fn done, void *ud)
{
    if (threads == 0) threads = import_readers_default();
    if (threads > IMPORT_READERS_MAX) threads = IMPORT_READERS_MAX;
    if ((size_t)threads > n) threads = (unsigned)n;
    size_t failed = 0;
    read_ahead_t *ra = threads > 1 ? calloc(1, sizeof *ra) : NULL;
    pthread_t tids[IMPORT_READERS_MAX];
    unsigned started = 0;
    if (ra) {
        ra->paths = paths;
        ra->n = n;
        ra->opts = opts;
        pthread_mutex_init(&ra->lock, NULL);
        pthread_cond_init(&ra->ready, NULL);
        pthread_cond_init(&ra->room, NULL);
        while (started < threads && pthread_create(&tids[started], NULL, s_worker, ra) == 0) started++;
    }
    if (started == 0) {                       /* one file, one thread, or no thread to be had */
        for (size_t i = 0; i < n; i++) {
            import_prepared_t p;
            import_prepare(paths[i], opts, &p);
            failed += s_finish_one(paths, i, &p, opts, list, done, ud);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            import_prepared_t p;
            s_take(ra, i, &p);
            failed += s_finish_one(paths, i, &p, opts, list, done, ud);
        }
        pthread_mutex_lock(&ra->lock);
        ra->stop = 1;
        pthread_cond_broadcast(&ra->room);
        pthread_mutex_unlock(&ra->lock);
        for (unsigned t = 0; t < started; t++) pthread_join(tids[t], NULL);
    }
    if (ra) {
        pthread_cond_destroy(&ra->room);
        pthread_cond_destroy(&ra->ready);
        pthread_mutex_destroy(&ra->lock);
        free(ra);
    }
    return failed;
}
