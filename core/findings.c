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
#include "array.h"
#include "csv.h"
#include "json.h"
#include "rules.h"

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
    if (array_reserve(&list->items, &list->cap, list->count + 1, sizeof *list->items, 16))
        return NULL;

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

static const char *const SEVERITY_LABELS[] = { "无", "错误", "警告", "提示", "关闭" };
static const char *const VERDICT_LABELS[] = { "无", "一致", "舍入差", "不一致", "编码不规范", "缺失" };

const char *severity_label(severity_t s)
{
    return (s >= SEV_NONE && s <= SEV_OFF) ? SEVERITY_LABELS[s] : "?";
}

const char *verdict_label(verdict_t v)
{
    return (v >= VERDICT_NONE && v <= VERDICT_MISSING) ? VERDICT_LABELS[v] : "?";
}

severity_t severity_parse(const char *s)
{
    severity_t id = severity_from_name(s);
    if (id != SEV_NONE) return id;
    for (int i = SEV_ERROR; i <= SEV_OFF; i++)
        if (s && strcmp(s, SEVERITY_LABELS[i]) == 0) return (severity_t)i;
    return SEV_NONE;
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

/* A finding with no table key and no amounts: a narrative's percentage or share
 * (core/narrative_check.c), whose arithmetic is all in its explanation. */
static bool s_unkeyed_ratio(const finding_t *f)
{
    return f->table == TABLE_NONE && !f->row[0] && f->expected == 0 && f->actual == 0;
}


/* Terminal columns of UTF-8 text: a code point of 3 or more bytes (the ideographs and
 * full-width punctuation these outputs print) takes two columns, anything else one. */
static int s_display_width(const char *text)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) == 0x80) continue;
        w += *p >= 0xE0 ? 2 : 1;
    }
    return w;
}

void findings_pad(FILE *out, const char *text, int width)
{
    fputs(text, out);
    for (int w = s_display_width(text); w < width; w++) fputc(' ', out);
}

/* "合计行 table.total_row", or the id alone for a rule the catalogue does not name. */
static void s_rule(char *out, size_t n, const char *id)
{
    const char *zh = rules_name_zh(id);
    if (zh) snprintf(out, n, "%s %s", zh, id);
    else snprintf(out, n, "%s", id);
}

/* Width of the rule column (Chinese name and id) of the flags listing. */
enum { TEXT_RULE_WIDTH = 44 };

char *finding_difference_text(const finding_t *f, char buf[AMOUNT_BUF])
{
    char d[AMOUNT_BUF];
    amount_format_diff(f->actual, f->expected, d);
    /* an expected sum at an int64 bound may have been clamped (rules_sat_add): the true
     * difference is then at most (at least) the one computed from the bound */
    const char *mark = f->expected == INT64_MAX ? "≤" : f->expected == INT64_MIN ? "≥" : "";
    size_t m = strlen(mark), n = strlen(d);
    assert(m + n < AMOUNT_BUF);     /* 3-byte mark + at most 22 characters */
    memcpy(buf, mark, m);
    memcpy(buf + m, d, n + 1);
    return buf;
}

void findings_write_line(FILE *out, const finding_t *fd)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF], rule[160];
    s_rule(rule, sizeof rule, fd->rule);
    fprintf(out, "  %s %s %s", severity_label(fd->severity), rule, verdict_label(fd->verdict));
    if (fd->table != TABLE_NONE || fd->row[0]) {
        fprintf(out, " %s", table_name(fd->table));
        if (fd->row[0]) fprintf(out, "/%s", fd->row);
        if (fd->column != COL_NONE) fprintf(out, "/%s", column_name(fd->column));
    }
    /* A malformed code or a missing figure has no relation to compare: show the amount only. */
    if (s_unkeyed_ratio(fd)) {
        /* a percentage or share of a narrative: its numbers are in the explanation */
    } else if (fd->verdict == VERDICT_MALFORMED || fd->verdict == VERDICT_MISSING) {
        if (fd->actual) fprintf(out, " 金额 %s", amount_format(fd->actual, act));
    } else {
        fprintf(out, " 应为 %s 实为 %s", amount_format_bound(fd->expected, exp),
                amount_format(fd->actual, act));
    }
    if (fd->explanation && fd->explanation[0]) fprintf(out, "：%s", fd->explanation);
    if (fd->source && fd->source[0]) {
        fprintf(out, "（来源 %s", fd->source);
        if (fd->line) fprintf(out, ":%u", fd->line);
        fputs("）", out);
    } else if (fd->line) {
        fprintf(out, "（第 %u 行）", fd->line);
    }
    fputc('\n', out);
}

static const char *s_severity_colour(severity_t s)
{
    return s == SEV_ERROR ? "\033[31m" : s == SEV_WARNING ? "\033[33m" : "\033[36m";
}

void findings_write_text(FILE *out, const finding_t *f, bool colour)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF], diff[AMOUNT_BUF], rule[160];
    s_rule(rule, sizeof rule, f->rule);
    fprintf(out, "  %s%s%s  ", colour ? s_severity_colour(f->severity) : "",
            severity_label(f->severity), colour ? "\033[0m" : "");
    findings_pad(out, rule, TEXT_RULE_WIDTH);
    fprintf(out, " %s/%s/%s  %s", f->table ? table_name(f->table) : "-", f->row[0] ? f->row : "-",
            f->column ? column_name(f->column) : "-", verdict_label(f->verdict));
    if ((f->verdict == VERDICT_MISMATCH || f->verdict == VERDICT_ROUNDING) && !s_unkeyed_ratio(f))
        fprintf(out, "  应为 %s 实为 %s 差 %s", amount_format_bound(f->expected, exp),
                amount_format(f->actual, act), finding_difference_text(f, diff));
    fputc('\n', out);
    if (f->explanation && *f->explanation) fprintf(out, "          %s\n", f->explanation);
    if (f->line) fprintf(out, "          来源 %s:%u\n", f->source ? f->source : "", f->line);
}

void findings_write_csv_header_as(FILE *out, unsigned flags)
{
    if (flags & FINDING_CSV_IDS)
        fputs("entity,year,rule,severity,verdict,table,row,column,expected,actual,difference,"
              "terms,explanation,source,line\n", out);
    else
        fputs("单位代码,年度,规则,规则名称,严重程度,判定,表,表名,行,列,应为(万元),实为(万元),"
              "差(万元),印刷数个数,说明,来源文件,来源行\n", out);
}

void findings_write_csv_as(FILE *out, const finding_t *f, unsigned flags)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF], diff[AMOUNT_BUF];
    bool ids = flags & FINDING_CSV_IDS;
    fprintf(out, "%s,%u,%s,", f->entity, f->year, f->rule);
    if (!ids) {
        const char *zh = rules_name_zh(f->rule);
        csv_write_field(out, zh ? zh : "");
        fputc(',', out);
    }
    fprintf(out, "%s,%s,%s,", ids ? severity_name(f->severity) : severity_label(f->severity),
            ids ? verdict_name(f->verdict) : verdict_label(f->verdict), table_name(f->table));
    if (!ids) fprintf(out, "%s,", table_valid(f->table) && f->table ? table_label(f->table) : "");
    csv_write_field(out, f->row);
    fprintf(out, ",%s,%s,%s,%s,%u,", f->column ? column_name(f->column) : "",
            amount_format_bound(f->expected, exp), amount_format(f->actual, act),
            finding_difference_text(f, diff), f->terms);
    csv_write_field(out, f->explanation ? f->explanation : "");
    fputc(',', out);
    csv_write_field(out, f->source ? f->source : "");
    fprintf(out, ",%u\n", f->line);
}

void findings_write_csv_header(FILE *out) { findings_write_csv_header_as(out, FINDING_CSV_IDS); }
void findings_write_csv(FILE *out, const finding_t *f) { findings_write_csv_as(out, f, FINDING_CSV_IDS); }

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
