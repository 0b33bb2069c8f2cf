/* auth.c -- the authorisation file, the ZAP handler and the per-entity check (see auth.h).
 *
 * Why our own ZAP handler and not CZMQ's zauth: zauth only knows "this key is in a
 * directory of certificates" (or "any key"), runs in its own thread, and does not report
 * certificates it failed to load. We need "this key may submit for these subtrees" and a
 * revocation that takes effect for new connections (ZAP) and for connections already open
 * (auth_allows) at the same instant. Serving ZAP from the aggregator's poll loop gives us
 * that with one table and no locks; the cost is that a handshake waits while a batch
 * commits (milliseconds; libzmq's handshake timeout is 30 s).
 *
 * Invariants:
 *  - The table is sorted by key with no duplicates; it is replaced whole or not at all.
 *  - Every ZAP request gets exactly one reply (a REP socket that skipped one would stop
 *    serving), even a malformed one (status 500).
 *  - Refusals are logged, but repeated refusals of one key (libzmq reconnects every
 *    100 ms) only once per AUTH_LOG_QUIET_MS, with a count of the ones not printed.
 *    Handshakes that fail before ZAP is asked (no CURVE, wrong server key) come from a
 *    socket monitor on the router and are logged the same way, per kind of failure.
 */
#include "clock.h"
#include "sort.h"
#include "auth_int.h"
#include "curve.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <czmq.h>
#include <zmq.h>

/* ---- the authorisation file ------------------------------------------------------ */

static void auth_table_free(auth_table_t *t)
{
    for (size_t i = 0; i < t->count; i++) free(t->items[i].codes);
    free(t->items);
    t->items = NULL;
    t->count = 0;
}

static bool auth_z85_key(const char *text, size_t len)
{
    if (len != AUTH_KEY_LEN) return false;
    char buf[AUTH_KEY_LEN + 1];
    uint8_t bin[32];
    memcpy(buf, text, len);
    buf[len] = '\0';
    return zmq_z85_decode(bin, buf) != NULL;
}

static bool auth_blank(char c) { return c == ' ' || c == '\t'; }

/* Next blank-separated field of *p: sets start/len, advances *p. 0 if none left. */
static size_t auth_field(char **p, char **start)
{
    char *s = *p;
    while (auth_blank(*s)) s++;
    *start = s;
    while (*s && !auth_blank(*s)) s++;
    *p = s;
    return (size_t)(s - *start);
}

/* "420112,026" -> e->codes. Returns 0 or -1 with the reason in err (no file:line). */
static int auth_parse_codes(auth_entry_t *e, char *list, size_t len, char *err, size_t errlen)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++) n += list[i] == ',';
    e->codes = calloc(n, sizeof *e->codes);
    if (!e->codes) { snprintf(err, errlen, "out of memory"); return -1; }
    char *s = list, *end = list + len;
    while (s <= end) {
        char *c = memchr(s, ',', (size_t)(end - s));
        if (!c) c = end;
        size_t clen = (size_t)(c - s);
        if (clen == 0) {
            snprintf(err, errlen, "empty entity code in '%.*s' (codes are separated by single commas)",
                     (int)len, list);
            return -1;
        }
        if (clen > ENTITY_CODE_MAX) {
            snprintf(err, errlen, "entity code '%.*s…' is longer than %d characters", 16, s, ENTITY_CODE_MAX);
            return -1;
        }
        for (size_t i = 0; i < clen; i++) {
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
                snprintf(err, errlen, "control character in entity code '%.*s'", (int)clen, s);
                return -1;
            }
        }
        if (clen == 1 && s[0] == '*') e->all = true;
        else {
            memcpy(e->codes[e->ncodes], s, clen);
            e->codes[e->ncodes][clen] = '\0';
            e->ncodes++;
        }
        s = c + 1;
    }
    return 0;
}

/* By key only: the bsearch of a connecting key. */
static int auth_key_cmp(const void *a, const void *b)
{
    return strcmp(((const auth_entry_t *)a)->key, ((const auth_entry_t *)b)->key);
}

static int auth_entry_cmp(const void *a, const void *b)
{
    const auth_entry_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    /* by line within a key: a total order (lines are unique), so duplicates report first/second
     * line the same way under any sort */
    return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

/* One line (no newline). Returns 1 with *e filled, 0 for a blank or comment line, -1
 * with the reason in err. */
static int auth_parse_line(char *line, auth_entry_t *e, char *err, size_t errlen)
{
    char *p = line, *key, *codes, *rest;
    size_t klen = auth_field(&p, &key);
    if (klen == 0) return 0;
    if (key[0] == '#') return 0;   /* no key starts with '#': see auth.h */
    if (!auth_z85_key(key, klen)) {
        snprintf(err, errlen, "'%.*s%s' is not a public key (the 40-character Z85 text that "
                              "`huizong keygen` prints)", klen > 48 ? 48 : (int)klen, key,
                 klen > 48 ? "…" : "");
        return -1;
    }
    memset(e, 0, sizeof *e);
    memcpy(e->key, key, klen);
    size_t clen = auth_field(&p, &codes);
    if (clen == 0 || codes[0] == '#') {
        snprintf(err, errlen, "key %.8s… has no entity list (write ENTITY[,ENTITY...] or * "
                              "after the key)", e->key);
        return -1;
    }
    size_t rlen = auth_field(&p, &rest);
    if (rlen && rest[0] != '#') {
        snprintf(err, errlen, "unexpected '%.*s' after the entity list (codes are separated "
                              "by commas without blanks; comments start with #)",
                 rlen > 48 ? 48 : (int)rlen, rest);
        return -1;
    }
    if (auth_parse_codes(e, codes, clen, err, errlen) != 0) {
        free(e->codes);
        e->codes = NULL;
        return -1;
    }
    return 1;
}

/* Parses the whole file into t (sorted). Returns 0, or -1 with "file:line: reason". */
static int auth_table_load(auth_table_t *t, const char *path, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL, why[300];
    size_t cap = 0, tcap = 0;
    unsigned lineno = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if ((size_t)len != strlen(line)) {
            snprintf(err, errlen, "%s:%u: NUL byte in the line", path, lineno);
            rc = -1;
            break;
        }
        auth_entry_t e;
        int got = auth_parse_line(line, &e, why, sizeof why);
        if (got < 0) {
            snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
            rc = -1;
            break;
        }
        if (got == 0) continue;
        e.line = lineno;
        if (t->count == tcap) {
            size_t ncap = tcap ? tcap * 2 : 16;
            auth_entry_t *n = realloc(t->items, ncap * sizeof *n);
            if (!n) {
                free(e.codes);
                snprintf(err, errlen, "%s:%u: out of memory", path, lineno);
                rc = -1;
                break;
            }
            t->items = n;
            tcap = ncap;
        }
        t->items[t->count++] = e;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    if (rc == 0 && t->count > 1) {
        sort_array(t->items, t->count, sizeof *t->items, auth_entry_cmp);
        for (size_t i = 1; i < t->count; i++) {
            const auth_entry_t *a = &t->items[i - 1], *b = &t->items[i];
            if (strcmp(a->key, b->key) == 0) {
                unsigned first = a->line < b->line ? a->line : b->line;
                unsigned second = a->line < b->line ? b->line : a->line;
                snprintf(err, errlen, "%s:%u: key %.8s… is already listed at line %u "
                                      "(list every entity of a key on one line)",
                         path, second, a->key, first);
                rc = -1;
                break;
            }
        }
    }
    if (rc != 0) auth_table_free(t);
    return rc;
}

const auth_entry_t *auth_find(const auth_t *self, const char *key)
{
    if (!key || strlen(key) != AUTH_KEY_LEN || self->table.count == 0) return NULL;
    auth_entry_t probe;
    memcpy(probe.key, key, AUTH_KEY_LEN + 1);
    return bsearch(&probe, self->table.items, self->table.count, sizeof probe, auth_key_cmp);
}

/* ---- keys ---------------------------------------------------------------------- */

/* The server keypair from a zcert secret file: core/curve.c reads it (exact path, both
 * halves decoded, public re-derived from secret, mode 0600) for collectors and us alike. */
static int auth_load_secret(auth_t *self, const char *path, char *err, size_t errlen)
{
    char pub[CURVE_Z85_LEN + 1], sec[CURVE_Z85_LEN + 1];
    if (curve_read_cert(path, 1, pub, sec, err, errlen) != 0) return -1;
    zmq_z85_decode(self->secret, sec);
    memcpy(self->public_z85, pub, AUTH_KEY_LEN + 1);
    self->has_secret = true;
    explicit_bzero(sec, sizeof sec);
    return 0;
}

static int auth_zap_bind(auth_t *self, void *ctx, char *err, size_t errlen)
{
    self->zap = zmq_socket(ctx, ZMQ_REP);
    if (!self->zap) {
        snprintf(err, errlen, "ZAP handler: cannot create a socket: %s", zmq_strerror(errno));
        return -1;
    }
    int linger = 0;
    zmq_setsockopt(self->zap, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(self->zap, AUTH_ZAP_ENDPOINT) != 0) {
        snprintf(err, errlen, "ZAP handler: cannot bind %s: %s", AUTH_ZAP_ENDPOINT, zmq_strerror(errno));
        zmq_close(self->zap);
        self->zap = NULL;
        return -1;
    }
    return 0;
}

auth_t *auth_new(void *zmq_ctx, const char *secret_file, const char *authorized_file,
                 char *err, size_t errlen)
{
    auth_t *self = calloc(1, sizeof *self);
    if (!self || !(self->path = strdup(authorized_file))) {
        snprintf(err, errlen, "out of memory");
        free(self);
        return NULL;
    }
    if (auth_table_load(&self->table, authorized_file, err, errlen) != 0
        || (secret_file && auth_load_secret(self, secret_file, err, errlen) != 0)
        || (zmq_ctx && auth_zap_bind(self, zmq_ctx, err, errlen) != 0)) {
        auth_destroy(&self);
        return NULL;
    }
    self->ctx = zmq_ctx;
    return self;
}

void auth_destroy(auth_t **self_p)
{
    auth_t *self = *self_p;
    if (!self) return;
    if (self->zap) zmq_close(self->zap);
    if (self->monitor) zmq_close(self->monitor);
    auth_table_free(&self->table);
    auth_table_free(&self->subscribers);
    free(self->sub_path);
    free(self->path);
    explicit_bzero(self->secret, sizeof self->secret);
    free(self);
    *self_p = NULL;
}

/* Handshakes that fail before ZAP is asked (a client without CURVE, a client holding the
 * wrong server key) never reach the ZAP handler; a monitor on the router reports them so
 * the operator sees them in the log too. */
static int auth_monitor_start(auth_t *self, void *router, char *err, size_t errlen)
{
    if (self->monitor) return 0;   /* one router per auth_t */
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://huizong-auth-monitor-%p", (void *)self);
    /* Only protocol failures: NO_DETAIL events (a peer hanging up mid-handshake, a port
     * scanner) say nothing about keys and would only add noise. */
    if (zmq_socket_monitor(router, endpoint, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0) {
        snprintf(err, errlen, "monitoring the CURVE handshakes: %s", zmq_strerror(errno));
        return -1;
    }
    self->monitor = zmq_socket(self->ctx, ZMQ_PAIR);
    int linger = 0;
    if (!self->monitor
        || zmq_setsockopt(self->monitor, ZMQ_LINGER, &linger, sizeof linger) != 0
        || zmq_connect(self->monitor, endpoint) != 0) {
        snprintf(err, errlen, "monitoring the CURVE handshakes: %s", zmq_strerror(errno));
        if (self->monitor) zmq_close(self->monitor);
        self->monitor = NULL;
        return -1;
    }
    return 0;
}

/* Makes sock a CURVE server with this aggregator's secret key whose handshakes go to the
 * ZAP handler under domain. 0, or -1 with "<context>setting OPTION: reason" in err. */
static int s_curve_server(const auth_t *self, void *sock, const char *domain, const char *context,
                          char *err, size_t errlen)
{
    int on = 1;
    const char *what = "ZMQ_CURVE_SERVER";
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &on, sizeof on) != 0) goto fail;
    what = "ZMQ_CURVE_SECRETKEY";
    if (zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, self->secret, sizeof self->secret) != 0) goto fail;
    what = "ZMQ_ZAP_DOMAIN";
    if (zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) != 0) goto fail;
    /* Without this, libzmq accepts every CURVE client when no ZAP handler answers. */
    what = "ZMQ_ZAP_ENFORCE_DOMAIN";
    if (zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &on, sizeof on) != 0) goto fail;
    return 0;
fail:
    snprintf(err, errlen, "%ssetting %s: %s", context, what, zmq_strerror(errno));
    return -1;
}

int auth_configure_router(auth_t *self, void *router, char *err, size_t errlen)
{
    if (!self->has_secret) {
        snprintf(err, errlen, "CURVE server: no server secret key loaded (--curve-secret FILE)");
        return -1;
    }
    if (!self->zap) {
        snprintf(err, errlen, "CURVE server: the ZAP handler is not running");
        return -1;
    }
    if (s_curve_server(self, router, AUTH_ZAP_DOMAIN, "", err, errlen) != 0) return -1;
    return auth_monitor_start(self, router, err, errlen);
}

/* ---- the ZAP handler ------------------------------------------------------------- */

static void auth_stamp(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Whether to print a refusal tagged tag (a key, or a kind of handshake failure) now:
 * -1 if the same tag was printed less than AUTH_LOG_QUIET_MS ago (counted), else the
 * number of refusals not printed since the last time. */
long auth_log_due(auth_t *self, const char *tag)
{
    uint64_t now = clock_mono_ms();
    auth_recent_t *slot = NULL, *oldest = &self->recent[0];
    for (int i = 0; i < AUTH_LOG_SLOTS; i++) {
        auth_recent_t *r = &self->recent[i];
        if (strcmp(r->key, tag) == 0) { slot = r; break; }
        if (r->last_ms < oldest->last_ms) oldest = r;
    }
    if (slot && slot->last_ms && now - slot->last_ms < AUTH_LOG_QUIET_MS) {
        slot->quiet++;
        return -1;
    }
    long quiet = slot ? (long)slot->quiet : 0;
    if (!slot) {
        slot = oldest;
        snprintf(slot->key, sizeof slot->key, "%s", tag);
    }
    slot->last_ms = now;
    slot->quiet = 0;
    return quiet;
}

static void auth_log_refusal(auth_t *self, const char *key, const char *address, const char *why)
{
    long quiet = auth_log_due(self, key);
    if (quiet < 0) return;
    char stamp[32], more[96] = "";
    auth_stamp(stamp);
    if (quiet) snprintf(more, sizeof more, " (and %ld more attempt(s) since the last report)", quiet);
    fprintf(stderr, "%s ZAP refused connection from %s, key %s: %s%s\n", stamp,
            address[0] ? address : "-", key[0] ? key : "-", why, more);
}

/* Frame i as a NUL-terminated string (truncated to outlen - 1). */
static void auth_frame_text(zmq_msg_t *f, char *out, size_t outlen)
{
    size_t n = zmq_msg_size(f);
    if (n >= outlen) n = outlen - 1;
    memcpy(out, zmq_msg_data(f), n);
    out[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20) out[i] = '?';
}

static int auth_zap_reply(void *zap, zmq_msg_t *request_id, const char *code, const char *text,
                          const char *user_id)
{
    int rc = zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    if (rc >= 0) {
        if (request_id) rc = zmq_send(zap, zmq_msg_data(request_id), zmq_msg_size(request_id), ZMQ_SNDMORE);
        else rc = zmq_send(zap, "", 0, ZMQ_SNDMORE);
    }
    if (rc >= 0) rc = zmq_send(zap, code, strlen(code), ZMQ_SNDMORE);
    if (rc >= 0) rc = zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    if (rc >= 0) rc = zmq_send(zap, user_id, strlen(user_id), ZMQ_SNDMORE);
    if (rc >= 0) rc = zmq_send(zap, "", 0, 0);   /* no metadata */
    return rc < 0 ? -1 : 0;
}

/* Decides one request (frames as RFC 27 lists them) and replies. */
static int auth_zap_answer(auth_t *self, zmq_msg_t *f, int n)
{
    char version[8] = "", domain[64] = "", address[128] = "", mechanism[16] = "";
    char key[AUTH_KEY_LEN + 1] = "";
    if (n >= 1) auth_frame_text(&f[0], version, sizeof version);
    if (n >= 3) auth_frame_text(&f[2], domain, sizeof domain);
    if (n >= 4) auth_frame_text(&f[3], address, sizeof address);
    if (n >= 6) auth_frame_text(&f[5], mechanism, sizeof mechanism);

    if (n < 6 || strcmp(version, "1.0") != 0) {
        self->refused++;
        auth_log_refusal(self, "", address, "malformed ZAP request");
        return auth_zap_reply(self->zap, n >= 2 ? &f[1] : NULL, "500", "malformed ZAP request", "");
    }
    const char *why = NULL;
    int events = self->sub_path && strcmp(domain, AUTH_EVENTS_DOMAIN) == 0;
    if (!events && strcmp(domain, AUTH_ZAP_DOMAIN) != 0) why = "unknown ZAP domain";
    else if (strcmp(mechanism, "CURVE") != 0) why = "only CURVE clients are accepted";
    else if (n != 7 || zmq_msg_size(&f[6]) != 32) why = "malformed CURVE credentials";
    else {
        zmq_z85_encode(key, zmq_msg_data(&f[6]), 32);
        if (events) {
            auth_entry_t probe;
            memcpy(probe.key, key, AUTH_KEY_LEN + 1);
            if (!bsearch(&probe, self->subscribers.items, self->subscribers.count, sizeof probe,
                         auth_key_cmp))
                why = "key not in the events subscribers' file";
        } else if (!auth_find(self, key)) {
            why = "key not in the authorisation file";
        }
    }
    if (why) {
        self->refused++;
        auth_log_refusal(self, key, address, why);
        return auth_zap_reply(self->zap, &f[1], "400", why, "");
    }
    self->accepted++;
    char stamp[32];
    auth_stamp(stamp);
    fprintf(stderr, "%s ZAP accepted connection from %s, key %s\n", stamp,
            address[0] ? address : "-", key);
    return auth_zap_reply(self->zap, &f[1], "200", "OK", key);
}

int auth_zap_serve(auth_t *self)
{
    if (!self->zap) return 0;
    int answered = 0;
    for (;;) {
        zmq_msg_t f[AUTH_ZAP_FRAMES];
        int n = 0, extra = 0, more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            /* A multipart message arrives whole: only the first frame can be missing. */
            if (zmq_msg_recv(&part, self->zap, n + extra == 0 ? ZMQ_DONTWAIT : 0) < 0) {
                int e = errno;
                zmq_msg_close(&part);
                for (int i = 0; i < n; i++) zmq_msg_close(&f[i]);
                if (n + extra == 0 && (e == EAGAIN || e == EINTR)) return answered;
                fprintf(stderr, "huizong-aggregator: ZAP handler: receive: %s\n", zmq_strerror(e));
                return -1;
            }
            more = zmq_msg_more(&part);
            if (n < AUTH_ZAP_FRAMES) f[n++] = part;
            else { zmq_msg_close(&part); extra++; }
        }
        int rc = auth_zap_answer(self, f, extra ? AUTH_ZAP_FRAMES + 1 : n);
        for (int i = 0; i < n; i++) zmq_msg_close(&f[i]);
        if (rc != 0) {
            fprintf(stderr, "huizong-aggregator: ZAP handler: reply: %s\n", zmq_strerror(errno));
            return -1;
        }
        answered++;
    }
}

/* One monitor event: [uint16 event, uint32 value] [endpoint]. */
static void auth_monitor_event(auth_t *self, const uint8_t *head, size_t len, const char *endpoint)
{
    if (len < 6) return;
    uint16_t event;
    uint32_t value;
    memcpy(&event, head, sizeof event);
    memcpy(&value, head + 2, sizeof value);
    const char *why, *tag;
    char buf[96];
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
        why = "the client does not use CURVE (a collector without --key/--server-key?)";
        tag = "#no-curve";
    } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
               && (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
                   || value == ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE)) {
        why = "CURVE handshake failed (the client holds a wrong --server-key?)";
        tag = "#crypto";
    } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
        snprintf(buf, sizeof buf, "handshake failed (ZMTP protocol error 0x%08x)", (unsigned)value);
        why = buf;
        tag = "#protocol";
    } else {
        snprintf(buf, sizeof buf, "handshake failed: %s", zmq_strerror((int)value));
        why = buf;
        tag = "#other";
    }
    self->refused++;
    long quiet = auth_log_due(self, tag);
    if (quiet < 0) return;
    char stamp[32], more[96] = "";
    auth_stamp(stamp);
    if (quiet) snprintf(more, sizeof more, " (and %ld more since the last report)", quiet);
    fprintf(stderr, "%s refused connection on %s: %s%s\n", stamp, endpoint[0] ? endpoint : "-",
            why, more);
}

static int auth_monitor_serve(auth_t *self)
{
    if (!self->monitor) return 0;
    int n = 0;
    for (;;) {
        uint8_t head[16];
        char endpoint[256];
        int len = zmq_recv(self->monitor, head, sizeof head, ZMQ_DONTWAIT);
        if (len < 0) return (errno == EAGAIN || errno == EINTR) ? n : -1;
        int64_t more = 0;
        size_t ml = sizeof more;
        endpoint[0] = '\0';
        zmq_getsockopt(self->monitor, ZMQ_RCVMORE, &more, &ml);
        if (more) {
            int el = zmq_recv(self->monitor, endpoint, sizeof endpoint - 1, 0);
            if (el < 0) return -1;
            endpoint[el < (int)sizeof endpoint - 1 ? el : (int)sizeof endpoint - 1] = '\0';
        }
        auth_monitor_event(self, head, (size_t)len, endpoint);
        n++;
    }
}

int auth_serve(auth_t *self)
{
    int a = auth_zap_serve(self);
    int b = auth_monitor_serve(self);
    if (b < 0) fprintf(stderr, "huizong-aggregator: handshake monitor: %s\n", zmq_strerror(errno));
    return a < 0 || b < 0 ? -1 : a + b;
}

/* ---- per-submission check -------------------------------------------------------- */

static bool auth_entry_has(const auth_entry_t *e, const char *code)
{
    for (size_t i = 0; i < e->ncodes; i++)
        if (strcmp(e->codes[i], code) == 0) return true;
    return false;
}

bool auth_allows(auth_t *self, const char *user_id_z85, const char *entity, store_t *store)
{
    const auth_entry_t *e = auth_find(self, user_id_z85);
    if (!e || !entity || !entity[0]) return false;
    if (e->all) return true;
    store_path_t path;
    bool known = store && store_ancestors(store, entity, &path) == 0;
    return auth_allows_path(self, user_id_z85, entity, known ? &path : NULL);
}

bool auth_allows_path(auth_t *self, const char *user_id_z85, const char *entity,
                      const store_path_t *path)
{
    const auth_entry_t *e = auth_find(self, user_id_z85);
    if (!e || !entity || !entity[0]) return false;
    if (e->all) return true;
    if (auth_entry_has(e, entity)) return true;   /* also for an entity not (yet) registered */
    for (size_t i = 1; path && i < path->count; i++)
        if (auth_entry_has(e, path->code[i])) return true;
    return false;
}

void auth_refusal(const auth_t *self, const char *user_id_z85, const char *entity,
                  char *out, size_t outlen)
{
    const char *key = user_id_z85 && user_id_z85[0] ? user_id_z85 : "(none)";
    const auth_entry_t *e = auth_find(self, user_id_z85);
    if (!e) {
        snprintf(out, outlen, "key %.8s… is not (or no longer) in the aggregator's authorisation file",
                 key);
        return;
    }
    char list[160] = "";
    size_t used = 0;
    for (size_t i = 0; i < e->ncodes && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? "," : "", e->codes[i]);
        if (w < 0 || (size_t)w >= sizeof list - used) {
            snprintf(list + (sizeof list - 5), 5, "…");
            break;
        }
        used += (size_t)w;
    }
    snprintf(out, outlen, "key %.8s… may not submit for %s (authorised: %s)", key,
             entity && entity[0] ? entity : "(no entity)", list);
}

int auth_reload(auth_t *self, char *err, size_t errlen)
{
    auth_table_t t, s = { 0 };
    if (auth_table_load(&t, self->path, err, errlen) != 0) return -1;
    if (self->sub_path && auth_table_load(&s, self->sub_path, err, errlen) != 0) {
        auth_table_free(&t);
        return -1;
    }
    auth_table_free(&self->table);
    self->table = t;
    if (self->sub_path) {
        auth_table_free(&self->subscribers);
        self->subscribers = s;
    }
    return 0;
}

int auth_load_subscribers(auth_t *self, const char *path, char *err, size_t errlen)
{
    auth_table_t t;
    if (auth_table_load(&t, path, err, errlen) != 0) return -1;
    char *p = strdup(path);
    if (!p) {
        auth_table_free(&t);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(self->sub_path);
    self->sub_path = p;
    auth_table_free(&self->subscribers);
    self->subscribers = t;
    return 0;
}

int auth_configure_pub(auth_t *self, void *pub, char *err, size_t errlen)
{
    if (!self->has_secret || !self->zap || !self->sub_path) {
        snprintf(err, errlen, "events over CURVE need --curve-secret and --events-authorized");
        return -1;
    }
    return s_curve_server(self, pub, AUTH_EVENTS_DOMAIN, "events socket: ", err, errlen);
}

size_t auth_subscriber_count(const auth_t *self) { return self->subscribers.count; }

void *auth_zap_socket(const auth_t *self) { return self->zap; }
void *auth_monitor_socket(const auth_t *self) { return self->monitor; }
size_t auth_count(const auth_t *self) { return self->table.count; }
const char *auth_server_public(const auth_t *self) { return self->public_z85; }
const char *auth_path(const auth_t *self) { return self->path; }
unsigned long auth_accepted(const auth_t *self) { return self->accepted; }
unsigned long auth_refused(const auth_t *self) { return self->refused; }
