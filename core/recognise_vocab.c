/* recognise_vocab.c -- THE vocabulary of printed budget tables: titles, column headers, row
 * labels and units as data (see recognise_vocab.h). There is no other list: core/tables.c
 * matches titles and headers against these tables (table_title_lookup,
 * column_header_lookup) for the recogniser and every other caller. Gathered from the four seed documents (宿州 2024, 达州 2023, 东西湖
 * 2024, 宁德 2024) and the national 部门预算公开 templates. All texts are normalised:
 * no spaces, ASCII parentheses, no quotes. Order matters: first match wins.
 */
#include "recognise_vocab.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

const vocab_title_t VOCAB_TITLES[] = {
    /* known tables without a v1 id: skipped, reported with their title */
    { { "绩效目标" }, NULL, TABLE_NONE },
    { { "绩效" }, NULL, TABLE_NONE },
    { { "政府采购" }, NULL, TABLE_NONE },
    { { "政府购买服务" }, NULL, TABLE_NONE },
    { { "申报表" }, NULL, TABLE_NONE },
    { { "政府性基金", "三公" }, NULL, TABLE_NONE },   /* 政府性基金预算"三公"经费支出预算表 */
    { { "国有资本经营", "三公" }, NULL, TABLE_NONE },
    { { "三公" }, NULL, TABLE_THREE_PUBLIC },           /* "三公"经费(和机关运行经费)预算表 */
    { { "财政拨款收支" }, NULL, TABLE_FISCAL },          /* 财政拨款收支(预算)总表 */
    { { "国有资本经营" }, NULL, TABLE_SOE_FUNC },        /* …预算支出表, 国有资本经营收支预算表 */
    { { "政府性基金" }, NULL, TABLE_GFB_FUNC },          /* 政府性基金预算(拨款)支出(预算)表 */
    { { "收支" }, NULL, TABLE_SUMMARY },                 /* 部门收支总表, 收支预算总表, 财务收支预算总表 */
    { { "收入" }, NULL, TABLE_INCOME },                  /* 部门收入总表, 收入预算总表, 部门收入预算表 */
    { { "项目支出" }, NULL, TABLE_PROJECTS },            /* 项目支出表, 一般公共预算项目支出预算表 */
    { { "经济分类" }, NULL, TABLE_GPB_ECON },            /* …支出经济分类情况表, (部门经济分类科目) */
    { { "基本支出" }, NULL, TABLE_GPB_ECON },            /* 一般公共预算基本支出(预算)表 */
    { { "一般公共预算", "支出" }, NULL, TABLE_GPB_FUNC }, /* …支出(预算)表(分功能科目/分单位) */
    { { "支出" }, NULL, TABLE_EXPENSE },                 /* 部门支出总表, 支出预算总表, 部门支出预算表 */
};
const size_t VOCAB_NTITLES = N(VOCAB_TITLES);

const vocab_column_t VOCAB_COLUMNS[] = {
    /* 小计 / 合计 columns the v1 format does not keep */
    { TABLE_INCOME, "本年收入", "小计", COL_NONE },
    { TABLE_INCOME, "单位资金", "小计", COL_NONE },
    { TABLE_INCOME, "上年结转", "小计", COL_CARRY },
    /* income: carry-over by source has no v1 column (only carry, its 小计) */
    { TABLE_INCOME, "上年结转", "一般公共预算", COL_NONE },
    { TABLE_INCOME, "上年结转", "政府性基金预算", COL_NONE },
    { TABLE_INCOME, "上年结转", "国有资本经营预算", COL_NONE },
    { TABLE_INCOME, "上年结转", "财政专户管理资金", COL_NONE },
    { TABLE_INCOME, "上年结转", "单位资金", COL_NONE },
    /* income: sources */
    { TABLE_INCOME, NULL, "总计", COL_TOTAL },
    { TABLE_INCOME, NULL, "合计", COL_TOTAL },
    { TABLE_INCOME, NULL, "一般公共预算", COL_GPB },
    { TABLE_INCOME, NULL, "一般公共预算拨款", COL_GPB },
    { TABLE_INCOME, NULL, "一般公共预算拨款收入", COL_GPB },
    { TABLE_INCOME, NULL, "一般公共预算资金", COL_GPB },
    { TABLE_INCOME, NULL, "财政拨款收入", COL_GPB },
    { TABLE_INCOME, NULL, "政府性基金预算", COL_GFB },
    { TABLE_INCOME, NULL, "政府性基金预算拨款收入", COL_GFB },
    { TABLE_INCOME, NULL, "国有资本经营预算", COL_SOE },
    { TABLE_INCOME, NULL, "国有资本经营预算拨款收入", COL_SOE },
    { TABLE_INCOME, NULL, "财政专户管理资金", COL_FSM },
    { TABLE_INCOME, NULL, "财政专户管理资金收入", COL_FSM },
    { TABLE_INCOME, NULL, "事业收入", COL_BIZ },
    { TABLE_INCOME, NULL, "事业单位经营收入", COL_OPS },
    { TABLE_INCOME, NULL, "经营收入", COL_OPS },
    { TABLE_INCOME, NULL, "上级补助收入", COL_UPPER },
    { TABLE_INCOME, NULL, "附属单位上缴收入", COL_SUB },
    { TABLE_INCOME, NULL, "其他收入", COL_OTHER },
    { TABLE_INCOME, NULL, "上年结转", COL_CARRY },
    { TABLE_INCOME, NULL, "上年结转结余", COL_CARRY },
    { TABLE_INCOME, NULL, "上年结转(结余)", COL_CARRY },
    { TABLE_INCOME, NULL, "上级转移支付(提前下达一般公共预算)", COL_XFER_GPB },
    { TABLE_INCOME, NULL, "上级转移支付(提前下达公共预算)", COL_XFER_GPB },
    { TABLE_INCOME, NULL, "上级转移支付(提前下达政府性基金预算)", COL_XFER_GFB },
    { TABLE_INCOME, NULL, "上级转移支付(提前下达政府性基金)", COL_XFER_GFB },
    /* fiscal (expense side) */
    { TABLE_FISCAL, NULL, "预算数", COL_TOTAL },
    { TABLE_FISCAL, NULL, "合计", COL_TOTAL },
    { TABLE_FISCAL, NULL, "小计", COL_TOTAL },
    { TABLE_FISCAL, NULL, "一般公共预算", COL_GPB },
    { TABLE_FISCAL, NULL, "一般公共预算财政拨款", COL_GPB },
    { TABLE_FISCAL, NULL, "一般公共预算拨款", COL_GPB },
    { TABLE_FISCAL, NULL, "政府性基金预算", COL_GFB },
    { TABLE_FISCAL, NULL, "政府性基金预算财政拨款", COL_GFB },
    { TABLE_FISCAL, NULL, "政府性基金预算拨款", COL_GFB },
    { TABLE_FISCAL, NULL, "国有资本经营预算", COL_SOE },
    { TABLE_FISCAL, NULL, "国有资本经营预算拨款", COL_SOE },
    { TABLE_SUMMARY, NULL, "预算数", COL_AMOUNT },
    { TABLE_SUMMARY, NULL, "金额", COL_AMOUNT },
    { TABLE_THREE_PUBLIC, NULL, "预算数", COL_AMOUNT },
    { TABLE_THREE_PUBLIC, NULL, "金额", COL_AMOUNT },
    /* gpb_func */
    { TABLE_GPB_FUNC, "基本支出", "小计", COL_BASIC },
    { TABLE_GPB_FUNC, "基本支出", "合计", COL_BASIC },
    { TABLE_GPB_FUNC, NULL, "当年财政拨款安排", COL_CURRENT },
    { TABLE_GPB_FUNC, NULL, "当年财政拨款", COL_CURRENT },
    { TABLE_GPB_FUNC, NULL, "当年拨款", COL_CURRENT },
    { TABLE_GPB_FUNC, NULL, "上年结转安排", COL_CARRY },
    { TABLE_GPB_FUNC, NULL, "上年结转", COL_CARRY },
    /* projects */
    { TABLE_PROJECTS, "结转", "一般公共预算", COL_CARRY_GPB },
    { TABLE_PROJECTS, "结转", "政府性基金预算", COL_CARRY_GFB },
    { TABLE_PROJECTS, "结转", "国有资本经营预算", COL_CARRY_SOE },
    { TABLE_PROJECTS, "结转", "国有资本经营收入", COL_CARRY_SOE },
    { TABLE_PROJECTS, NULL, "一般公共预算", COL_GPB },
    { TABLE_PROJECTS, NULL, "政府性基金预算", COL_GFB },
    { TABLE_PROJECTS, NULL, "国有资本经营预算", COL_SOE },
    { TABLE_PROJECTS, NULL, "国有资本经营收入", COL_SOE },
    { TABLE_PROJECTS, NULL, "财政专户管理资金", COL_FSM },
    { TABLE_PROJECTS, NULL, "单位资金", COL_UNIT_FUNDS },
    { TABLE_PROJECTS, NULL, "上级转移支付(提前下达一般公共预算)", COL_XFER_GPB },
    { TABLE_PROJECTS, NULL, "上级转移支付(提前下达政府性基金)", COL_XFER_GFB },
    { TABLE_PROJECTS, NULL, "金额", COL_TOTAL },
    /* every table with total/basic/project */
    { TABLE_NONE, NULL, "总计", COL_TOTAL },
    { TABLE_NONE, NULL, "合计", COL_TOTAL },
    { TABLE_NONE, NULL, "预算数", COL_TOTAL },
    { TABLE_NONE, NULL, "基本支出", COL_BASIC },
    { TABLE_NONE, NULL, "项目支出", COL_PROJECT },
    { TABLE_NONE, NULL, "人员经费", COL_PERSONNEL },
    { TABLE_NONE, NULL, "公用经费", COL_PUBLIC },
    { TABLE_NONE, NULL, "事业单位经营支出", COL_OPS },
    { TABLE_NONE, NULL, "上缴上级支出", COL_TO_UPPER },
    { TABLE_NONE, NULL, "对附属单位补助支出", COL_TO_SUB },
    { TABLE_EXPENSE, NULL, "经营支出", COL_OPS },
    /* 小计 under a group is that group; alone it is the table's total */
    { TABLE_NONE, "基本支出", "小计", COL_BASIC },
    { TABLE_NONE, "项目支出", "小计", COL_PROJECT },
    { TABLE_NONE, NULL, "小计", COL_TOTAL },
    /* income sources, for every table that carries them */
    { TABLE_NONE, NULL, "一般公共预算拨款", COL_GPB },
    { TABLE_NONE, NULL, "一般公共预算拨款收入", COL_GPB },
    { TABLE_NONE, NULL, "一般公共预算资金", COL_GPB },
    { TABLE_NONE, NULL, "一般公共预算", COL_GPB },
    { TABLE_NONE, NULL, "一般公共预算财政拨款", COL_GPB },
    { TABLE_NONE, NULL, "财政拨款收入", COL_GPB },
    { TABLE_NONE, NULL, "政府性基金预算拨款", COL_GFB },
    { TABLE_NONE, NULL, "政府性基金预算拨款收入", COL_GFB },
    { TABLE_NONE, NULL, "政府性基金预算", COL_GFB },
    { TABLE_NONE, NULL, "政府性基金预算财政拨款", COL_GFB },
    { TABLE_NONE, NULL, "政府性基金", COL_GFB },
    { TABLE_NONE, NULL, "国有资本经营预算拨款", COL_SOE },
    { TABLE_NONE, NULL, "国有资本经营预算拨款收入", COL_SOE },
    { TABLE_NONE, NULL, "国有资本经营预算", COL_SOE },
    { TABLE_NONE, NULL, "国有资本经营预算财政拨款", COL_SOE },
    { TABLE_NONE, NULL, "财政专户管理资金", COL_FSM },
    { TABLE_NONE, NULL, "财政专户管理资金收入", COL_FSM },
    { TABLE_NONE, NULL, "事业收入", COL_BIZ },
    { TABLE_NONE, NULL, "上级补助收入", COL_UPPER },
    { TABLE_NONE, NULL, "附属单位上缴收入", COL_SUB },
    { TABLE_NONE, NULL, "其他收入", COL_OTHER },
    { TABLE_NONE, NULL, "上年结转", COL_CARRY },
    { TABLE_NONE, NULL, "上年结转结余", COL_CARRY },
    { TABLE_NONE, NULL, "上年结余", COL_CARRY },
    { TABLE_NONE, NULL, "上级转移支付(提前下达一般公共预算)", COL_XFER_GPB },
    { TABLE_NONE, NULL, "上级转移支付(提前下达政府性基金)", COL_XFER_GFB },
    { TABLE_NONE, NULL, "上级转移支付(提前下达政府性基金预算)", COL_XFER_GFB },
    { TABLE_NONE, NULL, "当年财政拨款", COL_CURRENT },
    { TABLE_NONE, NULL, "当年财政拨款安排", COL_CURRENT },
    { TABLE_NONE, NULL, "本年财政拨款", COL_CURRENT },
    { TABLE_NONE, NULL, "单位资金", COL_UNIT_FUNDS },
};
const size_t VOCAB_NCOLUMNS = N(VOCAB_COLUMNS);

const vocab_row_t VOCAB_SUMMARY_ROWS[] = {
    { "一般公共预算拨款收入", "gpb" }, { "一般公共预算拨款", "gpb" }, { "一般公共预算", "gpb" },
    { "政府性基金预算拨款收入", "gfb" }, { "政府性基金预算拨款", "gfb" },
    { "国有资本经营预算拨款收入", "soe" }, { "国有资本经营预算拨款", "soe" },
    { "财政专户管理资金收入", "fsm" }, { "财政专户管理资金", "fsm" },
    { "事业收入", "biz" }, { "事业单位经营收入", "ops" }, { "上级补助收入", "upper" },
    { "附属单位上缴收入", "sub" }, { "其他收入", "other" },
    { "上级转移支付(提前下达一般公共预算)", "xfer_gpb" },
    { "上级转移支付(提前下达公共预算)", "xfer_gpb" },
    { "上级转移支付(提前下达政府性基金预算)", "xfer_gfb" },
    { "上级转移支付(提前下达政府性基金)", "xfer_gfb" },
    { "上年结转结余", "carry_in" }, { "上年结转(结余)", "carry_in" }, { "上年结转", "carry_in" },
    { "年终结转结余", "carry_out" }, { "结转下年", "carry_out" },
    { "收入总计", "income_total" }, { "收入合计", "income_total" },
    { "支出总计", "expense_total" }, { "支出合计", "expense_total" },
    { "本年收入合计", NULL }, { "本年支出合计", NULL }, { "本年收入", NULL }, { "本年支出", NULL },
};
const size_t VOCAB_NSUMMARY_ROWS = N(VOCAB_SUMMARY_ROWS);

/* fiscal income lines: the source; the group line above (本年收入 / 上年结转) picks cur_/carry_ */
const vocab_row_t VOCAB_FISCAL_SOURCES[] = {
    { "一般公共预算拨款收入", "gpb" }, { "一般公共预算拨款", "gpb" }, { "一般公共预算", "gpb" },
    { "政府性基金预算拨款收入", "gfb" }, { "政府性基金预算拨款", "gfb" }, { "政府性基金预算", "gfb" },
    { "国有资本经营预算拨款收入", "soe" }, { "国有资本经营预算拨款", "soe" },
    { "国有资本经营预算", "soe" },
};
const size_t VOCAB_NFISCAL_SOURCES = N(VOCAB_FISCAL_SOURCES);

const vocab_row_t VOCAB_THREE_PUBLIC[] = {
    { "三公经费合计", "total" }, { "合计", "total" },
    { "因公出国(境)费", "abroad" }, { "因公出国(境)费用", "abroad" },
    { "公务用车购置及运行费", "vehicle" }, { "公务用车购置费", "vehicle_purchase" },
    { "公务用车运行费", "vehicle_operation" }, { "公务接待费", "reception" },
};
const size_t VOCAB_NTHREE_PUBLIC = N(VOCAB_THREE_PUBLIC);

const vocab_unit_t VOCAB_UNITS[] = {
    { "万元", 1000000, 6 }, { "千元", 100000, 5 }, { "百元", 10000, 4 }, { "元", 100, 2 },
};
const size_t VOCAB_NUNITS = N(VOCAB_UNITS);
