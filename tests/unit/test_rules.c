/* test_rules.c -- the rule catalogue, settings, docs/rules.md and every rule on minimal
 * submissions: for each rule one submission that passes (no finding at all) and one that
 * fails with the exact rule id, key, verdict, expected and actual.
 */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amount.h"
#include "rules.h"

/* "table,row,column,amount[,name]" lines -> a validated submission. */
static submission_t *build(const char *entity, const char *spec)
{
    submission_t *s = submission_new(entity, 2024);
    ck_assert_ptr_nonnull(s);
    char *copy = strdup(spec), *save = NULL;
    uint32_t line = 1;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *f[5] = { 0 };
        int n = 0;
        for (char *p = l; p && n < 5; n++) {
            f[n] = p;
            p = strchr(p, ',');
            if (p) *p++ = '\0';
        }
        ck_assert_int_ge(n, 4);
        int64_t fen;
        const char *why;
        ck_assert_int_eq(amount_parse(f[3], strlen(f[3]), &fen, &why), 0);
        table_id t = table_from_name(f[0]);
        column_id c = column_from_name(f[2]);
        ck_assert_msg(t != TABLE_NONE && c != COL_NONE, "bad spec line %s", l);
        ck_assert_int_eq(submission_add(s, t, f[1], c, fen, n == 5 ? f[4] : "", ++line), 0);
    }
    free(copy);
    submission_new_id(s->id);
    char err[256];
    ck_assert_msg(submission_validate(s, err, sizeof err) == 0, "%s", err);
    return s;
}

static void check(const char *spec, const rule_settings_t *set, findings_t *out)
{
    submission_t *s = build("t001", spec);
    findings_init(out);
    ck_assert_int_eq(rules_check(s, set, out), 0);
    submission_destroy(&s);
}

static const finding_t *find(const findings_t *f, const char *rule, const char *table,
                             const char *row, const char *col)
{
    for (size_t i = 0; i < f->count; i++) {
        const finding_t *x = &f->items[i];
        if (strcmp(x->rule, rule) == 0 && x->table == table_from_name(table) &&
            strcmp(x->row, row) == 0 && (!col || x->column == column_from_name(col)))
            return x;
    }
    return NULL;
}

static void dump(const findings_t *f)
{
    for (size_t i = 0; i < f->count; i++)
        fprintf(stderr, "  %s %s %s/%s/%s %s\n", f->items[i].rule, verdict_name(f->items[i].verdict),
                table_name(f->items[i].table), f->items[i].row, column_name(f->items[i].column),
                f->items[i].explanation ? f->items[i].explanation : "");
}

typedef struct {
    const char *rule;
    const char *pass;
    const char *fail;
    const char *table, *row, *col;     /* col NULL: any (code rules) */
    verdict_t verdict;
    const char *expected, *actual;
} rule_case_t;

static const rule_case_t CASES[] = {
    { "table.func_sum",
      "gpb_func,208,total,10.00\ngpb_func,20805,total,10.00\ngpb_func,2080505,total,6.00\ngpb_func,2080506,total,4.00",
      "gpb_func,208,total,10.00\ngpb_func,20805,total,10.50\ngpb_func,2080505,total,6.00\ngpb_func,2080506,total,4.00",
      "gpb_func", "20805", "total", VERDICT_MISMATCH, "10.00", "10.50" },
    { "table.econ_sum",
      "gpb_econ,301,basic,5.00\ngpb_econ,30101,basic,2.00\ngpb_econ,30102,basic,3.00",
      "gpb_econ,301,basic,5.10\ngpb_econ,30101,basic,2.00\ngpb_econ,30102,basic,3.00",
      "gpb_econ", "301", "basic", VERDICT_MISMATCH, "5.00", "5.10" },
    { "table.total_row",
      "expense,total,total,10.00\nexpense,208,total,6.00\nexpense,210,total,4.00",
      "expense,total,total,11.00\nexpense,208,total,6.00\nexpense,210,total,4.00",
      "expense", "total", "total", VERDICT_MISMATCH, "10.00", "11.00" },
    { "table.expense_columns",
      "expense,total,total,10.00\nexpense,total,basic,6.00\nexpense,total,project,3.00\nexpense,total,to_sub,1.00",
      "expense,total,total,10.00\nexpense,total,basic,6.00\nexpense,total,project,3.00",
      "expense", "total", "total", VERDICT_MISMATCH, "9.00", "10.00" },
    { "table.basic_split",
      "gpb_func,total,total,10.00\ngpb_func,total,basic,6.00\ngpb_func,total,project,4.00\ngpb_func,total,personnel,5.00\ngpb_func,total,public,1.00",
      "gpb_func,total,total,10.00\ngpb_func,total,basic,6.00\ngpb_func,total,project,4.00\ngpb_func,total,personnel,5.00\ngpb_func,total,public,2.00",
      "gpb_func", "total", "basic", VERDICT_MISMATCH, "7.00", "6.00" },
    { "table.funding_split",
      "gpb_func,total,total,10.00\ngpb_func,total,current,8.00\ngpb_func,total,carry,2.00",
      "gpb_func,total,total,10.00\ngpb_func,total,current,8.00\ngpb_func,total,carry,1.00",
      "gpb_func", "total", "total", VERDICT_MISMATCH, "9.00", "10.00" },
    { "table.income_sources",
      "income,total,total,10.00\nincome,total,gpb,7.00\nincome,total,other,3.00",
      "income,total,total,10.00\nincome,total,gpb,7.00\nincome,total,other,2.00",
      "income", "total", "total", VERDICT_MISMATCH, "9.00", "10.00" },
    { "table.summary_totals",
      "summary,gpb,amount,10.00\nsummary,income_total,amount,10.00\nsummary,208,amount,10.00\nsummary,expense_total,amount,10.00",
      "summary,gpb,amount,10.00\nsummary,income_total,amount,10.00\nsummary,208,amount,9.00\nsummary,expense_total,amount,10.00",
      "summary", "expense_total", "amount", VERDICT_MISMATCH, "9.00", "10.00" },
    { "table.fiscal_totals",
      "fiscal,cur_gpb,total,8.00\nfiscal,carry_gpb,total,2.00\nfiscal,income_total,total,10.00",
      "fiscal,cur_gpb,total,8.00\nfiscal,carry_gpb,total,2.00\nfiscal,income_total,total,11.00",
      "fiscal", "income_total", "total", VERDICT_MISMATCH, "10.00", "11.00" },
    { "table.fiscal_columns",
      "fiscal,208,total,10.00\nfiscal,208,gpb,10.00",
      "fiscal,208,total,10.00\nfiscal,208,gpb,9.00",
      "fiscal", "208", "total", VERDICT_MISMATCH, "9.00", "10.00" },
    { "table.fiscal_balance",
      "fiscal,income_total,total,10.00\nfiscal,expense_total,total,10.00",
      "fiscal,income_total,total,10.00\nfiscal,expense_total,total,9.00",
      "fiscal", "expense_total", "total", VERDICT_MISMATCH, "10.00", "9.00" },
    { "table.projects_total_row",
      "projects,total,total,10.00\nprojects,P01,total,6.00\nprojects,P02,total,4.00",
      "projects,total,total,10.00\nprojects,P01,total,6.00\nprojects,P02,total,3.00",
      "projects", "total", "total", VERDICT_MISMATCH, "9.00", "10.00" },
    { "table.project_sources",
      "projects,P01,total,6.00\nprojects,P01,gpb,4.00\nprojects,P01,carry_gpb,2.00",
      "projects,P01,total,6.00\nprojects,P01,gpb,4.00\nprojects,P01,carry_gpb,1.00",
      "projects", "P01", "total", VERDICT_MISMATCH, "5.00", "6.00" },
    { "cross.three_public_parts",
      "three_public,total,amount,3.00\nthree_public,abroad,amount,1.00\nthree_public,vehicle,amount,1.00\nthree_public,reception,amount,1.00\nthree_public,vehicle_purchase,amount,0.50\nthree_public,vehicle_operation,amount,0.50",
      "three_public,total,amount,3.00\nthree_public,abroad,amount,1.00\nthree_public,vehicle,amount,1.00\nthree_public,reception,amount,1.00\nthree_public,vehicle_purchase,amount,0.50\nthree_public,vehicle_operation,amount,0.60",
      "three_public", "vehicle", "amount", VERDICT_MISMATCH, "1.10", "1.00" },
    { "cross.summary_balance",
      "summary,income_total,amount,10.00\nsummary,expense_total,amount,10.00",
      "summary,income_total,amount,10.00\nsummary,expense_total,amount,9.00",
      "summary", "expense_total", "amount", VERDICT_MISMATCH, "10.00", "9.00" },
    { "cross.summary_fiscal",
      "summary,gpb,amount,10.00\nsummary,xfer_gpb,amount,1.43\nsummary,income_total,amount,11.43\nfiscal,cur_gpb,total,10.00\nfiscal,income_total,total,10.00",
      "summary,gpb,amount,10.00\nsummary,xfer_gpb,amount,1.43\nsummary,income_total,amount,12.00\nfiscal,cur_gpb,total,10.00\nfiscal,income_total,total,10.00",
      "summary", "income_total", "amount", VERDICT_MISMATCH, "11.43", "12.00" },
    { "cross.summary_expense_classes",
      "summary,208,amount,10.00\nexpense,2080101,total,6.00\nexpense,2080505,total,4.00",
      "summary,208,amount,9.00\nexpense,2080101,total,6.00\nexpense,2080505,total,4.00",
      "summary", "208", "amount", VERDICT_MISMATCH, "10.00", "9.00" },
    { "cross.summary_income_sources",
      "summary,gpb,amount,10.00\nincome,total,total,10.00\nincome,total,gpb,10.00",
      "summary,gpb,amount,10.00\nincome,total,total,9.00\nincome,total,gpb,9.00",
      "summary", "gpb", "amount", VERDICT_MISMATCH, "9.00", "10.00" },
    { "cross.fiscal_gpb_func",
      "fiscal,208,total,10.00\nfiscal,208,gpb,10.00\ngpb_func,208,total,10.00",
      "fiscal,208,total,10.00\nfiscal,208,gpb,10.00\ngpb_func,208,total,9.00",
      "fiscal", "208", "gpb", VERDICT_MISMATCH, "9.00", "10.00" },
    { "cross.econ_func_basic",
      "gpb_econ,total,basic,6.00\ngpb_func,total,basic,6.00",
      "gpb_econ,total,basic,6.00\ngpb_func,total,basic,5.00",
      "gpb_econ", "total", "basic", VERDICT_MISMATCH, "5.00", "6.00" },
    { "cross.three_public_reception",
      "three_public,reception,amount,1.00\ngpb_econ,30217,basic,1.00",
      "three_public,reception,amount,1.00\ngpb_econ,30217,basic,1.20",
      "three_public", "reception", "amount", VERDICT_MISMATCH, "1.20", "1.00" },
    { "cross.projects_expense",
      "projects,total,total,4.00\nexpense,total,project,4.00",
      "projects,total,total,5.00\nexpense,total,project,4.00",
      "projects", "total", "total", VERDICT_MISMATCH, "4.00", "5.00" },
    { "cross.project_funding_cover",
      "projects,total,unit_funds,3.00\nincome,total,other,3.00",
      "projects,total,unit_funds,4.00\nincome,total,other,3.00",
      "projects", "total", "unit_funds", VERDICT_MISMATCH, "3.00", "4.00" },
    { "code.malformed",
      "income,20801,total,5.00\nincome,2080101,total,5.00",
      "income,20801,total,5.00\nincome,208010,total,5.00",
      "income", "208010", NULL, VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.parent_prefix",
      "gpb_func,208,total,5.00\ngpb_func,20801,total,5.00",
      "gpb_func,208,total,5.00\ngpb_func,20801,total,5.00\ngpb_func,21001,total,1.00",
      "gpb_func", "21001", NULL, VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.unknown_class",
      "gpb_func,208,total,5.00",
      "gpb_func,209,total,5.00",
      "gpb_func", "209", NULL, VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.kind",
      "soe_func,223,total,5.00",
      "soe_func,303,total,5.00",
      "soe_func", "303", NULL, VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.name_mismatch",
      "gpb_func,208,total,5.00,社会保障和就业支出\ngpb_econ,30213,basic,1.00,维修(护)费",
      "gpb_func,208,total,5.00,卫生健康支出",
      "gpb_func", "208", NULL, VERDICT_MALFORMED, "0.00", "0.00" },
};

#define NCASES (sizeof CASES / sizeof CASES[0])

START_TEST(test_rule_pass_fail)
{
    const rule_case_t *c = &CASES[_i];
    ck_assert_msg(rules_find(c->rule) != NULL, "%s not in catalogue", c->rule);
    findings_t f;
    check(c->pass, NULL, &f);
    if (f.count) dump(&f);
    ck_assert_msg(f.count == 0, "%s: passing submission produced %zu findings", c->rule, f.count);
    findings_clear(&f);

    check(c->fail, NULL, &f);
    const finding_t *x = find(&f, c->rule, c->table, c->row, c->col);
    if (!x) dump(&f);
    ck_assert_msg(x != NULL, "%s: no finding on %s/%s", c->rule, c->table, c->row);
    ck_assert_str_eq(verdict_name(x->verdict), verdict_name(c->verdict));
    char e[AMOUNT_BUF], a[AMOUNT_BUF];
    ck_assert_str_eq(amount_format(x->expected, e), c->expected);
    ck_assert_str_eq(amount_format(x->actual, a), c->actual);
    ck_assert_int_eq(x->severity, rules_find(c->rule)->severity);
    ck_assert_str_eq(x->entity, "t001");
    ck_assert_uint_eq(x->year, 2024);
    ck_assert_uint_gt(x->line, 0);
    ck_assert_ptr_nonnull(x->explanation);
    findings_clear(&f);
}
END_TEST

/* The level rules that test_level_declared_vs_computed / test_level_transfers make fire. */
static const rule_id LEVEL_TESTED[] = { RULE_LEVEL_DECLARED_VS_COMPUTED, RULE_LEVEL_MISSING_SUBORDINATES,
                                        RULE_LEVEL_NOT_DECLARED,
                                        RULE_LEVEL_TRANSFER_UPPER, RULE_LEVEL_TRANSFER_SUB };
/* The text rules that tests/unit/test_narrative.c makes fire (test_synthetic_slip,
 * test_prior_year, test_seed_findings). */
static const rule_id TEXT_TESTED[] = { RULE_TEXT_AMOUNT, RULE_TEXT_CHANGE_PERCENT, RULE_TEXT_CHANGE_SIGN,
                                       RULE_TEXT_SHARE, RULE_TEXT_PROJECT_FUNDING, RULE_TEXT_PRIOR_YEAR };
/* The rules that need a level, a chart or two versions: test_table_required,
 * test_code_unknown, test_versions make them fire. */
static const rule_id OTHER_TESTED[] = { RULE_TABLE_REQUIRED, RULE_CODE_UNKNOWN,
                                        RULE_VERSION_TABLE_WITHDRAWN, RULE_VERSION_FIGURE_WITHDRAWN };

/* Every catalogue entry: filled, its string id maps back to its enum, exactly one function
 * registered for it, and a crafted submission that makes it fire (CASES, or the level tests). */
START_TEST(test_every_rule_has_a_case)
{
    const rule_info_t *cat;
    size_t n = rules_catalogue(&cat);
    ck_assert_uint_eq(n, RULE_COUNT);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(cat[i].id != NULL, "catalogue entry %zu is empty", i);
        ck_assert_msg(rules_registered((rule_id)i), "rule %s has no function (or two)", cat[i].id);
        ck_assert_int_eq(rules_id_from_name(cat[i].id), (rule_id)i);
        ck_assert_ptr_eq(rules_info((rule_id)i), &cat[i]);
        ck_assert_ptr_eq(rules_find(cat[i].id), &cat[i]);
        ck_assert(cat[i].en[0] && cat[i].zh[0] && cat[i].tables[0]);
        for (size_t k = 0; k < i; k++) ck_assert_str_ne(cat[k].id, cat[i].id);
        int found = 0;
        for (size_t k = 0; k < sizeof OTHER_TESTED / sizeof OTHER_TESTED[0]; k++)
            found |= OTHER_TESTED[k] == (rule_id)i;
        if (cat[i].scope == RULE_SCOPE_LEVEL)
            for (size_t k = 0; k < sizeof LEVEL_TESTED / sizeof LEVEL_TESTED[0]; k++)
                found |= LEVEL_TESTED[k] == (rule_id)i;
        else if (cat[i].scope == RULE_SCOPE_TEXT)
            for (size_t k = 0; k < sizeof TEXT_TESTED / sizeof TEXT_TESTED[0]; k++)
                found |= TEXT_TESTED[k] == (rule_id)i;
        else
            for (size_t k = 0; k < NCASES; k++) found |= strcmp(CASES[k].rule, cat[i].id) == 0;
        ck_assert_msg(found, "rule %s has no pass/fail case", cat[i].id);
    }
    ck_assert_ptr_null(rules_find("no.such_rule"));
    ck_assert_int_eq(rules_id_from_name("no.such_rule"), RULE_COUNT);
}
END_TEST

/* 20805 149.06 = 99.18 + 49.89 = 149.07: within 3 x 0.005. */
START_TEST(test_rounding_is_info)
{
    findings_t f;
    check("gpb_func,20805,total,149.06,行政事业单位养老支出\n"
          "gpb_func,2080505,total,99.18\ngpb_func,2080506,total,49.89", NULL, &f);
    ck_assert_uint_eq(f.count, 1);
    const finding_t *x = &f.items[0];
    ck_assert_str_eq(x->rule, "table.func_sum");
    ck_assert_int_eq(x->verdict, VERDICT_ROUNDING);
    ck_assert_int_eq(x->severity, SEV_INFO);
    ck_assert_int_eq(x->expected, 149070000);
    ck_assert_int_eq(x->actual, 149060000);
    ck_assert_uint_eq(x->terms, 3);
    ck_assert_msg(strstr(x->explanation, "20805 行政事业单位养老支出 149.06 ≠ 2080505 99.18 + 2080506 49.89 = 149.07 → 舍入差"),
                  "%s", x->explanation);
    findings_clear(&f);
    /* 0.02 over 3 terms exceeds 0.015: a mismatch */
    check("gpb_func,20805,total,149.05\ngpb_func,2080505,total,99.18\ngpb_func,2080506,total,49.89",
          NULL, &f);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_int_eq(f.items[0].verdict, VERDICT_MISMATCH);
    ck_assert_int_eq(f.items[0].severity, SEV_ERROR);
    findings_clear(&f);
}
END_TEST

/* A misprinted 6-digit code is counted under 20801: no cascade into 208's sum. */
START_TEST(test_malformed_no_cascade)
{
    findings_t f;
    check("income,208,total,10.00\nincome,20801,total,10.00\nincome,208010,total,6.00\n"
          "income,2080109,total,4.00", NULL, &f);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_str_eq(f.items[0].rule, "code.malformed");
    ck_assert_str_eq(f.items[0].row, "208010");
    findings_clear(&f);
    /* and a sum that is wrong is still caught through it */
    check("income,20801,total,10.00\nincome,208010,total,7.00\nincome,2080109,total,4.00", NULL, &f);
    const finding_t *x = find(&f, "table.func_sum", "income", "20801", "total");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->expected, 11000000);
    findings_clear(&f);
}
END_TEST

/* Parents with no child printed in a column are not checked in it; a basic-only economic
 * table's total is not basic + project. */
START_TEST(test_skips)
{
    findings_t f;
    check("gpb_econ,total,total,100.00\ngpb_econ,total,basic,60.00\n"
          "gpb_econ,301,total,100.00\ngpb_econ,301,basic,60.00\n"
          "gpb_econ,30101,basic,60.00", NULL, &f);
    if (f.count) dump(&f);
    ck_assert_uint_eq(f.count, 0);
    findings_clear(&f);
    /* fiscal with a single total column: classes no fund table prints are not compared */
    check("fiscal,208,total,15.00\nfiscal,223,total,650.00\nfiscal,expense_total,total,665.00\n"
          "gpb_func,total,total,10.00\ngpb_func,208,total,10.00\n"
          "soe_func,total,total,655.00\nsoe_func,208,total,5.00\nsoe_func,303,total,650.00", NULL, &f);
    ck_assert_ptr_null(find(&f, "cross.fiscal_gpb_func", "fiscal", "223", NULL));
    ck_assert_ptr_null(find(&f, "cross.fiscal_gpb_func", "fiscal", "208", NULL));
    ck_assert_ptr_nonnull(find(&f, "code.kind", "soe_func", "303", NULL));
    ck_assert_ptr_null(find(&f, "code.unknown_class", "soe_func", "303", NULL));
    findings_clear(&f);
    /* ... but a class the fund tables print is compared with their sum */
    check("fiscal,208,total,16.00\n"
          "gpb_func,total,total,10.00\ngpb_func,208,total,10.00\n"
          "soe_func,total,total,5.00\nsoe_func,208,total,5.00", NULL, &f);
    const finding_t *x = find(&f, "cross.fiscal_gpb_func", "fiscal", "208", "total");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->expected, 15000000);
    ck_assert_int_eq(x->actual, 16000000);
    ck_assert_uint_eq(f.count, 1);
    findings_clear(&f);
    /* summary classes aggregated from 项 rows when the expense table prints no 类 */
    check("summary,210,amount,17.80\nexpense,2101101,total,12.46\nexpense,2101103,total,5.34\n"
          "summary,221,amount,34.00\nexpense,2210201,total,34.70", NULL, &f);
    ck_assert_uint_eq(f.count, 1);
    x = find(&f, "cross.summary_expense_classes", "summary", "221", "amount");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->expected, 34700000);
    findings_clear(&f);
}
END_TEST

START_TEST(test_explanations)
{
    findings_t f;
    check("summary,gpb,amount,1773.19\nsummary,xfer_gpb,amount,1.43\nsummary,income_total,amount,1774.00\n"
          "fiscal,cur_gpb,total,1773.19\nfiscal,income_total,total,1773.19", NULL, &f);
    const finding_t *x = find(&f, "cross.summary_fiscal", "summary", "income_total", "amount");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->expected, 1774620000);
    ck_assert_msg(strstr(x->explanation, "上级转移支付") && strstr(x->explanation, "1.43"), "%s",
                  x->explanation);
    findings_clear(&f);
    /* long sums list 8 parts then the count of the rest */
    check("projects,total,total,1.00\nprojects,P01,total,1.00\nprojects,P02,total,1.00\n"
          "projects,P03,total,1.00\nprojects,P04,total,1.00\nprojects,P05,total,1.00\n"
          "projects,P06,total,1.00\nprojects,P07,total,1.00\nprojects,P08,total,1.00\n"
          "projects,P09,total,1.00\nprojects,P10,total,1.00", NULL, &f);
    x = find(&f, "table.projects_total_row", "projects", "total", "total");
    ck_assert_ptr_nonnull(x);
    ck_assert_msg(strstr(x->explanation, "+ … (2 more) = 10.00"), "%s", x->explanation);
    findings_clear(&f);
}
END_TEST

/* Sums of untrusted figures saturate instead of wrapping: the relation fails, no error. */
START_TEST(test_overflow)
{
    findings_t f;
    check("gpb_func,total,total,9000000000000.00\ngpb_func,208,total,9000000000000.00\n"
          "gpb_func,210,total,9000000000000.00\ngpb_func,221,total,-9000000000000.00\n"
          "gpb_func,222,total,-9000000000000.00\ngpb_func,223,total,-9000000000000.00", NULL, &f);
    const finding_t *x = find(&f, "table.total_row", "gpb_func", "total", "total");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->verdict, VERDICT_MISMATCH);
    findings_clear(&f);
}
END_TEST

static char *write_temp(const char *text, char *path, size_t n)
{
    snprintf(path, n, "/tmp/hz-rules-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

START_TEST(test_settings)
{
    char path[64], err[256];
    write_temp("# local policy\n\ntable.func_sum = warning   # demoted\ncode.malformed=off\n", path,
               sizeof path);
    rule_settings_t *set = rule_settings_load(path, err, sizeof err);
    ck_assert_msg(set != NULL, "%s", err);
    ck_assert_int_eq(rule_settings_severity(set, RULE_TABLE_FUNC_SUM), SEV_WARNING);
    ck_assert_int_eq(rule_settings_severity(set, RULE_CODE_MALFORMED), SEV_OFF);
    ck_assert_int_eq(rule_settings_severity(set, RULE_TABLE_TOTAL_ROW), SEV_ERROR);
    const char *d = rule_settings_describe(set);
    ck_assert_msg(strstr(d, "catalogue " RULES_CATALOGUE_VERSION) && strstr(d, path) &&
                  strstr(d, "blake2b "), "%s", d);
    findings_t f;
    check("income,20801,total,10.50\nincome,208010,total,6.00\nincome,2080109,total,4.00", set, &f);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_str_eq(f.items[0].rule, "table.func_sum");
    ck_assert_int_eq(f.items[0].severity, SEV_WARNING);
    findings_clear(&f);
    rule_settings_destroy(&set);
    ck_assert_ptr_null(set);
    unlink(path);

    /* defaults */
    set = rule_settings_load(NULL, err, sizeof err);
    ck_assert_ptr_nonnull(set);
    ck_assert_str_eq(rule_settings_describe(set), "catalogue " RULES_CATALOGUE_VERSION ", settings defaults");
    ck_assert_int_eq(rule_settings_severity(set, RULE_CODE_MALFORMED), SEV_WARNING);
    rule_settings_destroy(&set);

    /* errors name file and line */
    char want[128];
    write_temp("table.func_sum = error\nno.such = error\n", path, sizeof path);
    ck_assert_ptr_null(rule_settings_load(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:2: unknown rule 'no.such'", path);
    ck_assert_msg(strstr(err, want), "%s", err);
    unlink(path);
    write_temp("\n\ntable.func_sum = loud\n", path, sizeof path);
    ck_assert_ptr_null(rule_settings_load(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:3: rule 'table.func_sum': severity 'loud'", path);
    ck_assert_msg(strstr(err, want), "%s", err);
    unlink(path);
    write_temp("table.func_sum error\n", path, sizeof path);
    ck_assert_ptr_null(rule_settings_load(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:1: expected", path);
    ck_assert_msg(strstr(err, want), "%s", err);
    unlink(path);
    ck_assert_ptr_null(rule_settings_load("/nonexistent/rules.conf", err, sizeof err));
    ck_assert_msg(strstr(err, "/nonexistent/rules.conf"), "%s", err);

    /* two files with different bytes describe differently */
    char p1[64], p2[64];
    write_temp("code.kind = info\n", p1, sizeof p1);
    write_temp("code.kind = info \n", p2, sizeof p2);
    rule_settings_t *a = rule_settings_load(p1, err, sizeof err), *b = rule_settings_load(p2, err, sizeof err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_ne(strstr(rule_settings_describe(a), "blake2b"), strstr(rule_settings_describe(b), "blake2b"));
    rule_settings_destroy(&a);
    rule_settings_destroy(&b);
    unlink(p1);
    unlink(p2);
}
END_TEST

START_TEST(test_docs_generated)
{
    size_t len, n;
    char *buf = testkit_generated(rules_write_markdown, &len);
    char *doc = testkit_read_file(TESTS_DIR "/../docs/rules.md", &n);
    ck_assert_msg(n == len && memcmp(doc, buf, len) == 0,
                  "docs/rules.md differs from rules_write_markdown(): regenerate it");
    const rule_info_t *cat;
    size_t nr = rules_catalogue(&cat);
    for (size_t i = 0; i < nr; i++) ck_assert_ptr_nonnull(strstr(buf, cat[i].id));
    free(doc);
    free(buf);
}
END_TEST

/* ---- level rules ---- */

static child_value_t KIDS3[] = {
    { "u1", "一中心", 1, 100000000 }, { "u2", "二中心", 1, 200000000 }, { "u3", "三中心", 1, 300000000 },
};

START_TEST(test_level_declared_vs_computed)
{
    level_child_t children[] = {
        { "u1", "一中心", LEVEL_UNIT, 1 }, { "u2", "二中心", LEVEL_UNIT, 1 },
        { "u3", "三中心", LEVEL_UNIT, 1 }, { "u4", "四中心", LEVEL_UNIT, 0 },
    };
    level_figure_t figs[2];
    memset(figs, 0, sizeof figs);
    figs[0].fig.key.table = TABLE_GPB_FUNC;
    strcpy(figs[0].fig.key.row, "total");
    figs[0].fig.key.column = COL_TOTAL;
    figs[0].fig.has_declared = 1;
    figs[0].fig.declared = 610000000;            /* declares 610.00 */
    figs[0].fig.has_computed = 1;
    figs[0].fig.computed = 600000000;            /* units sum to 600.00 */
    figs[0].fig.contributors = 3;
    figs[0].nchildren = 3;
    figs[0].children = KIDS3;
    figs[1] = figs[0];
    figs[1].fig.key.column = COL_BASIC;
    figs[1].fig.declared = 600010000;            /* 600.01: within 4 x 0.005 */
    level_view_t v = { "d1", "某部门", LEVEL_DEPARTMENT, 2024, 1, 4, children, 2, figs };
    findings_t f;
    findings_init(&f);
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    const finding_t *x = find(&f, "level.declared_vs_computed", "gpb_func", "total", "total");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->verdict, VERDICT_MISMATCH);
    ck_assert_int_eq(x->severity, SEV_ERROR);
    ck_assert_int_eq(x->expected, 600000000);
    ck_assert_int_eq(x->actual, 610000000);
    ck_assert_uint_eq(x->terms, 4);
    ck_assert_str_eq(x->entity, "d1");
    ck_assert_msg(strstr(x->explanation, "u2 二中心 200.00") && strstr(x->explanation, "partial: 3 of 4"),
                  "%s", x->explanation);
    x = find(&f, "level.declared_vs_computed", "gpb_func", "total", "basic");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->verdict, VERDICT_ROUNDING);
    ck_assert_int_eq(x->severity, SEV_INFO);
    /* missing subordinate */
    const finding_t *m = NULL;
    for (size_t i = 0; i < f.count; i++)
        if (!strcmp(f.items[i].rule, "level.missing_subordinates")) m = &f.items[i];
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->verdict, VERDICT_MISSING);
    ck_assert_int_eq(m->severity, SEV_WARNING);
    ck_assert_str_eq(m->row, "");
    ck_assert_msg(strstr(m->explanation, "u4 四中心"), "%s", m->explanation);
    ck_assert_uint_eq(f.count, 3);
    findings_clear(&f);

    /* all submitted and figures agree: nothing; a figure without computed is not compared */
    children[3].submitted = 1;
    figs[0].fig.declared = 600000000;
    figs[1].fig.declared = 600000000;
    figs[1].fig.has_computed = 0;
    figs[1].fig.declared = 5;
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 0);
    /* nobody submitted anything: no missing finding */
    for (int i = 0; i < 4; i++) children[i].submitted = 0;
    v.declared_any = 0;
    v.nfigures = 0;
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 0);
    findings_clear(&f);
}
END_TEST

START_TEST(test_level_transfers)
{
    level_child_t children[] = { { "u1", "本级", LEVEL_UNIT, 1 }, { "u2", "中心", LEVEL_UNIT, 1 } };
    child_value_t upper[] = { { "u2", "中心", 1, 50000000 } };     /* u2 receives 50.00 */
    child_value_t to_sub[] = { { "u1", "本级", 1, 40000000 } };    /* u1 pays down 40.00 */
    level_figure_t figs[2];
    memset(figs, 0, sizeof figs);
    figs[0].fig.key.table = TABLE_INCOME;
    strcpy(figs[0].fig.key.row, "total");
    figs[0].fig.key.column = COL_UPPER;
    figs[0].fig.has_computed = 1;
    figs[0].fig.computed = 50000000;
    figs[0].fig.contributors = 1;
    figs[0].nchildren = 1;
    figs[0].children = upper;
    figs[1] = figs[0];
    figs[1].fig.key.table = TABLE_EXPENSE;
    figs[1].fig.key.column = COL_TO_SUB;
    figs[1].fig.computed = 40000000;
    figs[1].children = to_sub;
    /* the department declared (else level.not_declared would fire too) */
    level_view_t v = { "d1", "某部门", LEVEL_DEPARTMENT, 2024, 1, 2, children, 2, figs };
    findings_t f;
    findings_init(&f);
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 1);
    const finding_t *x = find(&f, "level.transfer_upper", "income", "total", "upper");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->verdict, VERDICT_MISMATCH);
    ck_assert_int_eq(x->expected, 40000000);
    ck_assert_int_eq(x->actual, 50000000);
    findings_clear(&f);
    to_sub[0].reported = 50000000;
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 0);
    /* upward: u1 pays 5.00 to its upper level, nobody records 附属单位上缴收入 */
    child_value_t to_upper[] = { { "u1", "本级", 1, 5000000 } };
    figs[1].fig.key.column = COL_TO_UPPER;
    figs[1].children = to_upper;
    figs[1].fig.computed = 5000000;
    to_sub[0].reported = 0;
    figs[0].nchildren = 0;
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    x = find(&f, "level.transfer_sub", "income", "total", "sub");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->expected, 5000000);
    ck_assert_int_eq(x->actual, 0);
    findings_clear(&f);
}
END_TEST


/* The nine tables of a 部门预算, each with one figure (the empty ones as the marker). */
#define DEPT_TABLES "summary,expense_total,amount,10.00\nincome,total,total,10.00\n" \
    "expense,total,total,10.00\nfiscal,expense_total,total,10.00\ngpb_func,total,total,10.00\n" \
    "gpb_econ,total,basic,10.00\nthree_public,total,amount,0\ngfb_func,total,total,0\n" \
    "soe_func,total,total,0"

static void check_as(const char *spec, entity_level l, const rule_settings_t *set, findings_t *out)
{
    submission_t *s = build("t001", spec);
    findings_init(out);
    ck_assert_int_eq(rules_check_entity(s, l, set, out), 0);
    submission_destroy(&s);
}

static size_t count_rule(const findings_t *f, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) n += strcmp(f->items[i].rule, rule) == 0;
    return n;
}

/* The bound of one rule's findings in one submission (RULES_FINDINGS_PER_RULE): at the
 * bound every finding is listed; one over it, the rest of the rule are ONE summary in
 * Chinese that counts them and names the first not listed. */
static submission_t *malformed_rows(size_t n)
{
    submission_t *s = submission_new("t001", 2024);
    for (size_t i = 0; i < n; i++) {
        char row[16];
        snprintf(row, sizeof row, "r%zu", i + 1);
        ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, row, COL_TOTAL, 100, "名称", (uint32_t)i + 2), 0);
    }
    submission_new_id(s->id);
    char err[256];
    ck_assert_msg(submission_validate(s, err, sizeof err) == 0, "%s", err);
    return s;
}

START_TEST(test_findings_bound)
{
    findings_t f;
    submission_t *s = malformed_rows(RULES_FINDINGS_PER_RULE);
    findings_init(&f);
    ck_assert_int_eq(rules_check(s, NULL, &f), 0);
    ck_assert_uint_eq(count_rule(&f, "code.malformed"), RULES_FINDINGS_PER_RULE);
    for (size_t i = 0; i < f.count; i++)
        ck_assert(!f.items[i].explanation || !strstr(f.items[i].explanation, "未逐条列出"));
    findings_clear(&f);
    submission_destroy(&s);

    s = malformed_rows(RULES_FINDINGS_PER_RULE + 1500);
    findings_init(&f);
    ck_assert_int_eq(rules_check(s, NULL, &f), 0);
    ck_assert_uint_eq(count_rule(&f, "code.malformed"), RULES_FINDINGS_PER_RULE + 1);
    const finding_t *sum = NULL;
    size_t listed = 0;
    for (size_t i = 0; i < f.count; i++) {
        const finding_t *x = &f.items[i];
        if (strcmp(x->rule, "code.malformed") != 0) continue;
        if (x->row[0]) { listed++; ck_assert_ptr_null(sum); continue; }   /* listed ones come first */
        sum = x;
    }
    ck_assert_uint_eq(listed, RULES_FINDINGS_PER_RULE);
    ck_assert_ptr_nonnull(sum);
    ck_assert_int_eq(sum->severity, SEV_WARNING);
    ck_assert_int_eq(sum->verdict, VERDICT_MALFORMED);
    ck_assert_int_eq(sum->table, TABLE_EXPENSE);
    ck_assert_msg(strstr(sum->explanation, "另有 1500 条") && strstr(sum->explanation, "警告 1500 条") &&
                  strstr(sum->explanation, "未列出的第一条在 部门支出总表 行 r"), "%s", sum->explanation);
    findings_clear(&f);
    submission_destroy(&s);
}
END_TEST

START_TEST(test_table_required)
{
    findings_t f;
    /* all nine, the fund tables as empty markers: nothing missing */
    check_as(DEPT_TABLES, LEVEL_DEPARTMENT, NULL, &f);
    ck_assert_uint_eq(count_rule(&f, "table.required"), 0);
    findings_clear(&f);
    /* without gpb_econ (the 基本支出经济分类表): flagged by its Chinese name */
    check_as("summary,expense_total,amount,10.00\nincome,total,total,10.00\n"
             "expense,total,total,10.00\nfiscal,expense_total,total,10.00\ngpb_func,total,total,10.00\n"
             "three_public,total,amount,0\ngfb_func,total,total,0\nsoe_func,total,total,0",
             LEVEL_DEPARTMENT, NULL, &f);
    ck_assert_uint_eq(f.count, 1);
    const finding_t *x = find(&f, "table.required", "gpb_econ", "", NULL);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->verdict, VERDICT_MISSING);
    ck_assert_int_eq(x->severity, SEV_ERROR);
    ck_assert_msg(strstr(x->explanation, "缺少应公开的表“一般公共预算(基本)支出表(经济分类)”"), "%s", x->explanation);
    findings_clear(&f);
    /* a unit, and an unknown level, publish no required table by default */
    check_as("gpb_func,total,total,10.00", LEVEL_UNIT, NULL, &f);
    ck_assert_uint_eq(f.count, 0);
    findings_clear(&f);
    check("gpb_func,total,total,10.00", NULL, &f);
    ck_assert_uint_eq(f.count, 0);
    findings_clear(&f);
    /* settings: require.unit and require.department = none */
    char path[64], err[256];
    write_temp("require.unit = gpb_func, projects\nrequire.department = none\n", path, sizeof path);
    rule_settings_t *set = rule_settings_load(path, err, sizeof err);
    ck_assert_msg(set != NULL, "%s", err);
    unlink(path);
    ck_assert_uint_eq(rule_settings_required(set, LEVEL_DEPARTMENT), 0);
    check_as("gpb_func,total,total,10.00", LEVEL_UNIT, set, &f);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_ptr_nonnull(find(&f, "table.required", "projects", "", NULL));
    findings_clear(&f);
    check_as("gpb_func,total,total,10.00", LEVEL_DEPARTMENT, set, &f);
    ck_assert_uint_eq(f.count, 0);
    findings_clear(&f);
    rule_settings_destroy(&set);
    /* errors name file, line and what is wrong */
    write_temp("require.county = summary\n", path, sizeof path);
    ck_assert_ptr_null(rule_settings_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, ":1: 'require.county': unknown level 'county'"), "%s", err);
    unlink(path);
    write_temp("\nrequire.unit = summary,tables\n", path, sizeof path);
    ck_assert_ptr_null(rule_settings_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, ":2: 'require.unit': unknown table 'tables'"), "%s", err);
    unlink(path);
}
END_TEST

START_TEST(test_code_unknown)
{
    static const char chart_text[] =
        "# a comment\nkind,code,name,first_year,last_year\n"
        "func,210,卫生健康支出,,\nfunc,21015,医疗保障管理事务,2019,\n"
        "func,2101501,行政运行,2019,\nfunc,2101599,其他医疗保障管理事务支出,2019,2022\n"
        "econ,302,商品和服务支出,,\n";
    char err[1024];
    chart_t *chart = chart_load_buffer("chart.csv", chart_text, strlen(chart_text), err, sizeof err);
    ck_assert_msg(chart != NULL, "%s", err);
    ck_assert_uint_eq(chart_count(chart), 5);
    ck_assert_str_eq(chart_name(chart, CODE_FUNCTION, "2101501", 2024), "行政运行");
    ck_assert_ptr_null(chart_name(chart, CODE_FUNCTION, "2101599", 2024));
    ck_assert_ptr_null(chart_name(chart, CODE_ECONOMIC, "210", 2024));
    rule_settings_t *set = rule_settings_load(NULL, err, sizeof err);
    rule_settings_set_chart(set, chart);
    findings_t f;
    /* 2101588: no such 项 */
    check("gpb_func,21015,total,3.00,医疗保障管理事务\ngpb_func,2101501,total,2.00,行政运行\n"
          "gpb_func,2101588,total,1.00,医疗保障经办", set, &f);
    ck_assert_uint_eq(f.count, 1);
    const finding_t *x = find(&f, "code.unknown", "gpb_func", "2101588", NULL);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->severity, SEV_ERROR);
    ck_assert_uint_eq(x->line, 4);
    ck_assert_msg(strstr(x->explanation, "项 2101588 不在 2024 年度支出功能分类科目表中"), "%s", x->explanation);
    findings_clear(&f);
    /* a code the chart lists for other years only says so; a name that contradicts the
     * chart's is code.name_mismatch */
    check("gpb_func,21015,total,1.00,医疗保障管理事务\ngpb_func,2101599,total,1.00\n"
          "gpb_func,2101501,total,0.00,事业运行", set, &f);
    x = find(&f, "code.unknown", "gpb_func", "2101599", NULL);
    ck_assert_ptr_nonnull(x);
    ck_assert_msg(strstr(x->explanation, "（科目表中仅 2019–2022 年度有此科目）"), "%s", x->explanation);
    x = find(&f, "code.name_mismatch", "gpb_func", "2101501", NULL);
    ck_assert_ptr_nonnull(x);
    ck_assert_msg(strstr(x->explanation, "国家名称“行政运行”"), "%s", x->explanation);
    findings_clear(&f);
    /* without a chart: not checked */
    check("gpb_func,21015,total,1.00\ngpb_func,2101588,total,1.00", NULL, &f);
    ck_assert_uint_eq(count_rule(&f, "code.unknown"), 0);
    findings_clear(&f);
    rule_settings_destroy(&set);
    chart_destroy(&chart);
    ck_assert_ptr_null(chart);
    /* every error of a bad chart file is reported, with its line */
    static const char bad[] = "kind,code,name,first_year,last_year\nfunk,210,x,,\n"
                              "func,21015x,y,,\nfunc,210,z,2024,2020\nfunc,208,a,,\nfunc,208,b,2020,\n";
    ck_assert_ptr_null(chart_load_buffer("c.csv", bad, strlen(bad), err, sizeof err));
    ck_assert_msg(strstr(err, "c.csv:2: kind 'funk' is not func or econ"), "%s", err);
    ck_assert_msg(strstr(err, "c.csv:3: code '21015x' is not a func code"), "%s", err);
    ck_assert_msg(strstr(err, "c.csv:4: last_year 2020 is before first_year 2024"), "%s", err);
    ck_assert_msg(strstr(err, "code func 208 is listed twice for overlapping years"), "%s", err);
}
END_TEST

/* The shipped chart (examples/chart.csv) lists every code of the seeds: 2101588 is not. */
START_TEST(test_shipped_chart)
{
    char err[2048];
    chart_t *chart = chart_load(EXAMPLES_DIR "/chart.csv", err, sizeof err);
    ck_assert_msg(chart != NULL, "%s", err);
    ck_assert_ptr_null(chart_name(chart, CODE_FUNCTION, "2101588", 2024));
    ck_assert_str_eq(chart_name(chart, CODE_FUNCTION, "2101501", 2024), "行政运行");
    ck_assert_str_eq(chart_name(chart, CODE_ECONOMIC, "30217", 2023), "公务接待费");
    rule_settings_t *set = rule_settings_load(NULL, err, sizeof err);
    rule_settings_set_chart(set, chart);
    findings_t f;
    check("gpb_func,21015,total,1.00,医疗保障管理事务\ngpb_func,2101588,total,1.00", set, &f);
    ck_assert_ptr_nonnull(find(&f, "code.unknown", "gpb_func", "2101588", NULL));
    findings_clear(&f);
    rule_settings_destroy(&set);
    chart_destroy(&chart);
}
END_TEST

START_TEST(test_versions)
{
    submission_t *prev = build("t001", "summary,income_total,amount,3311.22\nsummary,expense_total,amount,3311.22\n"
                                       "gpb_func,total,total,10.00\ngpb_func,2101501,total,6.00,行政运行\n"
                                       "gpb_func,2101550,total,4.00,事业运行");
    submission_t *next = build("t001", "gpb_func,total,total,10.00\ngpb_func,2101501,total,10.00,行政运行");
    findings_t f;
    findings_init(&f);
    ck_assert_int_eq(rules_check_versions(prev, 2, next, NULL, &f), 0);
    if (f.count != 2) dump(&f);
    ck_assert_uint_eq(f.count, 2);
    /* the whole 收支总表: one finding, naming it and its previous 支出总计 */
    const finding_t *x = find(&f, "version.table_withdrawn", "summary", "", NULL);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->severity, SEV_ERROR);
    ck_assert_int_eq(x->verdict, VERDICT_MISSING);
    ck_assert_int_eq(x->expected, 3311220000LL);
    ck_assert_int_eq(x->actual, 0);
    ck_assert_msg(strstr(x->explanation, "新版本缺少整张“部门收支总表”") && strstr(x->explanation, "v2") &&
                  strstr(x->explanation, "3311.22"), "%s", x->explanation);
    /* a figure of a table still printed */
    x = find(&f, "version.figure_withdrawn", "gpb_func", "2101550", "total");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->severity, SEV_WARNING);
    ck_assert_int_eq(x->expected, 4000000);
    ck_assert_msg(strstr(x->explanation, "上一版本 v2 为 4.00 万元"), "%s", x->explanation);
    findings_clear(&f);
    /* nothing dropped: nothing found */
    ck_assert_int_eq(rules_check_versions(next, 3, next, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 0);
    submission_destroy(&prev);
    submission_destroy(&next);
}
END_TEST

START_TEST(test_level_not_declared)
{
    level_child_t children[] = { { "335001", "本级", LEVEL_UNIT, 1 } };
    level_view_t v = { "335", "达州市医疗保障事务中心", LEVEL_DEPARTMENT, 2023, 0, 1, children, 0, NULL };
    findings_t f;
    findings_init(&f);
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 1);
    const finding_t *x = &f.items[0];
    ck_assert_str_eq(x->rule, "level.not_declared");
    ck_assert_str_eq(x->entity, "335");
    ck_assert_str_eq(x->row, "");
    ck_assert_int_eq(x->verdict, VERDICT_MISSING);
    ck_assert_int_eq(x->severity, SEV_ERROR);
    ck_assert_msg(strstr(x->explanation, "335 达州市医疗保障事务中心（部门）未申报 2023 年度数据，而 1 个下级已报送：335001"),
                  "%s", x->explanation);
    findings_clear(&f);
    /* declared: nothing; nobody submitted: nothing; a district need not declare */
    v.declared_any = 1;
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 0);
    v.declared_any = 0;
    children[0].submitted = 0;
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 0);
    children[0].submitted = 1;
    v.level = LEVEL_DISTRICT;
    ck_assert_int_eq(rules_check_level(&v, NULL, &f), 0);
    ck_assert_uint_eq(f.count, 0);
    findings_clear(&f);
}
END_TEST

static Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_rule_pass_fail, 0, NCASES);
    tcase_add_test(tc, test_every_rule_has_a_case);
    tcase_add_test(tc, test_rounding_is_info);
    tcase_add_test(tc, test_malformed_no_cascade);
    tcase_add_test(tc, test_skips);
    tcase_add_test(tc, test_explanations);
    tcase_add_test(tc, test_overflow);
    tcase_add_test(tc, test_settings);
    tcase_add_test(tc, test_docs_generated);
    tcase_add_test(tc, test_level_declared_vs_computed);
    tcase_add_test(tc, test_level_transfers);
    tcase_add_test(tc, test_table_required);
    tcase_add_test(tc, test_code_unknown);
    tcase_add_test(tc, test_shipped_chart);
    tcase_add_test(tc, test_versions);
    tcase_add_test(tc, test_level_not_declared);
    tcase_add_test(tc, test_findings_bound);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testkit_run(rules_suite());
}
