/* export_rows.h -- the printed order of a table's rows, shared by `huizong export` (sheet
 * layout) and `huizong gen` (CSV order): the total row first, then the table's fixed head
 * rows in their published order (summary/fiscal income lines, three_public items), then
 * codes and project ids by string (which puts a 类 before its 款 before its 项), then the
 * tail rows (expense_total, carry_out). */
#ifndef HUIZONG_TOOLS_EXPORT_ROWS_H
#define HUIZONG_TOOLS_EXPORT_ROWS_H

#include "tables.h"

/* <0, 0, >0 like strcmp: whether row a of table t is printed before row b. */
int export_row_cmp(table_id t, const char *a, const char *b);

#endif
