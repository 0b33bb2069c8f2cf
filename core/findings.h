/* findings.h -- a flag: one relation between printed figures that does not hold exactly
 * (or a code that is wrong in itself), with the numbers that produced it.
 *
 * A finding carries everything a finance officer needs to check it by hand: the rule, the
 * table/row/column it is about, the expected and actual figures in fen, the number of
 * printed amounts involved (which sets the rounding tolerance), the arithmetic spelled
 * out in `explanation`, and the source file and line of the fact it points at.
 */
#ifndef HUIZONG_FINDINGS_H
#define HUIZONG_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "tables.h"

typedef enum { SEV_NONE = 0, SEV_ERROR = 1, SEV_WARNING = 2, SEV_INFO = 3, SEV_OFF = 4 } severity_t;
typedef enum {
    VERDICT_NONE = 0, VERDICT_EXACT = 1, VERDICT_ROUNDING = 2, VERDICT_MISMATCH = 3,
    VERDICT_MALFORMED = 4, VERDICT_MISSING = 5
} verdict_t;

typedef struct {
    char rule[48];
    severity_t severity;
    verdict_t verdict;
    char entity[65];
    uint32_t year;
    table_id table;
    char row[49];
    column_id column;
    int64_t expected;     /* fen */
    int64_t actual;       /* fen */
    uint32_t terms;       /* printed amounts in the relation */
    uint32_t line;        /* source line of the fact the finding points at, 0 if none */
    char *source;         /* owned, may be NULL */
    char *explanation;    /* owned, may be NULL */
} finding_t;

typedef struct {
    finding_t *items;
    size_t count, cap;
} findings_t;

void findings_init(findings_t *list);
void findings_clear(findings_t *list);     /* frees everything, leaves an empty list */
/* Appends a copy (strings duplicated). Returns the new element or NULL on OOM. */
finding_t *findings_push(findings_t *list, const finding_t *f);
void finding_free(finding_t *f);            /* frees the owned strings only */
const char *severity_name(severity_t s);    /* "error" */
severity_t severity_from_name(const char *s);
const char *verdict_name(verdict_t v);      /* "MISMATCH" */

/* The rounding judgement of the whole product (XBRL Calculations 1.1): a relation
 * `lhs = sum of rhs` over `terms` printed 2-decimal 万元 amounts holds within rounding when
 * |lhs - rhs| <= terms * 0.005 万元. Returns EXACT, ROUNDING or MISMATCH. */
verdict_t rounding_classify(int64_t expected, int64_t actual, uint32_t terms);

#endif
