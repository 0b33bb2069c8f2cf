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
    { TABLE_INCOME, "本年收入", COL_NONE, { "小计" } },
    { TABLE_INCOME, "单位资金", COL_NONE, { "小计" } },
    { TABLE_INCOME, "上年结转", COL_CARRY, { "小计" } },
    /* income: carry-over by source has no v1 column (only carry, its 小计) */
    { TABLE_INCOME, "上年结转", COL_NONE, { "一般公共预算", "政府性基金预算", "国有资本经营预算",
                                            "财政专户管理资金", "单位资金" } },
    /* income: sources */
    { TABLE_INCOME, NULL, COL_TOTAL, { "总计", "合计" } },
    { TABLE_INCOME, NULL, COL_GPB, { "一般公共预算", "一般公共预算拨款", "一般公共预算拨款收入",
                                     "一般公共预算资金", "财政拨款收入" } },
    { TABLE_INCOME, NULL, COL_GFB, { "政府性基金预算", "政府性基金预算拨款收入" } },
    { TABLE_INCOME, NULL, COL_SOE, { "国有资本经营预算", "国有资本经营预算拨款收入" } },
    { TABLE_INCOME, NULL, COL_FSM, { "财政专户管理资金", "财政专户管理资金收入" } },
    { TABLE_INCOME, NULL, COL_BIZ, { "事业收入" } },
    { TABLE_INCOME, NULL, COL_OPS, { "事业单位经营收入", "经营收入" } },
    { TABLE_INCOME, NULL, COL_UPPER, { "上级补助收入" } },
    { TABLE_INCOME, NULL, COL_SUB, { "附属单位上缴收入" } },
    { TABLE_INCOME, NULL, COL_OTHER, { "其他收入" } },
    { TABLE_INCOME, NULL, COL_CARRY, { "上年结转", "上年结转结余", "上年结转(结余)" } },
    { TABLE_INCOME, NULL, COL_XFER_GPB, { "上级转移支付(提前下达一般公共预算)",
                                          "上级转移支付(提前下达公共预算)" } },
    { TABLE_INCOME, NULL, COL_XFER_GFB, { "上级转移支付(提前下达政府性基金预算)",
                                          "上级转移支付(提前下达政府性基金)" } },
    /* fiscal (expense side) */
    { TABLE_FISCAL, NULL, COL_TOTAL, { "预算数", "合计", "小计" } },
    { TABLE_FISCAL, NULL, COL_GPB, { "一般公共预算", "一般公共预算财政拨款", "一般公共预算拨款" } },
    { TABLE_FISCAL, NULL, COL_GFB, { "政府性基金预算", "政府性基金预算财政拨款",
                                     "政府性基金预算拨款" } },
    { TABLE_FISCAL, NULL, COL_SOE, { "国有资本经营预算", "国有资本经营预算拨款" } },
    { TABLE_SUMMARY, NULL, COL_AMOUNT, { "预算数", "金额" } },
    { TABLE_THREE_PUBLIC, NULL, COL_AMOUNT, { "预算数", "金额" } },
    /* gpb_func */
    { TABLE_GPB_FUNC, "基本支出", COL_BASIC, { "小计", "合计" } },
    { TABLE_GPB_FUNC, NULL, COL_CURRENT, { "当年财政拨款安排", "当年财政拨款", "当年拨款" } },
    { TABLE_GPB_FUNC, NULL, COL_CARRY, { "上年结转安排", "上年结转" } },
    /* projects */
    { TABLE_PROJECTS, "结转", COL_CARRY_GPB, { "一般公共预算" } },
    { TABLE_PROJECTS, "结转", COL_CARRY_GFB, { "政府性基金预算" } },
    { TABLE_PROJECTS, "结转", COL_CARRY_SOE, { "国有资本经营预算", "国有资本经营收入" } },
    { TABLE_PROJECTS, NULL, COL_GPB, { "一般公共预算" } },
    { TABLE_PROJECTS, NULL, COL_GFB, { "政府性基金预算" } },
    { TABLE_PROJECTS, NULL, COL_SOE, { "国有资本经营预算", "国有资本经营收入" } },
    { TABLE_PROJECTS, NULL, COL_FSM, { "财政专户管理资金" } },
    { TABLE_PROJECTS, NULL, COL_UNIT_FUNDS, { "单位资金" } },
    { TABLE_PROJECTS, NULL, COL_XFER_GPB, { "上级转移支付(提前下达一般公共预算)" } },
    { TABLE_PROJECTS, NULL, COL_XFER_GFB, { "上级转移支付(提前下达政府性基金)" } },
    { TABLE_PROJECTS, NULL, COL_TOTAL, { "金额" } },
    /* every table with total/basic/project */
    { TABLE_NONE, NULL, COL_TOTAL, { "总计", "合计", "预算数" } },
    { TABLE_NONE, NULL, COL_BASIC, { "基本支出" } },
    { TABLE_NONE, NULL, COL_PROJECT, { "项目支出" } },
    { TABLE_NONE, NULL, COL_PERSONNEL, { "人员经费" } },
    { TABLE_NONE, NULL, COL_PUBLIC, { "公用经费" } },
    { TABLE_NONE, NULL, COL_OPS, { "事业单位经营支出" } },
    { TABLE_NONE, NULL, COL_TO_UPPER, { "上缴上级支出" } },
    { TABLE_NONE, NULL, COL_TO_SUB, { "对附属单位补助支出" } },
    { TABLE_EXPENSE, NULL, COL_OPS, { "经营支出" } },
    /* 小计 under a group is that group; alone it is the table's total */
    { TABLE_NONE, "基本支出", COL_BASIC, { "小计" } },
    { TABLE_NONE, "项目支出", COL_PROJECT, { "小计" } },
    { TABLE_NONE, NULL, COL_TOTAL, { "小计" } },
    /* income sources, for every table that carries them */
    { TABLE_NONE, NULL, COL_GPB, { "一般公共预算拨款", "一般公共预算拨款收入", "一般公共预算资金",
                                   "一般公共预算", "一般公共预算财政拨款", "财政拨款收入" } },
    { TABLE_NONE, NULL, COL_GFB, { "政府性基金预算拨款", "政府性基金预算拨款收入", "政府性基金预算",
                                   "政府性基金预算财政拨款", "政府性基金" } },
    { TABLE_NONE, NULL, COL_SOE, { "国有资本经营预算拨款", "国有资本经营预算拨款收入",
                                   "国有资本经营预算", "国有资本经营预算财政拨款" } },
    { TABLE_NONE, NULL, COL_FSM, { "财政专户管理资金", "财政专户管理资金收入" } },
    { TABLE_NONE, NULL, COL_BIZ, { "事业收入" } },
    { TABLE_NONE, NULL, COL_UPPER, { "上级补助收入" } },
    { TABLE_NONE, NULL, COL_SUB, { "附属单位上缴收入" } },
    { TABLE_NONE, NULL, COL_OTHER, { "其他收入" } },
    { TABLE_NONE, NULL, COL_CARRY, { "上年结转", "上年结转结余", "上年结余" } },
    { TABLE_NONE, NULL, COL_XFER_GPB, { "上级转移支付(提前下达一般公共预算)" } },
    { TABLE_NONE, NULL, COL_XFER_GFB, { "上级转移支付(提前下达政府性基金)",
                                        "上级转移支付(提前下达政府性基金预算)" } },
    { TABLE_NONE, NULL, COL_CURRENT, { "当年财政拨款", "当年财政拨款安排", "本年财政拨款" } },
    { TABLE_NONE, NULL, COL_UNIT_FUNDS, { "单位资金" } },
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
