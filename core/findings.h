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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hierarchy.h"
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
    char entity[ENTITY_CODE_MAX + 1];
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
/* The same with each printed term's own precision: units is the sum of the terms' printed
 * units in fen (fact_t.unit_fen), the tolerance half of it; terms all at 0.01 万元 give
 * rounding_classify's verdict. */
verdict_t rounding_classify_units(int64_t expected, int64_t actual, uint64_t units);

/* Counts the list's findings by severity (error, warning, info). */
void findings_count(const findings_t *list, unsigned *errors, unsigned *warnings, unsigned *infos);

/* actual − expected, saturating (amount_sub_sat): the 差 every output prints. */
int64_t finding_difference(const finding_t *f);

/* --- The one finding formatter: every command that prints a finding calls one of these.
 *
 * findings_write_line: one line, as `huizong-collector check` and `submit` print it:
 *   "  error   rule VERDICT table/row/column expected X actual Y: explanation (source:line)".
 * findings_write_text: the `huizong flags` / `report` block (rule column, 应为/实为/差,
 *   explanation and 来源 on their own lines); colour adds ANSI severity colours.
 * findings_write_csv_header / findings_write_csv: one CSV record per finding.
 * findings_write_json: one JSON object; FINDING_JSON_WHERE adds "entity" and "year" first
 *   (a listing of many entities), without it the object starts at "rule" (a check of one
 *   submission, whose entity is printed around it).
 * None of them returns anything: they write to out, whose errors the caller checks. */
enum { FINDING_JSON_WHERE = 1 };
void findings_write_line(FILE *out, const finding_t *f);
void findings_write_text(FILE *out, const finding_t *f, bool colour);
void findings_write_csv_header(FILE *out);
void findings_write_csv(FILE *out, const finding_t *f);
void findings_write_json(FILE *out, const finding_t *f, unsigned flags);

#endif
