/* export_rows.c -- the printed order of a table's rows (see export_rows.h). */
#include "export_rows.h"

#include <string.h>

/* The head rows of a table and where income_total stands: the income side of the
 * two-sided tables (income_total closes it), the 三公 items after their total. */
static table_rows_t head_rows(table_id t)
{
    static const table_rows_t NONE = { NULL, NULL, NULL, 0 };
    if (t == TABLE_SUMMARY) return TABLE_SUMMARY_INCOME;
    if (t == TABLE_FISCAL) return TABLE_FISCAL_INCOME;
    if (t == TABLE_THREE_PUBLIC) return TABLE_THREE_PUBLIC_ITEMS;
    return NONE;
}

/* Place of row on the income side of a two-sided table, or -1. */
static int income_index(table_id t, const char *row)
{
    table_rows_t head = head_rows(t);
    if (!export_table_two_sided(t)) return -1;
    if (!strcmp(row, TABLE_ROW_INCOME_TOTAL)) return (int)head.n;
    return table_rows_index(head, row);
}

/* (group, index): 0 total, 1 head rows, 2 codes and ids by string, 3 tail rows. */
static int row_rank(table_id t, const char *row, int *index)
{
    int i;
    *index = 0;
    if (!strcmp(row, TABLE_ROW_TOTAL)) return 0;
    if ((i = income_index(t, row)) >= 0 || (i = table_rows_index(head_rows(t), row)) >= 0) {
        *index = i;
        return 1;
    }
    if ((i = table_rows_index(TABLE_SUMMARY_TAIL, row)) >= 0) { *index = i; return 3; }
    return 2;
}

int export_row_cmp(table_id t, const char *a, const char *b)
{
    int ia, ib, ga = row_rank(t, a, &ia), gb = row_rank(t, b, &ib);
    if (ga != gb) return ga < gb ? -1 : 1;
    if (ia != ib) return ia < ib ? -1 : 1;
    return strcmp(a, b);
}

int export_table_two_sided(table_id t)
{
    return t == TABLE_SUMMARY || t == TABLE_FISCAL;
}

int export_row_income_rank(table_id t, const char *row)
{
    return income_index(t, row);
}

/* The export's sheets in printed order (the 政府性基金 / 国有资本经营 tables after 三公). */
static const struct { table_id table; const char *sheet; } SHEETS[] = {
    { TABLE_SUMMARY, "收支总表" }, { TABLE_INCOME, "收入总表" }, { TABLE_EXPENSE, "支出总表" },
    { TABLE_FISCAL, "财政拨款收支总表" }, { TABLE_GPB_FUNC, "一般公共预算支出表" },
    { TABLE_GPB_ECON, "基本支出经济分类表" }, { TABLE_THREE_PUBLIC, "三公经费" },
    { TABLE_GFB_FUNC, "政府性基金预算支出表" }, { TABLE_SOE_FUNC, "国有资本经营预算支出表" },
    { TABLE_PROJECTS, "项目支出表" },
};

const char *export_sheet_name(table_id t)
{
    for (size_t s = 0; s < sizeof SHEETS / sizeof SHEETS[0]; s++)
        if (SHEETS[s].table == t) return SHEETS[s].sheet;
    return "";
}

table_id export_sheet_table(size_t i)
{
    return i < sizeof SHEETS / sizeof SHEETS[0] ? SHEETS[i].table : TABLE_NONE;
}
