/* findings.c -- the list of flags and the rounding judgement (see findings.h).
 *
 * Invariants: a findings_t owns copies of every string of its elements (source,
 * explanation), so a rule may build a finding on the stack and push it. rounding_classify
 * is the only place the rounding tolerance is computed. The findings_write_* functions are
 * the only places a finding is turned into text, CSV or JSON.
 */
#include "findings.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "csv.h"
#include "json.h"

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
    assert(list && f && list->count <= list->cap);
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

verdict_t rounding_classify_units(int64_t expected, int64_t actual, uint64_t units)
{
    uint64_t diff = expected >= actual ? (uint64_t)expected - (uint64_t)actual
                                       : (uint64_t)actual - (uint64_t)expected;
    if (diff == 0) return VERDICT_EXACT;
    /* |diff| <= units / 2 exactly (half a fen counts): 2 * diff <= units, without overflow */
    if (diff > UINT64_MAX / 2) return VERDICT_MISMATCH;
    return 2 * diff <= units ? VERDICT_ROUNDING : VERDICT_MISMATCH;
}

void findings_count(const findings_t *list, unsigned *errors, unsigned *warnings, unsigned *infos)
{
    *errors = *warnings = *infos = 0;
    for (size_t i = 0; i < list->count; i++) {
        switch (list->items[i].severity) {
        case SEV_ERROR: (*errors)++; break;
        case SEV_WARNING: (*warnings)++; break;
        case SEV_INFO: (*infos)++; break;
        default: break;
        }
    }
}

int64_t finding_difference(const finding_t *f)
{
    return amount_sub_sat(f->actual, f->expected);
}

void findings_write_line(FILE *out, const finding_t *fd)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF];
    fprintf(out, "  %-7s %s %s", severity_name(fd->severity), fd->rule, verdict_name(fd->verdict));
    if (fd->table != TABLE_NONE || fd->row[0]) {
        fprintf(out, " %s", table_name(fd->table));
        if (fd->row[0]) fprintf(out, "/%s", fd->row);
        if (fd->column != COL_NONE) fprintf(out, "/%s", column_name(fd->column));
    }
    /* A malformed code or a missing figure has no relation to compare: show the amount only. */
    if (fd->verdict == VERDICT_MALFORMED || fd->verdict == VERDICT_MISSING) {
        if (fd->actual) fprintf(out, " amount %s", amount_format(fd->actual, act));
    } else {
        fprintf(out, " expected %s actual %s", amount_format(fd->expected, exp),
                amount_format(fd->actual, act));
    }
    if (fd->explanation && fd->explanation[0]) fprintf(out, ": %s", fd->explanation);
    if (fd->source && fd->source[0]) {
        fprintf(out, " (%s", fd->source);
        if (fd->line) fprintf(out, ":%u", fd->line);
        fputc(')', out);
    } else if (fd->line) {
        fprintf(out, " (line %u)", fd->line);
    }
    fputc('\n', out);
}

static const char *s_severity_colour(severity_t s)
{
    return s == SEV_ERROR ? "\033[31m" : s == SEV_WARNING ? "\033[33m" : "\033[36m";
}

void findings_write_text(FILE *out, const finding_t *f, bool colour)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF], diff[AMOUNT_BUF];
    fprintf(out, "  %s%-7s%s %-30s %s/%s/%s  %s", colour ? s_severity_colour(f->severity) : "",
            severity_name(f->severity), colour ? "\033[0m" : "", f->rule,
            f->table ? table_name(f->table) : "-", f->row[0] ? f->row : "-",
            f->column ? column_name(f->column) : "-", verdict_name(f->verdict));
    if (f->verdict == VERDICT_MISMATCH || f->verdict == VERDICT_ROUNDING)
        fprintf(out, "  应为 %s 实为 %s 差 %s", amount_format(f->expected, exp),
                amount_format(f->actual, act), amount_format(finding_difference(f), diff));
    fputc('\n', out);
    if (f->explanation && *f->explanation) fprintf(out, "          %s\n", f->explanation);
    if (f->line) fprintf(out, "          来源 %s:%u\n", f->source ? f->source : "", f->line);
}

void findings_write_csv_header(FILE *out)
{
    fputs("entity,year,rule,severity,verdict,table,row,column,expected,actual,difference,"
          "terms,explanation,source,line\n", out);
}

void findings_write_csv(FILE *out, const finding_t *f)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF], diff[AMOUNT_BUF];
    fprintf(out, "%s,%u,%s,%s,%s,%s,", f->entity, f->year, f->rule, severity_name(f->severity),
            verdict_name(f->verdict), table_name(f->table));
    csv_write_field(out, f->row);
    fprintf(out, ",%s,%s,%s,%s,%u,", f->column ? column_name(f->column) : "",
            amount_format(f->expected, exp), amount_format(f->actual, act),
            amount_format(finding_difference(f), diff), f->terms);
    csv_write_field(out, f->explanation ? f->explanation : "");
    fputc(',', out);
    csv_write_field(out, f->source ? f->source : "");
    fprintf(out, ",%u\n", f->line);
}

void findings_write_json(FILE *out, const finding_t *f, unsigned flags)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF];
    fputc('{', out);
    if (flags & FINDING_JSON_WHERE) {
        fputs("\"entity\":", out);
        json_write_string(out, f->entity);
        fprintf(out, ",\"year\":%u,", f->year);
    }
    fputs("\"rule\":", out);
    json_write_string(out, f->rule);
    fputs(",\"severity\":", out);
    json_write_string(out, severity_name(f->severity));
    fputs(",\"verdict\":", out);
    json_write_string(out, verdict_name(f->verdict));
    /* A listing of stored flags names the table even when it is none ("?"); a check of one
     * submission leaves it empty. Both are kept as they were to keep outputs stable. */
    fputs(",\"table\":", out);
    json_write_string(out, (flags & FINDING_JSON_WHERE) || f->table != TABLE_NONE ? table_name(f->table) : "");
    fputs(",\"row\":", out);
    json_write_string(out, f->row);
    fputs(",\"column\":", out);
    json_write_string(out, f->column != COL_NONE ? column_name(f->column) : "");
    fputs(",\"expected\":", out);
    json_write_string(out, amount_format(f->expected, exp));
    fputs(",\"actual\":", out);
    json_write_string(out, amount_format(f->actual, act));
    fprintf(out, ",\"expected_fen\":%lld,\"actual_fen\":%lld,\"terms\":%u",
            (long long)f->expected, (long long)f->actual, f->terms);
    fputs(",\"explanation\":", out);
    json_write_string(out, f->explanation);
    fputs(",\"source\":", out);
    json_write_string(out, f->source);
    fprintf(out, ",\"line\":%u}", f->line);
}
