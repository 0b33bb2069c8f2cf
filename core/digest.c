/* digest.c -- the content digest of a submission (see digest.h for the canonical form).
 *
 * Invariant: the bytes hashed depend only on what digest.h lists, never on the order the
 * facts were read or on a field's length in memory: every text field is written at its
 * fixed width, so no two different submissions have the same canonical bytes.
 */
#include "digest.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DIGEST_DOMAIN "HZDIGEST1\n"
#define DIGEST_DOMAIN_LEN 10

_Static_assert(sizeof DIGEST_DOMAIN - 1 == DIGEST_DOMAIN_LEN, "domain prefix length");
_Static_assert(SUBMISSION_DIGEST_LEN >= crypto_generichash_BYTES_MIN &&
               SUBMISSION_DIGEST_LEN <= crypto_generichash_BYTES_MAX, "a BLAKE2b output length");

static void s_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* A text field at its fixed width: the bytes, then NULs. A longer string cannot reach here
 * (submission_validate bounds it); it is cut at the width rather than overrun. */
static void s_fixed(crypto_generichash_state *st, const char *s, size_t width)
{
    uint8_t buf[SUBMISSION_ENTITY_MAX + SUBMISSION_ROW_MAX + 2] = { 0 };
    assert(width <= sizeof buf);
    size_t n = s ? strnlen(s, width) : 0;
    if (n) memcpy(buf, s, n);
    crypto_generichash_update(st, buf, width);
}

/* The canonical bytes of one fact: table, column, row at its fixed width, fen. */
#define DIGEST_FACT_LEN (2 + SUBMISSION_ROW_MAX + 1 + 8)
/* Facts are hashed through a buffer of this many, one update per buffer instead of three
 * per fact: BLAKE2b's result depends only on the bytes, not on how they are split. */
#define DIGEST_FACTS_PER_UPDATE 64

static void s_be64(uint8_t *p, uint64_t v)
{
    for (int b = 0; b < 8; b++) p[b] = (uint8_t)(v >> (56 - 8 * b));
}

/* Writes f's canonical bytes at p: table (1), column (1), the row NUL-padded to row_width
 * (<= SUBMISSION_ROW_MAX + 1; a longer row cannot reach here, it was validated, and is cut
 * at the width rather than overrun), fen (8, big-endian two's complement). Returns the
 * length written. */
static size_t s_fact_bytes(uint8_t *p, const fact_t *f, size_t row_width)
{
    assert(row_width <= SUBMISSION_ROW_MAX + 1);
    p[0] = (uint8_t)f->table;
    p[1] = (uint8_t)f->column;
    size_t n = f->row ? strnlen(f->row, row_width) : 0;
    if (n) memcpy(p + 2, f->row, n);
    memset(p + 2 + n, 0, row_width - n);
    s_be64(p + 2 + row_width, (uint64_t)f->fen);
    return 2 + row_width + 8;
}

void submission_digest(submission_t *s, uint8_t out[SUBMISSION_DIGEST_LEN])
{
    assert(s && out);
    if (sodium_init() < 0) abort();
    submission_sort(s);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, SUBMISSION_DIGEST_LEN);
    crypto_generichash_update(&st, (const uint8_t *)DIGEST_DOMAIN, DIGEST_DOMAIN_LEN);
    s_fixed(&st, s->entity, SUBMISSION_ENTITY_MAX + 1);
    uint8_t head[9];
    s_be32(head, s->year);
    head[4] = (uint8_t)s->scope;
    s_be32(head + 5, (uint32_t)s->count);
    crypto_generichash_update(&st, head, sizeof head);
    uint8_t buf[DIGEST_FACTS_PER_UPDATE * DIGEST_FACT_LEN];
    size_t used = 0;
    for (size_t i = 0; i < s->count; i++) {
        used += s_fact_bytes(buf + used, &s->facts[i], SUBMISSION_ROW_MAX + 1);
        if (used == sizeof buf) {
            crypto_generichash_update(&st, buf, used);
            used = 0;
        }
    }
    if (used) crypto_generichash_update(&st, buf, used);
    crypto_generichash_final(&st, out, SUBMISSION_DIGEST_LEN);
}

void digest_update_fact(crypto_generichash_state *st, const fact_t *f, size_t row_width)
{
    uint8_t buf[DIGEST_FACT_LEN];
    if (row_width) {
        crypto_generichash_update(st, buf, s_fact_bytes(buf, f, row_width));
        return;
    }
    /* the forward digest: table, column, the row and its NUL, fen */
    uint8_t tc[2] = { (uint8_t)f->table, (uint8_t)f->column };
    crypto_generichash_update(st, tc, sizeof tc);
    crypto_generichash_update(st, (const uint8_t *)f->row, strlen(f->row) + 1);
    s_be64(buf, (uint64_t)f->fen);
    crypto_generichash_update(st, buf, 8);
}

void submission_seal(submission_t *s)
{
    submission_digest(s, s->digest);
    s->has_digest = 1;
}

int submission_digest_ok(submission_t *s)
{
    if (!s->has_digest) return 0;
    uint8_t d[SUBMISSION_DIGEST_LEN];
    submission_digest(s, d);
    return sodium_memcmp(d, s->digest, SUBMISSION_DIGEST_LEN) == 0;
}

void digest_hex(const uint8_t d[SUBMISSION_DIGEST_LEN], char out[DIGEST_HEX_LEN + 1])
{
    sodium_bin2hex(out, DIGEST_HEX_LEN + 1, d, SUBMISSION_DIGEST_LEN);
}

int digest_is_zero(const uint8_t d[SUBMISSION_DIGEST_LEN])
{
    for (size_t i = 0; i < SUBMISSION_DIGEST_LEN; i++)
        if (d[i]) return 0;
    return 1;
}
