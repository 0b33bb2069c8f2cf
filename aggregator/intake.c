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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

void intake_add(intake_batch_t *b, store_t *store, const rule_settings_t *settings,
                const uint8_t *routing, size_t routing_len, int delimiter, const char *user_id,
                const uint8_t *payload, size_t len, const char *reject_reason)
{
    if (b->count == b->cap) return;   /* the server never drains more than cap */
    intake_entry_t *e = &b->entries[b->count++];
    if (routing_len > sizeof e->routing) routing_len = sizeof e->routing;
    memcpy(e->routing, routing, routing_len);
    e->routing_len = routing_len;
    e->delimiter = delimiter;
    snprintf(e->user_id, sizeof e->user_id, "%s", user_id ? user_id : "");
    e->item = -1;
    e->bytes = len;
    ack_init(&e->ack);

    if (!payload) {
        intake_reject(&e->ack, reject_reason ? reject_reason : "malformed message");
        return;
    }
    char err[512] = "";
    submission_t *s = wire_unpack_submission(payload, len, err, sizeof err);
    if (!s) {
        char reason[600];
        snprintf(reason, sizeof reason, "malformed submission: %s", err[0] ? err : "cannot decode");
        intake_salvage_id(payload, len, e->ack.submission_id);
        intake_reject(&e->ack, reason);
        return;
    }
    ack_identify(&e->ack, s);
    /* Integrity end to end: the digest the collector computed when it read the file must be
     * the digest of what arrived (a submission without one is from an older collector: the
     * store computes and keeps its digest all the same). */
    if (s->has_digest && !submission_digest_ok(s)) {
        char hex[DIGEST_HEX_LEN + 1];
        digest_hex(s->digest, hex);
        char reason[300];
        snprintf(reason, sizeof reason, "digest mismatch: the figures received for %s %u are not "
                 "the figures its collector read (sent digest %.16s…); nothing stored",
                 s->entity, s->year, hex);
        intake_reject(&e->ack, reason);
        submission_destroy(&s);
        return;
    }

    /* Per-entity authorisation, on the key the CURVE handshake authenticated (never on
     * the routing id), against the authorisation file in force now: a key revoked by a
     * reload is refused here even on a connection it opened before. */
    /* The entity is looked up once (with its ancestors, for the authorisation). */
    store_path_t path;
    int known = store_ancestors(store, s->entity, &path) == 0;
    if (b->auth && !auth_allows_path(b->auth, e->user_id, s->entity, known ? &path : NULL)) {
        char reason[300];
        auth_refusal(b->auth, e->user_id, s->entity, reason, sizeof reason);
        intake_reject(&e->ack, reason);
        submission_destroy(&s);
        return;
    }
    if (!known) {
        char reason[160];
        snprintf(reason, sizeof reason, STORE_UNKNOWN_ENTITY, s->entity);
        intake_reject(&e->ack, reason);
        submission_destroy(&s);
        return;
    }

    store_item_t *it = &b->items[b->nitems];
    memset(it, 0, sizeof *it);
    it->submission = s;
    snprintf(it->sender, sizeof it->sender, "%s", e->user_id);
    findings_init(&it->findings);
    ack_init(&it->ack);
    if (rules_check(s, settings, &it->findings) != 0) {
        /* A rule engine failure is ours, not the collector's data: say so plainly. */
        findings_clear(&it->findings);
        submission_destroy(&it->submission);
        intake_reject(&e->ack, "aggregator error: the rule engine failed on this submission");
        return;
    }
    e->item = (long)b->nitems++;
}

const ack_t *intake_ack(const intake_batch_t *b, size_t i)
{
    const intake_entry_t *e = &b->entries[i];
    return e->item < 0 ? &e->ack : &b->items[e->item].ack;
}

/* The store fills acks from its transaction; fill what it left empty from the entry so
 * the collector can always match the ack and print the line. */
static void intake_complete_ack(store_item_t *it)
{
    ack_identify(&it->ack, it->submission);
}

void intake_committed(intake_batch_t *b)
{
    for (size_t i = 0; i < b->nitems; i++) intake_complete_ack(&b->items[i]);
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
        const submission_t *s = b->items[e->item].submission;
        fprintf(stderr, "%s %s %u id=%s facts=%zu NOT STORED (store failed; no ack, collector retries)\n",
                stamp, s->entity, s->year, s->id, s->count);
        return;
    }
    const ack_t *a = intake_ack(b, i);
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
