/* upstream.h -- federation: a lower aggregator forwards the consolidated figures of the
 * entity it serves (--as ENTITY) to a higher aggregator (--upstream ENDPOINT), with the
 * same durable ack, idempotency and spooling as a collector (docs/federation.md).
 *
 * Invariants:
 *  - A forward is a CONSOLIDATED-scope submission of ENTITY's current reported figures for
 *    one year, under a fresh id, built from committed data only (after store_apply_batch
 *    returned 0). It is spooled durably (spool.h) before it is handed to the sender and
 *    leaves the spool only by the upstream's ack, exactly like a collector's submission.
 *  - Coalescing: at most one forward per year is in flight and at most one waits behind
 *    it; a newer forward replaces the waiting one (its spool file is removed). The figures
 *    upstream therefore skip intermediate states but always end at the latest one.
 *  - Rate: a year is forwarded at most every interval_ms, and only if its figures differ
 *    from what the upstream last accepted (a digest kept in SPOOL/sent/).
 *  - Single-threaded: upstream_tick() is called from the server loop, and the sender's
 *    DEALER (its own context) is only touched there. It never waits more than 1 ms.
 *  - A restart loses nothing: pending forwards are in the spool, and every year whose
 *    figures differ from the last accepted digest is forwarded again at start-up.
 */
#ifndef HUIZONG_AGG_UPSTREAM_H
#define HUIZONG_AGG_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define UPSTREAM_DEFAULT_INTERVAL_MS 1000

typedef struct {
    const char *endpoint;        /* --upstream ENDPOINT */
    const char *entity;          /* --as ENTITY: the node this aggregator consolidates */
    const char *spool_dir;       /* --upstream-spool DIR (default DB/upstream-spool) */
    int interval_ms;             /* --upstream-interval (default 1000) */
    const char *key_file;        /* --upstream-key: this aggregator's CURVE secret cert */
    const char *server_key_file; /* --upstream-server-key: the upstream's public cert */
    int insecure;                /* --upstream-insecure: no CURVE, explicitly */
} upstream_opts_t;

/* Checks the combination of --upstream options (CURVE or --upstream-insecure, --as needed)
 * and defaults spool_dir to DB/upstream-spool (written into spool). Returns 0 (also when
 * federation is off), or -1 with the reason printed on stderr. */
int upstream_opts_check(upstream_opts_t *up, const char *db, char *spool, size_t spoollen);

typedef struct upstream upstream_t;

/* Checks ENTITY (registered, not a unit), opens the spool, reloads what is pending and
 * marks for forwarding every year whose figures differ from the last accepted forward.
 * Returns NULL with err on failure. */
upstream_t *upstream_new(store_t *store, const upstream_opts_t *opts, char *err, size_t errlen);
/* Pending forwards stay in the spool for the next start. */
void upstream_destroy(upstream_t **self_p);

/* After a committed batch: marks the year of every newly accepted submission under
 * ENTITY (the entity itself or a descendant) for forwarding. */
void upstream_batch_committed(upstream_t *self, const store_item_t *items, size_t n);
/* Builds the forwards that are due, and sends/receives for at most 1 ms. */
void upstream_tick(upstream_t *self);

/* Counters for logs and tests. */
typedef struct {
    unsigned long built, superseded, unchanged, accepted, rejected;
    size_t outstanding;
} upstream_stats_t;
void upstream_stats(const upstream_t *self, upstream_stats_t *out);

#endif
