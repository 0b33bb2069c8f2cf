/* rules_catalogue.c -- the rule catalogue, rule settings files and docs/rules.md.
 *
 * Invariants: CATALOGUE is the one source of truth for rule ids, default severities, scopes,
 * the tables each rule reads and its descriptions; ids are stable (a store keeps findings
 * by id) and listed once. docs/rules.md is rules_write_markdown()'s output byte for byte.
 * A settings object holds one effective severity per catalogue entry, plus a description
 * naming the catalogue version and the settings file with a hash of its bytes, so that a
 * report can say exactly which rules produced it.
 */
#include "rules.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "amount.h"
#include "array.h"

/* Indexed by rule_id (designated initialisers, so an entry cannot land under the wrong id);
 * test_every_rule_has_a_case asserts that every entry is filled. */
static const rule_info_t CATALOGUE[RULE_COUNT] = {
    /* ---- within one table ---- */
    [RULE_TABLE_FUNC_SUM] = { "table.func_sum", "功能分类逐级合计", SEV_ERROR, RULE_SCOPE_TABLE, "income, expense, gpb_func, gfb_func, soe_func",
      "Function classification: every printed 3-digit 类 equals the sum of its printed 5-digit 款, every 款 the sum of its 7-digit 项, column by column (a mis-printed code counts under the parent its leading digits name); a parent with no child printed in a column is not checked in that column.",
      "功能分类：每个类等于其所列款之和，每个款等于其所列项之和，逐列核对（错码按其前缀所指的上级计入）；某列未列下级的上级不核对该列。" },
    [RULE_TABLE_ECON_SUM] = { "table.econ_sum", "经济分类逐级合计", SEV_ERROR, RULE_SCOPE_TABLE, "gpb_econ",
      "Economic classification: every printed 3-digit 类 equals the sum of its printed 5-digit 款, column by column; a class with no 款 printed in a column is not checked in that column.",
      "经济分类：每个类等于其所列款之和，逐列核对；某列未列款的类不核对该列。" },
    [RULE_TABLE_TOTAL_ROW] = { "table.total_row", "合计行", SEV_ERROR, RULE_SCOPE_TABLE, "income, expense, gpb_func, gpb_econ, gfb_func, soe_func",
      "The 合计 (`total`) row equals the sum of the top printed code rows (the 类, or the finest rows printed when no 类 is printed), column by column.",
      "合计行等于最上层所列科目（类；未列类时为所列最细科目）之和，逐列核对。" },
    [RULE_TABLE_EXPENSE_COLUMNS] = { "table.expense_columns", "支出总表分列合计", SEV_ERROR, RULE_SCOPE_TABLE, "expense",
      "Each row of the expense table: total = basic + project + ops + to_upper + to_sub (columns not printed count as 0; checked when the row prints total and at least one part).",
      "支出总表每行：合计 = 基本支出 + 项目支出 + 事业单位经营支出 + 上缴上级支出 + 对附属单位补助支出（未列的列按0计；该行列有合计且至少一项时核对）。" },
    [RULE_TABLE_BASIC_SPLIT] = { "table.basic_split", "基本支出拆分", SEV_ERROR, RULE_SCOPE_TABLE, "gpb_func, gpb_econ, gfb_func, soe_func",
      "Each row: total = basic + project, and basic = personnel + public, where printed (in gpb_econ total = basic + project only when the table prints a project column: a basic-only table fills `basic`).",
      "每行：合计 = 基本支出 + 项目支出，基本支出 = 人员经费 + 公用经费（有列示时；经济分类表仅在列有项目支出列时核对合计）。" },
    [RULE_TABLE_FUNDING_SPLIT] = { "table.funding_split", "拨款来源拆分", SEV_ERROR, RULE_SCOPE_TABLE, "gpb_func",
      "Each row of gpb_func that prints current or carry: total = current (当年财政拨款) + carry (上年结转).",
      "一般公共预算支出表每行（列有当年拨款或上年结转时）：合计 = 当年财政拨款 + 上年结转。" },
    [RULE_TABLE_INCOME_SOURCES] = { "table.income_sources", "收入来源合计", SEV_ERROR, RULE_SCOPE_TABLE, "income",
      "Each row of the income table: total = the sum of its source columns (gpb, gfb, soe, fsm, biz, ops, upper, sub, other, carry, xfer_gpb, xfer_gfb).",
      "收入总表每行：合计 = 各收入来源列之和。" },
    [RULE_TABLE_SUMMARY_TOTALS] = { "table.summary_totals", "收支总表总计", SEV_ERROR, RULE_SCOPE_TABLE, "summary",
      "Summary table: income_total = the income source rows + carry_in; expense_total = the class rows + carry_out.",
      "收支总表：收入总计 = 各项收入 + 上年结转；支出总计 = 各类支出 + 结转下年。" },
    [RULE_TABLE_FISCAL_TOTALS] = { "table.fiscal_totals", "财政拨款总计", SEV_ERROR, RULE_SCOPE_TABLE, "fiscal",
      "Fiscal appropriation table: income_total = cur_* + carry_* rows; expense_total = the class rows, column by column.",
      "财政拨款收支总表：收入总计 = 本年拨款 + 上年结转各行；支出总计 = 各类支出之和（逐列）。" },
    [RULE_TABLE_FISCAL_COLUMNS] = { "table.fiscal_columns", "财政拨款分列合计", SEV_ERROR, RULE_SCOPE_TABLE, "fiscal",
      "Each row of the fiscal appropriation table that prints a fund column: total = gpb + gfb + soe.",
      "财政拨款收支总表每行（列有分项时）：合计 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算。" },
    [RULE_TABLE_FISCAL_BALANCE] = { "table.fiscal_balance", "财政拨款收支平衡", SEV_ERROR, RULE_SCOPE_TABLE, "fiscal",
      "Fiscal appropriation table: income_total = expense_total (total column).",
      "财政拨款收支总表：收入总计 = 支出总计。" },
    [RULE_TABLE_PROJECTS_TOTAL_ROW] = { "table.projects_total_row", "项目合计行", SEV_ERROR, RULE_SCOPE_TABLE, "projects",
      "Projects table: the 合计 row equals the sum of the projects, column by column.",
      "项目支出表：合计行等于各项目之和，逐列核对。" },
    [RULE_TABLE_PROJECT_SOURCES] = { "table.project_sources", "项目资金来源合计", SEV_ERROR, RULE_SCOPE_TABLE, "projects",
      "Each project (and the 合计 row): total = the sum of its funding source columns, checked when the row prints total and at least one source.",
      "每个项目（及合计行）：合计 = 各资金来源列之和（列有合计且至少一个来源时核对）。" },
    [RULE_TABLE_REQUIRED] = { "table.required", "必报表缺失", SEV_ERROR, RULE_SCOPE_TABLE, "all",
      "A table the entity's level must publish is missing from its submission (settings `require.LEVEL`; by default a department publishes the nine tables of a 部门预算: summary, income, expense, fiscal, gpb_func, gpb_econ, three_public, gfb_func, soe_func). A table with no data is still present: it is written as its `total` row with amount 0 (examples/FORMAT.md, 空表).",
      "本级应公开的表未报送（设置项 require.级别；部门默认须公开部门预算九张表：收支总表、收入总表、支出总表、财政拨款收支总表、一般公共预算支出表、一般公共预算基本支出表、三公经费表、政府性基金预算支出表、国有资本经营预算支出表）。无数据的表也须报送：写一行 total、金额 0（空表标记）。" },
    /* ---- between tables of one submission ---- */
    [RULE_CROSS_SUMMARY_BALANCE] = { "cross.summary_balance", "收支总表平衡", SEV_ERROR, RULE_SCOPE_CROSS, "summary",
      "Summary table: income_total = expense_total.",
      "收支总表：收入总计 = 支出总计。" },
    [RULE_CROSS_SUMMARY_FISCAL] = { "cross.summary_fiscal", "收支总表与财政拨款", SEV_ERROR, RULE_SCOPE_CROSS, "summary, fiscal",
      "The summary covers all funds, the fiscal appropriation table only fiscal money: summary income_total = fiscal income_total + the summary's non-fiscal source rows (fsm, biz, ops, upper, sub, other, xfer_gpb, xfer_gfb; and carry_in less the fiscal carry-over lines when the summary prints carry_in).",
      "收支总表含全部资金、财政拨款收支总表仅含财政拨款：收支总表收入总计 = 财政拨款收入总计 + 收支总表非财政拨款各项收入（列有上年结转时加上年结转、减财政拨款上年结转）。" },
    [RULE_CROSS_SUMMARY_EXPENSE_CLASSES] = { "cross.summary_expense_classes", "收支总表与支出总表", SEV_ERROR, RULE_SCOPE_CROSS, "summary, expense",
      "Each summary class row equals the expense table's class total (the printed 类 row, or the sum of the finest rows printed under that class); summary expense_total = expense total + carry_out.",
      "收支总表各类支出 = 支出总表该类合计（未列类时按科目前缀汇总所列最细科目）；支出总计 = 支出总表合计 + 结转下年。" },
    [RULE_CROSS_SUMMARY_INCOME_SOURCES] = { "cross.summary_income_sources", "收支总表与收入总表", SEV_ERROR, RULE_SCOPE_CROSS, "summary, income",
      "Each summary income source row (and carry_in) equals the income table's total row in that source column; summary income_total = income total.",
      "收支总表各项收入（及上年结转）= 收入总表合计行对应来源列；收入总计 = 收入总表合计。" },
    [RULE_CROSS_FISCAL_GPB_FUNC] = { "cross.fiscal_gpb_func", "财政拨款与支出表", SEV_ERROR, RULE_SCOPE_CROSS, "fiscal, gpb_func, gfb_func, soe_func",
      "Fiscal appropriation expense per class equals the fund tables: the gpb column equals gpb_func's class totals; where the fiscal table prints a single total column, it equals gpb_func + gfb_func + soe_func (classes no fund table prints are not compared). Also expense_total.",
      "财政拨款支出按类 = 各预算支出表：一般公共预算列 = 一般公共预算支出表类合计；仅列合计时 = 一般公共预算 + 政府性基金 + 国有资本经营支出表之和（各表均未列的类不核对）；支出总计同理。" },
    [RULE_CROSS_ECON_FUNC_BASIC] = { "cross.econ_func_basic", "经济分类与功能分类", SEV_ERROR, RULE_SCOPE_CROSS, "gpb_econ, gpb_func",
      "gpb_econ total row basic/personnel/public equal gpb_func's, and gpb_econ total = gpb_func total where both print it.",
      "一般公共预算基本支出经济分类合计（基本支出/人员经费/公用经费）= 功能分类表合计；两表均列合计时总额相等。" },
    [RULE_CROSS_THREE_PUBLIC_PARTS] = { "cross.three_public_parts", "三公经费构成", SEV_ERROR, RULE_SCOPE_CROSS, "three_public",
      "三公经费: total = abroad + vehicle + reception, and vehicle = vehicle_purchase + vehicle_operation.",
      "三公经费：合计 = 因公出国(境)费 + 公务用车购置及运行费 + 公务接待费；公务用车购置及运行费 = 购置费 + 运行费。" },
    [RULE_CROSS_THREE_PUBLIC_RECEPTION] = { "cross.three_public_reception", "公务接待费核对", SEV_ERROR, RULE_SCOPE_CROSS, "three_public, gpb_econ",
      "三公经费 reception equals gpb_econ 30217 公务接待费 (its total column if printed, else basic); not checked when 30217 is not printed.",
      "三公经费公务接待费 = 经济分类 30217 公务接待费（有合计列取合计，否则取基本支出）；未列 30217 时不核对。" },
    [RULE_CROSS_PROJECTS_EXPENSE] = { "cross.projects_expense", "项目支出与支出总表", SEV_ERROR, RULE_SCOPE_CROSS, "projects, expense",
      "Projects table 合计 total equals the expense table's total project column.",
      "项目支出表合计 = 支出总表项目支出合计。" },
    [RULE_CROSS_PROJECT_FUNDING_COVER] = { "cross.project_funding_cover", "项目资金来源覆盖", SEV_ERROR, RULE_SCOPE_CROSS, "projects, income",
      "Project spending from each fund source is covered by the income from that source: projects unit_funds <= income biz + ops + upper + sub + other; projects xfer_gpb <= income xfer_gpb; projects xfer_gfb <= income xfer_gfb (income total row).",
      "各资金来源安排的项目支出不超过该来源收入：单位资金 <= 事业收入 + 经营收入 + 上级补助 + 附属单位上缴 + 其他收入；上级转移支付分别不超过收入总表对应列。" },
    /* ---- codes ---- */
    [RULE_CODE_MALFORMED] = { "code.malformed", "编码格式错误", SEV_WARNING, RULE_SCOPE_CODE, "income, expense, gpb_func, gpb_econ, gfb_func, soe_func",
      "A code row that is not a well-formed code (function 3/5/7 digits, economic 3/5); its amounts are still counted under the parent its leading digits name.",
      "科目编码格式错误（功能分类应为3/5/7位，经济分类3/5位）；其金额仍按前缀所指上级计入。" },
    [RULE_CODE_PARENT_PREFIX] = { "code.parent_prefix", "编码上下级不符", SEV_WARNING, RULE_SCOPE_CODE, "income, expense, gpb_func, gpb_econ, gfb_func, soe_func",
      "A 款/项 row whose code starts with no printed parent code while the table prints rows of that parent level (a child must start with its parent's code).",
      "款/项科目编码不以任何所列上级科目编码开头（表中列有上级层次时）。" },
    [RULE_CODE_UNKNOWN_CLASS] = { "code.unknown_class", "未知科目类", SEV_ERROR, RULE_SCOPE_CODE, "summary, income, expense, fiscal, gpb_func, gpb_econ, gfb_func, soe_func",
      "The 3-digit class of a code does not exist in the national classification chart.",
      "科目编码的类在国家政府收支分类科目中不存在。" },
    [RULE_CODE_UNKNOWN] = { "code.unknown", "未知科目编码", SEV_ERROR, RULE_SCOPE_CODE, "summary, income, expense, fiscal, gpb_func, gpb_econ, gfb_func, soe_func",
      "With a classification chart (`--chart FILE`): a well-formed code that the chart does not list for the submission's year (e.g. 2101588, no such 项); the finding says when the chart lists the code for other years only. Not checked without a chart.",
      "使用科目表（--chart）时：编码格式正确但科目表中该年度没有此科目（如 2101588，无此项）；科目表仅在其他年度列有时注明年度。未提供科目表时不核对。" },
    [RULE_CODE_KIND] = { "code.kind", "编码类别错用", SEV_WARNING, RULE_SCOPE_CODE, "income, expense, gpb_func, gfb_func, soe_func",
      "A function table row printed with an economic classification code (e.g. 303 对个人和家庭的补助 in a function table): the amounts are kept and summed as printed, the class is not mapped to the function chart.",
      "功能分类表中使用了经济分类科目编码（如 303 对个人和家庭的补助）：金额照列照加，但不映射到功能分类。" },
    [RULE_CODE_NAME_MISMATCH] = { "code.name_mismatch", "科目名称不符", SEV_WARNING, RULE_SCOPE_CODE, "summary, income, expense, fiscal, gpb_func, gpb_econ, gfb_func, soe_func",
      "The printed name contradicts the code's national name (compared after removing blanks, punctuation and brackets; a name containing the other is accepted; codes without a known name are not checked).",
      "所列名称与科目编码的国家名称不符（去除空格、标点、括号后比较；互相包含视为相符；无已知名称的编码不核对）。" },
    /* ---- levels of the hierarchy ---- */
    [RULE_LEVEL_DECLARED_VS_COMPUTED] = { "level.declared_vs_computed", "申报数与汇总数", SEV_ERROR, RULE_SCOPE_LEVEL, "all",
      "A figure a department/district/city/province declares equals the sum of its subordinates' reported figures (tolerance: 1 + contributors printed amounts); figures no subordinate reported are not compared.",
      "上级申报数 = 下级上报数之和（容差按 1 + 下级数计）；下级未报的数字不核对。" },
    [RULE_LEVEL_MISSING_SUBORDINATES] = { "level.missing_subordinates", "下级未报送", SEV_WARNING, RULE_SCOPE_LEVEL, "all",
      "Some registered subordinates have no submission for the year while the node or another subordinate has submitted (node-wide finding, lists the missing codes).",
      "部分登记的下级单位本年度未报送，而本级或其他下级已报送（列出缺报单位）。" },
    [RULE_LEVEL_NOT_DECLARED] = { "level.not_declared", "本级未申报", SEV_ERROR, RULE_SCOPE_LEVEL, "all",
      "A node whose level must declare (a level with required tables, settings `require.LEVEL`; by default departments) has subordinates that submitted for the year while it never declared itself (node-wide finding naming the subordinates that did).",
      "应申报的上级（设置了应公开表的级别，默认为部门）本年度未申报，而其下级已报送（列出已报送的下级）。" },
    [RULE_LEVEL_TRANSFER_UPPER] = { "level.transfer_upper", "内部下拨核对", SEV_ERROR, RULE_SCOPE_LEVEL, "income, expense",
      "Internal flow downwards: the sum of the subordinates' 上级补助收入 (income total upper) equals the sum of their 对附属单位补助支出 (expense total to_sub), both inside the same node; checked when either side is non-zero.",
      "内部下拨：各下级上级补助收入之和 = 各下级对附属单位补助支出之和（同一上级内）；任一方非零时核对。" },
    [RULE_LEVEL_TRANSFER_SUB] = { "level.transfer_sub", "内部上缴核对", SEV_ERROR, RULE_SCOPE_LEVEL, "income, expense",
      "Internal flow upwards: the sum of the subordinates' 上缴上级支出 (expense total to_upper) equals the sum of their 附属单位上缴收入 (income total sub), both inside the same node; checked when either side is non-zero.",
      "内部上缴：各下级上缴上级支出之和 = 各下级附属单位上缴收入之和（同一上级内）；任一方非零时核对。" },
    /* ---- versions of one entity/year ---- */
    [RULE_VERSION_TABLE_WITHDRAWN] = { "version.table_withdrawn", "新版本撤回表", SEV_ERROR, RULE_SCOPE_VERSION, "all",
      "A new version drops a whole table the previous version printed: one finding per table, naming it, the version it vanished from and its main figure there (expected = that previous value, actual 0). The tree shows the table's figures as 已撤回 with their previous values.",
      "新版本缺少上一版本已有的整张表：每表一条，列出表名、上一版本号及其主要数字（expected 为上一版本数，actual 为0）；汇总树中该表数字显示为“已撤回”及原值。" },
    [RULE_VERSION_FIGURE_WITHDRAWN] = { "version.figure_withdrawn", "新版本撤回数字", SEV_WARNING, RULE_SCOPE_VERSION, "all",
      "A new version lacks a figure the previous version printed, in a table it still prints (expected = the previous value, actual 0). The tree shows the figure as 已撤回 with its previous value.",
      "新版本缺少上一版本已有的数字（该表仍在）：expected 为上一版本数，actual 为0；汇总树中显示为“已撤回”及原值。" },
    /* ---- a document's narrative (说明) against its tables: core/narrative_check.c ---- */
    [RULE_TEXT_AMOUNT] = { "text.amount", "说明金额与表不符", SEV_ERROR, RULE_SCOPE_TEXT, "narrative, all tables",
      "An amount in the narrative equals the table figure its subject names",
      "说明中的金额与其所指科目在表中的数一致" },
    [RULE_TEXT_CHANGE_PERCENT] = { "text.change_percent", "说明增减幅度", SEV_ERROR, RULE_SCOPE_TEXT, "narrative",
      "A year-on-year percentage equals change / (this year - change) for an increase, change / (this year + change) for a decrease; a decrease cannot exceed 100%",
      "增幅 = 增加额 ÷（本年数 − 增加额），降幅 = 减少额 ÷（本年数 + 减少额）；降幅不能超过 100%" },
    [RULE_TEXT_CHANGE_SIGN] = { "text.change_sign", "说明增减方向", SEV_ERROR, RULE_SCOPE_TEXT, "narrative",
      "增加/增长 and 减少/下降 agree within a statement, 持平 means no change, and the direction agrees with the previous year's figure",
      "同一句中增加/增长与减少/下降方向一致，持平即无变化，方向与上年数相符" },
    [RULE_TEXT_SHARE] = { "text.share", "说明占比", SEV_ERROR, RULE_SCOPE_TEXT, "narrative",
      "A share (占 S%) equals the part divided by the whole the passage is about",
      "占比 = 该项金额 ÷ 所属合计" },
    [RULE_TEXT_PROJECT_FUNDING] = { "text.project_funding", "说明项目资金来源", SEV_ERROR, RULE_SCOPE_TEXT, "narrative, projects",
      "The narrative's funding of 项目支出 (财政拨款, 结转, 财政专户, 单位资金, 上级转移支付) equals the 项目支出表",
      "说明中项目支出的资金来源（财政拨款、结转结余、财政专户、单位资金、上级转移支付）与项目支出表一致" },
    [RULE_TEXT_PRIOR_YEAR] = { "text.prior_year", "说明上年数", SEV_ERROR, RULE_SCOPE_TEXT, "narrative, previous year's submission",
      "The change against the previous year equals this year's table figure minus last year's (checked by the aggregator when it stores last year's submission of the same entity)",
      "比上年增减额 = 本年表中数 − 上年表中数（汇总端存有同一单位上年报送数时核对）" },
};

#define NRULES ((size_t)RULE_COUNT)

size_t rules_catalogue(const rule_info_t **out)
{
    *out = CATALOGUE;
    return NRULES;
}

/* The one place a string id is compared: input from a settings file or a command line. */
rule_id rules_id_from_name(const char *id)
{
    for (size_t i = 0; id && i < NRULES; i++)
        if (strcmp(CATALOGUE[i].id, id) == 0) return (rule_id)i;
    return RULE_COUNT;
}

const rule_info_t *rules_find(const char *id)
{
    rule_id i = rules_id_from_name(id);
    return i == RULE_COUNT ? NULL : &CATALOGUE[i];
}

const char *rules_name_zh(const char *id)
{
    const rule_info_t *r = rules_find(id);
    return r ? r->name_zh : NULL;
}

const rule_info_t *rules_info(rule_id id)
{
    assert(id < RULE_COUNT && CATALOGUE[id].id);
    return &CATALOGUE[id];
}

/* ---- settings ---- */

#define LEVELS_N (LEVEL_PROVINCE + 1)

struct rule_settings {
    severity_t severity[NRULES];
    uint32_t required[LEVELS_N];     /* bit t: table t must be published at that level */
    const chart_t *chart;            /* not owned */
    char describe[1200];
};

static void settings_defaults(rule_settings_t *self)
{
    for (size_t i = 0; i < NRULES; i++) self->severity[i] = CATALOGUE[i].severity;
    for (int l = 0; l < LEVELS_N; l++) self->required[l] = 0;
    self->required[LEVEL_DEPARTMENT] = RULES_REQUIRED_DEPARTMENT;
    snprintf(self->describe, sizeof self->describe, "catalogue %s, settings defaults",
             RULES_CATALOGUE_VERSION);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) *--e = '\0';
    return s;
}

/* `require.LEVEL = TABLE,TABLE,...` or `require.LEVEL = none`. */
#define RULES_REQUIRE_PREFIX "require."
static int settings_require(rule_settings_t *self, const char *path, unsigned line, char *id,
                            char *list, char *err, size_t errlen)
{
    const char *lname = id + strlen(RULES_REQUIRE_PREFIX);
    entity_level l = level_from_name(lname);
    if (l == LEVEL_NONE || l >= LEVELS_N) {
        snprintf(err, errlen, "%s:%u: '%s': unknown level '%s' (unit, department, district, city, province)",
                 path, line, id, lname);
        return -1;
    }
    uint32_t bits = 0;
    if (strcmp(list, "none") != 0) {
        for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            t = trim(t);
            table_id tb = table_from_name(t);
            if (tb == TABLE_NONE) {
                snprintf(err, errlen, "%s:%u: '%s': unknown table '%s' (summary, income, expense, fiscal, "
                         "gpb_func, gpb_econ, three_public, gfb_func, soe_func, projects)", path, line, id, t);
                return -1;
            }
            bits |= 1u << tb;
        }
        if (!bits) {
            snprintf(err, errlen, "%s:%u: '%s': list the tables, or write 'none'", path, line, id);
            return -1;
        }
    }
    self->required[l] = bits;
    return 0;
}

/* Parses the settings text into self; "path:line: reason" in err on the first bad line. */
static int settings_parse(rule_settings_t *self, const char *path, char *text,
                          char *err, size_t errlen)
{
    unsigned line = 0;
    for (char *p = text; p && *p; ) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        line++;
        char *hash = strchr(p, '#');
        if (hash) *hash = '\0';
        char *s = trim(p);
        p = nl ? nl + 1 : NULL;
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%u: expected 'RULE_ID = error|warning|info|off'", path, line);
            return -1;
        }
        *eq = '\0';
        char *id = trim(s), *sev = trim(eq + 1);
        if (!strncmp(id, RULES_REQUIRE_PREFIX, strlen(RULES_REQUIRE_PREFIX))) {
            if (settings_require(self, path, line, id, sev, err, errlen) < 0) return -1;
            continue;
        }
        rule_id i = rules_id_from_name(id);
        if (i == RULE_COUNT) {
            snprintf(err, errlen, "%s:%u: unknown rule '%s' (catalogue %s)", path, line, id,
                     RULES_CATALOGUE_VERSION);
            return -1;
        }
        severity_t v = severity_from_name(sev);
        if (v == SEV_NONE) {
            snprintf(err, errlen, "%s:%u: rule '%s': severity '%s' is not error, warning, info or off",
                     path, line, id, sev);
            return -1;
        }
        self->severity[i] = v;
    }
    return 0;
}

rule_settings_t *rule_settings_load(const char *path, char *err, size_t errlen)
{
    rule_settings_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    settings_defaults(self);
    if (!path) return self;

    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        free(self);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(self);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    for (size_t n; text && (n = fread(text + len, 1, cap - len - 1, f)) > 0; ) {
        len += n;
        if (len + 1 == cap) {
            char *t = realloc(text, cap * 2);
            if (!t) { free(text); text = NULL; break; }
            text = t;
            cap *= 2;
        }
    }
    int rerr = ferror(f);
    fclose(f);
    if (!text || rerr) {
        snprintf(err, errlen, "%s: %s", path, text ? "read error" : "out of memory");
        free(text);
        free(self);
        return NULL;
    }
    text[len] = '\0';

    /* The hash covers the file's bytes as read, before parsing edits the buffer. */
    unsigned char h[crypto_generichash_BYTES_MIN];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, len, NULL, 0);
    char hex[2 * sizeof h + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);

    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: NUL byte in settings file", path);
        free(text);
        free(self);
        return NULL;
    }
    if (settings_parse(self, path, text, err, errlen) < 0) {
        free(text);
        free(self);
        return NULL;
    }
    free(text);
    snprintf(self->describe, sizeof self->describe, "catalogue %s, settings %s (blake2b %s)",
             RULES_CATALOGUE_VERSION, path, hex);
    return self;
}

void rule_settings_destroy(rule_settings_t **self_p)
{
    if (!self_p || !*self_p) return;
    free(*self_p);
    *self_p = NULL;
}

uint32_t rule_settings_required(const rule_settings_t *self, entity_level l)
{
    if (l <= LEVEL_NONE || l >= LEVELS_N) return 0;
    return self ? self->required[l] : l == LEVEL_DEPARTMENT ? RULES_REQUIRED_DEPARTMENT : 0;
}

void rule_settings_set_chart(rule_settings_t *self, const chart_t *chart)
{
    if (self) self->chart = chart;
}

const chart_t *rule_settings_chart(const rule_settings_t *self) { return self ? self->chart : NULL; }

severity_t rule_settings_severity(const rule_settings_t *self, rule_id id)
{
    assert(id < RULE_COUNT);
    return self ? self->severity[id] : CATALOGUE[id].severity;
}

const char *rule_settings_describe(const rule_settings_t *self)
{
    return self ? self->describe : "catalogue " RULES_CATALOGUE_VERSION ", settings defaults";
}

/* ---- shared internals ---- */

void rules_text_printf(rules_text_t *t, const char *fmt, ...)
{
    if (t->oom) return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_list ap;
        va_start(ap, fmt);
        int n = t->buf ? vsnprintf(t->buf + t->len, room, fmt, ap) : -2;
        va_end(ap);
        if (n == -1) { t->oom = 1; return; }
        if (n >= 0 && (size_t)n < room) { t->len += (size_t)n; return; }
        /* n < 0: no buffer yet, any room will do; else room for the n bytes and the NUL */
        size_t need = n >= 0 ? t->len + (size_t)n + 1 : 1;
        if (array_reserve(&t->buf, &t->cap, need, 1, 256)) { t->oom = 1; return; }
        if (t->len == 0) t->buf[0] = '\0';

    }
}

void rules_text_free(rules_text_t *t)
{
    free(t->buf);
    memset(t, 0, sizeof *t);
}

void rules_finding_init(finding_t *f, const char *entity, uint32_t year, verdict_t v, table_id t,
                        const char *row, column_id c, int64_t expected, int64_t actual,
                        uint32_t terms)
{
    memset(f, 0, sizeof *f);
    f->verdict = v;
    snprintf(f->entity, sizeof f->entity, "%s", entity);
    f->year = year;
    f->table = t;
    snprintf(f->row, sizeof f->row, "%s", row);
    f->column = c;
    f->expected = expected;
    f->actual = actual;
    f->terms = terms;
}

int rules_emit(findings_t *out, const rule_settings_t *settings, rule_id id, finding_t *f)
{
    if (f->verdict == VERDICT_EXACT || f->verdict == VERDICT_NONE) return 0;
    snprintf(f->rule, sizeof f->rule, "%s", rules_info(id)->id);
    severity_t sev = rule_settings_severity(settings, id);
    if (sev == SEV_OFF) return 0;
    f->severity = f->verdict == VERDICT_ROUNDING ? SEV_INFO : sev;
    return findings_push(out, f) ? 0 : -1;
}

int64_t rules_sat_add(int64_t a, int64_t b)
{
    int64_t s = a;
    if (amount_add(&s, b)) return s;
    return b > 0 ? INT64_MAX : INT64_MIN;
}

int64_t rules_sat_sub(int64_t a, int64_t b)
{
    if (b == INT64_MIN) return a >= 0 ? INT64_MAX : a - b;   /* a - MIN = a + MAX + 1 */
    return rules_sat_add(a, -b);
}

/* ---- docs/rules.md ---- */

const char *rules_scope_name(rule_scope s)
{
    switch (s) {
    case RULE_SCOPE_TABLE: return "table";
    case RULE_SCOPE_CROSS: return "cross";
    case RULE_SCOPE_CODE: return "code";
    case RULE_SCOPE_LEVEL: return "level";
    case RULE_SCOPE_VERSION: return "version";
    case RULE_SCOPE_TEXT: return "text";
    }
    return "?";
}

/* Markdown table cells may not hold a bare '|'. */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else fputc(*s, out);
    }
}

void rules_write_markdown(FILE *out)
{
    fprintf(out, "# huizong rule catalogue\n\n");
    fprintf(out, "<!-- Generated by `huizong rules --format markdown` from core/rules_catalogue.c. "
                 "Do not edit by hand. -->\n\n");
    fprintf(out, "Catalogue version: **%s**. %zu rules.\n\n", RULES_CATALOGUE_VERSION, NRULES);
    fprintf(out, "Every finding names its rule id, the table/row/column of the printed figure it "
                 "checks, the expected figure (what the parts add up to), the actual printed "
                 "figure, the number of printed amounts in the relation, the source line, and "
                 "the arithmetic in Chinese labels and 万元. Rules whose tables a submission does "
                 "not print are skipped, not failed.\n\n");
    fprintf(out, "| id | default severity | scope | tables | description | 说明 |\n");
    fprintf(out, "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < NRULES; i++) {
        const rule_info_t *r = &CATALOGUE[i];
        fprintf(out, "| `%s` | %s | %s | ", r->id, severity_name(r->severity), rules_scope_name(r->scope));
        md_cell(out, r->tables);
        fputs(" | ", out);
        md_cell(out, r->en);
        fputs(" | ", out);
        md_cell(out, r->zh);
        fputs(" |\n", out);
    }
    fprintf(out,
        "\n## Rounding\n\n"
        "Budget documents print amounts in 万元 with 2 decimals, so each printed amount v stands "
        "for the interval [v - 0.005, v + 0.005]. A relation over n printed amounts (the checked "
        "figure plus its parts) holds within rounding iff |expected - actual| <= n x 0.005 万元 "
        "(the XBRL Calculations 1.1 rule; there is no blanket tolerance). Verdicts:\n\n"
        "- **EXACT**: the figures agree to the fen; no finding.\n"
        "- **ROUNDING**: they differ by no more than n x 0.005 万元; reported with severity "
        "`info` and counted, never as an error.\n"
        "- **MISMATCH**: they differ by more; reported with the rule's severity and the "
        "difference.\n\n"
        "Code rules report **MALFORMED**; `level.missing_subordinates`, `level.not_declared`, "
        "`table.required` and the `version.*` rules report **MISSING**.\n\n"
        "## Bound: at most %d findings of one rule per submission\n\n"
        "A submission lists at most %d findings of any one rule one by one "
        "(`RULES_FINDINGS_PER_RULE`, core/rules.h). The rest of that rule are **one** finding "
        "of the same rule, with the gravest severity among them, no row, and an explanation "
        "that counts them by severity and names the first one not listed, e.g. `另有 99000 "
        "条“编码格式错误”（code.malformed）发现未逐条列出：每份报送每条规则最多逐条列出 %d "
        "条。其中警告 99000 条；未列出的第一条在 部门支出总表 行 r1899（第 1900 行）。…`. "
        "Nothing is dropped silently; the collector's `check`, the store, the ack and every "
        "listing show the same bounded list. It holds for the submission's own rules, the "
        "`version.*` rules and the text rules; level rules are not bounded this way (their "
        "flags are replaced key by key). Why: every finding is stored twice (the current "
        "flags and the version's history), travels in the ack and is kept with the "
        "submission id for replay, so one 100,000-row submission that breaks a rule on every "
        "row made ~80 MB of findings, a ~230 MB write transaction and a 57 MB ack while every "
        "other collector waited; a real budget has a few hundred findings in all (the four "
        "seeds: fewer than 100 of any rule).\n\n"
        "Text rules (scope `text`) judge a document's narrative (说明) against the tables of "
        "the submission it travels with (`huizong-collector check|submit FILE --text DOC.txt`, "
        "and the aggregator with the previous year's stored submission for `text.prior_year`): "
        "every number stands for +- half a unit of its last printed digit (`26` for 25.5..26.5 "
        "万元, `7.98%%` for 7.975..7.985%%), a table figure for +- 0.005 万元; percentages and "
        "shares are judged as exact integer ratios. Such a finding names the text and its line; "
        "a percentage or share finding has no table key. See docs/narrative.md.\n\n"
        "## Settings file\n\n"
        "A settings file changes a rule's severity or switches it off. One rule per line:\n\n"
        "```\n"
        "# comments start with '#'\n"
        "code.name_mismatch = info\n"
        "table.funding_split = off\n"
        "```\n\n"
        "Severities: `error`, `warning`, `info`, `off`. An unknown rule id, an unknown severity "
        "or a line without `=` is an error reported as `FILE:LINE: reason`. A report names the "
        "catalogue version and the settings file with the BLAKE2b (libsodium "
        "crypto_generichash, 16 bytes) hex of its bytes, e.g. "
        "`catalogue %s, settings rules.conf (blake2b 0123...)`, so it can be reproduced. "
        "ROUNDING findings are always `info`; a rule set to `off` produces no findings.\n\n"
        "The same file sets the tables each level must publish (`table.required`; a level with "
        "required tables must also declare, `level.not_declared`). One level per line, table "
        "ids separated by commas, or `none`:\n\n"
        "```\n"
        "require.department = summary,income,expense,fiscal,gpb_func,gpb_econ,three_public,gfb_func,soe_func\n"
        "require.district = none\n"
        "require.unit = gpb_func,projects\n"
        "```\n\n"
        "Defaults: a department publishes the nine tables above (the 部门预算 a department must "
        "publish); units, districts, cities and provinces publish none (they need not declare). "
        "A table with no data is present when its `total` row is written with amount 0 "
        "(examples/FORMAT.md).\n\n"
        "## Classification chart\n\n"
        "`--chart FILE` (collector `check` and `submit`, the aggregator) loads the codes valid "
        "in each year, `kind,code,name,first_year,last_year` (kind `func` or `econ`, years "
        "inclusive, empty = unbounded). With a chart, `code.unknown` flags every well-formed "
        "code the chart does not list for the submission's year, and `code.name_mismatch` "
        "compares printed names with the chart's names; without one, only the built-in "
        "national 类 lists (`code.unknown_class`) and names are used. examples/chart.csv holds "
        "every code of the seed documents; docs/operations.md says how to load the year's full "
        "national list.\n\n"
        "## Decisions\n\n"
        "- A mis-printed code (宿州 收入预算总表 `208010`) is flagged `code.malformed` and its "
        "amounts are counted under the parent its leading digits name (`20801`), so one misprint "
        "does not cascade into sum mismatches.\n"
        "- Economic codes printed in a function table (东西湖 国有资本经营预算支出表 `303`/`30399`) are "
        "flagged `code.kind` (warning) and not `code.unknown_class`; their amounts are summed as "
        "printed, but as they name no function class they are not compared with the fiscal table "
        "by class.\n"
        "- A basic-only economic table (一般公共预算基本支出表) fills `basic`, not `total`; "
        "`cross.econ_func_basic` compares like with like (basic with basic).\n"
        "- Summary income sources are compared with the income table, not with the fiscal "
        "table's current-year lines: a summary `gpb` may include carry-over (宿州).\n"
        "- The summary (all funds) and the fiscal appropriation table (fiscal money only) are "
        "compared like with like by `cross.summary_fiscal`; its explanation names what the "
        "difference consists of (宿州: 1,774.62 = 1,773.19 + 上级转移支付 1.43).\n"
        "- A fiscal table with a single total column holds all three fund types; its classes are "
        "compared with gpb_func + gfb_func + soe_func, and only for classes some fund table "
        "prints.\n"
        "- Transfers (`level.transfer_upper`, `level.transfer_sub`) are flows between the "
        "subordinates of one node: a department's own office (本级) is registered as one of its "
        "units, so what one unit pays down (对附属单位补助支出) another receives (上级补助收入), and "
        "what units pay up (上缴上级支出) the receiving unit books as 附属单位上缴收入. The finding "
        "points at income/total/upper (or income/total/sub), expected = what was paid, actual = "
        "what was received. Not checked when both sides are zero or unreported.\n"
        "- `level.declared_vs_computed` compares only figures with both a declaration and a "
        "computed sum, and says `partial: N of M subordinates submitted` when some have not; "
        "`level.missing_subordinates` is node-wide (row empty) with the missing codes and names "
        "in the explanation (expected/actual are 0: they are money fields).\n",
        RULES_FINDINGS_PER_RULE, RULES_FINDINGS_PER_RULE, RULES_FINDINGS_PER_RULE,
        RULES_CATALOGUE_VERSION);
}
