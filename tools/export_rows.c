/* export_rows.c -- the printed order of a table's rows (see export_rows.h). */
#include "export_rows.h"

#include <string.h>

static const char *const SUMMARY_HEAD[] = { "gpb", "gfb", "soe", "fsm", "biz", "ops", "upper",
                                            "sub", "other", "carry_in", "income_total", NULL };
static const char *const FISCAL_HEAD[] = { "cur_gpb", "cur_gfb", "cur_soe", "carry_gpb",
                                           "carry_gfb", "carry_soe", "income_total", NULL };
/* Income side of the two-sided tables, in printed order (income_total closes the side). */
static const char *const SUMMARY_INCOME[] = { "gpb", "gfb", "soe", "fsm", "biz", "ops", "upper",
                                              "sub", "other", "xfer_gpb", "xfer_gfb", "carry",
                                              "carry_in", "income_total", NULL };
static const char *const THREE_HEAD[] = { "total", "abroad", "vehicle", "vehicle_purchase",
                                          "vehicle_operation", "reception", NULL };
static const char *const TAIL[] = { "expense_total", "carry_out", NULL };

static int list_index(const char *const *list, const char *row)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], row)) return i;
    return -1;
}

/* (group, index): 0 total, 1 head rows, 2 codes and ids by string, 3 tail rows. */
static int row_rank(table_id t, const char *row, int *index)
{
    const char *const *head = t == TABLE_SUMMARY ? SUMMARY_HEAD : t == TABLE_FISCAL ? FISCAL_HEAD
                            : t == TABLE_THREE_PUBLIC ? THREE_HEAD : NULL;
    int i;
    *index = 0;
    if (head && (i = list_index(head, row)) >= 0) { *index = i; return 1; }
    if (!strcmp(row, "total")) return 0;
    if ((i = list_index(TAIL, row)) >= 0) { *index = i; return 3; }
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
    if (t == TABLE_SUMMARY) return list_index(SUMMARY_INCOME, row);
    if (t == TABLE_FISCAL) return list_index(FISCAL_HEAD, row);
    return -1;
}
