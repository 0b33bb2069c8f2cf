/* test_tables.c -- the vocabulary of core/tables.c: every printed table title of the four
 * seed documents and of the national templates maps to its table, the column header
 * synonyms map to their columns, and the row lists agree with the labels and columns. The
 * titles are copied here from /work/shared/seed-budgets/text/ exactly as printed (with
 * their numbering, entity, year, blanks and table-of-contents leaders), so the test
 * stands alone. */
#include <check.h>
#include "testkit.h"
#include <string.h>

#include "tables.h"

typedef struct { const char *title; table_id table; } title_case_t;

static const title_case_t TITLES[] = {
    /* 达州 dazhou-2023.txt: contents, then the printed titles */
    { "一、部门收支总表\t12", TABLE_SUMMARY }, { "二、部门收入总表\t13", TABLE_INCOME },
    { "三、部门支出总表\t14", TABLE_EXPENSE }, { "四、财政拨款收支预算总表\t15", TABLE_FISCAL },
    { "五、财政拨款支出预算表(部门经济分类科目)…\t16", TABLE_GPB_ECON },
    { "六、一般公共预算支出预算表\t17", TABLE_GPB_FUNC },
    { "七、一般公共预算基本支出预算表\t18", TABLE_GPB_ECON },
    { "八、一般公共预算项目支出预算表\t19", TABLE_PROJECTS },
    { "九、一般公共预算\"三公\"经费支出预算表\t20", TABLE_THREE_PUBLIC },
    { "十、政府性基金预算支出表\t21", TABLE_GFB_FUNC },
    { "十一、政府性基金预算\"三公\"经费支出预算表\t", TABLE_NONE },
    { "十二、国有资本经营预算支出表\t23", TABLE_SOE_FUNC },
    { "十三、部门预算项目支出绩效目标表\t24", TABLE_NONE },
    { "十四、部门整体支出绩效目标表\t29", TABLE_NONE },
    { "部门收支总表", TABLE_SUMMARY }, { "部门支出总表", TABLE_EXPENSE },
    { "财政拨款收支预算总表", TABLE_FISCAL },
    { "财政拨款支出预算表(部门经济分类科目)", TABLE_GPB_ECON },
    { "一般公共预算支出预算表", TABLE_GPB_FUNC }, { "一般公共预算基本支出预算表", TABLE_GPB_ECON },
    { "一般公共预算项目支出预算表", TABLE_PROJECTS },
    { "一般公共预算\"三公\"经费支出预算表", TABLE_THREE_PUBLIC },
    { "政府性基金预算支出预算表", TABLE_GFB_FUNC },
    { "政府性基金预算\"三公\"经费支出预算表", TABLE_NONE },
    { "国有资本经营预算支出预算表", TABLE_SOE_FUNC },
    { "部门预算项目绩效目标表(2023年度)", TABLE_NONE },
    /* 东西湖 dongxihu-2024.txt */
    { "- 一、部门收支总表", TABLE_SUMMARY }, { "- 二、部门收入总表", TABLE_INCOME },
    { "- 三、部门支出总表", TABLE_EXPENSE }, { "- 四、财政拨款收支总表", TABLE_FISCAL },
    { "- 五、一般公共预算支出表(分功能科目,分单位)", TABLE_GPB_FUNC },
    { "- 六、一般公共预算基本支出表", TABLE_GPB_ECON },
    { "- 七、一般公共预算\"三公\"经费支出表", TABLE_THREE_PUBLIC },
    { "- 八、政府性基金预算支出表", TABLE_GFB_FUNC }, { "- 九、国有资本经营预算支出表", TABLE_SOE_FUNC },
    { "- 十、项目支出情况表", TABLE_PROJECTS }, { "- 十一、整体支出绩效目标表", TABLE_NONE },
    { "- 十二、项目支出绩效目标表", TABLE_NONE },
    { "- 表 1. 部门收支总表", TABLE_SUMMARY }, { "- 表 2. 部门收入总表", TABLE_INCOME },
    { "- 表 3. 部门支出总表", TABLE_EXPENSE }, { "- 表 4. 财政拨款收支总表", TABLE_FISCAL },
    { "- 表 5-1. 一般公共预算支出表(分功能科目)", TABLE_GPB_FUNC },
    { "- 表 5-2. 一般公共预算支出表(分单位)", TABLE_GPB_FUNC },
    { "- 表 6. 一般公共预算基本支出表", TABLE_GPB_ECON },
    { "- 表 7. 一般公共预算\"三公\"经费支出表", TABLE_THREE_PUBLIC },
    { "- 表 8. 政府性基金预算支出表", TABLE_GFB_FUNC }, { "- 表 9. 国有资本经营预算支出表", TABLE_SOE_FUNC },
    { "- 表 10. 项目支出情况表", TABLE_PROJECTS }, { "- 表 11. 整体支出绩效目标表", TABLE_NONE },
    { "- 表 12-1. 项目支出绩效目标表", TABLE_NONE },
    { "收支总表", TABLE_SUMMARY }, { "收入总表", TABLE_INCOME }, { "支出总表", TABLE_EXPENSE },
    { "财政拨款收支总表", TABLE_FISCAL }, { "一般公共预算支出表(分功能科目)", TABLE_GPB_FUNC },
    { "一般公共预算支出表(分单位)", TABLE_GPB_FUNC }, { "一般公共预算基本支出表", TABLE_GPB_ECON },
    { "一般公共预算\"三公\"经费支出表", TABLE_THREE_PUBLIC }, { "政府性基金预算支出表", TABLE_GFB_FUNC },
    { "国有资本经营预算支出表", TABLE_SOE_FUNC }, { "项目支出表", TABLE_PROJECTS },
    { "部门整体支出绩效目标申报表", TABLE_NONE }, { "部门项目申报表(2024年度)", TABLE_NONE },
    /* 宁德 ningde-2024.txt */
    { "一、收支预算总表.....\t7", TABLE_SUMMARY }, { "二、收入预算总表.....\t8", TABLE_INCOME },
    { "三、支出预算总表.....\t9", TABLE_EXPENSE }, { "四、财政拨款收支预算总表.....\t10", TABLE_FISCAL },
    { "五、一般公共预算拨款支出预算表.....\t11", TABLE_GPB_FUNC },
    { "六、政府性基金预算拨款支出预算表.....\t12", TABLE_GFB_FUNC },
    { "七、国有资本经营预算拨款支出预算表.....\t13", TABLE_SOE_FUNC },
    { "八、一般公共预算支出经济分类情况表.....\t14", TABLE_GPB_ECON },
    { "九、一般公共预算基本支出经济分类情况表.....\t15", TABLE_GPB_ECON },
    { "十、一般公共预算“三公”经费支出预算表.....\t16", TABLE_THREE_PUBLIC },
    { "2024 年度收支预算总表", TABLE_SUMMARY }, { "2024 年度收入预算总表", TABLE_INCOME },
    { "2024年度支出预算总表", TABLE_EXPENSE }, { "2024 年度财政拨款收支预算总表", TABLE_FISCAL },
    { "2024年度一般公共预算拨款支出预算表", TABLE_GPB_FUNC },
    { "2024 年度政府性基金预算拨款支出预算表", TABLE_GFB_FUNC },
    { "2024年度国有资本经营预算拨款支出预算表", TABLE_SOE_FUNC },
    { "2024年度一般公共预算支出经济分类情况表", TABLE_GPB_ECON },
    { "2024年度一般公共预算基本支出经济分类情况表", TABLE_GPB_ECON },
    { "2024年度一般公共预算“三公”经费支出预算表", TABLE_THREE_PUBLIC },
    { "1. 项目支出绩效目标表", TABLE_NONE },
    /* 宿州 suzhou-2024.txt: contents, then the printed titles */
    { "- 1.宿州市医疗保障局部门 2024 年财政拨款收支总表", TABLE_FISCAL },
    { "- 2.宿州市医疗保障局部门 2024 年一般公共预算支出预算表", TABLE_GPB_FUNC },
    { "- 3.宿州市医疗保障局部门 2024 年一般公共预算基本支出预算表", TABLE_GPB_ECON },
    { "- 4.宿州市医疗保障局部门 2024 年政府性基金预算支出表", TABLE_GFB_FUNC },
    { "- 5.宿州市医疗保障局部门 2024 年部门预算收支预算总表", TABLE_SUMMARY },
    { "- 6.宿州市医疗保障局部门 2024 年部门收入预算表", TABLE_INCOME },
    { "- 7.宿州市医疗保障局部门 2024 年部门支出预算表", TABLE_EXPENSE },
    { "- 8.宿州市医疗保障局部门 2024 年国有资本经营预算支出表", TABLE_SOE_FUNC },
    { "- 9.宿州市医疗保障局部门 2024 年项目支出表", TABLE_PROJECTS },
    { "- 10.宿州市医疗保障局部门 2024 年政府采购支出表", TABLE_NONE },
    { "- 11.宿州市医疗保障局部门 2024 年政府购买服务支出表", TABLE_NONE },
    { "宿州市医疗保障部门 2024 年财政拨款收支预算总表", TABLE_FISCAL },
    { "宿州市医疗保障部门 2024 年一般公共预算支出预算表", TABLE_GPB_FUNC },
    { "宿州市医疗保障部门 2024 年一般公共预算基本支出预算表", TABLE_GPB_ECON },
    { "宿州市医疗保障局部门 2024 年政府性基金预算支出预算表", TABLE_GFB_FUNC },
    { "宿州市医疗保障部门 2024 年收支预算总表", TABLE_SUMMARY },
    { "宿州市医疗保障部门 2024 年收入预算总表", TABLE_INCOME },
    { "宿州市医疗保障局部门 2024 年支出预算总表", TABLE_EXPENSE },
    { "宿州市医疗保障部门 2024 年国有资本经营收支预算表", TABLE_SOE_FUNC },
    { "宿州市医疗保障局部门 2024 年项目支出表", TABLE_PROJECTS },
    { "宿州市医疗保障局部门 2024 年政府采购支出表", TABLE_NONE },
    { "宿州市医疗保障部门 2024 年政府购买服务支出表", TABLE_NONE },
    /* national templates */
    { "部门收支总表", TABLE_SUMMARY }, { "部门收支预算总表", TABLE_SUMMARY },
    { "财务收支预算总表", TABLE_SUMMARY }, { "收入预算总表", TABLE_INCOME },
    { "部门支出预算表", TABLE_EXPENSE }, { "财政拨款收支预算总表", TABLE_FISCAL },
    { "一般公共预算支出功能分类预算表", TABLE_GPB_FUNC },
    { "一般公共预算基本支出（经济分类）表", TABLE_GPB_ECON },
    { "\"三公\"经费（和机关运行经费）预算表", TABLE_THREE_PUBLIC },
    { "政府性基金预算支出表", TABLE_GFB_FUNC }, { "国有资本经营预算支出表", TABLE_SOE_FUNC },
    { "项目支出表", TABLE_PROJECTS },
    /* not titles */
    { "", TABLE_NONE }, { "单位:万元", TABLE_NONE }, { "表", TABLE_NONE },
    { "关于 2024 年财政拨款收支总表的说明", TABLE_NONE },
};

START_TEST(titles)
{
    const title_case_t *c = &TITLES[_i];
    ck_assert_msg(table_title_match(c->title) == c->table, "\"%s\" -> %s, expected %s", c->title,
                  table_name(table_title_match(c->title)), table_name(c->table));
}
END_TEST

typedef struct { table_id table; const char *header; column_id column; } header_case_t;

/* Headers as the seed texts print them (blanks inside words from the PDF extraction). */
static const header_case_t HEADERS[] = {
    { TABLE_EXPENSE, "合计", COL_TOTAL }, { TABLE_GPB_FUNC, "小计", COL_TOTAL },
    { TABLE_INCOME, "总计", COL_TOTAL }, { TABLE_EXPENSE, "基本支出", COL_BASIC },
    { TABLE_EXPENSE, "项目支出", COL_PROJECT }, { TABLE_GPB_ECON, "人员经费", COL_PERSONNEL },
    { TABLE_GPB_ECON, "公用经费", COL_PUBLIC },
    { TABLE_INCOME, "一般公共 预算 拨款收 入", COL_GPB }, { TABLE_INCOME, "一般公共预算拨款", COL_GPB },
    { TABLE_INCOME, "一般公共预算资金", COL_GPB }, { TABLE_FISCAL, "一般公共预算", COL_GPB },
    { TABLE_INCOME, "财政拨款收入", COL_GPB }, { TABLE_FISCAL, "一般公共预算财政拨款", COL_GPB },
    { TABLE_INCOME, "政 府 性 基 金 预 算 拨 款 收 入", COL_GFB },
    { TABLE_FISCAL, "政府性基金预算财政拨款", COL_GFB }, { TABLE_FISCAL, "国有资本经营预算拨款", COL_SOE },
    { TABLE_INCOME, "财 政 专 户 管 理 资 金", COL_FSM },
    { TABLE_INCOME, "上 级 转 移 支 付 (提 前 下 达 一 般 公 共 预 算)", COL_XFER_GPB },
    { TABLE_INCOME, "上 级 转 移 支 付 (提 前 下 达 政 府 性 基 金 预 算)", COL_XFER_GFB },
    { TABLE_PROJECTS, "上级转移支付 (提前下达政府性基金)", COL_XFER_GFB },
    { TABLE_PROJECTS, "单位资金", COL_UNIT_FUNDS }, { TABLE_PROJECTS, "金额", COL_TOTAL },
    { TABLE_INCOME, "事业收入", COL_BIZ }, { TABLE_INCOME, "事业单位经营收入", COL_OPS },
    { TABLE_EXPENSE, "事业单位经营支出", COL_OPS }, { TABLE_INCOME, "上级补助收入", COL_UPPER },
    { TABLE_INCOME, "附属单位上缴收入", COL_SUB }, { TABLE_INCOME, "其他收入", COL_OTHER },
    { TABLE_INCOME, "上年结转结余", COL_CARRY }, { TABLE_INCOME, "上年结转", COL_CARRY },
    { TABLE_GPB_FUNC, "当年财政拨款安 排", COL_CURRENT }, { TABLE_GPB_FUNC, "上年结转安排", COL_CARRY },
    { TABLE_EXPENSE, "上缴上级支出", COL_TO_UPPER }, { TABLE_EXPENSE, "对附属单位补助支出", COL_TO_SUB },
    { TABLE_SUMMARY, "预算数", COL_AMOUNT }, { TABLE_FISCAL, "预算数", COL_TOTAL },
    { TABLE_THREE_PUBLIC, "预算数", COL_AMOUNT },
    { TABLE_PROJECTS, "上年结转(一般公共预算)", COL_CARRY_GPB },
    /* a column the table does not carry, and no column at all */
    { TABLE_EXPENSE, "一般公共预算拨款", COL_NONE }, { TABLE_THREE_PUBLIC, "合计", COL_NONE },
    { TABLE_INCOME, "科目编码", COL_NONE }, { TABLE_INCOME, "", COL_NONE },
    { TABLE_NONE, "合计", COL_NONE },
};

START_TEST(headers)
{
    const header_case_t *c = &HEADERS[_i];
    ck_assert_msg(column_header_match(c->table, c->header) == c->column, "%s \"%s\" -> %s, expected %s",
                  table_name(c->table), c->header,
                  column_name(column_header_match(c->table, c->header)), column_name(c->column));
}
END_TEST

/* Every column label of every table is recognised as that column. */
START_TEST(labels_are_headers)
{
    for (int t = TABLE_NONE + 1; t < TABLE_COUNT; t++) {
        column_id cols[COL_COUNT];
        int n = table_columns((table_id)t, cols);
        for (int i = 0; i < n; i++)
            ck_assert_msg(column_header_match((table_id)t, column_label((table_id)t, cols[i])) == cols[i],
                          "%s/%s", table_name((table_id)t), column_name(cols[i]));
    }
}
END_TEST

START_TEST(row_lists)
{
    /* the summed sources are the income side without the trailing `carry` alias */
    ck_assert_uint_eq(TABLE_SUMMARY_SOURCES.n + 1, TABLE_SUMMARY_INCOME.n);
    ck_assert_str_eq(TABLE_SUMMARY_INCOME.rows[TABLE_SUMMARY_INCOME.n - 1], "carry");
    ck_assert_int_lt(table_rows_index(TABLE_SUMMARY_SOURCES, "carry"), 0);
    for (size_t i = 0; i < TABLE_SUMMARY_INCOME.n; i++) {
        const char *r = TABLE_SUMMARY_INCOME.rows[i];
        column_id c = table_source_column(r);
        ck_assert_msg(c != COL_NONE && table_has_column(TABLE_INCOME, c), "%s", r);
        ck_assert_ptr_nonnull(table_fixed_row_label(TABLE_SUMMARY, r));
    }
    ck_assert_int_eq(table_source_column(TABLE_ROW_CARRY_IN), COL_CARRY);
    ck_assert_int_eq(table_source_column("208"), COL_NONE);
    /* non-fiscal sources: every source but gpb, gfb, soe */
    ck_assert_uint_eq(TABLE_SUMMARY_NONFISCAL.n + 3, TABLE_SUMMARY_SOURCES.n);
    ck_assert_int_lt(table_rows_index(TABLE_SUMMARY_NONFISCAL, "gpb"), 0);
    ck_assert_int_ge(table_rows_index(TABLE_SUMMARY_NONFISCAL, TABLE_ROW_CARRY_IN), 0);
    for (size_t i = 0; i < TABLE_FISCAL_INCOME.n; i++)
        ck_assert_str_eq(table_fixed_row_label(TABLE_FISCAL, TABLE_FISCAL_INCOME.rows[i]),
                         TABLE_FISCAL_INCOME.labels[i]);
    ck_assert_uint_eq(TABLE_FISCAL_CARRY.n, 3);
    for (size_t i = 0; i < TABLE_FISCAL_CARRY.n; i++)
        ck_assert(strncmp(TABLE_FISCAL_CARRY.rows[i], "carry_", 6) == 0);
    for (size_t i = 0; i < TABLE_THREE_PUBLIC_ITEMS.n; i++) {
        const char *p = TABLE_THREE_PUBLIC_ITEMS.parents[i];
        ck_assert(strcmp(p, TABLE_ROW_TOTAL) == 0 || table_rows_index(TABLE_THREE_PUBLIC_ITEMS, p) >= 0);
        ck_assert_str_eq(table_fixed_row_label(TABLE_THREE_PUBLIC, TABLE_THREE_PUBLIC_ITEMS.rows[i]),
                         TABLE_THREE_PUBLIC_ITEMS.labels[i]);
    }
    ck_assert_str_eq(table_fixed_row_label(TABLE_SUMMARY, TABLE_ROW_CARRY_OUT), "结转下年");
    ck_assert_str_eq(table_fixed_row_label(TABLE_FISCAL, TABLE_ROW_INCOME_TOTAL), "收入总计");
    ck_assert_str_eq(table_fixed_row_label(TABLE_INCOME, TABLE_ROW_TOTAL), "合计");
    ck_assert_ptr_null(table_fixed_row_label(TABLE_INCOME, TABLE_ROW_INCOME_TOTAL));
}
END_TEST

START_TEST(transfer_keys)
{
    for (size_t i = 0; i < TABLE_TRANSFER_KEYS; i++) {
        const table_key_t *k = table_transfer_key(i);
        ck_assert(table_has_column(k->table, k->column));
        ck_assert_str_eq(k->row, TABLE_ROW_TOTAL);
    }
    /* received on the income side, paid on the expense side, pairwise */
    ck_assert_int_eq(TABLE_TRANSFERS[0].received.column, COL_UPPER);
    ck_assert_int_eq(TABLE_TRANSFERS[0].paid.column, COL_TO_SUB);
    ck_assert_int_eq(TABLE_TRANSFERS[1].received.column, COL_SUB);
    ck_assert_int_eq(TABLE_TRANSFERS[1].paid.column, COL_TO_UPPER);
    ck_assert_ptr_eq(table_transfer_key(TABLE_TRANSFER_COUNT), &TABLE_TRANSFERS[0].paid);
}
END_TEST

START_TEST(normalise)
{
    char a[64], b[64];
    table_text_normalise("维修（护）费", a, sizeof a);
    table_text_normalise("维修(护) 费", b, sizeof b);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, "维修护费");
}
END_TEST

/* examples/FORMAT.md's vocabulary is exactly what table_vocabulary_markdown() prints, and
 * every title rule and column synonym is in it. */
START_TEST(format_md_vocabulary)
{
    size_t len, n;
    char *buf = testkit_generated(table_vocabulary_markdown, &len);
    char *doc = testkit_read_file(TESTS_DIR "/../examples/FORMAT.md", &n);
    const char *a = strstr(doc, TABLE_VOCAB_BEGIN), *b = a ? strstr(a, TABLE_VOCAB_END) : NULL;
    ck_assert_msg(a && b, "examples/FORMAT.md has no generated vocabulary");
    b += strlen(TABLE_VOCAB_END) + 1;
    ck_assert_msg((size_t)(b - a) == len && memcmp(a, buf, len) == 0,
                  "examples/FORMAT.md's vocabulary differs from `huizong rules --vocabulary`: regenerate it");
    ck_assert_ptr_nonnull(strstr(buf, "| 财政拨款收支 |  | fiscal |"));
    ck_assert_ptr_nonnull(strstr(buf, "| projects | 结转 | 一般公共预算 | carry_gpb |"));
    free(doc);
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tables");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, titles, 0, (int)(sizeof TITLES / sizeof TITLES[0]));
    tcase_add_loop_test(tc, headers, 0, (int)(sizeof HEADERS / sizeof HEADERS[0]));
    tcase_add_test(tc, labels_are_headers);
    tcase_add_test(tc, format_md_vocabulary);
    tcase_add_test(tc, row_lists);
    tcase_add_test(tc, transfer_keys);
    tcase_add_test(tc, normalise);
    suite_add_tcase(s, tc);
    return testkit_run(s);
}
