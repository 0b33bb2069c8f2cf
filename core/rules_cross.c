/* rules_cross.c -- rules between the tables of one submission (cross.*): the summary
 * against the income, expense and fiscal tables, the fiscal table against the fund tables,
 * economic against function classification, 三公 and projects. Each family is registered
 * in rules.c; invariants in rules_engine.h (invariant 3 names the relations here that are
 * judged with one side not printed).
 */
#include "rules_engine.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "amount.h"

/* Class totals of a function table in column c, from the printed class rows or, where a
 * class is not printed, from the top printed rows under it (their leading 3 digits). */
typedef struct { char cls[4]; int64_t v; uint32_t n; } classsum_t;

static size_t class_sums(const rules_ctx_t *cx, table_id t, column_id c, classsum_t *out, size_t max)
{
    const rules_tab_t *tb = &cx->tab[t];
    size_t n = 0;
    for (size_t i = 0; i < tb->n; i++) {
        const rules_row_t *r = &tb->rows[i];
        char cls[4];
        if (r->parent != RULES_ROOT || !ROW_HAS(r, c) || !rules_class_prefix(r->row, cls)) continue;
        if (!code_class_exists(CODE_FUNCTION, cls)) continue;   /* e.g. economic codes */
        size_t k = 0;
        while (k < n && strcmp(out[k].cls, cls) != 0) k++;
        if (k == n) {
            if (n == max) continue;
            memcpy(out[n].cls, cls, 4);
            out[n].v = 0;
            out[n++].n = 0;
        }
        out[k].v = rules_sat_add(out[k].v, r->v[c]);
        out[k].n++;
    }
    return n;
}

#define MAXCLASSES 64           /* distinct 3-digit classes one table may print */
#define MAX_CLASS_SOURCES 3     /* fund tables a fiscal class is compared with */

/* "部门支出总表 208 类下所列 2 行 (2080109 367.04 + 2080505 41.96)": the rows a class total
 * was aggregated from, so the officer can redo the sum. */
static void class_rows_label(const rules_ctx_t *cx, table_id t, const char *cls, uint32_t n,
                             char *out, size_t len)
{
    const rules_tab_t *tb = &cx->tab[t];
    size_t o = (size_t)snprintf(out, len, "%s %s 类下所列 %u 行 (", table_label(t), cls, n);
    uint32_t shown = 0;
    for (size_t i = 0; i < tb->n && o < len; i++) {
        const rules_row_t *r = &tb->rows[i];
        if (r->parent != RULES_ROOT || !ROW_HAS(r, COL_TOTAL) || strncmp(r->row, cls, 3) != 0) continue;
        char a[AMOUNT_BUF];
        if (shown == 6) { o += (size_t)snprintf(out + o, len - o, " + …"); break; }
        o += (size_t)snprintf(out + o, len - o, "%s%s %s", shown++ ? " + " : "", r->row,
                              amount_format(r->v[COL_TOTAL], a));
    }
    if (o < len) snprintf(out + o, len - o, ")");
}

static int classsum_find(const classsum_t *a, size_t n, const char *cls)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].cls, cls) == 0) return (int)i;
    return -1;
}

/* Compares a fixed-row table's class rows (column tc) with class sums from other tables. */
static void compare_classes(rules_ctx_t *cx, rule_id rule, table_id t, column_id tc,
                            const table_id *src, size_t nsrc, bool only_src_classes,
                            const char *src_label)
{
    classsum_t sums[MAX_CLASS_SOURCES][MAXCLASSES];
    size_t ns[MAX_CLASS_SOURCES] = { 0 };
    assert(nsrc <= MAX_CLASS_SOURCES);
    char all[MAXCLASSES * 2][4];
    size_t nall = 0;
    for (size_t k = 0; k < nsrc; k++) {
        ns[k] = class_sums(cx, src[k], COL_TOTAL, sums[k], MAXCLASSES);
        for (size_t i = 0; i < ns[k]; i++) {
            size_t j = 0;
            while (j < nall && strcmp(all[j], sums[k][i].cls) != 0) j++;
            if (j == nall && nall < MAXCLASSES * 2) memcpy(all[nall++], sums[k][i].cls, 4);
        }
    }
    if (nall == 0) return;          /* the other tables print no class breakdown */
    const rules_tab_t *tb = &cx->tab[t];
    if (!only_src_classes)
        for (size_t i = 0; i < tb->n; i++) {
            const rules_row_t *r = &tb->rows[i];
            if (!code_is_numeric(r->row) || strlen(r->row) != 3 || !ROW_HAS(r, tc)) continue;
            size_t j = 0;
            while (j < nall && strcmp(all[j], r->row) != 0) j++;
            if (j == nall && nall < MAXCLASSES * 2) memcpy(all[nall++], r->row, 4);
        }
    for (size_t j = 0; j < nall; j++) {
        const rules_row_t *row = rules_row_find(cx, t, all[j]);
        int64_t actual = row && ROW_HAS(row, tc) ? row->v[tc] : 0;
        rules_rel_t r;
        rules_rel_init(&r, rule, t, all[j], tc, actual, row && ROW_HAS(row, tc) ? row->line[tc] : 0);
        if (row) rules_row_label(t, row, r.lhs, sizeof r.lhs);
        else snprintf(r.lhs, sizeof r.lhs, "%s %s（未列）", all[j],
                      code_known_name(CODE_FUNCTION, all[j]) ? code_known_name(CODE_FUNCTION, all[j]) : "");
        if (!row || !ROW_HAS(row, tc)) r.extra_terms = -1;
        for (size_t k = 0; k < nsrc; k++) {
            int i = classsum_find(sums[k], ns[k], all[j]);
            if (i < 0) continue;
            char lab[RULES_LABEL_MAX];
            const rules_row_t *cr = rules_row_find(cx, src[k], all[j]);
            if (cr && ROW_HAS(cr, COL_TOTAL))
                snprintf(lab, sizeof lab, "%s %s", table_label(src[k]), all[j]);
            else
                class_rows_label(cx, src[k], all[j], sums[k][i].n, lab, sizeof lab);
            rules_rel_part(cx, &r, lab, sums[k][i].v);
            r.extra_terms += (int32_t)sums[k][i].n - 1;   /* every aggregated row is a printed amount */
        }
        snprintf(r.note, sizeof r.note, "%s", src_label ? src_label : "");
        rules_rel_check(cx, &r);
    }
}


/* Summary class rows vs the expense table's classes; expense_total vs expense total. */
void rules_summary_expense_classes(rules_ctx_t *cx, table_id t)
{
    (void)t;
    if (!rules_table_present(cx, TABLE_SUMMARY) || !rules_table_present(cx, TABLE_EXPENSE)) return;
    static const table_id SRC[] = { TABLE_EXPENSE };
    compare_classes(cx, RULE_CROSS_SUMMARY_EXPENSE_CLASSES, TABLE_SUMMARY, COL_AMOUNT, SRC,
                    RULES_N(SRC), false, NULL);
    const rules_ref_t parts[] = { { TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_TOTAL },
                                  { TABLE_SUMMARY, TABLE_ROW_CARRY_OUT, COL_AMOUNT } };
    rules_check_refs(cx, RULE_CROSS_SUMMARY_EXPENSE_CLASSES,
                     (rules_ref_t){ TABLE_SUMMARY, TABLE_ROW_EXPENSE_TOTAL, COL_AMOUNT }, parts,
                     RULES_N(parts), false, NULL);
}

/* Summary income sources vs the income table's total row: judged when either side prints
 * the source (the other then counts 0, invariant 3). */
void rules_summary_income_sources(rules_ctx_t *cx, table_id t)
{
    (void)t;
    if (!rules_table_present(cx, TABLE_SUMMARY) || !rules_row_find(cx, TABLE_INCOME, TABLE_ROW_TOTAL))
        return;
    for (size_t i = 0; i < TABLE_SUMMARY_SOURCES.n; i++) {
        const char *src = TABLE_SUMMARY_SOURCES.rows[i];
        column_id c = table_source_column(src);
        assert(c != COL_NONE);
        const rules_row_t *srow = rules_fig(cx, TABLE_SUMMARY, src, COL_AMOUNT);
        const rules_row_t *irow = rules_fig(cx, TABLE_INCOME, TABLE_ROW_TOTAL, c);
        if (!srow && !irow) continue;
        rules_rel_t r;
        rules_rel_init(&r, RULE_CROSS_SUMMARY_INCOME_SOURCES, TABLE_SUMMARY, src, COL_AMOUNT,
                       srow ? srow->v[COL_AMOUNT] : 0, srow ? srow->line[COL_AMOUNT] : 0);
        if (srow) rules_rel_lhs_unit(&r, srow->unit[COL_AMOUNT]);
        snprintf(r.lhs, sizeof r.lhs, "%s%s", table_fixed_row_label(TABLE_SUMMARY, src),
                 srow ? "" : "（未列）");
        char lab[RULES_LABEL_MAX];
        snprintf(lab, sizeof lab, "%s 合计 %s", table_label(TABLE_INCOME), column_label(TABLE_INCOME, c));
        rules_rel_part_unit(cx, &r, lab, irow ? irow->v[c] : 0, irow ? irow->unit[c] : 0);
        if (!srow || !irow) r.extra_terms = -1;   /* one printed amount only */
        rules_rel_check(cx, &r);
    }
    const rules_ref_t parts[] = { { TABLE_INCOME, TABLE_ROW_TOTAL, COL_TOTAL } };
    rules_check_refs(cx, RULE_CROSS_SUMMARY_INCOME_SOURCES,
                     (rules_ref_t){ TABLE_SUMMARY, TABLE_ROW_INCOME_TOTAL, COL_AMOUNT }, parts,
                     RULES_N(parts), false, NULL);
}

/* Summary income_total = fiscal income_total + the summary's non-fiscal sources. */
void rules_summary_fiscal(rules_ctx_t *cx, table_id t)
{
    (void)t;
    const rules_row_t *l = rules_fig(cx, TABLE_SUMMARY, TABLE_ROW_INCOME_TOTAL, COL_AMOUNT);
    const rules_row_t *fi = rules_fig(cx, TABLE_FISCAL, TABLE_ROW_INCOME_TOTAL, COL_TOTAL);
    if (!l || !fi) return;
    rules_rel_t r;
    rules_rel_init(&r, RULE_CROSS_SUMMARY_FISCAL, TABLE_SUMMARY, TABLE_ROW_INCOME_TOTAL,
                   COL_AMOUNT, l->v[COL_AMOUNT], l->line[COL_AMOUNT]);
    rules_rel_lhs_unit(&r, l->unit[COL_AMOUNT]);
    rules_row_label(TABLE_SUMMARY, l, r.lhs, sizeof r.lhs);
    char lab[RULES_LABEL_MAX];
    snprintf(lab, sizeof lab, "%s 收入总计", table_label(TABLE_FISCAL));
    rules_rel_part_unit(cx, &r, lab, fi->v[COL_TOTAL], fi->unit[COL_TOTAL]);
    rules_text_t what = { 0 };
    for (size_t i = 0; i < TABLE_SUMMARY_NONFISCAL.n; i++) {
        const char *row = TABLE_SUMMARY_NONFISCAL.rows[i];
        const rules_row_t *p = rules_fig(cx, TABLE_SUMMARY, row, COL_AMOUNT);
        if (!p) continue;
        char a[AMOUNT_BUF];
        const char *name = table_fixed_row_label(TABLE_SUMMARY, row);
        rules_rel_part_unit(cx, &r, name, p->v[COL_AMOUNT], p->unit[COL_AMOUNT]);
        rules_text_printf(&what, "%s%s %s", what.len ? "、" : "", name,
                          amount_format(p->v[COL_AMOUNT], a));
    }
    /* With its own carry_in line the summary's fund lines are current-year only, while
     * the fiscal total includes the fiscal carry-over: that part is in carry_in. */
    if (rules_fig(cx, TABLE_SUMMARY, TABLE_ROW_CARRY_IN, COL_AMOUNT))
        for (size_t i = 0; i < TABLE_FISCAL_CARRY.n; i++) {
            const rules_row_t *p = rules_fig(cx, TABLE_FISCAL, TABLE_FISCAL_CARRY.rows[i], COL_TOTAL);
            if (!p) continue;
            snprintf(lab, sizeof lab, "（减，已含在上年结转中）%s",
                     table_fixed_row_label(TABLE_FISCAL, TABLE_FISCAL_CARRY.rows[i]));
            rules_rel_part_unit(cx, &r, lab, rules_sat_sub(0, p->v[COL_TOTAL]), p->unit[COL_TOTAL]);
        }
    snprintf(r.note, sizeof r.note, "收支总表含全部资金，财政拨款表仅含财政拨款；两者之差应为非财政拨款收入%s%s",
             what.len ? "：" : "（收支总表未列）", what.len ? what.buf : "");
    rules_text_free(&what);
    rules_rel_check(cx, &r);
}

/* Fiscal appropriations by class vs the fund tables. */
void rules_fiscal_gpb_func(rules_ctx_t *cx, table_id t)
{
    static const table_id FUND_TABLES[MAX_CLASS_SOURCES] = { TABLE_GPB_FUNC, TABLE_GFB_FUNC,
                                                             TABLE_SOE_FUNC };
    (void)t;
    if (!rules_table_present(cx, TABLE_FISCAL)) return;
    table_id src[MAX_CLASS_SOURCES];
    rules_ref_t parts[MAX_CLASS_SOURCES];
    size_t n = 0;
    for (size_t i = 0; i < RULES_N(FUND_TABLES); i++)
        if (rules_table_present(cx, FUND_TABLES[i])) src[n++] = FUND_TABLES[i];
    if (n == 0) return;
    if (rules_table_prints(cx, TABLE_FISCAL, COL_GPB)) {
        if (!rules_table_present(cx, TABLE_GPB_FUNC)) return;
        static const table_id GPB[] = { TABLE_GPB_FUNC };
        compare_classes(cx, RULE_CROSS_FISCAL_GPB_FUNC, TABLE_FISCAL, COL_GPB, GPB, RULES_N(GPB),
                        false, NULL);
        parts[0] = (rules_ref_t){ TABLE_GPB_FUNC, TABLE_ROW_TOTAL, COL_TOTAL };
        rules_check_refs(cx, RULE_CROSS_FISCAL_GPB_FUNC,
                         (rules_ref_t){ TABLE_FISCAL, TABLE_ROW_EXPENSE_TOTAL, COL_GPB }, parts, 1,
                         false, NULL);
        return;
    }
    compare_classes(cx, RULE_CROSS_FISCAL_GPB_FUNC, TABLE_FISCAL, COL_TOTAL, src, n, true,
                    "财政拨款表仅列合计列，比较一般公共预算、政府性基金、国有资本经营三张支出表之和");
    for (size_t i = 0; i < n; i++) parts[i] = (rules_ref_t){ src[i], TABLE_ROW_TOTAL, COL_TOTAL };
    rules_check_refs(cx, RULE_CROSS_FISCAL_GPB_FUNC,
                     (rules_ref_t){ TABLE_FISCAL, TABLE_ROW_EXPENSE_TOTAL, COL_TOTAL }, parts, n,
                     false, NULL);
}

/* Basic expenditure by economic vs function classification, total row. */
void rules_econ_func_basic(rules_ctx_t *cx, table_id t)
{
    static const column_id COLS[] = { COL_TOTAL, COL_BASIC, COL_PERSONNEL, COL_PUBLIC };
    (void)t;
    if (!rules_table_present(cx, TABLE_GPB_ECON) || !rules_table_present(cx, TABLE_GPB_FUNC)) return;
    for (size_t i = 0; i < RULES_N(COLS); i++) {
        const rules_ref_t p[] = { { TABLE_GPB_FUNC, TABLE_ROW_TOTAL, COLS[i] } };
        rules_check_refs(cx, RULE_CROSS_ECON_FUNC_BASIC,
                         (rules_ref_t){ TABLE_GPB_ECON, TABLE_ROW_TOTAL, COLS[i] }, p, RULES_N(p),
                         false, NULL);
    }
}

/* 三公: total = its items, vehicle = purchase + operation. */
void rules_three_public_parts(rules_ctx_t *cx, table_id t)
{
    (void)t;
    rules_check_rows(cx, RULE_CROSS_THREE_PUBLIC_PARTS, TABLE_THREE_PUBLIC, TABLE_ROW_TOTAL,
                     COL_AMOUNT, TABLE_THREE_PUBLIC_ITEMS, false);
    rules_check_rows(cx, RULE_CROSS_THREE_PUBLIC_PARTS, TABLE_THREE_PUBLIC,
                     TABLE_ROW_THREE_PUBLIC_VEHICLE, COL_AMOUNT, TABLE_THREE_PUBLIC_ITEMS, false);
}

/* 三公 reception vs 30217 公务接待费 (its total column if printed, else basic). */
void rules_three_public_reception(rules_ctx_t *cx, table_id t)
{
    (void)t;
    const rules_row_t *e = rules_row_find(cx, TABLE_GPB_ECON, TABLE_ROW_ECON_RECEPTION);
    column_id c = e && ROW_HAS(e, COL_TOTAL) ? COL_TOTAL : COL_BASIC;
    const rules_ref_t p[] = { { TABLE_GPB_ECON, TABLE_ROW_ECON_RECEPTION, c } };
    rules_check_refs(cx, RULE_CROSS_THREE_PUBLIC_RECEPTION,
                     (rules_ref_t){ TABLE_THREE_PUBLIC, TABLE_ROW_THREE_PUBLIC_RECEPTION, COL_AMOUNT },
                     p, RULES_N(p), false, NULL);
}

/* Projects 合计 vs the expense table's project column. */
void rules_projects_expense(rules_ctx_t *cx, table_id t)
{
    (void)t;
    const rules_ref_t p[] = { { TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_PROJECT } };
    rules_check_refs(cx, RULE_CROSS_PROJECTS_EXPENSE,
                     (rules_ref_t){ TABLE_PROJECTS, TABLE_ROW_TOTAL, COL_TOTAL }, p, RULES_N(p),
                     false, NULL);
}

/* A cover with nothing printed on the income side: the spending is judged against 0. */
static void check_uncovered(rules_ctx_t *cx, column_id c, const rules_row_t *p, const char *part,
                            int64_t covered, const char *note)
{
    rules_rel_t r;
    rules_rel_init(&r, RULE_CROSS_PROJECT_FUNDING_COVER, TABLE_PROJECTS, TABLE_ROW_TOTAL, c,
                   p->v[c], p->line[c]);
    rules_rel_lhs_unit(&r, p->unit[c]);
    snprintf(r.lhs, sizeof r.lhs, "合计");
    if (part) rules_rel_part(cx, &r, part, covered);
    if (note) snprintf(r.note, sizeof r.note, "%s", note);
    rules_rel_check_cover(cx, &r);
}

/* Project funding sources are covered by the income from that source. */
void rules_project_funding_cover(rules_ctx_t *cx, table_id t)
{
    /* the income columns unit funds (单位资金) may come from */
    static const column_id OWN[] = { COL_BIZ, COL_OPS, COL_UPPER, COL_SUB, COL_OTHER };
    /* project columns funded by one income column of the same id */
    static const column_id TRANSFERS[] = { COL_XFER_GPB, COL_XFER_GFB };
    (void)t;
    if (!rules_row_find(cx, TABLE_INCOME, TABLE_ROW_TOTAL)) return;
    const rules_row_t *uf = rules_fig(cx, TABLE_PROJECTS, TABLE_ROW_TOTAL, COL_UNIT_FUNDS);
    if (uf && uf->v[COL_UNIT_FUNDS] > 0) {
        rules_ref_t own[RULES_N(OWN)];
        size_t n = 0;
        for (size_t i = 0; i < RULES_N(OWN); i++) {
            own[i] = (rules_ref_t){ TABLE_INCOME, TABLE_ROW_TOTAL, OWN[i] };
            if (rules_fig(cx, TABLE_INCOME, TABLE_ROW_TOTAL, OWN[i])) n++;
        }
        if (n)
            rules_check_refs(cx, RULE_CROSS_PROJECT_FUNDING_COVER,
                             (rules_ref_t){ TABLE_PROJECTS, TABLE_ROW_TOTAL, COL_UNIT_FUNDS }, own,
                             RULES_N(own), true,
                             "单位资金只能来自事业收入、经营收入、上级补助收入、附属单位上缴收入和其他收入");
        else
            check_uncovered(cx, COL_UNIT_FUNDS, uf, NULL, 0,
                            "收入总表未列事业收入、经营收入、上级补助收入、附属单位上缴收入或其他收入，单位资金无来源");
    }
    for (size_t i = 0; i < RULES_N(TRANSFERS); i++) {
        column_id c = TRANSFERS[i];
        const rules_row_t *p = rules_fig(cx, TABLE_PROJECTS, TABLE_ROW_TOTAL, c);
        if (!p || p->v[c] <= 0) continue;
        const rules_row_t *in = rules_fig(cx, TABLE_INCOME, TABLE_ROW_TOTAL, c);
        char lab[RULES_LABEL_MAX];
        snprintf(lab, sizeof lab, "%s 合计 %s", table_label(TABLE_INCOME), column_label(TABLE_INCOME, c));
        check_uncovered(cx, c, p, lab, in ? in->v[c] : 0, NULL);
    }
}
