/* intake_worker.h -- the intake stage on a thread of its own: decode, digest, authorise
 * and check the next submissions while the main thread commits the previous batch.
 *
 * Why: a small submission's CPU in the aggregator is about two fifths intake (protobuf
 * decode, digest, rules) and three fifths commit (the write transaction). Both ran one
 * after the other on one thread; on a machine with a second core the intake of batch N+1
 * now runs while batch N commits, so the aggregator is bounded by the larger of the two,
 * not their sum.
 *
 * The data path stays one line: the main thread receives (intake_msg_recv) and pushes each
 * message here in arrival order; this thread adds them, in that order, to the batch it is
 * filling (intake_add_msg); the main thread takes the filled batch (the worker goes on
 * into the other one), commits it and acks it, and releases it.
 *
 * Invariants:
 *  1. Two batches, A and B: at any moment one is being filled (touched only by the worker
 *     thread while it checks a message, and by nobody else), the other is empty or taken
 *     (touched only by the main thread). Which is which changes only in
 *     intake_worker_take, under the lock, while the worker is between two messages.
 *  2. Messages leave the queue in the order they were pushed, and a taken batch holds a
 *     prefix of what was pushed and not yet taken: acks and commits keep arrival order.
 *  3. The batch being filled keeps the server's bounds: at most `cap` messages and at most
 *     `cap_bytes` bytes (0: no byte bound) unless it holds one message only. The queue holds
 *     at most `cap` messages and `cap_bytes` bytes (intake_worker_full says so): the
 *     main thread stops receiving, and libzmq's per-peer queue bound pushes back on peers.
 *  4. The worker reads only what never changes while it runs (the entity paths, the rule
 *     settings) and the authorisation table, which the main thread changes only inside
 *     intake_worker_pause/resume.
 */
#ifndef HUIZONG_AGG_INTAKE_WORKER_H
#define HUIZONG_AGG_INTAKE_WORKER_H

#include <stddef.h>

#include "intake.h"

typedef struct intake_worker_t intake_worker_t;

/* Starts the worker thread. auth may be NULL (--insecure). NULL on failure (out of memory,
 * no thread), with the reason in err. */
intake_worker_t *intake_worker_new(size_t cap, size_t cap_bytes, const paths_t *paths,
                                   const rule_settings_t *settings, auth_t *auth, char *err,
                                   size_t errlen);
/* Stops the thread and frees everything; messages queued or checked and not taken are
 * never acked (their collectors resend them). */
void intake_worker_destroy(intake_worker_t **self_p);

/* Whether the queue can take no more messages now (invariant 3). */
int intake_worker_full(intake_worker_t *self);
/* Queues one message (moved out of m). The queue must not be full. */
void intake_worker_push(intake_worker_t *self, intake_msg_t *m);
/* How many messages are checked and not yet taken. */
size_t intake_worker_checked(intake_worker_t *self);
/* Whether anything is queued, being checked, or checked and not yet taken. */
int intake_worker_pending(intake_worker_t *self);

/* The checked batch, or NULL if nothing is checked. If nothing is checked yet but messages
 * are queued or being checked, waits until at least one is; then waits for the message in
 * hand, so the batch is taken between two messages. The worker goes on filling the other
 * batch. Give it back with intake_worker_release before taking again. */
intake_batch_t *intake_worker_take(intake_worker_t *self);
/* Hands a taken batch back (after its commit and acks): resets it. */
void intake_worker_release(intake_worker_t *self, intake_batch_t *b);

/* Holds the worker between two messages (while the authorisation is reloaded), and lets it
 * go on. */
void intake_worker_pause(intake_worker_t *self);
void intake_worker_resume(intake_worker_t *self);

#endif
