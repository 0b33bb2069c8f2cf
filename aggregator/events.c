/* events.c -- the PUB socket of live events (see events.h, docs/events.md).
 *
 * Invariants:
 *  - Single-threaded, called from the server loop only; the socket lives in the loop's
 *    thread. Every send is ZMQ_DONTWAIT and PUB never blocks: at EVENTS_SNDHWM queued
 *    messages for a subscriber libzmq drops further ones for that subscriber only.
 *  - Wire: two frames, [kind][packed Event]. The first frame is a topic a subscriber may
 *    filter on, but a filtered subscriber sees gaps in seq by construction; `huizong
 *    watch` subscribes to everything and filters itself.
 *  - The work for flags/totals (reading flags before and after, one summary figure per
 *    node) is done only when --events is on, and only for the entity/years a batch's items
 *    can move: the items' entities and their ancestors, each once per batch.
 */
#include "array.h"
#include "clock.h"
#include "nodes.h"
#include "sort.h"
#include "utf8.h"
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define EVENTS_LINGER_MS 0      /* events are best effort: never hold up shutdown */

/* One entity/year a batch may change, with its flags before the batch. */
typedef struct {
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    uint64_t *before;           /* sorted flag identities before the batch */
    size_t nbefore;
    int have_before;            /* store_flags succeeded before the batch */
    long by;                    /* index of the last accepted item touching it, -1 none */
} touched_t;

struct events {
    void *ctx;
    int own_ctx;
    void *pub;
    uint64_t seq;
    uint64_t failed;
    touched_t *touched;
    size_t ntouched, cap;
    int redact;                 /* publish no ids, amounts or reasons (events_new_secure) */
};

events_t *events_new(void *ctx, const char *endpoint, char *err, size_t errlen)
{
    return events_new_secure(ctx, endpoint, NULL, 0, err, errlen);
}

events_t *events_new_secure(void *ctx, const char *endpoint, auth_t *auth, int redact,
                            char *err, size_t errlen)
{
    events_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    self->ctx = ctx;
    if (!self->ctx) {
        self->ctx = zmq_ctx_new();
        self->own_ctx = 1;
    }
    self->pub = self->ctx ? zmq_socket(self->ctx, ZMQ_PUB) : NULL;
    if (!self->pub) {
        snprintf(err, errlen, "cannot create the events socket: %s", zmq_strerror(errno));
        events_destroy(&self);
        return NULL;
    }
    int hwm = EVENTS_SNDHWM, linger = EVENTS_LINGER_MS;
    zmq_setsockopt(self->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->pub, ZMQ_LINGER, &linger, sizeof linger);
    self->redact = redact;
    if (auth && auth_configure_pub(auth, self->pub, err, errlen) != 0) {   /* before bind */
        events_destroy(&self);
        return NULL;
    }
    if (zmq_bind(self->pub, endpoint) != 0) {
        snprintf(err, errlen, "cannot bind the events endpoint %s: %s", endpoint, zmq_strerror(errno));
        events_destroy(&self);
        return NULL;
    }
    /* Nothing is persisted: a process starts its sequence at its start time, so a
     * restart is always a forward jump (a gap) for a subscriber, never a repeat. */
    self->seq = clock_wall_ms() * 1000;
    return self;
}

static void events_forget(events_t *self)
{
    for (size_t i = 0; i < self->ntouched; i++) free(self->touched[i].before);
    self->ntouched = 0;
}

void events_destroy(events_t **self_p)
{
    if (!self_p || !*self_p) return;
    events_t *self = *self_p;
    events_forget(self);
    free(self->touched);
    if (self->pub) zmq_close(self->pub);
    if (self->own_ctx && self->ctx) zmq_ctx_term(self->ctx);
    free(self);
    *self_p = NULL;
}

uint64_t events_next_seq(const events_t *self) { return self->seq; }
uint64_t events_failed(const events_t *self) { return self->failed; }

int events_publish(events_t *self, event_t *ev)
{
    ev->seq = self->seq++;
    if (!ev->time_ms) ev->time_ms = clock_wall_ms();
    if (self->redact) {
        /* an unauthenticated feed: what happened to which entity, never a submission id
         * (ids are capabilities: finding 1), an amount, a count or a reason */
        ev->submission_id[0] = '\0';
        ev->detail[0] = '\0';
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    if (wire_pack_event(ev, &buf, &len) != 0) {
        self->failed++;
        return -1;
    }
    int rc = zmq_send(self->pub, ev->kind, strlen(ev->kind), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (rc >= 0) rc = zmq_send(self->pub, buf, len, ZMQ_DONTWAIT);
    free(buf);
    if (rc < 0) {
        self->failed++;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- acks */

void events_ack(events_t *self, const ack_t *ack)
{
    if (ack->nmembers) {   /* a file of several parts: one event per part, as if sent alone */
        for (size_t i = 0; i < ack->nmembers; i++) events_ack(self, &ack->members[i]);
        return;
    }
    event_t ev;
    memset(&ev, 0, sizeof ev);
    snprintf(ev.entity, sizeof ev.entity, "%s", ack->entity);
    ev.year = ack->year;
    snprintf(ev.submission_id, sizeof ev.submission_id, "%s", ack->submission_id);
    ev.version = ack->version;
    if (ack->status == ACK_ACCEPTED) {
        unsigned e = 0, w = 0, inf = 0;
        for (size_t i = 0; i < ack->flags.count; i++) {
            severity_t s = ack->flags.items[i].severity;
            e += s == SEV_ERROR;
            w += s == SEV_WARNING;
            inf += s == SEV_INFO;
        }
        snprintf(ev.kind, sizeof ev.kind, "accepted");
        snprintf(ev.detail, sizeof ev.detail, "facts=%u errors=%u warnings=%u info=%u%s",
                 ack->fact_count, e, w, inf, ack->replayed ? " replayed=1" : "");
    } else {
        snprintf(ev.kind, sizeof ev.kind, "rejected");
        /* The reason is a sentence for people; cut it to the field at a character
         * boundary so the event stays valid UTF-8. */
        utf8_copy(ev.detail, sizeof ev.detail, ack->reason);
    }
    events_publish(self, &ev);
}

/* ---------------------------------------------------------------- flags and totals */

/* The identity of a flag: which relation about which key, not its numbers (a flag whose
 * figures change is still the same flag, neither raised nor cleared). FNV-1a. */
static uint64_t events_flag_id(const finding_t *f)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[2] = { f->rule, f->row };
    for (int p = 0; p < 2; p++) {
        for (const unsigned char *s = (const unsigned char *)parts[p]; *s; s++)
            h = (h ^ *s) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    h = (h ^ (uint64_t)f->table) * 1099511628211ULL;
    h = (h ^ (uint64_t)f->column) * 1099511628211ULL;
    return h;
}

static int events_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Current flag identities of entity/year, sorted. Returns 0 or -1. */
static int events_flag_ids(store_t *store, const char *entity, uint32_t year, uint64_t **out, size_t *n)
{
    findings_t fl;
    *out = NULL;
    *n = 0;
    if (store_flags(store, year, entity, &fl) != 0) return -1;
    if (fl.count) {
        *out = malloc(fl.count * sizeof **out);
        if (!*out) {
            findings_clear(&fl);
            return -1;
        }
        for (size_t i = 0; i < fl.count; i++) (*out)[i] = events_flag_id(&fl.items[i]);
        sort_array(*out, fl.count, sizeof **out, events_u64_cmp);
        *n = fl.count;
    }
    findings_clear(&fl);
    return 0;
}

static touched_t *events_touch(events_t *self, const char *entity, uint32_t year)
{
    for (size_t i = 0; i < self->ntouched; i++)
        if (self->touched[i].year == year && !strcmp(self->touched[i].entity, entity))
            return &self->touched[i];
    if (array_reserve(&self->touched, &self->cap, self->ntouched + 1, sizeof *self->touched, 64))
        return NULL;

    touched_t *t = &self->touched[self->ntouched++];
    memset(t, 0, sizeof *t);
    snprintf(t->entity, sizeof t->entity, "%s", entity);
    t->year = year;
    t->by = -1;
    return t;
}

/* Calls fn for the entity and each of its ancestors (as registered in the store). */
static void events_chain(events_t *self, store_t *store, const char *entity, uint32_t year,
                         void (*fn)(events_t *, store_t *, touched_t *, long), long arg)
{
    store_path_t path;
    if (store_ancestors(store, entity, &path) != 0) return;
    for (size_t i = 0; i < path.count; i++) {
        touched_t *t = events_touch(self, path.code[i], year);
        if (!t) return;
        fn(self, store, t, arg);
    }
}

static void events_remember(events_t *self, store_t *store, touched_t *t, long arg)
{
    (void)self;
    (void)arg;
    if (t->have_before) return;
    t->have_before = events_flag_ids(store, t->entity, t->year, &t->before, &t->nbefore) == 0;
}

void events_batch_begin(events_t *self, store_t *store, const store_item_t *items, size_t n)
{
    events_forget(self);
    for (size_t i = 0; i < n; i++) {
        const submission_t *s = items[i].submission;
        if (s) events_chain(self, store, s->entity, s->year, events_remember, 0);
    }
}

static void events_mark(events_t *self, store_t *store, touched_t *t, long item)
{
    (void)self;
    (void)store;
    t->by = item;   /* items apply in order: the last one wins */
}

void events_diff(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                 unsigned *raised, unsigned *cleared)
{
    size_t i = 0, j = 0;
    *raised = *cleared = 0;
    while (i < na || j < nb) {
        if (j == nb || (i < na && a[i] < b[j])) { (*cleared)++; i++; }
        else if (i == na || b[j] < a[i]) { (*raised)++; j++; }
        else { i++; j++; }
    }
}

static void events_node(events_t *self, store_t *store, const touched_t *t, const store_item_t *by)
{
    event_t ev;
    memset(&ev, 0, sizeof ev);
    snprintf(ev.entity, sizeof ev.entity, "%s", t->entity);
    ev.year = t->year;
    snprintf(ev.submission_id, sizeof ev.submission_id, "%s", by->ack.submission_id);
    ev.version = by->ack.version;
    const char *by_entity = by->submission->entity;

    uint64_t *after = NULL;
    size_t nafter = 0;
    if (t->have_before && events_flag_ids(store, t->entity, t->year, &after, &nafter) == 0) {
        unsigned raised, cleared;
        events_diff(t->before, t->nbefore, after, nafter, &raised, &cleared);
        if (raised || cleared) {
            snprintf(ev.kind, sizeof ev.kind, "flags");
            snprintf(ev.detail, sizeof ev.detail, "raised=%u cleared=%u current=%zu by=%s",
                     raised, cleared, nafter, by_entity);
            events_publish(self, &ev);
        }
    }
    free(after);

    int64_t fen = 0;
    snprintf(ev.kind, sizeof ev.kind, "totals");
    if (nodes_expense_total(store, t->entity, t->year, &fen) == 0)
        snprintf(ev.detail, sizeof ev.detail, TABLE_ROW_EXPENSE_TOTAL "=%lld by=%s", (long long)fen, by_entity);
    else
        snprintf(ev.detail, sizeof ev.detail, TABLE_ROW_EXPENSE_TOTAL "=- by=%s", by_entity);
    ev.time_ms = 0;
    events_publish(self, &ev);
}

void events_batch_end(events_t *self, store_t *store, const store_item_t *items, size_t n,
                      int committed)
{
    if (committed) {
        for (size_t i = 0; i < n; i++) {
            const store_item_t *it = &items[i];
            if (!it->submission || it->ack.status != ACK_ACCEPTED || it->ack.replayed) continue;
            events_chain(self, store, it->submission->entity, it->submission->year, events_mark, (long)i);
        }
        /* touched[] is in first-seen order: each item's entity, then its ancestors, so
         * the first submission's path is bottom-up; later items add only new nodes. */
        for (size_t i = 0; i < self->ntouched; i++)
            if (self->touched[i].by >= 0)
                events_node(self, store, &self->touched[i], &items[self->touched[i].by]);
    }
    events_forget(self);
}
