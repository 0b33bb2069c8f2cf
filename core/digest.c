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
    for (size_t i = 0; i < s->count; i++) digest_update_fact(&st, &s->facts[i], SUBMISSION_ROW_MAX + 1);
    crypto_generichash_final(&st, out, SUBMISSION_DIGEST_LEN);
}

void digest_update_fact(crypto_generichash_state *st, const fact_t *f, size_t row_width)
{
    uint8_t tc[2] = { (uint8_t)f->table, (uint8_t)f->column }, fen[8];
    uint64_t v = (uint64_t)f->fen;
    for (int b = 0; b < 8; b++) fen[b] = (uint8_t)(v >> (56 - 8 * b));
    crypto_generichash_update(st, tc, sizeof tc);
    if (row_width) s_fixed(st, f->row, row_width);
    else crypto_generichash_update(st, (const uint8_t *)f->row, strlen(f->row) + 1);
    crypto_generichash_update(st, fen, sizeof fen);
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
