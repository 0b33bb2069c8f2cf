/* server.c -- ROUTER socket set-up, the poll loop, batching and acks (see server.h).
 *
 * Invariants:
 *  - Three threads. This one owns the socket, the store and every ack; two intake workers
 *    (intake_worker.h) decode and check meanwhile: `worker` the small submissions, `large`
 *    one large one at a time. One turn = poll (short timeout, so a signal is noticed
 *    quickly), receive what is ready without blocking (server_receive: small ones queued
 *    for the worker, large ones parked for `large`), then take one checked batch -- the
 *    small ones checked so far, or the large one alone -- one store_apply_batch, then its
 *    acks. If the store fails, no ack of that batch's store items is sent: the collectors
 *    time out and resend, and submission ids make the resend harmless.
 *  - Whatever arrives (garbage, wrong frame counts, floods) gets a REJECTED ack or is
 *    dropped by libzmq (oversize: ZMQ_MAXMSGSIZE closes that connection); the loop never
 *    stops serving because of a peer.
 *  - Sends never block: ZMQ_DONTWAIT, and ZMQ_ROUTER_MANDATORY turns a vanished peer
 *    into an error we log instead of a silent drop.
 */
#include "clock.h"
#include "server.h"

#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "events.h"
#include "intake.h"
#include "intake_worker.h"
#include "paths.h"
#include "review.h"

volatile sig_atomic_t server_stop = 0;
volatile sig_atomic_t server_reload = 0;

#define SERVER_POLL_MS 100
#define SERVER_LARGE_POLL_MS 2      /* while only a large one is being decoded: not a spin */
#define SERVER_LINGER_MS 200        /* let the last acks out on shutdown, never hang */
#define SERVER_HEARTBEAT_IVL 5000   /* ping idle peers so dead connections are reaped */
#define SERVER_HEARTBEAT_TIMEOUT 15000
#define SERVER_SLOW_TURN_MS 1000    /* a loop turn longer than this is logged */

static int server_setopt_int(void *sock, int opt, int value, const char *name, char *err, size_t errlen)
{
    if (zmq_setsockopt(sock, opt, &value, sizeof value) == 0) return 0;
    snprintf(err, errlen, "setting %s: %s", name, zmq_strerror(errno));
    return -1;
}

int server_security_check(const server_opts_t *opts, char *err, size_t errlen)
{
    int curve = opts->curve_secret || opts->authorized;
    if (opts->insecure && curve) {
        snprintf(err, errlen, "--insecure cannot be combined with --curve-secret/--authorized: "
                              "choose CURVE or (for local demos only) no security");
        return -1;
    }
    if (opts->events_authorized && (opts->insecure || !opts->events)) {
        snprintf(err, errlen, "--events-authorized needs --events ENDPOINT and CURVE "
                              "(--curve-secret/--authorized), not --insecure");
        return -1;
    }
    if (opts->insecure) return 0;
    if (curve && !(opts->curve_secret && opts->authorized)) {
        snprintf(err, errlen, "CURVE needs both --curve-secret FILE (the server's secret key) "
                              "and --authorized FILE (the collectors' keys and entities)");
        return -1;
    }
    if (curve) return 0;
    snprintf(err, errlen, "refusing to serve without authentication: CURVE is required "
                          "(--curve-secret FILE --authorized FILE), or pass --insecure explicitly");
    return -1;
}

/* Security before bind: CURVE behind our ZAP handler (auth.c), or an explicit --insecure. */
static int server_configure_security(auth_t *auth, void *router, const server_opts_t *opts,
                                     char *err, size_t errlen)
{
    if (server_security_check(opts, err, errlen) != 0) return -1;
    if (opts->insecure) return 0;
    if (!auth) {
        snprintf(err, errlen, "CURVE requested but the authorisation is not loaded");
        return -1;
    }
    return auth_configure_router(auth, router, err, errlen);
}

int server_configure(auth_t *auth, void *router, const server_opts_t *opts, char *err, size_t errlen)
{
    if (server_setopt_int(router, ZMQ_ROUTER_MANDATORY, 1, "ZMQ_ROUTER_MANDATORY", err, errlen)) return -1;
    if (server_setopt_int(router, ZMQ_LINGER, SERVER_LINGER_MS, "ZMQ_LINGER", err, errlen)) return -1;
    if (server_setopt_int(router, ZMQ_HEARTBEAT_IVL, SERVER_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", err, errlen)) return -1;
    if (server_setopt_int(router, ZMQ_HEARTBEAT_TIMEOUT, SERVER_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", err, errlen)) return -1;
    if (opts->rcvhwm > 0 &&
        server_setopt_int(router, ZMQ_RCVHWM, opts->rcvhwm, "ZMQ_RCVHWM", err, errlen)) return -1;
    int64_t max = opts->max_msg;
    if (zmq_setsockopt(router, ZMQ_MAXMSGSIZE, &max, sizeof max) != 0) {
        snprintf(err, errlen, "setting ZMQ_MAXMSGSIZE: %s", zmq_strerror(errno));
        return -1;
    }
    return server_configure_security(auth, router, opts, err, errlen);
}

/* A review decision or status query (aggregator/review.c) is answered at once, on the
 * main thread (it reads or writes the store). Closes m's frames. */
static void server_answer_review(void *router, store_t *store, auth_t *auth, intake_msg_t *m)
{
    zmq_msg_t *f = m->frames;
    review_handle(router, store, auth, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]),
                  zmq_msg_gets(&f[2], "User-Id"), zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
                  zmq_msg_data(&f[2]), zmq_msg_size(&f[2]));
    intake_msg_close(m);
}

/* ---- batch bounds: count, bytes and time (fair service) ----
 *
 * Invariants:
 *  1. A batch holds at most opts->batch messages and at most opts->batch_bytes bytes,
 *     unless it is one large message alone (the intake worker fills batches within these
 *     bounds: intake_worker.h, invariant 3).
 *  2. A message larger than the byte bound is large: it goes alone to a worker of its own
 *     (`large`, an intake worker of one message), which decodes and checks it on its
 *     thread while this loop goes on committing the small ones. At most one large one is
 *     there at a time, and SERVER_PARK_MAX more wait for it, undecoded (one more is shed
 *     unanswered, as a failed store would: its collector resends it after its timeout and
 *     the id makes that harmless). Once it is checked, one more turn of small ones is
 *     committed (what arrived meanwhile), then the large one alone, and only then is the
 *     next large one started. So a small submission waits for at most one large commit
 *     (never a large decode) and one batch of small ones, and a large one for one batch of
 *     small ones (no starvation).
 *  3. Receiving stops opts->batch_ms after it began, when the worker's queue is full, when
 *     half a batch is checked (SERVER_COMMIT_SHARE), or when nothing arrives (within SERVER_REFILL_MS while a stream lasts), so a steady
 *     stream never keeps the loop from committing.
 *  4. A small message that arrives alone on a quiet server (no stream, the worker with
 *     nothing queued, being checked or checked) is checked on this thread and committed at
 *     once: a resubmission does not pay two thread hand-offs. Order holds: the worker had
 *     nothing older, and a second message arriving in the same receive sends the held one
 *     to the worker first. */
#define SERVER_PARK_MAX 1
#define SERVER_REFILL_MS 2      /* how long receiving waits for a refilling queue */
/* Receiving stops once batch / SERVER_COMMIT_SHARE messages are checked: that part is
 * committed while the worker checks the rest, so a peer whose window is one whole batch
 * still keeps both threads busy (commit of one half beside the checks of the other). */
#define SERVER_COMMIT_SHARE 2

typedef struct {
    intake_msg_t msg[SERVER_PARK_MAX];
    int count;
} server_parked_t;

static void server_park(server_parked_t *p, intake_msg_t *m)
{
    assert(p->count < SERVER_PARK_MAX);
    intake_msg_move(&p->msg[p->count++], m);
}

/* Hands the oldest parked message to the large worker (which must be idle). */
static void server_unpark(server_parked_t *p, intake_worker_t *large)
{
    assert(p->count > 0);
    intake_worker_push(large, &p->msg[0]);
    for (int i = 1; i < p->count; i++) intake_msg_move(&p->msg[i - 1], &p->msg[i]);
    p->count--;
}

static void server_parked_free(server_parked_t *p)
{
    for (int i = 0; i < p->count; i++) intake_msg_close(&p->msg[i]);   /* never acked: resent */
    p->count = 0;
}

/* A lone small message held for the loop's own thread (invariant 4). */
typedef struct {
    intake_msg_t msg;
    int held;
} server_solo_t;

/* Hands a held message to the worker (which then has nothing older: invariant 4). */
static void server_solo_release(server_solo_t *solo, intake_worker_t *worker)
{
    if (!solo->held) return;
    intake_worker_push(worker, &solo->msg);
    solo->held = 0;
}

/* Receives what is ready within the bounds of invariant 3: review messages answered at
 * once, large ones parked, the rest queued for the intake worker. With refill set (the
 * last turn received several: a stream), it waits up to SERVER_REFILL_MS for a queue that
 * refills (a peer's --queue bound holds only a few messages at a time), so a stream is
 * committed in batches, not one fsync per message; a lone submission on a quiet server
 * does not wait. Returns how many messages it received. */
static size_t server_receive(void *router, intake_worker_t *worker, store_t *store, auth_t *auth,
                             const server_opts_t *opts, server_parked_t *parked, int refill,
                             server_solo_t *solo)
{
    uint64_t started = clock_mono_ms();
    size_t got = 0, small = 0;
    /* a lone small one on a quiet server is held for this thread (invariant 4) */
    int solo_ok = !refill && opts->batch >= 2 && !solo->held && !intake_worker_pending(worker);
    size_t commit_at = opts->batch / SERVER_COMMIT_SHARE ? opts->batch / SERVER_COMMIT_SHARE : 1;
    while (!intake_worker_full(worker) && intake_worker_checked(worker) < commit_at) {
        if (opts->batch_ms && clock_mono_ms() - started >= (uint64_t)opts->batch_ms) break;
        intake_msg_t m;
        int rc = intake_msg_recv(router, &m);
        if (rc < 0) break;
        if (rc == 0) {
            if (!refill || !opts->batch_ms) break;
            zmq_pollitem_t it = { router, 0, ZMQ_POLLIN, 0 };
            if (zmq_poll(&it, 1, SERVER_REFILL_MS) <= 0 || !(it.revents & ZMQ_POLLIN)) break;
            continue;
        }
        got++;
        if (intake_msg_is_review(&m)) {
            server_answer_review(router, store, auth, &m);
        } else if (opts->batch_bytes && m.bytes > opts->batch_bytes) {
            if (parked->count < SERVER_PARK_MAX) {
                server_park(parked, &m);
            } else {
                /* shed: the small ones behind it in the fair queue are served now */
                fprintf(stderr, "huizong-aggregator: %zu-byte submission deferred (%d large ones "
                        "already waiting): not answered, its collector resends it\n",
                        m.bytes, SERVER_PARK_MAX);
                intake_msg_close(&m);
            }
        } else if (solo_ok && small++ == 0) {
            intake_msg_move(&solo->msg, &m);
            solo->held = 1;
        } else {
            server_solo_release(solo, worker);  /* not alone after all: the worker, in order */
            solo_ok = 0;
            intake_worker_push(worker, &m);
        }
    }
    return got;
}

static void server_send_ack(void *router, const intake_entry_t *e, const ack_t *ack)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (wire_pack_ack(ack, &buf, &len) != 0) {
        fprintf(stderr, "huizong-aggregator: cannot encode the ack for %s (out of memory?)\n",
                ack->submission_id);
        return;
    }
    int rc = zmq_send(router, e->routing, e->routing_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (rc >= 0 && e->delimiter) rc = zmq_send(router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (rc >= 0) rc = zmq_send(router, buf, len, ZMQ_DONTWAIT);
    if (rc < 0) {
        /* EHOSTUNREACH: the collector went away; EAGAIN: it is not reading. Either way it
         * resends after its timeout and gets the stored ack back. */
        fprintf(stderr, "huizong-aggregator: ack for %s not delivered: %s\n",
                ack->submission_id[0] ? ack->submission_id : "-", zmq_strerror(errno));
    }
    free(buf);
}

/* Applies one drained batch and answers it; then (acks first, never holding them up)
 * publishes its events and marks what the upstream forward must carry. */
static void server_commit(void *router, intake_batch_t *b, store_t *store,
                          const rule_settings_t *settings, events_t *events, upstream_t *upstream)
{
    int committed = 1;
    if (events && b->nitems > 0) events_batch_begin(events, store, b->items, b->nitems);
    if (b->nitems > 0) {
        char err[512] = "";
        uint64_t t0 = clock_mono_ms();
        if (store_apply_batch(store, b->items, b->nitems, settings, err, sizeof err) != 0) {
            committed = 0;
            fprintf(stderr, "huizong-aggregator: store failed, %zu submission(s) not acked: %s\n",
                    b->nitems, err[0] ? err : "unknown error");
        } else {
            intake_committed(b);
            uint64_t ms = clock_mono_ms() - t0;
            if (b->nitems > 1 || ms > 1000)
                fprintf(stderr, "huizong-aggregator: batch of %zu committed in %llu ms\n",
                        b->nitems, (unsigned long long)ms);
        }
    }
    for (size_t i = 0; i < b->count; i++) {
        const intake_entry_t *e = &b->entries[i];
        intake_log(b, i, committed);
        if (e->item >= 0 && !committed) continue;
        server_send_ack(router, e, intake_ack(b, i));
    }
    if (events) {
        for (size_t i = 0; i < b->count; i++)
            if (b->entries[i].item < 0 || committed) events_ack(events, intake_ack(b, i));
        events_batch_end(events, store, b->items, b->nitems, committed);
    }
    if (upstream && committed) upstream_batch_committed(upstream, b->items, b->nitems);
}

/* After a large turn: hand its memory back instead of keeping the peak. After its commit
 * (wrote), LMDB's free list of the transaction's dirty pages too (store_release_pages:
 * ~67 MB for a 50 MB submission, otherwise held until exit); then glibc's freed arenas
 * (malloc_trim). Runs with no transaction open. -1 if the store is lost (logged). */
static int server_release_memory(store_t *store, int wrote)
{
    char err[512] = "";
    if (wrote && store_release_pages(store, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-aggregator: %s: stopping (every acked submission is stored; "
                "the others are resent by their collectors)\n", err);
        return -1;
    }
    malloc_trim(0);
    return 0;
}

/* SIGHUP: re-read the authorisation file; a broken file leaves the old one in force. */
static void server_reload_auth(auth_t *auth)
{
    if (!auth) {
        fprintf(stderr, "huizong-aggregator: SIGHUP: nothing to reload (--insecure)\n");
        return;
    }
    char err[512] = "";
    if (auth_reload(auth, err, sizeof err) == 0)
        fprintf(stderr, "huizong-aggregator: authorisation reloaded: %zu keys\n", auth_count(auth));
    else
        fprintf(stderr, "huizong-aggregator: authorisation NOT reloaded, authorised keys unchanged "
                        "(%zu): %s\n", auth_count(auth), err);
}

int server_run(store_t *store, const rule_settings_t *settings, const server_opts_t *opts)
{
    char err[512];
    /* smalls_done: a turn of small ones was committed after the large one was checked
     * (invariant 2), so the large one goes next */
    int smalls_done = 0;
    size_t received = 0;        /* messages the last turn received: > 1 is a stream */
    int lost = 0;               /* the store could not be reopened: stop */
    server_solo_t solo = { .held = 0 };
    intake_batch_t solo_batch;  /* the held one, checked here (invariant 4) */
    if (intake_batch_init(&solo_batch, 1) != 0) {
        fprintf(stderr, "huizong-aggregator: out of memory for a batch of 1\n");
        return -1;
    }
    void *ctx = zmq_ctx_new();
    void *router = ctx ? zmq_socket(ctx, ZMQ_ROUTER) : NULL;
    if (!router) {
        fprintf(stderr, "huizong-aggregator: cannot create a ZeroMQ socket: %s\n", zmq_strerror(errno));
        if (ctx) zmq_ctx_term(ctx);
        intake_batch_free(&solo_batch);
        return -1;
    }
    int rc = -1;
    server_parked_t parked = { .count = 0 };
    auth_t *auth = NULL;
    events_t *events = NULL;
    upstream_t *upstream = NULL;
    paths_t *paths = NULL;
    intake_worker_t *worker = NULL, *large = NULL;   /* the small ones' worker; the large one's */
    if (!opts->insecure) {
        /* Binds the ZAP handler in ctx: before the router binds, as RFC 27 wants. */
        auth = auth_new(ctx, opts->curve_secret, opts->authorized, err, sizeof err);
        if (!auth) {
            fprintf(stderr, "huizong-aggregator: %s\n", err);
            rc = -2;                    /* the key or authorisation file given is wrong */
            goto done;
        }
        solo_batch.auth = auth;
    }
    /* The entities are synced before serving and never change while it runs (paths.h). */
    paths = paths_new(store, err, sizeof err);
    if (!paths) {
        fprintf(stderr, "huizong-aggregator: %s\n", err);
        goto done;
    }
    worker = intake_worker_new(opts->batch, opts->batch_bytes, paths, settings, auth, err, sizeof err);
    if (worker) large = intake_worker_new(1, 0, paths, settings, auth, err, sizeof err);
    if (!worker || !large) {
        fprintf(stderr, "huizong-aggregator: %s\n", err);
        goto done;
    }
    if (server_configure(auth, router, opts, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-aggregator: %s\n", err);
        goto done;
    }
    if (zmq_bind(router, opts->bind) != 0) {
        int e = errno;
        fprintf(stderr, "huizong-aggregator: cannot bind %s: %s\n", opts->bind, zmq_strerror(e));
        if (e == EINVAL || e == EPROTONOSUPPORT || e == ENOCOMPATPROTO) rc = -2;   /* not an endpoint */
        goto done;
    }
    fprintf(stderr, "huizong-aggregator: serving %s (batch %zu, max message %lld bytes)\n",
            opts->bind, opts->batch, (long long)opts->max_msg);
    fprintf(stderr, "huizong-aggregator: batch bounds: %zu messages, %zu bytes, %d ms; "
            "%d queued messages per peer\n", opts->batch, opts->batch_bytes, opts->batch_ms,
            opts->rcvhwm);
    if (auth)
        fprintf(stderr, "huizong-aggregator: CURVE on: server key %s; authorisation %s: %zu keys\n",
                auth_server_public(auth), auth_path(auth), auth_count(auth));
    if (opts->events) {
        /* No figure or id reaches a party that could not read it from the store: without
         * --insecure the feed is CURVE for listed subscribers, or redacted. */
        int curve_events = auth && opts->events_authorized;
        if (curve_events && auth_load_subscribers(auth, opts->events_authorized, err, sizeof err) != 0) {
            fprintf(stderr, "huizong-aggregator: %s\n", err);
            rc = -2;
            goto done;
        }
        events = events_new_secure(ctx, opts->events, curve_events ? auth : NULL,
                                   !opts->insecure && !curve_events, err, sizeof err);
        if (!events) {
            fprintf(stderr, "huizong-aggregator: %s\n", err);
            goto done;
        }
        if (curve_events)
            fprintf(stderr, "huizong-aggregator: events over CURVE for %zu subscriber keys (%s)\n",
                    auth_subscriber_count(auth), opts->events_authorized);
        else if (!opts->insecure)
            fprintf(stderr, "huizong-aggregator: events without submission ids, amounts or reasons "
                            "(no --events-authorized)\n");
        fprintf(stderr, "huizong-aggregator: events on %s (seq from %llu, high-water mark %d)\n",
                opts->events, (unsigned long long)events_next_seq(events), EVENTS_SNDHWM);
    }
    if (opts->upstream) {
        upstream = upstream_new(store, opts->upstream, err, sizeof err);
        if (!upstream) {
            fprintf(stderr, "huizong-aggregator: upstream: %s\n", err);
            goto done;
        }
    }

    while (!server_stop) {
        if (server_reload) {
            server_reload = 0;
            intake_worker_pause(worker);        /* the workers read the table: hold them */
            intake_worker_pause(large);
            server_reload_auth(auth);
            intake_worker_resume(large);
            intake_worker_resume(worker);
        }
        /* The ZAP handler and the handshake monitor run in this loop, so a reload is
         * seen by both the handshakes and the per-entity checks at the same instant. */
        zmq_pollitem_t items[3] = {
            { router, 0, ZMQ_POLLIN, 0 },
            { auth ? auth_zap_socket(auth) : NULL, 0, ZMQ_POLLIN, 0 },
            { auth ? auth_monitor_socket(auth) : NULL, 0, ZMQ_POLLIN, 0 },
        };
        /* work waiting (small ones queued or checked, a large one checked): look, do not
         * wait; a large one being decoded (or parked behind it): look again soon */
        int ready = intake_worker_pending(worker) || intake_worker_checked(large) > 0;
        int pending = ready || intake_worker_pending(large) || parked.count;
        int n = zmq_poll(items, auth ? 3 : 1, ready ? 0 : pending ? SERVER_LARGE_POLL_MS : SERVER_POLL_MS);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "huizong-aggregator: poll: %s\n", zmq_strerror(errno));
            break;
        }
        if (auth && ((items[1].revents | items[2].revents) & ZMQ_POLLIN)) auth_serve(auth);
        if (upstream) upstream_tick(upstream);   /* at most 1 ms: forwards, acks, retries */
        uint64_t turn_start = clock_mono_ms();
        if (items[0].revents & ZMQ_POLLIN)
            received = server_receive(router, worker, store, auth, opts, &parked, received > 1,
                                      &solo);
        else
            received = 0;
        /* the next large one starts decoding beside the small ones' turns (invariant 2) */
        if (parked.count && !intake_worker_pending(large)) server_unpark(&parked, large);
        if (!intake_worker_pending(worker) && intake_worker_checked(large) == 0 && !solo.held)
            continue;
        int large_turn = 0;
        uint64_t filled = clock_mono_ms();
        size_t nsub = 0;
        int large_ready = intake_worker_checked(large) > 0;
        intake_batch_t *batch = NULL;
        if (large_ready && smalls_done) {              /* the large one alone */
            server_solo_release(&solo, worker);
            batch = intake_worker_take(large);
            large_turn = 1;
            smalls_done = 0;
        } else if (solo.held) {                        /* a lone small one, checked here */
            intake_add_msg(&solo_batch, paths, settings, &solo.msg);
            solo.held = 0;
            batch = &solo_batch;
            smalls_done = large_ready;
        } else {                                       /* the small ones checked so far */
            batch = intake_worker_take(worker);
            smalls_done = large_ready;
        }
        filled = clock_mono_ms();
        size_t batch_items = 0;
        if (batch) {
            nsub = batch->count;
            batch_items = batch->nitems;
            server_commit(router, batch, store, settings, events, upstream);
            if (batch == &solo_batch) intake_batch_reset(&solo_batch);
            else intake_worker_release(large_turn ? large : worker, batch);
        }
        uint64_t turn_ms = clock_mono_ms() - turn_start;
        if (turn_ms > SERVER_SLOW_TURN_MS)   /* what a waiting submission waited for */
            fprintf(stderr, "huizong-aggregator: turn of %zu submission(s) took %llu ms "
                    "(receive and check %llu ms)\n", nsub, (unsigned long long)turn_ms,
                    (unsigned long long)(filled - turn_start));
        /* A large submission's decoded facts, findings and pages are freed by now (its
         * message and decoder scratch were, on its worker, after the decode). */
        if (large_turn && server_release_memory(store, batch_items > 0) != 0) {
            lost = 1;
            break;
        }
    }
    /* queued or checked and never committed: never acked, their collectors resend them */
    fprintf(stderr, "huizong-aggregator: stopping\n");
    rc = lost ? -1 : 0;
done:
    intake_worker_destroy(&large);
    intake_worker_destroy(&worker);
    server_parked_free(&parked);
    if (solo.held) intake_msg_close(&solo.msg);     /* never acked: resent */
    intake_batch_free(&solo_batch);
    paths_destroy(&paths);
    upstream_destroy(&upstream);    /* pending forwards stay in its spool */
    events_destroy(&events);
    zmq_close(router);
    auth_destroy(&auth);
    zmq_ctx_term(ctx);
    return rc;
}

/* ---- the hierarchy at start-up ---- */

/* "23 entities (4 province, 4 city, ...)" */
static void s_hierarchy_summary(const hierarchy_t *h, char *out, size_t outlen)
{
    size_t per[LEVEL_PROVINCE + 1] = { 0 };
    for (size_t i = 0; i < h->count; i++)
        if (h->items[i].level >= LEVEL_UNIT && h->items[i].level <= LEVEL_PROVINCE)
            per[h->items[i].level]++;
    int n = snprintf(out, outlen, "%zu entities (", h->count);
    const char *sep = "";
    for (int l = LEVEL_PROVINCE; l >= LEVEL_UNIT && n > 0 && (size_t)n < outlen; l--) {
        if (!per[l]) continue;
        n += snprintf(out + n, outlen - n, "%s%zu %s", sep, per[l], level_name((entity_level)l));
        sep = ", ";
    }
    if (n > 0 && (size_t)n < outlen) snprintf(out + n, outlen - n, ")");
}

int server_load_hierarchy(store_t *store, const char *path)
{
    hierarchy_t h;
    memset(&h, 0, sizeof h);
    char err[512] = "";
    if (hierarchy_load(&h, path, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-aggregator: %s\n", err[0] ? err : path);
        hierarchy_free(&h);
        return -1;
    }
    if (store_sync_hierarchy(store, &h, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-aggregator: storing the hierarchy from %s: %s\n", path, err);
        hierarchy_free(&h);
        return -2;
    }
    char summary[256];
    s_hierarchy_summary(&h, summary, sizeof summary);
    fprintf(stderr, "huizong-aggregator: hierarchy %s: %s\n", path, summary);
    hierarchy_free(&h);
    return 0;
}
