/* findings.c -- the list of flags and the rounding judgement (see findings.h).
 *
 * Invariants: a findings_t owns copies of every string of its elements (source,
 * explanation), so a rule may build a finding on the stack and push it. rounding_classify
 * is the only place the rounding tolerance is computed.
 */
#include "findings.h"

#include <stdlib.h>
#include <string.h>

#include "amount.h"

void findings_init(findings_t *list)
{
    list->items = NULL;
    list->count = list->cap = 0;
}

void finding_free(finding_t *f)
{
    if (!f) return;
    free(f->source);
    free(f->explanation);
    f->source = f->explanation = NULL;
}

void findings_clear(findings_t *list)
{
    for (size_t i = 0; i < list->count; i++) finding_free(&list->items[i]);
    free(list->items);
    findings_init(list);
}

finding_t *findings_push(findings_t *list, const finding_t *f)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        finding_t *items = realloc(list->items, cap * sizeof *items);
        if (!items) return NULL;
        list->items = items;
        list->cap = cap;
    }
    finding_t copy = *f;
    copy.source = f->source ? strdup(f->source) : NULL;
    copy.explanation = f->explanation ? strdup(f->explanation) : NULL;
    if ((f->source && !copy.source) || (f->explanation && !copy.explanation)) {
        finding_free(&copy);
        return NULL;
    }
    list->items[list->count] = copy;
    return &list->items[list->count++];
}

static const char *const SEVERITY_NAMES[] = { "none", "error", "warning", "info", "off" };
static const char *const VERDICT_NAMES[] = { "NONE", "EXACT", "ROUNDING", "MISMATCH",
                                             "MALFORMED", "MISSING" };

const char *severity_name(severity_t s)
{
    return (s >= SEV_NONE && s <= SEV_OFF) ? SEVERITY_NAMES[s] : "?";
}

severity_t severity_from_name(const char *s)
{
    for (int i = SEV_ERROR; i <= SEV_OFF; i++)
        if (s && strcmp(s, SEVERITY_NAMES[i]) == 0) return (severity_t)i;
    return SEV_NONE;
}

const char *verdict_name(verdict_t v)
{
    return (v >= VERDICT_NONE && v <= VERDICT_MISSING) ? VERDICT_NAMES[v] : "?";
}

/* terms == 0 means no printed amount carries rounding (e.g. a figure compared with a
 * computed sum of unrounded fen), so only an exact match holds: the tolerance is 0. The
 * difference is computed in unsigned arithmetic so INT64_MIN vs INT64_MAX cannot overflow. */
verdict_t rounding_classify(int64_t expected, int64_t actual, uint32_t terms)
{
    uint64_t diff = expected >= actual ? (uint64_t)expected - (uint64_t)actual
                                       : (uint64_t)actual - (uint64_t)expected;
    if (diff == 0) return VERDICT_EXACT;
    uint64_t tolerance = (uint64_t)terms * (uint64_t)AMOUNT_HALF_PRINTED_UNIT;
    return diff <= tolerance ? VERDICT_ROUNDING : VERDICT_MISMATCH;
}
