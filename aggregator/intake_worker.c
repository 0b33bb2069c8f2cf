/* intake_worker.c -- the intake stage on a thread of its own (see intake_worker.h).
 *
 * One mutex guards the queue, the choice of batch being filled and the flags; two
 * condition variables: `work` (the worker waits for a message, room in its batch, or the
 * end of a pause) and `done` (the main thread waits for a message to be checked). The
 * checks themselves run without the lock: only the worker touches the batch being filled
 * (invariant 1 of the header), so taking a batch needs the worker between two messages,
 * never a lock held across a check.
 */
#include "intake_worker.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

struct intake_worker_t {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;
    pthread_cond_t done;
    intake_msg_t *queue;            /* a ring of qcap messages, oldest at qhead */
    size_t qcap, qhead, qcount, qbytes;
    intake_batch_t batch[2];
    int filling;                    /* the batch the worker adds to */
    size_t fill_count, fill_bytes;  /* messages and bytes in batch[filling]: the main thread
                                       reads these, never the batch, which the worker
                                       writes without the lock */
    int taken;                      /* batch[!filling] is with the main thread */
    int busy;                       /* the worker is checking a message (without the lock) */
    int paused, stop;
    size_t cap, cap_bytes;
    const paths_t *paths;
    const rule_settings_t *settings;
};

/* Whether the oldest queued message may join the batch being filled (invariant 3). Called
 * with the lock held and a message queued. */
static int s_head_fits(const intake_worker_t *self)
{
    if (self->fill_count == 0) return 1;
    if (self->fill_count >= self->cap) return 0;
    return !self->cap_bytes || self->fill_bytes + self->queue[self->qhead].bytes <= self->cap_bytes;
}

static void *s_run(void *arg)
{
    intake_worker_t *self = arg;
    pthread_setname_np(pthread_self(), "hz-intake");   /* what top and perf show */
    pthread_mutex_lock(&self->lock);
    for (;;) {
        while (!self->stop && (self->paused || self->qcount == 0 || !s_head_fits(self)))
            pthread_cond_wait(&self->work, &self->lock);
        if (self->stop) break;
        intake_msg_t m;
        intake_msg_move(&m, &self->queue[self->qhead]);
        self->qhead = (self->qhead + 1) % self->qcap;
        self->qcount--;
        self->qbytes -= m.bytes;
        size_t bytes = m.bytes;
        intake_batch_t *b = &self->batch[self->filling];
        self->busy = 1;
        pthread_mutex_unlock(&self->lock);

        intake_add_msg(b, self->paths, self->settings, &m);   /* the work: no lock held */

        pthread_mutex_lock(&self->lock);
        self->fill_count++;
        self->fill_bytes += bytes;
        self->busy = 0;
        pthread_cond_broadcast(&self->done);
    }
    pthread_mutex_unlock(&self->lock);
    return NULL;
}

intake_worker_t *intake_worker_new(size_t cap, size_t cap_bytes, const paths_t *paths,
                                   const rule_settings_t *settings, auth_t *auth, char *err,
                                   size_t errlen)
{
    assert(cap > 0 && paths && settings);
    intake_worker_t *self = calloc(1, sizeof *self);
    if (!self) {
        error_set(err, errlen, "out of memory for the intake worker");
        return NULL;
    }
    self->cap = cap;
    self->cap_bytes = cap_bytes;
    self->paths = paths;
    self->settings = settings;
    self->qcap = cap;
    self->queue = calloc(cap, sizeof *self->queue);
    int ok = self->queue && intake_batch_init(&self->batch[0], cap) == 0;
    if (ok && intake_batch_init(&self->batch[1], cap) != 0) {
        intake_batch_free(&self->batch[0]);
        ok = 0;
    }
    if (!ok) {
        free(self->queue);
        free(self);
        error_set(err, errlen, "out of memory for a batch of %zu", cap);
        return NULL;
    }
    self->batch[0].auth = self->batch[1].auth = auth;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->work, NULL);
    pthread_cond_init(&self->done, NULL);
    int rc = pthread_create(&self->thread, NULL, s_run, self);
    if (rc != 0) {
        error_set(err, errlen, "cannot start the intake thread: %s", strerror(rc));
        pthread_cond_destroy(&self->done);
        pthread_cond_destroy(&self->work);
        pthread_mutex_destroy(&self->lock);
        intake_batch_free(&self->batch[0]);
        intake_batch_free(&self->batch[1]);
        free(self->queue);
        free(self);
        return NULL;
    }
    return self;
}

void intake_worker_destroy(intake_worker_t **self_p)
{
    if (!self_p || !*self_p) return;
    intake_worker_t *self = *self_p;
    pthread_mutex_lock(&self->lock);
    self->stop = 1;
    pthread_cond_broadcast(&self->work);
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->thread, NULL);
    for (size_t i = 0; i < self->qcount; i++)   /* never acked: their collectors resend */
        intake_msg_close(&self->queue[(self->qhead + i) % self->qcap]);
    intake_batch_free(&self->batch[0]);
    intake_batch_free(&self->batch[1]);
    pthread_cond_destroy(&self->done);
    pthread_cond_destroy(&self->work);
    pthread_mutex_destroy(&self->lock);
    free(self->queue);
    free(self);
    *self_p = NULL;
}

int intake_worker_full(intake_worker_t *self)
{
    pthread_mutex_lock(&self->lock);
    int full = self->qcount == self->qcap || (self->cap_bytes && self->qbytes >= self->cap_bytes);
    pthread_mutex_unlock(&self->lock);
    return full;
}

void intake_worker_push(intake_worker_t *self, intake_msg_t *m)
{
    pthread_mutex_lock(&self->lock);
    assert(self->qcount < self->qcap);
    intake_msg_move(&self->queue[(self->qhead + self->qcount) % self->qcap], m);
    self->qcount++;
    self->qbytes += self->queue[(self->qhead + self->qcount - 1) % self->qcap].bytes;
    pthread_cond_signal(&self->work);
    pthread_mutex_unlock(&self->lock);
}

size_t intake_worker_checked(intake_worker_t *self)
{
    pthread_mutex_lock(&self->lock);
    size_t n = self->fill_count;
    pthread_mutex_unlock(&self->lock);
    return n;
}

int intake_worker_pending(intake_worker_t *self)
{
    pthread_mutex_lock(&self->lock);
    int pending = self->qcount || self->busy || self->fill_count;
    pthread_mutex_unlock(&self->lock);
    return pending;
}

intake_batch_t *intake_worker_take(intake_worker_t *self)
{
    pthread_mutex_lock(&self->lock);
    assert(!self->taken && !self->paused);
    while (self->fill_count == 0 && (self->qcount || self->busy))
        pthread_cond_wait(&self->done, &self->lock);
    while (self->busy) pthread_cond_wait(&self->done, &self->lock);
    intake_batch_t *b = NULL;
    if (self->fill_count) {
        b = &self->batch[self->filling];
        assert(b->count == self->fill_count);     /* the worker is between two messages */
        self->filling ^= 1;
        assert(self->batch[self->filling].count == 0 && self->batch[self->filling].nitems == 0);
        self->fill_count = self->fill_bytes = 0;
        self->taken = 1;
        pthread_cond_signal(&self->work);       /* it may have waited for room */
    }
    pthread_mutex_unlock(&self->lock);
    return b;
}

void intake_worker_release(intake_worker_t *self, intake_batch_t *b)
{
    assert(b == &self->batch[0] || b == &self->batch[1]);
    intake_batch_reset(b);                      /* the main thread's: no lock needed */
    pthread_mutex_lock(&self->lock);
    assert(self->taken && b != &self->batch[self->filling]);
    self->taken = 0;
    pthread_mutex_unlock(&self->lock);
}

void intake_worker_pause(intake_worker_t *self)
{
    pthread_mutex_lock(&self->lock);
    self->paused = 1;
    while (self->busy) pthread_cond_wait(&self->done, &self->lock);
    pthread_mutex_unlock(&self->lock);
}

void intake_worker_resume(intake_worker_t *self)
{
    pthread_mutex_lock(&self->lock);
    self->paused = 0;
    pthread_cond_signal(&self->work);
    pthread_mutex_unlock(&self->lock);
}
