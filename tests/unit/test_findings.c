/* test_findings.c -- the one finding formatter (core/findings.c): every output form, and the
 * 差 it prints saturating at the int64 ends instead of wrapping. Output goes to real files
 * (open_memstream) and is compared as text. */
#include <check.h>
#include "testkit.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "findings.h"
#include "rules.h"

typedef void (*writer_fn)(FILE *, const finding_t *);

/* A MISMATCH finding about 608 2024 expense/total/total with the given figures. */
static finding_t sample(int64_t expected, int64_t actual)
{
    finding_t f = { .rule = "table.total_row", .severity = SEV_ERROR, .verdict = VERDICT_MISMATCH,
                    .entity = "608", .year = 2024, .table = TABLE_EXPENSE, .row = "total",
                    .column = COL_TOTAL, .expected = expected, .actual = actual, .terms = 3,
                    .line = 12, .source = (char *)"a.csv", .explanation = (char *)"合计 \"x\"" };
    return f;
}

static char *render(void (*fn)(FILE *, const finding_t *, unsigned), const finding_t *f, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(m);
    fn(m, f, flags);
    fclose(m);
    return buf;
}

static void text_plain(FILE *o, const finding_t *f, unsigned flags) { (void)flags; findings_write_text(o, f, false); }
static void csv_one(FILE *o, const finding_t *f, unsigned flags) { (void)flags; findings_write_csv(o, f); }
static void line_one(FILE *o, const finding_t *f, unsigned flags) { (void)flags; findings_write_line(o, f); }

START_TEST(saturating_arithmetic)
{
    ck_assert_int_eq(amount_sub_sat(INT64_MAX, INT64_MIN), INT64_MAX);
    ck_assert_int_eq(amount_sub_sat(INT64_MIN, INT64_MAX), INT64_MIN);
    ck_assert_int_eq(amount_sub_sat(INT64_MIN, 1), INT64_MIN);
    ck_assert_int_eq(amount_sub_sat(-1, INT64_MIN), INT64_MAX);
    ck_assert_int_eq(amount_sub_sat(0, INT64_MIN), INT64_MAX);
    ck_assert_int_eq(amount_sub_sat(5, 7), -2);
    ck_assert_int_eq(amount_add_sat(INT64_MAX, 1), INT64_MAX);
    ck_assert_int_eq(amount_add_sat(INT64_MIN, -1), INT64_MIN);
    ck_assert_int_eq(amount_add_sat(INT64_MIN, INT64_MAX), -1);
    finding_t f = sample(INT64_MIN, INT64_MAX);
    ck_assert_int_eq(finding_difference(&f), INT64_MAX);
    f = sample(INT64_MAX, INT64_MIN);
    ck_assert_int_eq(finding_difference(&f), INT64_MIN);
}
END_TEST

START_TEST(text_prints_saturated_difference)
{
    /* the difference is exact (128-bit) and, where expected sits at an int64 bound (a sum
     * the rules may have clamped), marked as a bound: never wrapped, never a false figure */
    finding_t f = sample(INT64_MIN, INT64_MAX);
    char *out = render(text_plain, &f, 0);
    const char *want = "应为 ≤-9223372036854.775808 实为 9223372036854.775807 差 ≥18446744073709.551615\n";
    ck_assert_msg(strstr(out, want) != NULL, "text: %s", out);
    ck_assert_ptr_nonnull(strstr(out, "          来源 a.csv:12\n"));
    free(out);
    f = sample(INT64_MAX, INT64_MIN);
    out = render(csv_one, &f, 0);
    want = ",≥9223372036854.775807,-9223372036854.775808,≤-18446744073709.551615,3,";
    ck_assert_msg(strstr(out, want) != NULL, "csv: %s", out);
    ck_assert_ptr_nonnull(strstr(out, "\"合计 \"\"x\"\"\""));   /* quoted as CSV */
    free(out);
}
END_TEST

START_TEST(line_and_json_forms)
{
    finding_t f = sample(100, 101);
    char *out = render(line_one, &f, 0);
    ck_assert_str_eq(out, "  错误 合计行 table.total_row 不一致 expense/total/total 应为 0.0001 实为 "
                          "0.000101：合计 \"x\"（来源 a.csv:12）\n");
    free(out);
    out = render(findings_write_json, &f, 0);
    ck_assert_msg(strncmp(out, "{\"rule\":\"table.total_row\",", 26) == 0, "json: %s", out);
    ck_assert_ptr_nonnull(strstr(out, "\"explanation\":\"合计 \\\"x\\\"\""));
    ck_assert_ptr_nonnull(strstr(out, "\"expected_fen\":100,\"actual_fen\":101,\"terms\":3"));
    free(out);
    out = render(findings_write_json, &f, FINDING_JSON_WHERE);
    ck_assert_msg(strncmp(out, "{\"entity\":\"608\",\"year\":2024,\"rule\":", 35) == 0, "json: %s", out);
    free(out);
    /* A finding about no table: the listing says "?", the check of one submission "". */
    f.table = TABLE_NONE;
    out = render(findings_write_json, &f, 0);
    ck_assert_ptr_nonnull(strstr(out, "\"table\":\"\""));
    free(out);
    out = render(findings_write_json, &f, FINDING_JSON_WHERE);
    ck_assert_ptr_nonnull(strstr(out, "\"table\":\"?\""));
    free(out);
}
END_TEST

static void csv_zh(FILE *o, const finding_t *f, unsigned flags) { findings_write_csv_as(o, f, flags); }
static void header_as(FILE *o, const finding_t *f, unsigned flags) { (void)f; findings_write_csv_header_as(o, flags); }

/* What a person reads is Chinese: labels, the rule's Chinese name beside its id, Chinese CSV
 * headers; the ids stay for machines (--header ids, JSON). */
START_TEST(chinese_for_people_ids_for_machines)
{
    ck_assert_str_eq(severity_label(SEV_ERROR), "错误");
    ck_assert_str_eq(severity_label(SEV_WARNING), "警告");
    ck_assert_str_eq(severity_label(SEV_INFO), "提示");
    ck_assert_str_eq(verdict_label(VERDICT_MISMATCH), "不一致");
    ck_assert_str_eq(verdict_label(VERDICT_ROUNDING), "舍入差");
    ck_assert_str_eq(verdict_label(VERDICT_MALFORMED), "编码不规范");
    ck_assert_str_eq(verdict_label(VERDICT_MISSING), "缺失");
    ck_assert_int_eq(severity_parse("warning"), SEV_WARNING);
    ck_assert_int_eq(severity_parse("警告"), SEV_WARNING);
    ck_assert_int_eq(severity_parse("提示"), SEV_INFO);
    ck_assert_int_eq(severity_parse("grave"), SEV_NONE);

    finding_t f = sample(100, 101);
    char *out = render(text_plain, &f, 0);
    ck_assert_msg(strncmp(out, "  错误  合计行 table.total_row", strlen("  错误  合计行 table.total_row")) == 0, "%s", out);
    ck_assert_msg(strstr(out, "  不一致  应为 0.0001 实为 0.000101 差 0.000001\n") != NULL, "%s", out);
    ck_assert_ptr_null(strstr(out, "MISMATCH"));
    ck_assert_ptr_null(strstr(out, "error"));
    free(out);

    out = render(header_as, &f, 0);
    ck_assert_msg(strncmp(out, "单位代码,年度,规则,规则名称,严重程度,判定,表,表名,", 30) == 0, "%s", out);
    free(out);
    out = render(header_as, &f, FINDING_CSV_IDS);
    ck_assert_str_eq(out, "entity,year,rule,severity,verdict,table,row,column,expected,actual,difference,"
                          "terms,explanation,source,line\n");
    free(out);
    out = render(csv_zh, &f, 0);
    ck_assert_msg(strncmp(out, "608,2024,table.total_row,合计行,错误,不一致,expense,", 40) == 0, "%s", out);
    free(out);
    out = render(csv_zh, &f, FINDING_CSV_IDS);
    ck_assert_msg(strncmp(out, "608,2024,table.total_row,error,MISMATCH,expense,total,total,", 50) == 0, "%s", out);
    free(out);
    /* JSON is for machines and keeps the ids. */
    out = render(findings_write_json, &f, 0);
    ck_assert_ptr_nonnull(strstr(out, "\"severity\":\"error\",\"verdict\":\"MISMATCH\""));
    free(out);
}
END_TEST

/* Every rule of the catalogue has a short Chinese name to print beside its id. */
START_TEST(every_rule_has_a_chinese_name)
{
    const rule_info_t *rules;
    size_t n = rules_catalogue(&rules);
    for (size_t i = 0; i < n; i++) {
        const char *zh = rules_name_zh(rules[i].id);
        ck_assert_msg(zh && *zh, "rule %s has no Chinese name (name_zh) in core/rules_catalogue.c", rules[i].id);
    }
    ck_assert_ptr_null(rules_name_zh("no.such_rule"));
}
END_TEST

TESTKIT_MAIN("findings", NULL, NULL, 0,
             saturating_arithmetic,
             text_prints_saturated_difference,
             line_and_json_forms,
             chinese_for_people_ids_for_machines,
             every_rule_has_a_chinese_name)
