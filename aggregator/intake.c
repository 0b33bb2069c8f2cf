/* intake.c -- decode, validate and check one received submission (see intake.h).
 *
 * Invariants: every message that arrives gets exactly one entry and so exactly one ack
 * (unless the store fails the whole batch, in which case none of its store items is
 * acked and the collectors retry). Work that does not need the write transaction --
 * protobuf decoding, structural validation, the submission rules -- happens here, before
 * the transaction, so the single writer holds its lock only for the store's own work.
 */
#include "intake.h"

#include "digest.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "review.h"

#include "huizong.pb-c.h"

int intake_batch_init(intake_batch_t *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->entries = calloc(cap, sizeof *b->entries);
    b->items = calloc(cap, sizeof *b->items);
    if (!b->entries || !b->items) {
        free(b->entries);
        free(b->items);
        return -1;
    }
    b->cap = cap;
    b->items_cap = cap;
    return 0;
}

void intake_batch_reset(intake_batch_t *b)
{
    for (size_t i = 0; i < b->count; i++) ack_clear(&b->entries[i].ack);
    for (size_t i = 0; i < b->nitems; i++) {
        store_item_t *it = &b->items[i];
        submission_destroy(&it->submission);
        findings_clear(&it->findings);
        ack_clear(&it->ack);
    }
    b->count = b->nitems = 0;
    b->groups = 0;
}

void intake_batch_free(intake_batch_t *b)
{
    intake_batch_reset(b);
    free(b->entries);
    free(b->items);
    memset(b, 0, sizeof *b);
}

/* A submission that fails validation is still answered under its own id when the id can
 * be read, so its collector can file it as rejected instead of retrying it forever. Only
 * the id is taken, and only if it is short printable ASCII. */
static void intake_salvage_id(const uint8_t *payload, size_t len, char out[SUBMISSION_ID_MAX + 1])
{
    out[0] = '\0';
    Huizong__Submission *m = huizong__submission__unpack(NULL, len, payload);
    if (!m) return;
    const char *id = m->id ? m->id : "";
    size_t n = strlen(id);
    int ok = n > 0 && n <= SUBMISSION_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        if (id[i] <= 0x20 || id[i] >= 0x7f) ok = 0;
    if (ok) memcpy(out, id, n + 1);
    huizong__submission__free_unpacked(m, NULL);
}

static void intake_reject(ack_t *ack, const char *reason)
{
    ack->status = ACK_REJECTED;
    /* Cut to the ack's field on purpose: a reason is a sentence, not a payload. */
    snprintf(ack->reason, sizeof ack->reason, "%.*s", (int)sizeof ack->reason - 1, reason);
}

/* Room for n more store items (a file brings several). 0 or -1. */
static int intake_reserve(intake_batch_t *b, size_t n)
{
    if (b->nitems + n <= b->items_cap) return 0;
    size_t cap = b->items_cap ? b->items_cap : 16;
    while (cap < b->nitems + n) cap *= 2;
    store_item_t *items = realloc(b->items, cap * sizeof *items);
    if (!items) return -1;
    b->items = items;
    b->items_cap = cap;
    return 0;
}

/* Whether submission s may go to the store: its digest, the key's authorisation for its
 * entity, the entity known, the rules run (into *findings). 0, or -1 with the refusal in
 * reason. */
static int intake_admit(intake_batch_t *b, const paths_t *paths, const rule_settings_t *settings,
                        const char *user_id, submission_t *s, findings_t *findings,
                        char *reason, size_t reasonlen)
{
    /* Integrity end to end: the digest the collector computed when it read the file must be
     * the digest of what arrived (a submission without one is from an older collector: the
     * store computes and keeps its digest all the same). */
    if (s->has_digest && !submission_digest_ok(s)) {
        char hex[DIGEST_HEX_LEN + 1];
        digest_hex(s->digest, hex);
        snprintf(reason, reasonlen, "digest mismatch: the figures received for %s %u are not "
                 "the figures its collector read (sent digest %.16s…); nothing stored",
                 s->entity, s->year, hex);
        return -1;
    }
    /* Per-entity authorisation, on the key the CURVE handshake authenticated (never on
     * the routing id), against the authorisation file in force now: a key revoked by a
     * reload is refused here even on a connection it opened before. */
    /* The entity is looked up once (with its ancestors, for the authorisation). */
    store_path_t path;
    int known = paths_resolve(paths, s->entity, &path) == 0;
    if (b->auth && !auth_allows_path(b->auth, user_id, s->entity, known ? &path : NULL)) {
        auth_refusal(b->auth, user_id, s->entity, reason, reasonlen);
        return -1;
    }
    if (!known) {
        snprintf(reason, reasonlen, STORE_UNKNOWN_ENTITY, s->entity);
        return -1;
    }
    findings_init(findings);
    if (rules_check_entity(s, path.level, settings, findings) != 0) {
        /* A rule engine failure is ours, not the collector's data: say so plainly. */
        findings_clear(findings);
        snprintf(reason, reasonlen, "aggregator error: the rule engine failed on this submission");
        return -1;
    }
    return 0;
}

/* Another part of its file was refused: the wording every other part's ack carries. */
static void intake_part_refused(ack_t *a, const submission_t *bad, const char *why)
{
    a->status = ACK_REJECTED;
    snprintf(a->reason, sizeof a->reason, "not stored: its file is applied whole, and %s %u of it "
             "was refused: %.380s", bad->entity, bad->year, why);
}

/* The top line of a refused file's ack: which part and why. */
static void intake_file_refused(ack_t *ack, const submission_group_t *g, const submission_t *bad,
                                const char *why)
{
    ack->status = ACK_REJECTED;
    snprintf(ack->reason, sizeof ack->reason, "file %.100s refused whole (nothing of it stored): %s %u: %.300s",
             g->source[0] ? g->source : g->id, bad->entity, bad->year, why);
}

/* A file of several parts: every part admitted, or the whole file refused here with an ack
 * per part. On success its parts become adjacent store items of one group. */
static void intake_add_group(intake_batch_t *b, intake_entry_t *e, const paths_t *paths,
                             const rule_settings_t *settings, submission_group_t *g)
{
    snprintf(e->ack.submission_id, sizeof e->ack.submission_id, "%s", g->id);
    snprintf(e->ack.entity, sizeof e->ack.entity, "%s", GROUP_ENTITY);
    e->ack.fact_count = (uint32_t)group_facts(g);
    e->group = 1;
    char reason[600] = "";
    size_t bad = g->count;
    findings_t *found = calloc(g->count, sizeof *found);
    if (!found || intake_reserve(b, g->count) != 0) {
        free(found);
        intake_reject(&e->ack, "aggregator error: out of memory for this file");
        group_destroy(&g);
        return;
    }
    if (g->has_digest) {
        uint8_t d[SUBMISSION_DIGEST_LEN];
        int members_sealed = 1;
        for (size_t i = 0; i < g->count; i++) members_sealed &= g->members[i]->has_digest;
        if (members_sealed) group_digest(g, d);
        if (!members_sealed || memcmp(d, g->digest, SUBMISSION_DIGEST_LEN) != 0) {
            bad = 0;
            snprintf(reason, sizeof reason, "digest mismatch: the parts received are not the parts "
                     "of the file its collector read");
        }
    }
    for (size_t i = 0; i < g->count && bad == g->count; i++)
        if (intake_admit(b, paths, settings, e->user_id, g->members[i], &found[i], reason, sizeof reason))
            bad = i;
    if (bad < g->count) {
        for (size_t i = 0; i < g->count; i++) {
            findings_clear(&found[i]);
            ack_t *a = ack_add_member(&e->ack);
            if (!a) break;
            ack_identify(a, g->members[i]);
            if (i == bad) intake_reject(a, reason);
            else intake_part_refused(a, g->members[bad], reason);
        }
        intake_file_refused(&e->ack, g, g->members[bad], reason);
        free(found);
        group_destroy(&g);
        return;
    }
    size_t group = ++b->groups;
    e->item = (long)b->nitems;
    for (size_t i = 0; i < g->count; i++) {
        store_item_t *it = &b->items[b->nitems++];
        memset(it, 0, sizeof *it);
        it->submission = g->members[i];
        g->members[i] = NULL;
        it->findings = found[i];
        snprintf(it->sender, sizeof it->sender, "%s", e->user_id);
        it->group = group;
        ack_init(&it->ack);
    }
    e->nitems = g->count;
    g->count = 0;
    free(found);
    group_destroy(&g);
}

void intake_add(intake_batch_t *b, const paths_t *paths, const rule_settings_t *settings,
                const uint8_t *routing, size_t routing_len, int delimiter, const char *user_id,
                const uint8_t *payload, size_t len, const char *reject_reason)
{
    intake_add_release(b, paths, settings, routing, routing_len, delimiter, user_id, payload,
                       len, reject_reason, NULL, NULL);
}

/* Hands the payload back once (intake_add_release). */
static void intake_release(intake_release_fn **release, void *arg)
{
    if (*release) (*release)(arg);
    *release = NULL;
}

void intake_add_release(intake_batch_t *b, const paths_t *paths, const rule_settings_t *settings,
                        const uint8_t *routing, size_t routing_len, int delimiter,
                        const char *user_id, const uint8_t *payload, size_t len,
                        const char *reject_reason, intake_release_fn *release, void *release_arg)
{
    if (b->count == b->cap) {         /* the server never drains more than cap */
        intake_release(&release, release_arg);
        return;
    }
    intake_entry_t *e = &b->entries[b->count++];
    if (routing_len > sizeof e->routing) routing_len = sizeof e->routing;
    memcpy(e->routing, routing, routing_len);
    e->routing_len = routing_len;
    e->delimiter = delimiter;
    snprintf(e->user_id, sizeof e->user_id, "%s", user_id ? user_id : "");
    e->item = -1;
    e->nitems = 0;
    e->group = 0;
    e->bytes = len;
    ack_init(&e->ack);

    if (!payload) {
        intake_release(&release, release_arg);
        intake_reject(&e->ack, reject_reason ? reject_reason : "malformed message");
        return;
    }
    char err[512] = "";
    submission_t *s = NULL;
    submission_group_t *g = NULL;
    if (wire_unpack_message(payload, len, &s, &g, err, sizeof err) != 0) {
        char reason[600];
        snprintf(reason, sizeof reason, "malformed submission: %s", err[0] ? err : "cannot decode");
        intake_salvage_id(payload, len, e->ack.submission_id);
        intake_release(&release, release_arg);
        intake_reject(&e->ack, reason);
        return;
    }
    /* decoded: everything below reads the submission, never the message */
    intake_release(&release, release_arg);
    payload = NULL;
    if (g) {
        intake_add_group(b, e, paths, settings, g);
        return;
    }
    ack_identify(&e->ack, s);
    if (intake_reserve(b, 1) != 0) {
        intake_reject(&e->ack, "aggregator error: out of memory for this submission");
        submission_destroy(&s);
        return;
    }
    store_item_t *it = &b->items[b->nitems];
    memset(it, 0, sizeof *it);
    char reason[600];
    if (intake_admit(b, paths, settings, e->user_id, s, &it->findings, reason, sizeof reason)) {
        intake_reject(&e->ack, reason);
        submission_destroy(&s);
        return;
    }
    it->submission = s;
    snprintf(it->sender, sizeof it->sender, "%s", e->user_id);
    ack_init(&it->ack);
    e->item = (long)b->nitems++;
    e->nitems = 1;
}

/* ---- received messages ---- */

int intake_msg_recv(void *socket, intake_msg_t *m)
{
    m->n = m->extra = 0;
    m->bytes = 0;
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, socket, ZMQ_DONTWAIT) < 0) {
            int e = errno;
            zmq_msg_close(&part);
            intake_msg_close(m);
            if (e == EAGAIN || e == EINTR) return 0;
            fprintf(stderr, "huizong-aggregator: receive: %s\n", zmq_strerror(e));
            return -1;
        }
        int more = zmq_msg_more(&part);
        m->bytes += zmq_msg_size(&part);
        if (m->n < INTAKE_MAX_FRAMES) {
            zmq_msg_init(&m->frames[m->n]);
            zmq_msg_move(&m->frames[m->n++], &part);
        } else {
            m->extra++;
        }
        zmq_msg_close(&part);
        if (!more) break;
    }
    return 1;
}

void intake_msg_move(intake_msg_t *dst, intake_msg_t *src)
{
    dst->n = src->n;
    dst->extra = src->extra;
    dst->bytes = src->bytes;
    for (int i = 0; i < src->n; i++) {
        zmq_msg_init(&dst->frames[i]);
        zmq_msg_move(&dst->frames[i], &src->frames[i]);
        zmq_msg_close(&src->frames[i]);
    }
    src->n = src->extra = 0;
    src->bytes = 0;
}

void intake_msg_close(intake_msg_t *m)
{
    for (int i = 0; i < m->n; i++) zmq_msg_close(&m->frames[i]);
    m->n = 0;
}

int intake_msg_is_review(const intake_msg_t *m)
{
    zmq_msg_t *f = (zmq_msg_t *)m->frames;      /* libzmq's accessors take non-const */
    return !m->extra && m->n == 3 && review_is_message(zmq_msg_data(&f[1]), zmq_msg_size(&f[1]));
}

/* intake_add_release's hook: the payload frame is freed as soon as it is decoded (a large
 * message is not held while its decoded copy is checked); left empty, so closing it again
 * with the other frames is harmless. */
static void s_release_frame(void *arg)
{
    zmq_msg_t *frame = arg;
    zmq_msg_close(frame);
    zmq_msg_init(frame);
}

void intake_add_msg(intake_batch_t *b, const paths_t *paths, const rule_settings_t *settings,
                    intake_msg_t *m)
{
    zmq_msg_t *frames = m->frames;
    int n = m->n, extra = m->extra;
    assert(n >= 1 && !intake_msg_is_review(m));
    const uint8_t *rid = zmq_msg_data(&frames[0]);
    size_t rid_len = zmq_msg_size(&frames[0]);
    /* With CURVE + ZAP, libzmq stamps every message with the authenticated key. */
    const char *uid = zmq_msg_gets(&frames[n - 1], "User-Id");
    char reason[128];
    if (extra || n == 1) {
        snprintf(reason, sizeof reason, "expected one frame holding a packed Submission, got %d",
                 n - 1 + extra);
        intake_add(b, paths, settings, rid, rid_len, 0, uid, NULL, 0, reason);
    } else if (n == 3 && zmq_msg_size(&frames[1]) != 0) {
        snprintf(reason, sizeof reason, "expected one frame holding a packed Submission, got 2");
        intake_add(b, paths, settings, rid, rid_len, 0, uid, NULL, 0, reason);
    } else {
        zmq_msg_t *payload = &frames[n - 1];
        intake_add_release(b, paths, settings, rid, rid_len, n == 3, uid, zmq_msg_data(payload),
                           zmq_msg_size(payload), NULL, s_release_frame, payload);
    }
    intake_msg_close(m);
}

const ack_t *intake_ack(const intake_batch_t *b, size_t i)
{
    const intake_entry_t *e = &b->entries[i];
    return e->item < 0 || e->group ? &e->ack : &b->items[e->item].ack;
}

/* The store fills acks from its transaction; fill what it left empty from the entry so
 * the collector can always match the ack and print the line. */
static void intake_complete_ack(store_item_t *it)
{
    ack_identify(&it->ack, it->submission);
}

/* dst = a copy of src (flags copied; src has no members). 0 or -1. */
static int intake_copy_ack(ack_t *dst, const ack_t *src)
{
    *dst = *src;
    findings_init(&dst->flags);
    dst->members = NULL;
    dst->nmembers = 0;
    for (size_t j = 0; j < src->flags.count; j++)
        if (!findings_push(&dst->flags, &src->flags.items[j])) return -1;
    return 0;
}

/* The ack of a file whose parts went to the store: one member per part, ACCEPTED only if
 * all were; otherwise its reason names the part refused and why. */
static void intake_group_ack(intake_batch_t *b, intake_entry_t *e)
{
    int all_accepted = 1, all_replayed = 1;
    const store_item_t *root = NULL;
    for (size_t k = 0; k < e->nitems; k++) {
        const store_item_t *it = &b->items[e->item + (long)k];
        ack_t *a = ack_add_member(&e->ack);
        if (!a || intake_copy_ack(a, &it->ack) != 0) {
            intake_reject(&e->ack, "aggregator error: out of memory for the ack of this file");
            return;
        }
        all_accepted &= it->ack.status == ACK_ACCEPTED;
        all_replayed &= it->ack.replayed;
        if (it->ack.status == ACK_REJECTED && !root &&
            strncmp(it->ack.reason, "not stored: its file", 20) != 0)
            root = it;
    }
    e->ack.status = all_accepted ? ACK_ACCEPTED : ACK_REJECTED;
    e->ack.replayed = all_accepted && all_replayed;
    if (!all_accepted) {
        const store_item_t *why = root ? root : &b->items[e->item];
        snprintf(e->ack.reason, sizeof e->ack.reason, "file refused whole (nothing of it stored): "
                 "%s %u: %.400s", why->submission->entity, why->submission->year, why->ack.reason);
    }
}

void intake_committed(intake_batch_t *b)
{
    for (size_t i = 0; i < b->nitems; i++) intake_complete_ack(&b->items[i]);
    for (size_t i = 0; i < b->count; i++)
        if (b->entries[i].group && b->entries[i].item >= 0) intake_group_ack(b, &b->entries[i]);
}

void intake_log(const intake_batch_t *b, size_t i, int committed)
{
    const intake_entry_t *e = &b->entries[i];
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

    if (e->item >= 0 && !committed) {
        for (size_t k = 0; k < e->nitems; k++) {
            const submission_t *s = b->items[e->item + (long)k].submission;
            fprintf(stderr, "%s %s %u id=%s facts=%zu NOT STORED (store failed; no ack, collector retries)\n",
                    stamp, s->entity, s->year, s->id, s->count);
        }
        return;
    }
    const ack_t *top = intake_ack(b, i);
    for (size_t k = 0; k <= top->nmembers; k++) {   /* a file: one line per part, then its own */
    const ack_t *a = k < top->nmembers ? &top->members[k] : top;
    const char *entity = a->entity[0] ? a->entity : "-";
    const char *id = a->submission_id[0] ? a->submission_id : "-";
    if (a->status == ACK_ACCEPTED) {
        unsigned ne, nw, ni;
        findings_count(&a->flags, &ne, &nw, &ni);
        fprintf(stderr, "%s %s %u id=%s facts=%u ACCEPTED v%u%s flags E%u W%u I%u\n",
                stamp, entity, a->year, id, a->fact_count, a->version,
                a->replayed ? " (replayed)" : "", ne, nw, ni);
    } else {
        fprintf(stderr, "%s %s %u id=%s facts=%u bytes=%zu REJECTED%s: %s\n",
                stamp, entity, a->year, id, a->fact_count, e->bytes,
                a->replayed ? " (replayed)" : "", a->reason);
    }
    }
}
