/* bindings.c -- what a submission id is bound to (issue 10, finding 1): the DB_SUBIDS
 * record that keeps, with the ack sent for an id, the authenticated key that sent it, its
 * entity, year and content digest (core/digest.h).
 *
 * Why: an id is chosen by its collector, travels in the clear on the event feed and in
 * logs, and is the key under which the store replays an ack. Without a binding, anyone who
 * knows an id gets that ack back (figures, flags, arithmetic). With it, an ack is replayed
 * only to the same key, for the same entity, year and content -- exactly the resend the
 * id exists for; anything else is refused without a word of the stored ack.
 *
 * Record (DB_SUBIDS value), version 1:
 *   0xFF 'H' 'Z' 'B' (4)  version (1)  digest (32)  year (4, big-endian)
 *   sender length (1)  sender (Z85 key, "" without CURVE)  entity length (1)  entity
 *   the packed Ack
 * A record that does not start with the magic was written before bindings existed: the bare
 * packed Ack (its first byte is a protobuf tag, never 0xFF). It is bound by the entity and
 * year its ack names only (binding_t.legacy).
 */
#include "store_int.h"

#include <sodium.h>
#include <stdlib.h>

#include "digest.h"

#define BINDING_MAGIC "\xFFHZB"
#define BINDING_MAGIC_LEN 4
#define BINDING_VERSION 1
#define BINDING_FIXED (BINDING_MAGIC_LEN + 1 + SUBMISSION_DIGEST_LEN + 4)

_Static_assert(STORE_SENDER_MAX <= 255 && SUBMISSION_ENTITY_MAX <= 255, "one length byte each");

void binding_of(binding_t *b, const store_item_t *it, const uint8_t digest[SUBMISSION_DIGEST_LEN])
{
    memset(b, 0, sizeof *b);
    snprintf(b->sender, sizeof b->sender, "%s", it->sender);
    snprintf(b->entity, sizeof b->entity, "%s", it->submission->entity);
    b->year = it->submission->year;
    memcpy(b->digest, digest, SUBMISSION_DIGEST_LEN);
}

int binding_encode(const binding_t *b, const uint8_t *ack, size_t acklen, uint8_t **out, size_t *outlen)
{
    size_t sl = strlen(b->sender), el = strlen(b->entity);
    size_t n = BINDING_FIXED + 1 + sl + 1 + el + acklen;
    uint8_t *p = malloc(n);
    if (!p) return -1;
    memcpy(p, BINDING_MAGIC, BINDING_MAGIC_LEN);
    p[BINDING_MAGIC_LEN] = BINDING_VERSION;
    memcpy(p + BINDING_MAGIC_LEN + 1, b->digest, SUBMISSION_DIGEST_LEN);
    be32_put(p + BINDING_MAGIC_LEN + 1 + SUBMISSION_DIGEST_LEN, b->year);
    size_t o = BINDING_FIXED;
    p[o++] = (uint8_t)sl;
    memcpy(p + o, b->sender, sl);
    o += sl;
    p[o++] = (uint8_t)el;
    memcpy(p + o, b->entity, el);
    o += el;
    memcpy(p + o, ack, acklen);
    *out = p;
    *outlen = n;
    return 0;
}

/* A length-prefixed text field at v[*o] into out (cap bytes with its NUL). */
static int s_text(const uint8_t *v, size_t n, size_t *o, char *out, size_t cap)
{
    if (*o >= n) return -1;
    size_t l = v[(*o)++];
    if (l >= cap || *o + l > n) return -1;
    memcpy(out, v + *o, l);
    out[l] = '\0';
    *o += l;
    return 0;
}

int binding_decode(const uint8_t *v, size_t n, binding_t *b, const uint8_t **ack, size_t *acklen)
{
    memset(b, 0, sizeof *b);
    if (n < BINDING_MAGIC_LEN || memcmp(v, BINDING_MAGIC, BINDING_MAGIC_LEN) != 0) {
        b->legacy = 1;
        *ack = v;
        *acklen = n;
        return 0;
    }
    if (n < BINDING_FIXED || v[BINDING_MAGIC_LEN] != BINDING_VERSION) return -1;
    memcpy(b->digest, v + BINDING_MAGIC_LEN + 1, SUBMISSION_DIGEST_LEN);
    b->year = be32_get(v + BINDING_MAGIC_LEN + 1 + SUBMISSION_DIGEST_LEN);
    size_t o = BINDING_FIXED;
    if (s_text(v, n, &o, b->sender, sizeof b->sender) ||
        s_text(v, n, &o, b->entity, sizeof b->entity))
        return -1;
    *ack = v + o;
    *acklen = n - o;
    return 0;
}

int binding_matches(const binding_t *stored, const binding_t *incoming)
{
    if (strcmp(stored->entity, incoming->entity) != 0 || stored->year != incoming->year) return 0;
    if (stored->legacy) return 1;   /* entity and year are all an old record can tell */
    return strcmp(stored->sender, incoming->sender) == 0 &&
           sodium_memcmp(stored->digest, incoming->digest, SUBMISSION_DIGEST_LEN) == 0;
}

int binding_get(store_t *s, MDB_txn *txn, const char *id, binding_t *b)
{
    MDB_val k = { strlen(id), (void *)id }, v;
    int rc = mdb_get(txn, s->dbi[DB_SUBIDS], &k, &v);
    if (rc) return rc;
    const uint8_t *ack;
    size_t acklen;
    return binding_decode(v.mv_data, v.mv_size, b, &ack, &acklen) ? MDB_CORRUPTED : 0;
}

void binding_version_digest(store_t *s, MDB_txn *txn, store_version_t *v)
{
    binding_t b;
    if (v->submission_id[0] && binding_get(s, txn, v->submission_id, &b) == 0 && !b.legacy) {
        memcpy(v->digest, b.digest, SUBMISSION_DIGEST_LEN);
        v->has_digest = 1;
    }
}
