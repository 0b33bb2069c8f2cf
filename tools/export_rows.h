/* export_rows.h -- the printed order of a table's rows, shared by `huizong export` (sheet
 * layout) and `huizong gen` (CSV order): the total row first, then the table's fixed head
 * rows in their published order (summary/fiscal income lines, three_public items), then
 * codes and project ids by string (which puts a 类 before its 款 before its 项), then the
 * tail rows (expense_total, carry_out).
 *
 * The two-sided tables (收支总表 summary, 财政拨款收支总表 fiscal) are printed with the income
 * lines on the left and the expense lines on the right; export_row_income_rank says which
 * side a row belongs to and its place on the income side. */
#ifndef HUIZONG_TOOLS_EXPORT_ROWS_H
#define HUIZONG_TOOLS_EXPORT_ROWS_H

#include "tables.h"

/* <0, 0, >0 like strcmp: whether row a of table t is printed before row b. */
int export_row_cmp(table_id t, const char *a, const char *b);

/* Whether t is printed as income | expense side by side (summary, fiscal). */
int export_table_two_sided(table_id t);

/* For a two-sided table: the printed position of an income line (income source ids and
 * carry_in of summary, cur_* and carry_* of fiscal; income_total last), or -1 when row is on
 * the expense side (class codes, carry_out, expense_total). -1 for any other table. */
int export_row_income_rank(table_id t, const char *row);

/* The sheet a table is written on by `huizong export` and `huizong template` ("收支总表",
 * "三公经费" ...); "" for an invalid table. */
const char *export_sheet_name(table_id t);
/* The i-th table in the export's sheet order; TABLE_NONE past the last. */
table_id export_sheet_table(size_t i);

#endif
