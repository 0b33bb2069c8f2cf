/* group.c -- the submissions of one input file as one unit (see group.h). */
#include "group.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "digest.h"

submission_group_t *group_new(const char *source)
{
    submission_group_t *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->source = strdup(source ? source : "");
    if (!g->source) { free(g); return NULL; }
    submission_new_id(g->id);
    return g;
}

void group_destroy(submission_group_t **self_p)
{
    if (!self_p || !*self_p) return;
    submission_group_t *g = *self_p;
    for (size_t i = 0; i < g->count; i++) submission_destroy(&g->members[i]);
    free(g->members);
    free(g->source);
    free(g);
    *self_p = NULL;
}

int group_add(submission_group_t *self, submission_t *s)
{
    if (array_reserve(&self->members, &self->cap, self->count + 1, sizeof *self->members, 4))
        return -1;
    self->members
[self->count++] = s;
    return 0;
}

void group_digest(const submission_group_t *self, uint8_t out[SUBMISSION_DIGEST_LEN])
{
    if (sodium_init() < 0) abort();
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, SUBMISSION_DIGEST_LEN);
    for (size_t i = 0; i < self->count; i++) {
        assert(self->members[i]->has_digest);
        crypto_generichash_update(&st, self->members[i]->digest, SUBMISSION_DIGEST_LEN);
    }
    crypto_generichash_final(&st, out, SUBMISSION_DIGEST_LEN);
}

void group_seal(submission_group_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        if (!self->members[i]->has_digest) submission_seal(self->members[i]);
    group_digest(self, self->digest);
    self->has_digest = 1;
}

size_t group_facts(const submission_group_t *self)
{
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++) n += self->members[i]->count;
    return n;
}
