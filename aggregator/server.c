/* server.c -- ROUTER socket set-up, the poll loop, batching and acks (see server.h).
 *
 * Invariants:
 *  - Single-threaded. One turn = poll (short timeout, so a signal is noticed quickly),
 *    drain a batch within its bounds (count, bytes, time: server_fill_batch) without
 *    blocking, one store_apply_batch, then the acks; or, for one large message, its decode
 *    and checks alone (a prepare turn, nothing committed) or its commit alone. If the store fails, no ack of that batch's store items is sent: the collectors
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
#include "review.h"

volatile sig_atomic_t server_stop = 0;
volatile sig_atomic_t server_reload = 0;

#define SERVER_POLL_MS 100
#define SERVER_LINGER_MS 200        /* let the last acks out on shutdown, never hang */
#define SERVER_HEARTBEAT_IVL 5000   /* ping idle peers so dead connections are reaped */
#define SERVER_HEARTBEAT_TIMEOUT 15000
#define SERVER_MAX_FRAMES 3         /* [routing id][""][payload] at most */
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

/* One received message: its frames (at most SERVER_MAX_FRAMES kept, the rest counted). */
typedef struct {
    zmq_msg_t frames[SERVER_MAX_FRAMES];
    int n, extra;
    size_t bytes;               /* every frame's size: what the batch bounds count */
} server_msg_t;

/* Receives one whole multipart message (all its frames are already here once the first
 * is). Returns 1 if a message was taken, 0 if none was ready, -1 on a socket error. */
static int server_recv(void *router, server_msg_t *m)
{
    m->n = m->extra = 0;
    m->bytes = 0;
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, router, ZMQ_DONTWAIT) < 0) {
            int e = errno;
            zmq_msg_close(&part);
            for (int i = 0; i < m->n; i++) zmq_msg_close(&m->frames[i]);
            m->n = 0;
            if (e == EAGAIN || e == EINTR) return 0;
            fprintf(stderr, "huizong-aggregator: receive: %s\n", zmq_strerror(e));
            return -1;
        }
        int more = zmq_msg_more(&part);
        m->bytes += zmq_msg_size(&part);
        if (m->n < SERVER_MAX_FRAMES) {
            zmq_msg_init(&m->frames[m->n]);
            zmq_msg_move(&m->frames[m->n++], &part);   /* libzmq messages are moved, never copied */
        } else {
            m->extra++;
        }
        zmq_msg_close(&part);
        if (!more) break;
    }
    return 1;
}

/* intake_add_release's hook: the payload frame is freed as soon as it is decoded (a large
 * message is not held while its decoded copy is checked); left empty, so closing it again
 * with the other frames is harmless. */
static void server_release_frame(void *arg)
{
    zmq_msg_t *frame = arg;
    zmq_msg_close(frame);
    zmq_msg_init(frame);
}

/* Adds a received message to the batch (intake_add decodes and checks it) and frees its
 * frames; a review decision or status query is answered on router at once instead. */
static void server_add(void *router, server_msg_t *m, intake_batch_t *b, store_t *store,
                       const rule_settings_t *settings)
{
    zmq_msg_t *frames = m->frames;
    int n = m->n, extra = m->extra;
    const uint8_t *rid = zmq_msg_data(&frames[0]);
    /* With CURVE + ZAP, libzmq stamps every message with the authenticated key. */
    const char *uid = zmq_msg_gets(&frames[n - 1], "User-Id");
    size_t rid_len = zmq_msg_size(&frames[0]);
    char reason[128];
    if (!extra && n == 3 && review_is_message(zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]))) {
        /* a review decision or a status query (aggregator/review.c): answered at once */
        review_handle(router, store, b->auth, rid, rid_len, uid, zmq_msg_data(&frames[1]),
                      zmq_msg_size(&frames[1]), zmq_msg_data(&frames[2]), zmq_msg_size(&frames[2]));
        for (int i = 0; i < n; i++) zmq_msg_close(&frames[i]);
        m->n = 0;
        return;
    }
    if (extra || n == 1) {
        snprintf(reason, sizeof reason, "expected one frame holding a packed Submission, got %d",
                 n - 1 + extra);
        intake_add(b, store, settings, rid, rid_len, 0, uid, NULL, 0, reason);
    } else if (n == 3 && zmq_msg_size(&frames[1]) != 0) {
        snprintf(reason, sizeof reason, "expected one frame holding a packed Submission, got 2");
        intake_add(b, store, settings, rid, rid_len, 0, uid, NULL, 0, reason);
    } else {
        zmq_msg_t *payload = &frames[n - 1];
        intake_add_release(b, store, settings, rid, rid_len, n == 3, uid, zmq_msg_data(payload),
                           zmq_msg_size(payload), NULL, server_release_frame, payload);
    }
    for (int i = 0; i < n; i++) zmq_msg_close(&frames[i]);
    m->n = 0;
}

/* ---- batch bounds: count, bytes and time (fair service) ----
 *
 * Invariants:
 *  1. A batch holds at most opts->batch messages and at most opts->batch_bytes bytes,
 *     unless it is one large message alone.
 *  2. A message larger than what is left of the byte bound is parked, undecoded (at most
 *     SERVER_PARK_MAX; one more is shed unanswered, as a failed store would: its collector
 *     resends it after its timeout and the id makes that harmless), and large and small turns
 *     alternate: the oldest parked message is decoded and checked alone (a "prepare" turn,
 *     nothing committed), then the small ones received meanwhile are committed, then the
 *     prepared one is committed alone, then the small ones again, and only then the next
 *     large one is prepared. So a small submission waits for one large decode or one large
 *     commit (never both) and one batch of small ones, and a large one for two batches of
 *     small ones (no starvation).
 *  3. Draining stops opts->batch_ms after the turn began, so a steady stream never keeps a
 *     batch open; within that it waits up to SERVER_REFILL_MS for a queue that refills (a
 *     peer's --queue bound holds only a few messages at a time). */
#define SERVER_PARK_MAX 1
#define SERVER_REFILL_MS 2      /* how long a drain waits for a refilling queue */

typedef struct {
    server_msg_t msg[SERVER_PARK_MAX];
    int count;
} server_parked_t;

static void server_park(server_parked_t *p, server_msg_t *m)
{
    assert(p->count < SERVER_PARK_MAX);
    server_msg_t *slot = &p->msg[p->count++];
    slot->n = m->n;             /* libzmq messages are moved, never copied */
    slot->extra = m->extra;
    slot->bytes = m->bytes;
    for (int i = 0; i < m->n; i++) {
        zmq_msg_init(&slot->frames[i]);
        zmq_msg_move(&slot->frames[i], &m->frames[i]);
        zmq_msg_close(&m->frames[i]);
    }
    m->n = 0;
}

/* Takes the oldest parked message into the batch (alone). */
static void server_unpark(void *router, server_parked_t *p, intake_batch_t *b, store_t *store,
                          const rule_settings_t *settings)
{
    assert(p->count > 0);
    server_add(router, &p->msg[0], b, store, settings);
    for (int i = 1; i < p->count; i++) {
        server_msg_t *dst = &p->msg[i - 1], *src = &p->msg[i];
        dst->n = src->n;
        dst->extra = src->extra;
        dst->bytes = src->bytes;
        for (int k = 0; k < src->n; k++) {
            zmq_msg_init(&dst->frames[k]);
            zmq_msg_move(&dst->frames[k], &src->frames[k]);
            zmq_msg_close(&src->frames[k]);
        }
        src->n = 0;
    }
    p->count--;
}

static void server_parked_free(server_parked_t *p)
{
    for (int i = 0; i < p->count; i++)      /* never acked: their collectors resend them */
        for (int k = 0; k < p->msg[i].n; k++) zmq_msg_close(&p->msg[i].frames[k]);
    p->count = 0;
}

static void server_fill_batch(void *router, intake_batch_t *b, store_t *store,
                              const rule_settings_t *settings, const server_opts_t *opts,
                              server_parked_t *parked)
{
    uint64_t started = clock_mono_ms();
    size_t bytes = 0;
    while (b->count < b->cap) {
        if (opts->batch_ms && b->count && clock_mono_ms() - started >= (uint64_t)opts->batch_ms) break;
        server_msg_t m;
        int got = server_recv(router, &m);
        if (got < 0) break;
        if (got == 0) {
            /* A bounded queue (--queue) refills from the socket while we drain: wait a
             * moment for what is already on its way, within the time bound. */
            if (!opts->batch_ms || clock_mono_ms() - started >= (uint64_t)opts->batch_ms) break;
            zmq_pollitem_t it = { router, 0, ZMQ_POLLIN, 0 };
            if (zmq_poll(&it, 1, SERVER_REFILL_MS) <= 0 || !(it.revents & ZMQ_POLLIN)) break;
            continue;
        }
        if (opts->batch_bytes && bytes + m.bytes > opts->batch_bytes) {
            if (parked->count < SERVER_PARK_MAX) {
                server_park(parked, &m);
            } else {
                /* shed: the small ones behind it in the fair queue are served now */
                fprintf(stderr, "huizong-aggregator: %zu-byte submission deferred (%d large ones "
                        "already waiting): not answered, its collector resends it\n",
                        m.bytes, SERVER_PARK_MAX);
                for (int i = 0; i < m.n; i++) zmq_msg_close(&m.frames[i]);
            }
            continue;
        }
        bytes += m.bytes;
        server_add(router, &m, b, store, settings);
    }
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
    /* batch: the small ones of a turn; prepared: one large message decoded and checked in
     * its own turn, committed alone after the small ones received meanwhile */
    intake_batch_t batch, prepared;
    if (intake_batch_init(&batch, opts->batch) != 0) {
        fprintf(stderr, "huizong-aggregator: out of memory for a batch of %zu\n", opts->batch);
        return -1;
    }
    if (intake_batch_init(&prepared, 1) != 0) {
        fprintf(stderr, "huizong-aggregator: out of memory for a batch of 1\n");
        intake_batch_free(&batch);
        return -1;
    }
    /* A large message takes two turns (prepare, commit) with a turn of small ones after
     * each: smalls_done = the small ones received while prepared was decoded are in;
     * smalls_due = a large turn just ended, the small ones go next */
    int smalls_done = 0, smalls_due = 0;
    int lost = 0;                   /* the store could not be reopened: stop */
    void *ctx = zmq_ctx_new();
    void *router = ctx ? zmq_socket(ctx, ZMQ_ROUTER) : NULL;
    if (!router) {
        fprintf(stderr, "huizong-aggregator: cannot create a ZeroMQ socket: %s\n", zmq_strerror(errno));
        if (ctx) zmq_ctx_term(ctx);
        intake_batch_free(&batch);
        intake_batch_free(&prepared);
        return -1;
    }
    int rc = -1;
    server_parked_t parked = { .count = 0 };
    auth_t *auth = NULL;
    events_t *events = NULL;
    upstream_t *upstream = NULL;
    if (!opts->insecure) {
        /* Binds the ZAP handler in ctx: before the router binds, as RFC 27 wants. */
        auth = auth_new(ctx, opts->curve_secret, opts->authorized, err, sizeof err);
        if (!auth) {
            fprintf(stderr, "huizong-aggregator: %s\n", err);
            rc = -2;                    /* the key or authorisation file given is wrong */
            goto done;
        }
        batch.auth = prepared.auth = auth;
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
            server_reload_auth(auth);
        }
        /* The ZAP handler and the handshake monitor run in this loop, so a reload is
         * seen by both the handshakes and the per-entity checks at the same instant. */
        zmq_pollitem_t items[3] = {
            { router, 0, ZMQ_POLLIN, 0 },
            { auth ? auth_zap_socket(auth) : NULL, 0, ZMQ_POLLIN, 0 },
            { auth ? auth_monitor_socket(auth) : NULL, 0, ZMQ_POLLIN, 0 },
        };
        /* work waiting (a parked or prepared large one): look, do not wait */
        int n = zmq_poll(items, auth ? 3 : 1, parked.count || prepared.count ? 0 : SERVER_POLL_MS);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "huizong-aggregator: poll: %s\n", zmq_strerror(errno));
            break;
        }
        if (auth && ((items[1].revents | items[2].revents) & ZMQ_POLLIN)) auth_serve(auth);
        if (upstream) upstream_tick(upstream);   /* at most 1 ms: forwards, acks, retries */
        if (!(items[0].revents & ZMQ_POLLIN) && !parked.count && !prepared.count) continue;
        int large = 0, wrote = 0;
        uint64_t turn_start = clock_mono_ms(), filled = turn_start;
        size_t nsub;
        if (prepared.count && smalls_done) {           /* commit turn: the large one alone */
            nsub = prepared.count;
            server_commit(router, &prepared, store, settings, events, upstream);
            intake_batch_reset(&prepared);
            smalls_done = 0;
            smalls_due = 1;
            large = wrote = 1;
        } else if (!prepared.count && parked.count && !smalls_due) {   /* prepare turn */
            server_unpark(router, &parked, &prepared, store, settings);
            filled = clock_mono_ms();
            nsub = prepared.count;
            smalls_due = 1;
            large = 1;       /* its message and the decoder's scratch are freed by now */
            /* refused while decoded or checked (nothing to store): answered at once */
            if (prepared.nitems == 0) {
                server_commit(router, &prepared, store, settings, events, upstream);
                intake_batch_reset(&prepared);
            }
        } else {                                       /* the small ones */
            server_fill_batch(router, &batch, store, settings, opts, &parked);
            filled = clock_mono_ms();
            nsub = batch.count;
            server_commit(router, &batch, store, settings, events, upstream);
            intake_batch_reset(&batch);
            smalls_done = prepared.count > 0;
            smalls_due = 0;
        }
        uint64_t turn_ms = clock_mono_ms() - turn_start;
        if (turn_ms > SERVER_SLOW_TURN_MS)   /* what a waiting submission waited for */
            fprintf(stderr, "huizong-aggregator: turn of %zu submission(s) took %llu ms "
                    "(receive and check %llu ms)\n", nsub, (unsigned long long)turn_ms,
                    (unsigned long long)(filled - turn_start));
        /* A large submission's message and decoder scratch (after its prepare turn), or
         * its decoded facts, findings and pages (after its commit) are freed by now. */
        if (large && server_release_memory(store, wrote) != 0) {
            lost = 1;
            break;
        }
    }
    server_parked_free(&parked);
    /* a prepared one never committed is never acked: its collector resends it */
    fprintf(stderr, "huizong-aggregator: stopping\n");
    rc = lost ? -1 : 0;
done:
    upstream_destroy(&upstream);    /* pending forwards stay in its spool */
    events_destroy(&events);
    zmq_close(router);
    auth_destroy(&auth);
    zmq_ctx_term(ctx);
    intake_batch_free(&batch);
    intake_batch_free(&prepared);
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
