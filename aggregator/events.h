/* events.h -- the aggregator's live events: a PUB socket (--events ENDPOINT) that tells
 * whoever listens what each committed batch did (docs/events.md, `huizong watch`).
 *
 * Invariants:
 *  - Publishing never slows the aggregator or holds up an ack: events go out after the
 *    acks of their batch, every send is non-blocking, and PUB drops (silently, by design)
 *    what a subscriber cannot take once its queue holds EVENTS_SNDHWM messages.
 *  - seq increases by exactly one per event published by this process, whether libzmq
 *    queued or dropped it, so a subscriber sees every loss as a gap. The first seq of a
 *    process is its start time in ms * 1000 (nothing is persisted): a restart is a jump
 *    the subscriber reports as a gap and answers by resynchronising from the database.
 *  - A batch yields: one accepted/rejected event per ack sent, then for each entity/year
 *    whose figures a stored version may have moved (the submitter and its ancestors), at
 *    most one "flags" event (only when flags were raised or cleared) and exactly one
 *    "totals" event (the new reported 支出总计). Those two carry the last submission of the
 *    batch that touched the entity's subtree (submission_id, version, by=ENTITY), which is
 *    what lets a subscriber drop events already contained in a database snapshot.
 */
#ifndef HUIZONG_AGG_EVENTS_H
#define HUIZONG_AGG_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "store.h"
#include "wire.h"

/* Per subscriber: events queued for a slow subscriber beyond this are dropped by PUB. */
#define EVENTS_SNDHWM 10000

typedef struct events events_t;

/* Binds a PUB socket on endpoint in ctx (NULL: a context of its own). Returns NULL with
 * err if the endpoint cannot be bound. */
events_t *events_new(void *ctx, const char *endpoint, char *err, size_t errlen);
/* The feed of an aggregator that is not --insecure (docs/events.md): with auth (its
 * server key and subscribers' list loaded, auth_load_subscribers), the PUB socket is a
 * CURVE server only listed subscribers can connect to, and events are complete; with
 * redact, every event is published without submission id and detail (no amounts, counts
 * or reasons): kind, entity, year, version, seq and time only. events_new = neither. */
events_t *events_new_secure(void *ctx, const char *endpoint, auth_t *auth, int redact,
                            char *err, size_t errlen);
void events_destroy(events_t **self_p);

/* Stamps ev with the next seq and the time (ms since the epoch), packs it and sends it
 * without blocking. Returns 0, or -1 if it could not even be queued (counted as dropped;
 * the seq is used up either way so the subscriber sees the gap). */
int events_publish(events_t *self, event_t *ev);

/* Before store_apply_batch: remembers the current flags of every entity/year the batch
 * may change (each item's entity and its ancestors), to count raised and cleared ones. */
void events_batch_begin(events_t *self, store_t *store, const store_item_t *items, size_t n);
/* One accepted or rejected event for an ack that was just sent. */
void events_ack(events_t *self, const ack_t *ack);
/* After the acks: flags and totals events for what the committed batch changed. With
 * committed 0 (the store failed) it only forgets what batch_begin remembered. */
void events_batch_end(events_t *self, store_t *store, const store_item_t *items, size_t n,
                      int committed);

/* The next seq to be used, and how many sends libzmq refused (not HWM drops: PUB does not
 * report those). */
uint64_t events_next_seq(const events_t *self);
uint64_t events_failed(const events_t *self);

/* The flag counts of an event: raised = identities in b (after) and not in a (before),
 * cleared = in a and not in b. Both arrays sorted; equal identities are counted pairwise so
 * duplicates stay balanced. Pure (tested directly by test_events). */
void events_diff(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                 unsigned *raised, unsigned *cleared);

#endif
