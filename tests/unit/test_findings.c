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
    ck_assert_str_eq(out, "  error   table.total_row MISMATCH expense/total/total expected 0.0001 actual "
                          "0.000101: 合计 \"x\" (a.csv:12)\n");
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

TESTKIT_MAIN("findings", NULL, NULL, 0,
             saturating_arithmetic,
             text_prints_saturated_difference,
             line_and_json_forms)
