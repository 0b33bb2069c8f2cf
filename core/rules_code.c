/* rules_code.c -- the code rules: whether each code row of a table is a well-formed code
 * of the right chart, under a printed parent, with its national name (code.*). With a
 * classification chart attached to the settings, every code is looked up in it for the
 * submission's year (code.unknown) and names are compared with the chart's.
 */
#include "rules_engine.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static bool name_consistent(const char *known, const char *printed)
{
    char a[SUBMISSION_NAME_MAX + 8], b[SUBMISSION_NAME_MAX + 8];
    if (strcmp(known, printed) == 0) return true;    /* the usual case: printed as named */
    table_text_normalise(known, a, sizeof a);
    table_text_normalise(printed, b, sizeof b);
    if (!a[0] || !b[0]) return true;
    return strstr(a, b) || strstr(b, a);
}

/* Whether a function-table row carries an economic code (东西湖 soe_func 303/30399). */
static bool economic_in_function(code_kind kind, const char *row)
{
    char cls[4];
    return kind == CODE_FUNCTION && rules_class_prefix(row, cls) && !code_class_exists(CODE_FUNCTION, cls) &&
           code_class_exists(CODE_ECONOMIC, cls) && code_well_formed(CODE_ECONOMIC, row);
}

static void check_codes(rules_ctx_t *cx, table_id t, code_kind kind, bool hierarchical)
{
    rules_tab_t *tb = &cx->tab[t];
    int minlevel = INT_MAX;   /* the coarsest code level printed */
    if (hierarchical)
        for (size_t i = 0; i < tb->n; i++) {
            int l = code_level(kind, tb->rows[i].row);
            if (l && !economic_in_function(kind, tb->rows[i].row) && l < minlevel) minlevel = l;
        }
    for (size_t i = 0; i < tb->n; i++) {
        const rules_row_t *r = &tb->rows[i];
        if (rules_is_total(r)) continue;
        bool numeric = code_is_numeric(r->row);
        if (!hierarchical && !numeric) continue;       /* summary/fiscal fixed rows */
        char lab[RULES_LABEL_MAX], msg[1200];
        lab[0] = '\0';          /* built on the first finding only (LAB): most rows have none */
#define LAB (lab[0] ? lab : (rules_row_label(t, r, lab, sizeof lab), lab))
        uint32_t line = rules_row_line(r);
        if (hierarchical && r->malformed) {
            char np[SUBMISSION_ROW_MAX + 1];
            const char *kname = kind == CODE_ECONOMIC ? "经济分类编码应为3或5位"
                                                      : "功能分类编码应为3、5或7位";
            if (numeric && code_nearest_parent(kind, r->row, np, sizeof np))
                snprintf(msg, sizeof msg, "%s 行 %s：%s，印为%zu位；金额按 %s 计入", table_label(t),
                         LAB, kname, strlen(r->row), np);
            else
                snprintf(msg, sizeof msg, "%s 行 %s：不是合计行也不是科目编码（%s）", table_label(t),
                         LAB, kname);
            rules_emit_plain(cx, RULE_CODE_MALFORMED, VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
        if (!numeric) continue;
        char cls[4];
        if (economic_in_function(kind, r->row)) {
            snprintf(msg, sizeof msg, "%s 行 %s：功能分类表中印的是经济分类编码（类 %.3s 不在支出功能分类中，而是支出经济分类的类）；金额照列照加，不按功能分类归类",
                     table_label(t), LAB, r->row);
            rules_emit_plain(cx, RULE_CODE_KIND, VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
            continue;
        }
        if (rules_class_prefix(r->row, cls) && !code_class_exists(kind, cls)) {
            snprintf(msg, sizeof msg, "%s 行 %s：类 %s 不在国家%s科目中", table_label(t), LAB, cls,
                     kind == CODE_ECONOMIC ? "支出经济分类" : "支出功能分类");
            rules_emit_plain(cx, RULE_CODE_UNKNOWN_CLASS, VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
        int level = code_level(kind, r->row);
        const chart_t *chart = rule_settings_chart(cx->set);
        if (chart && level && !chart_name(chart, kind, r->row, cx->s->year)) {
            uint32_t first = 0, last = 0;
            char when[120] = "";
            if (chart_listed(chart, kind, r->row, &first, &last)) {
                if (last) snprintf(when, sizeof when, "（科目表中仅 %u–%u 年度有此科目）", first, last);
                else snprintf(when, sizeof when, "（科目表中自 %u 年度起有此科目）", first);
            }
            snprintf(msg, sizeof msg, "%s 行 %s：%s %s 不在 %u 年度%s科目表中%s", table_label(t), LAB,
                     level == 1 ? "类" : level == 2 ? "款" : "项", r->row, cx->s->year,
                     kind == CODE_ECONOMIC ? "支出经济分类" : "支出功能分类", when);
            rules_emit_plain(cx, RULE_CODE_UNKNOWN, VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
        if (hierarchical && level > minlevel && r->parent == RULES_ROOT) {
            snprintf(msg, sizeof msg, "%s 行 %s：编码不以任何所列上级科目编码开头（表中列有%s级科目）",
                     table_label(t), LAB, minlevel == 1 ? "类" : "款");
            rules_emit_plain(cx, RULE_CODE_PARENT_PREFIX, VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
        /* the chart's name for the year when a chart is attached, else the built-in one */
        const char *known = !level ? NULL
                          : chart ? chart_name(chart, kind, r->row, cx->s->year)
                                  : code_known_name(kind, r->row);
        if (known && r->name[0] && !name_consistent(known, r->name)) {
            snprintf(msg, sizeof msg, "%s 行 %s：印刷名称“%s”与科目 %s 的国家名称“%s”不符",
                     table_label(t), r->row, r->name, r->row, known);
            rules_emit_plain(cx, RULE_CODE_NAME_MISMATCH, VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
    }
}
#undef LAB

/* The code family over table t: hierarchical rules for code tables, the class and name
 * rules for the class rows of the fixed-row tables (summary, fiscal). */
void rules_codes(rules_ctx_t *cx, table_id t)
{
    code_kind kind = code_kind_for_table(t);
    row_kind rk = table_row_kind(t);
    if (rk == ROWS_FUNCTION || rk == ROWS_ECONOMIC) check_codes(cx, t, kind, true);
    else if (kind != CODE_NONE) check_codes(cx, t, kind, false);
}
