/* upstream.c -- forwarding ENTITY's consolidated figures to a higher aggregator (see
 * upstream.h, docs/federation.md).
 *
 * Invariants:
 *  - Per year there is at most one forward in flight (handed to the sender) and at most
 *    one waiting (spooled, not handed over). Both are files in the spool until an ack
 *    settles them; the waiting one is replaced (its file removed) by a newer forward.
 *    So the sender never holds two forwards of one year, and the spool holds at most two.
 *  - The sender is only touched from upstream_tick() (the server loop's thread). Its done
 *    callback only records what happened; promoting the waiting forward happens after
 *    sender_poll() returned, never inside the sender's own bookkeeping.
 *  - A forward's digest covers exactly its facts (table, row, column, fen), not its id or
 *    time: equal digests mean the upstream would store the same figures again, so the
 *    forward is skipped. SPOOL/sent/ENTITY-YEAR holds the digest the upstream last
 *    accepted (written durably), which makes a restart forward only what changed.
 */
#include "array.h"
#include "clock.h"
#include "upstream.h"

#include "digest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sodium.h>

#include "curve.h"
#include "sender.h"
#include "spool.h"
#include "wire.h"

#define UPSTREAM_YEAR_MIN 1990      /* years scanned for figures at start-up */
#define UPSTREAM_YEAR_MAX 2100
#define UPSTREAM_DIGEST 32

typedef struct {
    char name[SPOOL_NAME_MAX + 1];
    uint8_t digest[UPSTREAM_DIGEST];
    uint32_t facts;
    char id[SUBMISSION_ID_MAX + 1];
    uint8_t *payload;               /* waiting only: the packed bytes, owned */
    size_t len;
} forward_t;

typedef struct {
    uint32_t year;
    int dirty;
    uint64_t last_built_ms;         /* monotonic */
    int has_inflight, has_waiting, has_sent;
    forward_t inflight, waiting;
    uint8_t sent[UPSTREAM_DIGEST];  /* last digest the upstream accepted */
    int settled;                    /* the in-flight forward was acked: promote waiting */
} year_t;

struct upstream {
    store_t *store;
    upstream_opts_t o;
    char entity[SUBMISSION_ENTITY_MAX + 1];
    char endpoint[512];
    spool_t spool;
    char sent_dir[PATH_MAX + 8];
    curve_client_t curve;
    int has_curve;
    sender_t *sender;
    year_t *years;
    size_t nyears, cap;
    upstream_stats_t stats;
};

static year_t *upstream_year(upstream_t *self, uint32_t year)
{
    for (size_t i = 0; i < self->nyears; i++)
        if (self->years[i].year == year) return &self->years[i];
    if (array_reserve(&self->years, &self->cap, self->nyears + 1, sizeof *self->years, 8))
        return NULL;

    year_t *y = &self->years[self->nyears++];
    memset(y, 0, sizeof *y);
    y->year = year;
    return y;
}

/* ---------------------------------------------------------------- digests */

static void upstream_digest(const submission_t *s, uint8_t out[UPSTREAM_DIGEST])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, UPSTREAM_DIGEST);
    for (size_t i = 0; i < s->count; i++) digest_update_fact(&st, &s->facts[i], 0);
    crypto_generichash_final(&st, out, UPSTREAM_DIGEST);
}

static void upstream_sent_path(const upstream_t *self, uint32_t year, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s-%u", self->sent_dir, self->entity, year);
}

static void upstream_load_sent(upstream_t *self, year_t *y)
{
    char path[PATH_MAX + 128], hex[UPSTREAM_DIGEST * 2 + 2] = "";
    upstream_sent_path(self, y->year, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) return;
    size_t n = fread(hex, 1, UPSTREAM_DIGEST * 2, f);
    fclose(f);
    size_t bin = 0;
    if (n == UPSTREAM_DIGEST * 2 &&
        sodium_hex2bin(y->sent, sizeof y->sent, hex, n, NULL, &bin, NULL) == 0 && bin == UPSTREAM_DIGEST)
        y->has_sent = 1;
}

static void upstream_save_sent(upstream_t *self, year_t *y)
{
    char path[PATH_MAX + 128], hex[UPSTREAM_DIGEST * 2 + 2], err[512] = "";
    upstream_sent_path(self, y->year, path, sizeof path);
    sodium_bin2hex(hex, sizeof hex, y->sent, UPSTREAM_DIGEST);
    hex[UPSTREAM_DIGEST * 2] = '\n';
    /* Losing this only costs one identical forward after a restart. */
    if (spool_write_file(path, hex, UPSTREAM_DIGEST * 2 + 1, err, sizeof err) != 0)
        fprintf(stderr, "huizong-aggregator: upstream: %s\n", err);
}

/* ---------------------------------------------------------------- sender */

static void upstream_done(void *arg, const sender_job_info_t *job, const ack_t *ack)
{
    upstream_t *self = arg;
    char err[512] = "";
    if (!ack) return;   /* abandoned at shutdown: stays in the spool for the next start */
    year_t *y = upstream_year(self, job->year);
    int ours = y && y->has_inflight && !strcmp(y->inflight.name, job->name);
    if (ack->status == ACK_ACCEPTED) {
        self->stats.accepted++;
        unsigned e = 0, w = 0;
        for (size_t i = 0; i < ack->flags.count; i++) {
            e += ack->flags.items[i].severity == SEV_ERROR;
            w += ack->flags.items[i].severity == SEV_WARNING;
        }
        fprintf(stderr, "huizong-aggregator: upstream: %s %u forwarded, %u facts, upstream v%u%s "
                        "(flags: %u errors, %u warnings)\n", job->entity, job->year, job->facts,
                ack->version, ack->replayed ? " replayed" : "", e, w);
        if (spool_remove(&self->spool, job->name, err, sizeof err) != 0)
            fprintf(stderr, "huizong-aggregator: upstream: accepted, but the spool file stays: %s\n", err);
        if (ours) {
            memcpy(y->sent, y->inflight.digest, UPSTREAM_DIGEST);
            y->has_sent = 1;
            upstream_save_sent(self, y);
        }
    } else {
        self->stats.rejected++;
        fprintf(stderr, "huizong-aggregator: upstream: %s %u REJECTED by %s: %s (kept in %s/rejected)\n",
                job->entity, job->year, self->endpoint, ack->reason, self->spool.dir);
        if (spool_reject(&self->spool, job->name, ack->reason, err, sizeof err) != 0)
            fprintf(stderr, "huizong-aggregator: upstream: cannot move it to rejected/: %s\n", err);
    }
    if (ours) y->settled = 1;
}

static int upstream_hand_over(upstream_t *self, const forward_t *f, uint32_t year,
                              uint8_t *payload, size_t len)
{
    sender_job_info_t info;
    memset(&info, 0, sizeof info);
    snprintf(info.name, sizeof info.name, "%s", f->name);
    snprintf(info.id, sizeof info.id, "%s", f->id);
    snprintf(info.entity, sizeof info.entity, "%s", self->entity);
    info.year = year;
    info.facts = f->facts;
    if (sender_add(self->sender, &info, payload, len) != 0) {
        free(payload);
        fprintf(stderr, "huizong-aggregator: upstream: out of memory; %s stays in the spool\n", f->name);
        return -1;
    }
    return 0;
}

/* After sender_poll: settled in-flight forwards make room for the waiting ones. */
static void upstream_promote(upstream_t *self)
{
    for (size_t i = 0; i < self->nyears; i++) {
        year_t *y = &self->years[i];
        if (!y->settled) continue;
        y->settled = 0;
        y->has_inflight = 0;
        if (!y->has_waiting) continue;
        y->inflight = y->waiting;
        y->inflight.payload = NULL;
        y->has_inflight = 1;
        y->has_waiting = 0;
        if (upstream_hand_over(self, &y->inflight, y->year, y->waiting.payload, y->waiting.len) != 0)
            y->has_inflight = 0;
        y->waiting.payload = NULL;
    }
}

/* ---------------------------------------------------------------- forwards */

/* ENTITY's reported figures of year as a CONSOLIDATED submission. NULL if none or on
 * error (printed). */
static submission_t *upstream_build(upstream_t *self, uint32_t year)
{
    store_figure_t *figs = NULL;
    size_t n = 0;
    if (store_figures(self->store, self->entity, year, TABLE_NONE, &figs, &n) != 0) {
        fprintf(stderr, "huizong-aggregator: upstream: cannot read the figures of %s %u\n", self->entity, year);
        return NULL;
    }
    submission_t *s = n ? submission_new(self->entity, year) : NULL;
    if (!s) {
        free(figs);
        return NULL;
    }
    s->scope = SCOPE_CONSOLIDATED;
    s->created_ms = clock_wall_ms();
    submission_new_id(s->id);
    char source[128];
    snprintf(source, sizeof source, "huizong-aggregator %s consolidated", self->entity);
    submission_set_source(s, source);
    for (size_t i = 0; i < n; i++) {
        const store_figure_t *f = &figs[i];
        if (!f->has_declared && !f->has_computed) continue;
        const char *label = store_row_label(self->store, f->key.table, f->key.row);
        if (submission_add(s, f->key.table, f->key.row, f->key.column, store_figure_reported(f),
                           label ? label : "", 0) != 0) {
            fprintf(stderr, "huizong-aggregator: upstream: out of memory building %s %u\n", self->entity, year);
            submission_destroy(&s);
            free(figs);
            return NULL;
        }
    }
    free(figs);
    char err[512] = "";
    if (s->count == 0 || submission_validate(s, err, sizeof err) != 0) {
        if (s->count) fprintf(stderr, "huizong-aggregator: upstream: %s %u cannot be forwarded: %s\n",
                              self->entity, year, err);
        submission_destroy(&s);
        return NULL;
    }
    return s;
}

static void upstream_forward(upstream_t *self, year_t *y)
{
    y->dirty = 0;
    y->last_built_ms = clock_mono_ms();
    submission_t *s = upstream_build(self, y->year);
    if (!s) return;
    forward_t f;
    memset(&f, 0, sizeof f);
    upstream_digest(s, f.digest);
    const uint8_t *latest = y->has_waiting ? y->waiting.digest
                          : y->has_inflight ? y->inflight.digest
                          : y->has_sent ? y->sent : NULL;
    if (latest && !memcmp(latest, f.digest, UPSTREAM_DIGEST)) {
        self->stats.unchanged++;
        submission_destroy(&s);
        return;
    }
    snprintf(f.id, sizeof f.id, "%s", s->id);
    snprintf(f.name, sizeof f.name, "%s", s->id);
    f.facts = (uint32_t)s->count;
    char err[512] = "";
    submission_seal(s);   /* Submission.digest and the spool header: checked at every hop */
    if (wire_pack_submission(s, &f.payload, &f.len) != 0) {
        fprintf(stderr, "huizong-aggregator: upstream: cannot encode %s %u\n", self->entity, y->year);
        submission_destroy(&s);
        return;
    }
    spool_header_t h;
    spool_header_of(&h, s);
    submission_destroy(&s);
    if (spool_put_submission(&self->spool, f.name, &h, f.payload, f.len, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-aggregator: upstream: spool: %s (will retry)\n", err);
        free(f.payload);
        y->dirty = 1;
        return;
    }
    self->stats.built++;
    if (!y->has_inflight) {
        y->inflight = f;
        y->inflight.payload = NULL;
        y->has_inflight = 1;
        if (upstream_hand_over(self, &f, y->year, f.payload, f.len) != 0) y->has_inflight = 0;
        return;
    }
    if (y->has_waiting) {
        /* Superseded before it was ever sent: the newer figures replace it. */
        if (spool_remove(&self->spool, y->waiting.name, err, sizeof err) != 0)
            fprintf(stderr, "huizong-aggregator: upstream: %s\n", err);
        free(y->waiting.payload);
        self->stats.superseded++;
    }
    y->waiting = f;
    y->has_waiting = 1;
}

/* ---------------------------------------------------------------- start-up */

typedef struct {
    char name[SPOOL_NAME_MAX + 1];
    submission_t *s;
    uint8_t *buf;
    size_t len;
} pending_t;

/* Pending forwards of an earlier run: per year the newest is handed to the sender, older
 * ones are superseded and removed. */
static int upstream_reload(upstream_t *self, char *err, size_t errlen)
{
    spool_entry_t *entries = NULL;
    size_t n = 0;
    if (spool_list(&self->spool, &entries, &n, err, errlen) != 0) return -1;
    pending_t *best = calloc(n ? n : 1, sizeof *best);   /* indexed like years[] */
    if (!best) {
        free(entries);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char e2[512];
    for (size_t i = 0; i < n; i++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        spool_header_t h;
        int rc = spool_read_submission(&self->spool, entries[i].name, &h, &buf, &len, e2, sizeof e2);
        if (rc == -1) continue;
        /* Decoded at start-up only: the forward's digest is over its figures. */
        submission_t *s = rc == 0 ? wire_unpack_submission(buf, len, e2, sizeof e2) : NULL;
        if (!s || strcmp(s->entity, self->entity) != 0) {
            fprintf(stderr, "huizong-aggregator: upstream: %s in the spool is %s; moved to rejected/\n",
                    entries[i].name, s ? "for another entity" : "unreadable");
            spool_reject(&self->spool, entries[i].name, s ? "not for this aggregator's --as entity"
                                                            : "unreadable spool file", e2, sizeof e2);
            submission_destroy(&s);
            free(buf);
            continue;
        }
        year_t *y = upstream_year(self, s->year);
        if (!y) { submission_destroy(&s); free(buf); continue; }
        pending_t *b = &best[y - self->years];
        if (b->s && b->s->created_ms > s->created_ms) {
            spool_remove(&self->spool, entries[i].name, e2, sizeof e2);
            self->stats.superseded++;
            submission_destroy(&s);
            free(buf);
            continue;
        }
        if (b->s) {
            spool_remove(&self->spool, b->name, e2, sizeof e2);
            self->stats.superseded++;
            submission_destroy(&b->s);
            free(b->buf);
        }
        snprintf(b->name, sizeof b->name, "%s", entries[i].name);
        b->s = s;
        b->buf = buf;
        b->len = len;
    }
    free(entries);
    for (size_t i = 0; i < self->nyears; i++) {
        pending_t *b = &best[i];
        if (!b->s) continue;
        year_t *y = &self->years[i];
        memset(&y->inflight, 0, sizeof y->inflight);
        snprintf(y->inflight.name, sizeof y->inflight.name, "%s", b->name);
        snprintf(y->inflight.id, sizeof y->inflight.id, "%s", b->s->id);
        y->inflight.facts = (uint32_t)b->s->count;
        upstream_digest(b->s, y->inflight.digest);
        y->has_inflight = 1;
        if (upstream_hand_over(self, &y->inflight, y->year, b->buf, b->len) != 0) y->has_inflight = 0;
        submission_destroy(&b->s);
    }
    free(best);
    return 0;
}

/* Every year ENTITY has figures for is checked once against what the upstream has. */
static void upstream_scan_years(upstream_t *self)
{
    for (uint32_t year = UPSTREAM_YEAR_MIN; year <= UPSTREAM_YEAR_MAX; year++) {
        store_figure_t *figs = NULL;
        size_t n = 0;
        if (store_figures(self->store, self->entity, year, TABLE_NONE, &figs, &n) == 0 && n > 0) {
            year_t *y = upstream_year(self, year);
            if (y) y->dirty = 1;
        }
        free(figs);
    }
}

/* The forwarding sender's diagnostics: the aggregator logs on stderr. */
static void upstream_log_line(void *arg, const char *line)
{
    (void)arg;
    fprintf(stderr, "%s\n", line);
}

upstream_t *upstream_new(store_t *store, const upstream_opts_t *opts, char *err, size_t errlen)
{
    entity_t ent;
    if (!opts->endpoint || !opts->entity || !opts->spool_dir) {
        snprintf(err, errlen, "--upstream needs an endpoint, --as ENTITY and a spool directory");
        return NULL;
    }
    if (store_entity(store, opts->entity, &ent) != 0) {
        snprintf(err, errlen, "--as %s: not in the aggregator's hierarchy", opts->entity);
        return NULL;
    }
    if (ent.level == LEVEL_UNIT) {
        snprintf(err, errlen, "--as %s: a unit has nothing to consolidate; name a department or above",
                 opts->entity);
        return NULL;
    }
    if (!opts->insecure && !(opts->key_file && opts->server_key_file)) {
        snprintf(err, errlen, "--upstream needs --upstream-key FILE --upstream-server-key FILE "
                              "(CURVE), or --upstream-insecure explicitly");
        return NULL;
    }
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot be initialised");
        return NULL;
    }
    upstream_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    self->store = store;
    self->o = *opts;
    if (self->o.interval_ms <= 0) self->o.interval_ms = UPSTREAM_DEFAULT_INTERVAL_MS;
    snprintf(self->entity, sizeof self->entity, "%s", opts->entity);
    snprintf(self->endpoint, sizeof self->endpoint, "%s", opts->endpoint);
    if (spool_open(&self->spool, opts->spool_dir, err, errlen) != 0) goto fail;
    snprintf(self->sent_dir, sizeof self->sent_dir, "%s/sent", self->spool.dir);
    if (mkdir(self->sent_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", self->sent_dir, strerror(errno));
        goto fail;
    }
    if (!opts->insecure) {
        if (curve_client_load(&self->curve, opts->key_file, opts->server_key_file, err, errlen) != 0)
            goto fail;
        self->has_curve = 1;
    }
    sender_opts_t so;
    sender_opts_default(&so);
    so.who = "huizong-aggregator: upstream";
    so.log = upstream_log_line;
    so.window = 4;                  /* one forward per year in flight: a few years at most */
    so.curve = self->has_curve ? &self->curve : NULL;
    self->sender = sender_new(opts->endpoint, &so, upstream_done, self, err, errlen);
    if (!self->sender) goto fail;
    if (upstream_reload(self, err, errlen) != 0) goto fail;
    upstream_scan_years(self);
    for (size_t i = 0; i < self->nyears; i++) upstream_load_sent(self, &self->years[i]);
    fprintf(stderr, "huizong-aggregator: upstream: forwarding %s %s to %s%s (spool %s, every %d ms)\n",
            self->entity, ent.name, opts->endpoint, opts->insecure ? " WITHOUT CURVE" : " (CURVE)",
            self->spool.dir, self->o.interval_ms);
    return self;
fail:
    upstream_destroy(&self);
    return NULL;
}

void upstream_destroy(upstream_t **self_p)
{
    if (!self_p || !*self_p) return;
    upstream_t *self = *self_p;
    if (self->sender) {
        sender_abandon(self->sender);
        sender_destroy(&self->sender);
    }
    for (size_t i = 0; i < self->nyears; i++)
        if (self->years[i].has_waiting) free(self->years[i].waiting.payload);
    free(self->years);
    if (self->has_curve) curve_client_clear(&self->curve);
    free(self);
    *self_p = NULL;
}

/* Whether code is ENTITY or under it. */
static int upstream_under(upstream_t *self, const char *code)
{
    if (!strcmp(code, self->entity)) return 1;
    store_path_t path;
    if (store_ancestors(self->store, code, &path) != 0) return 0;
    for (size_t i = 1; i < path.count; i++)
        if (!strcmp(path.code[i], self->entity)) return 1;
    return 0;
}

void upstream_batch_committed(upstream_t *self, const store_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const store_item_t *it = &items[i];
        if (!it->submission || it->ack.status != ACK_ACCEPTED || it->ack.replayed) continue;
        year_t *y = upstream_year(self, it->submission->year);
        if (!y || y->dirty) continue;
        if (upstream_under(self, it->submission->entity)) y->dirty = 1;
    }
}

void upstream_tick(upstream_t *self)
{
    uint64_t now = clock_mono_ms();
    for (size_t i = 0; i < self->nyears; i++) {
        year_t *y = &self->years[i];
        if (y->dirty && now - y->last_built_ms >= (uint64_t)self->o.interval_ms)
            upstream_forward(self, y);
    }
    if (sender_outstanding(self->sender) > 0) {
        if (sender_poll(self->sender, 1) != 0)
            fprintf(stderr, "huizong-aggregator: upstream: sender error; will retry\n");
        upstream_promote(self);
    }
}

void upstream_stats(const upstream_t *self, upstream_stats_t *out)
{
    *out = self->stats;
    out->outstanding = self->sender ? sender_outstanding(self->sender) : 0;
}

int upstream_opts_check(upstream_opts_t *up, const char *db, char *spool, size_t spoollen)
{
    int any = up->entity || up->key_file || up->server_key_file || up->insecure || up->spool_dir;
    if (!up->endpoint) {
        if (any) fprintf(stderr, "huizong-aggregator: --as and the --upstream-* options need --upstream ENDPOINT\n");
        return any ? -1 : 0;
    }
    if (!up->entity) {
        fprintf(stderr, "huizong-aggregator: --upstream needs --as ENTITY (the node this aggregator consolidates)\n");
        return -1;
    }
    int curve = up->key_file || up->server_key_file;
    if (up->insecure == curve || (curve && !(up->key_file && up->server_key_file))) {
        fprintf(stderr, "huizong-aggregator: --upstream needs either --upstream-key FILE and "
                        "--upstream-server-key FILE (CURVE) or --upstream-insecure\n");
        return -1;
    }
    if (!up->spool_dir) {
        snprintf(spool, spoollen, "%s/upstream-spool", db);
        up->spool_dir = spool;
    }
    return 0;
}
