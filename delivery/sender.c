/* sender.c -- the DEALER window with Lazy Pirate retries of the collector and of an
 * aggregator forwarding upstream (see sender.h).
 *
 * Invariants:
 *  - jobs[head..count) are the jobs in the order they were added; finished ones are
 *    NULL holes until head passes them. A job is in flight (sent on the current socket,
 *    no ack yet) or queued. in_flight counts the former and never exceeds the window;
 *    in_flight_bytes is their payloads' sum and exceeds window_bytes only with one job.
 *  - There is never a REQ socket: a DEALER that stops hearing back is closed with linger
 *    0 and replaced, which throws away whatever libzmq still held for the old connection;
 *    every job that was in flight is queued again (ids make the resend idempotent).
 *  - A job is only sent when no earlier outstanding job has the same entity/year.
 */
#include "clock.h"
#include "sender.h"

#include "group.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define SENDER_SCAN_KEYS 4096     /* bound on keys remembered while filling the window */
#define SENDER_HEARTBEAT_IVL 2000
#define SENDER_HEARTBEAT_TIMEOUT 6000
#define SENDER_MAX_ACK (64LL * 1024 * 1024)

typedef struct {
    sender_job_info_t info;
    uint8_t *payload;
    size_t len;
    int in_flight;
    uint64_t sent_at;
} job_t;

struct sender {
    char *endpoint;
    sender_opts_t o;
    sender_done_fn *done;
    void *arg;
    void *ctx;
    void *sock;                 /* NULL while waiting out a backoff */
    job_t **jobs;
    size_t head, count, cap;
    size_t outstanding, in_flight;
    size_t in_flight_bytes;     /* the in-flight jobs' payload bytes */
    uint64_t retry_at;          /* when to reopen the socket */
    int backoff_ms;
    void *mon;                  /* PAIR reading the DEALER's monitor events, or NULL */
    unsigned mon_seq;           /* makes each monitor endpoint unique */
    int in_handshake;           /* connected, handshake not yet done */
    int handshake_drops;        /* consecutive connections closed during the handshake */
    int refused;                /* a refusal was seen and logged (until a handshake succeeds) */
};

#define SENDER_MONITOR_EVENTS                                                                  \
    (ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |              \
     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |                \
     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

void sender_opts_default(sender_opts_t *o)
{
    o->window = 64;
    o->window_bytes = SENDER_WINDOW_BYTES;
    o->timeout_ms = 3000;
    o->backoff_min_ms = 250;
    o->backoff_max_ms = 8000;
    o->verbose = 1;
    o->who = "huizong-collector";
    o->curve = NULL;
    o->log = NULL;
    o->log_arg = NULL;
    o->give_up_on_refusal = 0;
}

/* Stops and closes the monitor of the current socket (before the socket is closed). */
static void sender_monitor_close(sender_t *self)
{
    if (self->sock) zmq_socket_monitor(self->sock, NULL, 0);
    if (self->mon) zmq_close(self->mon);
    self->mon = NULL;
    self->in_handshake = 0;
}

/* Attaches a monitor to socket s. Failure is not fatal: without it the sender still works,
 * it only cannot say why a handshake fails. */
static void sender_monitor_open(sender_t *self, void *s)
{
    char ep[96];
    snprintf(ep, sizeof ep, "inproc://huizong-sender-monitor-%p-%u", (void *)self, ++self->mon_seq);
    if (zmq_socket_monitor(s, ep, SENDER_MONITOR_EVENTS) != 0) return;
    void *m = zmq_socket(self->ctx, ZMQ_PAIR);
    int linger = 0;
    if (m) zmq_setsockopt(m, ZMQ_LINGER, &linger, sizeof linger);
    if (!m || zmq_connect(m, ep) != 0) {
        if (m) zmq_close(m);
        zmq_socket_monitor(s, NULL, 0);
        return;
    }
    self->mon = m;
}

/* A fresh DEALER connected to the endpoint, as a CURVE client when keys were given (set
 * before zmq_connect). A refused handshake (key not authorised, wrong server key, no key
 * against a CURVE aggregator) looks like an aggregator that does not answer: the jobs
 * stay pending until the deadline, and the reason is in the aggregator's log. */
static int sender_open(sender_t *self, char *err, size_t errlen)
{
    void *s = zmq_socket(self->ctx, ZMQ_DEALER);
    if (!s) {
        snprintf(err, errlen, "cannot create a ZeroMQ socket: %s", zmq_strerror(errno));
        return -1;
    }
    int linger = 0, ivl = SENDER_HEARTBEAT_IVL, hbt = SENDER_HEARTBEAT_TIMEOUT;
    int64_t max = SENDER_MAX_ACK;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt);
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof max);
    if (self->o.curve && curve_client_apply(self->o.curve, s, err, errlen) != 0) {
        zmq_close(s);
        return -1;
    }
    sender_monitor_open(self, s);
    if (zmq_connect(s, self->endpoint) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", self->endpoint, zmq_strerror(errno));
        if (self->mon) { zmq_socket_monitor(s, NULL, 0); zmq_close(self->mon); self->mon = NULL; }
        zmq_close(s);
        return -1;
    }
    self->sock = s;
    return 0;
}

static void s_log(const sender_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

sender_t *sender_new(const char *endpoint, const sender_opts_t *opts, sender_done_fn *done,
                     void *arg, char *err, size_t errlen)
{
    sender_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    self->o = *opts;
    if (!self->o.who) self->o.who = "huizong-collector";
    if (self->o.window < 1) self->o.window = 1;
    if (self->o.timeout_ms < 10) self->o.timeout_ms = 10;
    if (self->o.backoff_min_ms < 1) self->o.backoff_min_ms = 1;
    if (self->o.backoff_max_ms < self->o.backoff_min_ms) self->o.backoff_max_ms = self->o.backoff_min_ms;
    self->backoff_ms = self->o.backoff_min_ms;
    self->done = done;
    self->arg = arg;
    self->endpoint = strdup(endpoint);
    self->ctx = zmq_ctx_new();
    if (!self->endpoint || !self->ctx) {
        snprintf(err, errlen, "out of memory");
        sender_destroy(&self);
        return NULL;
    }
    /* Connect once now so a malformed endpoint is reported before anything is queued. */
    if (sender_open(self, err, errlen) != 0) {
        sender_destroy(&self);
        return NULL;
    }
    return self;
}

void sender_destroy(sender_t **self_p)
{
    if (!self_p || !*self_p) return;
    sender_t *self = *self_p;
    for (size_t i = self->head; i < self->count; i++) {
        if (!self->jobs[i]) continue;
        free(self->jobs[i]->payload);
        free(self->jobs[i]);
    }
    free(self->jobs);
    sender_monitor_close(self);
    if (self->sock) zmq_close(self->sock);
    if (self->ctx) zmq_ctx_term(self->ctx);
    free(self->endpoint);
    free(self);
    *self_p = NULL;
}

int sender_add(sender_t *self, const sender_job_info_t *info, uint8_t *payload, size_t len)
{
    assert(self && info && payload);
    if (self->head > 0 && self->head * 2 >= self->count) {
        memmove(self->jobs, self->jobs + self->head, (self->count - self->head) * sizeof *self->jobs);
        self->count -= self->head;
        self->head = 0;
    }
    if (self->count == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 64;
        job_t **grown = realloc(self->jobs, cap * sizeof *grown);
        if (!grown) return -1;
        self->jobs = grown;
        self->cap = cap;
    }
    job_t *j = calloc(1, sizeof *j);
    if (!j) return -1;
    j->info = *info;
    j->info.attempts = 0;
    j->payload = payload;
    j->len = len;
    self->jobs[self->count++] = j;
    self->outstanding++;
    return 0;
}

size_t sender_outstanding(const sender_t *self)
{
    return self->outstanding;
}

static void sender_finish(sender_t *self, size_t i, const ack_t *ack)
{
    job_t *j = self->jobs[i];
    if (j->in_flight) {
        self->in_flight--;
        self->in_flight_bytes -= j->len;
    }
    self->jobs[i] = NULL;
    self->outstanding--;
    self->done(self->arg, &j->info, ack);
    free(j->payload);
    free(j);
    while (self->head < self->count && !self->jobs[self->head]) self->head++;
}

void sender_abandon(sender_t *self)
{
    for (size_t i = self->head; i < self->count; i++)
        if (self->jobs[i]) sender_finish(self, i, NULL);
    self->head = self->count = 0;
}

/* Whether two jobs must not be in flight together: the same entity/year, or either is a
 * file of several parts (GROUP_ENTITY), which stands for all of its entity/years and so
 * goes alone (group.h): the order of every entity/year is kept without listing them. */
static int same_key(const sender_job_info_t *a, const sender_job_info_t *b)
{
    if (!strcmp(a->entity, GROUP_ENTITY) || !strcmp(b->entity, GROUP_ENTITY)) return 1;
    return a->year == b->year && strcmp(a->entity, b->entity) == 0;
}

/* Sends queued jobs while the window has room, oldest first, one per entity/year. */
static void sender_fill(sender_t *self)
{
    if (!self->sock) return;
    const sender_job_info_t *seen[SENDER_SCAN_KEYS];
    size_t nseen = 0;
    for (size_t i = self->head; i < self->count; i++) {
        if (self->in_flight >= (size_t)self->o.window || nseen == SENDER_SCAN_KEYS) break;
        job_t *j = self->jobs[i];
        if (!j) continue;
        int blocked = 0;
        for (size_t k = 0; k < nseen && !blocked; k++) blocked = same_key(seen[k], &j->info);
        if (blocked) continue;
        seen[nseen++] = &j->info;
        if (j->in_flight) continue;
        /* the byte window: the oldest waits for room rather than be overtaken for ever */
        if (self->o.window_bytes && self->in_flight &&
            self->in_flight_bytes + j->len > self->o.window_bytes) break;
        if (zmq_send(self->sock, j->payload, j->len, ZMQ_DONTWAIT) < 0) break;   /* HWM: later */
        j->in_flight = 1;
        j->sent_at = clock_mono_ms();
        j->info.attempts++;
        self->in_flight++;
        self->in_flight_bytes += j->len;
    }
}

/* One diagnostic line "who: ..." to the caller's log (sender_opts_t.log), if any. */
static void s_log(const sender_t *self, const char *fmt, ...)
{
    if (!self->o.log) return;
    char line[1024];
    int n = snprintf(line, sizeof line, "%s: ", self->o.who);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line) vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    self->o.log(self->o.log_arg, line);
}

/* Lazy Pirate: give up on this connection, requeue what it carried, wait, reconnect. */
static void sender_reset(sender_t *self, const char *why)
{
    sender_monitor_close(self);
    if (self->sock) zmq_close(self->sock);
    self->sock = NULL;
    for (size_t i = self->head; i < self->count; i++)
        if (self->jobs[i]) self->jobs[i]->in_flight = 0;
    self->in_flight = 0;
    self->in_flight_bytes = 0;
    self->retry_at = clock_mono_ms() + (uint64_t)self->backoff_ms;
    if (self->o.verbose)
        s_log(self, "%s; reconnecting to %s in %d ms (%zu pending)", why, self->endpoint,
              self->backoff_ms, self->outstanding);
    self->backoff_ms = self->backoff_ms * 2 > self->o.backoff_max_ms ? self->o.backoff_max_ms
                                                                     : self->backoff_ms * 2;
}

static void sender_on_ack(sender_t *self, const uint8_t *data, size_t len)
{
    ack_t ack;
    ack_init(&ack);
    char err[256] = "";
    if (wire_unpack_ack(data, len, &ack, err, sizeof err) != 0) {
        s_log(self, "unreadable reply from %s: %s", self->endpoint, err);
        ack_clear(&ack);
        return;
    }
    if (ack.status != ACK_ACCEPTED && ack.status != ACK_REJECTED) {
        s_log(self, "reply for %s has unknown status %d; will retry", ack.submission_id,
              (int)ack.status);
        ack_clear(&ack);
        return;
    }
    for (size_t i = self->head; i < self->count; i++) {
        job_t *j = self->jobs[i];
        if (j && j->in_flight && strcmp(j->info.id, ack.submission_id) == 0) {
            self->backoff_ms = self->o.backoff_min_ms;   /* the aggregator is answering */
            sender_finish(self, i, &ack);
            ack_clear(&ack);
            return;
        }
    }
    if (!ack.submission_id[0])
        s_log(self, "the aggregator rejected a message it could not read: %s", ack.reason);
    /* Otherwise a late duplicate for a job already finished: nothing to do. */
    ack_clear(&ack);
}

/* Reads every reply that is ready. Returns -1 on a socket error. */
static int sender_drain(sender_t *self)
{
    for (;;) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, self->sock, ZMQ_DONTWAIT) < 0) {
            int e = errno;
            zmq_msg_close(&msg);
            return e == EAGAIN || e == EINTR ? 0 : -1;
        }
        /* A REQ-style reply has an empty delimiter first: the ack is the last frame. */
        while (zmq_msg_more(&msg)) {
            zmq_msg_close(&msg);
            zmq_msg_init(&msg);
            if (zmq_msg_recv(&msg, self->sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&msg);
                return 0;
            }
        }
        if (zmq_msg_size(&msg) > 0) sender_on_ack(self, zmq_msg_data(&msg), zmq_msg_size(&msg));
        zmq_msg_close(&msg);
        if (!self->sock) return 0;
    }
}

/* The oldest send time among in-flight jobs (0 if none). */
static uint64_t sender_oldest(const sender_t *self)
{
    uint64_t oldest = 0;
    for (size_t i = self->head, seen = 0; i < self->count && seen < self->in_flight; i++) {
        const job_t *j = self->jobs[i];
        if (!j || !j->in_flight) continue;
        seen++;
        if (!oldest || j->sent_at < oldest) oldest = j->sent_at;
    }
    return oldest;
}

/* Logs a refused handshake once (until one succeeds again). */
static void sender_refused(sender_t *self, const char *what)
{
    if (self->refused) return;
    self->refused = 1;
    if (self->o.curve)
        s_log(self, "与 %s 的 CURVE 握手失败：%s。可能原因：本采集端的公钥不在汇总端的 authorized.txt 中"
                    "（或已被撤销；把 huizong keygen 打印的那一行加入该文件后 kill -HUP 汇总端），"
                    "或 --server-key 不是该汇总端的公钥文件", self->endpoint, what);
    else
        s_log(self, "与 %s 的握手失败：%s。可能原因：汇总端启用了 CURVE，而本采集端未给 --key 和 "
                    "--server-key", self->endpoint, what);
}

/* Reads every monitor event that is ready and judges the handshake. */
static void sender_monitor_drain(sender_t *self)
{
    while (self->mon) {
        zmq_msg_t head, addr;
        zmq_msg_init(&head);
        if (zmq_msg_recv(&head, self->mon, ZMQ_DONTWAIT) < 0) { zmq_msg_close(&head); return; }
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size(&head) >= 6) {
            memcpy(&event, zmq_msg_data(&head), 2);
            memcpy(&value, (uint8_t *)zmq_msg_data(&head) + 2, 4);
        }
        int more = zmq_msg_more(&head);
        zmq_msg_close(&head);
        if (more) {   /* the second frame is the endpoint: not needed */
            zmq_msg_init(&addr);
            zmq_msg_recv(&addr, self->mon, ZMQ_DONTWAIT);
            zmq_msg_close(&addr);
        }
        char what[160];
        switch (event) {
        case ZMQ_EVENT_CONNECTED:
            self->in_handshake = 1;
            break;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            self->in_handshake = 0;
            self->handshake_drops = 0;
            self->refused = 0;
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            snprintf(what, sizeof what, "汇总端拒绝了本采集端的密钥（ZAP 状态 %u）", value);
            sender_refused(self, what);
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            snprintf(what, sizeof what, "双方的安全机制不一致（ZMTP 协议错误 0x%x）", value);
            sender_refused(self, what);
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            sender_refused(self, "握手未完成（未给出细节）");
            break;
        case ZMQ_EVENT_DISCONNECTED:
            /* A CURVE server that cannot read our HELLO (we encrypted it to another server
             * key) or that refuses a plain client just closes the connection. */
            if (self->in_handshake && ++self->handshake_drops >= SENDER_HANDSHAKE_TRIES) {
                snprintf(what, sizeof what, "连接在握手完成前被关闭（连续 %d 次）", self->handshake_drops);
                sender_refused(self, what);
            }
            self->in_handshake = 0;
            break;
        default:
            break;
        }
    }
}

int sender_poll(sender_t *self, int max_ms)
{
    uint64_t end = clock_mono_ms() + (uint64_t)(max_ms > 0 ? max_ms : 0);
    char err[512];
    while (self->outstanding > 0) {
        uint64_t now = clock_mono_ms();
        if (!self->sock && now >= self->retry_at) {
            if (sender_open(self, err, sizeof err) != 0) {
                s_log(self, "%s", err);
                return -1;
            }
        }
        sender_fill(self);
        if (now >= end) break;
        uint64_t wake = end;
        if (!self->sock && self->retry_at < wake) wake = self->retry_at;
        uint64_t oldest = self->sock ? sender_oldest(self) : 0;
        if (oldest && oldest + (uint64_t)self->o.timeout_ms < wake) wake = oldest + (uint64_t)self->o.timeout_ms;
        long wait = wake > now ? (long)(wake - now) : 0;

        if (self->sock) {
            zmq_pollitem_t items[2] = { { self->sock, 0, ZMQ_POLLIN, 0 }, { self->mon, 0, ZMQ_POLLIN, 0 } };
            int n = zmq_poll(items, self->mon ? 2 : 1, wait);
            if (n < 0) {
                if (errno == EINTR) return 0;   /* let the caller look at its signal flag */
                s_log(self, "poll: %s", zmq_strerror(errno));
                return -1;
            }
            if (self->mon && (items[1].revents & ZMQ_POLLIN)) {
                sender_monitor_drain(self);
                if (self->refused && self->o.give_up_on_refusal) return SENDER_REFUSED;
            }
            if ((items[0].revents & ZMQ_POLLIN) && sender_drain(self) != 0) sender_reset(self, "receive failed");
        } else if (zmq_poll(NULL, 0, wait) < 0 && errno == EINTR) {
            return 0;
        }
        if (self->sock) {
            oldest = sender_oldest(self);
            if (oldest && clock_mono_ms() >= oldest + (uint64_t)self->o.timeout_ms) {
                char why[96];
                snprintf(why, sizeof why, "no ack within %d ms", self->o.timeout_ms);
                sender_reset(self, why);
            }
        }
    }
    return 0;
}
