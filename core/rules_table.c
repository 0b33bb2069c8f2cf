/* rules_table.c -- rules within one table: code sums, column identities, fixed-row totals
 * (table.*). Each family is registered in rules.c; invariants in rules_engine.h.
 */
#include "rules_engine.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* ---- code sums ---- */

/* Parent = sum of printed children, and total = sum of roots, column by column. */
static void check_hierarchy(rules_ctx_t *cx, table_id t, rule_id sum_rule)
{
    rules_tab_t *tb = &cx->tab[t];
    if (!tb->first) return;          /* empty table, or no memory (cx->err is set) */
    int total = rules_row_index(tb, TABLE_ROW_TOTAL);
    for (int c = COL_NONE + 1; c < COL_COUNT; c++) {
        if (!rules_table_prints(cx, t, (column_id)c)) continue;
        /* p = -1 stands for the total row, whose parts are the roots */
        for (int p = -1; p < (int)tb->n; p++) {
            const rules_row_t *pr = p < 0 ? (total >= 0 ? &tb->rows[total] : NULL) : &tb->rows[p];
            if (!pr || !ROW_HAS(pr, c) || (p >= 0 && pr->parent == RULES_EXCLUDED)) continue;
            rules_rel_t r;
            rules_rel_init(&r, p < 0 ? RULE_TABLE_TOTAL_ROW : sum_rule, t, pr->row, (column_id)c,
                           pr->v[c], pr->line[c]);
            rules_rel_lhs_unit(&r, pr->unit[c]);
            r.lhs_row = pr;                  /* its label only if the sum fails */
            for (int k = p < 0 ? tb->roots : tb->first[p]; k >= 0; k = tb->next[k]) {
                const rules_row_t *ch = &tb->rows[k];
                if (!ROW_HAS(ch, c)) continue;
                rules_rel_part_ref(cx, &r, rules_part_label_ref(t, ch), ch->v[c], ch->unit[c]);
            }
            if (r.nparts == 0) { rules_rel_drop(&r); continue; }
            rules_rel_check(cx, &r);
        }
    }
}

void rules_code_sums(rules_ctx_t *cx, table_id t)
{
    row_kind rk = table_row_kind(t);
    if (rk == ROWS_FUNCTION) check_hierarchy(cx, t, RULE_TABLE_FUNC_SUM);
    else if (rk == ROWS_ECONOMIC) check_hierarchy(cx, t, RULE_TABLE_ECON_SUM);
}

/* ---- column identities within a row ---- */

/* For every row printing lhs and at least one part: lhs = sum of the printed parts. */
static void check_columns(rules_ctx_t *cx, table_id t, rule_id rule, column_id lhs,
                          const column_id *parts, size_t nparts)
{
    rules_tab_t *tb = &cx->tab[t];
    for (size_t i = 0; i < tb->n; i++) {
        const rules_row_t *row = &tb->rows[i];
        if (!ROW_HAS(row, lhs)) continue;
        rules_rel_t r;
        rules_rel_init(&r, rule, t, row->row, lhs, row->v[lhs], row->line[lhs]);
        rules_rel_lhs_unit(&r, row->unit[lhs]);
        r.ctx_row = row;                     /* its label only if the identity fails */
        rules_label_copy(r.lhs, sizeof r.lhs, column_label(t, lhs));
        for (size_t k = 0; k < nparts; k++)
            if (ROW_HAS(row, parts[k]))
                rules_rel_part_ref(cx, &r, column_label(t, parts[k]), row->v[parts[k]], row->unit[parts[k]]);
        if (r.nparts == 0) { rules_rel_drop(&r); continue; }
        rules_rel_check(cx, &r);
    }
}

/* total = every other column of the table (tables.c lists total first): the expense,
 * income, projects and fiscal tables are printed as a total and its parts. */
static void check_total_of_columns(rules_ctx_t *cx, table_id t, rule_id rule)
{
    column_id cols[COL_COUNT];
    int n = table_columns(t, cols);
    assert(n > 0 && cols[0] == COL_TOTAL);
    check_columns(cx, t, rule, COL_TOTAL, cols + 1, (size_t)n - 1);
}

void rules_expense_columns(rules_ctx_t *cx, table_id t)
{
    (void)t;
    check_total_of_columns(cx, TABLE_EXPENSE, RULE_TABLE_EXPENSE_COLUMNS);
}

void rules_basic_split(rules_ctx_t *cx, table_id t)
{
    static const column_id SPLIT[] = { COL_BASIC, COL_PROJECT };
    static const column_id BASIC[] = { COL_PERSONNEL, COL_PUBLIC };
    static const table_id TABLES[] = { TABLE_GPB_FUNC, TABLE_GFB_FUNC, TABLE_SOE_FUNC, TABLE_GPB_ECON };
    (void)t;
    for (size_t i = 0; i < RULES_N(TABLES); i++) {
        table_id tt = TABLES[i];
        /* A basic-only economic table has no project column: its total is not basic + 0. */
        if (tt != TABLE_GPB_ECON || rules_table_prints(cx, tt, COL_PROJECT))
            check_columns(cx, tt, RULE_TABLE_BASIC_SPLIT, COL_TOTAL, SPLIT, RULES_N(SPLIT));
        check_columns(cx, tt, RULE_TABLE_BASIC_SPLIT, COL_BASIC, BASIC, RULES_N(BASIC));
    }
}

void rules_funding_split(rules_ctx_t *cx, table_id t)
{
    static const column_id FUNDING[] = { COL_CURRENT, COL_CARRY };
    (void)t;
    check_columns(cx, TABLE_GPB_FUNC, RULE_TABLE_FUNDING_SPLIT, COL_TOTAL, FUNDING, RULES_N(FUNDING));
}

void rules_income_sources(rules_ctx_t *cx, table_id t)
{
    (void)t;
    check_total_of_columns(cx, TABLE_INCOME, RULE_TABLE_INCOME_SOURCES);
}

void rules_project_sources(rules_ctx_t *cx, table_id t)
{
    (void)t;
    check_total_of_columns(cx, TABLE_PROJECTS, RULE_TABLE_PROJECT_SOURCES);
}

void rules_fiscal_columns(rules_ctx_t *cx, table_id t)
{
    (void)t;
    check_total_of_columns(cx, TABLE_FISCAL, RULE_TABLE_FISCAL_COLUMNS);
}

/* ---- fixed-row tables ---- */

static bool rows_contain(table_rows_t rows, const char *row, const char *lhs)
{
    int k = table_rows_index(rows, row);
    return k >= 0 && (!rows.parents || strcmp(rows.parents[k], lhs) == 0);
}

void rules_check_rows(rules_ctx_t *cx, rule_id rule, table_id t, const char *lhs, column_id c,
                      table_rows_t rows, bool classes)
{
    const rules_row_t *l = rules_fig(cx, t, lhs, c);
    if (!l) return;
    rules_rel_t r;
    rules_rel_init(&r, rule, t, lhs, c, l->v[c], l->line[c]);
    rules_rel_lhs_unit(&r, l->unit[c]);
    rules_row_label(t, l, r.lhs, sizeof r.lhs);
    const rules_tab_t *tb = &cx->tab[t];
    for (size_t i = 0; i < tb->n; i++) {
        const rules_row_t *row = &tb->rows[i];
        if (!ROW_HAS(row, c)) continue;
        if (!(classes && code_is_numeric(row->row)) && !rows_contain(rows, row->row, lhs)) continue;
        rules_rel_part_ref(cx, &r, rules_part_label_ref(t, row), row->v[c], row->unit[c]);
    }
    if (r.nparts == 0) { rules_rel_drop(&r); return; }
    rules_rel_check(cx, &r);
}

static const table_rows_t NO_ROWS = { NULL, NULL, NULL, 0 };

void rules_summary_totals(rules_ctx_t *cx, table_id t)
{
    static const char *const CARRY_OUT[] = { TABLE_ROW_CARRY_OUT };
    (void)t;
    rules_check_rows(cx, RULE_TABLE_SUMMARY_TOTALS, TABLE_SUMMARY, TABLE_ROW_INCOME_TOTAL,
                     COL_AMOUNT, TABLE_SUMMARY_SOURCES, false);
    rules_check_rows(cx, RULE_TABLE_SUMMARY_TOTALS, TABLE_SUMMARY, TABLE_ROW_EXPENSE_TOTAL,
                     COL_AMOUNT, RULES_ROWS(CARRY_OUT), true);
}

void rules_fiscal_totals(rules_ctx_t *cx, table_id t)
{
    (void)t;
    for (int c = COL_NONE + 1; c < COL_COUNT; c++) {
        if (!rules_table_prints(cx, TABLE_FISCAL, (column_id)c)) continue;
        rules_check_rows(cx, RULE_TABLE_FISCAL_TOTALS, TABLE_FISCAL, TABLE_ROW_INCOME_TOTAL,
                         (column_id)c, TABLE_FISCAL_INCOME, false);
        rules_check_rows(cx, RULE_TABLE_FISCAL_TOTALS, TABLE_FISCAL, TABLE_ROW_EXPENSE_TOTAL,
                         (column_id)c, NO_ROWS, true);
    }
}

/* A two-sided table balances: expense_total = income_total in column c. */
static void check_balance(rules_ctx_t *cx, rule_id rule, table_id t, column_id c)
{
    static const char *const INCOME_TOTAL[] = { TABLE_ROW_INCOME_TOTAL };
    rules_check_rows(cx, rule, t, TABLE_ROW_EXPENSE_TOTAL, c, RULES_ROWS(INCOME_TOTAL), false);
}

void rules_fiscal_balance(rules_ctx_t *cx, table_id t)
{
    (void)t;
    check_balance(cx, RULE_TABLE_FISCAL_BALANCE, TABLE_FISCAL, COL_TOTAL);
}

/* cross.summary_balance (catalogued with the cross rules; it reads the summary only). */
void rules_summary_balance(rules_ctx_t *cx, table_id t)
{
    (void)t;
    check_balance(cx, RULE_CROSS_SUMMARY_BALANCE, TABLE_SUMMARY, COL_AMOUNT);
}

/* Projects: 合计 = sum of the projects, column by column. */
void rules_projects_total_row(rules_ctx_t *cx, table_id t)
{
    (void)t;
    const rules_tab_t *pt = &cx->tab[TABLE_PROJECTS];
    int tot = rules_row_index(pt, TABLE_ROW_TOTAL);
    for (int c = COL_NONE + 1; tot >= 0 && c < COL_COUNT; c++) {
        const rules_row_t *tr = &pt->rows[tot];
        if (!ROW_HAS(tr, c)) continue;
        rules_rel_t r;
        rules_rel_init(&r, RULE_TABLE_PROJECTS_TOTAL_ROW, TABLE_PROJECTS, TABLE_ROW_TOTAL,
                       (column_id)c, tr->v[c], tr->line[c]);
        rules_rel_lhs_unit(&r, tr->unit[c]);
        snprintf(r.lhs, sizeof r.lhs, "合计");
        for (size_t i = 0; i < pt->n; i++)
            if ((int)i != tot && ROW_HAS(&pt->rows[i], c))
                rules_rel_part_ref(cx, &r, pt->rows[i].row, pt->rows[i].v[c], pt->rows[i].unit[c]);
        if (r.nparts == 0) { rules_rel_drop(&r); continue; }
        rules_rel_check(cx, &r);
    }
}
