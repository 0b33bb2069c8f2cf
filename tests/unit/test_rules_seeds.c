/* test_rules_seeds.c -- the rules on the four real seed budgets (the CSV files in examples/).
 *
 * Asserts the EXACT set of MISMATCH and MALFORMED findings each submission produces (every
 * one checked by hand against the seed CSV and examples/README.md, see docs/seed-findings.md),
 * that the rounding slips of the documents are ROUNDING/info and never errors, and how many
 * there are.
 */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "csv.h"
#include "rules.h"

typedef struct {
    const char *rule, *table, *row, *col;   /* col "" = COL_NONE */
    verdict_t verdict;
    const char *expected, *actual;
} want_t;

static const want_t SUZHOU[] = {
    { "code.malformed", "income", "201999", "", VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.malformed", "income", "208010", "", VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.malformed", "income", "208050", "", VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.malformed", "income", "208999", "", VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.malformed", "income", "210019", "", VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.malformed", "income", "210159", "", VERDICT_MALFORMED, "0.00", "0.00" },
    /* 表9 prints 1.43 as 单位资金, but the income table has no own income at all */
    { "cross.project_funding_cover", "projects", "total", "unit_funds", VERDICT_MISMATCH, "0.00", "1.43" },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL }
};

static const want_t DONGXIHU_DEPT[] = {
    { "code.kind", "soe_func", "303", "", VERDICT_MALFORMED, "0.00", "0.00" },
    { "code.kind", "soe_func", "30399", "", VERDICT_MALFORMED, "0.00", "0.00" },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL }
};

static const want_t NONE[] = { { NULL, NULL, NULL, NULL, 0, NULL, NULL } };

typedef struct {
    const char *file, *entity;
    const want_t *want;
    size_t rounding;          /* ROUNDING findings (info) */
} seed_case_t;

static const seed_case_t SEEDS[] = {
    { "suzhou-2024.csv", "608", SUZHOU, 20 },
    { "dazhou-2023.csv", "335", NONE, 13 },
    { "dazhou-2023.csv", "335001", NONE, 11 },
    { "dongxihu-2024.csv", "026", DONGXIHU_DEPT, 9 },
    { "dongxihu-2024.csv", "026001", NONE, 0 },
    { "ningde-2024.csv", "nd-ybj", NONE, 0 },
};

#define NSEEDS (sizeof SEEDS / sizeof SEEDS[0])

static void run_seed(const seed_case_t *c, findings_t *f)
{
    submission_list_t list;
    submission_list_init(&list);
    char err[512];
    char path[512];
    snprintf(path, sizeof path, "%s/%s", EXAMPLES_DIR, c->file);
    ck_assert_msg(csv_read_file(path, CSV_ENCODING_UTF8, &list, err, sizeof err) == 0, "%s", err);
    submission_t *s = NULL;
    for (size_t i = 0; i < list.count; i++)
        if (strcmp(list.items[i]->entity, c->entity) == 0) s = list.items[i];
    ck_assert_msg(s != NULL, "%s: no entity %s", c->file, c->entity);
    ck_assert_msg(submission_validate(s, err, sizeof err) == 0, "%s", err);
    findings_init(f);
    ck_assert_int_eq(rules_check(s, NULL, f), 0);
    submission_list_free(&list);
}

START_TEST(test_seed_findings)
{
    const seed_case_t *c = &SEEDS[_i];
    findings_t f;
    run_seed(c, &f);
    size_t nwant = 0, nbad = 0, nround = 0;
    for (const want_t *w = c->want; w->rule; w++) nwant++;
    for (size_t i = 0; i < f.count; i++) {
        const finding_t *x = &f.items[i];
        ck_assert_str_eq(x->entity, c->entity);
        if (x->verdict == VERDICT_ROUNDING) {
            ck_assert_msg(x->severity == SEV_INFO, "%s: ROUNDING reported as %s: %s", c->entity,
                          severity_name(x->severity), x->explanation);
            /* a rounding slip is at most terms x 0.005 万元 and never zero */
            int64_t d = x->expected - x->actual;
            if (d < 0) d = -d;
            ck_assert(d > 0 && d <= (int64_t)x->terms * AMOUNT_HALF_PRINTED_UNIT);
            nround++;
            continue;
        }
        nbad++;
        int matched = 0;
        for (const want_t *w = c->want; w->rule; w++) {
            column_id col = w->col[0] ? column_from_name(w->col) : COL_NONE;
            char e[AMOUNT_BUF], a[AMOUNT_BUF];
            if (strcmp(w->rule, x->rule) == 0 && table_from_name(w->table) == x->table &&
                strcmp(w->row, x->row) == 0 && col == x->column && w->verdict == x->verdict &&
                strcmp(w->expected, amount_format(x->expected, e)) == 0 &&
                strcmp(w->actual, amount_format(x->actual, a)) == 0)
                matched = 1;
        }
        ck_assert_msg(matched, "%s: unexpected finding %s %s %s/%s/%s: %s", c->entity, x->rule,
                      verdict_name(x->verdict), table_name(x->table), x->row,
                      column_name(x->column), x->explanation);
        ck_assert_uint_gt(x->line, 0);
        ck_assert_ptr_nonnull(x->explanation);
    }
    ck_assert_msg(nbad == nwant, "%s: %zu findings, want %zu", c->entity, nbad, nwant);
    ck_assert_msg(nround == c->rounding, "%s: %zu ROUNDING findings, want %zu", c->entity, nround,
                  c->rounding);
    findings_clear(&f);
}
END_TEST

/* Spot checks of the arithmetic a finance officer would read. */
START_TEST(test_seed_explanations)
{
    findings_t f;
    run_seed(&SEEDS[0], &f);
    const finding_t *r = NULL, *p = NULL;
    for (size_t i = 0; i < f.count; i++) {
        const finding_t *x = &f.items[i];
        if (!strcmp(x->rule, "table.func_sum") && x->table == TABLE_GPB_FUNC &&
            !strcmp(x->row, "20805") && x->column == COL_TOTAL)
            r = x;
        if (!strcmp(x->rule, "cross.project_funding_cover")) p = x;
    }
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(strstr(r->explanation,
                         "20805 行政事业单位养老支出 149.06 ≠ 2080505 99.18 + 2080506 49.89 = 149.07 → 舍入差"),
                  "%s", r->explanation);
    ck_assert_uint_eq(r->line, 30);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->severity, SEV_ERROR);
    ck_assert_uint_eq(p->line, 245);
    ck_assert_msg(strstr(p->explanation, "单位资金") && strstr(p->explanation, "1.43"), "%s", p->explanation);
    findings_clear(&f);
}
END_TEST

static Suite *seeds_suite(void)
{
    Suite *s = suite_create("rules_seeds");
    TCase *tc = tcase_create("seeds");
    tcase_add_loop_test(tc, test_seed_findings, 0, NSEEDS);
    tcase_add_test(tc, test_seed_explanations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testkit_run(seeds_suite());
}
