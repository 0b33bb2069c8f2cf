/* rules_names.c -- the short Chinese name of each rule, printed beside its id wherever a
 * person reads a finding (flags, report, collector lines, the workbook's 问题清单).
 *
 * Keyed by the stable string id rather than the enum, so a name can be given for a rule
 * another branch adds before its enum value exists here; test_findings asserts that every
 * catalogue entry has a name. The long descriptions stay in the catalogue
 * (rules_catalogue.c); a name is at most a dozen characters.
 */
#include "rules.h"

#include <string.h>

static const struct { const char *id, *zh; } NAMES[] = {
    { "table.required", "必报表缺失" },
    { "text.amount", "说明金额与表不符" },
    { "text.change_percent", "说明增减幅度" },
    { "text.change_sign", "说明增减方向" },
    { "text.share", "说明占比" },
    { "text.project_funding", "说明项目资金来源" },
    { "text.prior_year", "说明上年数" },
    { "table.func_sum", "功能分类逐级合计" },
    { "table.econ_sum", "经济分类逐级合计" },
    { "table.total_row", "合计行" },
    { "table.expense_columns", "支出总表分列合计" },
    { "table.basic_split", "基本支出拆分" },
    { "table.funding_split", "拨款来源拆分" },
    { "table.income_sources", "收入来源合计" },
    { "table.summary_totals", "收支总表总计" },
    { "table.fiscal_totals", "财政拨款总计" },
    { "table.fiscal_columns", "财政拨款分列合计" },
    { "table.fiscal_balance", "财政拨款收支平衡" },
    { "table.projects_total_row", "项目合计行" },
    { "table.project_sources", "项目资金来源合计" },
    { "cross.summary_balance", "收支总表平衡" },
    { "cross.summary_fiscal", "收支总表与财政拨款" },
    { "cross.summary_expense_classes", "收支总表与支出总表" },
    { "cross.summary_income_sources", "收支总表与收入总表" },
    { "cross.fiscal_gpb_func", "财政拨款与支出表" },
    { "cross.econ_func_basic", "经济分类与功能分类" },
    { "cross.three_public_parts", "三公经费构成" },
    { "cross.three_public_reception", "公务接待费核对" },
    { "cross.projects_expense", "项目支出与支出总表" },
    { "cross.project_funding_cover", "项目资金来源覆盖" },
    { "code.malformed", "编码格式错误" },
    { "code.parent_prefix", "编码上下级不符" },
    { "code.unknown_class", "未知科目类" },
    { "code.unknown", "未知科目编码" },
    { "code.kind", "编码类别错用" },
    { "code.name_mismatch", "科目名称不符" },
    { "level.declared_vs_computed", "申报数与汇总数" },
    { "level.missing_subordinates", "下级未报送" },
    { "level.not_declared", "本级未申报" },
    { "level.transfer_upper", "内部下拨核对" },
    { "level.transfer_sub", "内部上缴核对" },
    { "version.table_withdrawn", "新版本撤回表" },
    { "version.figure_withdrawn", "新版本撤回数字" },
};

const char *rules_name_zh(const char *id)
{
    for (size_t i = 0; id && i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strcmp(NAMES[i].id, id) == 0) return NAMES[i].zh;
    return NULL;
}
